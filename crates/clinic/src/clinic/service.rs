//! `Clinic`: the one service every screen and command goes through.
//!
//! Path of every request: check session → authorise (the table in `table.rs`) → act
//! (a handler stages writes) → audit (the event is committed in the same transaction
//! as the writes, flushed) → reply. Denials and errors are audited too. Sign-on
//! requests have no session yet and audit their own outcome (`signon.rs`).

use crate::text;
use std::path::{Path, PathBuf};
use std::sync::{RwLock, RwLockReadGuard};

use super::admin::settings::Settings;
use super::api::{Request, Response, ServiceError, SessionToken};
use super::handlers::Run;
use super::session::{PendingEnrolments, Session, SessionPolicy, SessionRefusal, Sessions};
use super::table::{Access, Flag, Lock, Operation};
use crate::audit::{Actor, AuditEvent, Clock, Outcome};
use crate::auth::RoleTable;
use crate::domain::patient::PatientId;
use crate::store::writes::WriteSet;
use crate::store::{Store, StoreError, StoreOptions, Vault};

/// Where a request comes from, for the audit record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub os_user: String,
    pub ssh_client: Option<String>,
}

impl Origin {
    /// This process: its OS user and `SSH_CONNECTION`.
    pub fn this_process() -> Self {
        let actor = crate::audit::context::process_actor();
        Self {
            os_user: actor.os_user,
            ssh_client: actor.ssh_client,
        }
    }
}

/// The store before and after the first sign-on has opened the data key.
pub(crate) enum Backend {
    Locked(Store),
    Unlocked(Vault),
    /// Only while switching from one to the other under the write lock.
    Switching,
}

impl Backend {
    pub(crate) fn store(&self) -> Option<&Store> {
        match self {
            Backend::Locked(store) => Some(store),
            Backend::Unlocked(vault) => Some(vault.store()),
            Backend::Switching => None,
        }
    }

    pub(crate) fn vault(&self) -> Option<&Vault> {
        match self {
            Backend::Unlocked(vault) => Some(vault),
            _ => None,
        }
    }
}

/// What a handler hands back: the reply, the writes to commit with its audit record,
/// the subject ids and detail for that record, and what to do once it is committed.
pub(crate) struct Reply {
    pub response: Response,
    pub writes: WriteSet,
    pub subjects: Vec<String>,
    pub detail: Option<String>,
    pub effect: Effect,
}

impl Reply {
    pub fn new(response: Response) -> Self {
        Self {
            response,
            writes: WriteSet::new(),
            subjects: Vec::new(),
            detail: None,
            effect: Effect::None,
        }
    }

    pub fn writes(mut self, writes: WriteSet) -> Self {
        self.writes = writes;
        self
    }

    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subjects.push(subject.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn effect(mut self, effect: Effect) -> Self {
        self.effect = effect;
        self
    }
}

/// In-memory changes applied only after the audit record is on disk.
pub(crate) enum Effect {
    None,
    EndSession,
    EndUserSessions(String),
    GrantBreakGlass(PatientId),
    /// The patient's row in the name index changed.
    Reindex(PatientId, Box<crate::domain::patient::Patient>),
    /// Many patients were added (an import).
    ReindexMany(Vec<(PatientId, crate::domain::patient::Patient)>),
    SetRoles(RoleTable),
    /// Patients' automatic tags changed: search rows show them.
    Retag(Vec<(PatientId, Vec<String>)>),
    /// Follow-ups changed: the queue's index follows.
    FollowUps(Vec<crate::domain::followup::FollowUp>),
    /// A patient was erased: out of the name index; the queue is rebuilt.
    Erased(PatientId),
}

/// A request being handled, with everything a handler may use.
pub(crate) struct Ctx<'a> {
    pub clinic: &'a Clinic,
    pub vault: &'a Vault,
    pub session: &'a Session,
    pub now: i64,
}

/// A request's handler, as `Run::shared` hands it over (boxed: one copy of the
/// commit path, not one per request kind).
pub(crate) type Handler<'a> = Box<dyn FnOnce(&Ctx<'_>) -> Result<Reply, ServiceError> + 'a>;

pub struct Clinic {
    dir: PathBuf,
    pub(crate) backend: RwLock<Backend>,
    pub(crate) sessions: Sessions,
    pub(crate) pending: PendingEnrolments,
    /// Parsed and checked once, when loaded or changed; shared, never re-read per request.
    pub(super) settings: RwLock<std::sync::Arc<Settings>>,
    /// The alert rules of `settings`, parsed with them.
    pub(super) alert_rules: RwLock<std::sync::Arc<super::oversight::alert_settings::AlertRules>>,
    pub(super) roles: RwLock<RoleTable>,
    pub(crate) clock: Clock,
    /// Built in the background once the store is unlocked (the daemon starts it), or by
    /// the first name search; kept up to date by effects.
    pub(crate) name_index: std::sync::Mutex<Option<super::desk::name_index::NameIndex>>,
    /// Whether the background build was started (`desk::index_build`).
    pub(crate) index_started: std::sync::atomic::AtomicBool,
    /// Signalled when the background build finishes (searches wait for it a moment).
    pub(crate) index_built: std::sync::Condvar,
    /// Held by operations that read, check and rewrite shared state (a day's booking
    /// capacity, a patient record) from the read to the commit, so two desks can never
    /// both take the last place or overwrite each other's change.
    serial_lock: std::sync::Mutex<()>,
    /// Held while a patient's risks and tags are computed and kept (re-evaluation, or
    /// on demand), so two never interleave. Taken after `serial_lock` when both are.
    derived_lock: std::sync::Mutex<()>,
    /// The automatic tag rules last read cleanly.
    pub(crate) tag_rules: super::care::auto_tags::RulesInForce,
    pub(crate) value_sets: super::care::auto_tags::ValueSetsInForce,
    /// The open follow-ups, built by the first queue request after unlocking.
    pub(crate) queue_index: std::sync::Mutex<Option<super::followup::queue::QueueIndex>>,
    /// Patients whose risks and tags wait to be recomputed after a bulk change.
    pub(crate) backlog: std::sync::Arc<super::care::reevaluate::Backlog>,
    /// The alert rules' view of recent staff activity.
    alert_watch: super::oversight::alert_rules::AlertWatch,
    /// One sign-on at a time per user name, from reading its state to writing it.
    pub(crate) signon_names: super::signon_gate::NameLocks,
    /// At most one Argon2id derivation per core at once; a short queue, then "busy".
    pub(crate) signon_pool: super::signon_gate::SignOnPool,
    /// Sign-on attempts per OS user of the peer.
    pub(crate) signon_peers: super::signon_gate::PeerLimiter,
}

/// Sign-on attempts a peer may make at once, and how many more each second after.
const SIGNON_BURST: u32 = 60;
const SIGNON_PER_SECOND: u32 = 5;

impl Clinic {
    /// Opens the store (still locked) and the settings. A role table that differs
    /// from the one last in force is audited here, as a settings change.
    pub fn open(dir: &Path, options: StoreOptions) -> Result<Clinic, StoreError> {
        let settings = Settings::load(dir).map_err(StoreError::Invalid)?;
        let store = Store::open(dir, options)?;
        let roles = settings.role_table();
        // `Settings::load` refused a file whose rules do not parse, naming the line.
        let (settings, alert_rules) =
            super::admin::settings_in_force::parsed(settings).map_err(StoreError::Invalid)?;
        let clinic = Clinic {
            dir: dir.to_path_buf(),
            clock: store.options().clock.clone(),
            backend: RwLock::new(Backend::Locked(store)),
            sessions: Sessions::default(),
            pending: PendingEnrolments::default(),
            settings: RwLock::new(settings),
            alert_rules: RwLock::new(alert_rules),
            roles: RwLock::new(roles),
            name_index: std::sync::Mutex::new(None),
            index_started: Default::default(),
            index_built: Default::default(),
            serial_lock: std::sync::Mutex::new(()),
            derived_lock: std::sync::Mutex::new(()),
            tag_rules: Default::default(),
            value_sets: Default::default(),
            backlog: Default::default(),
            queue_index: std::sync::Mutex::new(None),
            alert_watch: Default::default(),
            signon_names: Default::default(),
            signon_pool: super::signon_gate::SignOnPool::for_this_machine(),
            signon_peers: super::signon_gate::PeerLimiter::new(SIGNON_BURST, SIGNON_PER_SECOND),
        };
        clinic.audit_role_table_change()?;
        Ok(clinic)
    }

    /// Drops a shredded patient's key from the unlocked store's memory.
    fn vault_forget(&self, id: &PatientId) {
        if let Some(vault) = self.backend().vault() {
            vault.forget_patient_key(id);
        }
    }

    /// The lock of operations that read, check and rewrite shared state.
    pub(crate) fn serial(&self) -> std::sync::MutexGuard<'_, ()> {
        self.serial_lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The lock of computing and keeping risks and tags.
    pub(crate) fn derived(&self) -> std::sync::MutexGuard<'_, ()> {
        self.derived_lock.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether the store can still write (see `Store::check_writable`): the daemon asks
    /// after a request failed as unavailable, and exits when it cannot, so the service
    /// manager restarts it rather than it failing every request until someone notices.
    pub fn check_writable(&self) -> Result<(), StoreError> {
        match self.backend().store() {
            Some(store) => store.check_writable(),
            None => Ok(()),
        }
    }

    /// The key slots, readable while the store is locked (they hold only wrapped keys).
    pub fn key_slots(&self) -> Result<Vec<crate::crypto::KeySlot>, StoreError> {
        match self.backend().store() {
            Some(store) => store.key_slots(),
            None => Ok(Vec::new()),
        }
    }

    pub(crate) fn backend(&self) -> RwLockReadGuard<'_, Backend> {
        self.backend.read().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)().timestamp()
    }

    pub(crate) fn session_policy(&self) -> SessionPolicy {
        let s = self.settings().session.clone();
        SessionPolicy {
            idle_seconds: s.idle_timeout_seconds.max(1) as i64,
            absolute_seconds: s.absolute_timeout_seconds.max(1) as i64,
        }
    }

    /// Writes an audit record on its own (denials, errors). When even that fails,
    /// the caller's refusal stands; the failure is what `audit verify` will show.
    pub(crate) fn audit_alone(&self, event: AuditEvent) -> Result<(), ServiceError> {
        let backend = self.backend();
        let store = backend
            .store()
            .ok_or_else(|| ServiceError::Unavailable(text!("msg.store.busy")))?;
        store
            .audit()
            .append(event)
            .map(|_| ())
            .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))
    }

    /// Handles one request for the holder of `token` (none before signing on).
    pub fn handle(
        &self,
        token: Option<&SessionToken>,
        request: Request,
        origin: &Origin,
    ) -> Response {
        let op = request.operation();
        match op.access {
            Access::Public => return self.sign_on(request, op, origin),
            Access::Nobody => {
                let actor = anonymous(origin);
                return self.refuse(
                    actor,
                    op,
                    ServiceError::Denied {
                        permission: op.access.needed(),
                    },
                );
            }
            Access::SignedIn | Access::Needs(_) | Access::AnyOf(_) => {}
        }
        let now = self.now();
        let Some(token) = token else {
            return self.refuse(anonymous(origin), op, ServiceError::NotSignedIn);
        };
        let session = match self.sessions.touch(token, now, self.session_policy()) {
            Ok(session) => session,
            Err(SessionRefusal::Unknown) => {
                return self.refuse(anonymous(origin), op, ServiceError::NotSignedIn);
            }
            Err(SessionRefusal::Expired) => {
                return self.refuse(anonymous(origin), op, ServiceError::SessionExpired);
            }
        };
        let actor = actor_for(&session, origin);
        if !op.access.admits(&self.roles(), session.role) {
            let denied = ServiceError::Denied {
                permission: op.access.needed(),
            };
            let subject = self.refused_subject(&request, &session, now);
            let subjects = subject
                .map(|p| p.to_string())
                .into_iter()
                .chain(request.admin_subject())
                .collect();
            return Response::Error(self.refusal_about(actor, op, denied, subjects));
        }
        if op.has(Flag::SettlesAll) {
            self.settle();
        }
        let run = Run {
            clinic: self,
            session: &session,
            actor,
            op,
            now,
            origin,
            token,
            about: request.patient_subject(),
            about_admin: request.admin_subject(),
        };
        super::handlers::dispatch(run, request)
    }

    /// The usual path of a request once routed (`Run::shared`): the store's read lock,
    /// derived data settled if the row reads it, the row's lock, the handler, the
    /// reply checked against the row, alert rules, writes and audit record committed
    /// together, re-evaluation, effects.
    pub(crate) fn run_shared(&self, run: Run<'_>, handler: Handler<'_>) -> Response {
        let Run {
            session,
            actor,
            op,
            now,
            origin,
            token,
            about,
            about_admin,
            ..
        } = run;
        let backend = self.backend();
        let Some(vault) = backend.vault() else {
            drop(backend);
            let locked = ServiceError::Unavailable(text!("msg.store.locked"));
            return self.refuse(actor, op, locked);
        };
        let ctx = Ctx {
            clinic: self,
            vault,
            session,
            now,
        };
        if op.has(Flag::ReadsDerived)
            && let Some(id) = &about
        {
            self.settle_patient(vault, id);
        }
        let _serial = (op.lock == Lock::Serial).then(|| self.serial());
        let _derived = (op.lock == Lock::Derived).then(|| self.derived());
        let handled = handler(&ctx).and_then(|reply| {
            // A reply of the wrong kind is a bug: refused before anything is kept,
            // never handed to a caller that would misread it.
            if (op.gives)(&reply.response) {
                Ok(reply)
            } else {
                Err(ServiceError::Unavailable(text!(
                    "msg.reply.wrong_kind",
                    operation = op.name
                )))
            }
        });
        match handled {
            Ok(mut reply) => {
                let mut event = AuditEvent::new(actor, op.action, Outcome::Ok);
                event.subjects = std::mem::take(&mut reply.subjects);
                event.detail = reply.detail.take();
                let rules = self.alert_rules();
                let raised =
                    self.alert_watch
                        .observe(&rules, vault.store(), &mut reply.writes, &event, now);
                let raised = match raised {
                    Ok(raised) => raised,
                    Err(e) => {
                        return Response::Error(ServiceError::Unavailable(text!(
                            "msg.store.failed",
                            detail = e
                        )));
                    }
                };
                let changed: Vec<PatientId> = if op.has(Flag::Reevaluates) {
                    event
                        .subjects
                        .iter()
                        .filter_map(|s| PatientId::parse(s))
                        .collect()
                } else {
                    Vec::new()
                };
                let events = std::iter::once(event).chain(raised).collect();
                if let Err(e) = vault.commit_all(events, reply.writes) {
                    // Fail closed: no audit record, no result.
                    return Response::Error(ServiceError::Unavailable(text!(
                        "msg.store.failed",
                        detail = e
                    )));
                }
                if changed.len() == 1 {
                    // One patient: at once.
                    let _derived = self.derived();
                    self.reevaluate(vault, &changed, op.action, origin);
                } else if !changed.is_empty() {
                    self.queue_reevaluation(changed, op.action, origin);
                }
                drop(backend);
                self.apply(reply.effect, token);
                reply.response
            }
            Err(error) => {
                drop(backend);
                let subjects = about
                    .map(|p| p.to_string())
                    .into_iter()
                    .chain(about_admin)
                    .collect();
                Response::Error(self.refusal_about(actor, op, error, subjects))
            }
        }
    }

    /// The patient a refused request was about: named by id, or found by the card
    /// number, phone or ID number it carried (an index lookup; nothing is opened).
    fn refused_subject(&self, request: &Request, session: &Session, now: i64) -> Option<PatientId> {
        if let Some(id) = request.patient_subject() {
            return Some(id);
        }
        let key = request.patient_lookup_key()?;
        let backend = self.backend();
        let ctx = Ctx {
            clinic: self,
            vault: backend.vault()?,
            session,
            now,
        };
        super::export::access::resolve(&ctx, key.trim()).ok()
    }

    /// Audits a refusal or failure and returns it as a response.
    pub(crate) fn refuse(&self, actor: Actor, op: &Operation, error: ServiceError) -> Response {
        Response::Error(self.refusal(actor, op, error))
    }

    /// Audits a refusal or failure; returns it, or the audit failure if that happened.
    pub(crate) fn refusal(
        &self,
        actor: Actor,
        op: &Operation,
        error: ServiceError,
    ) -> ServiceError {
        self.refusal_about(actor, op, error, Vec::new())
    }

    /// A refusal of a request about a patient, audited with the patient as subject.
    pub(crate) fn refusal_about(
        &self,
        actor: Actor,
        op: &Operation,
        error: ServiceError,
        subjects: Vec<String>,
    ) -> ServiceError {
        let outcome = match error {
            ServiceError::Unavailable(_) | ServiceError::Conflict(_) => Outcome::Error,
            ServiceError::Invalid(_) | ServiceError::NotFound(_) => Outcome::Error,
            _ => Outcome::Denied,
        };
        let mut event = AuditEvent::new(actor, op.action, outcome).detail(error_kind(&error));
        for subject in subjects {
            event = event.subject(subject);
        }
        match self.audit_alone(event) {
            Ok(()) => error,
            Err(audit_failure) => audit_failure,
        }
    }

    fn apply(&self, effect: Effect, token: &SessionToken) {
        match effect {
            Effect::None => {}
            Effect::EndSession => self.sessions.remove(token),
            Effect::EndUserSessions(user) => self.sessions.remove_user(&user),
            Effect::GrantBreakGlass(patient) => self.sessions.grant_break_glass(token, patient),
            Effect::ReindexMany(patients) => {
                if let Some(index) = self
                    .name_index
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_mut()
                {
                    for (id, patient) in &patients {
                        index.upsert(*id, patient);
                    }
                }
            }
            Effect::Reindex(id, patient) => {
                if let Some(index) = self
                    .name_index
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_mut()
                {
                    index.upsert(id, &patient);
                }
            }
            Effect::Retag(retagged) => self.set_auto_tags_in_index(retagged),
            Effect::FollowUps(changed) => self.update_queue(changed),
            Effect::Erased(id) => {
                self.vault_forget(&id);
                if let Some(index) = self
                    .name_index
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_mut()
                {
                    index.remove(&id);
                }
                *self.queue_index.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            Effect::SetRoles(table) => {
                *self.roles.write().unwrap_or_else(|p| p.into_inner()) = table
            }
        }
    }
}

/// The error's kind for the audit detail: never the values that caused it.
fn error_kind(error: &ServiceError) -> String {
    match error {
        ServiceError::Denied { permission } => format!("denied: needs {permission}"),
        ServiceError::Invalid(_) => "invalid request".into(),
        ServiceError::NotFound(what) => format!("not found: {what}"),
        ServiceError::Unavailable(_) => "store unavailable".into(),
        ServiceError::Conflict(_) => "conflict".into(),
        other => other.to_string(),
    }
}

pub(crate) fn anonymous(origin: &Origin) -> Actor {
    Actor {
        user: None,
        role: None,
        os_user: origin.os_user.clone(),
        ssh_client: origin.ssh_client.clone(),
        session: None,
    }
}

pub(crate) fn actor_for(session: &Session, origin: &Origin) -> Actor {
    Actor {
        user: Some(session.user.clone()),
        role: Some(session.role.as_str().to_string()),
        os_user: origin.os_user.clone(),
        ssh_client: origin.ssh_client.clone(),
        session: Some(session.reference.clone()),
    }
}
