//! The transport: our own accept loop over hyper with its connection limits and timeouts, TLS, the
//! client's address behind proxies, the request limits, the one JSON error shape, and the open-file
//! limit.

pub mod client_address;
pub mod connection;
pub mod error;
pub mod fd_limit;
pub mod limits;
pub mod listener;
pub mod tls;
