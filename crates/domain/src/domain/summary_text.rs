//! A stage summary in words: numbers with their indicator's decimals, names in the
//! summary's language, and the narrative the system drafts for staff to edit.

use super::assessment::Outcome;
use super::indicators;
use super::plan::Direction;
use super::summary::{GoalOutcome, StageSummary};
use crate::i18n::Lang;

/// A number with the indicator's decimals.
pub fn shown(indicator: &str, value: f64) -> String {
    let decimals = indicators::by_key(indicator)
        .map(|i| i.decimals)
        .unwrap_or(1);
    format!("{value:.*}", usize::from(decimals))
}

pub fn indicator_name(key: &str, lang: Lang) -> String {
    let chinese = lang.is_chinese();
    indicators::by_key(key)
        .map(|i| if chinese { i.zh } else { i.en })
        .unwrap_or(key)
        .to_string()
}

/// How the follow-ups done were made, e.g. "2 by phone, 1 at the clinic, 1 at home"
/// (kinds with none left out; empty when none was done).
pub fn visits_made(f: &super::summary::FollowUpCounts, lang: Lang) -> String {
    let chinese = lang.is_chinese();
    let parts: Vec<String> = [
        (f.phone, "by phone", "电话"),
        (f.clinic, "at the clinic", "门诊"),
        (f.home, "at home", "家庭"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, en, zh)| {
        if chinese {
            format!("{zh}{n}次")
        } else {
            format!("{n} {en}")
        }
    })
    .collect();
    parts.join(if chinese { "，" } else { ", " })
}

/// A model's name in the summary's language.
pub fn model_label(model: &str, name: &str, lang: Lang) -> String {
    let chinese = lang.is_chinese();
    match (model, chinese) {
        ("ascvd_pce", true) => "10年ASCVD风险（PCE）".into(),
        ("framingham_cvd", true) => "10年心血管病风险（Framingham）".into(),
        ("findrisc", true) => "2型糖尿病风险（FINDRISC）".into(),
        _ => name.to_string(),
    }
}

/// An assessment's result in a few words.
pub fn outcome_text(outcome: &Outcome, lang: Lang) -> String {
    let chinese = lang.is_chinese();
    match outcome {
        Outcome::Risk { probability, .. } => format!("{:.1} %", probability * 100.0),
        Outcome::Score { score, band } => format!("{score} ({band})"),
        Outcome::Refused(_) if chinese => "无法评估".into(),
        Outcome::Refused(_) => "not assessable".into(),
    }
}

/// The system's narrative, one paragraph per line, for staff to edit.
pub fn narrative(s: &StageSummary, lang: Lang) -> String {
    let chinese = lang.is_chinese();
    let mut lines = Vec::new();
    let (from, to) = (s.period.from, s.period.to);
    lines.push(if chinese {
        format!("本阶段（{from} 至 {to}）健康总结。")
    } else {
        format!("Health summary for {from} to {to}.")
    });
    if s.indicators.is_empty() {
        lines.push(if chinese {
            "本阶段无检查结果。".into()
        } else {
            "No results were recorded in this period.".into()
        });
    } else {
        let parts: Vec<String> = s
            .indicators
            .iter()
            .map(|c| {
                let name = indicator_name(&c.indicator, lang);
                if c.count == 1 {
                    format!("{name} {} {}", shown(&c.indicator, c.end), c.unit)
                } else {
                    format!(
                        "{name} {} → {} {}",
                        shown(&c.indicator, c.start),
                        shown(&c.indicator, c.end),
                        c.unit
                    )
                }
            })
            .collect();
        lines.push(if chinese {
            format!("指标：{}。", parts.join("；"))
        } else {
            format!("Indicators: {}.", parts.join("; "))
        });
    }
    if !s.goals.is_empty() {
        let parts: Vec<String> = s
            .goals
            .iter()
            .map(|g| {
                let op = match g.goal.direction {
                    Direction::AtMost => "≤",
                    Direction::AtLeast => "≥",
                };
                let name = indicator_name(&g.goal.indicator, lang);
                let target = shown(&g.goal.indicator, g.goal.target);
                let state = match (g.outcome, chinese) {
                    (GoalOutcome::Met, false) => "met",
                    (GoalOutcome::Missed, false) => "missed",
                    (GoalOutcome::Open, false) => "in progress",
                    (GoalOutcome::Met, true) => "已达成",
                    (GoalOutcome::Missed, true) => "未达成",
                    (GoalOutcome::Open, true) => "进行中",
                };
                format!("{name} {op} {target}: {state}")
            })
            .collect();
        lines.push(if chinese {
            format!("干预目标：{}。", parts.join("；"))
        } else {
            format!("Plan goals: {}.", parts.join("; "))
        });
    }
    let risks: Vec<String> = s
        .risks
        .iter()
        .filter_map(|r| {
            let now = r.now.as_ref()?;
            let now_text = outcome_text(now, lang);
            let name = model_label(&r.model, &r.name, lang);
            Some(match &r.then {
                Some(then) if then != now => {
                    format!("{name} {} → {now_text}", outcome_text(then, lang))
                }
                _ => format!("{name} {now_text}"),
            })
        })
        .collect();
    if !risks.is_empty() {
        lines.push(if chinese {
            format!("风险评估：{}。", risks.join("；"))
        } else {
            format!("Risk: {}.", risks.join("; "))
        });
    }
    if !s.questionnaires.is_empty() {
        let parts: Vec<String> = s
            .questionnaires
            .iter()
            .map(|q| format!("{} {} ({})", q.key.to_uppercase(), q.total, q.band))
            .collect();
        lines.push(if chinese {
            format!("问卷：{}。", parts.join("；"))
        } else {
            format!("Questionnaires: {}.", parts.join("; "))
        });
    }
    let f = s.follow_ups;
    if f.done > 0 || f.missed > 0 {
        let made = visits_made(&f, lang);
        lines.push(match (chinese, made.is_empty()) {
            (true, true) => format!("随访：完成{}次，失访{}次。", f.done, f.missed),
            (true, false) => format!("随访：完成{}次（{made}），失访{}次。", f.done, f.missed),
            (false, true) => format!("Follow-ups: {} done, {} missed.", f.done, f.missed),
            (false, false) => {
                format!("Follow-ups: {} done ({made}), {} missed.", f.done, f.missed)
            }
        });
    }
    if !s.advice.is_empty() {
        lines.push(if chinese {
            format!("已给予{}条健康指导。", s.advice.len())
        } else {
            format!("{} pieces of advice were given.", s.advice.len())
        });
    }
    lines.join("\n")
}
