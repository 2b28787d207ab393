//! Signed-in sessions, held by the service (whatever the client does): random tokens,
//! idle and absolute expiry, break-glass grants for the session's lifetime.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use sha2::{Digest, Sha256};

use super::api::SessionToken;
use crate::auth::Role;
use crate::crypto::random_array;
use crate::domain::patient::PatientId;

#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: Role,
    pub created: i64,
    pub last_seen: i64,
    /// A short, non-secret reference for audit records (part of the token's hash).
    pub reference: String,
    pub break_glass: HashSet<PatientId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_seconds: i64,
    pub absolute_seconds: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRefusal {
    Unknown,
    /// Known but past its idle or absolute limit; it is gone now.
    Expired,
}

/// Sessions by the SHA-256 of their token, so memory never holds a usable token.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<[u8; 32], Session>>,
}

fn token_hash(token: &SessionToken) -> [u8; 32] {
    Sha256::digest(token.0.as_bytes()).into()
}

/// The audit reference of a token: the first 4 bytes of its hash, in hex.
pub fn reference_of(token: &SessionToken) -> String {
    HEXLOWER.encode(&token_hash(token)[..4])
}

pub fn new_token() -> SessionToken {
    SessionToken(BASE64URL_NOPAD.encode(&random_array::<32>()))
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Session>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a session under a token made by `new_token`.
    pub fn insert(&self, token: &SessionToken, user: &str, role: Role, now: i64) -> String {
        let hash = token_hash(token);
        let reference = reference_of(token);
        self.lock().insert(
            hash,
            Session {
                user: user.to_string(),
                role,
                created: now,
                last_seen: now,
                reference: reference.clone(),
                break_glass: HashSet::new(),
            },
        );
        reference
    }

    /// The session behind `token` if still alive, with its idle clock restarted.
    pub fn touch(
        &self,
        token: &SessionToken,
        now: i64,
        policy: SessionPolicy,
    ) -> Result<Session, SessionRefusal> {
        let hash = token_hash(token);
        let mut map = self.lock();
        let session = map.get_mut(&hash).ok_or(SessionRefusal::Unknown)?;
        let idle = now - session.last_seen >= policy.idle_seconds;
        let too_old = now - session.created >= policy.absolute_seconds;
        if idle || too_old {
            map.remove(&hash);
            return Err(SessionRefusal::Expired);
        }
        session.last_seen = now;
        Ok(session.clone())
    }

    pub fn remove(&self, token: &SessionToken) {
        self.lock().remove(&token_hash(token));
    }

    /// Ends every session of a user (disabled, TOTP reset, role changed).
    pub fn remove_user(&self, user: &str) {
        self.lock().retain(|_, s| s.user != user);
    }

    pub fn grant_break_glass(&self, token: &SessionToken, patient: PatientId) {
        if let Some(session) = self.lock().get_mut(&token_hash(token)) {
            session.break_glass.insert(patient);
        }
    }

    /// Drops every expired session (the daemon calls this on a timer).
    pub fn sweep(&self, now: i64, policy: SessionPolicy) -> usize {
        let mut map = self.lock();
        let before = map.len();
        map.retain(|_, s| {
            now - s.last_seen < policy.idle_seconds && now - s.created < policy.absolute_seconds
        });
        before - map.len()
    }
}

/// TOTP enrolments started by a sign-on and not yet confirmed with a first code.
#[derive(Default)]
pub struct PendingEnrolments {
    map: Mutex<HashMap<[u8; 32], Pending>>,
}

pub struct Pending {
    pub user: String,
    pub secret: zeroize::Zeroizing<Vec<u8>>,
    pub started: i64,
}

/// An enrolment must be confirmed within this time.
pub const ENROLMENT_SECONDS: i64 = 10 * 60;

impl PendingEnrolments {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Pending>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, token: &SessionToken, pending: Pending) {
        self.lock().insert(token_hash(token), pending);
    }

    /// The enrolment's user and secret, if it is still open.
    pub fn get(
        &self,
        token: &SessionToken,
        now: i64,
    ) -> Option<(String, zeroize::Zeroizing<Vec<u8>>)> {
        let mut map = self.lock();
        let hash = token_hash(token);
        match map.get(&hash) {
            Some(p) if now - p.started < ENROLMENT_SECONDS => {
                Some((p.user.clone(), p.secret.clone()))
            }
            Some(_) => {
                map.remove(&hash);
                None
            }
            None => None,
        }
    }

    pub fn remove(&self, token: &SessionToken) {
        self.lock().remove(&token_hash(token));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: SessionPolicy = SessionPolicy {
        idle_seconds: 300,
        absolute_seconds: 3600,
    };

    #[test]
    fn idle_and_absolute_expiry() {
        let sessions = Sessions::default();
        let token = new_token();
        sessions.insert(&token, "li.na", Role::Nurse, 0);
        assert!(sessions.touch(&token, 299, POLICY).is_ok());
        assert!(
            sessions.touch(&token, 598, POLICY).is_ok(),
            "activity restarts the idle clock"
        );
        assert_eq!(
            sessions.touch(&token, 898, POLICY).unwrap_err(),
            SessionRefusal::Expired
        );
        assert_eq!(
            sessions.touch(&token, 899, POLICY).unwrap_err(),
            SessionRefusal::Unknown
        );

        let token = new_token();
        sessions.insert(&token, "li.na", Role::Nurse, 0);
        for t in (200..3600).step_by(200) {
            assert!(sessions.touch(&token, t, POLICY).is_ok());
        }
        assert_eq!(
            sessions.touch(&token, 3600, POLICY).unwrap_err(),
            SessionRefusal::Expired
        );
    }

    #[test]
    fn tokens_are_unguessable_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.0.len(), 43);
    }
}
