//! One `LoginClient` (one HTTP connection pool) per endpoint and timeout, shared by the calls to it,
//! instead of a client built per login. Cleared when the HTTP runtime stops, since pooled
//! connections belong to it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use godot::classes::FileAccess;
use godot::global::godot_warn;
use steam_login_client::{
    is_cleartext_to_remote, ClientOptions, ErrorKind, LoginClient, LoginError,
};

use crate::settings::{ALLOW_INSECURE_HTTP, LOGIN_CA_FILE};

use super::call::Target;

/// A game uses one or two endpoints; more than this many means they vary, and the cache starts over.
const MAX_CLIENTS: usize = 16;

thread_local! {
    static CLIENTS: RefCell<HashMap<Target, LoginClient>> = RefCell::new(HashMap::new());
}

/// The client for `target`, built on first use.
pub(super) fn client_for(target: &Target) -> Result<LoginClient, LoginError> {
    CLIENTS.with_borrow_mut(|clients| {
        if let Some(client) = clients.get(target) {
            return Ok(client.clone());
        }
        let options = ClientOptions {
            timeout: target.timeout,
            connect_timeout: target.timeout.min(Duration::from_secs(5)),
            extra_roots_pem: match &target.ca_file {
                Some(path) => read_ca_file(path)?,
                None => Vec::new(),
            },
            allow_insecure_http: target.allow_insecure_http,
            ..ClientOptions::default()
        };
        let client = LoginClient::new(&target.endpoint, options).map_err(|mut e| {
            match e.kind {
                ErrorKind::InsecureEndpoint => {
                    e.message = format!("{} (Project Setting {ALLOW_INSECURE_HTTP})", e.message)
                }
                ErrorKind::Config => e.message = format!("{LOGIN_CA_FILE} {:?}: {}", target.ca_file.as_deref().unwrap_or(""), e.message),
                _ => {}
            }
            e
        })?;
        if is_cleartext_to_remote(&target.endpoint) && !crate::settings::allow_insecure_http() {
            godot_warn!(
                "SteamLogin: {} is plain http:// to a host that is not loopback: tickets and session tokens cross the network in clear text. A release export refuses it unless the Project Setting {ALLOW_INSECURE_HTTP} is on; use https://",
                target.endpoint
            );
        }
        if clients.len() >= MAX_CLIENTS {
            clients.clear();
        }
        clients.insert(target.clone(), client.clone());
        Ok(client)
    })
}

pub(super) fn clear() {
    CLIENTS.with_borrow_mut(HashMap::clear);
}

/// The CA file's bytes through Godot's file access, so that `res://` (inside an exported pack),
/// `user://` and absolute paths all work.
fn read_ca_file(path: &str) -> Result<Vec<u8>, LoginError> {
    let bytes = FileAccess::get_file_as_bytes(path);
    if bytes.is_empty() {
        let why = FileAccess::get_open_error();
        return Err(LoginError::new(
            ErrorKind::Config,
            format!("cannot read {LOGIN_CA_FILE} {path:?}: {why:?} (a file of PEM certificates)"),
        ));
    }
    Ok(bytes.to_vec())
}
