//! The rest of the 规范's 高血压/2型糖尿病患者随访服务记录表 (国家基本公共卫生服务规范
//! 第三版, 2017): what a hypertension or diabetes follow-up records beyond the call's
//! outcome, visit kind, readings, checklist, adherence and side effects. Signs (target
//! weight, 足背动脉搏动), lifestyle advice now and as a target, HbA1c with its date,
//! 低血糖反应, the medicines, the clinician's 此次随访分类 and a referral's reason and
//! destination. Every field is optional: a phone call records what it can.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::followup::VisitClass;
use crate::i18n::Lang;

/// A value now and the target agreed for the next visit ("10/5": ten cigarettes a
/// day now, five by next time).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pair<T> {
    pub now: Option<T>,
    pub target: Option<T>,
}

impl<T> Default for Pair<T> {
    fn default() -> Self {
        Pair {
            now: None,
            target: None,
        }
    }
}

impl<T: Copy> Pair<T> {
    pub fn is_empty(&self) -> bool {
        self.now.is_none() && self.target.is_none()
    }
}

/// 足背动脉搏动 (diabetes): felt normally, weaker or absent, on which side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FootPulse {
    Normal,
    WeakBoth,
    WeakLeft,
    WeakRight,
    AbsentBoth,
    AbsentLeft,
    AbsentRight,
}

impl FootPulse {
    /// In the order the form lists them (typed 1–7).
    pub const ALL: [FootPulse; 7] = [
        FootPulse::Normal,
        FootPulse::WeakBoth,
        FootPulse::WeakLeft,
        FootPulse::WeakRight,
        FootPulse::AbsentBoth,
        FootPulse::AbsentLeft,
        FootPulse::AbsentRight,
    ];

    pub fn text(self, lang: Lang) -> &'static str {
        let zh = lang.is_chinese();
        match (self, zh) {
            (FootPulse::Normal, true) => "触及正常",
            (FootPulse::WeakBoth, true) => "减弱（双侧）",
            (FootPulse::WeakLeft, true) => "减弱（左侧）",
            (FootPulse::WeakRight, true) => "减弱（右侧）",
            (FootPulse::AbsentBoth, true) => "消失（双侧）",
            (FootPulse::AbsentLeft, true) => "消失（左侧）",
            (FootPulse::AbsentRight, true) => "消失（右侧）",
            (FootPulse::Normal, false) => "felt normally",
            (FootPulse::WeakBoth, false) => "weak, both feet",
            (FootPulse::WeakLeft, false) => "weak, left foot",
            (FootPulse::WeakRight, false) => "weak, right foot",
            (FootPulse::AbsentBoth, false) => "absent, both feet",
            (FootPulse::AbsentLeft, false) => "absent, left foot",
            (FootPulse::AbsentRight, false) => "absent, right foot",
        }
    }
}

/// 良好 / 一般 / 差: the form's grade for 心理调整 and 遵医行为.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Good,
    Fair,
    Poor,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::Good, Grade::Fair, Grade::Poor];

    pub fn text(self, lang: Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Grade::Good, true) => "良好",
            (Grade::Fair, true) => "一般",
            (Grade::Poor, true) => "差",
            (Grade::Good, false) => "good",
            (Grade::Fair, false) => "fair",
            (Grade::Poor, false) => "poor",
        }
    }
}

/// 摄盐情况 (hypertension): 轻 / 中 / 重.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Salt {
    Light,
    Moderate,
    Heavy,
}

impl Salt {
    pub const ALL: [Salt; 3] = [Salt::Light, Salt::Moderate, Salt::Heavy];

    pub fn text(self, lang: Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Salt::Light, true) => "轻",
            (Salt::Moderate, true) => "中",
            (Salt::Heavy, true) => "重",
            (Salt::Light, false) => "light",
            (Salt::Moderate, false) => "moderate",
            (Salt::Heavy, false) => "heavy",
        }
    }
}

/// 低血糖反应 (diabetes): 无 / 偶尔 / 频繁.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Hypoglycaemia {
    None,
    Occasional,
    Frequent,
}

impl Hypoglycaemia {
    pub const ALL: [Hypoglycaemia; 3] = [
        Hypoglycaemia::None,
        Hypoglycaemia::Occasional,
        Hypoglycaemia::Frequent,
    ];

    pub fn text(self, lang: Lang) -> &'static str {
        match (self, lang.is_chinese()) {
            (Hypoglycaemia::None, true) => "无",
            (Hypoglycaemia::Occasional, true) => "偶尔",
            (Hypoglycaemia::Frequent, true) => "频繁",
            (Hypoglycaemia::None, false) => "none",
            (Hypoglycaemia::Occasional, false) => "occasional",
            (Hypoglycaemia::Frequent, false) => "frequent",
        }
    }
}

/// One line of 用药情况: the drug and how it is taken ("5 mg once a day", "每日1次
/// 每次5mg").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medicine {
    pub name: String,
    pub usage: String,
}

/// What the form adds to a call. Empty for a call that reached nobody, and for
/// follow-ups of other kinds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StandardForm {
    /// 体重 (kg) now and the target; the weight now also joins the readings.
    pub weight: Pair<f64>,
    /// 足背动脉搏动 (diabetes).
    pub foot_pulse: Option<FootPulse>,
    /// 体征 其他.
    pub other_signs: String,
    /// 日吸烟量 (cigarettes a day).
    pub cigarettes: Pair<u32>,
    /// 日饮酒量 (两 a day, 50 g of liquor each).
    pub alcohol_liang: Pair<f64>,
    /// 运动: sessions a week.
    pub exercise_per_week: Pair<u32>,
    /// 运动: minutes a session.
    pub exercise_minutes: Pair<u32>,
    /// 摄盐情况 (hypertension).
    pub salt: Pair<Salt>,
    /// 主食 (diabetes): grams a day.
    pub staple_grams: Pair<u32>,
    /// 心理调整.
    pub psychology: Option<Grade>,
    /// 遵医行为.
    pub compliance: Option<Grade>,
    /// 辅助检查: 糖化血红蛋白 (%) and the day it was measured (diabetes).
    pub hba1c: Option<(f64, NaiveDate)>,
    /// 辅助检查: anything else, as written.
    pub other_tests: String,
    /// 低血糖反应 (diabetes).
    pub hypoglycaemia: Option<Hypoglycaemia>,
    /// 用药情况.
    pub medicines: Vec<Medicine>,
    /// 胰岛素: kind, and how it is used and how much.
    pub insulin: String,
    /// 此次随访分类 as the clinician chose it; `None` takes the protocol's.
    pub class: Option<VisitClass>,
    /// 转诊 原因, when the clinician refers.
    pub referral_reason: String,
    /// 转诊 机构及科别.
    pub referral_to: String,
}

// Values are checked finite before they are kept: equality is total.
impl Eq for StandardForm {}

/// Longest free text in a form field, in characters.
pub const MAX_FORM_TEXT: usize = 200;
/// How old an HbA1c may be, in years, to be recorded on a visit.
pub const HBA1C_YEARS: u32 = 2;
/// At most this many medicines (the paper form has room for three and insulin).
pub const MAX_MEDICINES: usize = 10;

impl StandardForm {
    pub fn is_empty(&self) -> bool {
        *self == StandardForm::default()
    }

    /// The first value out of its range, as (field key, what is allowed), so the desk
    /// and the service refuse the same things.
    pub fn problem(&self, today: NaiveDate) -> Option<(&'static str, String)> {
        let pair_f = |p: &Pair<f64>, low: f64, high: f64| {
            [p.now, p.target]
                .into_iter()
                .flatten()
                .any(|v| !v.is_finite() || !(low..=high).contains(&v))
        };
        let pair_u =
            |p: &Pair<u32>, high: u32| [p.now, p.target].into_iter().flatten().any(|v| v > high);
        if pair_f(&self.weight, 20.0, 300.0) {
            return Some(("call.form.weight", "20–300 kg".into()));
        }
        if pair_u(&self.cigarettes, 100) {
            return Some(("call.form.cigarettes", "0–100".into()));
        }
        if pair_f(&self.alcohol_liang, 0.0, 40.0) {
            return Some(("call.form.alcohol", "0–40".into()));
        }
        if pair_u(&self.exercise_per_week, 21) {
            return Some(("call.form.exercise_per_week", "0–21".into()));
        }
        if pair_u(&self.exercise_minutes, 600) {
            return Some(("call.form.exercise_minutes", "0–600".into()));
        }
        if pair_u(&self.staple_grams, 2000) {
            return Some(("call.form.staple", "0–2000 g".into()));
        }
        if let Some((value, day)) = self.hba1c {
            if !value.is_finite() || !(3.0..=20.0).contains(&value) {
                return Some(("call.form.hba1c", "3–20 %".into()));
            }
            // Measured by this visit, and recently enough to speak for it.
            let earliest = today
                .checked_sub_months(chrono::Months::new(12 * HBA1C_YEARS))
                .unwrap_or(today);
            if day > today || day < earliest {
                return Some(("call.form.hba1c", format!("{earliest} – {today}")));
            }
        }
        if self.medicines.len() > MAX_MEDICINES {
            return Some(("call.form.medicines", format!("≤ {MAX_MEDICINES}")));
        }
        let texts = [
            ("call.form.other_signs", &self.other_signs),
            ("call.form.other_tests", &self.other_tests),
            ("call.form.insulin", &self.insulin),
            ("call.form.referral_reason", &self.referral_reason),
            ("call.form.referral_to", &self.referral_to),
        ];
        let medicine_texts = self.medicines.iter().flat_map(|m| {
            [
                ("call.form.medicines", &m.name),
                ("call.form.medicines", &m.usage),
            ]
        });
        for (key, text) in texts.into_iter().chain(medicine_texts) {
            if text.chars().count() > MAX_FORM_TEXT {
                return Some((key, format!("≤ {MAX_FORM_TEXT}")));
            }
            // Control characters and bidirectional overrides would hide what a copy of
            // the printed form says.
            if !crate::domain::text::is_printable(text) || text.contains(['\n', '\t']) {
                return Some((key, "text".into()));
            }
        }
        if self.referral_reason.trim().is_empty() && !self.referral_to.trim().is_empty() {
            return Some(("call.form.referral_reason", String::new()));
        }
        None
    }
}

/// Full-width digits and marks (as Chinese input methods type them) as ASCII.
pub fn ascii_digits(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            '．' => '.',
            '／' => '/',
            '－' => '-',
            '％' => '%',
            '　' => ' ',
            other => other,
        })
        .collect()
}

/// "now/target" as typed: "10/5", "10/", "/5", "10" (now only); `None` when a side is
/// not a number.
pub fn parse_pair<T: std::str::FromStr>(text: &str) -> Option<Pair<T>> {
    let text = ascii_digits(text);
    let text = text.trim();
    if text.is_empty() {
        return Some(Pair {
            now: None,
            target: None,
        });
    }
    let side = |s: &str| -> Option<Option<T>> {
        let s = s.trim();
        if s.is_empty() {
            Some(None)
        } else {
            s.replace(',', ".").parse::<T>().ok().map(Some)
        }
    };
    let (now, target) = match text.split_once(['/', '／']) {
        Some((now, target)) => (side(now)?, side(target)?),
        None => (side(text)?, None),
    };
    Some(Pair { now, target })
}

/// A pair as the form prints it: "10 / 5", "10 / —".
pub fn pair_text<T: std::fmt::Display + Copy>(pair: &Pair<T>) -> String {
    if pair.is_empty() {
        return String::new();
    }
    let side = |v: Option<T>| v.map_or_else(|| "—".to_string(), |v| v.to_string());
    format!("{} / {}", side(pair.now), side(pair.target))
}

/// Medicines as typed: one per "；" or ";", the name before the first space, how it
/// is taken after it ("氨氯地平 每日1次 每次5mg; metformin 0.5 g three times a day").
pub fn parse_medicines(text: &str) -> Vec<Medicine> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(|m| match m.split_once(char::is_whitespace) {
            Some((name, usage)) => Medicine {
                name: name.trim().to_string(),
                usage: usage.trim().to_string(),
            },
            None => Medicine {
                name: m.to_string(),
                usage: String::new(),
            },
        })
        .collect()
}

/// Medicines as they are typed back into the form.
pub fn medicines_text(medicines: &[Medicine]) -> String {
    medicines
        .iter()
        .map(|m| {
            if m.usage.is_empty() {
                m.name.clone()
            } else {
                format!("{} {}", m.name, m.usage)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// "7.2 2026-11-30": HbA1c (%) and the day; `None` when either part does not read.
pub fn parse_hba1c(text: &str) -> Option<Option<(f64, NaiveDate)>> {
    let text = ascii_digits(text);
    let text = text.trim();
    if text.is_empty() {
        return Some(None);
    }
    let (value, day) = text.split_once(char::is_whitespace)?;
    let value = value
        .trim_end_matches('%')
        .replace(',', ".")
        .parse::<f64>()
        .ok()?;
    let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d").ok()?;
    Some(Some((value, day)))
}

/// How many follow-ups of a plan in `year` were face to face (at the clinic or at
/// home, the patient reached): the standard asks for four a year.
pub fn face_to_face_in_year(calls: &[super::followup::Call], plan: u32, year: i32) -> u32 {
    use super::followup::{Outcome, VisitKind};
    use chrono::Datelike;
    calls
        .iter()
        .filter(|c| c.plan == plan && c.input.outcome == Outcome::Reached)
        .filter(|c| matches!(c.input.visit, VisitKind::Clinic | VisitKind::Home))
        .filter(|c| crate::domain::time::clinic_zone().local(c.at).year() == year)
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_now_and_target_either_side_empty() {
        let p: Pair<u32> = parse_pair("10/5").unwrap();
        assert_eq!((p.now, p.target), (Some(10), Some(5)));
        let p: Pair<u32> = parse_pair("10").unwrap();
        assert_eq!((p.now, p.target), (Some(10), None));
        let p: Pair<f64> = parse_pair(" /2,5").unwrap();
        assert_eq!((p.now, p.target), (None, Some(2.5)));
        let p: Pair<u32> = parse_pair("３／５").unwrap();
        assert_eq!(
            (p.now, p.target),
            (Some(3), Some(5)),
            "full-width, as IMEs type"
        );
        assert!(parse_pair::<u32>("ten/5").is_none());
        assert_eq!(
            pair_text(&Pair {
                now: Some(10),
                target: None
            }),
            "10 / —"
        );
    }

    #[test]
    fn medicines_and_hba1c_read_back_as_typed() {
        let typed = "氨氯地平 每日1次 每次5mg; metformin 0.5 g three times a day；胰激肽";
        let medicines = parse_medicines(typed);
        assert_eq!(medicines.len(), 3);
        assert_eq!(medicines[0].name, "氨氯地平");
        assert_eq!(medicines[0].usage, "每日1次 每次5mg");
        assert_eq!(medicines[2].usage, "");
        assert_eq!(parse_medicines(&medicines_text(&medicines)), medicines);
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(parse_hba1c("7.2% 2026-11-30"), Some(Some((7.2, day))));
        assert_eq!(parse_hba1c(""), Some(None));
        assert_eq!(parse_hba1c("7.2"), None);
    }

    #[test]
    fn out_of_range_values_are_named() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let mut form = StandardForm::default();
        assert_eq!(form.problem(today), None);
        form.cigarettes.now = Some(400);
        assert_eq!(
            form.problem(today).map(|p| p.0),
            Some("call.form.cigarettes")
        );
        form.cigarettes.now = Some(10);
        form.hba1c = Some((7.0, today.succ_opt().unwrap()));
        assert_eq!(form.problem(today).map(|p| p.0), Some("call.form.hba1c"));
        form.hba1c = NaiveDate::from_ymd_opt(1900, 1, 1).map(|d| (7.0, d));
        assert_eq!(form.problem(today).map(|p| p.0), Some("call.form.hba1c"));
        form.hba1c = None;
        form.other_signs = "头晕\u{202e}evil".into();
        assert_eq!(
            form.problem(today).map(|p| p.0),
            Some("call.form.other_signs")
        );
        form.other_signs = String::new();
        form.hba1c = None;
        form.referral_to = "市第一医院 心内科".into();
        assert_eq!(
            form.problem(today).map(|p| p.0),
            Some("call.form.referral_reason")
        );
    }
}
