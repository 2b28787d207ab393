//! A staff user as stored (sealed with the data key in the `users` tree).

use std::fmt;

use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::recovery_codes::StoredCode;
use super::role::Role;
use crate::codec::Versioned;
use crate::crypto::random_array;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserId(pub [u8; 16]);

impl UserId {
    pub fn random() -> Self {
        Self(random_array())
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({self})")
    }
}

/// The TOTP secret, zeroised when the user record is dropped.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
pub struct TotpSecret(pub Vec<u8>);

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// Sign-in name; lower-case letters, digits, `.`, `_`, `-`.
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub totp_secret: Option<TotpSecret>,
    /// The user confirmed the TOTP enrolment with a first code.
    pub totp_confirmed: bool,
    /// Last accepted TOTP time step: a code is never accepted twice.
    pub totp_last_step: Option<u64>,
    pub recovery_codes: Vec<StoredCode>,
    pub must_change_password: bool,
    pub created_unix: i64,
    pub last_sign_on_unix: Option<i64>,
}

impl Versioned for User {
    const VERSION: u16 = 1;
}

/// Checks a sign-in name: 1 to 32 characters of `a-z 0-9 . _ -`, starting with a letter.
/// A user name: 1 to 32 letters (of any script; lower-case where the script has
/// case), digits, '.', '_' or '-', starting with a letter. Nothing else, so a name can
/// never carry a formula, a control character or markup into the audit log.
pub fn check_user_name(name: &str) -> Result<(), String> {
    let ok_len = (1..=32).contains(&name.chars().count());
    let letter = |c: char| c.is_alphabetic() && !c.is_uppercase();
    let ok_start = name.chars().next().is_some_and(letter);
    let ok_chars = name
        .chars()
        .all(|c| letter(c) || c.is_numeric() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_start && ok_chars {
        Ok(())
    } else {
        Err(format!(
            "user name {:?} is not valid: use 1 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter",
            crate::domain::text::printable(name)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names() {
        assert!(check_user_name("admin").is_ok());
        assert!(check_user_name("li.na-2").is_ok());
        assert!(check_user_name("Admin").is_err());
        assert!(check_user_name("").is_err());
        assert!(check_user_name("9lives").is_err());
        assert!(check_user_name("王丽").is_ok());
        assert!(check_user_name("=HYPERLINK(\"x\")").is_err());
        assert!(check_user_name("a\u{1b}[2J").is_err());
        assert!(check_user_name("a b").is_err());
    }
}
