//! Sign-on requests: password + TOTP login, TOTP enrolment, first activation, key-file
//! login for unattended jobs. They run before there is a session, so they audit their
//! own outcome. Failures are counted per user name, existing or not, and every failure
//! gets the same message; every path pays one Argon2id derivation, so timing does not
//! tell them apart either.

use zeroize::Zeroizing;

use super::api::{Request, Response, Secret, ServiceError, SessionToken, SignedIn};
use super::service::{Backend, Clinic, Origin, anonymous};
use super::session::{Pending, new_token, reference_of};
use super::table::Operation;
use crate::audit::{Actor, AuditEvent, Outcome};
use crate::auth::password::check_new_password;
use crate::auth::signon::SignOnState;
use crate::auth::totp::{self, CodeRefusal};
use crate::auth::user::TotpSecret;
use crate::auth::{Role, User, recovery_codes};
use crate::crypto::DataKeys;
use crate::crypto::keyslot::RecoveryKey;
use crate::store::alerts::AlertKind;
use crate::store::writes::WriteSet;
use crate::store::{StoreError, Unlock, Vault};

fn named(origin: &Origin, user: &str) -> Actor {
    Actor {
        user: Some(user.to_string()),
        ..anonymous(origin)
    }
}

fn unavailable(e: StoreError) -> ServiceError {
    ServiceError::Unavailable(e.to_string())
}

impl Clinic {
    pub(crate) fn sign_on(&self, request: Request, op: &Operation, origin: &Origin) -> Response {
        let result = match request {
            Request::Login {
                user,
                password,
                code,
            } => self.login(user.trim(), &password, &code, op, origin),
            Request::ConfirmTotp { pending, code } => {
                self.confirm_totp(&pending, &code, op, origin)
            }
            Request::Activate {
                user,
                one_time_password,
                new_password,
            } => self.activate(user.trim(), &one_time_password, &new_password, op, origin),
            Request::LoginKeyFile { label, key } => self.login_key_file(&label, &key, op, origin),
            _ => Err(ServiceError::Invalid("not a sign-on request".into())),
        };
        result.unwrap_or_else(Response::Error)
    }

    /// Checks the lock, then the password; unlocks the store on the first success.
    /// Returns the sign-on state to update.
    fn check_password(
        &self,
        user: &str,
        password: &Secret,
        op: &Operation,
        origin: &Origin,
    ) -> Result<SignOnState, ServiceError> {
        let now = self.now();
        // The lock guard is released before anything is audited (which takes it again).
        let checked = {
            let backend = self.backend();
            let store = backend
                .store()
                .ok_or_else(|| ServiceError::Unavailable("the store is busy; try again".into()))?;
            let state = store.signon_state(user).map_err(unavailable)?;
            match state.locked_for(now) {
                Some(seconds) => Err((seconds + 59) / 60),
                None => {
                    let unlocked = store.unlock(Unlock::Password {
                        user,
                        password: password.expose().as_bytes(),
                    });
                    Ok((state, unlocked))
                }
            }
        };
        let (state, unlocked) = match checked {
            Ok(checked) => checked,
            Err(minutes) => {
                let locked = ServiceError::AccountLocked { minutes };
                return Err(self.refusal(named(origin, user), op, locked.clone()));
            }
        };
        match unlocked {
            Ok(keys) => {
                self.ensure_unlocked(keys);
                Ok(state)
            }
            Err(StoreError::WrongPassword) => {
                Err(self.fail(user, state, op, origin, "wrong password or unknown user"))
            }
            Err(other) => Err(unavailable(other)),
        }
    }

    /// The first sign-on of an embedded store opens its data key for everyone after.
    fn ensure_unlocked(&self, keys: DataKeys) {
        let mut backend = self.backend.write().unwrap_or_else(|p| p.into_inner());
        if matches!(&*backend, Backend::Locked(_))
            && let Backend::Locked(store) = std::mem::replace(&mut *backend, Backend::Switching)
        {
            *backend = Backend::Unlocked(Vault::new(store, keys));
        }
    }

    /// Counts a failed sign-on, locks the account at the limit (with an alert), audits
    /// both, and returns the one message every failure gets.
    fn fail(
        &self,
        user: &str,
        mut state: SignOnState,
        op: &Operation,
        origin: &Origin,
        why: &str,
    ) -> ServiceError {
        let now = self.now();
        let policy = self.settings().lockout.policy();
        let locked = state.record_failure(now, &policy);
        let backend = self.backend();
        let Some(store) = backend.store() else {
            return ServiceError::SignInFailed;
        };
        let mut writes = WriteSet::new();
        let mut events = vec![
            AuditEvent::new(named(origin, user), op.action, Outcome::Denied)
                .subject(format!("user:{user}"))
                .detail(format!("failed: {why}")),
        ];
        let staged = store
            .stage_signon(&mut writes, user, &state)
            .and_then(|()| {
                if locked {
                    let detail = format!(
                        "{} failed sign-ins; locked for {} minutes",
                        policy.max_failures,
                        policy.lock_seconds / 60
                    );
                    store.stage_alert(
                        &mut writes,
                        AlertKind::AccountLocked,
                        vec![format!("user:{user}")],
                        detail.clone(),
                    )?;
                    events.push(
                        AuditEvent::new(named(origin, user), "login.locked", Outcome::Denied)
                            .subject(format!("user:{user}"))
                            .detail(detail),
                    );
                }
                Ok(())
            });
        let committed = staged.map_err(unavailable).and_then(|()| {
            store
                .audit()
                .commit_many(events, writes)
                .map_err(|e| ServiceError::Unavailable(e.to_string()))
        });
        match committed {
            Ok(_) => ServiceError::SignInFailed,
            Err(e) => e,
        }
    }

    fn login(
        &self,
        user: &str,
        password: &Secret,
        code: &Secret,
        op: &Operation,
        origin: &Origin,
    ) -> Result<Response, ServiceError> {
        let state = self.check_password(user, password, op, origin)?;
        let backend = self.backend();
        let vault = backend.vault().ok_or(ServiceError::SignInFailed)?;
        let Some(mut record) = vault.user_by_name(user).map_err(unavailable)? else {
            drop(backend);
            return Err(self.fail(user, state, op, origin, "key slot without a user record"));
        };
        if record.disabled {
            drop(backend);
            return Err(self.refusal(named(origin, user), op, ServiceError::AccountDisabled));
        }
        if record.must_change_password {
            drop(backend);
            let error = ServiceError::PasswordChangeRequired;
            return Err(self.refusal(named(origin, user), op, error.clone()));
        }
        let now = self.now();
        let Some(secret) = record.totp_secret.clone() else {
            // TOTP was reset (or never set): enrol a new secret, confirmed by a code.
            let secret = totp::new_secret();
            let uri = totp::otpauth_uri(&secret, user)
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            let pending = new_token();
            self.pending.insert(
                &pending,
                Pending {
                    user: user.to_string(),
                    secret,
                    started: now,
                },
            );
            let event = AuditEvent::new(named(origin, user), op.action, Outcome::Ok)
                .subject(format!("user:{user}"))
                .detail("password accepted; TOTP enrolment started");
            vault.commit(event, WriteSet::new()).map_err(unavailable)?;
            return Ok(Response::TotpEnrolment {
                pending,
                otpauth_uri: Secret(uri.to_string()),
            });
        };
        let mut recovery_codes_left = None;
        let step = match totp::verify(&secret.0, code.expose(), now as u64, state.totp_last_step) {
            Ok(step) => Some(step),
            Err(refusal) => match recovery_codes::position(&record.recovery_codes, code.expose()) {
                Some(index) => {
                    record.recovery_codes.remove(index);
                    recovery_codes_left = Some(record.recovery_codes.len() as u32);
                    None
                }
                None => {
                    drop(backend);
                    let why = match refusal {
                        CodeRefusal::Replayed => "TOTP code replayed",
                        CodeRefusal::Wrong => "wrong TOTP code",
                    };
                    return Err(self.fail(user, state, op, origin, why));
                }
            },
        };
        if step.is_some() && !record.totp_confirmed {
            record.totp_confirmed = true;
        }
        let detail = match recovery_codes_left {
            Some(left) => format!("signed in with a recovery code; {left} left"),
            None => "signed in".to_string(),
        };
        self.start_session(
            vault,
            state,
            record,
            step,
            origin,
            op,
            detail,
            recovery_codes_left,
            None,
        )
    }

    /// Records the sign-on, commits it with its audit record, then opens the session.
    #[allow(clippy::too_many_arguments)]
    fn start_session(
        &self,
        vault: &Vault,
        mut state: SignOnState,
        record: User,
        step: Option<u64>,
        origin: &Origin,
        op: &Operation,
        detail: String,
        recovery_codes_left: Option<u32>,
        new_recovery_codes: Option<Vec<Secret>>,
    ) -> Result<Response, ServiceError> {
        let now = self.now();
        let notice = state.record_success(now, step);
        let token = new_token();
        let mut writes = WriteSet::new();
        vault
            .stage_user_update(&mut writes, &record)
            .map_err(unavailable)?;
        vault
            .store()
            .stage_signon(&mut writes, &record.name, &state)
            .map_err(unavailable)?;
        let actor = Actor {
            user: Some(record.name.clone()),
            role: Some(record.role.as_str().to_string()),
            session: Some(reference_of(&token)),
            ..anonymous(origin)
        };
        let event = AuditEvent::new(actor, op.action, Outcome::Ok)
            .subject(format!("user:{}", record.name))
            .detail(detail);
        vault.commit(event, writes).map_err(unavailable)?;
        self.sessions.insert(&token, &record.name, record.role, now);
        Ok(Response::SignedIn(SignedIn {
            token,
            user: record.name.clone(),
            role: record.role,
            permissions: self.roles().permissions(record.role),
            notice,
            recovery_codes_left,
            new_recovery_codes,
        }))
    }

    fn confirm_totp(
        &self,
        pending: &SessionToken,
        code: &Secret,
        op: &Operation,
        origin: &Origin,
    ) -> Result<Response, ServiceError> {
        let now = self.now();
        let Some((user, secret)) = self.pending.get(pending, now) else {
            let expired = ServiceError::SessionExpired;
            return Err(self.refusal(anonymous(origin), op, expired.clone()));
        };
        let backend = self.backend();
        let vault = backend.vault().ok_or(ServiceError::SignInFailed)?;
        let state = vault.store().signon_state(&user).map_err(unavailable)?;
        let mut record = vault
            .user_by_name(&user)
            .map_err(unavailable)?
            .ok_or(ServiceError::SignInFailed)?;
        let step = match totp::verify(&secret, code.expose(), now as u64, state.totp_last_step) {
            Ok(step) => step,
            Err(_) => {
                drop(backend);
                return Err(self.fail(
                    &user,
                    state,
                    op,
                    origin,
                    "wrong code for the new TOTP secret",
                ));
            }
        };
        let (shown, stored) = recovery_codes::generate();
        record.totp_secret = Some(TotpSecret(secret.to_vec()));
        record.totp_confirmed = true;
        record.recovery_codes = stored;
        self.pending.remove(pending);
        let codes = shown.iter().map(|c| Secret(c.to_string())).collect();
        self.start_session(
            vault,
            state,
            record,
            Some(step),
            origin,
            op,
            "TOTP enrolled; signed in".into(),
            None,
            Some(codes),
        )
    }

    fn activate(
        &self,
        user: &str,
        one_time: &Secret,
        new_password: &Secret,
        op: &Operation,
        origin: &Origin,
    ) -> Result<Response, ServiceError> {
        self.check_password(user, one_time, op, origin)?;
        let backend = self.backend();
        let vault = backend.vault().ok_or(ServiceError::SignInFailed)?;
        let mut record = vault
            .user_by_name(user)
            .map_err(unavailable)?
            .ok_or(ServiceError::SignInFailed)?;
        let refusal = if record.disabled {
            Some(ServiceError::AccountDisabled)
        } else if !record.must_change_password {
            Some(ServiceError::Conflict(
                "this account is already activated: sign in with your password".into(),
            ))
        } else if one_time == new_password {
            Some(ServiceError::Invalid(
                "choose a new password, not the one-time password".into(),
            ))
        } else {
            check_new_password(new_password.expose(), user)
                .err()
                .map(ServiceError::Invalid)
        };
        if let Some(error) = refusal {
            drop(backend);
            return Err(self.refusal(named(origin, user), op, error.clone()));
        }
        let secret: Zeroizing<Vec<u8>> = totp::new_secret();
        let uri = totp::otpauth_uri(&secret, user)
            .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
        let (shown, stored) = recovery_codes::generate();
        record.must_change_password = false;
        record.totp_secret = Some(TotpSecret(secret.to_vec()));
        record.totp_confirmed = false;
        record.recovery_codes = stored;
        let mut writes = WriteSet::new();
        vault
            .stage_user_update(&mut writes, &record)
            .map_err(unavailable)?;
        vault
            .stage_password(&mut writes, user, new_password.expose().as_bytes())
            .map_err(unavailable)?;
        let event = AuditEvent::new(named(origin, user), op.action, Outcome::Ok)
            .subject(format!("user:{user}"))
            .detail("own password set; TOTP secret issued, confirmed by the first sign-in");
        vault.commit(event, writes).map_err(unavailable)?;
        Ok(Response::Activated {
            otpauth_uri: Secret(uri.to_string()),
            recovery_codes: shown.iter().map(|c| Secret(c.to_string())).collect(),
        })
    }

    fn login_key_file(
        &self,
        label: &str,
        key: &Secret,
        op: &Operation,
        origin: &Origin,
    ) -> Result<Response, ServiceError> {
        let principal = format!("system:{label}");
        let refused = |clinic: &Clinic| {
            clinic.refusal(named(origin, &principal), op, ServiceError::SignInFailed)
        };
        let Some(key) = RecoveryKey::parse(key.expose()) else {
            return Err(refused(self));
        };
        let unlocked = {
            let backend = self.backend();
            let store = backend.store().ok_or(ServiceError::SignInFailed)?;
            store.unlock(Unlock::KeyFile {
                label,
                key: key.bytes(),
            })
        };
        let keys = match unlocked {
            Ok(keys) => keys,
            Err(StoreError::WrongKey) => return Err(refused(self)),
            Err(other) => return Err(unavailable(other)),
        };
        self.ensure_unlocked(keys);
        let now = self.now();
        let token = new_token();
        let actor = Actor {
            user: Some(principal.clone()),
            role: Some(Role::System.as_str().into()),
            session: Some(reference_of(&token)),
            ..anonymous(origin)
        };
        self.audit_alone(
            AuditEvent::new(actor, op.action, Outcome::Ok).subject(format!("key-file:{label}")),
        )?;
        self.sessions.insert(&token, &principal, Role::System, now);
        Ok(Response::SignedIn(SignedIn {
            token,
            user: principal,
            role: Role::System,
            permissions: self.roles().permissions(Role::System),
            notice: Default::default(),
            recovery_codes_left: None,
            new_recovery_codes: None,
        }))
    }
}
