//! The import report: what a file gave, what was refused and why (grouped, with the first
//! places of each group), columns nobody reads, repeated rows and repeated keys.

use std::collections::HashMap;

use jiandu_model::Record;
use serde::Serialize;

use crate::{Notice, Origin, Reject, Source};

/// How many places each group shows.
const SHOWN: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct RejectGroup {
    /// The field, or empty for a row-level problem.
    pub field: String,
    /// The reason with the row's own values left out (`… is not a date …`).
    pub reason: String,
    pub rows: usize,
    /// The first rows of the group, each with its full reason.
    pub first: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnmappedColumn {
    pub column: String,
    pub label: Option<String>,
    pub rows: usize,
    pub suggestion: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepeatedKey {
    pub record_id: String,
    /// Every place the id occurs, in file order.
    pub places: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DuplicateRows {
    pub rows: usize,
    /// `place (same as place)` for the first few.
    pub first: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StoreCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub sheet: Option<String>,
    pub encoding: Option<String>,
    pub encoding_detected: bool,
    pub header_row: Option<usize>,
    pub title_rows: Vec<String>,
    pub rows_read: usize,
    pub rejected: usize,
    pub reject_groups: Vec<RejectGroup>,
    pub unmapped_columns: Vec<UnmappedColumn>,
    pub exact_duplicates: DuplicateRows,
    pub repeated_keys: Vec<RepeatedKey>,
    /// What the store did, or would do on a dry run; `None` when nothing was compared.
    pub store: Option<StoreCounts>,
    pub dry_run: bool,
    pub batch_id: Option<i64>,
}

/// The reason with backquoted values replaced by `…`, so rows that fail alike group.
fn pattern(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut quoted = false;
    for c in reason.chars() {
        if c == '`' {
            if quoted {
                out.push_str("…`");
            } else {
                out.push('`');
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

pub fn group_rejects(rejects: &[Reject]) -> Vec<RejectGroup> {
    let mut groups: Vec<RejectGroup> = Vec::new();
    for reject in rejects {
        for error in &reject.errors {
            let reason = pattern(&error.reason);
            let at = groups
                .iter()
                .position(|g| g.field == error.field && g.reason == reason);
            let group = match at {
                Some(i) => groups.get_mut(i),
                None => {
                    groups.push(RejectGroup {
                        field: error.field.clone(),
                        reason,
                        rows: 0,
                        first: Vec::new(),
                    });
                    groups.last_mut()
                }
            };
            if let Some(group) = group {
                group.rows += 1;
                if group.first.len() < SHOWN {
                    group.first.push(format!("{}: {error}", reject.place));
                }
            }
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.rows));
    groups
}

/// Rows identical to an earlier row of the file.
pub fn exact_duplicates(source: &Source) -> DuplicateRows {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = DuplicateRows {
        rows: 0,
        first: Vec::new(),
    };
    for row in &source.rows {
        let key = row.value.to_string();
        match seen.get(&key) {
            Some(first) => {
                out.rows += 1;
                if out.first.len() < SHOWN {
                    out.first.push(format!(
                        "{} (same as {})",
                        source.place(row.line),
                        source.place(*first)
                    ));
                }
            }
            None => {
                seen.insert(key, row.line);
            }
        }
    }
    out
}

/// Ids given to two or more rows whose records differ (identical rows are duplicates, not
/// conflicts).
pub fn repeated_keys(records: &[Record], origins: &[Origin]) -> Vec<RepeatedKey> {
    let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
    for (idx, record) in records.iter().enumerate() {
        by_id.entry(record.id().as_str()).or_default().push(idx);
    }
    let mut out: Vec<(usize, RepeatedKey)> = by_id
        .into_iter()
        .filter(|(_, idxs)| idxs.len() > 1)
        .filter(|(_, idxs)| {
            let bodies: Vec<String> = idxs
                .iter()
                .filter_map(|i| records.get(*i))
                .map(|r| r.to_json().to_string())
                .collect();
            bodies.windows(2).any(|w| w.first() != w.get(1))
        })
        .map(|(id, idxs)| {
            let places = idxs
                .iter()
                .filter_map(|i| origins.get(*i))
                .map(|o| o.place.clone())
                .collect();
            let first = idxs.first().copied().unwrap_or(0);
            (
                first,
                RepeatedKey {
                    record_id: id.to_owned(),
                    places,
                },
            )
        })
        .collect();
    out.sort_by_key(|(first, _)| *first);
    out.into_iter().map(|(_, k)| k).collect()
}

impl ImportReport {
    pub fn new(source: &Source, rejects: &[Reject], notices: &[Notice]) -> ImportReport {
        ImportReport {
            file: source.file.clone(),
            sheet: source.sheet.clone(),
            encoding: source.encoding.map(|(e, _)| e.to_string()),
            encoding_detected: source.encoding.is_some_and(|(_, detected)| detected),
            header_row: source.header_line,
            title_rows: source.titles.clone(),
            rows_read: source.rows.len(),
            rejected: rejects.len(),
            reject_groups: group_rejects(rejects),
            unmapped_columns: notices
                .iter()
                .map(|n| UnmappedColumn {
                    column: n.field.clone(),
                    label: n.column.clone(),
                    rows: n.rows,
                    suggestion: n.suggestion.clone(),
                })
                .collect(),
            exact_duplicates: exact_duplicates(source),
            repeated_keys: Vec::new(),
            store: None,
            dry_run: false,
            batch_id: None,
        }
    }

    /// The report as lines for a terminal, in Chinese with English beside.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut read = format!("读取 read {} 行 rows from {}", self.rows_read, self.file);
        if let Some(sheet) = &self.sheet {
            read.push_str(&format!(", 工作表 sheet {sheet}"));
        }
        if let Some(row) = self.header_row {
            read.push_str(&format!(", 表头 header row {row}"));
        }
        if let Some(encoding) = &self.encoding {
            if self.encoding_detected && encoding != "UTF-8" {
                read.push_str(&format!(
                    ", 编码 encoding {encoding} (detected; pass --encoding to choose)"
                ));
            }
        }
        out.push(read);
        for title in &self.title_rows {
            out.push(format!(
                "  标题行 title row above the header, skipped: {title}"
            ));
        }
        if let Some(store) = &self.store {
            let verb = if self.dry_run { "would be" } else { "were" };
            out.push(format!(
                "新增 new {} · 更新 updated {} · 未变 unchanged {} ({verb} written{})",
                store.new,
                store.updated,
                store.unchanged,
                self.batch_id
                    .map(|b| format!(", batch {b}"))
                    .unwrap_or_default()
            ));
        }
        if self.rejected > 0 {
            out.push(format!("拒收 rejected {} 行 rows:", self.rejected));
            for group in &self.reject_groups {
                let field = if group.field.is_empty() {
                    String::new()
                } else {
                    format!("`{}`: ", group.field)
                };
                out.push(format!("  {} × {field}{}", group.rows, group.reason));
                for first in &group.first {
                    out.push(format!("      {first}"));
                }
            }
        }
        if !self.unmapped_columns.is_empty() {
            out.push(
                "未映射的列 columns not mapped and read by no rule (kept as they are):".into(),
            );
            for c in &self.unmapped_columns {
                let label = c
                    .label
                    .as_ref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                let hint = c
                    .suggestion
                    .as_ref()
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                out.push(format!("  {label}{} ({} rows){hint}", c.column, c.rows));
            }
        }
        if self.exact_duplicates.rows > 0 {
            out.push(format!(
                "重复行 {} rows repeat an earlier row exactly (kept once): {}",
                self.exact_duplicates.rows,
                self.exact_duplicates.first.join("; ")
            ));
        }
        for key in self.repeated_keys.iter().take(SHOWN) {
            out.push(format!(
                "  record_id {} is given to different rows: {}",
                key.record_id,
                key.places.join(", ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_field_and_reason_without_the_values() {
        assert_eq!(
            pattern("`2024-13-45` is not a date in the form YYYY-MM-DD"),
            "`…` is not a date in the form YYYY-MM-DD"
        );
        let reject = |line: usize, value: &str| Reject {
            place: format!("a.csv:{line}"),
            line,
            row_number: line - 1,
            errors: vec![crate::RowError {
                field: "decision_date".into(),
                column: None,
                reason: format!("`{value}` is not a date in the form YYYY-MM-DD"),
            }],
            row: serde_json::Value::Null,
        };
        let rejects: Vec<Reject> = (2..7).map(|l| reject(l, &format!("x{l}"))).collect();
        let groups = group_rejects(&rejects);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].rows, 5);
        assert_eq!(
            groups[0].first,
            [
                "a.csv:2: field `decision_date`: `x2` is not a date in the form YYYY-MM-DD",
                "a.csv:3: field `decision_date`: `x3` is not a date in the form YYYY-MM-DD",
                "a.csv:4: field `decision_date`: `x4` is not a date in the form YYYY-MM-DD"
            ]
        );
    }
}
