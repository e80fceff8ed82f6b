//! JSON (one array of objects) and JSONL (one object per line) into source rows.

use serde_json::Value;
use serde_json::value::RawValue;

use crate::IngestError;
use crate::lines::Lines;
use crate::source::SourceRow;

pub(crate) fn read_json(text: &str, file: &str) -> Result<Vec<SourceRow>, IngestError> {
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| IngestError::Syntax {
        file: file.to_owned(),
        line: e.line(),
        reason: format!("{e} (a JSON file must hold one array of objects)"),
    })?;
    let mut lines = Lines::new(text);
    items
        .into_iter()
        .enumerate()
        .map(|(idx, raw)| {
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            let line = lines.at(offset);
            let value: Value =
                serde_json::from_str(raw.get()).map_err(|e| IngestError::Syntax {
                    file: file.to_owned(),
                    line,
                    reason: e.to_string(),
                })?;
            Ok(SourceRow {
                line,
                row_number: idx + 1,
                value,
                errors: Vec::new(),
            })
        })
        .collect()
}

pub(crate) fn read_jsonl(text: &str, file: &str) -> Result<Vec<SourceRow>, IngestError> {
    let mut rows = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(raw).map_err(|e| IngestError::Syntax {
            file: file.to_owned(),
            line: idx + 1,
            reason: e.to_string(),
        })?;
        rows.push(SourceRow {
            line: idx + 1,
            row_number: rows.len() + 1,
            value,
            errors: Vec::new(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_array_elements_know_their_lines() {
        let text = "[\n  {\"record_id\": \"a\"},\n\n  {\"record_id\": \"b\",\n   \"x\": 1}\n]";
        let rows = read_json(text, "t.json").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 4]);
        assert!(matches!(
            read_json("{\"a\": 1}", "t.json"),
            Err(IngestError::Syntax { line: 1, .. })
        ));
    }

    #[test]
    fn jsonl_skips_blank_lines_and_names_the_broken_one() {
        let rows = read_jsonl("{\"a\":1}\n\n{\"a\":2}\n", "t.jsonl").unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3]);
        assert!(matches!(
            read_jsonl("{\"a\":1}\n{\"a\":\n", "t.jsonl"),
            Err(IngestError::Syntax { line: 2, .. })
        ));
    }
}
