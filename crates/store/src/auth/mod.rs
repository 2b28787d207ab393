//! Staff users, roles, TOTP and recovery codes.

pub mod password;
pub mod permission;
pub mod recovery_codes;
pub use crate::domain::role;
pub mod signon;
pub mod totp;
pub mod user;

pub use permission::{AdminDuties, Permission, RoleTable};
pub use role::Role;
pub use user::{User, UserId};
