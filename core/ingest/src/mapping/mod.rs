//! Mapping files: renaming source fields (such as the 互联网+监管 names) to jiandu paths.
//!
//! ```toml
//! extends = "internet-plus-common.toml"   # read another mapping first (path relative to this file)
//! naive_time_offset = "+08:00"            # moments written without a zone are Beijing time
//!
//! [fields]                 # source field = jiandu path, or several paths
//! "作出行政处罚决定日期" = "decision_date"
//! "检查行为编号" = ["record_id", "check_action_code"]
//!
//! [values.procedure]       # source word = jiandu value, for one field path
//! "简易" = "summary"       # (list fields translate each element)
//! "未知" = { absent = true } # the word means "not recorded": the field is left out
//! "无" = { null = true }   # the word means null ("did not happen", as the dictionary says)
//!
//! [values."extensions[].approver_role"]   # a field inside a list of objects
//! "局长" = "head"
//!
//! [values."*"]             # words that mean absent or null in every field
//! "未知" = { absent = true }
//!
//! [zip.officers]           # parallel source lists become one list of objects
//! name = "检查人员"
//! cert_no = "执法证号"
//!
//! [defaults]               # set on every row that lacks the field after renaming
//! record_type = "penalty"
//!
//! [constants]              # set on every row, whatever the file says
//! source_system = "粤执法"
//!
//! [prefer]                 # two columns give one field: the first non-empty wins
//! decision_date = ["处罚决定日期", "决定日期"]
//!
//! header_row = 2           # where the column names are (title rows above it)
//! sheet = "处罚台账"       # which worksheet
//! ```
//!
//! `[parse.FIELD]` (dates, moments, money, list separators) is in `transform.rs`;
//! `[record_id]` and `[extract]` in `record_id.rs`.

mod outbound;
pub use outbound::Outbound;
mod record_id;
mod transform;

use std::collections::BTreeMap;
use std::path::Path;

use jiandu_model::record::dictionary::{FieldType, dictionary};
use jiandu_model::{FieldKind, Lookup};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::source::{Source, SourceRow, set_path};
use crate::{IngestError, RowError};
use record_id::{CONSTANT_ID, IdMaker, IdSpec};
use transform::{FieldParse, ParseSpec};

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Targets {
    One(String),
    Many(Vec<String>),
}

impl Targets {
    fn paths(&self) -> Vec<&str> {
        match self {
            Targets::One(path) => vec![path.as_str()],
            Targets::Many(paths) => paths.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    about: Option<String>,
    #[serde(default)]
    extends: Option<String>,
    #[serde(default)]
    naive_time_offset: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, Targets>,
    #[serde(default)]
    values: BTreeMap<String, BTreeMap<String, toml::Value>>,
    #[serde(default)]
    zip: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    defaults: BTreeMap<String, toml::Value>,
    #[serde(default)]
    constants: BTreeMap<String, toml::Value>,
    #[serde(default)]
    prefer: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    parse: BTreeMap<String, ParseSpec>,
    #[serde(default)]
    record_id: Option<IdSpec>,
    #[serde(default)]
    extract: BTreeMap<String, String>,
    #[serde(default)]
    header_row: Option<usize>,
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    /// For exports only: an output column filled from the first of these fields present.
    #[serde(default)]
    outbound: BTreeMap<String, Vec<String>>,
}

/// What a source word becomes.
#[derive(Debug, Clone, PartialEq)]
enum Translation {
    Value(Value),
    /// Not recorded: the field is left out (in a list, the element is dropped).
    Absent,
    Null,
}

/// The table of words that apply to every field.
const ANY_FIELD: &str = "*";

/// A loaded mapping (with whatever it extends merged in).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub about: Option<String>,
    naive_time_offset: Option<String>,
    fields: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, BTreeMap<String, Translation>>,
    zip: BTreeMap<String, BTreeMap<String, String>>,
    defaults: BTreeMap<String, Value>,
    constants: BTreeMap<String, Value>,
    prefer: BTreeMap<String, Vec<String>>,
    parse: BTreeMap<String, FieldParse>,
    record_id: Option<IdMaker>,
    /// Where the file's header row is, when the mapping knows its source's layout.
    pub header_row: Option<usize>,
    pub sheet: Option<String>,
    pub encoding: Option<crate::Encoding>,
    /// `[outbound]`: an export column from the first of several fields present.
    outbound: BTreeMap<String, Vec<String>>,
}

/// `line N: ` for the key `key` of the table `[section]` in a mapping's text, so that an
/// error points where the user must edit.
fn locate(text: &str, section: &str, key: &str) -> String {
    let bare = |s: &str| s.replace(['"', '\'', ' '], "");
    let wanted = bare(section);
    let mut in_section = section.is_empty();
    for (idx, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(header) = trimmed.strip_prefix('[') {
            let name = bare(header.split(']').next().unwrap_or(""));
            in_section = name == wanted;
            if in_section && key.is_empty() {
                return format!("line {}: ", idx + 1);
            }
            continue;
        }
        if in_section && !key.is_empty() {
            let name = trimmed.split('=').next().map(bare).unwrap_or_default();
            if name == bare(key) {
                return format!("line {}: ", idx + 1);
            }
        }
    }
    String::new()
}

fn to_json(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        toml::Value::Table(table) => {
            Value::Object(table.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// `; did you mean `x`?` when the dictionary has a close field.
fn field_hint(path: &str) -> String {
    dictionary()
        .suggest(path)
        .map(|f| format!("; did you mean `{}`?", f.path))
        .unwrap_or_default()
}

/// Reads one entry of a `[values.PATH]` table, checking it against the field's vocabulary.
fn translation(path: &str, word: &str, value: &toml::Value) -> Result<Translation, String> {
    if let toml::Value::Table(table) = value {
        let flag =
            |name: &str| table.len() == 1 && table.get(name) == Some(&toml::Value::Boolean(true));
        if flag("absent") {
            return Ok(Translation::Absent);
        }
        if flag("null") {
            return Ok(Translation::Null);
        }
        return Err(format!(
            "`{word}`: a translation is a value, `{{ absent = true }}` (not recorded) or `{{ null = true }}`"
        ));
    }
    if path == ANY_FIELD {
        return Err(format!(
            "`{word}`: [values.\"*\"] applies to every field, so it can only say `{{ absent = true }}` or `{{ null = true }}`"
        ));
    }
    let value = to_json(value);
    let d = dictionary();
    let Some(field) = d.field(path) else {
        return Err(format!("`{path}` is not a field of the dictionary"));
    };
    let vocabulary = match d.kind_of(field) {
        Some(FieldKind::Enum(v)) | Some(FieldKind::List(Some(v))) => Some(v),
        _ => None,
    };
    if let Some(vocabulary) = vocabulary {
        let words: Vec<&Value> = match &value {
            Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        for target in words {
            let known = target.as_str().and_then(|t| vocabulary.resolve(t));
            if known.is_none() {
                let hint = target
                    .as_str()
                    .and_then(|t| vocabulary.closest(t))
                    .map(|t| format!(" (did you mean `{}`?)", t.code))
                    .unwrap_or_default();
                return Err(format!(
                    "`{word}` = {target}: not an allowed value of `{path}`{hint}; allowed: {}",
                    vocabulary.allowed()
                ));
            }
        }
    }
    Ok(Translation::Value(value))
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, IngestError> {
        Mapping::load_nested(path, 0)
    }

    fn load_nested(path: &Path, depth: usize) -> Result<Mapping, IngestError> {
        let file = path.display().to_string();
        if depth > 4 {
            return Err(IngestError::Mapping {
                file,
                reason: "`extends` goes more than four files deep (a loop?)".into(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Read {
            file: file.clone(),
            source,
        })?;
        let parsed = parse_file(&text, &file)?;
        let mut mapping = match &parsed.extends {
            Some(base) => {
                let base_path = path.parent().unwrap_or(Path::new(".")).join(base);
                Mapping::load_nested(&base_path, depth + 1)?
            }
            None => Mapping::default(),
        };
        mapping
            .merge(parsed, &text)
            .map_err(|reason| IngestError::Mapping { file, reason })?;
        Ok(mapping)
    }

    /// Parses a mapping without `extends` (for tests and inline mappings).
    pub fn parse(text: &str, file: &str) -> Result<Mapping, IngestError> {
        let parsed = parse_file(text, file)?;
        if parsed.extends.is_some() {
            return Err(IngestError::Mapping {
                file: file.to_owned(),
                reason: "`extends` needs a mapping loaded from a file".into(),
            });
        }
        let mut mapping = Mapping::default();
        mapping
            .merge(parsed, text)
            .map_err(|reason| IngestError::Mapping {
                file: file.to_owned(),
                reason,
            })?;
        Ok(mapping)
    }

    fn merge(&mut self, file: MappingFile, text: &str) -> Result<(), String> {
        if file.header_row.is_some() {
            self.header_row = file.header_row;
        }
        if file.sheet.is_some() {
            self.sheet = file.sheet.clone();
        }
        if let Some(encoding) = &file.encoding {
            self.encoding = Some(
                encoding
                    .parse()
                    .map_err(|e| format!("{}{e}", locate(text, "", "encoding")))?,
            );
        }
        if file.about.is_some() {
            self.about = file.about;
        }
        if file.naive_time_offset.is_some() {
            self.naive_time_offset = file.naive_time_offset;
        }
        for (source, targets) in file.fields {
            self.fields.insert(
                source,
                targets.paths().into_iter().map(str::to_owned).collect(),
            );
        }
        for (target, table) in file.values {
            if target != ANY_FIELD && dictionary().field(&target).is_none() {
                return Err(format!(
                    "[values.\"{target}\"]: `{target}` is not a field of the field dictionary{} (see `jiandu fields`)",
                    field_hint(&target)
                ));
            }
            let mut words = BTreeMap::new();
            for (word, value) in &table {
                let entry = translation(&target, word, value).map_err(|reason| {
                    format!(
                        "{}[values.\"{target}\"] {reason}",
                        locate(text, &format!("values.{target}"), word)
                    )
                })?;
                words.insert(word.trim().to_owned(), entry);
            }
            self.values.entry(target).or_default().extend(words);
        }
        self.zip.extend(file.zip);
        for (column, paths) in file.outbound {
            if let Some(path) = paths.iter().find(|p| dictionary().field(p).is_none()) {
                return Err(format!(
                    "{}[outbound] \"{column}\": `{path}` is not a field of the field dictionary{}",
                    locate(text, "outbound", &column),
                    field_hint(path)
                ));
            }
            self.outbound.insert(column, paths);
        }
        for (table, entries) in [("defaults", &file.defaults), ("constants", &file.constants)] {
            if entries.contains_key("record_id") {
                return Err(format!(
                    "{}[{table}] record_id: {CONSTANT_ID}",
                    locate(text, table, "record_id")
                ));
            }
        }
        self.defaults
            .extend(file.defaults.iter().map(|(k, v)| (k.clone(), to_json(v))));
        self.constants
            .extend(file.constants.iter().map(|(k, v)| (k.clone(), to_json(v))));
        for (path, columns) in file.prefer {
            if columns.len() < 2 {
                return Err(format!(
                    "{}[prefer] {path}: name the columns in the order they win, at least two",
                    locate(text, "prefer", &path)
                ));
            }
            self.prefer.insert(path, columns);
        }
        for (path, spec) in file.parse {
            let section = format!("parse.{path}");
            let at = |key: &str| locate(text, &section, key);
            let parse = FieldParse::check(&path, spec, self.naive_time_offset.as_deref(), &at)
                .map_err(|e| format!("{e} (in [parse.\"{path}\"])"))?;
            self.parse.insert(path, parse);
        }
        if let Some(spec) = file.record_id {
            let maker = IdMaker::check(spec, &file.extract)
                .map_err(|e| format!("{}{e}", locate(text, "record_id", "")))?;
            self.record_id = Some(maker);
        } else if !file.extract.is_empty() {
            return Err(format!(
                "{}[extract] is only read by a [record_id] template, and this mapping has none",
                locate(text, "extract", "")
            ));
        }
        Ok(())
    }

    /// Whether the mapping writes `path` (renames to it, zips into it, or gives it a
    /// default or constant): a field the user named on purpose, so not one to warn about.
    pub fn writes(&self, path: &str) -> bool {
        self.fields.values().flatten().any(|p| p == path)
            || self.defaults.contains_key(path)
            || self.constants.contains_key(path)
            || self.prefer.contains_key(path)
            || (path == "record_id" && self.record_id.is_some())
            || self.zip.iter().any(|(list, parts)| {
                path == list
                    || path
                        .strip_prefix(list.as_str())
                        .and_then(|rest| rest.strip_prefix("[]."))
                        .is_some_and(|part| parts.contains_key(part))
            })
    }

    /// The source columns that give `path`: those renamed, zipped or preferred into it, and a
    /// column named `path` itself. `officers[2].name` is looked up as `officers[].name`.
    pub fn sources_of(&self, path: &str) -> Vec<String> {
        let path = strip_indices(path);
        let mut out: Vec<String> = Vec::new();
        let mut add = |name: &str| {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_owned());
            }
        };
        if let Some(columns) = self.prefer.get(&path) {
            columns.iter().for_each(|c| add(c));
        }
        for (source, targets) in &self.fields {
            if targets.contains(&path) {
                add(source);
            }
        }
        for (list, parts) in &self.zip {
            if let Some(part) = path
                .strip_prefix(list.as_str())
                .and_then(|r| r.strip_prefix("[]."))
            {
                if let Some(source) = parts.get(part) {
                    add(source);
                }
            }
        }
        if path == "record_id" {
            if let Some(maker) = &self.record_id {
                maker.names().into_iter().for_each(&mut add);
                for (column, _) in maker.captures() {
                    add(column);
                }
            }
        }
        add(&path);
        out
    }

    /// The source column `column` feeds: its renamed paths, or itself when not renamed.
    fn targets_of<'a>(&'a self, column: &'a str) -> Vec<&'a str> {
        if let Some(targets) = self.fields.get(column) {
            return targets.iter().map(String::as_str).collect();
        }
        let zipped = self
            .zip
            .values()
            .any(|parts| parts.values().any(|s| s == column));
        if zipped { Vec::new() } else { vec![column] }
    }

    /// Checks a file's columns against the mapping before any row is read: two columns
    /// that give one field must be ordered by `[prefer]`, and every column a `[record_id]`
    /// or `[extract]` names must exist.
    pub fn check_columns(&self, source: &Source) -> Result<(), IngestError> {
        let columns = source_keys(source);
        let error = |reason: String| IngestError::Columns {
            file: source.to_string(),
            reason,
        };
        let label = |name: &str| match source.column_label(name) {
            Some(l) => format!("{l}（{name}）"),
            None => format!("`{name}`"),
        };
        let mut by_target: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for column in &columns {
            for target in self.targets_of(column) {
                by_target.entry(target).or_default().push(column);
            }
        }
        for (target, givers) in by_target {
            if givers.len() < 2 {
                continue;
            }
            let ordered = self
                .prefer
                .get(target)
                .is_some_and(|order| givers.iter().all(|g| order.iter().any(|o| o == g)));
            if !ordered {
                let named: Vec<String> = givers.iter().map(|g| label(g)).collect();
                let quoted: Vec<String> = givers.iter().map(|g| format!("\"{g}\"")).collect();
                return Err(error(format!(
                    "columns {} all give the field `{target}`; say which wins in the mapping: [prefer] {target} = [{}]",
                    named.join(" and "),
                    quoted.join(", ")
                )));
            }
        }
        if let Some(maker) = &self.record_id {
            let captured: Vec<&str> = maker
                .captures()
                .into_iter()
                .flat_map(|(_, names)| names)
                .collect();
            for (column, _) in maker.captures() {
                if !columns.iter().any(|c| c == column) {
                    return Err(error(format!(
                        "[extract] reads the column `{column}`, which the file does not have; its columns are {}",
                        columns.join("、")
                    )));
                }
            }
            for name in maker.names() {
                if !captured.contains(&name) && !columns.iter().any(|c| c == name) {
                    return Err(error(format!(
                        "the [record_id] of the mapping reads `{name}`, which is neither a column of the file nor a group of [extract]; its columns are {}",
                        columns.join("、")
                    )));
                }
            }
        }
        Ok(())
    }

    /// Adds a default (`--default FIELD=VALUE` on the command line).
    pub fn add_default(&mut self, field: &str, value: &str) -> Result<(), String> {
        if field == "record_id" {
            return Err(format!("--default record_id={value}: {CONSTANT_ID}"));
        }
        self.defaults
            .insert(field.to_owned(), Value::String(value.to_owned()));
        Ok(())
    }

    pub fn is_identity(&self) -> bool {
        self.fields.is_empty()
            && self.values.is_empty()
            && self.defaults.is_empty()
            && self.constants.is_empty()
            && self.zip.is_empty()
            && self.parse.is_empty()
            && self.prefer.is_empty()
            && self.record_id.is_none()
            && self.naive_time_offset.is_none()
    }

    /// Maps one source row; `Err` has every reason the row cannot be mapped.
    pub fn apply(&self, row: &SourceRow) -> Result<Value, Vec<RowError>> {
        self.apply_value(row.value.clone(), row.line)
    }

    /// Makes the id, renames, translates values, parses dates, moments and amounts, zips
    /// lists and fills defaults and constants. Fields the mapping does not name are kept as
    /// they are. `line` is the row's line or sheet row (for `{row}` in an id template).
    pub fn apply_value(&self, row: Value, line: usize) -> Result<Value, Vec<RowError>> {
        if self.is_identity() {
            return Ok(row);
        }
        let Value::Object(mut source) = row else {
            return Ok(row);
        };
        let mut errors = Vec::new();
        let id = match &self.record_id {
            Some(maker) => match maker.make(&source, line) {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            None => None,
        };
        let mut out = Map::new();
        for (target, parts) in &self.zip {
            if let Some(list) = zip_lists(&mut source, parts) {
                set_path(&mut out, target, list);
            }
        }
        for (target, order) in &self.prefer {
            let chosen = order.iter().find_map(|column| {
                source
                    .get(column)
                    .filter(|v| !matches!(v, Value::String(s) if s.trim().is_empty()))
            });
            if let Some(value) = chosen {
                set_path(&mut out, target, value.clone());
            }
        }
        for (key, value) in source {
            let targets: Vec<&str> = match self.fields.get(&key) {
                Some(targets) => targets.iter().map(String::as_str).collect(),
                None => vec![key.as_str()],
            };
            for target in targets {
                if self.prefer.contains_key(target) || (id.is_some() && target == "record_id") {
                    continue;
                }
                set_path(&mut out, target, value.clone());
            }
        }
        if let Some(id) = id {
            out.insert("record_id".into(), Value::String(id));
        }
        // Translate by the fields' final paths, so that a table reaches fields inside
        // objects and lists however the row named them.
        self.translate_object(&mut out, "", &mut errors);
        for (field, value) in &self.defaults {
            if jiandu_model::record::lookup_in(&out, field) == Lookup::Absent {
                set_path(&mut out, field, value.clone());
            }
        }
        for (field, value) in &self.constants {
            set_path(&mut out, field, value.clone());
        }
        if errors.is_empty() {
            Ok(Value::Object(out))
        } else {
            Err(errors)
        }
    }

    fn translate_object(
        &self,
        object: &mut Map<String, Value>,
        prefix: &str,
        errors: &mut Vec<RowError>,
    ) {
        let keys: Vec<String> = object.keys().cloned().collect();
        for key in keys {
            let path = if prefix.is_empty() {
                key.clone()
            } else {
                format!("{prefix}.{key}")
            };
            let Some(value) = object.remove(&key) else {
                continue;
            };
            match self.translate(&path, value, errors) {
                Ok(Some(value)) => {
                    object.insert(key, value);
                }
                Ok(None) => {}
                Err(reason) => errors.push(RowError {
                    field: path,
                    column: None,
                    reason,
                }),
            }
        }
    }

    /// The `[parse]` table for a field: its own, else `[parse."*"]` for dates and moments.
    fn parse_of(&self, path: &str, kind: Option<FieldKind>) -> Option<&FieldParse> {
        self.parse.get(path).or_else(|| match kind {
            Some(FieldKind::Date | FieldKind::Moment | FieldKind::DateOrMoment) => {
                self.parse.get("*")
            }
            _ => None,
        })
    }

    /// The value a field holds after translation; `None` when it becomes absent.
    fn translate(
        &self,
        path: &str,
        value: Value,
        errors: &mut Vec<RowError>,
    ) -> Result<Option<Value>, String> {
        let d = dictionary();
        let field = d.field(path);
        let value = match (field.map(|f| f.field_type), value) {
            (Some(FieldType::Objects), Value::String(cell)) => match self.parse.get(path) {
                Some(parse) => parse.objects(&cell)?,
                None => Value::String(cell),
            },
            (_, value) => value,
        };
        match (field.map(|f| f.field_type), value) {
            (Some(FieldType::Object), Value::Object(mut inner)) => {
                self.translate_object(&mut inner, path, errors);
                Ok(Some(Value::Object(inner)))
            }
            (Some(FieldType::Objects), Value::Array(items)) => {
                let element = format!("{path}[]");
                let items = items
                    .into_iter()
                    .map(|item| match item {
                        Value::Object(mut inner) => {
                            self.translate_object(&mut inner, &element, errors);
                            Value::Object(inner)
                        }
                        other => other,
                    })
                    .collect();
                Ok(Some(Value::Array(items)))
            }
            (_, value) => {
                let kind = field.and_then(|f| d.kind_of(f));
                let parse = self.parse_of(path, kind);
                let Some(FieldKind::List(_)) = kind else {
                    return self.word(path, value, kind, parse);
                };
                let items = match value {
                    // A list written as one cell: split it so each element is translated.
                    Value::String(s) => split_cell(&s, parse.and_then(|p| p.split.as_deref())),
                    Value::Array(items) => items,
                    other => return self.word(path, other, kind, parse),
                };
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if item.is_array() || item.is_object() {
                        return Err(format!(
                            "an element of the list is itself {} (`{item}`); a list holds words",
                            if item.is_array() {
                                "a list"
                            } else {
                                "an object"
                            }
                        ));
                    }
                    match self.word(path, item, kind, parse)? {
                        // One source word may stand for several codes.
                        Some(Value::Array(many)) => out.extend(many),
                        Some(one) => out.push(one),
                        None => {}
                    }
                }
                Ok(Some(Value::Array(out)))
            }
        }
    }

    /// One scalar: its translation, then its `[parse]` table, then Beijing time for a
    /// moment written without a zone.
    fn word(
        &self,
        path: &str,
        value: Value,
        kind: Option<FieldKind>,
        parse: Option<&FieldParse>,
    ) -> Result<Option<Value>, String> {
        let value = match &value {
            Value::String(s) => {
                let key = s.trim();
                let found = [path, ANY_FIELD]
                    .iter()
                    .find_map(|table| self.values.get(*table).and_then(|t| t.get(key)));
                match found {
                    Some(Translation::Absent) => return Ok(None),
                    Some(Translation::Null) => return Ok(Some(Value::Null)),
                    Some(Translation::Value(v)) => return Ok(Some(v.clone())),
                    None => value,
                }
            }
            _ => value,
        };
        let value = match parse {
            Some(parse) if parse.has_value_parsing() => parse.apply(kind, value)?,
            _ => value,
        };
        Ok(Some(match (&self.naive_time_offset, kind, value) {
            (Some(offset), Some(FieldKind::Moment | FieldKind::DateOrMoment), Value::String(s)) => {
                Value::String(with_offset(&s, offset))
            }
            (_, _, value) => value,
        }))
    }
}

/// `officers[2].name` → `officers[].name`.
fn strip_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_brackets = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_brackets = true;
                out.push('[');
            }
            ']' => {
                in_brackets = false;
                out.push(']');
            }
            c if in_brackets && c.is_ascii_digit() => {}
            c => out.push(c),
        }
    }
    out
}

/// The source's column names, or for JSON the keys its rows use.
fn source_keys(source: &Source) -> Vec<String> {
    if !source.columns.is_empty() {
        return source
            .columns
            .iter()
            .filter(|c| !c.name.is_empty())
            .map(|c| c.name.clone())
            .collect();
    }
    let mut keys: Vec<String> = Vec::new();
    for row in &source.rows {
        if let Value::Object(object) = &row.value {
            for key in object.keys() {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
    }
    keys
}

/// A list written in one cell, split at the field's separators (`;`, `；` and `,` unless
/// `[parse.FIELD] split` names others).
fn split_cell(cell: &str, separators: Option<&[String]>) -> Vec<Value> {
    let parts: Vec<&str> = match separators {
        Some(separators) => {
            let mut parts = vec![cell];
            for sep in separators {
                parts = parts
                    .into_iter()
                    .flat_map(|p| p.split(sep.as_str()))
                    .collect();
            }
            parts
        }
        None => cell.split([';', '；', ',']).collect(),
    };
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| Value::String(p.to_owned()))
        .collect()
}

fn parse_file(text: &str, file: &str) -> Result<MappingFile, IngestError> {
    toml::from_str(text).map_err(|e| IngestError::Mapping {
        file: file.to_owned(),
        reason: e.to_string(),
    })
}

/// `2024-03-05 10:00:00` → `2024-03-05T10:00:00+08:00`; anything else is left alone.
fn with_offset(text: &str, offset: &str) -> String {
    let t = text.trim();
    let bytes = t.as_bytes();
    let naive = bytes.len() == 19
        && matches!(bytes.get(10), Some(b' ' | b'T'))
        && bytes.get(13) == Some(&b':');
    if naive {
        format!("{}T{}{offset}", &t[..10], &t[11..])
    } else {
        text.to_owned()
    }
}

/// Takes the named parallel lists out of `source` and zips them into a list of objects.
fn zip_lists(source: &mut Map<String, Value>, parts: &BTreeMap<String, String>) -> Option<Value> {
    let mut columns: Vec<(&String, Vec<Value>)> = Vec::new();
    for (field, source_field) in parts {
        let items = match source.remove(source_field)? {
            Value::Array(items) => items,
            Value::String(s) => split_cell(&s, None),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        columns.push((field, items));
    }
    let len = columns
        .iter()
        .map(|(_, items)| items.len())
        .max()
        .unwrap_or(0);
    let list = (0..len)
        .map(|i| {
            let object: Map<String, Value> = columns
                .iter()
                .filter_map(|(field, items)| items.get(i).map(|v| ((*field).clone(), v.clone())))
                .collect();
            Value::Object(object)
        })
        .collect();
    Some(Value::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_translates_and_fills_defaults() {
        let mapping = Mapping::parse(
            r#"
            naive_time_offset = "+08:00"
            [fields]
            "处罚程序" = "procedure"
            "实施机构编码" = "agency.uscc"
            "检查行为编号" = ["record_id", "check_action_code"]
            "处罚种类" = "penalty_types"
            "实施强制措施的起始时间" = "measure_start"
            [values.procedure]
            "简易" = "summary"
            [values.penalty_types]
            "警告" = "warning"
            "罚款" = "fine"
            [zip.officers]
            name = "检查人员"
            cert_no = "执法证号"
            [defaults]
            record_type = "penalty"
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping
            .apply_value(
                json!({
                    "处罚程序": "简易", "实施机构编码": "X", "other": 1, "检查行为编号": "JC1",
                    "处罚种类": "警告;罚款", "检查人员": ["张三", "李四"], "执法证号": "441;442",
                    "实施强制措施的起始时间": "2024-03-05 10:00:00"
                }),
                2,
            )
            .unwrap();
        assert_eq!(
            out,
            json!({"officers": [{"cert_no": "441", "name": "张三"}, {"cert_no": "442", "name": "李四"}],
                   "procedure": "summary", "agency": {"uscc": "X"}, "other": 1,
                   "record_id": "JC1", "check_action_code": "JC1",
                   "penalty_types": ["warning", "fine"], "measure_start": "2024-03-05T10:00:00+08:00",
                   "record_type": "penalty"})
        );
        let kept = mapping
            .apply_value(json!({"record_type": "inspection"}), 2)
            .unwrap();
        assert_eq!(kept["record_type"], "inspection");
    }

    #[test]
    fn translates_inside_lists_of_objects_and_to_absent_and_null() {
        let mapping = Mapping::parse(
            r#"
            [values."extensions[].approver_role"]
            "局长" = "head"
            "agency_head" = "head"
            [values.channel]
            "信访" = "petition"
            [values.published_date]
            "未公开" = { null = true }
            [values.penalty_types]
            "警告并罚款" = ["warning", "fine"]
            [values."*"]
            "未知" = { absent = true }
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping.apply_value(json!({
            "extensions": [{"approver_role": "agency_head", "days": 30}, {"approver_role": "局长"}],
            "channel": "信访", "published_date": "未公开", "hearing_held": "未知",
            "penalty_types": "警告并罚款;未知", "note": "未知"
        }), 2).unwrap();
        assert_eq!(
            out,
            json!({"extensions": [{"approver_role": "head", "days": 30}, {"approver_role": "head"}],
                   "channel": "petition", "published_date": null,
                   "penalty_types": ["warning", "fine"]})
        );
    }

    #[test]
    fn refuses_a_translation_the_field_cannot_hold() {
        let err = Mapping::parse("[values.channel]\n\"信访\" = \"petitions\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("m.toml"), "{err}");
        assert!(err.contains("not an allowed value of `channel`"), "{err}");
        assert!(err.contains("did you mean `petition`?"), "{err}");
        let err = Mapping::parse(
            "[values.execution_type]\n\"拆除\" = \"demolition\"\n",
            "m.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("did you mean `execution_kind`?"), "{err}");
        let err = Mapping::parse("[values.\"*\"]\n\"无\" = \"none\"\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("can only say"), "{err}");
        let err = Mapping::parse("[values.channel]\n\"无\" = { nothing = true }\n", "m.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("{ absent = true }"), "{err}");
    }

    #[test]
    fn knows_the_fields_it_writes() {
        let mapping = Mapping::parse(
            "[fields]\n\"备注\" = \"remark\"\n[zip.officers]\nname = \"人员\"\n[defaults]\nsource_system = \"x\"\n",
            "m.toml",
        )
        .unwrap();
        assert!(mapping.writes("remark"));
        assert!(mapping.writes("officers[].name"));
        assert!(mapping.writes("source_system"));
        assert!(!mapping.writes("officers[].cert_no"));
    }

    #[test]
    fn refuses_unknown_sections() {
        assert!(matches!(
            Mapping::parse("[feilds]\na = \"b\"", "m.toml"),
            Err(IngestError::Mapping { .. })
        ));
    }

    fn source_with(columns: &[&str], rows: Vec<Value>) -> Source {
        Source {
            file: "f.csv".into(),
            format: crate::Format::Csv,
            sheet: None,
            encoding: None,
            header_line: Some(1),
            titles: Vec::new(),
            columns: columns
                .iter()
                .enumerate()
                .map(|(i, c)| crate::Column {
                    name: (*c).to_owned(),
                    label: (i + 1).to_string(),
                })
                .collect(),
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, value)| SourceRow {
                    line: i + 2,
                    row_number: i + 1,
                    value,
                    errors: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn makes_ids_parses_cells_and_sets_constants() {
        let mapping = Mapping::parse(
            r#"
            [fields]
            "文号" = "decision_doc_no"
            "处罚种类" = "penalty_types"
            "罚款" = "fine_amount"
            "决定日期" = "decision_date"
            "人员" = "officers"
            [record_id]
            template = "CF-{文号}"
            [parse.penalty_types]
            split = ["、"]
            [parse.fine_amount]
            money = "万元"
            [parse.decision_date]
            date = ["%Y年%m月%d日"]
            [parse.officers]
            split = ["、"]
            pattern = '(?P<name>[^（]+)（(?P<cert_no>[^）]+)）'
            [values.penalty_types]
            "警告" = "warning"
            "罚款" = "fine"
            [constants]
            record_type = "penalty"
            "#,
            "m.toml",
        )
        .unwrap();
        let out = mapping
            .apply_value(
                json!({"文号": "A1", "处罚种类": "警告、罚款", "罚款": "1.2", "决定日期": "2024年3月5日",
                       "人员": "陈伟（4418001）、李芳（4418002）", "record_type": "inspection"}),
                2,
            )
            .unwrap();
        assert_eq!(
            out,
            json!({"decision_doc_no": "A1", "penalty_types": ["warning", "fine"], "fine_amount": "12000",
                   "decision_date": "2024-03-05",
                   "officers": [{"name": "陈伟", "cert_no": "4418001"}, {"name": "李芳", "cert_no": "4418002"}],
                   "record_type": "penalty", "record_id": "CF-A1"})
        );
        let errors = mapping
            .apply_value(
                json!({"罚款": "一万五", "决定日期": "3/5", "人员": "陈伟"}),
                3,
            )
            .unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "field `record_id`: column `文号` is empty in this row, so its record_id cannot be made",
                "field `fine_amount`: `一万五` is not a Chinese numeral jiandu reads exactly",
                "field `decision_date`: `3/5` matches none of the date formats %Y年%m月%d日",
                "field `officers`: `陈伟` does not match the pattern `(?P<name>[^（]+)（(?P<cert_no>[^）]+)）`",
            ]
        );
    }

    #[test]
    fn two_columns_for_one_field_need_prefer_and_the_first_filled_wins() {
        let plain =
            Mapping::parse("[fields]\n\"决定日期\" = \"decision_date\"\n", "m.toml").unwrap();
        let source = source_with(
            &["决定日期", "decision_date"],
            vec![json!({"决定日期": "2024-01-01"})],
        );
        let err = plain.check_columns(&source).unwrap_err().to_string();
        assert_eq!(
            err,
            "f.csv: columns 1（决定日期） and 2（decision_date） all give the field `decision_date`; say which wins in the mapping: [prefer] decision_date = [\"决定日期\", \"decision_date\"]"
        );
        let ordered = Mapping::parse(
            "[fields]\n\"决定日期\" = \"decision_date\"\n[prefer]\ndecision_date = [\"decision_date\", \"决定日期\"]\n",
            "m.toml",
        )
        .unwrap();
        ordered.check_columns(&source).unwrap();
        let out = ordered
            .apply_value(json!({"决定日期": "2024-01-01", "decision_date": ""}), 2)
            .unwrap();
        assert_eq!(out, json!({"decision_date": "2024-01-01"}));
        let out = ordered
            .apply_value(
                json!({"决定日期": "2024-01-01", "decision_date": "2024-02-02"}),
                2,
            )
            .unwrap();
        assert_eq!(out, json!({"decision_date": "2024-02-02"}));
    }

    /// Why a mapping text is refused.
    fn refusal(text: &str) -> String {
        Mapping::parse(text, "m.toml").unwrap_err().to_string()
    }

    #[test]
    fn a_record_id_template_must_name_columns_the_file_has() {
        let mapping = Mapping::parse("[record_id]\ntemplate = \"A-{文号}\"\n", "m.toml").unwrap();
        let err = mapping
            .check_columns(&source_with(&["编号"], Vec::new()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("reads `文号`, which is neither a column of the file"),
            "{err}"
        );
        let cases = [
            (
                "x = 1\n\n[defaults]\nrecord_id = \"A\"\n",
                "unknown field `x`",
            ),
            (
                "[defaults]\nrecord_type = \"penalty\"\nrecord_id = \"A\"\n",
                "line 3: [defaults] record_id: every row would have the same record_id",
            ),
            (
                "[parse.decision_date]\n\nmoney = \"元\"\n",
                "line 3: `money` applies to money fields",
            ),
            (
                "[values.channel]\n\"信访\" = \"petitions\"\n",
                "line 2: [values.\"channel\"]",
            ),
        ];
        for (text, wanted) in cases {
            let err = refusal(text);
            assert!(err.contains(wanted), "{text}: {err}");
        }
    }

    #[test]
    fn a_list_inside_a_list_is_refused() {
        let mapping =
            Mapping::parse("[values.penalty_types]\n\"警告\" = \"warning\"\n", "m.toml").unwrap();
        let errors = mapping
            .apply_value(json!({"penalty_types": [["warning"], "fine"]}), 2)
            .unwrap_err();
        assert_eq!(errors[0].field, "penalty_types");
        assert!(
            errors[0].reason.contains("is itself a list"),
            "{}",
            errors[0].reason
        );
    }
}
