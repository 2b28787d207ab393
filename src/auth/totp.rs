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
