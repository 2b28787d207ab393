//! Routes a signed-in, authorised request to its handler.

use super::api::{Request, Response, ServiceError};
use super::service::{Ctx, Effect, Reply};
use super::{
    advice, alerts, auto_tags, booking, calls, cards, consent, export, followup_queue, followups,
    import, intake, keys, patients, plans, questionnaires, record, recordings, reports, results,
    results_review, risk, summaries, users,
};
use crate::clinic::api::Me;
use crate::domain::booking::BookingStatus;
use crate::store::StoreError;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Missing(what) => ServiceError::NotFound(what.to_string()),
            StoreError::Erased => ServiceError::NotFound("patient (the record was erased)".into()),
            StoreError::Invalid(message) => ServiceError::Invalid(message),
            other => ServiceError::Unavailable(other.to_string()),
        }
    }
}

pub(crate) fn dispatch(ctx: &Ctx<'_>, request: Request) -> Result<Reply, ServiceError> {
    match request {
        Request::Logout | Request::LogoutIdle => {
            Ok(Reply::new(Response::Done).effect(Effect::EndSession))
        }
        Request::HomeSummary => patients::home(ctx),
        Request::WhoAmI => Ok(Reply::new(Response::Me(Me {
            user: ctx.session.user.clone(),
            role: ctx.session.role,
            permissions: ctx.clinic.roles().permissions(ctx.session.role),
        }))),
        Request::ChangePassword { old, new } => users::change_password(ctx, &old, &new),
        Request::UserAdd { name, role } => users::add(ctx, &name, role),
        Request::UserList => users::list(ctx),
        Request::UserDisable { name } => users::set_disabled(ctx, &name, true),
        Request::UserEnable { name } => users::set_disabled(ctx, &name, false),
        Request::UserSetRole { name, role } => users::set_role(ctx, &name, role),
        Request::UserResetPassword { name } => users::reset_password(ctx, &name),
        Request::UserResetTotp { name } => users::reset_totp(ctx, &name),
        Request::RolesGet => Ok(Reply::new(Response::Roles(ctx.clinic.roles()))),
        Request::RolesSet { role, permissions } => {
            users::set_role_permissions(ctx, role, permissions)
        }
        Request::KeyFileAdd { label } => keys::add_file(ctx, &label),
        Request::KeySlots => keys::list(ctx),
        Request::ErasureRequest { patient, reason } => {
            super::erasure::request(ctx, &patient, &reason)
        }
        Request::ErasureList => super::erasure::list(ctx),
        Request::ErasureApprove { id } => super::erasure::approve(ctx, id),
        Request::KeySlotRemove { id } => keys::remove(ctx, id),
        Request::RecoveryKeyAdd => keys::add_recovery(ctx),
        // Need the store to themselves: `Clinic::handle` runs them (Flag::Exclusive)
        // before taking any lock this dispatch runs under.
        Request::KeyRotate { .. } | Request::AuditSealNow { .. } => Err(ServiceError::Invalid(
            "this request is run by the service itself".into(),
        )),
        Request::PatientRegister { patient, card_type } => {
            cards::register(ctx, patient, &card_type)
        }
        Request::CardIssue { id, card_type } => cards::issue(ctx, &id, &card_type),
        Request::CardReportLost { number } => cards::report_lost(ctx, &number),
        Request::CardCancel { number } => cards::cancel(ctx, &number),
        Request::PatientCards { id } => cards::list(ctx, &id),
        Request::PatientImport { rows } => import::patients(ctx, rows),
        Request::ConsentSet {
            id,
            channel,
            purpose,
            decision,
            method,
        } => consent::set(ctx, &id, channel, purpose, decision, method),
        Request::ConsentGet { id } => consent::get(ctx, &id),
        Request::PatientExport { key } => export::export(ctx, &key),
        Request::ReportCompose {
            patient,
            from,
            to,
            unmask,
            output,
        } => reports::compose(ctx, &patient, from, to, unmask, &output),
        Request::CardPrint { patient, output } => reports::card(ctx, &patient, &output),
        Request::PatientSetTags { id, tags } => patients::set_tags(ctx, &id, &tags),
        Request::ExamBook { id, package, date } => booking::book(ctx, &id, &package, date),
        Request::ExamReschedule { booking: key, date } => booking::reschedule(ctx, key, date),
        Request::ExamCancel { booking: key } => {
            booking::change(ctx, key, BookingStatus::Cancelled, "cancelled")
        }
        Request::ExamCheckIn { booking: key } => {
            booking::change(ctx, key, BookingStatus::CheckedIn, "checked in")
        }
        Request::ExamNoShow { booking: key } => {
            booking::change(ctx, key, BookingStatus::NoShow, "marked no-show")
        }
        Request::ExamDay { date } => booking::day(ctx, date),
        Request::MayContact {
            id,
            channel,
            purpose,
        } => consent::check(ctx, &id, channel, purpose),
        Request::PatientCreate { patient } => patients::create(ctx, &patient),
        Request::PatientGet { id } => patients::get(ctx, &id),
        Request::PatientFind { kind, value } => patients::find(ctx, kind, &value),
        Request::PatientSearch { query, limit } => patients::search(ctx, &query, limit),
        Request::PatientSetRestricted { id, restricted } => {
            patients::set_restricted(ctx, &id, restricted)
        }
        Request::HealthGet { id } => patients::health_get(ctx, &id),
        Request::HealthAmend {
            id,
            before,
            after,
            reason,
        } => record::amend_health(ctx, &id, &before, &after, &reason),
        Request::PatientAmend {
            id,
            before,
            after,
            reason,
        } => record::amend_demographics(ctx, &id, &before, &after, &reason),
        Request::RecordHistory { id, section } => record::history(ctx, &id, section),
        Request::ResultsImport {
            incoming,
            rejected,
            create_patients,
        } => results::import(ctx, &incoming, rejected, create_patients),
        Request::Observations { id, code } => results::list(ctx, &id, code.as_deref()),
        Request::ObservationAdd { id, observation } => results::add(ctx, &id, &observation),
        Request::ReviewList => results_review::review_list(ctx),
        Request::QuestionnaireList => questionnaires::list(ctx),
        Request::IntakeGet => intake::get(ctx),
        Request::RiskAssess { id } => risk::assess(ctx, &id),
        Request::RiskList { id } => risk::list(ctx, &id),
        Request::TagsEvaluate { id } => auto_tags::evaluate(ctx, &id),
        Request::TagsGet { id } => auto_tags::get(ctx, &id),
        Request::AdviceDraft { id, lang } => advice::draft(ctx, &id, lang),
        Request::AdviceApprove { id, items } => advice::approve(ctx, &id, &items),
        Request::AdviceList { id } => advice::list(ctx, &id),
        Request::PlanSet { id, plan, base } => plans::set(ctx, &id, &plan, base),
        Request::PlanTemplates { id, lang } => plans::templates(ctx, &id, lang),
        Request::PlanDraft { id, template, lang } => plans::draft(ctx, &id, &template, lang),
        Request::PlanGet { id } => plans::get(ctx, &id),
        Request::SummaryDraft { id, period, lang } => summaries::draft(ctx, &id, period, lang),
        Request::SummarySave {
            id,
            number,
            base,
            period,
            text,
        } => summaries::save(ctx, &id, number, base, period, &text),
        Request::SummarySign { id, number, base } => summaries::sign(ctx, &id, number, base),
        Request::SummaryList { id } => summaries::list(ctx, &id),
        Request::FollowUpChart { id } => followups::chart(ctx, &id),
        Request::FollowUpPlanAdd {
            id,
            kind,
            interval_days,
            first_due,
            assigned,
        } => followups::add_plan(ctx, &id, kind, interval_days, first_due, &assigned),
        Request::FollowUpPlanClose { id, plan, reason } => {
            followups::close_plan(ctx, &id, plan, reason)
        }
        Request::FollowUpSchedule => followups::schedule(ctx),
        Request::SchedulerRun { retag } => followups::scheduler_run(ctx, retag),
        Request::FollowUpQueue {
            filter,
            offset,
            limit,
        } => followup_queue::queue(ctx, &filter, offset, limit),
        Request::FollowUpClaim { key } => followup_queue::claim(ctx, key),
        Request::FollowUpRelease { key } => followup_queue::release(ctx, key),
        Request::FollowUpCallView { key } => calls::view(ctx, key),
        Request::FollowUpCallSave { key, input } => calls::save(ctx, key, input),
        Request::RecordingBegin {
            key,
            extension,
            size,
            sha256,
        } => recordings::begin(ctx, key, &extension, size, sha256),
        Request::RecordingChunk {
            patient,
            recording,
            index,
            bytes,
        } => recordings::chunk(ctx, &patient, recording, index, bytes),
        Request::RecordingFinish { patient, recording } => {
            recordings::finish(ctx, &patient, recording)
        }
        Request::RecordingRead {
            patient,
            recording,
            index,
            export,
        } => recordings::read(ctx, &patient, recording, index, export),
        Request::IntakeSubmit { id, answers } => intake::submit(ctx, &id, &answers),
        Request::QuestionnaireSubmit { id, key, answers } => {
            questionnaires::submit(ctx, &id, &key, &answers)
        }
        Request::ReviewMatch { number, id } => results_review::review_match(ctx, number, &id),
        Request::ReviewCreate { number } => results_review::review_create(ctx, number),
        Request::ReviewReject { number, reason } => {
            results_review::review_reject(ctx, number, &reason)
        }
        Request::BreakGlass { id, reason } => patients::break_glass(ctx, &id, &reason),
        Request::UrgentAlerts { limit } => alerts::list(ctx, limit, true),
        Request::AlertsList { limit } => alerts::list(ctx, limit, false),
        Request::AlertAcknowledge { id, note } => alerts::acknowledge(ctx, id, &note),
        Request::BackupCreate => super::backups::create(ctx),
        Request::PatientAccessLog { patient, from } => {
            super::rights::access_log(ctx, &patient, from)
        }
        Request::Disclosures { patient } => super::rights::disclosures(ctx, &patient),
        Request::BackupRead { name, offset, len } => super::backups::read(ctx, &name, offset, len),
        Request::AuditChain {
            from_seq,
            through,
            limit,
        } => {
            let page = ctx
                .vault
                .store()
                .audit()
                .chain_page(from_seq, through, limit.clamp(1, 100_000) as usize)
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            let detail = format!("from={from_seq} count={}", page.records.len());
            Ok(Reply::new(Response::AuditChain(Box::new(page.into()))).detail(detail))
        }
        Request::AuditEvents {
            from,
            to,
            limit,
            after,
        } => {
            let limit = limit.clamp(1, 100_000) as usize;
            let mut rows = Vec::new();
            let tree = ctx.vault.store().audit().tree();
            crate::audit::export::for_each_row_after(tree, ctx.vault, after, from, to, |row| {
                rows.push(row);
                Ok(rows.len() < limit)
            })
            .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            let count = rows.len();
            let rows = rows.into_iter().map(Into::into).collect();
            Ok(Reply::new(Response::AuditEvents(rows)).detail(format!("count={count}")))
        }
        Request::Login { .. }
        | Request::ConfirmTotp { .. }
        | Request::Activate { .. }
        | Request::LoginKeyFile { .. } => Err(ServiceError::Invalid("already signed in".into())),
    }
}
