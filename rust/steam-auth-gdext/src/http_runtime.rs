//! The extension's tokio runtime for HTTP, and the way results come back to the main thread.
//!
//! The runtime starts on the first login with two worker threads and is shut down without waiting when
//! the game's SceneTree ends. Work finishes on tokio threads, but `Gd` is `!Send`: completions go through
//! a channel that the main thread drains on `SceneTree.process_frame`.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use steam_login_client::LoginError;
use steam_login_protocol::Session;

/// What an exchange with the login server brings back.
#[derive(Debug)]
pub enum Answer {
    /// Boxed: a session is ten times a nonce's size, and completions queue up in a channel.
    Session(Box<Session<'static>>),
    /// A nonce for an encrypted app ticket's data.
    Nonce(String),
}

/// A finished exchange, produced on a tokio thread.
pub struct Completion {
    pub call_id: u64,
    pub result: Result<Answer, LoginError>,
    /// When the HTTP exchange ended: the delay to the GDScript signal is measured from here.
    pub finished_at: Instant,
}

static RUNTIME: Mutex<Option<tokio::runtime::Runtime>> = Mutex::new(None);
static CHANNEL: OnceLock<(Sender<Completion>, Mutex<Receiver<Completion>>)> = OnceLock::new();

fn channel_pair() -> &'static (Sender<Completion>, Mutex<Receiver<Completion>>) {
    CHANNEL.get_or_init(|| {
        let (tx, rx) = channel();
        (tx, Mutex::new(rx))
    })
}

/// Runs `work` on the runtime (starting it if needed); its completion is queued for the main thread.
pub fn spawn<F>(work: F) -> Result<(), String>
where
    F: std::future::Future<Output = Completion> + Send + 'static,
{
    let mut runtime = RUNTIME.lock();
    if runtime.is_none() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("steam-auth-http")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the HTTP runtime: {e}"))?;
        *runtime = Some(rt);
    }
    let tx = channel_pair().0.clone();
    if let Some(rt) = runtime.as_ref() {
        rt.spawn(async move {
            let _ = tx.send(work.await);
        });
    }
    Ok(())
}

/// Everything completed since the last call; never blocks.
pub fn drain(out: &mut Vec<Completion>) {
    if let Some(pair) = CHANNEL.get() {
        let rx = pair.1.lock();
        out.extend(rx.try_iter());
    }
}

/// Stops the runtime without waiting for requests in flight (quitting must not hang on a slow server).
pub fn shutdown() {
    if let Some(rt) = RUNTIME.lock().take() {
        rt.shutdown_timeout(Duration::from_millis(0));
    }
    if let Some(pair) = CHANNEL.get() {
        let rx = pair.1.lock();
        while rx.try_recv().is_ok() {}
    }
}
