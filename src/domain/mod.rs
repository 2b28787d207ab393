//! Plain data types and pure rules. No I/O here.

pub mod health;
pub mod patient;
