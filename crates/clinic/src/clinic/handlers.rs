//! Routes a signed-in, authorised request to its handler, and says how it runs: most
//! under the store's read lock with a `Ctx` (`run.shared`), the few that need the
//! store to themselves before any lock is taken (`run.exclusive`).

use super::api::{Request, Response, ServiceError, SessionToken};
use super::service::{Clinic, Ctx, Effect, Origin, Reply};
use super::session::Session;
use super::table::{Flag, Operation};
use super::{admin, care, desk, export, followup, oversight, results};
use crate::audit::Actor;
use crate::clinic::api::Me;
use crate::domain::booking::BookingStatus;
use crate::domain::patient::PatientId;
use crate::store::StoreError;
use crate::text;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Missing(what) => ServiceError::NotFound(what.to_string()),
            StoreError::Erased => ServiceError::NotFound("patient (the record was erased)".into()),
            StoreError::Invalid(message) => {
                ServiceError::Invalid(text!("msg.store.refused", detail = message))
            }
            other => ServiceError::Unavailable(text!("msg.store.failed", detail = other)),
        }
    }
}

/// A request that passed its session and access checks, as `handlers::dispatch`
/// receives it to choose how it runs.
pub(crate) struct Run<'a> {
    pub(super) clinic: &'a Clinic,
    pub(super) session: &'a Session,
    pub(super) actor: Actor,
    pub(super) op: &'static Operation,
    pub(super) now: i64,
    pub(super) origin: &'a Origin,
    pub(super) token: &'a SessionToken,
    /// The patient the request names, for settling derived data and for a refusal.
    pub(super) about: Option<PatientId>,
    /// The account or role an administrative request names, for a refusal.
    pub(super) about_admin: Option<String>,
}

impl<'a> Run<'a> {
    /// Runs `handler` the usual way (`Clinic::run_shared`).
    pub(crate) fn shared(
        self,
        handler: impl FnOnce(&Ctx<'_>) -> Result<Reply, ServiceError> + 'a,
    ) -> Response {
        // The row and the dispatch arm agree (the access test runs every request).
        debug_assert!(
            !self.op.has(Flag::Exclusive),
            "{} is Exclusive",
            self.op.name
        );
        let clinic = self.clinic;
        clinic.run_shared(self, Box::new(handler))
    }

    /// Runs a step that needs the store to itself: before any lock is taken, holding
    /// the write lock itself and auditing its own outcome (a key rotation's batch, an
    /// early audit seal).
    pub(crate) fn exclusive(
        self,
        step: impl FnOnce(&Clinic, Actor, &Operation, i64) -> Response,
    ) -> Response {
        debug_assert!(
            self.op.has(Flag::Exclusive),
            "{} is not Exclusive",
            self.op.name
        );
        step(self.clinic, self.actor, self.op, self.now)
    }
}

pub(crate) fn dispatch(run: Run<'_>, request: Request) -> Response {
    match request {
        Request::Logout | Request::LogoutIdle { draft: None } => {
            run.shared(|_| Ok(Reply::new(Response::Done).effect(Effect::EndSession)))
        }
        Request::LogoutIdle { draft: Some(draft) } => {
            run.shared(move |ctx| super::followup::call_drafts::keep(ctx, draft))
        }
        Request::CallDraftTake => run.shared(super::followup::call_drafts::take),
        Request::HomeSummary => run.shared(desk::patients::home),
        Request::WhoAmI => run.shared(move |ctx| {
            Ok(Reply::new(Response::Me(Me {
                user: ctx.session.user.clone(),
                role: ctx.session.role,
                permissions: ctx.clinic.roles().permissions(ctx.session.role),
            })))
        }),
        Request::ChangePassword { old, new } => {
            run.shared(move |ctx| admin::users::change_password(ctx, &old, &new))
        }
        Request::SetLanguage { language } => {
            run.shared(move |ctx| admin::users::set_language(ctx, language))
        }
        Request::UserAdd { name, role } => {
            run.shared(move |ctx| admin::users::add(ctx, &name, role))
        }
        Request::UserList => run.shared(admin::users::list),
        Request::UserDisable { name } => {
            run.shared(move |ctx| admin::users::set_disabled(ctx, &name, true))
        }
        Request::UserEnable { name } => {
            run.shared(move |ctx| admin::users::set_disabled(ctx, &name, false))
        }
        Request::UserSetRole { name, role } => {
            run.shared(move |ctx| admin::users::set_role(ctx, &name, role))
        }
        Request::UserResetPassword { name } => {
            run.shared(move |ctx| admin::users::reset_password(ctx, &name))
        }
        Request::UserResetTotp { name } => {
            run.shared(move |ctx| admin::users::reset_totp(ctx, &name))
        }
        Request::RolesGet => {
            run.shared(move |ctx| Ok(Reply::new(Response::Roles(ctx.clinic.roles()))))
        }
        Request::RolesSet { role, permissions } => {
            run.shared(move |ctx| admin::users::set_role_permissions(ctx, role, permissions))
        }
        Request::KeyFileAdd { label } => run.shared(move |ctx| admin::keys::add_file(ctx, &label)),
        Request::KeyTokenAdd {
            label,
            token,
            key,
            pin,
        } => run.shared(move |ctx| admin::keys::add_token(ctx, &label, &token, &key, &pin)),
        Request::KeySlots => run.shared(admin::keys::list),
        Request::ErasureRequest { patient, reason } => {
            run.shared(move |ctx| super::oversight::erasure::request(ctx, &patient, &reason))
        }
        Request::ErasureList => run.shared(super::oversight::erasure::list),
        Request::ErasureApprove { id } => {
            run.shared(move |ctx| super::oversight::erasure::approve(ctx, id))
        }
        Request::KeySlotRemove { id } => run.shared(move |ctx| admin::keys::remove(ctx, id)),
        Request::RecoveryKeyAdd => run.shared(admin::keys::add_recovery),
        // Each step holds the store's write lock itself (key_rotation.rs).
        Request::KeyRotate { batch } => {
            run.exclusive(|clinic, actor, op, now| clinic.rotate_key(actor, op, batch, now))
        }
        Request::AuditSealNow { reason } => {
            run.exclusive(|clinic, actor, op, _| clinic.seal_audit_now(actor, op, &reason))
        }
        Request::PatientRegister { patient, card_type } => {
            run.shared(move |ctx| desk::cards::register(ctx, patient, &card_type))
        }
        Request::CardIssue { id, card_type } => {
            run.shared(move |ctx| desk::cards::issue(ctx, &id, &card_type))
        }
        Request::CardReportLost { number } => {
            run.shared(move |ctx| desk::cards::report_lost(ctx, &number))
        }
        Request::CardCancel { number } => run.shared(move |ctx| desk::cards::cancel(ctx, &number)),
        Request::PatientCards { id } => run.shared(move |ctx| desk::cards::list(ctx, &id)),
        Request::PatientImport { rows } => {
            run.shared(move |ctx| desk::patient_import::patients(ctx, rows))
        }
        Request::ConsentSet {
            id,
            channel,
            purpose,
            decision,
            method,
        } => {
            run.shared(move |ctx| desk::consent::set(ctx, &id, channel, purpose, decision, method))
        }
        Request::ConsentGet { id } => run.shared(move |ctx| desk::consent::get(ctx, &id)),
        Request::ConsentProcessingSet {
            id,
            scope,
            decision,
            method,
            guardian,
        } => run.shared(move |ctx| {
            desk::consent::set_processing(ctx, &id, (scope, decision, method), guardian)
        }),
        Request::NoticeGet => run.shared(desk::consent::notice),
        Request::RightsRequestAdd {
            patient,
            kind,
            received_on,
            asked,
        } => run.shared(move |ctx| {
            oversight::rights_requests::add(ctx, &patient, kind, received_on, &asked)
        }),
        Request::RightsRequestAnswer { id, outcome, note } => {
            run.shared(move |ctx| oversight::rights_requests::answer(ctx, id, outcome, &note))
        }
        Request::RightsRequestList { open_only } => {
            run.shared(move |ctx| oversight::rights_requests::list(ctx, open_only))
        }
        Request::RetentionReview { limit } => {
            run.shared(move |ctx| super::oversight::retention::review(ctx, limit))
        }
        Request::RetentionRestrict { patient } => {
            run.shared(move |ctx| super::oversight::retention::restrict(ctx, &patient))
        }
        Request::PatientExport { key } => run.shared(move |ctx| export::access::export(ctx, &key)),
        Request::PatientProvide {
            key,
            recipient,
            purpose,
        } => run.shared(move |ctx| export::access::provide(ctx, &key, &recipient, &purpose)),
        Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            output,
        } => {
            run.shared(move |ctx| care::reports::compose(ctx, &patient, from, to, unmask, &output))
        }
        Request::FollowUpFormPrint {
            patient,
            plan,
            year,
            output,
        } => run.shared(move |ctx| followup::forms::print(ctx, &patient, plan, year, &output)),
        Request::CardPrint { patient, output } => {
            run.shared(move |ctx| care::reports::card(ctx, &patient, &output))
        }
        Request::PatientSetTags { id, tags } => {
            run.shared(move |ctx| desk::patients::set_tags(ctx, &id, &tags))
        }
        Request::ExamBook { id, package, date } => {
            run.shared(move |ctx| desk::booking::book(ctx, &id, &package, date))
        }
        Request::ExamReschedule { booking: key, date } => {
            run.shared(move |ctx| desk::booking::reschedule(ctx, key, date))
        }
        Request::ExamCancel { booking: key } => run.shared(move |ctx| {
            desk::booking::change(ctx, key, BookingStatus::Cancelled, "cancelled")
        }),
        Request::ExamCheckIn { booking: key } => run.shared(move |ctx| {
            desk::booking::change(ctx, key, BookingStatus::CheckedIn, "checked in")
        }),
        Request::ExamNoShow { booking: key } => run.shared(move |ctx| {
            desk::booking::change(ctx, key, BookingStatus::NoShow, "marked no-show")
        }),
        Request::ExamDay { date } => run.shared(move |ctx| desk::booking::day(ctx, date)),
        Request::MayContact {
            id,
            channel,
            purpose,
        } => run.shared(move |ctx| desk::consent::check(ctx, &id, channel, purpose)),
        Request::PatientCreate { patient } => {
            run.shared(move |ctx| desk::patients::create(ctx, &patient))
        }
        Request::PatientGet { id } => run.shared(move |ctx| desk::patients::get(ctx, &id)),
        Request::PatientFind { kind, value } => {
            run.shared(move |ctx| desk::patients::find(ctx, kind, &value))
        }
        Request::PatientSearch { query, limit } => {
            run.shared(move |ctx| desk::patients::search(ctx, &query, limit))
        }
        Request::PatientSetRestricted { id, restricted } => {
            run.shared(move |ctx| desk::patients::set_restricted(ctx, &id, restricted))
        }
        Request::HealthGet { id } => run.shared(move |ctx| desk::patients::health_get(ctx, &id)),
        Request::HealthAmend {
            id,
            before,
            after,
            reason,
        } => run.shared(move |ctx| care::record::amend_health(ctx, &id, &before, &after, &reason)),
        Request::PatientAmend {
            id,
            before,
            after,
            reason,
        } => run.shared(move |ctx| {
            care::record::amend_demographics(ctx, &id, &before, &after, &reason)
        }),
        Request::RecordHistory { id, section } => {
            run.shared(move |ctx| care::record::history(ctx, &id, section))
        }
        Request::ResultsImport {
            incoming,
            rejected,
            create_patients,
        } => {
            run.shared(move |ctx| results::import::import(ctx, incoming, rejected, create_patients))
        }
        Request::Observations { id, code } => {
            run.shared(move |ctx| results::import::list(ctx, &id, code.as_deref()))
        }
        Request::ObservationAdd { id, observation } => {
            run.shared(move |ctx| results::import::add(ctx, &id, &observation))
        }
        Request::ReviewList => run.shared(results::review::review_list),
        Request::QuestionnaireList => run.shared(care::questionnaires::list),
        Request::IntakeGet => run.shared(care::intake::get),
        Request::RiskAssess { id } => run.shared(move |ctx| care::risk::assess(ctx, &id)),
        Request::RiskList { id } => run.shared(move |ctx| care::risk::list(ctx, &id)),
        Request::TagsEvaluate { id } => run.shared(move |ctx| care::auto_tags::evaluate(ctx, &id)),
        Request::TagsGet { id } => run.shared(move |ctx| care::auto_tags::get(ctx, &id)),
        Request::AdviceDraft { id, lang } => {
            run.shared(move |ctx| care::advice::draft(ctx, &id, lang))
        }
        Request::AdviceApprove { id, items } => {
            run.shared(move |ctx| care::advice::approve(ctx, &id, &items))
        }
        Request::AdviceList { id } => run.shared(move |ctx| care::advice::list(ctx, &id)),
        Request::PlanSet { id, plan, base } => {
            run.shared(move |ctx| care::plans::set(ctx, &id, &plan, base))
        }
        Request::PlanTemplates { id, lang } => {
            run.shared(move |ctx| care::plans::templates(ctx, &id, lang))
        }
        Request::PlanDraft { id, template, lang } => {
            run.shared(move |ctx| care::plans::draft(ctx, &id, &template, lang))
        }
        Request::PlanGet { id } => run.shared(move |ctx| care::plans::get(ctx, &id)),
        Request::SummaryDraft { id, period, lang } => {
            run.shared(move |ctx| care::summaries::draft(ctx, &id, period, lang))
        }
        Request::SummarySave {
            id,
            number,
            base,
            period,
            text,
        } => run.shared(move |ctx| care::summaries::save(ctx, &id, number, base, period, &text)),
        Request::SummarySign { id, number, base } => {
            run.shared(move |ctx| care::summaries::sign(ctx, &id, number, base))
        }
        Request::SummaryList { id } => run.shared(move |ctx| care::summaries::list(ctx, &id)),
        Request::ExamDraft { id, date } => {
            run.shared(move |ctx| results::exam_form::draft(ctx, &id, date))
        }
        Request::ExamSave {
            id,
            number,
            base,
            form,
        } => run.shared(move |ctx| results::exam_form::save(ctx, &id, number, base, &form)),
        Request::ExamList { id } => run.shared(move |ctx| results::exam_form::list(ctx, &id)),
        Request::ExamFormPrint {
            patient,
            number,
            output,
        } => run.shared(move |ctx| results::exam_form::print(ctx, &patient, number, &output)),
        Request::FollowUpChart { id } => run.shared(move |ctx| followup::plans::chart(ctx, &id)),
        Request::FollowUpPlanAdd {
            id,
            kind,
            interval_days,
            first_due,
            assigned,
        } => run.shared(move |ctx| {
            followup::plans::add_plan(ctx, &id, kind, interval_days, first_due, &assigned)
        }),
        Request::FollowUpPlanClose { id, plan, reason } => {
            run.shared(move |ctx| followup::plans::close_plan(ctx, &id, plan, reason))
        }
        Request::FollowUpSchedule => run.shared(followup::plans::schedule),
        Request::SchedulerRun { retag } => {
            run.shared(move |ctx| followup::plans::scheduler_run(ctx, retag))
        }
        Request::FollowUpQueue {
            filter,
            offset,
            limit,
        } => run.shared(move |ctx| followup::queue::queue(ctx, &filter, offset, limit)),
        Request::FollowUpClaim { key } => run.shared(move |ctx| followup::queue::claim(ctx, key)),
        Request::FollowUpRelease { key } => {
            run.shared(move |ctx| followup::queue::release(ctx, key))
        }
        Request::FollowUpCallView { key } => run.shared(move |ctx| followup::calls::view(ctx, key)),
        Request::FollowUpCallPreview { key, input } => {
            run.shared(move |ctx| followup::calls::preview(ctx, key, input))
        }
        Request::FollowUpCallSave { key, input } => {
            run.shared(move |ctx| followup::calls::save(ctx, key, input))
        }
        Request::RecordingBegin {
            key,
            extension,
            size,
            sha256,
        } => run.shared(move |ctx| followup::recordings::begin(ctx, key, &extension, size, sha256)),
        Request::RecordingChunk {
            patient,
            recording,
            index,
            bytes,
        } => run
            .shared(move |ctx| followup::recordings::chunk(ctx, &patient, recording, index, bytes)),
        Request::RecordingFinish { patient, recording } => {
            run.shared(move |ctx| followup::recordings::finish(ctx, &patient, recording))
        }
        Request::RecordingRead {
            patient,
            recording,
            index,
            export,
        } => run
            .shared(move |ctx| followup::recordings::read(ctx, &patient, recording, index, export)),
        Request::IntakeSubmit { id, answers } => {
            run.shared(move |ctx| care::intake::submit(ctx, &id, &answers))
        }
        Request::QuestionnaireSubmit { id, key, answers } => {
            run.shared(move |ctx| care::questionnaires::submit(ctx, &id, &key, &answers))
        }
        Request::ReviewMatch { number, id } => {
            run.shared(move |ctx| results::review::review_match(ctx, number, &id))
        }
        Request::ReviewCreate { number } => {
            run.shared(move |ctx| results::review::review_create(ctx, number))
        }
        Request::ReviewReject { number, reason } => {
            run.shared(move |ctx| results::review::review_reject(ctx, number, &reason))
        }
        Request::BreakGlass { id, reason } => {
            run.shared(move |ctx| desk::patients::break_glass(ctx, &id, &reason))
        }
        Request::UrgentAlerts { limit } => {
            run.shared(move |ctx| oversight::alerts::list(ctx, limit, true))
        }
        Request::AlertsList { limit } => {
            run.shared(move |ctx| oversight::alerts::list(ctx, limit, false))
        }
        Request::AlertAcknowledge { id, note } => {
            run.shared(move |ctx| oversight::alerts::acknowledge(ctx, id, &note))
        }
        Request::BackupCreate => run.shared(super::admin::backups::create),
        Request::PatientAccessLog { patient, from } => {
            run.shared(move |ctx| super::oversight::rights::access_log(ctx, &patient, from))
        }
        Request::Disclosures { patient } => {
            run.shared(move |ctx| super::oversight::rights::disclosures(ctx, &patient))
        }
        Request::BackupRead { name, offset, len } => {
            run.shared(move |ctx| super::admin::backups::read(ctx, &name, offset, len))
        }
        Request::BackupList => run.shared(super::admin::backups::list),
        Request::BackupOffsite {
            name,
            target,
            size,
            sha256,
            failure,
        } => run.shared(move |ctx| {
            super::admin::backups::offsite(ctx, &name, &target, size, &sha256, failure.as_deref())
        }),
        Request::AuditChain {
            from_seq,
            through,
            limit,
        } => run.shared(move |ctx| {
            let page = ctx
                .vault
                .store()
                .audit()
                .chain_page(from_seq, through, limit.clamp(1, 100_000) as usize)
                .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
            let detail = format!("from={from_seq} count={}", page.records.len());
            Ok(Reply::new(Response::AuditChain(Box::new(page.into()))).detail(detail))
        }),
        Request::AuditEvents {
            from,
            to,
            limit,
            after,
        } => run.shared(move |ctx| {
            let limit = limit.clamp(1, 100_000) as usize;
            let mut rows = Vec::new();
            let tree = ctx.vault.store().audit().tree();
            crate::audit::export::for_each_row_after(tree, ctx.vault, after, from, to, |row| {
                rows.push(row);
                Ok(rows.len() < limit)
            })
            .map_err(|e| ServiceError::Unavailable(text!("msg.store.failed", detail = e)))?;
            let count = rows.len();
            let rows = rows.into_iter().map(Into::into).collect();
            Ok(Reply::new(Response::AuditEvents(rows)).detail(format!("count={count}")))
        }),
        Request::Login { .. }
        | Request::ConfirmTotp { .. }
        | Request::Activate { .. }
        | Request::LoginKeyFile { .. } => {
            run.shared(|_| Err(ServiceError::Invalid(text!("msg.signon.already"))))
        }
    }
}
