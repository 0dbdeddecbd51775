//! The Project Settings the addon registers, with defaults and editor hints, and their env overrides.

use godot::classes::ProjectSettings;
use godot::prelude::*;
use godot::register::info::PropertyHint;

/// Base URL (or full endpoint URL) of the login server `SteamLogin` posts to.
pub const LOGIN_ENDPOINT: &str = "steam/auth/login_endpoint";
/// Seconds a `SteamLogin` call may take.
pub const LOGIN_TIMEOUT_SEC: &str = "steam/auth/login_timeout_sec";
/// PEM certificates `SteamLogin` trusts beside the built-in roots (a studio's own CA).
pub const LOGIN_CA_FILE: &str = "steam/auth/login_ca_file";
/// Lets a release export post tickets to a plain `http://` endpoint that is not loopback.
pub const ALLOW_INSECURE_HTTP: &str = "steam/auth/allow_insecure_http";
const DEFAULT_LOGIN_ENDPOINT: &str = "http://127.0.0.1:8080";
const DEFAULT_LOGIN_TIMEOUT_SEC: f64 = 10.0;

pub(crate) struct Setting {
    pub name: &'static str,
    pub default: fn() -> Variant,
    pub ty: VariantType,
    pub hint: PropertyHint,
    pub hint_string: &'static str,
}

const LOGIN_SETTINGS: &[Setting] = &[
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
    Setting {
        name: LOGIN_CA_FILE,
        default: || "".to_variant(),
        ty: VariantType::STRING,
        hint: PropertyHint::FILE,
        hint_string: "*.pem,*.crt",
    },
    Setting {
        name: ALLOW_INSECURE_HTTP,
        default: || false.to_variant(),
        ty: VariantType::BOOL,
        hint: PropertyHint::NONE,
        hint_string: "",
    },
];

/// Adds the login settings and `others` (the `Steam` singleton's, in the full build) to the project,
/// keeping values the project already has.
pub fn register(others: &[Setting]) {
    let mut ps = ProjectSettings::singleton();
    for s in LOGIN_SETTINGS.iter().chain(others) {
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

/// The extra CA file: env `STEAM_AUTH_LOGIN_CA_FILE`, else the Project Setting; `None` when unset.
pub fn login_ca_file() -> Option<String> {
    env("STEAM_AUTH_LOGIN_CA_FILE")
        .or_else(|| get(LOGIN_CA_FILE).map(|v| v.to_string()))
        .filter(|v| !v.trim().is_empty())
}

/// Whether plain `http://` to a host that is not loopback is allowed in a release export.
pub fn allow_insecure_http() -> bool {
    get(ALLOW_INSECURE_HTTP)
        .and_then(|v| v.try_to::<bool>().ok())
        .unwrap_or(false)
}
