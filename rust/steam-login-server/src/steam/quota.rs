//! The daily Web API budget: counted in memory on the hot path, persisted (and merged with other
//! instances' counts) by a background flush.
//!
//! With a store several instances share (PostgreSQL), every call is instead taken from the database's
//! count itself, one atomic statement per call: N instances then never exceed the budget together.
//!
//! On a store of its own (SQLite), what a crash can lose is what was counted and not yet flushed: the flush runs every
//! [`FLUSH_EVERY`] and as soon as [`FLUSH_AT`] calls are pending, so at most `FLUSH_AT` calls plus
//! those made during one store write (a few milliseconds). At a key's real rate (100,000 calls a day,
//! about 1.2 a second on average, a few dozen at a peak) that is under a second's worth; at a
//! benchmark's 8,000 a second it is about 64 calls, where a flush once a second lost thousands.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use steam_ticket::{Clock, SystemClock};

use tokio::sync::Notify;

use crate::steam::web_api::{BudgetRefusal, CallBudget};
use crate::store::{Store, StoreError};
/// The UTC date a day's count is stored under.
pub use crate::time_text::day_label;

/// The flush's period when few calls are made.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// Pending calls that trigger a flush at once.
pub const FLUSH_AT: u64 = 64;

pub struct QuotaGuard {
    budget: u64,
    store: Arc<dyn Store>,
    /// Calls are taken from the store's count, not counted here.
    shared: bool,
    /// Days since the Unix epoch (UTC) the counts below belong to.
    day: AtomicU64,
    /// Calls known for the day: the persisted total plus what this instance has not flushed yet.
    used: AtomicU64,
    pending: AtomicU64,
    /// Wakes the flusher when `FLUSH_AT` calls are pending.
    due: Notify,
}

impl QuotaGuard {
    /// Loads today's count from the store.
    pub async fn load(store: Arc<dyn Store>, budget: u64) -> Result<Self, StoreError> {
        let day = SystemClock.unix_now() / 86_400;
        let used = store.add_quota(&day_label(day), 0).await?;
        Ok(QuotaGuard {
            budget,
            shared: store.shared(),
            store,
            day: AtomicU64::new(day),
            used: AtomicU64::new(used),
            pending: AtomicU64::new(0),
            due: Notify::new(),
        })
    }

    pub fn budget(&self) -> u64 {
        self.budget
    }

    pub fn used(&self) -> u64 {
        self.used.load(Relaxed)
    }

    /// Takes one call from today's budget, in the shared store when there is one.
    pub async fn acquire(&self) -> Result<(), BudgetRefusal> {
        if !self.shared {
            return if self.try_acquire() {
                Ok(())
            } else {
                Err(BudgetRefusal::Spent)
            };
        }
        let today = SystemClock.unix_now() / 86_400;
        self.roll_over(today);
        match self.store.take_quota(&day_label(today), self.budget).await {
            Ok(Some(total)) => {
                self.used.fetch_max(total, Relaxed);
                Ok(())
            }
            Ok(None) => {
                self.used.fetch_max(self.budget, Relaxed);
                Err(BudgetRefusal::Spent)
            }
            Err(e) => {
                tracing::error!("cannot take a call from the shared quota: {e}");
                Err(BudgetRefusal::Unavailable(e.to_string()))
            }
        }
    }

    /// Takes one call from today's budget counted in memory; false when it is spent.
    pub fn try_acquire(&self) -> bool {
        self.roll_over(SystemClock.unix_now() / 86_400);
        let taken = self
            .used
            .fetch_update(Relaxed, Relaxed, |used| {
                (used < self.budget).then_some(used + 1)
            })
            .is_ok();
        if taken && self.pending.fetch_add(1, Relaxed) + 1 >= FLUSH_AT {
            self.due.notify_one();
        }
        taken
    }

    /// Seconds until the budget refills (next UTC midnight).
    pub fn seconds_until_reset(&self) -> u64 {
        86_400 - SystemClock.unix_now() % 86_400
    }

    fn roll_over(&self, today: u64) {
        let day = self.day.load(Relaxed);
        if today != day
            && self
                .day
                .compare_exchange(day, today, Relaxed, Relaxed)
                .is_ok()
        {
            self.used.store(0, Relaxed);
            self.pending.store(0, Relaxed);
        }
    }

    /// Persists what was counted since the last flush and adopts the store's total (which includes
    /// other instances' calls).
    pub async fn flush(&self) -> Result<(), StoreError> {
        self.roll_over(SystemClock.unix_now() / 86_400);
        let day = self.day.load(Relaxed);
        let delta = self.pending.swap(0, Relaxed);
        match self.store.add_quota(&day_label(day), delta).await {
            Ok(total) => {
                if self.day.load(Relaxed) == day {
                    self.used.store(total + self.pending.load(Relaxed), Relaxed);
                }
                Ok(())
            }
            Err(e) => {
                self.pending.fetch_add(delta, Relaxed);
                Err(e)
            }
        }
    }

    /// Flushes every [`FLUSH_EVERY`], and at once when [`FLUSH_AT`] calls are pending, until the
    /// process ends. With a shared store there is nothing to flush: the count adopted is the
    /// store's, which includes the other instances' calls.
    pub fn spawn_flusher(self: &Arc<Self>) {
        let guard = Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = guard.due.notified() => {}
                }
                if let Err(e) = guard.flush().await {
                    tracing::warn!("cannot persist the quota count: {e}");
                }
            }
        });
    }
}

#[async_trait::async_trait]
impl CallBudget for QuotaGuard {
    async fn take(&self) -> Result<(), BudgetRefusal> {
        self.acquire().await
    }
}
