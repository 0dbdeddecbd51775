//! What every handler shares: the configuration, the offline key ring, the Steam client, the store,
//! metrics, quota, rate limiter and clock. Building it opens the store and reads keys; it starts no task
//! (`serve` starts the background ones).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use steam_ticket::{Clock, KeyRing, SystemClock, TrustedKey};

use crate::bans::BanList;
use crate::config::{Config, EncryptedTicketKey, Secret};
use crate::encrypted_tickets::EncryptedTickets;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::steam::quota::QuotaGuard;
use crate::steam::web_api::SteamWebApi;
use crate::store::{self, Store, StoreError};

pub struct AppState {
    pub(crate) config: Config,
    pub(crate) keys: KeyRing,
    pub(crate) steam: Option<SteamWebApi>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) quota: Arc<QuotaGuard>,
    pub(crate) limiter: RateLimiter,
    pub(crate) bans: Arc<BanList>,
    /// The apps' encrypted-ticket keys and the nonce key; `None` without `--encrypted-ticket-key`.
    pub(crate) encrypted: Option<EncryptedTickets>,
    /// What every request reads the time from, once.
    pub(crate) clock: Box<dyn Clock + Send + Sync>,
}

/// Why the server does not start: each case says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("no Steam Web API key: set STEAM_WEB_API_KEY (or --web-api-key, or --web-api-key-file), or --encrypted-ticket-key for encrypted app tickets only, or pass --simulation for offline development")]
    NoWebApiKey,
    #[error("cannot read the encrypted-ticket key file {}: {source}", path.display())]
    UnreadableEncryptedTicketKeys {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `reason` names the app and the problem, never the key's digits.
    #[error("{place}: {reason}")]
    BadEncryptedTicketKey { place: String, reason: String },
    #[error("cannot read the Web API key file {}: {source}", path.display())]
    UnreadableWebApiKey {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the Web API key file {} is empty", path.display())]
    EmptyWebApiKey { path: PathBuf },
    #[error("cannot read trusted key {}: {source}", path.display())]
    UnreadableKey {
        path: PathBuf,
        source: std::io::Error,
    },
    /// `reason`: the key parser's words (its error type belongs to steam-ticket's RSA crate).
    #[error("{} is not a PEM public key: {reason}", path.display())]
    NotAPublicKey { path: PathBuf, reason: String },
    #[error("cannot read CA certificates from {}: {source}", path.display())]
    UnreadableCa {
        path: PathBuf,
        source: rustls::pki_types::pem::Error,
    },
    #[error("{} holds no PEM certificate", path.display())]
    NoCertificate { path: PathBuf },
    /// The Steam Web API client could not be built (its base URL, its TLS roots).
    #[error("{0}")]
    SteamClient(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Tls(#[from] crate::http::tls::TlsError),
}

impl AppState {
    /// Validates the configuration and opens the store. Refuses to start without a Web API key unless
    /// `--simulation` was asked for explicitly.
    pub async fn new(mut config: Config) -> Result<Arc<Self>, StartupError> {
        if let Some(path) = &config.web_api_key_file {
            let key = std::fs::read_to_string(path).map_err(|source| {
                StartupError::UnreadableWebApiKey {
                    path: path.clone(),
                    source,
                }
            })?;
            let key = key.trim();
            if key.is_empty() {
                return Err(StartupError::EmptyWebApiKey { path: path.clone() });
            }
            config.web_api_key = Some(Secret::new(key));
        }
        let encrypted = encrypted_tickets(&config)?;
        // Encrypted app tickets need no Web API key: a server may take only those.
        if config.web_api_key.is_none() && !config.simulation && encrypted.is_none() {
            return Err(StartupError::NoWebApiKey);
        }
        let mut keys = KeyRing::default();
        if config.simulation {
            keys = keys.trusting(TrustedKey::simulation());
        }
        for path in &config.trusted_keys {
            let pem =
                std::fs::read_to_string(path).map_err(|source| StartupError::UnreadableKey {
                    path: path.clone(),
                    source,
                })?;
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("extra");
            let key =
                TrustedKey::from_pem(name, &pem).map_err(|e| StartupError::NotAPublicKey {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            keys = keys.trusting(key);
        }
        let extra_roots = match &config.steam_api_ca {
            Some(path) => extra_roots(path)?,
            None => Vec::new(),
        };
        let steam = match &config.web_api_key {
            Some(key) => Some(
                SteamWebApi::new(
                    &config.steam_api_base,
                    key.clone(),
                    &config.app_id,
                    config.identity.clone(),
                    Duration::from_millis(config.upstream_timeout_ms),
                    config.upstream_retries,
                    extra_roots,
                )
                .map_err(StartupError::SteamClient)?,
            ),
            None => None,
        };
        let store = store::open(&config.database).await?;
        store.prepare_to_serve().await?;
        let quota = Arc::new(QuotaGuard::load(Arc::clone(&store), config.daily_quota).await?);
        let metrics = Arc::new(Metrics::new(&config.app_id));
        let limiter = RateLimiter::new(config.rate_limit, config.rate_burst);
        let bans = Arc::new(BanList::load(&*store).await?);
        Ok(Arc::new(AppState {
            limiter,
            bans,
            config,
            keys,
            steam,
            store,
            metrics,
            quota,
            clock: Box::new(SystemClock),
            encrypted,
        }))
    }
}

/// `--encrypted-ticket-key` and the lines of `--encrypted-ticket-key-file`, each for an app of
/// `--app-id`.
fn encrypted_tickets(config: &Config) -> Result<Option<EncryptedTickets>, StartupError> {
    let mut keys = config.encrypted_ticket_keys.clone();
    if let Some(path) = &config.encrypted_ticket_key_file {
        let text = std::fs::read_to_string(path).map_err(|source| {
            StartupError::UnreadableEncryptedTicketKeys {
                path: path.clone(),
                source,
            }
        })?;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let key = line.parse::<EncryptedTicketKey>().map_err(|reason| {
                StartupError::BadEncryptedTicketKey {
                    place: format!("{} line {}", path.display(), number + 1),
                    reason,
                }
            })?;
            keys.push(key);
        }
    }
    if let Some(key) = keys.iter().find(|k| !config.app_id.contains(&k.app_id)) {
        return Err(StartupError::BadEncryptedTicketKey {
            place: "--encrypted-ticket-key".into(),
            reason: format!(
                "app {} is not one of --app-id {:?}",
                key.app_id, config.app_id
            ),
        });
    }
    Ok(EncryptedTickets::new(
        keys,
        config.encrypted_ticket_window_secs,
    ))
}

/// The certificates of `--steam-api-ca`.
fn extra_roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, StartupError> {
    let unreadable = |source| StartupError::UnreadableCa {
        path: path.to_owned(),
        source,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(unreadable)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    if certs.is_empty() {
        return Err(StartupError::NoCertificate {
            path: path.to_owned(),
        });
    }
    Ok(certs)
}
