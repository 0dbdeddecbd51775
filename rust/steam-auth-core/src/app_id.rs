//! Which app the game is, in the order Steam itself looks: the `steamInit` argument, the environment
//! Steam sets when it launches a game (`SteamAppId`, then `SteamGameId`), `steam_appid.txt`, and last
//! a Project Setting. A shipped game has no `steam_appid.txt` (Valve says not to ship one): Steam's
//! launch environment is what identifies it.

use std::fmt;
use std::path::{Path, PathBuf};

/// The environment variables Steam sets for a game it launches, in the order they are read.
pub const APP_ID_ENV: [&str; 2] = ["SteamAppId", "SteamGameId"];

/// Where the app id came from (reported in `steamInitEx`'s `verbal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppIdSource {
    Argument,
    Environment(&'static str),
    File(PathBuf),
    Setting,
}

impl fmt::Display for AppIdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppIdSource::Argument => f.write_str("the steamInit argument"),
            AppIdSource::Environment(name) => write!(f, "environment variable {name}"),
            AppIdSource::File(path) => write!(f, "{}", path.display()),
            AppIdSource::Setting => f.write_str("Project Setting steam/auth/app_id"),
        }
    }
}

/// An app id that was given but cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppIdError {
    #[error("{path} does not hold an app id (a positive integer): {content:?}")]
    BadFile { path: PathBuf, content: String },
    #[error("environment variable {name} is {value:?}, not an app id (a positive integer)")]
    BadEnvironment { name: &'static str, value: String },
}

/// What to say when no source gives an app id and the backend needs one.
pub const MISSING_APP_ID: &str = "no app id: pass one to steamInit(app_id), launch the game from \
Steam (it sets SteamAppId), put steam_appid.txt next to the game, or set the Project Setting steam/auth/app_id";

/// Resolves the app id; `Ok(None)` when no source gives one (the Steam client may still know it).
/// `env` reads an environment variable (blank counts as unset); `dirs` are searched in order for
/// `steam_appid.txt`.
pub fn resolve_app_id(
    argument: i64,
    env: impl Fn(&str) -> Option<String>,
    dirs: &[&Path],
    setting: i64,
) -> Result<Option<(u32, AppIdSource)>, AppIdError> {
    if let Some(id) = positive_u32(argument) {
        return Ok(Some((id, AppIdSource::Argument)));
    }
    for name in APP_ID_ENV {
        let Some(value) = env(name).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        return match value.trim().parse::<i64>().ok().and_then(positive_u32) {
            Some(id) => Ok(Some((id, AppIdSource::Environment(name)))),
            None => Err(AppIdError::BadEnvironment { name, value }),
        };
    }
    for dir in dirs {
        let path = dir.join("steam_appid.txt");
        let Ok(content) = std::fs::read_to_string(&path) else {
            continue;
        };
        return match content.trim().parse::<i64>().ok().and_then(positive_u32) {
            Some(id) => Ok(Some((id, AppIdSource::File(path)))),
            None => Err(AppIdError::BadFile {
                path,
                content: content.chars().take(40).collect(),
            }),
        };
    }
    Ok(positive_u32(setting).map(|id| (id, AppIdSource::Setting)))
}

fn positive_u32(v: i64) -> Option<u32> {
    u32::try_from(v).ok().filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str, content: Option<&str>) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("steam-auth-appid-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("steam_appid.txt");
        match content {
            Some(c) => std::fs::write(&file, c).unwrap(),
            None => {
                let _ = std::fs::remove_file(&file);
            }
        }
        dir
    }

    fn env_of(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn argument_then_steam_app_id_then_steam_game_id_then_file_then_setting() {
        let file = temp_dir("file", Some("555440\n"));
        let empty = temp_dir("empty", None);
        let both = env_of(&[("SteamAppId", "480"), ("SteamGameId", "570")]);
        let game_only = env_of(&[("SteamGameId", "570")]);
        let none = env_of(&[]);
        let resolve = |arg, env: &dyn Fn(&str) -> Option<String>, dirs: &[&Path], setting| {
            resolve_app_id(arg, env, dirs, setting).unwrap()
        };
        assert_eq!(
            resolve(730, &both, &[&file], 7),
            Some((730, AppIdSource::Argument))
        );
        assert_eq!(
            resolve(0, &both, &[&file], 7),
            Some((480, AppIdSource::Environment("SteamAppId")))
        );
        assert_eq!(
            resolve(0, &game_only, &[&file], 7),
            Some((570, AppIdSource::Environment("SteamGameId")))
        );
        assert_eq!(
            resolve(0, &none, &[&empty, &file], 7),
            Some((555440, AppIdSource::File(file.join("steam_appid.txt"))))
        );
        assert_eq!(
            resolve(0, &none, &[&empty], 7),
            Some((7, AppIdSource::Setting))
        );
        assert_eq!(resolve(-5, &none, &[&empty], 0), None);
    }

    #[test]
    fn blank_environment_values_count_as_unset() {
        let empty = temp_dir("blank", None);
        let blank = env_of(&[("SteamAppId", "  "), ("SteamGameId", "570")]);
        assert_eq!(
            resolve_app_id(0, blank, &[&empty], 0).unwrap(),
            Some((570, AppIdSource::Environment("SteamGameId")))
        );
    }

    #[test]
    fn a_garbled_source_is_an_error_not_a_fallback() {
        let bad = temp_dir("bad", Some("five five five"));
        assert!(matches!(
            resolve_app_id(0, env_of(&[]), &[&bad], 7),
            Err(AppIdError::BadFile { .. })
        ));
        let err = resolve_app_id(0, env_of(&[("SteamAppId", "abc")]), &[&bad], 7).unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable SteamAppId is \"abc\", not an app id (a positive integer)"
        );
    }

    #[test]
    fn sources_describe_themselves_for_the_verbal_text() {
        assert_eq!(
            AppIdSource::Environment("SteamAppId").to_string(),
            "environment variable SteamAppId"
        );
        assert_eq!(
            AppIdSource::Setting.to_string(),
            "Project Setting steam/auth/app_id"
        );
    }
}
