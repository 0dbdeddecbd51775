//! A programmable fake of Steam's `ISteamUserAuth/AuthenticateUserTicket/v1`, on loopback: for the
//! integration tests, the benchmark (`examples/fake_steam.rs`) and local development without a key.
//! It answers OK for the SteamID inside the ticket unless told otherwise, and counts calls.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tokio::sync::oneshot;

/// What the fake Steam answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// OK for the SteamID inside the ticket.
    Ok,
    OkFamily {
        owner: u64,
    },
    OkVacBanned,
    OkPublisherBanned,
    Error {
        code: i64,
        desc: &'static str,
    },
    Html403,
    TooMany {
        retry_after: u64,
    },
    Status500,
    Slow {
        ms: u64,
    },
    Malformed,
}

pub struct FakeState {
    pub calls: AtomicUsize,
    /// Answers for the next calls, in order; when empty, `fallback`.
    script: Mutex<VecDeque<Answer>>,
    fallback: Mutex<Option<Answer>>,
    pub last_key: Mutex<Option<String>>,
    pub last_query: Mutex<Vec<(String, String)>>,
    /// Extra latency for every answer.
    pub latency_ms: AtomicUsize,
    delays: DelayLine,
}

impl FakeState {
    fn new(fallback: Answer) -> Self {
        FakeState {
            calls: AtomicUsize::new(0),
            script: Mutex::default(),
            fallback: Mutex::new(Some(fallback)),
            last_key: Mutex::default(),
            last_query: Mutex::default(),
            latency_ms: AtomicUsize::new(0),
            delays: DelayLine::start(),
        }
    }
}

/// Waits with microsecond precision. Tokio's timers tick once a millisecond and release every answer
/// due within the same millisecond together, which adds up to a millisecond to the stated latency and
/// keeps a load generator's connections marching in lock-step waves. Real upstream latency is neither.
struct DelayLine {
    due: mpsc::Sender<Due>,
}

struct Due {
    at: Instant,
    wake: oneshot::Sender<()>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.at.cmp(&other.at)
    }
}

impl DelayLine {
    fn start() -> Self {
        let (due, incoming) = mpsc::channel::<Due>();
        std::thread::Builder::new()
            .name("fake-steam-delays".into())
            .spawn(move || {
                let mut pending = BinaryHeap::new();
                loop {
                    let now = Instant::now();
                    while pending
                        .peek()
                        .is_some_and(|Reverse(d): &Reverse<Due>| d.at <= now)
                    {
                        let Reverse(d) = pending.pop().expect("peeked");
                        let _ = d.wake.send(());
                    }
                    let next = match pending.peek() {
                        Some(Reverse(d)) => incoming.recv_timeout(d.at - now),
                        None => incoming
                            .recv()
                            .map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                    };
                    match next {
                        Ok(d) => pending.push(Reverse(d)),
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
            })
            .expect("start the fake Steam's delay thread");
        DelayLine { due }
    }

    async fn wait(&self, duration: Duration) {
        let (wake, woken) = oneshot::channel();
        let at = Instant::now() + duration;
        if self.due.send(Due { at, wake }).is_ok() {
            let _ = woken.await;
        }
    }
}

pub struct FakeSteam {
    pub base: String,
    pub state: Arc<FakeState>,
}

impl FakeSteam {
    /// Serves on a fresh loopback port.
    pub async fn start(fallback: Answer) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        Self::serve(listener, fallback)
    }

    /// Serves on `listener` in a background task.
    pub fn serve(listener: tokio::net::TcpListener, fallback: Answer) -> Self {
        let state = Arc::new(FakeState::new(fallback));
        let app = Router::new()
            .route("/ISteamUserAuth/AuthenticateUserTicket/v1/", get(answer))
            .with_state(state.clone());
        let addr = listener.local_addr().expect("listener has an address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeSteam {
            base: format!("http://{addr}"),
            state,
        }
    }

    /// Answers for the next calls, in order, before falling back.
    pub fn then(&self, answers: impl IntoIterator<Item = Answer>) {
        self.state.script.lock().unwrap().extend(answers);
    }

    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }
}

async fn answer(
    State(state): State<Arc<FakeState>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    state.calls.fetch_add(1, Ordering::SeqCst);
    *state.last_key.lock().unwrap() = headers
        .get("x-webapi-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    *state.last_query.lock().unwrap() = query.clone();
    let latency = state.latency_ms.load(Ordering::SeqCst) as u64;
    if latency > 0 {
        state.delays.wait(Duration::from_millis(latency)).await;
    }
    let next = state.script.lock().unwrap().pop_front();
    let answer = next.unwrap_or_else(|| state.fallback.lock().unwrap().clone().unwrap());
    let steam_id = query
        .iter()
        .find(|(k, _)| k == "ticket")
        .and_then(|(_, t)| steam_ticket::decode_hex(t).ok())
        .map(|d| d.ticket.steam_id)
        .unwrap_or(0);
    let ok = |owner: u64, vac: bool, publisher: bool| {
        axum::Json(json!({"response": {"params": {
            "result": "OK", "steamid": steam_id.to_string(), "ownersteamid": owner.to_string(),
            "vacbanned": vac, "publisherbanned": publisher}}}))
        .into_response()
    };
    match answer {
        Answer::Ok => ok(steam_id, false, false),
        Answer::OkFamily { owner } => ok(owner, false, false),
        Answer::OkVacBanned => ok(steam_id, true, false),
        Answer::OkPublisherBanned => ok(steam_id, false, true),
        Answer::Error { code, desc } => {
            axum::Json(json!({"response": {"error": {"errorcode": code, "errordesc": desc}}})).into_response()
        }
        Answer::Html403 => (
            StatusCode::FORBIDDEN,
            [("content-type", "text/html")],
            "<html><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>",
        )
            .into_response(),
        Answer::TooMany { retry_after } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after.to_string())],
            "slow down",
        )
            .into_response(),
        Answer::Status500 => (StatusCode::INTERNAL_SERVER_ERROR, "oops").into_response(),
        Answer::Slow { ms } => {
            state.delays.wait(Duration::from_millis(ms)).await;
            ok(steam_id, false, false)
        }
        Answer::Malformed => (StatusCode::OK, "{\"response\": {\"params\": ").into_response(),
    }
}
