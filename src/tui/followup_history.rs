//! The follow-up history in the chart (`f` on a patient): the plans and every call
//! with its outcome, notes, recording marker, who and when; l plays the selected
//! call's recording through the configured player.

use super::action::Action;
use super::app::{App, Effect, Pending, RecordingJob};
use super::screens::{FollowUpHistoryScreen, Screen};
use crate::clinic::{Request, Response};

impl App {
    pub(crate) fn open_followup_history(&mut self) {
        let Screen::Patient(patient) = &self.screen else {
            return;
        };
        let Some(view) = &patient.view else {
            return;
        };
        let id = view.id;
        self.push(Screen::FollowUpHistory(FollowUpHistoryScreen {
            id,
            name: view.patient.name.clone(),
            chart: None,
            cursor: Default::default(),
            notice: None,
            error: None,
        }));
        self.call(Pending::FollowUpHistory(id), Request::FollowUpChart { id });
    }

    pub(crate) fn on_followup_history_action(&mut self, action: Action) {
        let player = self.settings.player.clone();
        let playing = self.t("followup.playing");
        let none = self.t("followup.no_recording");
        let Screen::FollowUpHistory(screen) = &mut self.screen else {
            return;
        };
        match action {
            Action::Back => self.back(),
            Action::Listen => {
                let Some(chart) = &screen.chart else {
                    return;
                };
                let Some(call) = chart.calls.get(screen.cursor.selected) else {
                    return;
                };
                let meta = chart.recordings.iter().find(|m| {
                    m.complete && m.plan == call.plan && m.seq == call.seq && m.call_at == call.at
                });
                let Some(meta) = meta else {
                    screen.error = Some(none);
                    return;
                };
                let job = RecordingJob::Play {
                    patient: screen.id,
                    meta: Box::new(meta.clone()),
                    player,
                };
                screen.error = None;
                screen.notice = Some(playing);
                let id = screen.id;
                let tag = self.next_tag(Pending::FollowUpHistory(id));
                self.effects.push(Effect::Recording { tag, job });
            }
            _ => {}
        }
    }

    pub(crate) fn on_followup_history_reply(&mut self, response: Response) {
        let text = response.error().map(|e| self.error_text(e));
        let Screen::FollowUpHistory(screen) = &mut self.screen else {
            return;
        };
        match response {
            Response::FollowUpChart(chart) => screen.chart = Some(*chart),
            Response::Done => screen.notice = None,
            _ => {
                screen.notice = None;
                screen.error = text;
            }
        }
    }
}
