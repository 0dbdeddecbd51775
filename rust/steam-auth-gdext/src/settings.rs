//! The Project Settings the addon registers, with defaults and editor hints, and their env overrides.

use godot::classes::ProjectSettings;
use godot::prelude::*;
use godot::register::info::PropertyHint;

use steam_auth_core::{SimulatedConfig, DEFAULT_PERSONA_NAME, DEFAULT_SIMULATED_STEAM_ID};

use crate::args;

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
/// Whether this addon registers the `Steam` singleton: `auto` (unless GodotSteam's is there),
/// `always`, `never`.
pub const PROVIDE_STEAM_SINGLETON: &str = "steam/auth/provide_steam_singleton";
/// App id used when neither `steamInit(app_id)` nor `steam_appid.txt` gives one.
pub const APP_ID: &str = "steam/auth/app_id";

/// Whether `steamInit` pumps callbacks every frame (its `embed_callbacks` argument must also be true).
pub const EMBED_CALLBACKS: &str = "steam/auth/embed_callbacks";
/// Base URL (or full endpoint URL) of the login server `SteamLogin` posts to.
pub const LOGIN_ENDPOINT: &str = "steam/auth/login_endpoint";
/// Seconds a `SteamLogin` call may take.
pub const LOGIN_TIMEOUT_SEC: &str = "steam/auth/login_timeout_sec";
const DEFAULT_LOGIN_ENDPOINT: &str = "http://127.0.0.1:8080";
const DEFAULT_LOGIN_TIMEOUT_SEC: f64 = 10.0;

struct Setting {
    name: &'static str,
    default: fn() -> Variant,
    ty: VariantType,
    hint: PropertyHint,
    hint_string: &'static str,
}

const SETTINGS: &[Setting] = &[
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
    Setting {
        name: LOGIN_ENDPOINT,
        default: || DEFAULT_LOGIN_ENDPOINT.to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
    Setting {
        name: LOGIN_TIMEOUT_SEC,
        default: || DEFAULT_LOGIN_TIMEOUT_SEC.to_variant(),
        ty: VariantType::FLOAT,
        hint: PropertyHint::RANGE,
        hint_string: "0.1,3600,0.1,or_greater",
    },
];

/// Adds the settings to the project (keeping values the project already has).
pub fn register() {
    let mut ps = ProjectSettings::singleton();
    for s in SETTINGS {
        let default = (s.default)();
        if !ps.has_setting(s.name) {
            ps.set_setting(s.name, &default);
        }
        ps.set_initial_value(s.name, &default);
        ps.set_as_basic(s.name, true);
        let mut info = VarDictionary::new();
        info.set("name", s.name);
        info.set("type", s.ty.ord());
        info.set("hint", s.hint.ord());
        info.set("hint_string", s.hint_string);
        ps.add_property_info(&info);
    }
}

/// A setting's value, or `None` if it is not set.
pub fn get(name: &str) -> Option<Variant> {
    let ps = ProjectSettings::singleton();
    ps.has_setting(name).then(|| ps.get_setting(name))
}

/// An environment variable, if set and not blank.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The login endpoint: env `STEAM_AUTH_LOGIN_ENDPOINT`, else the Project Setting, else the default.
pub fn login_endpoint() -> String {
    env("STEAM_AUTH_LOGIN_ENDPOINT")
        .or_else(|| get(LOGIN_ENDPOINT).map(|v| v.to_string()))
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_LOGIN_ENDPOINT.to_owned())
}

/// The login timeout in seconds (Project Setting, else the default).
pub fn login_timeout_sec() -> f64 {
    get(LOGIN_TIMEOUT_SEC)
        .and_then(|v| v.try_to::<f64>().ok())
        .filter(|t| *t > 0.0)
        .unwrap_or(DEFAULT_LOGIN_TIMEOUT_SEC)
}

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
        ..SimulatedConfig::new(steam_id, 0)
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
