//! Evaluating many records on several threads, each with its own engine over the shared
//! compiled rules.

use std::sync::Arc;

use jiandu_model::{Evaluation, Record};

use crate::{Evaluator, Lookups, RuleSet};

/// Every applicable rule on every record, using up to `threads` threads. The result is in
/// record order; each inner list is in rule-id order.
pub fn evaluate_all(
    set: &RuleSet,
    records: &[Record],
    lookups: Arc<Lookups>,
    threads: usize,
) -> Vec<Vec<Evaluation>> {
    let threads = threads.max(1).min(records.len().max(1));
    if threads == 1 {
        let mut evaluator = Evaluator::new(set, lookups);
        return records.iter().map(|r| evaluator.evaluate(r)).collect();
    }
    let chunk = records.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                let lookups = lookups.clone();
                scope.spawn(move || {
                    let mut evaluator = Evaluator::new(set, lookups);
                    part.iter()
                        .map(|r| evaluator.evaluate(r))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            // Evaluations catch panics themselves (`evaluate.rs`); a thread that still died
            // is a bug worth stopping for, with its message.
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
