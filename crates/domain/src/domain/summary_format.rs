//! Stage summaries as kept: the stored format's version, and how summaries kept in
//! older formats read (format 1 had no follow-up counts, format 2 did not count how
//! the follow-ups were made).

use serde::Deserialize;

use super::summary::{
    FollowUpCounts, GoalResult, IndicatorChange, Period, QuestionnaireResult, RiskChange,
    StageSummary, SummaryVersion,
};
use crate::codec::{CodecError, Versioned, decode_payload};

/// A summary as kept before follow-up counts were added (format 1).
#[derive(Deserialize)]
struct StageSummaryV1 {
    period: Period,
    indicators: Vec<IndicatorChange>,
    goals: Vec<GoalResult>,
    risks: Vec<RiskChange>,
    questionnaires: Vec<QuestionnaireResult>,
    advice: Vec<String>,
    text: String,
}

#[derive(Deserialize)]
struct SummaryVersionV1 {
    number: u32,
    summary: StageSummaryV1,
    by: String,
    at: i64,
    signed: Option<(String, i64)>,
}

/// Follow-up counts as kept before visit kinds (format 2).
#[derive(Deserialize)]
struct FollowUpCountsV2 {
    done: u32,
    missed: u32,
}

/// A summary as kept before visit kinds were counted (format 2).
#[derive(Deserialize)]
struct StageSummaryV2 {
    period: Period,
    indicators: Vec<IndicatorChange>,
    goals: Vec<GoalResult>,
    risks: Vec<RiskChange>,
    questionnaires: Vec<QuestionnaireResult>,
    advice: Vec<String>,
    text: String,
    follow_ups: FollowUpCountsV2,
}

#[derive(Deserialize)]
struct SummaryVersionV2 {
    number: u32,
    summary: StageSummaryV2,
    by: String,
    at: i64,
    signed: Option<(String, i64)>,
}

impl Versioned for SummaryVersion {
    const VERSION: u16 = 3;

    /// Format 1 had no follow-up counts: read as none counted. Format 2 did not count
    /// how the follow-ups were made: every call then was by phone.
    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        if version == 2 {
            let old: SummaryVersionV2 = decode_payload(payload)?;
            let s = old.summary;
            return Ok(SummaryVersion {
                number: old.number,
                summary: StageSummary {
                    period: s.period,
                    indicators: s.indicators,
                    goals: s.goals,
                    risks: s.risks,
                    questionnaires: s.questionnaires,
                    advice: s.advice,
                    text: s.text,
                    follow_ups: FollowUpCounts {
                        done: s.follow_ups.done,
                        missed: s.follow_ups.missed,
                        phone: s.follow_ups.done,
                        clinic: 0,
                        home: 0,
                    },
                },
                by: old.by,
                at: old.at,
                signed: old.signed,
            });
        }
        if version != 1 {
            return Err(CodecError::NoMigration(version));
        }
        let old: SummaryVersionV1 = decode_payload(payload)?;
        let s = old.summary;
        Ok(SummaryVersion {
            number: old.number,
            summary: StageSummary {
                period: s.period,
                indicators: s.indicators,
                goals: s.goals,
                risks: s.risks,
                questionnaires: s.questionnaires,
                advice: s.advice,
                text: s.text,
                follow_ups: FollowUpCounts::default(),
            },
            by: old.by,
            at: old.at,
            signed: old.signed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    fn period() -> Period {
        Period {
            from: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 9, 30).unwrap(),
        }
    }

    #[test]
    fn a_summary_kept_before_follow_up_counts_reads_with_none_counted() {
        #[derive(Serialize)]
        struct V1Summary {
            period: Period,
            indicators: Vec<IndicatorChange>,
            goals: Vec<GoalResult>,
            risks: Vec<RiskChange>,
            questionnaires: Vec<QuestionnaireResult>,
            advice: Vec<String>,
            text: String,
        }
        #[derive(Serialize)]
        struct V1 {
            number: u32,
            summary: V1Summary,
            by: String,
            at: i64,
            signed: Option<(String, i64)>,
        }
        let old = V1 {
            number: 3,
            summary: V1Summary {
                period: period(),
                indicators: vec![],
                goals: vec![],
                risks: vec![],
                questionnaires: vec![],
                advice: vec!["salt".into()],
                text: "Stable.".into(),
            },
            by: "dr.zhou".into(),
            at: 7,
            signed: Some(("dr.zhou".into(), 8)),
        };
        let mut bytes = 1u16.to_be_bytes().to_vec();
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let read: SummaryVersion = crate::codec::decode(&bytes).unwrap();
        assert_eq!((read.number, read.summary.text.as_str()), (3, "Stable."));
        assert_eq!(read.summary.follow_ups, FollowUpCounts::default());
        assert_eq!(read.signed, Some(("dr.zhou".into(), 8)));
    }

    #[test]
    fn a_summary_kept_before_visit_kinds_counts_its_calls_as_phone_calls() {
        #[derive(Serialize)]
        struct Counts {
            done: u32,
            missed: u32,
        }
        #[derive(Serialize)]
        struct V2Summary {
            period: Period,
            indicators: Vec<IndicatorChange>,
            goals: Vec<GoalResult>,
            risks: Vec<RiskChange>,
            questionnaires: Vec<QuestionnaireResult>,
            advice: Vec<String>,
            text: String,
            follow_ups: Counts,
        }
        #[derive(Serialize)]
        struct V2 {
            number: u32,
            summary: V2Summary,
            by: String,
            at: i64,
            signed: Option<(String, i64)>,
        }
        let old = V2 {
            number: 2,
            summary: V2Summary {
                period: period(),
                indicators: vec![],
                goals: vec![],
                risks: vec![],
                questionnaires: vec![],
                advice: vec![],
                text: "Calls.".into(),
                follow_ups: Counts { done: 3, missed: 1 },
            },
            by: "dr.zhou".into(),
            at: 7,
            signed: None,
        };
        let mut bytes = 2u16.to_be_bytes().to_vec();
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let read: SummaryVersion = crate::codec::decode(&bytes).unwrap();
        assert_eq!(read.summary.text, "Calls.");
        assert_eq!(
            read.summary.follow_ups,
            FollowUpCounts {
                done: 3,
                missed: 1,
                phone: 3,
                clinic: 0,
                home: 0
            }
        );
        let again: SummaryVersion = crate::codec::decode(&crate::codec::encode(&read)).unwrap();
        assert_eq!(again, read);
    }
}
