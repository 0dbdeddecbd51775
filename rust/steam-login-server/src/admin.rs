//! `steam-login-server admin …`: the operator's controls over the same database the servers use
//! (so they hold across instances sharing PostgreSQL): ban and unban a SteamID, revoke every session
//! of a player, look at a player's sessions, list bans, read a day's Web API quota, back up a live
//! SQLite file.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use steam_ticket::{Clock, SystemClock};

use crate::store::{self, Ban, Store, StoreError};
use crate::time_text::{day_label, utc};

/// `admin`: the flags the subcommands share.
#[derive(Debug, Clone, Args)]
pub struct Admin {
    /// Database: a SQLite file path (or sqlite://path), or a postgres:// URL; the servers' own.
    #[arg(long, env = "DATABASE_URL", default_value = "steam-login.db")]
    pub database: String,

    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Action {
    /// Bans a SteamID: its logins are refused (403 "banned", with the reason) and its live sessions
    /// revoked. A new ban replaces an earlier one.
    Ban {
        /// The player's SteamID64.
        steam_id: u64,
        /// Why; the player sees it in the refusal.
        #[arg(long)]
        reason: String,
        /// How long, e.g. `7d`, `12h`, `30min` (default: until lifted).
        #[arg(long = "for", value_name = "DURATION", value_parser = humantime::parse_duration)]
        duration: Option<Duration>,
    },
    /// Lifts a ban.
    Unban { steam_id: u64 },
    /// Lists every ban, newest first.
    Bans,
    /// Revokes every live session of a player (a compromised account): they must log in again.
    Revoke { steam_id: u64 },
    /// Shows a player: their user id, first and last login, ban, and stored sessions.
    User { steam_id: u64 },
    /// Shows the Web API calls counted for a UTC day (default: today).
    Quota {
        /// The day, YYYY-MM-DD.
        #[arg(long)]
        day: Option<String>,
    },
    /// Copies a SQLite database, live or not, to FILE (replaced if it exists): every session
    /// acknowledged before the backup began is in the copy, which a server opens with
    /// `--database FILE`. PostgreSQL is backed up with pg_dump.
    Backup {
        /// Where the copy goes.
        file: PathBuf,
    },
}

/// `admin backup`: SQLite's online backup of the file; PostgreSQL has its own tools.
async fn backup(database: &str, file: &std::path::Path) -> Result<String, StoreError> {
    let Some(path) = store::sqlite_path(database) else {
        return Err(StoreError::Open(
            "a PostgreSQL database is backed up with PostgreSQL's own tools: \
             pg_dump --format=custom --file=steam-login.dump \"$DATABASE_URL\" \
             (restore with pg_restore; see docs/deployment.md)"
                .into(),
        ));
    };
    let (source, destination) = (PathBuf::from(path), file.to_owned());
    let report = tokio::task::spawn_blocking(move || store::sqlite::backup(&source, &destination))
        .await
        .map_err(|_| StoreError::Stopped("backup (it panicked)"))??;
    Ok(format!(
        "backed up {path} to {}: {} bytes, {} user(s), {} session(s)",
        file.display(),
        report.bytes,
        report.users,
        report.sessions
    ))
}

/// Runs one command; what to print, or why it failed.
pub async fn run(admin: Admin) -> Result<String, StoreError> {
    if let Action::Backup { file } = &admin.action {
        return backup(&admin.database, file).await;
    }
    let store = store::open(&admin.database).await?;
    let now = SystemClock.unix_now() as i64;
    run_on(&*store, admin.action, now).await
}

async fn run_on(store: &dyn Store, action: Action, now: i64) -> Result<String, StoreError> {
    Ok(match action {
        Action::Ban {
            steam_id,
            reason,
            duration,
        } => {
            let until =
                duration.map(|d| now.saturating_add(d.as_secs().min(i64::MAX as u64) as i64));
            let revoked = store
                .ban(Ban {
                    steam_id,
                    reason: reason.clone(),
                    banned_at: now,
                    until,
                })
                .await?;
            format!(
                "banned {steam_id} {}: {reason}; {revoked} live session(s) revoked",
                until.map_or("until lifted".to_owned(), |u| format!("until {}", utc(u)))
            )
        }
        Action::Unban { steam_id } => {
            if store.unban(steam_id).await? {
                format!("unbanned {steam_id}")
            } else {
                format!("{steam_id} was not banned")
            }
        }
        Action::Bans => {
            let bans = store.bans().await?;
            if bans.is_empty() {
                "no bans".to_owned()
            } else {
                bans.iter()
                    .map(|b| describe_ban(b, now))
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        }
        Action::Revoke { steam_id } => {
            let revoked = store.revoke_user(steam_id, now).await?;
            format!("revoked {revoked} live session(s) of {steam_id}")
        }
        Action::User { steam_id } => describe_user(store, steam_id, now).await?,
        Action::Quota { day } => {
            let day = day.unwrap_or_else(|| day_label(now as u64 / 86_400));
            let used = store.quota_used(&day).await?;
            format!("{day}: {used} Steam Web API call(s)")
        }
        // `run` takes backups before any store is opened: they copy the file, not the store's view.
        Action::Backup { .. } => {
            return Err(StoreError::Open(
                "a backup is taken from the database's path (admin::run)".into(),
            ))
        }
    })
}

fn describe_ban(ban: &Ban, now: i64) -> String {
    let state = match ban.until {
        Some(until) if until <= now => format!("ended {}", utc(until)),
        Some(until) => format!("until {}", utc(until)),
        None => "until lifted".to_owned(),
    };
    format!(
        "{} banned {} {state}: {}",
        ban.steam_id,
        utc(ban.banned_at),
        ban.reason
    )
}

async fn describe_user(store: &dyn Store, steam_id: u64, now: i64) -> Result<String, StoreError> {
    let ban = match store.active_ban(steam_id, now).await? {
        Some(ban) => format!("ban: {}", describe_ban(&ban, now)),
        None => "ban: none".to_owned(),
    };
    let Some(user) = store.user(steam_id).await? else {
        return Ok(format!("{steam_id} has never logged in\n{ban}"));
    };
    let mut lines = vec![format!(
        "user {} (SteamID {}), first login {}, last login {}{}",
        user.id,
        user.steam_id,
        utc(user.created_at),
        utc(user.last_login_at),
        if user.owner_steam_id != user.steam_id {
            format!(", plays a copy lent by {}", user.owner_steam_id)
        } else {
            String::new()
        }
    )];
    lines.push(ban);
    let sessions = store.user_sessions(steam_id).await?;
    lines.push(format!("sessions ({}), newest first:", sessions.len()));
    for s in sessions {
        let state = if s.revoked {
            "revoked"
        } else if s.expire <= now {
            "expired"
        } else {
            "live"
        };
        lines.push(format!(
            "  {}  until {}  {state}",
            utc(s.generated),
            utc(s.expire)
        ));
    }
    Ok(lines.join("\n"))
}
