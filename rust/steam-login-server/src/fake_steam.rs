//! A programmable fake of Steam's `ISteamUserAuth/AuthenticateUserTicket/v1`, on loopback: for the
//! integration tests, the benchmark (`examples/fake_steam.rs`) and local development without a key.
//! It answers OK for the SteamID inside the ticket unless told otherwise, and counts calls.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;

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

#[derive(Default)]
pub struct FakeState {
    pub calls: AtomicUsize,
    /// Answers for the next calls, in order; when empty, `fallback`.
    script: Mutex<VecDeque<Answer>>,
    fallback: Mutex<Option<Answer>>,
    pub last_key: Mutex<Option<String>>,
    pub last_query: Mutex<Vec<(String, String)>>,
    /// Extra latency for every answer.
    pub latency_ms: AtomicUsize,
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
        let state = Arc::new(FakeState::default());
        *state.fallback.lock().unwrap() = Some(fallback);
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
        tokio::time::sleep(Duration::from_millis(latency)).await;
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
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ok(steam_id, false, false)
        }
        Answer::Malformed => (StatusCode::OK, "{\"response\": {\"params\": ").into_response(),
    }
}
