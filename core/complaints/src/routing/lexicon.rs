//! `rules/routing/lexicon.toml`: the words and phrases that point a message to a department,
//! with their weights, written by the people who know the city's division of work.
//!
//! ```toml
//! stopwords = ["反映", "要求"]          # words that say nothing about the department
//! [synonyms]
//! "偷排" = "排污"                       # a variant → the word it means
//! [department.sthj]
//! "废气" = 3.0                          # a word
//! "污染+环境" = 2.0                     # a phrase: all its words in one sentence, any order
//! [department.scjg]
//! "收费" = { weight = 1.0, unless = ["学校", "学费"] }   # not when one of these is there
//! "学校" = -1.0                         # a negative word
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::table::{RoutingLoadError, RoutingTable};

/// The largest weight an author may give one entry: a single word should never outweigh
/// everything else a message says.
pub const MAX_WEIGHT: f64 = 10.0;

/// One word or phrase of a department.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// One word, or the words of a phrase (all in one sentence, any order).
    pub words: Vec<String>,
    pub weight: f64,
    /// The entry does not count when any of these words is in the message.
    pub unless: Vec<String>,
}

impl Entry {
    /// How the entry reads in a reason: `废气`, `污染+环境`.
    pub fn label(&self) -> String {
        self.words.join("+")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// department code → its entries, in the file's order of keys
    pub departments: BTreeMap<String, Vec<Entry>>,
    pub synonyms: BTreeMap<String, String>,
    pub stopwords: BTreeSet<String>,
    /// SHA-256 of the file, so that a model trained with another lexicon is known as such.
    pub hash: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    synonyms: BTreeMap<String, String>,
    #[serde(default)]
    department: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

/// An entry's value: a weight, or `{ weight, unless }`.
fn entry_value(value: &toml::Value) -> Result<(f64, Vec<String>), String> {
    let number = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    if let Some(weight) = number(value) {
        return Ok((weight, Vec::new()));
    }
    let shape = "a weight (a number) or { weight = 1.0, unless = [\"…\"] }";
    let table = value
        .as_table()
        .ok_or_else(|| format!("expected {shape}, found {}", value.type_str()))?;
    if let Some(other) = table.keys().find(|k| *k != "weight" && *k != "unless") {
        return Err(format!(
            "`{other}` is not part of an entry; expected {shape}"
        ));
    }
    let weight = table
        .get("weight")
        .and_then(number)
        .ok_or_else(|| format!("no numeric `weight`; expected {shape}"))?;
    let unless = match table.get("unless") {
        None => Vec::new(),
        Some(list) => list
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect()
            })
            .ok_or_else(|| "`unless` must be a list of words".to_owned())?,
    };
    Ok((weight, unless))
}

impl Lexicon {
    /// Reads a lexicon and checks it against the table: every department it names exists,
    /// every weight is a finite number within ±[`MAX_WEIGHT`], no word is empty, no synonym
    /// leads to another synonym.
    pub fn parse(
        text: &str,
        path: &str,
        table: &RoutingTable,
    ) -> Result<Lexicon, RoutingLoadError> {
        let refuse = |reason: String| RoutingLoadError::Table {
            path: path.to_owned(),
            reason,
        };
        let file: LexiconFile = toml::from_str(text).map_err(|e| refuse(e.to_string()))?;
        let word_ok = |w: &str| !w.trim().is_empty() && w.trim() == w && !w.contains('+');
        for (variant, word) in &file.synonyms {
            if !word_ok(variant) || !word_ok(word) {
                return Err(refuse(format!(
                    "synonym `{variant}` = `{word}`: a synonym and its word are single words without spaces or `+`"
                )));
            }
            if file.synonyms.contains_key(word) {
                return Err(refuse(format!(
                    "synonym `{variant}` leads to `{word}`, which is itself a synonym of `{}`; name the final word",
                    file.synonyms.get(word).map_or("", String::as_str)
                )));
            }
        }
        let mut departments = BTreeMap::new();
        for (code, entries) in file.department {
            if table.department(&code).is_none() {
                return Err(refuse(format!(
                    "[department.{code}] names a department that table.toml does not define"
                )));
            }
            let mut out = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let at = || format!("[department.{code}] `{key}`");
                let (weight, unless) =
                    entry_value(&value).map_err(|reason| refuse(format!("{}: {reason}", at())))?;
                if !weight.is_finite() || weight.abs() > MAX_WEIGHT || weight == 0.0 {
                    return Err(refuse(format!(
                        "{}: the weight {weight} must be a number from -{MAX_WEIGHT} to {MAX_WEIGHT}, not 0",
                        at()
                    )));
                }
                let words: Vec<String> = key.split('+').map(|w| w.trim().to_owned()).collect();
                if words.iter().any(|w| w.is_empty()) || words.len() > 4 {
                    return Err(refuse(format!(
                        "{}: a phrase is up to four words joined by `+`, none empty",
                        at()
                    )));
                }
                if let Some(bad) = words
                    .iter()
                    .chain(&unless)
                    .find(|w| file.synonyms.contains_key(*w))
                {
                    return Err(refuse(format!(
                        "{}: `{bad}` is a synonym of `{}`; write the word it means",
                        at(),
                        file.synonyms.get(bad).map_or("", String::as_str)
                    )));
                }
                if unless.iter().any(|w| !word_ok(w)) {
                    return Err(refuse(format!(
                        "{}: `unless` lists single words without spaces or `+`",
                        at()
                    )));
                }
                out.push(Entry {
                    words,
                    weight,
                    unless,
                });
            }
            departments.insert(code, out);
        }
        Ok(Lexicon {
            departments,
            synonyms: file.synonyms,
            stopwords: file.stopwords.into_iter().collect(),
            hash: sha256_hex(text.as_bytes()),
        })
    }

    /// Every word the segmenter should know as one word.
    pub fn vocabulary(&self) -> BTreeSet<&str> {
        let mut words = BTreeSet::new();
        for entries in self.departments.values() {
            for entry in entries {
                words.extend(entry.words.iter().map(String::as_str));
                words.extend(entry.unless.iter().map(String::as_str));
            }
        }
        for (variant, word) in &self.synonyms {
            words.insert(variant.as_str());
            words.insert(word.as_str());
        }
        words
    }
}

/// The SHA-256 of `bytes` in hex (what identifies a lexicon or a set of labels).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RoutingTable {
        RoutingTable::parse(
            "city_region = \"441800\"\n[[department]]\ncode = \"a\"\nname = \"A\"\n",
            "table.toml",
        )
        .unwrap()
    }

    #[test]
    fn words_phrases_and_exceptions_are_read() {
        let lexicon = Lexicon::parse(
            "stopwords = [\"反映\"]\n[synonyms]\n\"偷排\" = \"排污\"\n[department.a]\n\"废气\" = 3\n\"污染+环境\" = 2.5\n\"收费\" = { weight = 1, unless = [\"学校\"] }\n",
            "lexicon.toml",
            &table(),
        )
        .unwrap();
        let entries = &lexicon.departments["a"];
        assert_eq!(entries.len(), 3);
        let phrase = entries.iter().find(|e| e.words.len() == 2).unwrap();
        assert_eq!(phrase.label(), "污染+环境");
        let fee = entries.iter().find(|e| e.label() == "收费").unwrap();
        assert_eq!(fee.unless, ["学校"]);
        assert!(lexicon.vocabulary().contains("偷排"));
        assert!(lexicon.stopwords.contains("反映"));
    }

    #[test]
    fn a_lexicon_names_its_mistakes() {
        for (text, says) in [
            ("[department.b]\n\"x\" = 1\n", "table.toml does not define"),
            ("[department.a]\n\"x\" = 11\n", "from -10 to 10"),
            ("[department.a]\n\"x\" = 0\n", "not 0"),
            ("[department.a]\n\"x++y\" = 1\n", "none empty"),
            (
                "[synonyms]\n\"a\" = \"b\"\n\"b\" = \"c\"\n",
                "itself a synonym",
            ),
            (
                "[synonyms]\n\"偷排\" = \"排污\"\n[department.a]\n\"偷排\" = 1\n",
                "write the word it means",
            ),
            (
                "[department.a]\n\"x\" = \"heavy\"\n",
                "expected a weight (a number)",
            ),
            (
                "[department.a]\n\"x\" = { weight = 1, if = [] }\n",
                "`if` is not part",
            ),
        ] {
            let error = Lexicon::parse(text, "lexicon.toml", &table())
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
