//! The operator's bans as this instance knows them: read from the store at start and again every
//! second, so a login looks a ban up in memory instead of asking the database each time (a read per
//! login cost ~15% of the throughput). A ban written by `steam-login-server admin` therefore takes
//! hold within a second, on every instance sharing the database; the sessions it revokes are revoked
//! at once.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLock;

use crate::store::{Ban, Store, StoreError};

/// How often the bans are read again.
pub const REFRESH: Duration = Duration::from_secs(1);

pub struct BanList {
    bans: RwLock<HashMap<u64, Ban>>,
}

impl BanList {
    pub async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let list = BanList {
            bans: RwLock::new(HashMap::new()),
        };
        list.reload(store).await?;
        Ok(list)
    }

    /// The ban on `steam_id` in force at `now`, if any.
    pub fn active(&self, steam_id: u64, now: i64) -> Option<Ban> {
        self.bans
            .read()
            .get(&steam_id)
            .filter(|ban| ban.until.is_none_or(|until| until > now))
            .cloned()
    }

    async fn reload(&self, store: &dyn Store) -> Result<(), StoreError> {
        let bans = store.bans().await?;
        *self.bans.write() = bans.into_iter().map(|b| (b.steam_id, b)).collect();
        Ok(())
    }

    /// Reads the bans again every [`REFRESH`]; a failed read keeps the ones known and is logged.
    pub fn spawn_refresh(self: &Arc<Self>, store: Arc<dyn Store>) {
        let list = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(REFRESH);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = list.reload(&*store).await {
                    tracing::warn!("cannot read the bans again (the ones known still hold): {e}");
                }
            }
        });
    }
}
