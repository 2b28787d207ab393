//! The lists' columns and rows, from the service's reply (`Rows`), in the desk's
//! language.

use super::ListKind;
use crate::clinic::ServiceError;
use crate::clinic::api::{ExamDay, ReviewItem, UserSummary};
use crate::clinic::oversight::alerts::AlertView;
use crate::clinic::oversight::rights::{Access, DisclosureAccount};
use crate::clinic::wire::AuditEntry;
use crate::domain::time::format_time;
use crate::i18n::Locale;
use crate::tui::signin::error_text;

pub fn title_key(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Alerts => "menu.alerts",
        ListKind::Audit => "menu.audit",
        ListKind::Users => "menu.users",
        ListKind::ExamDay => "menu.exam_day",
        ListKind::Review => "menu.review",
        ListKind::PatientAccess => "menu.patient_access",
        ListKind::Disclosures => "menu.disclosures",
        ListKind::RightsLog => "menu.rights_log",
        ListKind::Retention => "menu.retention",
    }
}

/// A list's rows as the service gave them, one kind per kind of list (each asked for
/// as its own reply type: `List::ask`). No `Debug`: the rows name patients.
pub enum Rows {
    Review(Vec<ReviewItem>),
    Alerts(Vec<AlertView>),
    Audit(Vec<AuditEntry>),
    Users(Vec<UserSummary>),
    ExamDay(ExamDay),
    Access(Vec<Access>),
    Disclosures(Box<DisclosureAccount>),
    RightsLog(Vec<crate::clinic::oversight::rights_requests::RightsRequestRow>),
    Retention(Vec<crate::clinic::oversight::retention::RetentionRow>),
}

/// Column headers and rows for a list reply (an error as one row saying why).
pub fn table(
    locale: &Locale,
    rows: &Result<Rows, ServiceError>,
) -> (Vec<String>, Vec<Vec<String>>) {
    let h = |keys: &[&str]| keys.iter().map(|k| locale.t(k)).collect::<Vec<_>>();
    match rows {
        Ok(Rows::Review(items)) => (
            h(&[
                "review.origin",
                "review.sender_ids",
                "review.name",
                "review.results",
            ]),
            items
                .iter()
                .map(|i| {
                    vec![
                        i.origin.clone(),
                        i.patient_ids.join(" "),
                        i.patient
                            .as_ref()
                            .map(|p| p.name.clone())
                            .unwrap_or_default(),
                        if i.unread.is_empty() {
                            i.results.to_string()
                        } else {
                            locale.tf(
                                "review.with_unread",
                                &[
                                    ("results", &i.results.to_string()),
                                    ("unread", &i.unread.len().to_string()),
                                ],
                            )
                        },
                    ]
                })
                .collect(),
        ),
        Ok(Rows::Alerts(alerts)) => (
            h(&[
                "list.time",
                "list.kind",
                "list.subjects",
                "list.detail",
                "list.status",
            ]),
            alerts
                .iter()
                .map(|a| {
                    vec![
                        format_time(a.time_unix),
                        locale.t(&format!("alert.{}", a.kind.as_str())),
                        a.subjects.join(" "),
                        locale.text(&a.detail),
                        match &a.acknowledged {
                            Some(ack) => locale.tf("alert.done_by", &[("user", &ack.by)]),
                            None => locale.t("alert.open"),
                        },
                    ]
                })
                .collect(),
        ),
        Ok(Rows::Audit(rows)) => (
            h(&[
                "list.seq",
                "list.time",
                "list.user",
                "list.action",
                "list.outcome",
                "list.detail",
            ]),
            rows.iter()
                .rev()
                .map(|r| {
                    vec![
                        r.seq.to_string(),
                        crate::domain::time::format_logged(&r.time),
                        r.user.clone(),
                        r.action.clone(),
                        r.outcome.clone(),
                        r.detail.clone(),
                    ]
                })
                .collect(),
        ),
        Ok(Rows::Users(users)) => (
            h(&[
                "list.user",
                "list.role",
                "list.status",
                "list.totp",
                "list.last_sign_on",
            ]),
            users
                .iter()
                .map(|u| {
                    let status = if u.disabled {
                        "status.disabled"
                    } else if u.locked {
                        "status.locked"
                    } else if u.must_change_password {
                        "status.not_activated"
                    } else {
                        "status.active"
                    };
                    vec![
                        u.name.clone(),
                        locale.t(&format!("role.{}", u.role.as_str())),
                        locale.t(status),
                        locale.t(if u.totp_enrolled {
                            "status.enrolled"
                        } else {
                            "status.pending"
                        }),
                        u.last_sign_on_unix
                            .map(format_time)
                            .unwrap_or_else(|| locale.t("home.never")),
                    ]
                })
                .collect(),
        ),
        Ok(Rows::ExamDay(day)) => {
            let mut rows: Vec<Vec<String>> = day
                .places
                .iter()
                .map(|(package, taken, capacity)| {
                    vec![
                        locale.tf(
                            "exam.places",
                            &[
                                ("taken", &taken.to_string()),
                                ("capacity", &capacity.to_string()),
                            ],
                        ),
                        package.clone(),
                        String::new(),
                    ]
                })
                .collect();
            rows.extend(day.bookings.iter().map(|(booking, name)| {
                vec![
                    name.clone(),
                    booking.package.clone(),
                    locale.t(&format!("exam.{}", booking.status.as_str())),
                ]
            }));
            (h(&["exam.patient", "exam.package", "exam.status"]), rows)
        }
        Ok(Rows::Access(entries)) => (
            h(&[
                "list.time",
                "list.user",
                "list.role",
                "list.action",
                "list.outcome",
                "list.detail",
            ]),
            entries
                .iter()
                .rev()
                .map(|e| {
                    vec![
                        crate::domain::time::format_logged(&e.time),
                        e.user.clone(),
                        e.role.clone(),
                        e.action.clone(),
                        e.outcome.clone(),
                        e.detail.clone(),
                    ]
                })
                .collect(),
        ),
        Ok(Rows::Retention(due)) => (
            h(&[
                "retention.record_number",
                "retention.name",
                "retention.last_activity",
                "retention.ended",
                "retention.state",
            ]),
            due.iter()
                .map(|r| {
                    vec![
                        r.record_number
                            .as_deref()
                            .map(crate::domain::record_number::grouped)
                            .unwrap_or_else(|| "-".into()),
                        r.name.clone(),
                        r.last_activity.to_string(),
                        r.expired_on.to_string(),
                        locale.t(if r.stored_only {
                            "retention.stored_only"
                        } else {
                            "retention.to_review"
                        }),
                    ]
                })
                .collect(),
        ),
        Ok(Rows::RightsLog(requests)) => (
            h(&[
                "rights_log.number",
                "rights_log.patient",
                "rights_log.kind",
                "rights_log.received",
                "rights_log.due",
                "rights_log.state",
                "rights_log.asked",
            ]),
            requests
                .iter()
                .map(|row| {
                    let r = &row.request;
                    let state = match &r.answer {
                        // The day it was answered is in the row's details below.
                        Some(a) => locale.t(&format!("rights_log.outcome.{}", a.outcome.name())),
                        None if row.overdue => locale.t("rights_log.overdue"),
                        None => locale.t("rights_log.open"),
                    };
                    vec![
                        r.id.to_string(),
                        row.patient_name.clone(),
                        locale.t(&format!("rights_log.right.{}", r.kind.name())),
                        r.received_on.to_string(),
                        r.due_on.to_string(),
                        state,
                        r.asked.replace('\n', " "),
                    ]
                })
                .collect(),
        ),
        Ok(Rows::Disclosures(account)) => (
            h(&[
                "disclosures.date",
                "disclosures.recipient",
                "disclosures.description",
                "disclosures.purpose",
                "disclosures.by",
            ]),
            account
                .disclosures
                .iter()
                .map(|d| {
                    let [recipient, description, purpose] =
                        crate::report::disclosures::worded(d, locale);
                    vec![
                        d.date.clone(),
                        recipient,
                        description,
                        purpose,
                        d.by.clone(),
                    ]
                })
                .collect(),
        ),
        Err(e) => (
            vec![locale.t("list.error")],
            vec![vec![error_text(locale, e)]],
        ),
    }
}
