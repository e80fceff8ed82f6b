//! The text model: which department a message's words point to. Each department's score is
//! the sum of the weights of its lexicon entries found in the message and of what the
//! learned model (dispatchers' re-routings) adds for each word; the scores become
//! probabilities by softmax, and every part of a score is kept to be shown as the reason.

use serde::Serialize;

use super::learn::LearnedModel;
use super::lexicon::Lexicon;
use super::words::Words;

/// One part of a department's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The word or phrase (`污染+环境`).
    pub label: String,
    pub weight: f64,
    /// From the learned model, not the lexicon.
    pub learned: bool,
}

/// A department's score for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentScore {
    pub department: String,
    pub score: f64,
    pub probability: f64,
    /// Largest first by size.
    pub contributions: Vec<Contribution>,
}

/// Every department of the table, most probable first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextScores {
    pub ranked: Vec<DepartmentScore>,
}

impl TextScores {
    pub fn best(&self) -> Option<&DepartmentScore> {
        self.ranked.first()
    }

    pub fn runner_up(&self) -> Option<&DepartmentScore> {
        self.ranked.get(1)
    }

    /// Whether any word of the message counted at all.
    pub fn has_evidence(&self) -> bool {
        self.ranked.iter().any(|d| !d.contributions.is_empty())
    }
}

/// The lexicon's part of each department's score, in `departments` order.
pub fn lexicon_parts(
    lexicon: &Lexicon,
    departments: &[String],
    words: &Words,
) -> Vec<Vec<Contribution>> {
    departments
        .iter()
        .map(|code| {
            lexicon
                .departments
                .get(code)
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|e| {
                            let present = match e.words.as_slice() {
                                [one] => words.contains(one),
                                many => words.together(many),
                            };
                            present && !e.unless.iter().any(|w| words.contains(w))
                        })
                        .map(|e| Contribution {
                            label: e.label(),
                            weight: e.weight,
                            learned: false,
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// The sum of each list's weights.
pub fn sums(parts: &[Vec<Contribution>]) -> Vec<f64> {
    parts
        .iter()
        .map(|p| p.iter().map(|c| c.weight).sum())
        .collect()
}

/// Softmax, computed stably.
pub fn softmax(scores: &[f64]) -> Vec<f64> {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
    let total: f64 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

/// Scores a message for every department.
pub fn score(
    lexicon: &Lexicon,
    learned: Option<&LearnedModel>,
    departments: &[String],
    words: &Words,
) -> TextScores {
    let mut parts = lexicon_parts(lexicon, departments, words);
    if let Some(model) = learned {
        for word in &words.all {
            let Some(weights) = model.weights.get(word) else {
                continue;
            };
            for (code, &weight) in model.departments.iter().zip(weights) {
                let idx = departments.iter().position(|d| d == code);
                // Less than this changes no probability a person would notice.
                if weight.abs() >= 0.05
                    && let Some(list) = idx.and_then(|i| parts.get_mut(i))
                {
                    list.push(Contribution {
                        label: word.clone(),
                        weight,
                        learned: true,
                    });
                }
            }
        }
    }
    let scores = sums(&parts);
    let probabilities = softmax(&scores);
    let mut ranked: Vec<DepartmentScore> = departments
        .iter()
        .zip(parts)
        .zip(scores.iter().zip(probabilities))
        .map(|((code, mut contributions), (score, probability))| {
            contributions.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
            DepartmentScore {
                department: code.clone(),
                score: *score,
                probability,
                contributions,
            }
        })
        .collect();
    // Ties keep the table's order: the first department listed wins, as a person reading
    // the table would expect.
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    TextScores { ranked }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_keeps_the_order() {
        let p = softmax(&[3.0, 0.0, 0.0]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p[0] > 0.8 && (p[1] - p[2]).abs() < 1e-12);
        let big = softmax(&[1000.0, 999.0]);
        assert!(big.iter().all(|x| x.is_finite()));
    }
}
