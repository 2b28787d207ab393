//! Staff users, roles, TOTP and recovery codes.

pub mod password;
pub mod recovery_codes;
pub mod role;
pub mod totp;
pub mod user;

pub use role::Role;
pub use user::{User, UserId};
