//! TOTP (RFC 6238) through totp-rs: SHA-1, 6 digits, 30-second steps, so that every
//! authenticator app works.

use totp_rs::{Algorithm, Builder, Totp};
use zeroize::Zeroizing;

use crate::crypto::random_array;

pub const ISSUER: &str = "caredesk";
pub const DIGITS: u8 = 6;
pub const STEP_SECONDS: u64 = 30;

/// A new 160-bit secret (the RFC 4226 recommended length).
pub fn new_secret() -> Zeroizing<Vec<u8>> {
    Zeroizing::new(random_array::<20>().to_vec())
}

/// The TOTP for a user; `account` appears in the authenticator app.
pub fn totp(secret: &[u8], account: &str) -> Result<Totp, totp_rs::TotpError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .with_account_name(account)
        .with_issuer(Some(ISSUER))
        .build()
}

/// The `otpauth://` URI an authenticator app scans.
pub fn otpauth_uri(secret: &[u8], account: &str) -> Result<Zeroizing<String>, totp_rs::TotpError> {
    Ok(Zeroizing::new(totp(secret, account)?.to_url()?))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Not a code of this secret within one step of now.
    Wrong,
    /// A code of a time step already accepted once (RFC 6238 section 5.2).
    Replayed,
}

/// Checks `code` against `secret` at `now_unix`, one 30-second step of skew either side,
/// refusing a step at or before `last_step` (the last one accepted for this user).
/// Returns the matched step, which the caller stores as the new `last_step`.
pub fn verify(
    secret: &[u8],
    code: &str,
    now_unix: u64,
    last_step: Option<u64>,
) -> Result<u64, CodeRefusal> {
    verify_with(secret, DIGITS, code, now_unix, last_step)
}

/// `verify` with another number of digits (the RFC 6238 test vectors use 8).
pub fn verify_with(
    secret: &[u8],
    digits: u8,
    code: &str,
    now_unix: u64,
    last_step: Option<u64>,
) -> Result<u64, CodeRefusal> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let totp = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(digits)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret.to_vec())
        .build_noncompliant();
    // Every step in the window is tried, so a replayed code is told apart from a wrong one
    // even when an older step also matches.
    let origin = now_unix / STEP_SECONDS;
    let matched = (origin.saturating_sub(1)..=origin + 1)
        .rev()
        .find(|step| totp.check(&code, step * STEP_SECONDS) == Some(*step));
    match matched {
        None => Err(CodeRefusal::Wrong),
        Some(step) if last_step.is_some_and(|last| step <= last) => Err(CodeRefusal::Replayed),
        Some(step) => Ok(step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_names_issuer_and_account() {
        let uri = otpauth_uri(&new_secret(), "admin").unwrap();
        assert!(
            uri.starts_with("otpauth://totp/caredesk:admin?"),
            "{}",
            uri.as_str()
        );
        assert!(uri.contains("issuer=caredesk"));
    }
}
