//! Content hashes: how the store tells a changed row from a re-imported identical one.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a JSON value in canonical form (object keys sorted at every level), so
/// the same content gives the same hash whatever order its source wrote the keys in.
pub fn content_hash(value: &Value) -> String {
    let mut text = String::new();
    write_canonical(value, &mut text);
    hex(&Sha256::digest(text.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_does_not_change_the_hash() {
        let a: Value = serde_json::from_str(r#"{"a":1,"b":{"x":null,"y":[1,2]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b":{"y":[1,2],"x":null},"a":1}"#).unwrap();
        let c: Value = serde_json::from_str(r#"{"b":{"y":[2,1],"x":null},"a":1}"#).unwrap();
        assert_eq!(content_hash(&a), content_hash(&b));
        assert_ne!(content_hash(&a), content_hash(&c));
    }
}
