//! The store going away and coming back: `/readyz` says so while `/healthz` stays live, logins answer
//! 503 `store_unavailable` at once instead of hanging, recover with no restart, and nothing
//! acknowledged is lost. And a backup of a live SQLite file taken under load holds every session
//! acknowledged before it began.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use steam_login_protocol::{LOGIN_PATH, SESSION_PATH};

use crate::support::*;

/// What a load of logins saw.
#[derive(Default)]
struct Seen {
    /// Tokens of acknowledged logins, with when the answer arrived.
    sessions: Vec<(String, Instant)>,
    statuses: std::collections::BTreeMap<String, usize>,
    /// The slowest answer that was not a success.
    slowest_failure: Duration,
}

/// Logs in from `workers` tasks against `bases` in turn until `stop` is set.
fn start_load(
    bases: Vec<String>,
    client: reqwest::Client,
    workers: u64,
    stop: Arc<AtomicBool>,
) -> (Arc<Mutex<Seen>>, Vec<tokio::task::JoinHandle<()>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let tasks = (0..workers)
        .map(|worker| {
            let (bases, client, stop, seen) = (
                bases.clone(),
                client.clone(),
                Arc::clone(&stop),
                Arc::clone(&seen),
            );
            tokio::spawn(async move {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let base = &bases[(n as usize + worker as usize) % bases.len()];
                    let ticket = ticket_for(76561198010000000 + worker * 1_000_000 + n);
                    let sent = Instant::now();
                    let answer = client
                        .post(format!("{base}{LOGIN_PATH}"))
                        .json(&serde_json::json!({ "token": ticket }))
                        .timeout(Duration::from_secs(20))
                        .send()
                        .await;
                    let took = sent.elapsed();
                    let (label, token) = match answer {
                        Ok(r) if r.status() == 200 => {
                            let body: serde_json::Value = r.json().await.unwrap();
                            ("200".to_owned(), body["token"].as_str().map(str::to_owned))
                        }
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let body: serde_json::Value = r.json().await.unwrap_or_default();
                            (
                                format!(
                                    "{status} {}",
                                    body["error"]["code"].as_str().unwrap_or("")
                                ),
                                None,
                            )
                        }
                        Err(e) => (format!("error {e}"), None),
                    };
                    let failed = token.is_none();
                    {
                        let mut seen = seen.lock();
                        *seen.statuses.entry(label).or_default() += 1;
                        match token {
                            Some(token) => seen.sessions.push((token, Instant::now())),
                            None => seen.slowest_failure = seen.slowest_failure.max(took),
                        }
                    }
                    if failed {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            })
        })
        .collect();
    (seen, tasks)
}

/// Waits until every base's `path` answers `status`; how long that took.
async fn until_status(
    client: &reqwest::Client,
    bases: &[String],
    path: &str,
    status: u16,
) -> Duration {
    let started = Instant::now();
    'wait: while started.elapsed() < Duration::from_secs(30) {
        for base in bases {
            let answer = client.get(format!("{base}{path}")).send().await;
            if answer.map(|r| r.status().as_u16()).ok() != Some(status) {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue 'wait;
            }
        }
        return started.elapsed();
    }
    panic!("{path} did not answer {status} on every instance within 30 s");
}

/// Every token still names a live session on one of `bases`.
async fn all_valid(client: &reqwest::Client, bases: &[String], tokens: &[String]) {
    for (i, token) in tokens.iter().enumerate() {
        let base = &bases[i % bases.len()];
        let answer = client
            .get(format!("{base}{SESSION_PATH}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            answer.status(),
            200,
            "acknowledged session {i} of {} lost",
            tokens.len()
        );
    }
}

/// scripts/lib/with-postgres.sh's control of the test server: `stop`, `crash` or `start`.
fn postgres(action: &str) {
    let control = std::env::var("TEST_POSTGRES_CONTROL")
        .expect("TEST_POSTGRES_CONTROL names scripts/lib/with-postgres.sh's control script");
    let status = std::process::Command::new(control)
        .arg(action)
        .status()
        .unwrap();
    assert!(status.success(), "postgres {action}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL: scripts/test.sh starts one and runs this with TEST_DATABASE_URL"]
async fn postgres_stopped_and_crashed_under_load() {
    let database = fresh_database().await;
    let args = ["--simulation", "--rate-limit", "0", "--database", &database];
    let a = ServerProcess::spawn(&args, None).await;
    let b = ServerProcess::spawn(&args, None).await;
    let bases = vec![a.base.clone(), b.base.clone()];
    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, load) = start_load(bases.clone(), client.clone(), 8, Arc::clone(&stop));

    for (how, action) in [("stopped", "stop"), ("crashed", "crash")] {
        tokio::time::sleep(Duration::from_millis(500)).await;
        postgres(action);
        let not_ready = until_status(&client, &bases, "/readyz", 503).await;
        for base in &bases {
            let live = client.get(format!("{base}/healthz")).send().await.unwrap();
            assert_eq!(live.status(), 200, "liveness holds while the store is away");
        }
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        let refused = client
            .post(format!("{}{LOGIN_PATH}", bases[0]))
            .json(&serde_json::json!({ "token": ticket_for(76561198019999990) }))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 503);
        assert_eq!(refused.headers()["retry-after"], "1");
        let body: serde_json::Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], "store_unavailable", "{body}");
        postgres("start");
        let ready_again = until_status(&client, &bases, "/readyz", 200).await;
        println!("PostgreSQL {how}: /readyz 503 after {not_ready:?}, 200 again {ready_again:?} after the start");
        let login_again = Instant::now();
        loop {
            let answer = client
                .post(format!("{}{LOGIN_PATH}", bases[1]))
                .json(&serde_json::json!({ "token": ticket_for(76561198019999991) }))
                .send()
                .await
                .unwrap();
            if answer.status() == 200 {
                break;
            }
            assert!(
                login_again.elapsed() < Duration::from_secs(10),
                "no login 10 s after the restart"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    let seen = std::mem::take(&mut *seen.lock());
    println!(
        "logins under load: {:?}; slowest refusal {:?}",
        seen.statuses, seen.slowest_failure
    );
    let unexpected: Vec<_> = seen
        .statuses
        .keys()
        .filter(|label| !matches!(label.as_str(), "200" | "503 store_unavailable"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "answers other than 200 and 503 store_unavailable: {:?}",
        seen.statuses
    );
    assert!(
        seen.statuses
            .get("503 store_unavailable")
            .copied()
            .unwrap_or(0)
            > 0
    );
    assert!(
        seen.slowest_failure < Duration::from_secs(5),
        "a refusal took {:?}: logins must not hang while the store is away",
        seen.slowest_failure
    );
    let tokens: Vec<String> = seen.sessions.into_iter().map(|(token, _)| token).collect();
    assert!(tokens.len() >= 20, "too little load: {}", tokens.len());
    all_valid(&client, &bases, &tokens).await;
    println!(
        "{} acknowledged sessions all valid after two outages",
        tokens.len()
    );
}

#[tokio::test]
async fn readyz_answers_for_a_sqlite_store() {
    let mut config = steam_login_server::Config::with_database(temp_db("readyz"));
    config.simulation = true;
    let server = Server::start(config).await;
    let ready = reqwest::get(format!("{}/readyz", server.base))
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"status": "ready", "database": "sqlite"})
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_holds_every_session_acknowledged_before_it() {
    let db = temp_db("backup-live");
    let mut config = steam_login_server::Config::with_database(&db);
    config.simulation = true;
    config.rate_limit = 0.0;
    let server = Server::start(config).await;
    let client = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let (seen, load) = start_load(
        vec![server.base.clone()],
        client.clone(),
        6,
        Arc::clone(&stop),
    );
    tokio::time::sleep(Duration::from_millis(1_500)).await;

    let copy = format!("{db}.backup");
    let began = Instant::now();
    let backup = tokio::task::spawn_blocking({
        let (db, copy) = (db.clone(), copy.clone());
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_steam-login-server"))
                .args(["admin", "--database", &db, "backup", &copy])
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    let report = String::from_utf8_lossy(&backup.stdout).into_owned();
    assert!(
        backup.status.success(),
        "{report} {}",
        String::from_utf8_lossy(&backup.stderr)
    );
    assert!(report.contains("backed up"), "{report}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for task in load {
        task.await.unwrap();
    }
    server.stop().await;

    let seen = std::mem::take(&mut *seen.lock());
    assert_eq!(
        seen.statuses.keys().collect::<Vec<_>>(),
        ["200"],
        "{:?}",
        seen.statuses
    );
    let before: Vec<String> = seen
        .sessions
        .iter()
        .filter(|(_, at)| *at < began)
        .map(|(token, _)| token.clone())
        .collect();
    let during_or_after = seen.sessions.len() - before.len();
    assert!(
        before.len() >= 20 && during_or_after > 0,
        "{} before, {during_or_after} after",
        before.len()
    );
    println!(
        "backup: {report}; {} sessions before it began, {during_or_after} during or after",
        before.len()
    );

    let mut restored = steam_login_server::Config::with_database(&copy);
    restored.simulation = true;
    let restored = Server::start(restored).await;
    all_valid(&client, std::slice::from_ref(&restored.base), &before).await;
    restored.stop().await;
}
