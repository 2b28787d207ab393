//! Calls as earlier versions kept them, read into today's `Call`. Format 1 had no
//! visit kind, checklist, class or reasons (every call then was a phone call; its class
//! follows from whether it was controlled); format 2 had no record form and no
//! protocol's class beside the clinician's.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::followup::{
    Adherence, Call, CallInput, Kind, Outcome, ReferralReason, VisitClass, VisitKind,
};
use crate::codec::{CodecError, decode_payload};

pub(super) fn migrate(version: u16, payload: &[u8]) -> Result<Call, CodecError> {
    let old: CallV2 = match version {
        1 => decode_payload::<CallV1>(payload)?.into(),
        2 => decode_payload(payload)?,
        other => return Err(CodecError::NoMigration(other)),
    };
    Ok(Call {
        plan: old.plan,
        seq: old.seq,
        kind: old.kind,
        input: CallInput {
            outcome: old.input.outcome,
            visit: old.input.visit,
            readings: old.input.readings,
            adherence: old.input.adherence,
            ticked: old.input.ticked,
            symptoms: old.input.symptoms,
            side_effects: old.input.side_effects,
            notes: old.input.notes,
            form: Default::default(),
        },
        by: old.by,
        at: old.at,
        controlled: old.controlled,
        referral: old.referral,
        next_due: old.next_due,
        class: old.class,
        reasons: old.reasons,
        suggested: None,
    })
}

/// A call's input as kept before visit kinds (format 1).
#[derive(Serialize, Deserialize)]
struct CallInputV1 {
    outcome: Outcome,
    readings: Vec<(String, f64)>,
    adherence: Option<Adherence>,
    symptoms: String,
    side_effects: String,
    notes: String,
}

/// A call as kept before visit kinds (format 1).
#[derive(Serialize, Deserialize)]
struct CallV1 {
    plan: u32,
    seq: u32,
    kind: Kind,
    input: CallInputV1,
    by: String,
    at: i64,
    controlled: Option<bool>,
    referral: bool,
    next_due: Option<NaiveDate>,
}

/// A call's input as kept before the record form (format 2).
#[derive(Serialize, Deserialize)]
struct CallInputV2 {
    outcome: Outcome,
    visit: VisitKind,
    readings: Vec<(String, f64)>,
    adherence: Option<Adherence>,
    ticked: Vec<String>,
    symptoms: String,
    side_effects: String,
    notes: String,
}

/// A call as kept before the record form (format 2).
#[derive(Serialize, Deserialize)]
struct CallV2 {
    plan: u32,
    seq: u32,
    kind: Kind,
    input: CallInputV2,
    by: String,
    at: i64,
    controlled: Option<bool>,
    referral: bool,
    next_due: Option<NaiveDate>,
    class: Option<VisitClass>,
    reasons: Vec<ReferralReason>,
}

impl From<CallV1> for CallV2 {
    fn from(old: CallV1) -> Self {
        let class = match (&old.input.outcome, old.controlled) {
            (Outcome::Reached, Some(true)) if old.input.side_effects.trim().is_empty() => {
                Some(VisitClass::Controlled)
            }
            (Outcome::Reached, Some(false)) => Some(VisitClass::Uncontrolled),
            (Outcome::Reached, Some(true)) => Some(VisitClass::AdverseReaction),
            _ => None,
        };
        CallV2 {
            plan: old.plan,
            seq: old.seq,
            kind: old.kind,
            input: CallInputV2 {
                outcome: old.input.outcome,
                visit: VisitKind::Phone,
                readings: old.input.readings,
                adherence: old.input.adherence,
                ticked: Vec::new(),
                symptoms: old.input.symptoms,
                side_effects: old.input.side_effects,
                notes: old.input.notes,
            },
            by: old.by,
            at: old.at,
            controlled: old.controlled,
            referral: old.referral,
            next_due: old.next_due,
            class,
            reasons: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored<T: Serialize>(version: u16, value: &T) -> Vec<u8> {
        crate::codec::encode_as(version, value)
    }

    fn v1() -> CallV1 {
        CallV1 {
            plan: 1,
            seq: 2,
            kind: Kind::Hypertension,
            input: CallInputV1 {
                outcome: Outcome::Reached,
                readings: vec![("systolic_bp".into(), 152.0)],
                adherence: Some(Adherence::Regular),
                symptoms: "dizzy".into(),
                side_effects: String::new(),
                notes: "note".into(),
            },
            by: "chen.jing".into(),
            at: 1_790_000_000,
            controlled: Some(false),
            referral: false,
            next_due: NaiveDate::from_ymd_opt(2026, 12, 7),
        }
    }

    #[test]
    fn version_1_calls_read_as_phone_calls() {
        let call: Call = crate::codec::decode(&stored(1, &v1())).unwrap();
        assert_eq!(call.input.visit, VisitKind::Phone);
        assert_eq!(
            call.input.readings,
            vec![("systolic_bp".to_string(), 152.0)]
        );
        assert_eq!(call.input.symptoms, "dizzy");
        assert!(call.input.ticked.is_empty() && call.reasons.is_empty());
        assert_eq!(call.class, Some(VisitClass::Uncontrolled));
        assert_eq!(call.next_due, NaiveDate::from_ymd_opt(2026, 12, 7));
        assert!(call.input.form.is_empty() && call.suggested.is_none());
        // And the current format reads back as written.
        let again: Call = crate::codec::decode(&crate::codec::encode(&call)).unwrap();
        assert_eq!(again, call);
    }

    #[test]
    fn version_2_calls_keep_their_visit_checklist_and_class() {
        let mut v2: CallV2 = v1().into();
        v2.input.visit = VisitKind::Clinic;
        v2.input.ticked = vec!["headache".into()];
        v2.reasons = vec![ReferralReason::Complication];
        let call: Call = crate::codec::decode(&stored(2, &v2)).unwrap();
        assert_eq!(call.input.visit, VisitKind::Clinic);
        assert_eq!(call.input.ticked, vec!["headache".to_string()]);
        assert_eq!(call.reasons, vec![ReferralReason::Complication]);
        assert!(call.input.form.is_empty());
    }
}
