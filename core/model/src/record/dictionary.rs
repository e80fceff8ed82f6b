//! The field dictionary (字段字典): every record field jiandu reads, its type, its closed
//! vocabulary, and what `null` or an absent field means. One file, `fields.toml` beside this
//! one, is the source; the record checks, the rule checks, `jiandu fields` and
//! `docs/user/fields.md` all come from it.
//!
//! ```
//! use jiandu_model::record::dictionary::{dictionary, FieldType};
//! let field = dictionary().field("extensions[].approver_role").unwrap();
//! assert_eq!(field.field_type, FieldType::Enum);
//! assert_eq!(dictionary().vocabulary_of(field).unwrap().resolve("负责人").unwrap().code, "head");
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FieldKind;
use crate::RecordType;
use crate::complaint::{ActionKind, NonAcceptGround};

/// The kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Code,
    Date,
    Moment,
    DateOrMoment,
    Money,
    Bool,
    Integer,
    Enum,
    List,
    Object,
    Objects,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Code => "code",
            FieldType::Date => "date",
            FieldType::Moment => "moment",
            FieldType::DateOrMoment => "date_or_moment",
            FieldType::Money => "money",
            FieldType::Bool => "bool",
            FieldType::Integer => "integer",
            FieldType::Enum => "enum",
            FieldType::List => "list",
            FieldType::Object => "object",
            FieldType::Objects => "objects",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            FieldType::Text => "文本",
            FieldType::Code => "编码",
            FieldType::Date => "日期",
            FieldType::Moment => "时刻",
            FieldType::DateOrMoment => "日期或时刻",
            FieldType::Money => "金额（元）",
            FieldType::Bool => "是/否",
            FieldType::Integer => "整数",
            FieldType::Enum => "代码（取值封闭）",
            FieldType::List => "列表",
            FieldType::Object => "对象",
            FieldType::Objects => "对象列表",
        }
    }

    /// Whether `null` has a meaning for this type when the entry does not give one: for dates,
    /// amounts, texts, lists and objects it is "did not happen / none"; a yes/no, a code of a
    /// vocabulary or a count that is null says nothing.
    fn null_by_default(self) -> bool {
        !matches!(self, FieldType::Bool | FieldType::Enum | FieldType::Integer)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One value of a closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// What records carry.
    pub code: String,
    /// The Chinese label, accepted as input too.
    pub zh: String,
    pub en: String,
    /// Other words accepted for this code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<String>,
}

/// A closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Vocabulary {
    pub name: String,
    pub terms: Vec<Term>,
}

impl Vocabulary {
    /// The term a word stands for: its code, its Chinese label, or one of its other words
    /// (surrounding spaces ignored).
    pub fn resolve(&self, input: &str) -> Option<&Term> {
        let word = input.trim();
        self.terms.iter().find(|t| t.code == word).or_else(|| {
            self.terms
                .iter()
                .find(|t| t.zh == word || t.also.iter().any(|a| a == word))
        })
    }

    pub fn contains_code(&self, code: &str) -> bool {
        self.terms.iter().any(|t| t.code == code)
    }

    /// `head (行政机关负责人), collective (负责人集体讨论), …` for messages.
    pub fn allowed(&self) -> String {
        self.terms
            .iter()
            .map(|t| format!("{} ({})", t.code, t.zh))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The code closest to a word that is not in the vocabulary, if one is close.
    pub fn closest(&self, input: &str) -> Option<&Term> {
        let word = input.trim();
        self.terms
            .iter()
            .map(|t| (similarity(word, &t.code), t))
            .filter(|(score, _)| *score >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, t)| t)
    }

    pub fn label(&self, code: &str) -> Option<&str> {
        self.terms
            .iter()
            .find(|t| t.code == code)
            .map(|t| t.zh.as_str())
    }
}

/// One field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// `decision_date`, `payment.paid_to`, `officers[].cert_no`.
    pub path: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vocabulary: Option<String>,
    pub zh: String,
    pub en: String,
    /// What `null` means, where the type's default does not say it or says it differently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub null: Option<String>,
    /// What an absent field means, where the law gives it a meaning (else "not recorded").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub absent: Option<String>,
    /// The group it is listed under (`common`, `penalty` …).
    pub group: String,
    /// A key field (关键字段): the data-coverage report counts how often it is filled.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub key: bool,
}

impl Field {
    /// Whether a `null` in this field means something (and so is accepted).
    pub fn null_allowed(&self) -> bool {
        self.null.is_some() || self.field_type.null_by_default()
    }

    /// What `null` means, in words.
    pub fn null_meaning(&self) -> Option<String> {
        if let Some(meaning) = &self.null {
            return Some(meaning.clone());
        }
        match self.field_type {
            FieldType::Object => {
                Some("整项未发生，其各项不适用 / the whole thing did not happen".into())
            }
            t if t.null_by_default() => Some("无、未发生 / none, did not happen".into()),
            _ => None,
        }
    }

    /// The last path segment: `cert_no` for `officers[].cert_no`.
    pub fn name(&self) -> &str {
        self.path.rsplit('.').next().unwrap_or(&self.path)
    }

    /// The enclosing object's path (`officers[]` for `officers[].cert_no`), `""` at the top.
    pub fn parent(&self) -> &str {
        self.path.rsplit_once('.').map_or("", |(parent, _)| parent)
    }
}

/// A heading the fields are listed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// The whole dictionary.
#[derive(Debug)]
pub struct Dictionary {
    pub groups: Vec<Group>,
    pub fields: Vec<Field>,
    index: HashMap<String, usize>,
    vocabularies: BTreeMap<String, Vocabulary>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFormat {
    vocabularies: BTreeMap<String, Vec<Term>>,
    group: Vec<GroupFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupFormat {
    id: String,
    zh: String,
    en: String,
    fields: Vec<FieldFormat>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFormat {
    path: String,
    #[serde(rename = "type")]
    field_type: FieldType,
    #[serde(default)]
    vocabulary: Option<String>,
    zh: String,
    en: String,
    #[serde(default)]
    null: Option<String>,
    #[serde(default)]
    absent: Option<String>,
    #[serde(default)]
    key: bool,
}

/// The vocabularies the model's own enums define, so that they are written once.
fn builtin_vocabularies() -> Vec<Vocabulary> {
    let term = |code: &str, zh: &str, en: &str| Term {
        code: code.to_owned(),
        zh: zh.to_owned(),
        en: en.to_owned(),
        also: Vec::new(),
    };
    let mut grounds: Vec<Term> = NonAcceptGround::ALL
        .iter()
        .map(|g| term(g.as_str(), g.chinese(), &g.as_str().replace('_', " ")))
        .collect();
    // Imported records may carry a ground the law does not list; CPL-NONACCEPT-GROUNDS judges it.
    grounds.push(term(
        "other",
        "其他理由（第十五条未列）",
        "a ground the article does not list",
    ));
    vec![
        Vocabulary {
            name: "record_types".into(),
            terms: RecordType::ALL
                .iter()
                .map(|t| term(t.as_str(), t.chinese(), &t.as_str().replace('_', " ")))
                .collect(),
        },
        Vocabulary {
            name: "handover_actions".into(),
            terms: ActionKind::ALL
                .iter()
                .map(|a| term(a.as_str(), a.chinese(), &a.as_str().replace('_', " ")))
                .collect(),
        },
        Vocabulary {
            name: "nonaccept_grounds".into(),
            terms: grounds,
        },
    ]
}

impl Dictionary {
    /// Parses and checks a dictionary file: unique paths, every nested field under an object
    /// or a list of objects, every enum with a vocabulary, codes and labels unique.
    pub fn parse(text: &str) -> Result<Dictionary, String> {
        let file: FileFormat = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut vocabularies = BTreeMap::new();
        for vocabulary in builtin_vocabularies() {
            vocabularies.insert(vocabulary.name.clone(), vocabulary);
        }
        for (name, terms) in file.vocabularies {
            if vocabularies.contains_key(&name) {
                return Err(format!("vocabulary `{name}` is defined twice"));
            }
            vocabularies.insert(name.clone(), Vocabulary { name, terms });
        }
        for vocabulary in vocabularies.values() {
            let mut words = HashMap::new();
            for term in &vocabulary.terms {
                for word in std::iter::once(&term.code)
                    .chain(std::iter::once(&term.zh))
                    .chain(term.also.iter())
                {
                    if let Some(other) = words.insert(word.as_str(), term.code.as_str())
                        && other != term.code
                    {
                        return Err(format!(
                            "vocabulary `{}`: `{word}` stands for both {other} and {}",
                            vocabulary.name, term.code
                        ));
                    }
                }
            }
        }
        let mut groups = Vec::new();
        let mut fields: Vec<Field> = Vec::new();
        let mut index = HashMap::new();
        for group in file.group {
            for f in group.fields {
                if index.insert(f.path.clone(), fields.len()).is_some() {
                    return Err(format!("field `{}` is listed twice", f.path));
                }
                match (&f.vocabulary, f.field_type) {
                    (Some(name), FieldType::Enum | FieldType::List) => {
                        if !vocabularies.contains_key(name) {
                            return Err(format!(
                                "field `{}` names vocabulary `{name}`, which is not defined",
                                f.path
                            ));
                        }
                    }
                    (Some(_), other) => {
                        return Err(format!(
                            "field `{}` is {other}; only enum and list fields have a vocabulary",
                            f.path
                        ));
                    }
                    (None, FieldType::Enum) => {
                        return Err(format!("enum field `{}` names no vocabulary", f.path));
                    }
                    (None, _) => {}
                }
                fields.push(Field {
                    path: f.path,
                    field_type: f.field_type,
                    vocabulary: f.vocabulary,
                    zh: f.zh,
                    en: f.en,
                    null: f.null,
                    absent: f.absent,
                    group: group.id.clone(),
                    key: f.key,
                });
            }
            groups.push(Group {
                id: group.id,
                zh: group.zh,
                en: group.en,
            });
        }
        for field in &fields {
            let parent = field.parent();
            if parent.is_empty() {
                continue;
            }
            let (parent_path, want) = match parent.strip_suffix("[]") {
                Some(list) => (list, FieldType::Objects),
                None => (parent, FieldType::Object),
            };
            match index
                .get(parent_path)
                .and_then(|i| fields.get(*i))
                .map(|f| f.field_type)
            {
                Some(t) if t == want => {}
                _ => {
                    return Err(format!(
                        "field `{}` needs `{parent_path}` listed as {want}",
                        field.path
                    ));
                }
            }
        }
        Ok(Dictionary {
            groups,
            fields,
            index,
            vocabularies,
        })
    }

    pub fn field(&self, path: &str) -> Option<&Field> {
        self.index.get(path).and_then(|i| self.fields.get(*i))
    }

    pub fn vocabulary(&self, name: &str) -> Option<&Vocabulary> {
        self.vocabularies.get(name)
    }

    pub fn vocabularies(&self) -> impl Iterator<Item = &Vocabulary> {
        self.vocabularies.values()
    }

    pub fn vocabulary_of(&self, field: &Field) -> Option<&Vocabulary> {
        field.vocabulary.as_deref().and_then(|v| self.vocabulary(v))
    }

    /// How values of the field are checked and normalised (`None`: kept as they come).
    pub fn kind_of(&'static self, field: &Field) -> Option<FieldKind> {
        Some(match field.field_type {
            FieldType::Text | FieldType::Code => FieldKind::Text,
            FieldType::Date => FieldKind::Date,
            FieldType::Moment => FieldKind::Moment,
            FieldType::DateOrMoment => FieldKind::DateOrMoment,
            FieldType::Money => FieldKind::Money,
            FieldType::Bool => FieldKind::Bool,
            FieldType::Integer => FieldKind::Integer,
            FieldType::Enum => FieldKind::Enum(self.vocabulary_of(field)?),
            FieldType::List => FieldKind::List(self.vocabulary_of(field)),
            FieldType::Object | FieldType::Objects => return None,
        })
    }

    /// The fields of a record body that no entry describes, as paths (`officers[].rank`),
    /// each once. Inside an unknown object nothing more is reported.
    pub fn unknown_paths(&self, body: &Map<String, Value>) -> Vec<String> {
        let mut found = Vec::new();
        self.walk(body, "", &mut found);
        found.sort();
        found
    }

    fn walk(&self, object: &Map<String, Value>, prefix: &str, found: &mut Vec<String>) {
        for (key, value) in object {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            match self.field(&path).map(|f| f.field_type) {
                None => {
                    if !found.contains(&path) {
                        found.push(path);
                    }
                }
                Some(FieldType::Object) => {
                    if let Value::Object(inner) = value {
                        self.walk(inner, &path, found);
                    }
                }
                Some(FieldType::Objects) => {
                    if let Value::Array(items) = value {
                        let element = format!("{path}[]");
                        for item in items {
                            if let Value::Object(inner) = item {
                                self.walk(inner, &element, found);
                            }
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// The known field a path that is not in the dictionary most likely means
    /// (`execution_type` → `execution_kind`), if one is close enough.
    pub fn suggest(&self, path: &str) -> Option<&Field> {
        let (parent, name) = path.rsplit_once('.').unwrap_or(("", path));
        self.fields
            .iter()
            .map(|f| {
                let mut score = similarity(name, f.name());
                if f.parent() == parent {
                    score += 0.01;
                } else {
                    score -= 0.2;
                }
                (score, f)
            })
            .filter(|(score, _)| *score >= 0.5)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, f)| f)
    }

    /// A path as a rule or a person might write it, resolved to the dictionary's paths:
    /// itself if listed, else every field whose name it is (`days` → `extensions[].days`,
    /// `extension.days`).
    pub fn resolve_name(&self, name: &str) -> Vec<&Field> {
        if let Some(field) = self.field(name) {
            return vec![field];
        }
        self.fields.iter().filter(|f| f.name() == name).collect()
    }
}

/// Words that name the same thing in field names written by different people.
const SYNONYMS: &[&[&str]] = &[
    &["type", "kind", "category", "class"],
    &["date", "day"],
    &["time", "moment", "at"],
    &["id", "code", "no", "number"],
    &["amount", "sum", "value"],
    &["licence", "license"],
    &["by", "role", "approver"],
];

fn tokens_match(a: &str, b: &str) -> bool {
    a == b
        || SYNONYMS
            .iter()
            .any(|group| group.contains(&a) && group.contains(&b))
        || (a.len() >= 4 && b.len() >= 4 && edit_distance(a, b) <= 1)
}

/// How alike two identifiers are, 0 to 1: the share of their `_`-separated words that match
/// (synonyms and one-letter slips count), or failing that how few letters differ.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a = a.to_ascii_lowercase();
    let b = b.to_ascii_lowercase();
    if a == b {
        return 1.0;
    }
    let ta: Vec<&str> = a.split('_').filter(|t| !t.is_empty()).collect();
    let tb: Vec<&str> = b.split('_').filter(|t| !t.is_empty()).collect();
    let mut unused: Vec<Option<&str>> = tb.iter().map(|t| Some(*t)).collect();
    let mut matched = 0;
    for x in &ta {
        if let Some(slot) = unused
            .iter_mut()
            .find(|slot| slot.is_some_and(|t| tokens_match(x, t)))
        {
            *slot = None;
            matched += 1;
        }
    }
    let by_words = if ta.is_empty() || tb.is_empty() {
        0.0
    } else {
        2.0 * matched as f64 / (ta.len() + tb.len()) as f64
    };
    let longest = a.chars().count().max(b.chars().count()).max(1);
    let by_letters = 1.0 - edit_distance(&a, &b) as f64 / longest as f64;
    // Letters alone must be very close: `execution_date` is not `execution_type`.
    by_words.max(if by_letters >= 0.75 { by_letters } else { 0.0 })
}

#[allow(
    clippy::indexing_slicing,
    reason = "rows have b.len() + 1 cells by construction"
)]
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            current.push(
                (previous[j] + cost)
                    .min(previous[j + 1] + 1)
                    .min(current[j] + 1),
            );
        }
        previous = current;
    }
    previous[b.len()]
}

/// The dictionary shipped with jiandu.
#[allow(clippy::panic, reason = "compiled-in data, checked by the tests")]
pub fn dictionary() -> &'static Dictionary {
    static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        Dictionary::parse(include_str!("fields.toml"))
            .unwrap_or_else(|e| panic!("core/model/src/record/fields.toml is not valid: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_dictionary_is_valid() {
        let d = dictionary();
        assert!(d.fields.len() > 300, "{}", d.fields.len());
        assert_eq!(d.field("payment.paid_to").unwrap().group, "penalty");
        assert_eq!(
            d.vocabulary("nonaccept_grounds").unwrap().terms.len(),
            NonAcceptGround::ALL.len() + 1
        );
    }

    #[test]
    fn labels_and_other_words_resolve_to_codes() {
        let d = dictionary();
        let roles = d.vocabulary("roles").unwrap();
        assert_eq!(roles.resolve("行政机关负责人").unwrap().code, "head");
        assert_eq!(roles.resolve(" head ").unwrap().code, "head");
        assert!(roles.resolve("agency_head").is_none());
        let provinces = d.vocabulary("provinces").unwrap();
        assert_eq!(provinces.resolve("广东省").unwrap().code, "440000");
        assert!(provinces.resolve("44").is_none());
        let types = d.vocabulary("penalty_types").unwrap();
        assert_eq!(
            types.closest("revoke_licence").unwrap().code,
            "revoke_license"
        );
    }

    #[test]
    fn suggests_the_field_a_slip_means() {
        let d = dictionary();
        let suggest = |p: &str| d.suggest(p).map(|f| f.path.clone());
        assert_eq!(suggest("execution_type").as_deref(), Some("execution_kind"));
        assert_eq!(suggest("decison_date").as_deref(), Some("decision_date"));
        assert_eq!(
            suggest("extensions[].aprover_role").as_deref(),
            Some("extensions[].approver_role")
        );
        assert_eq!(suggest("colour_of_the_car"), None);
    }

    #[test]
    fn finds_fields_no_entry_describes() {
        let body = serde_json::json!({
            "record_id": "x", "execution_type": "money",
            "officers": [{"name": "张三", "rank": 3}, {"rank": 4}],
            "payment": {"paid_to": "bank", "teller": "A"},
            "mystery": {"inside": 1}
        });
        let Value::Object(body) = body else {
            unreachable!()
        };
        assert_eq!(
            dictionary().unknown_paths(&body),
            vec![
                "execution_type",
                "mystery",
                "officers[].rank",
                "payment.teller"
            ]
        );
    }

    #[test]
    fn refuses_a_field_under_an_object_it_does_not_list() {
        let text = r#"
            [vocabularies]
            [[group]]
            id = "g"
            zh = "组"
            en = "group"
            fields = [ { path = "a.b", type = "date", zh = "乙", en = "b" } ]
        "#;
        assert!(
            Dictionary::parse(text)
                .unwrap_err()
                .contains("`a` listed as object")
        );
    }
}
