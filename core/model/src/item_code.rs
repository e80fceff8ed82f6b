//! `ItemCode`: the 14-digit 监管事项目录编码 of the "互联网+监管" catalogue.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemCode([u8; 14]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a supervision-item code: 监管事项目录编码 are 14 digits")]
pub struct ItemCodeError {
    pub input: String,
}

impl ItemCode {
    pub fn parse(input: &str) -> Result<ItemCode, ItemCodeError> {
        let bytes = input.as_bytes();
        if bytes.len() != 14 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(ItemCodeError {
                input: input.to_owned(),
            });
        }
        let mut code = [0u8; 14];
        code.copy_from_slice(bytes);
        Ok(ItemCode(code))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored (`parse`).
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub fn starts_with(&self, prefix: &str) -> bool {
        self.as_str().starts_with(prefix)
    }
}

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemCode({})", self.as_str())
    }
}

impl FromStr for ItemCode {
    type Err = ItemCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ItemCode::parse(s)
    }
}

impl Serialize for ItemCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ItemCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        ItemCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_fourteen_digits() {
        assert!(ItemCode::parse("44180010000123").is_ok());
        assert!(ItemCode::parse("4418001000012").is_err());
        assert!(ItemCode::parse("441800100001234").is_err());
        assert!(ItemCode::parse("4418001000012A").is_err());
    }
}
