//! Which app the game is: the `steamInit` argument, else `steam_appid.txt`, else a Project Setting.

use std::path::{Path, PathBuf};

/// Where the app id came from (shown in the demo and in error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppIdSource {
    Argument,
    File(PathBuf),
    Setting,
}

/// Why no app id could be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppIdError {
    #[error("{path} does not hold an app id (a positive integer): {content:?}")]
    BadFile { path: PathBuf, content: String },
    #[error("no app id: pass one to steamInit(app_id), put steam_appid.txt next to the game, or set the Project Setting steam/auth/app_id")]
    Missing,
}

/// Resolves the app id. `dirs` are searched in order for `steam_appid.txt` (Steam's own convention:
/// the working directory first, then the project directory).
pub fn resolve_app_id(
    argument: i64,
    dirs: &[&Path],
    setting: i64,
) -> Result<(u32, AppIdSource), AppIdError> {
    if let Some(id) = positive_u32(argument) {
        return Ok((id, AppIdSource::Argument));
    }
    for dir in dirs {
        let path = dir.join("steam_appid.txt");
        let Ok(content) = std::fs::read_to_string(&path) else {
            continue;
        };
        return match content.trim().parse::<i64>().ok().and_then(positive_u32) {
            Some(id) => Ok((id, AppIdSource::File(path))),
            None => Err(AppIdError::BadFile {
                path,
                content: content.chars().take(40).collect(),
            }),
        };
    }
    positive_u32(setting)
        .map(|id| (id, AppIdSource::Setting))
        .ok_or(AppIdError::Missing)
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

    #[test]
    fn argument_wins_then_file_then_setting() {
        let with_file = temp_dir("file", Some("555440\n"));
        let empty = temp_dir("empty", None);
        assert_eq!(resolve_app_id(480, &[&with_file], 7).unwrap().0, 480);
        let (id, source) = resolve_app_id(0, &[&empty, &with_file], 7).unwrap();
        assert_eq!(
            (id, source),
            (555440, AppIdSource::File(with_file.join("steam_appid.txt")))
        );
        assert_eq!(
            resolve_app_id(0, &[&empty], 7).unwrap(),
            (7, AppIdSource::Setting)
        );
        assert_eq!(resolve_app_id(-5, &[&empty], 0), Err(AppIdError::Missing));
    }

    #[test]
    fn a_garbled_file_is_an_error_not_a_fallback() {
        let bad = temp_dir("bad", Some("five five five"));
        assert!(matches!(
            resolve_app_id(0, &[&bad], 7),
            Err(AppIdError::BadFile { .. })
        ));
    }
}
