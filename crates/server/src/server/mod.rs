//! The clinic server: one daemon owns the store (sled allows one process), and every
//! terminal and command talks to it over a Unix socket with the same `Request` and
//! `Response` types the in-process client passes.

pub mod connection;
pub mod daemon;
pub mod frame;
pub mod key_file;
pub mod remote;
pub mod scheduler;
