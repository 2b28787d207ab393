//! The health report's content: what the service sent, as blocks in the reader's
//! language. Sections the service left out (a role without clinical access) are not
//! printed at all.

use chrono::{DateTime, Datelike, NaiveDate};

use super::care_sections;
use super::document::{Block, Cell, Chart, Column, Document, Table};
use crate::clinic::care::reports::{ClinicalPart, ReportData};
use crate::domain::assessment::Outcome as RiskOutcome;
use crate::domain::patient::Sex;
use crate::domain::questionnaire;
use crate::domain::summary_text::{model_label, outcome_text};
use crate::domain::trend::{self, Series};
use crate::i18n::{Lang, Locale};

/// At most this many trend charts (the indicators a clinic follows most come first).
const MAX_CHARTS: usize = 6;
/// The indicators charted first, in this order.
const KEY_INDICATORS: &[&str] = &[
    "systolic_bp",
    "diastolic_bp",
    "glucose_fasting",
    "hba1c",
    "bmi",
    "ldl",
    "cholesterol_total",
    "weight",
];

/// A UCUM unit as people write it.
pub fn unit_text(ucum: &str) -> String {
    match ucum {
        "mm[Hg]" => "mmHg".into(),
        "kg/m2" => "kg/m²".into(),
        "umol/L" => "µmol/L".into(),
        "mL/min/{1.73_m2}" => "mL/min/1.73m²".into(),
        "10*9/L" => "×10⁹/L".into(),
        "10*12/L" => "×10¹²/L".into(),
        other => other.to_string(),
    }
}

/// A catalog text, or `raw` when the catalog has none for it.
fn known(loc: &Locale, key: &str, raw: &str) -> String {
    let text = loc.t(key);
    if text == key { raw.to_string() } else { text }
}

pub fn date_of(at: i64) -> String {
    DateTime::from_timestamp(at, 0)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// A time on the clinic's clock (`domain::time`).
fn minute_of(at: i64) -> String {
    crate::domain::time::format_time(at)
}

fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

fn number(value: f64, decimals: u8) -> String {
    format!("{value:.*}", usize::from(decimals))
}

pub fn build(data: &ReportData, lang: Lang) -> Document {
    let loc = Locale::new(lang);
    let zh = lang == Lang::ZhCn;
    let mut letterhead = vec![data.clinic.name.clone()];
    let contact: Vec<&str> = [data.clinic.address.as_str(), data.clinic.phone.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !contact.is_empty() {
        letterhead.push(contact.join(" · "));
    }
    let mut blocks = vec![Block::Heading(loc.t("report.patient"))];
    blocks.push(Block::Fields(identity(data, &loc)));
    if data.unmasked {
        blocks.push(Block::Note(
            loc.tf("report.unmasked", &[("by", &data.printed_by)]),
        ));
    }
    match &data.clinical {
        Some(clinical) => clinical_blocks(data, clinical, &loc, zh, &mut blocks),
        None => blocks.push(Block::Note(loc.t("report.identity_only"))),
    }
    blocks.push(Block::Signature(vec![
        loc.t("report.signature"),
        loc.t("report.signature_date"),
    ]));
    Document {
        title: loc.t("report.title"),
        letterhead,
        confidential: loc.t("report.confidential"),
        printed: loc.tf(
            "report.printed",
            &[
                ("at", &minute_of(data.printed_at)),
                ("by", &data.printed_by),
            ],
        ),
        page_label: loc.t("report.page"),
        paper: data.layout.paper,
        lang: if zh { "zh-CN".into() } else { "en".into() },
        blocks,
    }
}

fn identity(data: &ReportData, loc: &Locale) -> Vec<(String, String)> {
    let p = &data.patient;
    let none = "—".to_string();
    let born = p
        .birth_date
        .map(|b| {
            let age = age_on(b, data.period.to).to_string();
            format!("{b} ({})", loc.tf("report.age", &[("age", &age)]))
        })
        .unwrap_or_else(|| none.clone());
    let card = data
        .card
        .as_ref()
        .map(|c| {
            loc.tf(
                "report.card_line",
                &[
                    ("number", &c.number),
                    ("type", &c.card_type),
                    ("until", &c.valid_until.to_string()),
                ],
            )
        })
        .unwrap_or_else(|| loc.t("report.no_card"));
    vec![
        (loc.t("report.name"), p.name.clone()),
        (
            loc.t("report.sex"),
            loc.t(match p.sex {
                Sex::Female => "report.sex_value.female",
                Sex::Male => "report.sex_value.male",
                Sex::Other => "report.sex_value.other",
                Sex::Unknown => "report.sex_value.unknown",
            }),
        ),
        (loc.t("report.born"), born),
        (
            loc.t("report.id_number"),
            p.id_number.clone().unwrap_or_else(|| none.clone()),
        ),
        (
            loc.t("report.phone"),
            p.phone.clone().unwrap_or_else(|| none.clone()),
        ),
        (loc.t("report.card"), card),
        (
            loc.t("record.number"),
            p.record_number
                .as_deref()
                .map(crate::domain::record_number::grouped)
                .unwrap_or_else(|| none.clone()),
        ),
        (
            loc.t("report.period"),
            format!("{} – {}", data.period.from, data.period.to),
        ),
    ]
}

fn clinical_blocks(
    data: &ReportData,
    c: &ClinicalPart,
    loc: &Locale,
    zh: bool,
    blocks: &mut Vec<Block>,
) {
    let (start, _) = data.period.bounds();
    let series = trend::series(
        &c.observations,
        data.units,
        data.patient.sex,
        crate::i18n::Lang::from_chinese(zh),
    );
    // Indicators with a result in the period; "previous" may be older.
    let current: Vec<&Series> = series
        .iter()
        .filter(|s| s.latest().is_some_and(|p| p.taken_at >= start))
        .collect();
    blocks.push(Block::Heading(loc.t("report.indicators")));
    if current.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_results")));
    } else {
        blocks.push(Block::Table(indicator_table(&current, loc)));
    }

    // The key indicators first, each over the years up to the period's end.
    let key_rank = |s: &Series| {
        s.indicator
            .and_then(|i| KEY_INDICATORS.iter().position(|k| *k == i.key))
            .unwrap_or(KEY_INDICATORS.len())
    };
    let mut charted: Vec<&&Series> = current.iter().filter(|s| s.points.len() >= 2).collect();
    charted.sort_by_key(|s| key_rank(s));
    let charts: Vec<Chart> = charted
        .into_iter()
        .take(MAX_CHARTS)
        .map(|s| Chart {
            title: s.name.clone(),
            unit: unit_text(&s.unit),
            points: s.points.iter().map(|p| (p.taken_at, p.value)).collect(),
            low: s.low,
            high: s.high,
            decimals: s.decimals,
        })
        .collect();
    if !charts.is_empty() {
        blocks.push(Block::Heading(loc.t("report.trends")));
        blocks.push(Block::Charts(charts));
        blocks.push(Block::Note(loc.t("report.trend_note")));
    }

    questionnaires(c, loc, zh, blocks);
    risks(c, loc, zh, blocks);

    blocks.push(Block::Heading(loc.t("report.tags")));
    if c.auto_tags.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_tags")));
    } else {
        blocks.push(Block::Bullets(
            c.auto_tags
                .iter()
                .map(|t| {
                    let since = loc.tf("report.since", &[("date", &date_of(t.since))]);
                    // The shipped rules' tags in the reader's language; a clinic's
                    // own as its rule file writes them.
                    let tag = known(loc, &format!("tag.{}", t.tag), &t.tag);
                    format!("{tag} ({since})")
                })
                .collect(),
        ));
    }

    blocks.push(Block::Heading(loc.t("report.advice")));
    if c.advice.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_advice")));
    }
    for given in &c.advice {
        blocks.push(Block::Bullets(
            given.items.iter().map(|i| i.text.clone()).collect(),
        ));
        blocks.push(Block::Note(loc.tf(
            "report.advice_by",
            &[("by", &given.by), ("date", &date_of(given.at))],
        )));
    }

    care_sections::plan(c, loc, zh, blocks);
    care_sections::summary(c, loc, blocks);
    care_sections::followups(c, loc, zh, blocks);
}

fn indicator_table(series: &[&Series], loc: &Locale) -> Table {
    let column = |key: &str, share: f32, align_right: bool| Column {
        title: loc.t(key),
        share,
        align_right,
    };
    let rows = series
        .iter()
        .filter_map(|s| {
            let latest = s.latest()?;
            let n = s.points.len();
            let previous = (n >= 2).then(|| &s.points[n - 2]);
            let unit = unit_text(&s.unit);
            let value = |v: f64| format!("{} {unit}", number(v, s.decimals));
            let flag = match (s.low, s.high) {
                (_, Some(high)) if latest.value > high => loc.t("report.high"),
                (Some(low), _) if latest.value < low => loc.t("report.low"),
                _ => String::new(),
            };
            let range = match (s.low, s.high) {
                (Some(l), Some(h)) => {
                    format!("{}–{}", number(l, s.decimals), number(h, s.decimals))
                }
                (Some(l), None) => format!("≥ {}", number(l, s.decimals)),
                (None, Some(h)) => format!("≤ {}", number(h, s.decimals)),
                (None, None) => "—".into(),
            };
            let change = s
                .change_since_previous()
                .map(|d| {
                    let sign = if d > 0.0 { "+" } else { "" };
                    format!("{sign}{}", number(d, s.decimals))
                })
                .unwrap_or_else(|| "—".into());
            Some(vec![
                Cell::plain(s.name.clone()),
                Cell::alert(
                    format!("{}  {}", value(latest.value), date_of(latest.taken_at)),
                    !flag.is_empty(),
                ),
                Cell::plain(
                    previous
                        .map(|p| format!("{}  {}", value(p.value), date_of(p.taken_at)))
                        .unwrap_or_else(|| "—".into()),
                ),
                Cell::plain(change),
                Cell::plain(range),
                Cell::alert(flag.clone(), !flag.is_empty()),
            ])
        })
        .collect();
    Table {
        columns: vec![
            column("report.indicator", 0.22, false),
            column("report.latest", 0.24, true),
            column("report.previous", 0.24, true),
            column("report.change", 0.09, true),
            column("report.range", 0.13, true),
            column("report.flag", 0.08, false),
        ],
        rows,
    }
}

fn questionnaires(c: &ClinicalPart, loc: &Locale, zh: bool, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(loc.t("report.questionnaires")));
    if c.questionnaires.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_questionnaires")));
        return;
    }
    let definitions = questionnaire::built_in();
    let rows = c
        .questionnaires
        .iter()
        .map(|q| {
            let definition = definitions.iter().find(|d| d.key == q.key);
            let name = definition
                .map(|d| d.name.get(crate::i18n::Lang::from_chinese(zh)).to_string())
                .unwrap_or_else(|| q.key.clone());
            let band = definition
                .and_then(|d| d.bands.iter().find(|b| b.en == q.scored.band))
                .map(|b| if zh { b.zh.clone() } else { b.en.clone() })
                .unwrap_or_else(|| q.scored.band.clone());
            vec![
                Cell::plain(name),
                Cell::plain(date_of(q.at)),
                Cell::plain(q.scored.total.to_string()),
                Cell::alert(band, !q.scored.urgent.is_empty()),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: vec![
            col(loc, "report.questionnaire", 0.4, false),
            col(loc, "report.date", 0.18, false),
            col(loc, "report.score", 0.12, true),
            col(loc, "report.band", 0.3, false),
        ],
        rows,
    }));
}

pub(super) fn col(loc: &Locale, key: &str, share: f32, align_right: bool) -> Column {
    Column {
        title: loc.t(key),
        share,
        align_right,
    }
}

fn risks(c: &ClinicalPart, loc: &Locale, zh: bool, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(loc.t("report.risks")));
    if c.assessments.is_empty() {
        blocks.push(Block::Note(loc.t("report.no_risks")));
        return;
    }
    let rows = c
        .assessments
        .iter()
        .map(|a| {
            let band = match &a.outcome {
                RiskOutcome::Risk {
                    band, chinese_band, ..
                } => match (zh, chinese_band) {
                    (true, Some(cn)) => cn.clone(),
                    _ => band.clone(),
                },
                RiskOutcome::Score { band, .. } => band.clone(),
                RiskOutcome::Refused(_) => String::new(),
            };
            let high = band.contains("high");
            let band = if band.is_empty() {
                "—".to_string()
            } else {
                known(loc, &format!("risk.band.{band}"), &band)
            };
            vec![
                Cell::plain(format!(
                    "{} v{}",
                    model_label(&a.model, &a.name, crate::i18n::Lang::from_chinese(zh)),
                    a.version
                )),
                Cell::plain(date_of(a.at)),
                Cell::plain(outcome_text(
                    &a.outcome,
                    crate::i18n::Lang::from_chinese(zh),
                )),
                Cell::alert(band, high),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: vec![
            col(loc, "report.model", 0.44, false),
            col(loc, "report.date", 0.16, false),
            col(loc, "report.result", 0.16, true),
            col(loc, "report.band", 0.24, false),
        ],
        rows,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_counts_whole_years() {
        let born = NaiveDate::from_ymd_opt(1970, 6, 15).unwrap();
        assert_eq!(
            age_on(born, NaiveDate::from_ymd_opt(2026, 6, 14).unwrap()),
            55
        );
        assert_eq!(
            age_on(born, NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()),
            56
        );
    }
}
