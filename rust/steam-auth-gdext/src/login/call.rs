//! One `SteamLogin` call: what it was asked to do (its plan), what it is doing now, and, given an
//! exchange's result, what it does next. The only place that decides a retry or a fallback.

use std::time::{Duration, Instant};

use godot::prelude::*;
use steam_login_client::{ErrorKind, LoginError};
use steam_login_protocol::ErrorCode;
use tokio::sync::oneshot;

use super::SteamLoginCall;
use crate::http_runtime::Answer;

/// Why a call failed: the login client's error, or Steam's own failure to give a ticket.
#[derive(Debug)]
pub(super) enum CallError {
    Login(LoginError),
    /// No ticket from Steam: no `Steam` singleton, not initialised, or no ticket in time.
    Steam(String),
}

impl CallError {
    /// `SteamLoginResult.error_kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Login(e) => e.kind.as_str(),
            CallError::Steam(_) => "steam",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CallError::Login(e) => &e.message,
            CallError::Steam(message) => message,
        }
    }

    pub fn login_error(&self) -> Option<&LoginError> {
        match self {
            CallError::Login(e) => Some(e),
            CallError::Steam(_) => None,
        }
    }
}

impl From<LoginError> for CallError {
    fn from(e: LoginError) -> Self {
        CallError::Login(e)
    }
}

pub(super) type CallResult = Result<Answer, CallError>;

/// Where a call posts: the endpoint and its timeout (from the `SteamLogin` at call time), and the
/// transport settings in force then.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Target {
    pub endpoint: String,
    pub timeout: Duration,
    /// `steam/auth/login_ca_file`, if set.
    pub ca_file: Option<String>,
    /// Plain `http://` beyond loopback may be used (`steam/auth/allow_insecure_http`, or a debug
    /// build).
    pub allow_insecure_http: bool,
}

/// What the game asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Plan {
    /// `login(ticket)`: post the game's ticket.
    Login,
    /// `login_with_steam(identity)`: post a ticket Steam makes for `identity`.
    WithSteam { identity: String },
    /// `resume(saved, identity)`: renew the saved session; if the server refuses it, as `WithSteam`.
    Resume { identity: String },
    /// `login_with_encrypted_ticket()`: a nonce from the server, an encrypted app ticket from Steam
    /// holding it, then the login.
    Encrypted,
}

/// What the call does after a result.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// Ask Steam for a ticket for `identity` and post it.
    LoginWithSteam { identity: String },
    /// Ask Steam for an encrypted app ticket holding `nonce`, and post it.
    AskEncryptedTicket { nonce: String },
    /// Hand the result to GDScript; `resumed` when it is a renewed saved session.
    Deliver { resumed: bool },
}

/// What a call is doing now.
pub(super) enum CallState {
    /// Its next step is being started.
    Starting,
    /// Waiting for Steam's Web API ticket with this handle until `deadline`.
    AwaitingWebApiTicket { handle: u32, deadline: Instant },
    /// Waiting for Steam's encrypted app ticket until `deadline`.
    AwaitingEncryptedTicket { deadline: Instant },
    /// An HTTP exchange is in flight; sending on `cancel` stops it.
    Exchanging { cancel: oneshot::Sender<()> },
}

pub(super) struct Call {
    /// Emits the result; kept alive until then (awaiting code holds only its signal).
    pub signal_owner: Gd<SteamLoginCall>,
    /// The `SteamLogin` whose `login_succeeded` / `login_failed` also fire.
    pub owner: InstanceId,
    pub target: Target,
    pub state: CallState,
    pub course: Course,
}

/// A call's plan and how far along it is: what decides its next step (no Godot in here).
#[derive(Debug)]
pub(super) struct Course {
    plan: Plan,
    /// `Resume` is still on its refresh (the first exchange).
    refreshing: bool,
    /// A fresh ticket was already asked for after `ticket_reused`.
    retried_reused_ticket: bool,
    /// Cancelled: whatever comes next is delivered.
    cancelled: bool,
}

impl Course {
    pub fn new(plan: Plan) -> Self {
        Course {
            refreshing: matches!(plan, Plan::Resume { .. }),
            plan,
            retried_reused_ticket: false,
            cancelled: false,
        }
    }

    /// A `Resume` whose saved session has no token goes straight to Steam.
    pub fn skip_refresh(&mut self) {
        self.refreshing = false;
    }

    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    /// The step after `result`. A ticket the server already saw (`ticket_reused`: its answer to an
    /// earlier try was lost) is replaced once by a fresh one, when Steam can make one; a refused
    /// refresh becomes a Steam login; anything else is the call's result.
    pub fn next(&mut self, result: &CallResult, steam_ready: bool) -> Step {
        if self.cancelled {
            return Step::Deliver { resumed: false };
        }
        if let Ok(Answer::Nonce(nonce)) = result {
            return Step::AskEncryptedTicket {
                nonce: nonce.clone(),
            };
        }
        if std::mem::take(&mut self.refreshing) {
            let refused =
                matches!(result, Err(CallError::Login(e)) if e.kind == ErrorKind::Rejected);
            return if refused {
                self.login_with_steam()
            } else {
                Step::Deliver {
                    resumed: result.is_ok(),
                }
            };
        }
        let reused = matches!(result, Err(CallError::Login(e)) if e.is(ErrorCode::TicketReused));
        if reused && steam_ready && !std::mem::replace(&mut self.retried_reused_ticket, true) {
            return self.login_with_steam();
        }
        Step::Deliver { resumed: false }
    }

    fn login_with_steam(&self) -> Step {
        let identity = match &self.plan {
            Plan::Login | Plan::Encrypted => "",
            Plan::WithSteam { identity } | Plan::Resume { identity } => identity,
        };
        Step::LoginWithSteam {
            identity: identity.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use steam_login_protocol::{ReceivedCode, Session};

    use super::*;

    fn refused(kind: ErrorKind, code: Option<ErrorCode>) -> CallResult {
        let mut e = LoginError::new(kind, "no");
        e.code = code.map(ReceivedCode::Known);
        Err(CallError::Login(e))
    }

    fn session() -> CallResult {
        let body = r#"{"userId":"u","token":"t","expire":2,"provider":{"providerId":"7"}}"#;
        Ok(Answer::Session(Box::new(
            Session::from_json(body.as_bytes()).expect("a session body"),
        )))
    }

    #[test]
    fn an_encrypted_login_asks_steam_with_the_nonce_then_delivers() {
        let mut course = Course::new(Plan::Encrypted);
        let nonce = Ok(Answer::Nonce("ab".into()));
        assert_eq!(
            course.next(&nonce, true),
            Step::AskEncryptedTicket { nonce: "ab".into() }
        );
        assert_eq!(
            course.next(&session(), true),
            Step::Deliver { resumed: false }
        );
        let reused = refused(ErrorKind::Rejected, Some(ErrorCode::NonceReused));
        assert_eq!(course.next(&reused, true), Step::Deliver { resumed: false });
    }

    fn with_steam(identity: &str) -> Step {
        Step::LoginWithSteam {
            identity: identity.into(),
        }
    }

    #[test]
    fn a_reused_ticket_is_replaced_once_and_only_when_steam_can() {
        let reused = refused(ErrorKind::Rejected, Some(ErrorCode::TicketReused));
        let mut course = Course::new(Plan::WithSteam {
            identity: "game".into(),
        });
        assert_eq!(
            course.next(&reused, false),
            Step::Deliver { resumed: false }
        );
        assert_eq!(course.next(&reused, true), with_steam("game"));
        assert_eq!(course.next(&reused, true), Step::Deliver { resumed: false });
        let mut login = Course::new(Plan::Login);
        assert_eq!(login.next(&reused, true), with_steam(""));
    }

    #[test]
    fn a_refused_resume_falls_back_to_steam_and_a_renewed_one_says_so() {
        let plan = Plan::Resume {
            identity: "game".into(),
        };
        let mut renewed = Course::new(plan.clone());
        assert_eq!(
            renewed.next(&session(), true),
            Step::Deliver { resumed: true }
        );

        let mut refused_once = Course::new(plan.clone());
        let expired = refused(ErrorKind::Rejected, Some(ErrorCode::SessionExpired));
        assert_eq!(refused_once.next(&expired, true), with_steam("game"));
        assert_eq!(
            refused_once.next(&session(), true),
            Step::Deliver { resumed: false }
        );

        let mut unreachable = Course::new(plan.clone());
        let down = refused(ErrorKind::Transport, None);
        assert_eq!(
            unreachable.next(&down, true),
            Step::Deliver { resumed: false }
        );

        let mut cancelled = Course::new(plan);
        cancelled.cancel();
        assert_eq!(
            cancelled.next(&expired, true),
            Step::Deliver { resumed: false }
        );
    }

    #[test]
    fn steam_s_own_failure_is_delivered() {
        let mut course = Course::new(Plan::WithSteam {
            identity: String::new(),
        });
        let no_steam = Err(CallError::Steam("not initialised".into()));
        assert_eq!(
            course.next(&no_steam, true),
            Step::Deliver { resumed: false }
        );
    }
}
