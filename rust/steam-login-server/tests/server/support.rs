//! Test support: a programmable fake of Steam's Web API, the server run in-process, tickets, logs.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use std::time::Instant;

use axum::http::HeaderMap;
use serde_json::{json, Value};
use steam_login_server::{serve, Config};
use steam_ticket::{mint, Ticket};
use tokio::sync::oneshot;

pub const KEY: &str = "TESTKEY-0123456789ABCDEF-never-log-me";
pub const APP: u32 = 555440;

#[allow(unused_imports)] // Not every test file scripts answers.
pub use fake_steam_web_api::{Answer, FakeSteam};

/// A running login server.
pub struct Server {
    pub base: String,
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    pub async fn start(config: Config) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let base = match config.tls_cert {
            Some(_) => format!("https://localhost:{}", addr.port()),
            None => format!("http://{addr}"),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, config, async {
                let _ = rx.await;
            })
            .await
            .expect("server runs");
        });
        // Wait until it answers.
        let client = test_ca_client(addr.port());
        for _ in 0..200 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Server {
            base,
            port: addr.port(),
            stop: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap();
        }
    }

    /// The `/metrics` text.
    pub async fn metrics(&self) -> String {
        test_ca_client(self.port)
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    pub fn login_url(&self) -> String {
        format!("{}/api/v1/auth/provider/steam/login", self.base)
    }
}

/// Configuration against `fake`, trusting the simulation key for the offline check (so minted tickets
/// pass it) while still asking the fake Steam, with a fresh SQLite file.
pub fn config_for(fake: &FakeSteam, db: &str) -> Config {
    let mut c = Config::with_database(db);
    c.web_api_key = Some(steam_login_server::config::Secret::new(KEY));
    c.steam_api_base = fake.base.clone();
    c.trusted_keys = vec![simulation_public_key()];
    c.rate_limit = 0.0;
    c.upstream_timeout_ms = 2_000;
    c
}

pub fn simulation_public_key() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../steam-ticket/keys/simulation-public-key.pem")
}

pub fn temp_db(name: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join("steam-login-server-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!(
        "{name}-{}-{}.db",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path.display().to_string()
}

pub fn now() -> u32 {
    steam_ticket::fixtures::now()
}

/// A fresh session ticket for `steam_id`, signed with the simulation key.
pub fn ticket_for(steam_id: u64) -> String {
    ticket_with(steam_id, |_| {})
}

pub fn ticket_with(steam_id: u64, tweak: impl FnOnce(&mut Ticket)) -> String {
    let now = now();
    let mut t = steam_ticket::fixtures::web_api_ticket(steam_id, APP, now);
    t.gc_token = rand_u64();
    tweak(&mut t);
    steam_ticket::hex::encode(&mint(&t))
}

fn rand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(now() as u64);
    h.finish()
}

pub async fn post_token(
    client: &reqwest::Client,
    server: &Server,
    token: &str,
) -> (u16, Value, HeaderMap) {
    let response = client
        .post(server.login_url())
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body, headers)
}

/// Every log line any test's server writes (a process-wide subscriber).
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.get_or_init(Default::default).lock().unwrap()).into_owned()
}

static LOGS: OnceLock<Mutex<Vec<u8>>> = OnceLock::new();

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.get_or_init(Default::default)
            .lock()
            .unwrap()
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber (at trace level, so every log statement is exercised).
pub fn capture_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        tracing_subscriber::fmt()
            .with_writer(|| LogWriter)
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .init();
    });
}

/// The release of a port the OS picked (the server binds it right after).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A test TLS file (tests/tls): the CAs `ca.pem` and `renewed-ca.pem`, the `localhost` pairs
/// `localhost.pem`/`.key` and `renewed.pem`/`.key`.
pub fn tls_file(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

/// A client that trusts both test CAs and finds `localhost` at 127.0.0.1:`port`.
pub fn test_ca_client(port: u16) -> reqwest::Client {
    let mut builder =
        reqwest::Client::builder().resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)));
    for ca in ["ca.pem", "renewed-ca.pem"] {
        let pem = std::fs::read(tls_file(ca)).unwrap();
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
    }
    builder.build().unwrap()
}

/// The server binary as an operator runs it, optionally under an open-file limit; over HTTPS (at
/// `https://localhost:port`) when `args` hold `--tls-cert`.
pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    pub addr: String,
    log: std::path::PathBuf,
}

impl ServerProcess {
    pub async fn spawn(args: &[&str], nofile: Option<u64>) -> Self {
        let port = free_port();
        let addr = format!("127.0.0.1:{port}");
        let log = std::env::temp_dir().join(format!(
            "steam-login-server-{}-{port}.log",
            std::process::id()
        ));
        let mut command = Command::new(env!("CARGO_BIN_EXE_steam-login-server"));
        command
            .args(["--listen", &addr])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::OpenOptions::new().append(true).open(&log).unwrap());
        if let Some(limit) = nofile {
            use std::os::unix::process::CommandExt;
            // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
            unsafe {
                command.pre_exec(move || rlimit::setrlimit(rlimit::Resource::NOFILE, limit, limit));
            }
        }
        let child = command.spawn().expect("start the server binary");
        let tls = args.contains(&"--tls-cert");
        let base = if tls {
            format!("https://localhost:{port}")
        } else {
            format!("http://{addr}")
        };
        let mut server = ServerProcess {
            child,
            base,
            addr,
            log,
        };
        let client = test_ca_client(port);
        for _ in 0..300 {
            if client
                .get(format!("{}/healthz", server.base))
                .send()
                .await
                .is_ok()
            {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited with {status}: {}", server.log());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the server did not answer within 6 s: {}", server.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits at most `limit` for the process to exit; its exit status, or `None` if still running.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A fresh database on the server TEST_DATABASE_URL names; its URL.
pub async fn fresh_database() -> String {
    let url = std::env::var("TEST_DATABASE_URL").expect(
        "TEST_DATABASE_URL must name a PostgreSQL database (scripts/lib/with-postgres.sh sets it)",
    );
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let name = format!("multi_{}", uuid::Uuid::new_v4().simple());
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Sends every request at once and gives their statuses, in order.
pub async fn statuses_at_once(
    requests: impl IntoIterator<Item = reqwest::RequestBuilder>,
) -> Vec<u16> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(async move { request.send().await.unwrap().status().as_u16() }))
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}
