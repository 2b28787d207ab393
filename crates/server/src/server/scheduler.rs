//! The daemon's scheduler: once per `[server] scheduler_seconds`, as the `system`
//! principal (the key file's slot), it makes the follow-ups now due; on the first
//! run of each day it recomputes every patient's risks and automatic tags in the
//! background; and when the newest backup is `[backup] every_hours` old it makes one. Once per daemon, never per client; each run signs in, works and signs
//! out, so everything it does is in the audit log as `system`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::clinic::admin::backups::BackupMade;
use crate::clinic::api::FollowUpScheduled;
use crate::clinic::{Clinic, Origin, Request, Secret, SignedIn};

/// One run; `retag` also queues every patient's re-evaluation.
fn run_once(clinic: &Clinic, label: &str, key: &Secret, retag: bool) -> Result<(), String> {
    let origin = Origin::this_process();
    let signed: SignedIn = clinic
        .ask(
            None,
            Request::LoginKeyFile {
                label: label.to_string(),
                key: key.clone(),
            },
            &origin,
        )
        .map_err(|e| e.to_string())?;
    let token = signed.token;
    let mut outcome = clinic
        .ask::<FollowUpScheduled>(Some(&token), Request::SchedulerRun { retag }, &origin)
        .map(drop);
    if outcome.is_ok() && crate::clinic::admin::backups::due(clinic, chrono::Utc::now()) {
        outcome = clinic
            .ask::<BackupMade>(Some(&token), Request::BackupCreate, &origin)
            .map(drop);
    }
    // The session ends either way; a failure to end it changes nothing here.
    let _ = clinic.ask::<()>(Some(&token), Request::Logout, &origin);
    outcome.map_err(|e| e.to_string())
}

/// Starts the scheduler's thread; it stops when `stop` is set.
pub fn start(
    clinic: Arc<Clinic>,
    (label, key): (String, Secret),
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("caredesk-scheduler".into())
        .spawn(move || {
            let mut last_retag = None;
            while !stop.load(Ordering::SeqCst) {
                let today = chrono::Utc::now().date_naive();
                let retag = last_retag != Some(today);
                match run_once(&clinic, &label, &key, retag) {
                    Ok(()) if retag => last_retag = Some(today),
                    Ok(()) => {}
                    // The reason names the refusal, never data.
                    Err(why) => eprintln!("caredesk serve: the scheduler run failed: {why}"),
                }
                let until = Instant::now() + every;
                while Instant::now() < until && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        })
}
