//! A follow-up's flag: why the team must look at it. Stored as the English sentence the
//! service writes (in the item, its exports and its audit details), and read back here
//! into what it says, so a screen words it in its own language. A flag written by
//! another version and not known here is shown as it was written.

use super::followup::ReferralReason;
use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// Every try of the protocol made without reaching the patient.
    NotReached {
        tries: u32,
    },
    WrongNumber,
    /// Three follow-ups in a row missed.
    LostToFollowUp,
    /// An emergency referral for a reading at an emergency threshold.
    EmergencyReading,
    /// An emergency referral for a danger sign the nurse ticked.
    EmergencySign,
    /// A referral for a reason other than an emergency.
    Referral(ReferralReason),
    /// The clinician referred (their words stay on the call, not in the flag).
    ClinicianReferral,
}

impl Flag {
    /// The flag a referral reason gives the follow-up.
    pub fn of_referral(reason: &ReferralReason) -> Flag {
        match reason {
            ReferralReason::Reading { .. } => Flag::EmergencyReading,
            ReferralReason::Sign { .. } => Flag::EmergencySign,
            ReferralReason::Clinician { .. } => Flag::ClinicianReferral,
            other => Flag::Referral(other.clone()),
        }
    }

    /// The flag in `lang`; English is what is stored.
    pub fn text(&self, lang: Lang) -> String {
        let zh = lang.is_chinese();
        match (self, zh) {
            (Flag::NotReached { tries }, false) => format!("not reached after {tries} tries"),
            (Flag::NotReached { tries }, true) => format!("拨打{tries}次均未接通"),
            (Flag::WrongNumber, false) => "wrong number: check the phone number".into(),
            (Flag::WrongNumber, true) => "号码错误：请核对电话号码".into(),
            (Flag::LostToFollowUp, false) => {
                "lost to follow-up: three follow-ups missed in a row".into()
            }
            (Flag::LostToFollowUp, true) => "失访：连续三次随访未完成".into(),
            (Flag::EmergencyReading, false) => {
                "emergency referral: a reading at the emergency threshold".into()
            }
            (Flag::EmergencyReading, true) => "紧急转诊：读数达到紧急阈值".into(),
            (Flag::EmergencySign, false) => "emergency referral: a danger sign".into(),
            (Flag::EmergencySign, true) => "紧急转诊：出现危险症状".into(),
            (Flag::ClinicianReferral, false) => "referral: the clinician refers".into(),
            (Flag::ClinicianReferral, true) => "转诊：医生决定转诊".into(),
            (Flag::Referral(reason), false) => format!("referral: {}", reason.text(lang)),
            (Flag::Referral(reason), true) => format!("转诊：{}", reason.text(lang)),
        }
    }

    /// What a stored flag says, when this version wrote it.
    pub fn parse(stored: &str) -> Option<Flag> {
        let number = |text: &str| text.trim().parse::<u32>().ok();
        if let Some(rest) = stored.strip_prefix("not reached after ") {
            return Some(Flag::NotReached {
                tries: number(rest.strip_suffix(" tries")?)?,
            });
        }
        if stored == Flag::ClinicianReferral.text(Lang::En) {
            return Some(Flag::ClinicianReferral);
        }
        if let Some(rest) = stored.strip_prefix("referral: ") {
            let reason = if let Some(n) = rest
                .strip_prefix("not controlled at ")
                .and_then(|r| r.strip_suffix(" visits in a row"))
            {
                ReferralReason::Uncontrolled { visits: number(n)? }
            } else if let Some(n) = rest
                .strip_prefix("adverse drug reaction at ")
                .and_then(|r| r.strip_suffix(" visits in a row"))
            {
                ReferralReason::AdverseReaction { visits: number(n)? }
            } else {
                (rest == ReferralReason::Complication.text(Lang::En))
                    .then_some(ReferralReason::Complication)?
            };
            return Some(Flag::Referral(reason));
        }
        [
            Flag::WrongNumber,
            Flag::LostToFollowUp,
            Flag::EmergencyReading,
            Flag::EmergencySign,
        ]
        .into_iter()
        .find(|flag| flag.text(Lang::En) == stored)
    }
}

/// A stored flag in `lang` (as written when this version does not know it).
pub fn flag_text(stored: &str, lang: Lang) -> String {
    Flag::parse(stored).map_or_else(|| stored.to_string(), |flag| flag.text(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_reads_back_from_what_is_stored_and_has_chinese() {
        let flags = [
            Flag::NotReached { tries: 3 },
            Flag::WrongNumber,
            Flag::LostToFollowUp,
            Flag::EmergencyReading,
            Flag::EmergencySign,
            Flag::Referral(ReferralReason::Uncontrolled { visits: 2 }),
            Flag::Referral(ReferralReason::AdverseReaction { visits: 2 }),
            Flag::Referral(ReferralReason::Complication),
            Flag::ClinicianReferral,
        ];
        for flag in flags {
            let stored = flag.text(Lang::En);
            assert_eq!(Flag::parse(&stored), Some(flag.clone()), "{stored}");
            let chinese = flag.text(Lang::ZhCn);
            assert!(
                !chinese.chars().any(|c| c.is_ascii_alphabetic()),
                "{chinese}"
            );
        }
        assert_eq!(flag_text("something older", Lang::ZhCn), "something older");
    }
}
