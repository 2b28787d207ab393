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
    /// The language the user chose for their desk (the palette's Language): it wins
    /// over their session's locale and the clinic's default.
    pub language: Option<crate::i18n::Lang>,
}

impl Versioned for User {
    /// 2: the user's own language.
    const VERSION: u16 = 2;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, crate::codec::CodecError> {
        match version {
            1 => {
                let old: UserV1 = crate::codec::decode_payload(payload)?;
                Ok(User {
                    id: old.id,
                    name: old.name.clone(),
                    role: old.role,
                    disabled: old.disabled,
                    totp_secret: old.totp_secret.clone(),
                    totp_confirmed: old.totp_confirmed,
                    totp_last_step: old.totp_last_step,
                    recovery_codes: old.recovery_codes.clone(),
                    must_change_password: old.must_change_password,
                    created_unix: old.created_unix,
                    last_sign_on_unix: old.last_sign_on_unix,
                    language: None,
                })
            }
            other => Err(crate::codec::CodecError::NoMigration(other)),
        }
    }
}

/// A user before the language setting (format 1).
#[derive(Deserialize)]
#[cfg_attr(test, derive(Serialize))]
struct UserV1 {
    id: UserId,
    name: String,
    role: Role,
    disabled: bool,
    totp_secret: Option<TotpSecret>,
    totp_confirmed: bool,
    totp_last_step: Option<u64>,
    recovery_codes: Vec<StoredCode>,
    must_change_password: bool,
    created_unix: i64,
    last_sign_on_unix: Option<i64>,
}

/// Checks a sign-in name: 1 to 32 characters of `a-z 0-9 . _ -`, starting with a letter.
/// A user name: 1 to 32 letters (of any script; lower-case where the script has
/// case), digits, '.', '_' or '-', starting with a letter. Nothing else, so a name can
/// never carry a formula, a control character or markup into the audit log.
pub fn check_user_name(name: &str) -> Result<(), crate::i18n::Text> {
    let ok_len = (1..=32).contains(&name.chars().count());
    let letter = |c: char| c.is_alphabetic() && !c.is_uppercase();
    let ok_start = name.chars().next().is_some_and(letter);
    let ok_chars = name
        .chars()
        .all(|c| letter(c) || c.is_numeric() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_start && ok_chars {
        Ok(())
    } else {
        Err(crate::text!(
            "msg.users.bad_name",
            name = crate::domain::text::printable(name)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Versioned for UserV1 {
        const VERSION: u16 = 1;
    }

    #[test]
    fn a_user_of_format_1_reads_with_no_language_of_their_own() {
        let old = UserV1 {
            id: UserId([7; 16]),
            name: "chen.jing".into(),
            role: Role::Nurse,
            disabled: false,
            totp_secret: Some(TotpSecret(vec![1, 2, 3])),
            totp_confirmed: true,
            totp_last_step: Some(42),
            recovery_codes: Vec::new(),
            must_change_password: false,
            created_unix: 1_700_000_000,
            last_sign_on_unix: Some(1_700_000_100),
        };
        let read: User = crate::codec::decode(&crate::codec::encode(&old)).unwrap();
        assert_eq!(read.name, "chen.jing");
        assert_eq!(read.totp_last_step, Some(42));
        assert_eq!(read.totp_secret, Some(TotpSecret(vec![1, 2, 3])));
        assert_eq!(read.language, None);
    }

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
