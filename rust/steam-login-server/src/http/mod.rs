//! The transport: our own accept loop over hyper with its connection limits and timeouts, the
//! request limits, the one JSON error shape, and the open-file limit.

pub mod connection;
pub mod error;
pub mod fd_limit;
pub mod limits;
pub mod listener;
