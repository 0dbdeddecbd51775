//! A fake Steam Web API for benchmarks and local runs: answers OK for the ticket's SteamID.
//! Usage: cargo run --release -p fake-steam-web-api -- <port> [latency_ms]

use std::sync::atomic::Ordering;

use fake_steam_web_api::{Answer, FakeSteam};

/// mimalloc: the fake answers thousands of calls a second beside the server it stands in for.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One thread serves: the fake shares the machine with the server it stands in for.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(18081);
    let latency: usize = args.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let fake = FakeSteam::serve(listener, Answer::Ok);
    fake.state.latency_ms.store(latency, Ordering::SeqCst);
    eprintln!("fake Steam Web API on {} ({latency} ms latency)", fake.base);
    std::future::pending::<()>().await;
}
