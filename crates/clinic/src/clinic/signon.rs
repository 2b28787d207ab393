//! Sign-on requests: password + TOTP login, TOTP enrolment, first activation, key-file
//! login for unattended jobs. They run before there is a session, so they audit their
//! own outcome. Failures are counted per user name, existing or not, and every failure
//! gets the same message; every path pays one Argon2id derivation, so timing does not
//! tell them apart either.

use crate::clinic::api::{Activated, TotpEnrolment};
use crate::text;
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
use crate::auth::user::check_user_name;
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
    ServiceError::Unavailable(text!("msg.store.failed", detail = e))
}

impl Clinic {
    pub(crate) fn sign_on(&self, request: Request, op: &Operation, origin: &Origin) -> Response {
        if !self.signon_peers.allow(&origin.os_user) {
            return Response::Error(self.refusal(anonymous(origin), op, ServiceError::Busy));
        }
        // A name no account can have is refused before it reaches the sign-on state or
        // the audit log, where it could carry a formula or control characters.
        if let Request::Login { user, .. } | Request::Activate { user, .. } = &request
            && check_user_name(user.trim()).is_err()
        {
            let event = AuditEvent::new(anonymous(origin), op.action, Outcome::Denied)
                .detail("failed: a user name no account can have");
            return Response::Error(match self.audit_alone(event) {
                Ok(()) => ServiceError::SignInFailed,
                Err(e) => e,
            });
        }
        let result = match request {
            Request::Login {
                user,
                password,
                code,
            } => {
                let user = user.trim();
                let _one_at_a_time = self.signon_names.lock(user);
                self.login(user, &password, &code, op, origin)
            }
            Request::ConfirmTotp { pending, code } => {
                let user = self.pending.get(&pending, self.now()).map(|(user, _)| user);
                let _one_at_a_time = user.as_deref().map(|u| self.signon_names.lock(u));
                self.confirm_totp(&pending, &code, op, origin)
            }
            Request::Activate {
                user,
                one_time_password,
                new_password,
            } => {
                let user = user.trim();
                let _one_at_a_time = self.signon_names.lock(user);
                self.activate(user, &one_time_password, &new_password, op, origin)
            }
            Request::LoginKeyFile { label, key } => self.login_key_file(&label, &key, op, origin),
            _ => Err(ServiceError::Invalid(text!("msg.signon.not_signon"))),
        };
        result.unwrap_or_else(Response::Error)
    }

    /// A slot for one Argon2id derivation, or the audited "busy" refusal.
    fn argon2_slot(
        &self,
        user: &str,
        op: &Operation,
        origin: &Origin,
    ) -> Result<super::signon_gate::PoolPermit<'_>, ServiceError> {
        self.signon_pool
            .enter()
            .ok_or_else(|| self.refusal(named(origin, user), op, ServiceError::Busy))
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
        // Taken before the store's lock: a "busy" refusal is audited, which takes it.
        let slot = self.argon2_slot(user, op, origin)?;
        // The lock guard is released before anything is audited (which takes it again).
        let checked = {
            let backend = self.backend();
            let store = backend
                .store()
                .ok_or_else(|| ServiceError::Unavailable(text!("msg.store.busy")))?;
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
        drop(slot);
        let (state, unlocked) = match checked {
            Ok(checked) => checked,
            Err(minutes) => {
                let locked = ServiceError::AccountLocked { minutes };
                return Err(self.refusal(named(origin, user), op, locked.clone()));
            }
        };
        match unlocked {
            Ok(keys) => {
                if self.ensure_unlocked(keys, Some(user), origin) {
                    Ok(state)
                } else {
                    Err(self.fail(user, state, op, origin, "disabled user's old password"))
                }
            }
            Err(StoreError::WrongPassword) => {
                Err(self.fail(user, state, op, origin, "wrong password or unknown user"))
            }
            Err(other) => Err(unavailable(other)),
        }
    }

    /// The first sign-on of a locked store opens its data key for everyone after, but
    /// only for an enabled user: a disabled user's password (a slot left by an older
    /// version) never opens the store (`None`: a key file, which names no user). The check runs under the write lock, so nobody
    /// uses the store between opening and closing it again. False: not opened.
    fn ensure_unlocked(&self, keys: DataKeys, user: Option<&str>, origin: &Origin) -> bool {
        // Open already: no write lock (a handler holding the read lock may be waiting
        // for this user's sign-on lock, which this thread holds).
        if matches!(&*self.backend(), Backend::Unlocked(_)) {
            return true;
        }
        let mut backend = self.backend.write().unwrap_or_else(|p| p.into_inner());
        if matches!(&*backend, Backend::Locked(_))
            && let Backend::Locked(store) = std::mem::replace(&mut *backend, Backend::Switching)
        {
            let vault = Vault::new(store, keys);
            let enabled = match user {
                None => true,
                Some(user) => matches!(vault.user_by_name(user), Ok(Some(u)) if !u.disabled),
            };
            if enabled {
                // Slots that disabled users kept under older versions go now, before a
                // key rotation could grant them the new key.
                for disabled in vault.users().unwrap_or_default() {
                    if disabled.disabled {
                        self.remove_disabled_users_slots(&vault, &disabled.name, origin);
                    }
                }
            }
            *backend = if enabled {
                Backend::Unlocked(vault)
            } else {
                Backend::Locked(vault.into_store())
            };
            return enabled;
        }
        true
    }

    /// Removes password slots a disabled user still has (stores from before disabling
    /// removed them), audited as the system's doing.
    fn remove_disabled_users_slots(&self, vault: &Vault, user: &str, origin: &Origin) {
        let Ok(slots) = vault.store().key_slots() else {
            return;
        };
        let mut writes = WriteSet::new();
        let mut removed = 0;
        for slot in slots {
            if matches!(&slot.kind, crate::crypto::SlotKind::Password { user: u } if u == user)
                && vault
                    .store()
                    .stage_slot_removal(&mut writes, slot.id)
                    .is_ok()
            {
                removed += 1;
            }
        }
        if removed > 0 {
            let event =
                AuditEvent::new(anonymous(origin), "user.password_slot_removed", Outcome::Ok)
                    .subject(format!("user:{user}"))
                    .detail("the disabled user's password key slot removed");
            // Best effort: if this fails, the slot still opens nothing (the user is
            // disabled) and the next attempt tries again.
            let _ = vault.commit(event, writes);
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
                    let detail = crate::store::alerts::details::account_locked(
                        policy.max_failures,
                        policy.lock_seconds / 60,
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
                            .detail(detail.english()),
                    );
                }
                Ok(())
            });
        let committed = staged.map_err(unavailable).and_then(|()| {
            store
                .audit()
                .commit_many(events, writes)
                .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))
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
            self.remove_disabled_users_slots(vault, user, origin);
            drop(backend);
            return Err(self.fail(user, state, op, origin, "account disabled"));
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
                .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
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
            return Ok(Response::TotpEnrolment(TotpEnrolment {
                pending,
                otpauth_uri: Secret(uri.to_string()),
            }));
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
                    let failed = self.fail(user, state, op, origin, why);
                    // The password was right: say why, so a clerk running two commands
                    // waits for the next code instead of doubting the password.
                    return Err(match (refusal, failed) {
                        (CodeRefusal::Replayed, ServiceError::SignInFailed) => {
                            ServiceError::CodeAlreadyUsed
                        }
                        (_, failed) => failed,
                    });
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
            language: record.language,
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
        let state = self.check_password(user, one_time, op, origin)?;
        let backend = self.backend();
        let vault = backend.vault().ok_or(ServiceError::SignInFailed)?;
        let mut record = vault
            .user_by_name(user)
            .map_err(unavailable)?
            .ok_or(ServiceError::SignInFailed)?;
        if record.disabled {
            self.remove_disabled_users_slots(vault, user, origin);
            drop(backend);
            return Err(self.fail(user, state, op, origin, "account disabled"));
        }
        let refusal = if !record.must_change_password {
            Some(ServiceError::Conflict(text!("msg.signon.already_active")))
        } else if one_time == new_password {
            Some(ServiceError::Invalid(text!("msg.signon.not_one_time")))
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
            .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
        let (shown, stored) = recovery_codes::generate();
        record.must_change_password = false;
        record.totp_secret = Some(TotpSecret(secret.to_vec()));
        record.totp_confirmed = false;
        record.recovery_codes = stored;
        let mut writes = WriteSet::new();
        vault
            .stage_user_update(&mut writes, &record)
            .map_err(unavailable)?;
        let slot = self.signon_pool.enter().ok_or(ServiceError::Busy)?;
        vault
            .stage_password(&mut writes, user, new_password.expose().as_bytes())
            .map_err(unavailable)?;
        drop(slot);
        let event = AuditEvent::new(named(origin, user), op.action, Outcome::Ok)
            .subject(format!("user:{user}"))
            .detail("own password set; TOTP secret issued, confirmed by the first sign-in");
        vault.commit(event, writes).map_err(unavailable)?;
        Ok(Response::Activated(Activated {
            otpauth_uri: Secret(uri.to_string()),
            recovery_codes: shown.iter().map(|c| Secret(c.to_string())).collect(),
        }))
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
        let now = self.now();
        self.ensure_unlocked(keys, None, origin);
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
            language: None,
        }))
    }
}
