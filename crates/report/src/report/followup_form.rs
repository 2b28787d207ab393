//! The 高血压/2型糖尿病患者随访服务记录表 as the 规范 prints it: the patient's head,
//! then the form's rows (date, kind of visit, symptoms, signs, lifestyle now/target,
//! tests, adherence, reactions, the class, medicines, referral, next date, signature)
//! with one column per visit, four visits a table as on the paper form.

use super::document::{Block, Cell, Column, Document, Table};
use crate::clinic::followup::forms::FollowUpFormDocument;
use crate::domain::followup::{Adherence, Call, Kind};
use crate::domain::followup_form::{Pair, pair_text};
use crate::i18n::{Lang, Locale};

/// Visits a table: the paper form's four columns.
const VISITS_PER_TABLE: usize = 4;
/// Longest text a cell prints: a row must fit on a page (a longer note is whole in
/// the follow-up history on screen).
const CELL_CHARS: usize = 200;

/// A cell's text as the form prints it: control and direction-changing characters
/// made visible, pictographs (which no document font draws) as □, cut at
/// `CELL_CHARS` with an ellipsis.
fn cell(text: &str) -> String {
    let shown: String = crate::domain::text::printable(text)
        .chars()
        .map(|c| match c as u32 {
            0x2600..=0x27BF | 0x1F000..=0x1FAFF | 0xFE0F => '□',
            _ => c,
        })
        .collect();
    if shown.chars().count() > CELL_CHARS {
        shown.chars().take(CELL_CHARS - 1).chain(['…']).collect()
    } else {
        shown
    }
}

fn reading(call: &Call, key: &str) -> Option<f64> {
    call.input
        .readings
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| *v)
}

fn adherence(loc: &Locale, a: Option<Adherence>) -> String {
    a.map(|a| {
        loc.t(match a {
            Adherence::Regular => "ffr.adherence_regular",
            Adherence::Irregular => "ffr.adherence_irregular",
            Adherence::Stopped => "ffr.adherence_stopped",
            Adherence::NotApplicable => "ffr.adherence_none",
        })
    })
    .unwrap_or_default()
}

/// One row of the form: its label and a cell per visit.
type Row = (String, Vec<String>);

fn rows(doc: &FollowUpFormDocument, calls: &[Call], loc: &Locale, lang: Lang) -> Vec<Row> {
    let zh = lang.is_chinese();
    let diabetes = doc.kind == Kind::Diabetes;
    let each = |f: &dyn Fn(&Call) -> String| calls.iter().map(f).collect::<Vec<_>>();
    let pair_of = |p: &Pair<f64>| pair_text(p);
    let mut out: Vec<Row> = vec![
        (
            loc.t("ffr.date"),
            each(&|c| {
                crate::domain::time::format_time(c.at)
                    .chars()
                    .take(10)
                    .collect()
            }),
        ),
        (
            loc.t("ffr.visit"),
            each(&|c| loc.t(&format!("call.visit.{}", c.input.visit.key()))),
        ),
        (
            loc.t("ffr.symptoms"),
            each(&|c| {
                let mut named: Vec<String> = c
                    .input
                    .ticked
                    .iter()
                    .map(|k| {
                        doc.signs.iter().find(|s| s.key == *k).map_or_else(
                            || k.clone(),
                            |s| if zh { s.zh.clone() } else { s.en.clone() },
                        )
                    })
                    .collect();
                if !c.input.symptoms.is_empty() {
                    named.push(c.input.symptoms.clone());
                }
                if named.is_empty() {
                    loc.t("ffr.no_symptoms")
                } else {
                    named.join(if zh { "；" } else { "; " })
                }
            }),
        ),
        (
            loc.t("ffr.bp"),
            each(
                &|c| match (reading(c, "systolic_bp"), reading(c, "diastolic_bp")) {
                    (Some(s), Some(d)) => format!("{s:.0}/{d:.0}"),
                    _ => String::new(),
                },
            ),
        ),
        (
            loc.t("ffr.weight"),
            each(&|c| {
                let mut weight = c.input.form.weight;
                if weight.now.is_none() {
                    weight.now = reading(c, "weight");
                }
                pair_of(&weight)
            }),
        ),
        (
            loc.t("ffr.bmi"),
            each(&|c| {
                let bmi = |w: Option<f64>| {
                    let h = doc.height_cm? / 100.0;
                    w.map(|w| w / (h * h))
                };
                let weight = c.input.form.weight;
                pair_text(&Pair {
                    now: bmi(weight.now.or(reading(c, "weight")))
                        .map(|b| (b * 10.0).round() / 10.0),
                    target: bmi(weight.target).map(|b| (b * 10.0).round() / 10.0),
                })
            }),
        ),
    ];
    if diabetes {
        out.push((
            loc.t("ffr.foot_pulse"),
            each(&|c| {
                c.input
                    .form
                    .foot_pulse
                    .map(|p| p.text(lang).to_string())
                    .unwrap_or_default()
            }),
        ));
    } else {
        out.push((
            loc.t("ffr.heart_rate"),
            each(&|c| {
                reading(c, "heart_rate")
                    .map(|v| format!("{v:.0}"))
                    .unwrap_or_default()
            }),
        ));
    }
    out.push((
        loc.t("ffr.other_signs"),
        each(&|c| c.input.form.other_signs.clone()),
    ));
    out.push((
        loc.t("ffr.cigarettes"),
        each(&|c| pair_text(&c.input.form.cigarettes)),
    ));
    out.push((
        loc.t("ffr.alcohol"),
        each(&|c| pair_of(&c.input.form.alcohol_liang)),
    ));
    out.push((
        loc.t("ffr.exercise"),
        each(&|c| {
            let f = &c.input.form;
            if f.exercise_per_week.is_empty() && f.exercise_minutes.is_empty() {
                return String::new();
            }
            loc.tf(
                "ffr.exercise_value",
                &[
                    ("times", &pair_text(&f.exercise_per_week)),
                    ("minutes", &pair_text(&f.exercise_minutes)),
                ],
            )
        }),
    ));
    if diabetes {
        out.push((
            loc.t("ffr.staple"),
            each(&|c| pair_text(&c.input.form.staple_grams)),
        ));
    } else {
        out.push((
            loc.t("ffr.salt"),
            each(&|c| {
                let salt = c.input.form.salt;
                if salt.is_empty() {
                    return String::new();
                }
                let side = |s: Option<crate::domain::followup_form::Salt>| {
                    s.map_or_else(|| "—".to_string(), |s| s.text(lang).to_string())
                };
                format!("{} / {}", side(salt.now), side(salt.target))
            }),
        ));
    }
    let grade = |g: Option<crate::domain::followup_form::Grade>| {
        g.map(|g| g.text(lang).to_string()).unwrap_or_default()
    };
    out.push((
        loc.t("ffr.psychology"),
        each(&|c| grade(c.input.form.psychology)),
    ));
    out.push((
        loc.t("ffr.compliance"),
        each(&|c| grade(c.input.form.compliance)),
    ));
    if diabetes {
        out.push((
            loc.t("ffr.fasting_glucose"),
            each(&|c| {
                reading(c, "glucose_fasting")
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_default()
            }),
        ));
        out.push((
            loc.t("ffr.hba1c"),
            each(&|c| {
                c.input
                    .form
                    .hba1c
                    .map(|(v, day)| format!("{v:.1}% ({day})"))
                    .unwrap_or_default()
            }),
        ));
    }
    out.push((
        loc.t("ffr.other_tests"),
        each(&|c| c.input.form.other_tests.clone()),
    ));
    out.push((
        loc.t("ffr.adherence"),
        each(&|c| adherence(loc, c.input.adherence)),
    ));
    out.push((
        loc.t("ffr.side_effects"),
        each(&|c| {
            if c.input.side_effects.is_empty() {
                loc.t("ffr.none")
            } else {
                c.input.side_effects.clone()
            }
        }),
    ));
    if diabetes {
        out.push((
            loc.t("ffr.hypoglycaemia"),
            each(&|c| {
                c.input
                    .form
                    .hypoglycaemia
                    .map(|h| h.text(lang).to_string())
                    .unwrap_or_default()
            }),
        ));
    }
    out.push((
        loc.t("ffr.class"),
        each(&|c| {
            c.class
                .map(|k| loc.t(&format!("call.class_name.{}", k.key())))
                .unwrap_or_default()
        }),
    ));
    out.push((
        loc.t("ffr.medicines"),
        each(&|c| {
            c.input
                .form
                .medicines
                .iter()
                .map(|m| format!("{} {}", m.name, m.usage).trim().to_string())
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " })
        }),
    ));
    if diabetes {
        out.push((
            loc.t("ffr.insulin"),
            each(&|c| c.input.form.insulin.clone()),
        ));
    }
    out.push((
        loc.t("ffr.referral_reason"),
        each(&|c| {
            c.reasons
                .iter()
                .map(|r| match r {
                    crate::domain::followup::ReferralReason::Clinician { reason, .. } => {
                        reason.clone()
                    }
                    other => other.text(lang),
                })
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " })
        }),
    ));
    out.push((
        loc.t("ffr.referral_to"),
        each(&|c| c.input.form.referral_to.clone()),
    ));
    out.push((
        loc.t("ffr.next_due"),
        each(&|c| c.next_due.map(|d| d.to_string()).unwrap_or_default()),
    ));
    out.push((loc.t("ffr.by"), each(&|c| c.by.clone())));
    out
}

pub fn build(doc: &FollowUpFormDocument, lang: Lang) -> Document {
    let loc = Locale::new(lang);
    let title_key = match doc.kind {
        Kind::Diabetes => "ffr.title_diabetes",
        _ => "ffr.title_hypertension",
    };
    let letterhead = super::document::letterhead_lines(&doc.clinic);
    let mut blocks = vec![Block::Fields(vec![
        (loc.t("ffr.name"), doc.patient_name.clone()),
        (
            loc.t("ffr.record_number"),
            doc.record_number
                .as_deref()
                .map(crate::domain::record_number::grouped)
                .unwrap_or_default(),
        ),
        (loc.t("ffr.year"), doc.year.to_string()),
        (
            loc.t("ffr.face_to_face"),
            loc.tf(
                "ffr.face_to_face_value",
                &[
                    ("done", &doc.face_to_face.to_string()),
                    ("of", &doc.visits_per_year.to_string()),
                ],
            ),
        ),
    ])];
    if doc.calls.is_empty() {
        blocks.push(Block::Note(loc.t("ffr.no_visits")));
    }
    for chunk in doc.calls.chunks(VISITS_PER_TABLE) {
        let rows = rows(doc, chunk, &loc, lang);
        let mut columns = vec![Column {
            title: loc.t("ffr.item"),
            share: 0.24,
            align_right: false,
        }];
        for i in 0..VISITS_PER_TABLE {
            columns.push(Column {
                title: if i < chunk.len() {
                    loc.tf("ffr.visit_n", &[("n", &(i + 1).to_string())])
                } else {
                    String::new()
                },
                share: 0.19,
                align_right: false,
            });
        }
        let table_rows = rows
            .into_iter()
            .map(|(label, cells)| {
                let mut row = vec![Cell::plain(label)];
                row.extend(cells.iter().map(|text| Cell::plain(cell(text))));
                row.resize(VISITS_PER_TABLE + 1, Cell::default());
                row
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns,
            rows: table_rows,
        }));
    }
    blocks.push(Block::Note(loc.t("ffr.legend")));
    Document {
        title: loc.t(title_key),
        letterhead,
        confidential: loc.t("report.confidential"),
        printed: loc.tf(
            "report.printed",
            &[
                ("at", &crate::domain::time::format_time(doc.printed_at)),
                ("by", &doc.printed_by),
            ],
        ),
        page_label: loc.t("report.page"),
        paper: doc.layout.paper,
        lang: lang.code().to_string(),
        blocks,
    }
}
