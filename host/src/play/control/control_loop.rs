//! The control thread's loop while a song plays: a stop signal becomes a
//! quit command; the `--commands` lines and the keys go through the one
//! [`Controls`] and [`Delivery`]; report requests, reports and warnings
//! are printed (or shown); the live display is redrawn. It wakes at
//! [`CONTROL_TICK`] or at a key.
//!
//! *Real-time*: control thread only; it talks to the audio and feeder
//! threads through the queues and never waits for them.

use std::time::Duration;

use super::commands::{CommandScript, ScriptItem};
use super::controls::Controls;
use super::delivery::{Delivery, Nav};
use super::keys::Action;
use super::report::Log;
use super::signals;
use super::ui::Ui;
use crate::play::realtime::alsa_output::Negotiated;
use crate::play::realtime::messages::AudioCmd;
use crate::play::realtime::play_status::PlayStatus;
use crate::play::realtime::queues::ControlEnds;
use crate::play::realtime::scheduling;
use crate::play::realtime::snapshot::Snapshot;

/// How often the control thread looks at signals and reports (20 Hz:
/// each wake-up is a context switch, and 10 ms ticks were a fifth of the
/// process's switches at 256 frames).
pub const CONTROL_TICK: Duration = Duration::from_millis(50);

/// The control loop of one song.
pub struct ControlLoop<'a, 'q> {
    /// The control thread's queue ends.
    pub ctrl: ControlEnds<'q>,
    /// What the audio thread publishes.
    pub status: &'a PlayStatus,
    /// The settings the keys and commands change.
    pub controls: &'a mut Controls,
    /// Sends their effects.
    pub delivery: Delivery,
    /// The live display, if shown.
    pub ui: Option<&'a mut Ui>,
    /// Commands from `--commands FILE`, if given.
    pub script: Option<&'a CommandScript>,
    /// Where lines are printed.
    pub log: &'a Log,
    /// The device, as the report names it.
    pub device: &'a str,
    /// Its parameters, for the report.
    pub neg: &'a Negotiated,
}

impl ControlLoop<'_, '_> {
    /// Runs rounds until `finished` (the audio thread has ended).
    pub fn run(&mut self, finished: impl Fn() -> bool) {
        let mut actions = Vec::new();
        let mut quit_sent = false;
        loop {
            if !quit_sent && signals::stop_requested().is_some() {
                quit_sent = self.ctrl.commands.enqueue(AudioCmd::Quit).is_ok();
            }
            self.apply_actions(&mut actions);
            self.print_reports();
            if let Some(ui) = self.ui.as_deref_mut() {
                ui.set_loop(self.delivery.loop_shown());
                ui.draw(self.controls, self.status, false);
            }
            if finished() {
                break;
            }
            match self.ui.as_deref_mut() {
                // A key (or a signal) wakes the loop at once; the redraw
                // keeps its own rate.
                Some(ui) => ui.wait_for_keys(CONTROL_TICK),
                None => std::thread::sleep(CONTROL_TICK),
            }
        }
    }

    /// The command file's lines, then the keys: one path through the
    /// controls and the same delivery.
    fn apply_actions(&mut self, actions: &mut Vec<Action>) {
        while let Some(item) = self.script.and_then(CommandScript::poll) {
            match item {
                ScriptItem::Command(action) => actions.push(action),
                ScriptItem::Problem(p) => self.log.warning(&p),
            }
        }
        if let Some(ui) = self.ui.as_deref_mut() {
            ui.read_actions(actions);
        }
        for action in actions.drain(..) {
            for effect in self.controls.apply(action) {
                let outcome = self.delivery.deliver(effect, self.status, &mut self.ctrl);
                if let Some(ui) = self.ui.as_deref_mut() {
                    ui.delivered(outcome);
                }
            }
        }
    }

    /// Asks for a report on SIGUSR1; prints the snapshots, reports and the
    /// real-time warning that came.
    fn print_reports(&mut self) {
        if signals::take_report_request() {
            let _ = self.ctrl.snap_requests.enqueue(Box::new(Snapshot::new()));
        }
        while let Some(snap) = self.ctrl.snap_replies.dequeue() {
            self.log.snapshot(&snap, self.neg, self.device);
        }
        while let Some(r) = self.ctrl.reports.dequeue() {
            if let Some(ui) = self.ui.as_deref_mut() {
                ui.report(&r);
            }
            self.log.report(&r);
        }
        self.realtime_warning();
    }

    /// rtkit asked when the kernel refused `SCHED_FIFO`; the real-time
    /// warning, once it can be said (once a run), and with `--verbose`
    /// what the audio thread obtained.
    fn realtime_warning(&mut self) {
        scheduling::ask_rtkit_if_needed();
        if let Some(line) = scheduling::obtained_once() {
            crate::verbose::say(1, &line);
        }
        let warnings = [
            scheduling::warning_once(),
            scheduling::dropped_warning_once(),
        ];
        for w in warnings.into_iter().flatten() {
            self.log.warning(&w);
            if let (Some(ui), Some(m)) = (self.ui.as_deref_mut(), self.log.last_held()) {
                ui.set_message(&m);
            }
        }
    }

    /// After both threads ended: the last reports, the display's last
    /// frame; what the keys or commands asked of the playlist.
    pub fn finish(mut self) -> Option<Nav> {
        while let Some(r) = self.ctrl.reports.dequeue() {
            self.log.report(&r);
        }
        self.realtime_warning();
        if let Some(ui) = self.ui {
            ui.song_ended();
            ui.draw(self.controls, self.status, true);
        }
        self.delivery.nav()
    }
}
