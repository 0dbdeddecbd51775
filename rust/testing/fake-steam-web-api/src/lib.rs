//! A programmable fake of Steam's `ISteamUserAuth/AuthenticateUserTicket/v1` (and of
//! `ISteamUser/CheckAppOwnership/v2` and `ISteamUser/GetFriendList/v1`), on loopback: for the
//! login server's integration tests, the benchmark (the `fake-steam-web-api` binary) and local
//! development without a key. Test support only: nothing here is shipped in the server.
//! It answers OK for the SteamID inside the ticket unless told otherwise, and counts calls.
//!
//! HTTP is served by a small loop of its own rather than a framework: in the benchmark the fake shares
//! two cores with the server it stands in for, and every microsecond it spends is one the server
//! cannot. It understands what Steam's clients send: keep-alive GET requests, answered in order.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use http::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// The paths the fake serves.
const PATH: &str = "/ISteamUserAuth/AuthenticateUserTicket/v1/";
const OWNERSHIP_PATH: &str = "/ISteamUser/CheckAppOwnership/v2/";
const FRIENDS_PATH: &str = "/ISteamUser/GetFriendList/v1/";
/// Longest request head, and body, read; Steam tickets make URLs of a few KiB.
const MAX_HEAD: usize = 64 * 1024;

/// What `GetFriendList` answers for one SteamID.
#[derive(Debug, Clone)]
pub enum Friends {
    List(Vec<u64>),
    /// A private profile: HTTP 401, as Steam answers.
    Private,
    /// HTTP 500.
    Failing,
    /// The list, after this long.
    Slow {
        ms: u64,
        friends: Vec<u64>,
    },
}

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
    /// Every call of either endpoint: what a Web API key's quota counts.
    pub calls: AtomicUsize,
    /// `CheckAppOwnership` calls alone.
    pub ownership_calls: AtomicUsize,
    /// SteamIDs `CheckAppOwnership` says do not own the app; everyone else does.
    pub not_owners: Mutex<std::collections::HashSet<u64>>,
    /// `GetFriendList` calls alone.
    pub friends_calls: AtomicUsize,
    /// What `GetFriendList` answers per SteamID; a SteamID not here has no friends.
    friends: Mutex<std::collections::HashMap<u64, Friends>>,
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
            ownership_calls: AtomicUsize::new(0),
            not_owners: Mutex::default(),
            friends_calls: AtomicUsize::new(0),
            friends: Mutex::default(),
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
    pub fn serve(listener: TcpListener, fallback: Answer) -> Self {
        let state = Arc::new(FakeState::new(fallback));
        let addr = listener.local_addr().expect("listener has an address");
        tokio::spawn({
            let state = state.clone();
            async move {
                loop {
                    match listener.accept().await {
                        Ok((stream, _)) => {
                            let _ = stream.set_nodelay(true);
                            tokio::spawn(serve_connection(stream, state.clone()));
                        }
                        // Out of file descriptors, say: give the open connections time to finish.
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }
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

    pub fn ownership_calls(&self) -> usize {
        self.state.ownership_calls.load(Ordering::SeqCst)
    }

    /// Makes `CheckAppOwnership` answer that `steam_id` does not own the app.
    pub fn disown(&self, steam_id: u64) {
        self.state.not_owners.lock().unwrap().insert(steam_id);
    }

    /// Sets what `GetFriendList` answers for `steam_id`.
    pub fn set_friends(&self, steam_id: u64, friends: Friends) {
        self.state.friends.lock().unwrap().insert(steam_id, friends);
    }

    /// The query string of the last `AuthenticateUserTicket` call.
    pub fn last_query(&self) -> Vec<(String, String)> {
        self.state.last_query.lock().unwrap().clone()
    }

    pub fn friends_calls(&self) -> usize {
        self.state.friends_calls.load(Ordering::SeqCst)
    }
}

/// What the fake needs from a request head.
struct Request {
    /// Path and query, as sent.
    target: String,
    key: Option<String>,
    body_len: usize,
    close: bool,
}

impl Request {
    /// `Ok(None)` while the head is incomplete.
    fn parse(buf: &[u8]) -> Result<Option<(usize, Request)>, httparse::Error> {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        let head_len = match req.parse(buf)? {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial => return Ok(None),
        };
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .and_then(|h| std::str::from_utf8(h.value).ok())
        };
        let request = Request {
            target: req.path.unwrap_or("/").to_owned(),
            key: header("x-webapi-key").map(str::to_owned),
            body_len: header("content-length")
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0),
            close: req.version == Some(0)
                || header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")),
        };
        Ok(Some((head_len, request)))
    }
}

/// One keep-alive connection, answered request by request until the client closes it.
async fn serve_connection(mut stream: TcpStream, state: Arc<FakeState>) {
    let mut buf = Vec::with_capacity(8 * 1024);
    loop {
        let (head_len, request) = loop {
            match Request::parse(&buf) {
                Ok(Some((head_len, request))) if request.body_len <= MAX_HEAD => {
                    break (head_len, request)
                }
                Ok(None) if buf.len() < MAX_HEAD => {}
                Ok(_) | Err(_) => {
                    let reply = Reply::text(StatusCode::BAD_REQUEST, "bad request");
                    let _ = stream.write_all(&reply.into_bytes(true)).await;
                    return;
                }
            }
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        };
        // A body (GET has none) is read and ignored.
        while buf.len() < head_len + request.body_len {
            match stream.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        buf.drain(..head_len + request.body_len);
        let close = request.close;
        let reply = answer(&state, request).await;
        if stream.write_all(&reply.into_bytes(close)).await.is_err() || close {
            return;
        }
    }
}

/// An answer on the wire.
struct Reply {
    status: StatusCode,
    content_type: &'static str,
    retry_after: Option<u64>,
    body: String,
}

impl Reply {
    fn json(body: String) -> Self {
        Reply {
            status: StatusCode::OK,
            content_type: "application/json",
            retry_after: None,
            body,
        }
    }

    fn text(status: StatusCode, body: &str) -> Self {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            retry_after: None,
            body: body.to_owned(),
        }
    }

    fn into_bytes(self, close: bool) -> Vec<u8> {
        let mut head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-length: {}\r\n",
            self.status.as_u16(),
            self.status.canonical_reason().unwrap_or(""),
            self.content_type,
            self.body.len()
        );
        if let Some(seconds) = self.retry_after {
            head.push_str(&format!("retry-after: {seconds}\r\n"));
        }
        if close {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(self.body.as_bytes());
        bytes
    }
}

/// `CheckAppOwnership/v2`: owns the app unless [`FakeSteam::disown`] said otherwise.
fn ownership(state: &FakeState, key: Option<String>, query: &[(String, String)]) -> Reply {
    state.calls.fetch_add(1, Ordering::SeqCst);
    state.ownership_calls.fetch_add(1, Ordering::SeqCst);
    *state.last_key.lock().unwrap() = key;
    let steam_id: u64 = query
        .iter()
        .find(|(k, _)| k == "steamid")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let owns = !state.not_owners.lock().unwrap().contains(&steam_id);
    let owner = if owns { steam_id } else { 0 };
    Reply::json(format!(
        "{{\"appownership\":{{\"ownsapp\":{owns},\"permanent\":false,\"timestamp\":\"2024-01-01T00:00:00Z\",\"ownersteamid\":\"{owner}\",\"sitelicense\":false,\"result\":\"OK\"}}}}"
    ))
}

/// `GetFriendList/v1`: what [`FakeSteam::set_friends`] set for the `steamid`.
async fn friend_list(state: &FakeState, key: Option<String>, query: &[(String, String)]) -> Reply {
    state.calls.fetch_add(1, Ordering::SeqCst);
    state.friends_calls.fetch_add(1, Ordering::SeqCst);
    *state.last_key.lock().unwrap() = key;
    let steam_id: u64 = query
        .iter()
        .find(|(k, _)| k == "steamid")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let set = state.friends.lock().unwrap().get(&steam_id).cloned();
    let list = |friends: &[u64]| {
        let entries: Vec<_> = friends
            .iter()
            .map(|f| json!({"steamid": f.to_string(), "relationship": "friend", "friend_since": 1_600_000_000}))
            .collect();
        Reply::json(json!({"friendslist": {"friends": entries}}).to_string())
    };
    match set.unwrap_or(Friends::List(Vec::new())) {
        Friends::List(friends) => list(&friends),
        Friends::Private => Reply {
            content_type: "text/html",
            ..Reply::text(
                StatusCode::UNAUTHORIZED,
                "<html><head><title>401 Unauthorized</title></head></html>",
            )
        },
        Friends::Failing => Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "oops"),
        Friends::Slow { ms, friends } => {
            state.delays.wait(Duration::from_millis(ms)).await;
            list(&friends)
        }
    }
}

async fn answer(state: &FakeState, request: Request) -> Reply {
    let (path, query) = request
        .target
        .split_once('?')
        .unwrap_or((request.target.as_str(), ""));
    let query: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    if path == OWNERSHIP_PATH {
        return ownership(state, request.key, &query);
    }
    if path == FRIENDS_PATH {
        return friend_list(state, request.key, &query).await;
    }
    if path != PATH {
        return Reply::text(StatusCode::NOT_FOUND, "not found");
    }
    state.calls.fetch_add(1, Ordering::SeqCst);
    *state.last_key.lock().unwrap() = request.key;
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
    *state.last_query.lock().unwrap() = query;
    // Numbers and booleans only: nothing to escape.
    let ok = |owner: u64, vac: bool, publisher: bool| {
        Reply::json(format!(
            "{{\"response\":{{\"params\":{{\"result\":\"OK\",\"steamid\":\"{steam_id}\",\
             \"ownersteamid\":\"{owner}\",\"vacbanned\":{vac},\"publisherbanned\":{publisher}}}}}}}"
        ))
    };
    match answer {
        Answer::Ok => ok(steam_id, false, false),
        Answer::OkFamily { owner } => ok(owner, false, false),
        Answer::OkVacBanned => ok(steam_id, true, false),
        Answer::OkPublisherBanned => ok(steam_id, false, true),
        Answer::Error { code, desc } => Reply::json(
            json!({"response": {"error": {"errorcode": code, "errordesc": desc}}}).to_string(),
        ),
        Answer::Html403 => Reply {
            content_type: "text/html",
            ..Reply::text(
                StatusCode::FORBIDDEN,
                "<html><body><h1>Forbidden</h1>Access is denied. Retrying will not help. Please verify your <pre>key=</pre> parameter.</body></html>",
            )
        },
        Answer::TooMany { retry_after } => Reply {
            retry_after: Some(retry_after),
            ..Reply::text(StatusCode::TOO_MANY_REQUESTS, "slow down")
        },
        Answer::Status500 => Reply::text(StatusCode::INTERNAL_SERVER_ERROR, "oops"),
        Answer::Slow { ms } => {
            state.delays.wait(Duration::from_millis(ms)).await;
            ok(steam_id, false, false)
        }
        Answer::Malformed => Reply::json("{\"response\": {\"params\": ".to_owned()),
    }
}
