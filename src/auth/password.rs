//! Password rules after NIST SP 800-63B: length, not the user's own name; no
//! composition rules. Any characters are accepted, up to 256 of them.

use zeroize::Zeroizing;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 256;

pub fn check_new_password(password: &str, user_name: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "the password is too short: use at least {MIN_CHARS} characters (a phrase of several words is easiest to remember)"
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "the password is too long: use at most {MAX_CHARS} characters"
        ));
    }
    let lowered = Zeroizing::new(password.to_lowercase());
    if !user_name.is_empty() && lowered.contains(&user_name.to_lowercase()) {
        return Err("the password contains the user name: choose one that does not".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(check_new_password("short", "a").is_err());
        assert!(check_new_password("correct horse battery", "admin").is_ok());
        assert!(check_new_password("admin-2026-ok", "admin").is_err());
        assert!(check_new_password("密码很长的一句话吧", "admin").is_ok());
        assert!(check_new_password(&"x".repeat(300), "admin").is_err());
    }
}
