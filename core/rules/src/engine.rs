//! The sandbox: a Rhai engine with the host API, resource limits, and no way out.
//!
//! Rhai itself has no file, network or process functions; the module resolver is replaced
//! by one that resolves nothing, `eval` is disabled, and `print`/`debug` go to the explain
//! trace. The limits below bound every evaluation: a runaway rule ends in an `error`
//! outcome within milliseconds.

use std::cell::Cell;
use std::time::{Duration, Instant};

use rhai::module_resolvers::DummyModuleResolver;
use rhai::{Dynamic, Engine, Module, exported_module};

use crate::host::{self, HostRef, trace};

/// Resource limits of one rule evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Rhai operations per call of a check function (a normal rule uses a few hundred).
    pub operations: u64,
    pub call_levels: usize,
    pub expr_depth: usize,
    pub function_expr_depth: usize,
    pub string_size: usize,
    pub array_size: usize,
    pub map_size: usize,
    pub variables: usize,
    /// Wall time of one call: an operation on a large value can take long, so counting
    /// operations alone does not bound time.
    pub time: Duration,
    /// Heap bytes one call may hold beyond what its thread held when it began (`meter.rs`).
    pub memory: i64,
}

pub const LIMITS: Limits = Limits {
    operations: 200_000,
    call_levels: 24,
    expr_depth: 64,
    function_expr_depth: 48,
    string_size: 64 * 1024,
    array_size: 10_000,
    map_size: 10_000,
    variables: 500,
    time: Duration::from_millis(500),
    memory: 64 << 20,
};

/// Why the progress hook stopped a call: the token of Rhai's `ErrorTerminated`.
const OUT_OF_TIME: &str = "jiandu:time";
const OUT_OF_MEMORY: &str = "jiandu:memory";

/// A call stopped for running away: past its operations, time or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Runaway {
    Operations,
    Time,
    Memory,
}

impl Runaway {
    pub(crate) fn of(err: &rhai::EvalAltResult) -> Option<Runaway> {
        match err {
            rhai::EvalAltResult::ErrorTooManyOperations(_) => Some(Runaway::Operations),
            rhai::EvalAltResult::ErrorTerminated(token, _) => {
                match token.clone().into_string().ok()?.as_str() {
                    OUT_OF_TIME => Some(Runaway::Time),
                    OUT_OF_MEMORY => Some(Runaway::Memory),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    pub(crate) fn describe(self) -> String {
        match self {
            Runaway::Operations => format!(
                "the rule exceeded its limit of {} operations (a loop that never ends?)",
                LIMITS.operations
            ),
            Runaway::Time => format!(
                "the rule ran longer than {} ms (a loop over large values?)",
                LIMITS.time.as_millis()
            ),
            Runaway::Memory => format!(
                "the rule held more than {} MB of memory",
                LIMITS.memory >> 20
            ),
        }
    }
}

thread_local! {
    /// The deadline and the memory mark of the call running on this thread, if any.
    static ARMED: Cell<Option<(Instant, i64)>> = const { Cell::new(None) };
}

/// Starts the time and memory budget of one call on this thread.
pub(crate) fn arm() {
    ARMED.set(Some((Instant::now() + LIMITS.time, crate::meter::held())));
}

pub(crate) fn disarm() {
    ARMED.set(None);
}

/// Checked every few operations: the clock and the allocator's count cost more than an
/// operation, and a few dozen operations cannot overshoot either budget by much.
fn progress(operations: u64) -> Option<Dynamic> {
    if operations % 64 != 0 {
        return None;
    }
    let (deadline, mark) = ARMED.get()?;
    if crate::meter::held() - mark > LIMITS.memory {
        return Some(Dynamic::from(OUT_OF_MEMORY));
    }
    if Instant::now() > deadline {
        return Some(Dynamic::from(OUT_OF_TIME));
    }
    None
}

/// A sandboxed engine with the whole host API registered. One per thread: engines are cheap
/// to make and do not scale when shared (DESIGN §5).
pub(crate) fn sandboxed(host: HostRef) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(LIMITS.operations)
        .set_max_call_levels(LIMITS.call_levels)
        .set_max_expr_depths(LIMITS.expr_depth, LIMITS.function_expr_depth)
        .set_max_string_size(LIMITS.string_size)
        .set_max_array_size(LIMITS.array_size)
        .set_max_map_size(LIMITS.map_size)
        .set_max_variables(LIMITS.variables)
        .set_max_modules(0)
        .set_module_resolver(DummyModuleResolver::new())
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true)
        .set_default_tag(Dynamic::from(host));
    engine.on_progress(progress);
    // The one way to reach the panic guard of `evaluate.rs` in its tests.
    #[cfg(test)]
    engine.register_fn("crash_for_test", || -> bool { panic!("crash_for_test") });
    engine.disable_symbol("eval");
    engine.on_print(|text| trace(|| format!("print: {text}")));
    engine.on_debug(|text, _source, pos| {
        trace(|| format!("debug (line {}): {text}", pos.line().unwrap_or(0)))
    });
    engine
        .register_type_with_name::<jiandu_model::Date>("Date")
        .register_type_with_name::<jiandu_model::Moment>("Moment")
        .register_type_with_name::<jiandu_model::Money>("Money")
        .register_type_with_name::<host::outcome::RuleOutcome>("Outcome")
        .register_type_with_name::<host::record_ref::RecordRef>("Record")
        .register_type_with_name::<host::unrecorded::Unrecorded>("Unrecorded")
        .register_type_with_name::<jiandu_calendar::Span>("DateSpan")
        .register_iterator_result::<host::unrecorded::Unrecorded, Dynamic>()
        .register_indexer_get(host::record_ref::index);
    // One module for the whole host API: Rhai searches global modules one by one on every
    // call it has not cached, and a fresh call of a check function starts with a cold cache.
    let mut api = Module::new();
    api.combine_flatten(exported_module!(host::values::date_api))
        .combine_flatten(exported_module!(host::values::moment_api))
        .combine_flatten(exported_module!(host::values::money_api))
        .combine_flatten(exported_module!(host::record::record_api))
        .combine_flatten(exported_module!(host::time::time_api))
        .combine_flatten(exported_module!(host::outcome::outcome_api))
        .combine_flatten(exported_module!(host::codes::codes_api))
        .combine_flatten(exported_module!(host::settings::settings_api))
        .combine_flatten(exported_module!(host::lookups::lookups_api))
        .combine_flatten(exported_module!(host::parties::parties_api))
        .combine_flatten(exported_module!(host::restraints::restraints_api))
        .combine_flatten(exported_module!(host::values::text_api))
        .combine_flatten(exported_module!(host::unrecorded::unrecorded_api))
        .combine_flatten(host::unrecorded::operators())
        .combine_flatten(exported_module!(host::span::span_api));
    engine.register_global_module(api.into());
    engine
}
