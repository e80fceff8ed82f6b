//! The host API: what a rule script can call. Each concept is a Rhai plugin module so that
//! `jiandu rules definitions` can describe it to an editor.
//!
//! Nothing here opens a file, a socket or a process: the sandbox is the absence of such
//! functions plus the limits set in `engine.rs`.

pub(crate) mod codes;
pub(crate) mod lookups;
pub(crate) mod outcome;
pub(crate) mod parties;
pub(crate) mod record;
pub(crate) mod record_ref;
pub(crate) mod restraints;
pub(crate) mod settings;
pub(crate) mod span;
pub(crate) mod time;
pub(crate) mod unrecorded;
pub(crate) mod values;

use std::cell::RefCell;
use std::sync::Arc;

use jiandu_calendar::{Calendar, NoCalendarData};
use jiandu_model::RegionTable;
use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};

use crate::Lookups;
use crate::profile::Profile;

/// What host functions consult: the calendar, the profile, the region table and the
/// cross-record look-ups prepared for this run. Reached through the engine's tag.
pub(crate) struct HostContext {
    pub calendar: Calendar,
    pub profile: Profile,
    pub regions: RegionTable,
    pub lookups: Arc<Lookups>,
}

pub(crate) type HostRef = Arc<HostContext>;

pub(crate) fn host(ctx: &NativeCallContext) -> Result<HostRef, Box<EvalAltResult>> {
    ctx.tag()
        .and_then(|tag| tag.read_lock::<HostRef>().map(|h| h.clone()))
        .ok_or_else(|| "internal: the engine has no host context".into())
}

/// Why a rule stopped without an outcome of its own, thrown as a Rhai runtime error and
/// turned into an outcome by the evaluator.
#[derive(Debug, Clone)]
pub(crate) enum Signal {
    /// A field the rule needs is absent ("not recorded").
    Absent { field: String },
    /// A deadline reaches a year the calendar has no notice for.
    NoCalendar { year: i32 },
}

pub(crate) fn throw(signal: Signal) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(Dynamic::from(signal), Position::NONE).into()
}

pub(crate) fn no_calendar(err: NoCalendarData) -> Box<EvalAltResult> {
    throw(Signal::NoCalendar { year: err.year })
}

thread_local! {
    /// The explain trace of the rule being evaluated on this thread, when one is wanted.
    static TRACE: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Adds a line to the explain trace; the line is only built when a trace is being kept.
pub(crate) fn trace(line: impl FnOnce() -> String) {
    TRACE.with(|t| {
        if let Some(lines) = t.borrow_mut().as_mut() {
            lines.push(line());
        }
    });
}

pub(crate) fn start_trace() {
    TRACE.with(|t| *t.borrow_mut() = Some(Vec::new()));
}

pub(crate) fn take_trace() -> Vec<String> {
    TRACE.with(|t| t.borrow_mut().take().unwrap_or_default())
}
