//! What dispatchers teach: every item a dispatcher re-routed, or re-assigned after a return,
//! is a labelled example (the words of the message, the department of the unit it finally went
//! to). A multinomial logistic regression over the words learns, on top of the lexicon's scores
//! (kept fixed, as an offset), the weights that make the examples come out right; an L2 penalty
//! keeps a word seen in few examples from weighing much. No intercept: a department gains
//! nothing without a word for it, so every part of a score is a word that can be shown.
//! Full-batch AdaGrad from zero, so that the same examples give the same model.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::text::softmax;
use super::words::Words;

/// One labelled example.
#[derive(Debug, Clone)]
pub struct Example {
    pub words: Words,
    pub department: String,
}

/// How the model is fitted.
#[derive(Debug, Clone, Copy)]
pub struct Fit {
    pub iterations: usize,
    pub learning_rate: f64,
    /// The L2 penalty per weight (a Gaussian prior of variance 1/λ).
    pub l2: f64,
    /// A word seen in fewer examples is not learned from.
    pub min_examples: usize,
}

impl Default for Fit {
    fn default() -> Self {
        Fit {
            iterations: 300,
            learning_rate: 0.3,
            l2: 0.5,
            min_examples: 2,
        }
    }
}

/// The learned weights, stored in the database as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedModel {
    /// The departments, in the order of each word's weights.
    pub departments: Vec<String>,
    /// word → weight per department
    pub weights: BTreeMap<String, Vec<f64>>,
    pub examples: usize,
    /// department → examples labelled with it
    pub per_department: BTreeMap<String, usize>,
    /// The lexicon's SHA-256 when the model was trained (its scores were the offsets).
    pub lexicon_hash: String,
    /// Share of the examples the lexicon alone puts in their department.
    pub lexicon_accuracy: f64,
    /// Share of the examples the lexicon and the model together put right.
    pub training_accuracy: f64,
    /// A fingerprint of the labels trained on (which items, sent where), so that an unchanged
    /// set is not trained again.
    #[serde(default)]
    pub labels: String,
}

impl LearnedModel {
    /// What the model adds to `department`'s score for `word`.
    pub fn weight(&self, word: &str, department: &str) -> f64 {
        let Some(idx) = self.departments.iter().position(|d| d == department) else {
            return 0.0;
        };
        self.weights
            .get(word)
            .and_then(|w| w.get(idx))
            .copied()
            .unwrap_or(0.0)
    }

    /// The words that add most to each department, largest first.
    pub fn top_words(&self, n: usize) -> BTreeMap<String, Vec<(String, f64)>> {
        let mut out = BTreeMap::new();
        for (idx, department) in self.departments.iter().enumerate() {
            let mut words: Vec<(String, f64)> = self
                .weights
                .iter()
                .filter_map(|(w, ws)| ws.get(idx).map(|x| (w.clone(), *x)))
                .filter(|(_, x)| *x > 0.05)
                .collect();
            words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            words.truncate(n);
            if !words.is_empty() {
                out.insert(department.clone(), words);
            }
        }
        out
    }
}

/// The department with the highest score (the first listed on a tie).
fn argmax(scores: &[f64]) -> Option<usize> {
    scores
        .iter()
        .enumerate()
        .fold(None, |best: Option<(usize, f64)>, (i, s)| match best {
            Some((_, b)) if *s <= b => best,
            _ => Some((i, *s)),
        })
        .map(|(i, _)| i)
}

/// Fits the model. `offset` gives the lexicon's score of each department (in `departments`
/// order) for an example's words. Examples of a department the table does not list are left
/// out (a unit without a department code teaches nothing about departments).
pub fn train(
    examples: &[Example],
    departments: &[String],
    offset: &dyn Fn(&Words) -> Vec<f64>,
    lexicon_hash: &str,
    fit: Fit,
) -> LearnedModel {
    let k = departments.len();
    let labelled: Vec<(&Example, usize)> = examples
        .iter()
        .filter_map(|e| {
            departments
                .iter()
                .position(|d| *d == e.department)
                .map(|y| (e, y))
        })
        .collect();
    // The words seen in enough examples, numbered.
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (example, _) in &labelled {
        for word in &example.words.all {
            *seen.entry(word.as_str()).or_default() += 1;
        }
    }
    let vocabulary: Vec<&str> = seen
        .iter()
        .filter(|(_, n)| **n >= fit.min_examples)
        .map(|(w, _)| *w)
        .collect();
    let index: HashMap<&str, usize> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, i))
        .collect();
    let rows: Vec<(Vec<usize>, Vec<f64>, usize)> = labelled
        .iter()
        .map(|(e, y)| {
            let features = e
                .words
                .all
                .iter()
                .filter_map(|w| index.get(w.as_str()).copied())
                .collect();
            (features, offset(&e.words), *y)
        })
        .collect();
    let mut w = vec![0.0_f64; vocabulary.len() * k];
    let mut squares = vec![0.0_f64; vocabulary.len() * k];
    let mut grad = vec![0.0_f64; vocabulary.len() * k];
    let scores_of = |w: &[f64], features: &[usize], base: &[f64]| -> Vec<f64> {
        let mut s = base.to_vec();
        for f in features {
            for (c, slot) in s.iter_mut().enumerate() {
                *slot += w.get(f * k + c).copied().unwrap_or(0.0);
            }
        }
        s
    };
    for _ in 0..fit.iterations {
        for (g, x) in grad.iter_mut().zip(&w) {
            *g = fit.l2 * x;
        }
        for (features, base, y) in &rows {
            let p = softmax(&scores_of(&w, features, base));
            for f in features {
                for (c, pc) in p.iter().enumerate() {
                    let target = if c == *y { 1.0 } else { 0.0 };
                    if let Some(g) = grad.get_mut(f * k + c) {
                        *g += pc - target;
                    }
                }
            }
        }
        for ((x, g), sq) in w.iter_mut().zip(&grad).zip(squares.iter_mut()) {
            *sq += g * g;
            if *sq > 0.0 {
                *x -= fit.learning_rate * g / sq.sqrt();
            }
        }
    }
    let right = |with_model: bool| -> usize {
        rows.iter()
            .filter(|(features, base, y)| {
                let s = if with_model {
                    scores_of(&w, features, base)
                } else {
                    base.clone()
                };
                argmax(&s) == Some(*y)
            })
            .count()
    };
    let share = |n: usize| {
        if rows.is_empty() {
            0.0
        } else {
            n as f64 / rows.len() as f64
        }
    };
    let (lexicon_right, model_right) = (right(false), right(true));
    let mut weights = BTreeMap::new();
    for (i, word) in vocabulary.iter().enumerate() {
        let ws: Vec<f64> = (0..k)
            .map(|c| {
                let x = w.get(i * k + c).copied().unwrap_or(0.0);
                // Three decimals: the stored model reads the same on every machine.
                (x * 1000.0).round() / 1000.0
            })
            .collect();
        if ws.iter().any(|x| x.abs() >= 0.01) {
            weights.insert((*word).to_owned(), ws);
        }
    }
    let mut per_department = BTreeMap::new();
    for (_, y) in &labelled {
        if let Some(d) = departments.get(*y) {
            *per_department.entry(d.clone()).or_default() += 1;
        }
    }
    LearnedModel {
        departments: departments.to_vec(),
        weights,
        examples: labelled.len(),
        per_department,
        lexicon_hash: lexicon_hash.to_owned(),
        lexicon_accuracy: share(lexicon_right),
        training_accuracy: share(model_right),
        labels: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn words(list: &[&str]) -> Words {
        let all: BTreeSet<String> = list.iter().map(|w| (*w).to_owned()).collect();
        Words {
            sentences: vec![all.clone()],
            all,
        }
    }

    #[test]
    fn examples_that_contradict_the_lexicon_teach_their_words() {
        let departments = vec!["scjg".to_owned(), "jtys".to_owned()];
        // The lexicon says 押金 is market regulation; dispatchers keep sending 电单车 to transport.
        let offset = |w: &Words| vec![if w.contains("押金") { 2.0 } else { 0.0 }, 0.0];
        let mut examples: Vec<Example> = (0..20)
            .map(|i| Example {
                words: words(&["电单车", "押金", if i % 2 == 0 { "乱停" } else { "退还" }]),
                department: "jtys".into(),
            })
            .collect();
        examples.extend((0..10).map(|_| Example {
            words: words(&["押金", "健身房"]),
            department: "scjg".into(),
        }));
        let model = train(&examples, &departments, &offset, "h", Fit::default());
        assert_eq!(model.examples, 30);
        assert!(model.lexicon_accuracy < 0.5, "{}", model.lexicon_accuracy);
        assert_eq!(model.training_accuracy, 1.0);
        let score = |ws: &[&str]| {
            let w = words(ws);
            let base = offset(&w);
            (0..2)
                .map(|c| {
                    base[c]
                        + ws.iter()
                            .map(|x| model.weight(x, &departments[c]))
                            .sum::<f64>()
                })
                .collect::<Vec<_>>()
        };
        let new = score(&["电单车", "押金"]);
        assert!(new[1] > new[0], "{new:?}");
        let gym = score(&["健身房", "押金"]);
        assert!(gym[0] > gym[1], "{gym:?}");
        // The same examples give the same model.
        assert_eq!(
            model,
            train(&examples, &departments, &offset, "h", Fit::default())
        );
        assert_eq!(model.top_words(1)["jtys"][0].0, "电单车");
    }
}
