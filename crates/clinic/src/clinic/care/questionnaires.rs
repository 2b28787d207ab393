//! Questionnaires: the built-in and the clinic's own definitions, and filling one in
//! for a patient. The total and band are stored as observations, the answers as the
//! patient's questionnaire response; an urgent answer (PHQ-9 item 9) raises an alert
//! for the care team at once.

use crate::clinic::api::Questionnaires;
use std::path::Path;

use crate::clinic::api::{Response, ServiceError};
use crate::clinic::desk::patients::readable;
use crate::clinic::service::{Ctx, Reply};
use crate::domain::patient::PatientId;
use crate::domain::questionnaire::{self, Definition};
use crate::store::alerts::AlertKind;
use crate::store::writes::WriteSet;

pub const DIR_NAME: &str = "questionnaires";

/// Built-in definitions and the clinic's own from `DIR/questionnaires/*.toml`, with the
/// problems of the files that could not be used (file name, reason).
pub fn definitions(dir: &Path) -> (Vec<Definition>, Vec<(String, String)>) {
    let mut all = questionnaire::built_in();
    let mut problems = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join(DIR_NAME)) else {
        return (all, problems);
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read it: {e}"))
            .and_then(|text| Definition::parse(&text));
        match parsed {
            Ok(d) if all.iter().any(|b| b.key == d.key) => problems.push((
                name,
                format!("key {:?} is already used by another questionnaire", d.key),
            )),
            Ok(d) => all.push(d),
            Err(e) => problems.push((name, e)),
        }
    }
    (all, problems)
}

pub(crate) fn list(ctx: &Ctx<'_>) -> Result<Reply, ServiceError> {
    let (definitions, problems) = definitions(ctx.clinic.dir());
    let detail = format!("count={} problems={}", definitions.len(), problems.len());
    Ok(Reply::new(Response::Questionnaires(Questionnaires {
        definitions,
        problems,
    }))
    .detail(detail))
}

pub(crate) fn submit(
    ctx: &Ctx<'_>,
    id: &PatientId,
    key: &str,
    answers: &[usize],
) -> Result<Reply, ServiceError> {
    readable(ctx, id)?;
    crate::clinic::desk::consent::require_health_processing(ctx, id)?;
    let (definitions, _) = definitions(ctx.clinic.dir());
    let definition = definitions
        .iter()
        .find(|d| d.key == key)
        .ok_or_else(|| ServiceError::NotFound(format!("questionnaire {key:?}")))?;
    let scored = definition.score(answers).map_err(ServiceError::Invalid)?;
    let mut writes = WriteSet::new();
    for observation in definition.results(&scored, ctx.now) {
        let key = ctx.vault.result_key(id, &observation);
        ctx.vault
            .stage_observation(&mut writes, id, key, &observation)?;
    }
    ctx.vault.stage_questionnaire_response(
        &mut writes,
        id,
        &questionnaire::Response {
            key: definition.key.clone(),
            version: definition.version.clone(),
            answers: answers.to_vec(),
            scored: scored.clone(),
            at: ctx.now,
            by: ctx.session.user.clone(),
        },
    )?;
    if !scored.urgent.is_empty() {
        ctx.vault.store().stage_alert(
            &mut writes,
            AlertKind::UrgentAnswer,
            vec![id.to_string(), format!("user:{}", ctx.session.user)],
            crate::store::alerts::details::urgent_answer(&definition.key, &scored.urgent),
        )?;
    }
    let detail = format!(
        "questionnaire={} urgent={}",
        definition.key,
        scored.urgent.len()
    );
    Ok(Reply::new(Response::QuestionnaireScored(scored))
        .writes(writes)
        .subject(id.to_string())
        .detail(detail))
}
