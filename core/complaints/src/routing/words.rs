//! Chinese text into words: jieba's segmentation (its own dictionary, plus every word of the
//! lexicon so that an author's word is always cut as one), synonyms mapped to the word they
//! mean, stop words and punctuation left out, and the words of each sentence kept apart so
//! that a phrase can ask for its words in one sentence.

use std::collections::BTreeSet;

use jieba_rs::Jieba;

use super::lexicon::Lexicon;

/// The words of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words {
    /// Every word of the message, once.
    pub all: BTreeSet<String>,
    /// The words of each sentence (split at 。！？；and line ends).
    pub sentences: Vec<BTreeSet<String>>,
}

impl Words {
    pub fn contains(&self, word: &str) -> bool {
        self.all.contains(word)
    }

    /// Whether all `words` stand in one sentence.
    pub fn together(&self, words: &[String]) -> bool {
        self.sentences
            .iter()
            .any(|s| words.iter().all(|w| s.contains(w)))
    }

    /// Adds a word that comes from elsewhere than the text (a respondent's registration kind).
    pub fn add(&mut self, word: &str) {
        self.all.insert(word.to_owned());
        self.sentences.push(BTreeSet::from([word.to_owned()]));
    }
}

pub struct Segmenter {
    jieba: Jieba,
    synonyms: std::collections::BTreeMap<String, String>,
    stopwords: BTreeSet<String>,
    /// Single characters the lexicon uses as words (others are too vague to count).
    single: BTreeSet<String>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segmenter")
            .field("synonyms", &self.synonyms.len())
            .field("stopwords", &self.stopwords.len())
            .finish_non_exhaustive()
    }
}

/// Where a sentence ends.
fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n' | '\r')
}

impl Segmenter {
    /// `places`: names that say where, not what (the city's place names), left out like stop
    /// words so that no department is learned from a county's name.
    pub fn new<'a>(lexicon: &Lexicon, places: impl IntoIterator<Item = &'a str>) -> Segmenter {
        let mut jieba = Jieba::new();
        let mut stopwords = lexicon.stopwords.clone();
        for place in places {
            stopwords.insert(place.to_owned());
            jieba.add_word(place, Some(50_000), None);
        }
        let mut single = BTreeSet::new();
        for word in lexicon.vocabulary() {
            if word.chars().count() == 1 {
                single.insert(word.to_owned());
            } else {
                // A high frequency makes jieba prefer the author's word as one piece.
                jieba.add_word(word, Some(50_000), None);
            }
        }
        Segmenter {
            jieba,
            synonyms: lexicon.synonyms.clone(),
            stopwords,
            single,
        }
    }

    /// A word as the model counts it, or `None` when it says nothing.
    fn normal(&self, token: &str) -> Option<String> {
        let token = token.trim();
        if token.is_empty()
            || !token.chars().any(char::is_alphanumeric)
            || token.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            return None;
        }
        let word = self
            .synonyms
            .get(token)
            .map_or_else(|| token.to_owned(), Clone::clone);
        if self.stopwords.contains(&word) {
            return None;
        }
        if word.chars().count() < 2 && !self.single.contains(&word) {
            return None;
        }
        Some(word)
    }

    /// The words of `text` (search mode: 污染环境 gives 污染, 环境 and 污染环境).
    pub fn words(&self, text: &str) -> Words {
        let mut words = Words::default();
        for sentence in text.split(ends_sentence) {
            let mut here = BTreeSet::new();
            for token in self.jieba.cut_for_search(sentence, true) {
                if let Some(word) = self.normal(token.word) {
                    here.insert(word);
                }
            }
            if !here.is_empty() {
                words.all.extend(here.iter().cloned());
                words.sentences.push(here);
            }
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::table::RoutingTable;

    fn segmenter() -> Segmenter {
        let table = RoutingTable::parse(
            "city_region = \"441800\"\n[[department]]\ncode = \"a\"\nname = \"A\"\n",
            "t",
        )
        .unwrap();
        let lexicon = Lexicon::parse(
            "stopwords = [\"小区\"]\n[synonyms]\n\"偷排\" = \"排污\"\n[department.a]\n\"缺斤少两\" = 2\n\"车\" = 1\n",
            "l",
            &table,
        )
        .unwrap();
        Segmenter::new(&lexicon, ["清城区"])
    }

    #[test]
    fn words_are_cut_mapped_and_kept_per_sentence() {
        let s = segmenter();
        let words =
            s.words("清城区小区旁边工厂夜间排放废气，污染环境。有人偷排！摊主缺斤少两，车很多");
        for word in [
            "工厂",
            "排放",
            "废气",
            "污染",
            "环境",
            "排污",
            "缺斤少两",
            "车",
        ] {
            assert!(words.contains(word), "{word} in {words:?}");
        }
        assert!(!words.contains("小区"), "a stop word");
        assert!(!words.contains("清城区"), "a place");
        assert!(!words.contains("偷排"), "a synonym becomes its word");
        assert!(!words.contains("，"));
        assert!(words.together(&["污染".into(), "废气".into()]));
        assert!(
            !words.together(&["废气".into(), "排污".into()]),
            "two sentences"
        );
    }
}
