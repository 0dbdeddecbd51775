//! Store-only load: 64 concurrent tasks record `N` logins (2,000 SteamIDs, fresh tokens) into a store,
//! then the wall time and this process's CPU time per login are printed. Isolates the database from
//! HTTP when tuning it: `cargo run --release --example store_load -- [N] [database]`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use steam_login_server::store::{self, NewLogin, TicketKey, TokenHash, UsedTicket};

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let dir = std::env::temp_dir().join(format!("store-load-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let database = args
        .next()
        .unwrap_or_else(|| dir.join("load.db").display().to_string());
    let store = store::open(&database).await.expect("open the store");
    let next = Arc::new(AtomicU64::new(0));
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (store, next) = (Arc::clone(&store), Arc::clone(&next));
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < total {
                    let n = next.load(Ordering::Relaxed);
                    let steam_id = 76561198000000000 + n % 2_000;
                    let token = uuid::Uuid::new_v4().to_string();
                    store
                        .record_login(NewLogin {
                            steam_id,
                            owner_steam_id: steam_id,
                            candidate_user_id: uuid::Uuid::new_v4().to_string(),
                            token_hash: TokenHash::of(&token),
                            generated: 1_700_000_000,
                            expire: 1_700_086_400,
                            // Each login spends a ticket of its own, as real logins do.
                            ticket: UsedTicket {
                                key: TicketKey::of(steam_id, uuid::Uuid::new_v4().as_u64_pair().0),
                                expire: 1_701_814_400,
                            },
                        })
                        .await
                        .expect("record a login");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("load task");
    }
    let (cpu, wall) = (cpu_seconds() - cpu0, wall0.elapsed().as_secs_f64());
    println!(
        "{} logins: {:.0}/s, {:.1} µs CPU per login",
        total,
        total as f64 / wall,
        cpu * 1e6 / total as f64
    );
    let _ = std::fs::remove_dir_all(&dir);
}
