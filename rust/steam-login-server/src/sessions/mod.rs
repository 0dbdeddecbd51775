//! Sessions after a login: minting tokens (`tokens`), the answer that hands a session out
//! (`response`), the token a request carries (`credentials`), the session endpoints (`handlers`)
//! and the sweep of what has expired (`sweeper`).

mod credentials;
mod handlers;
mod response;
mod sweeper;
mod tokens;

pub use handlers::{refresh, revoke, session};
pub use response::Issued;
pub use sweeper::spawn_sweeper;
pub use tokens::new_token_and_user_id;
