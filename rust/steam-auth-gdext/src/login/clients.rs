//! One `LoginClient` (one HTTP connection pool) per endpoint and timeout, shared by the calls to it,
//! instead of a client built per login. Cleared when the HTTP runtime stops, since pooled
//! connections belong to it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

use steam_login_client::{ClientOptions, LoginClient, LoginError};

use super::calls::Target;

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
            ..ClientOptions::default()
        };
        let client = LoginClient::new(&target.endpoint, options)?;
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
