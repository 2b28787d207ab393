//! Sign-on bookkeeping per user name: failures, lockout, last sign-on, last TOTP step.
//!
//! Kept in the clear `signon` tree (staff names and times, no patient data) because
//! failed attempts must be counted before any key is unlocked. It is tracked for any
//! name tried, existing or not, so a lock never tells whether a user exists.

use serde::{Deserialize, Serialize};

use crate::codec::Versioned;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockoutPolicy {
    /// Failures within the window that lock the account.
    pub max_failures: u32,
    pub window_seconds: i64,
    pub lock_seconds: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_seconds: 15 * 60,
            lock_seconds: 15 * 60,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOnState {
    /// Unix times of recent failures (within the policy window).
    pub failures: Vec<i64>,
    pub locked_until: Option<i64>,
    pub last_sign_on: Option<i64>,
    /// Failed attempts since the last successful sign-on (reported at the next one).
    pub failed_since_last: u32,
    /// Last TOTP time step accepted: never accepted again.
    pub totp_last_step: Option<u64>,
}

impl Versioned for SignOnState {
    const VERSION: u16 = 1;
}

/// What a successful sign-on reports, so staff notice someone trying their account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOnNotice {
    pub previous_sign_on: Option<i64>,
    pub failed_attempts_since: u32,
}

impl SignOnState {
    /// Seconds left on a lock, if locked at `now`.
    pub fn locked_for(&self, now: i64) -> Option<i64> {
        self.locked_until
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    /// Counts a failure; returns true when this failure locks the account.
    pub fn record_failure(&mut self, now: i64, policy: &LockoutPolicy) -> bool {
        self.failures.retain(|t| now - t < policy.window_seconds);
        self.failures.push(now);
        self.failed_since_last = self.failed_since_last.saturating_add(1);
        if self.failures.len() as u32 >= policy.max_failures && self.locked_for(now).is_none() {
            self.locked_until = Some(now + policy.lock_seconds);
            self.failures.clear();
            return true;
        }
        false
    }

    pub fn record_success(&mut self, now: i64, totp_step: Option<u64>) -> SignOnNotice {
        let notice = SignOnNotice {
            previous_sign_on: self.last_sign_on,
            failed_attempts_since: self.failed_since_last,
        };
        self.failures.clear();
        self.failed_since_last = 0;
        self.last_sign_on = Some(now);
        if totp_step.is_some() {
            self.totp_last_step = totp_step;
        }
        notice
    }

    /// An administrator lifts a lock.
    pub fn unlock(&mut self) {
        self.locked_until = None;
        self.failures.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_within_the_window_lock_for_the_lock_time() {
        let policy = LockoutPolicy::default();
        let mut s = SignOnState::default();
        for i in 0..4 {
            assert!(!s.record_failure(1000 + i, &policy));
        }
        assert!(s.record_failure(1004, &policy));
        assert_eq!(s.locked_for(1005), Some(900 - 1));
        assert_eq!(s.locked_for(1004 + 900), None);
    }

    #[test]
    fn failures_outside_the_window_do_not_count() {
        let policy = LockoutPolicy::default();
        let mut s = SignOnState::default();
        for i in 0..4 {
            s.record_failure(i * 1000, &policy);
        }
        assert!(s.locked_for(4000).is_none());
    }

    #[test]
    fn success_reports_previous_sign_on_and_failures_since() {
        let policy = LockoutPolicy::default();
        let mut s = SignOnState::default();
        s.record_success(100, Some(3));
        s.record_failure(200, &policy);
        s.record_failure(201, &policy);
        let notice = s.record_success(300, Some(10));
        assert_eq!(
            notice,
            SignOnNotice {
                previous_sign_on: Some(100),
                failed_attempts_since: 2
            }
        );
        assert_eq!(s.totp_last_step, Some(10));
        assert_eq!(s.failed_since_last, 0);
    }
}
