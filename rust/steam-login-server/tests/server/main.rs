//! The login server's integration tests, as one binary: each module one concern, `support` the
//! helpers they share (the server in-process and as the binary, the fake Steam, tickets, captured
//! logs). The PostgreSQL cases are `#[ignore]`d here and run by scripts/lib/with-postgres.sh.

mod support;

mod availability;
mod encrypted;
mod hardening;
mod login;
mod multi_instance;
mod own_tls;
mod policy;
mod production;
mod proxies;
mod sessions;
mod steam_tls;
mod store;
