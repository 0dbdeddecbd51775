//! The Project Settings of the full library, read by `Steam` and `SteamServer`: the backend, the app
//! id and where `steam_appid.txt` is looked for, the simulated user, and whether to register the
//! `Steam` singleton at all.

use std::path::PathBuf;

use godot::classes::{Os, ProjectSettings};
use godot::prelude::*;
use godot::register::info::PropertyHint;
use steam_auth_core::{
    BackendKind, SimulatedConfig, DEFAULT_LANGUAGE, DEFAULT_PERSONA_NAME,
    DEFAULT_SIMULATED_STEAM_ID, DEVELOPMENT_ENCRYPTED_TICKET_KEY,
};

use crate::settings::{env, get, Setting};
use crate::steam_args as args;

/// `steam` (the real client through steamworks) or `simulated`.
pub const BACKEND: &str = "steam/auth/backend";
/// Overrides [`BACKEND`] when set.
pub const BACKEND_ENV: &str = "STEAM_AUTH_BACKEND";
/// The SteamID64 the simulated Steam plays.
pub const SIMULATED_STEAM_ID: &str = "steam/auth/simulated_steam_id";
/// Overrides [`SIMULATED_STEAM_ID`] when set.
pub const SIMULATED_STEAM_ID_ENV: &str = "STEAM_AUTH_SIMULATED_STEAM_ID";
/// The simulated user's persona name.
pub const SIMULATED_PERSONA_NAME: &str = "steam/auth/simulated_persona_name";
/// The SteamID that owns the simulated user's license: 0 for the user, another SteamID for Family
/// Sharing.
pub const SIMULATED_OWNER_STEAM_ID: &str = "steam/auth/simulated_owner_steam_id";
/// Whether the simulated user has the app (`isSubscribed`).
pub const SIMULATED_OWNS_APP: &str = "steam/auth/simulated_owns_app";
/// DLC app ids the simulated user owns and has installed.
pub const SIMULATED_DLC: &str = "steam/auth/simulated_dlc";
/// Whether the simulated game runs on a Steam Deck.
pub const SIMULATED_STEAM_DECK: &str = "steam/auth/simulated_steam_deck";
/// Whether the simulated game runs in the Steam client's VR mode.
pub const SIMULATED_VR: &str = "steam/auth/simulated_vr";
/// Whether the simulated user has a VAC ban on the game.
pub const SIMULATED_VAC_BANNED: &str = "steam/auth/simulated_vac_banned";
/// The simulated game and Steam UI language.
pub const SIMULATED_LANGUAGE: &str = "steam/auth/simulated_language";
/// The app's encrypted-ticket key the simulation encrypts its encrypted app tickets with: 64 hex
/// digits, by default the public development key, which no real app has.
pub const SIMULATED_ENCRYPTED_TICKET_KEY: &str = "steam/auth/simulated_encrypted_ticket_key";
/// Whether this addon registers the `Steam` singleton: `auto` (unless GodotSteam's is there),
/// `always`, `never`.
pub const PROVIDE_STEAM_SINGLETON: &str = "steam/auth/provide_steam_singleton";
/// App id used when neither `steamInit(app_id)` nor `steam_appid.txt` gives one.
pub const APP_ID: &str = "steam/auth/app_id";
/// Whether `steamInit` pumps callbacks every frame (its `embed_callbacks` argument must also be true).
pub const EMBED_CALLBACKS: &str = "steam/auth/embed_callbacks";

pub(crate) const STEAM_SETTINGS: &[Setting] = &[
    Setting {
        name: BACKEND,
        default: || "steam".to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::ENUM,
        hint_string: "steam,simulated",
    },
    Setting {
        name: SIMULATED_STEAM_ID,
        default: || (DEFAULT_SIMULATED_STEAM_ID as i64).to_variant(),
        ty: VariantType::INT,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_PERSONA_NAME,
        default: || DEFAULT_PERSONA_NAME.to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_OWNER_STEAM_ID,
        default: || 0.to_variant(),
        ty: VariantType::INT,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_OWNS_APP,
        default: || true.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_DLC,
        default: || PackedInt64Array::new().to_variant(),
        ty: VariantType::PACKED_INT64_ARRAY,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_STEAM_DECK,
        default: || false.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_VR,
        default: || false.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_VAC_BANNED,
        default: || false.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_LANGUAGE,
        default: || DEFAULT_LANGUAGE.to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: SIMULATED_ENCRYPTED_TICKET_KEY,
        default: || steam_ticket::hex::encode(&DEVELOPMENT_ENCRYPTED_TICKET_KEY).to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: PROVIDE_STEAM_SINGLETON,
        default: || "auto".to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::ENUM,
        hint_string: "auto,always,never",
    },
    Setting {
        name: APP_ID,
        default: || 0.to_variant(),
        ty: VariantType::INT,
        hint: PropertyHint::RANGE,
        hint_string: "0,4294967295,1,or_greater",
    },
    Setting {
        name: EMBED_CALLBACKS,
        default: || true.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
];

/// The embed-callbacks Project Setting (default true).
pub fn embed_callbacks() -> bool {
    get(EMBED_CALLBACKS)
        .and_then(|v| v.try_to::<bool>().ok())
        .unwrap_or(true)
}

/// `steam/auth/provide_steam_singleton`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProvideSingleton {
    Auto,
    Always,
    Never,
}

/// The singleton policy; an unknown value is reported and read as `auto`.
pub fn provide_steam_singleton() -> ProvideSingleton {
    let value = get(PROVIDE_STEAM_SINGLETON)
        .map(|v| v.to_string())
        .unwrap_or_default();
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "auto" => ProvideSingleton::Auto,
        "always" => ProvideSingleton::Always,
        "never" => ProvideSingleton::Never,
        other => {
            godot_error!("steam-auth: Project Setting {PROVIDE_STEAM_SINGLETON} is {other:?}; it must be \"auto\", \"always\" or \"never\" (using \"auto\")");
            ProvideSingleton::Auto
        }
    }
}

/// The simulated user from the environment and Project Settings (its app id is filled in by init).
pub fn simulated_user() -> Result<SimulatedConfig, String> {
    let steam_id = simulated_steam_id()?;
    let int = |name: &str| get(name).and_then(|v| v.try_to::<i64>().ok());
    let flag = |name: &str, default: bool| {
        get(name)
            .and_then(|v| v.try_to::<bool>().ok())
            .unwrap_or(default)
    };
    let owner_steam_id = match int(SIMULATED_OWNER_STEAM_ID).unwrap_or(0) {
        0 => None,
        id => Some(args::steam_id(id).ok_or_else(|| {
            format!("Project Setting {SIMULATED_OWNER_STEAM_ID} is {id}, not a SteamID64")
        })?),
    };
    let dlc = match get(SIMULATED_DLC) {
        None => Vec::new(),
        Some(v) => v
            .try_to::<PackedInt64Array>()
            .ok()
            .and_then(|ids| {
                ids.as_slice()
                    .iter()
                    .map(|id| u32::try_from(*id).ok())
                    .collect::<Option<Vec<u32>>>()
            })
            .ok_or_else(|| format!("Project Setting {SIMULATED_DLC} must be a list of app ids"))?,
    };
    Ok(SimulatedConfig {
        persona_name: get(SIMULATED_PERSONA_NAME)
            .map(|v| v.to_string())
            .unwrap_or_else(|| DEFAULT_PERSONA_NAME.to_owned()),
        owner_steam_id,
        owns_app: flag(SIMULATED_OWNS_APP, true),
        dlc,
        steam_deck: flag(SIMULATED_STEAM_DECK, false),
        vr: flag(SIMULATED_VR, false),
        vac_banned: flag(SIMULATED_VAC_BANNED, false),
        language: get(SIMULATED_LANGUAGE)
            .map(|v| v.to_string())
            .filter(|l| !l.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_LANGUAGE.to_owned()),
        encrypted_ticket_key: simulated_encrypted_ticket_key()?,
        ..SimulatedConfig::new(steam_id, 0)
    })
}

/// `steam/auth/simulated_encrypted_ticket_key`: 64 hex digits; empty or unset is the development key.
fn simulated_encrypted_ticket_key() -> Result<[u8; 32], String> {
    let text = get(SIMULATED_ENCRYPTED_TICKET_KEY)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        return Ok(DEVELOPMENT_ENCRYPTED_TICKET_KEY);
    }
    steam_ticket::hex::decode(text)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| {
            format!("Project Setting {SIMULATED_ENCRYPTED_TICKET_KEY} must be 64 hex digits (a 32-byte key), got {} characters", text.len())
        })
}

fn simulated_steam_id() -> Result<u64, String> {
    if let Some(v) = env(SIMULATED_STEAM_ID_ENV) {
        return v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|id| *id != 0)
            .ok_or_else(|| {
                format!("environment variable {SIMULATED_STEAM_ID_ENV} is {v:?}, not a SteamID64")
            });
    }
    let value = get(SIMULATED_STEAM_ID)
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(DEFAULT_SIMULATED_STEAM_ID as i64);
    args::steam_id(value)
        .ok_or_else(|| format!("Project Setting {SIMULATED_STEAM_ID} is {value}, not a SteamID64"))
}

pub fn backend_kind() -> Result<BackendKind, String> {
    let (value, from) = match env(BACKEND_ENV) {
        Some(v) => (v, format!("environment variable {}", BACKEND_ENV)),
        None => (
            get(BACKEND)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "steam".into()),
            format!("Project Setting {}", BACKEND),
        ),
    };
    BackendKind::parse(&value)
        .ok_or_else(|| format!("{from} is {value:?}; it must be \"steam\" or \"simulated\""))
}

/// Where `steam_appid.txt` is looked for: the working directory, the project, the executable's folder.
pub fn app_id_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        dirs.push(cwd);
    }
    let project = ProjectSettings::singleton()
        .globalize_path("res://")
        .to_string();
    if !project.is_empty() && !project.starts_with("res://") {
        dirs.push(PathBuf::from(project));
    }
    let exe = Os::singleton().get_executable_path().to_string();
    if let Some(dir) = PathBuf::from(exe).parent() {
        dirs.push(dir.to_path_buf());
    }
    dirs
}
