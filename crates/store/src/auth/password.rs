//! Password rules after NIST SP 800-63B: at least 8 characters, up to 256 accepted, any
//! characters, no composition rules; refused when it is a common or easily guessed
//! password (zxcvbn's dictionaries of common and leaked passwords, names, words,
//! keyboard patterns, dates and repeats), or built on the user's own name.

use zeroize::Zeroizing;
use zxcvbn::Score;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

/// zxcvbn's "safely unguessable" threshold: about 10^8 guesses or more.
const MIN_SCORE: Score = Score::Three;

pub fn check_new_password(password: &str, user_name: &str) -> Result<(), crate::i18n::Text> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(crate::text!("msg.password.too_short", min = MIN_CHARS));
    }
    if chars > MAX_CHARS {
        return Err(crate::text!("msg.password.too_long", max = MAX_CHARS));
    }
    let lowered = Zeroizing::new(password.to_lowercase());
    if !user_name.is_empty() && lowered.contains(&user_name.to_lowercase()) {
        return Err(crate::text!("msg.password.has_name"));
    }
    let estimate = zxcvbn::zxcvbn(password, &[user_name, "caredesk", "clinic"]);
    if estimate.score() < MIN_SCORE {
        return Err(crate::text!("msg.password.guessable"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_name_rules() {
        assert!(check_new_password("short", "a").is_err());
        assert!(check_new_password("admin-2026-ok-lantern", "admin").is_err());
        assert!(check_new_password(&"x".repeat(300), "admin").is_err());
    }

    #[test]
    fn common_and_patterned_passwords_are_refused() {
        for weak in [
            "password",
            "password1",
            "12345678",
            "qwertyuiop",
            "iloveyou",
            "P@ssw0rd",
            "aaaaaaaaaa",
            "19790101",
        ] {
            assert!(
                check_new_password(weak, "li.na").is_err(),
                "{weak} accepted"
            );
        }
    }

    #[test]
    fn phrases_and_any_characters_are_accepted() {
        for good in [
            "correct horse battery staple",
            "quiet harbour lantern",
            "密码是一句很长的话吧",
            "tea at 4 with Mrs Gao?",
        ] {
            assert!(check_new_password(good, "li.na").is_ok(), "{good} refused");
        }
    }
}
