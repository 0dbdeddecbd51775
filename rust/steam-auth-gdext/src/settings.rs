//! The Project Settings the addon registers, with defaults and editor hints, and their env overrides.

use godot::classes::ProjectSettings;
use godot::prelude::*;
use godot::register::info::PropertyHint;

use steam_auth_core::DEFAULT_SIMULATED_STEAM_ID;

/// `steam` (the real client through steamworks) or `simulated`.
pub const BACKEND: &str = "steam/auth/backend";
/// Overrides [`BACKEND`] when set.
pub const BACKEND_ENV: &str = "STEAM_AUTH_BACKEND";
/// The SteamID64 the simulated Steam plays.
pub const SIMULATED_STEAM_ID: &str = "steam/auth/simulated_steam_id";
/// Overrides [`SIMULATED_STEAM_ID`] when set.
pub const SIMULATED_STEAM_ID_ENV: &str = "STEAM_AUTH_SIMULATED_STEAM_ID";
/// App id used when neither `steamInit(app_id)` nor `steam_appid.txt` gives one.
pub const APP_ID: &str = "steam/auth/app_id";

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
        name: APP_ID,
        default: || 0.to_variant(),
        ty: VariantType::INT,
        hint: PropertyHint::RANGE,
        hint_string: "0,4294967295,1,or_greater",
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
