//! Signing in and the home screen: the sign-in form, enrolling an authenticator, the first password, the recovery codes, and the menu of what this role may do.

pub mod enrol;
pub mod home;
pub mod login;
pub mod recovery_codes;
pub mod set_password;
