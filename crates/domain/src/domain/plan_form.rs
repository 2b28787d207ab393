//! A plan as lines of text, for editing at a terminal: one line per goal
//! (`systolic_bp <= 130 by 2027-06-30`) and one per action
//! (`diet; Salt under 5 g a day; health manager; 2026-12-07; done`). Parsing names the
//! problem in each line it refuses, so nothing typed is lost.

use chrono::NaiveDate;

use super::indicators;
use super::plan::{Action, ActionKind, Direction, Goal, Plan};

/// Every action kind with the words that name it (English key, then Chinese).
pub const KINDS: &[(ActionKind, &str, &str)] = &[
    (ActionKind::Diet, "diet", "饮食"),
    (ActionKind::Exercise, "exercise", "运动"),
    (
        ActionKind::MedicationReview,
        "medication_review",
        "用药评估",
    ),
    (ActionKind::Education, "education", "健康教育"),
    (ActionKind::FollowUpCall, "follow_up_call", "随访电话"),
    (ActionKind::Other, "other", "其他"),
];

pub fn kind_key(kind: ActionKind) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _, _)| *k == kind)
        .map(|(_, key, _)| *key)
        .unwrap_or("other")
}

/// The action kind a word names (its key, English or Chinese).
pub fn kind_of(word: &str) -> Option<ActionKind> {
    let word = word.trim().to_lowercase().replace([' ', '-'], "_");
    KINDS
        .iter()
        .find(|(_, en, zh)| *en == word || *zh == word)
        .map(|(k, _, _)| *k)
}

/// A target as typed: the indicator's decimals, no trailing zeros beyond them.
fn number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub fn goal_line(goal: &Goal) -> String {
    let op = match goal.direction {
        Direction::AtMost => "<=",
        Direction::AtLeast => ">=",
    };
    format!(
        "{} {op} {} by {}",
        goal.indicator,
        number(goal.target),
        goal.by
    )
}

pub fn action_line(action: &Action) -> String {
    let mut parts = vec![
        kind_key(action.kind).to_string(),
        action.description.clone(),
        action.owner.clone(),
    ];
    if let Some(due) = action.due {
        parts.push(due.to_string());
    }
    if action.done {
        parts.push("done".into());
    }
    parts.join("; ")
}

/// The plan's goals then its actions, one line each.
pub fn lines(plan: &Plan) -> Vec<String> {
    plan.goals
        .iter()
        .map(goal_line)
        .chain(plan.actions.iter().map(action_line))
        .collect()
}

/// What one line holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Goal(Goal),
    Action(Action),
    Blank,
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{:?} is not a date: write it as 2027-06-30", text.trim()))
}

fn parse_goal(line: &str) -> Result<Goal, String> {
    let normalised = line.replace('≤', "<=").replace('≥', ">=");
    let (left, direction, rest) = if let Some((l, r)) = normalised.split_once("<=") {
        (l, Direction::AtMost, r)
    } else if let Some((l, r)) = normalised.split_once(">=") {
        (l, Direction::AtLeast, r)
    } else {
        return Err(
            "a goal reads `indicator <= target by date` (or >=); an action starts with its kind and a `;`"
                .into(),
        );
    };
    let name = left.trim();
    let indicator = indicators::INDICATORS
        .iter()
        .find(|i| i.key == name || i.en.eq_ignore_ascii_case(name) || i.zh == name)
        .ok_or_else(|| format!("no indicator {name:?}: use a key such as systolic_bp or ldl"))?;
    let (target, by) = rest
        .split_once(" by ")
        .ok_or_else(|| "say when the goal is due: `… by 2027-06-30`".to_string())?;
    let target: f64 = target
        .trim()
        .parse()
        .ok()
        .filter(|t: &f64| t.is_finite())
        .ok_or_else(|| format!("{:?} is not a number", target.trim()))?;
    Ok(Goal {
        indicator: indicator.key.to_string(),
        direction,
        target,
        by: date(by)?,
    })
}

/// `what; who[; due][; done]`: the due date and `done` are read from the end, the
/// owner is the part before them, and the description everything before that (so it
/// may hold semicolons of its own).
fn parse_action(kind: ActionKind, pieces: &[&str]) -> Result<Action, String> {
    // Each piece still ends with the semicolon that followed it.
    let bare = |piece: &str| {
        piece
            .trim()
            .trim_end_matches([';', '；'])
            .trim()
            .to_string()
    };
    let mut parts: Vec<String> = pieces.iter().map(|p| bare(p)).collect();
    let mut due = None;
    let mut done = false;
    while let Some(last) = parts.last() {
        match last.as_str() {
            "" => {}
            "done" | "完成" | "已完成" => done = true,
            text if text.starts_with(|c: char| c.is_ascii_digit()) && due.is_none() => {
                due = Some(date(text)?)
            }
            _ => break,
        }
        parts.pop();
    }
    let usage = "an action reads `kind; what; who is responsible[; due date][; done]`";
    let owner = parts.pop().filter(|o| !o.is_empty()).ok_or(usage)?;
    // The description as typed, its own semicolons (either width) kept.
    let typed: String = pieces[..parts.len()].concat();
    let description = typed
        .trim()
        .trim_end_matches([';', '；'])
        .trim()
        .to_string();
    if description.is_empty() {
        return Err(usage.into());
    }
    Ok(Action {
        kind,
        description,
        owner,
        due,
        done,
    })
}

pub fn parse_line(line: &str) -> Result<Line, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(Line::Blank);
    }
    let pieces: Vec<&str> = line.split_inclusive([';', '；']).collect();
    if pieces.len() > 1
        && let Some(kind) = kind_of(pieces[0].trim_end_matches([';', '；']))
    {
        return parse_action(kind, &pieces[1..]).map(Line::Action);
    }
    parse_goal(line).map(Line::Goal)
}

/// The plan from its title and lines; or each refused line's index and reason.
pub fn parse(title: &str, lines: &[String], active: bool) -> Result<Plan, Vec<(usize, String)>> {
    let mut plan = Plan {
        title: title.trim().to_string(),
        goals: Vec::new(),
        actions: Vec::new(),
        active,
    };
    let mut problems = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        match parse_line(line) {
            Ok(Line::Goal(goal)) => plan.goals.push(goal),
            Ok(Line::Action(action)) => plan.actions.push(action),
            Ok(Line::Blank) => {}
            Err(problem) => problems.push((i, problem)),
        }
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_survives_being_written_out_and_read_back() {
        let templates = super::super::plan_template::Templates::built_in();
        let start = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        for template in &templates.templates {
            for chinese in [false, true] {
                let mut plan =
                    template.instantiate(start, crate::i18n::Lang::from_chinese(chinese));
                if let Some(a) = plan.actions.first_mut() {
                    a.done = true;
                }
                let back = parse(&plan.title, &lines(&plan), true).unwrap();
                assert_eq!(back, plan, "{}", template.id);
            }
        }
    }

    #[test]
    fn lines_are_read_in_either_language_and_problems_named() {
        let goal = parse_line("收缩压 ≤ 130 by 2027-06-30").unwrap();
        assert!(
            matches!(goal, Line::Goal(Goal { ref indicator, direction: Direction::AtMost, .. }) if indicator == "systolic_bp")
        );
        let action = parse_line("随访电话；每月一次；护士；2026-12-01；完成").unwrap();
        assert!(matches!(
            action,
            Line::Action(Action {
                kind: ActionKind::FollowUpCall,
                done: true,
                ..
            })
        ));
        assert_eq!(parse_line("  ").unwrap(), Line::Blank);
        let e = parse_line("mood <= 3 by 2027-01-01").unwrap_err();
        assert!(e.contains("mood"), "{e}");
        let e = parse_line("ldl <= low by 2027-01-01").unwrap_err();
        assert!(e.contains("not a number"), "{e}");
        let e = parse_line("ldl <= 2.6").unwrap_err();
        assert!(e.contains("by"), "{e}");
        let e = parse_line("diet; less salt").unwrap_err();
        assert!(e.contains("responsible"), "{e}");
        let e = parse_line("diet; less salt; nurse; 2026-13-01").unwrap_err();
        assert!(e.contains("not a date"), "{e}");
        let Line::Action(a) =
            parse_line("diet; salt < 5 g; DASH meals; nurse; 2026-12-01").unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (a.description.as_str(), a.owner.as_str()),
            ("salt < 5 g; DASH meals", "nurse")
        );
        let lines = vec!["ldl <= 2.6 by 2027-01-01".to_string(), "nonsense".into()];
        let problems = parse("Lipids", &lines, true).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, 1);
    }
}
