//! `Uscc`: the 18-character 统一社会信用代码 with its GB 32100-2015 check character.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// 3^i mod 31 for i = 0..16 (GB 32100-2015).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// GB 11714 weights for the 8 body characters of the organisation code.
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A unified social credit code whose check character is right.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Uscc(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    #[error("`{input}` has {len} characters; a 统一社会信用代码 has 18")]
    Length { input: String, len: usize },
    #[error(
        "`{input}` has `{ch}` at position {pos}; only 0-9 and A-Z without I, O, S, V, Z are allowed"
    )]
    Character { input: String, ch: char, pos: usize },
    #[error(
        "`{input}` ends in `{found}` but its check character (GB 32100-2015) should be `{expected}`"
    )]
    CheckCharacter {
        input: String,
        found: char,
        expected: char,
    },
}

fn value_of(ch: u8) -> Option<u32> {
    CHARSET.iter().position(|&c| c == ch).map(|p| p as u32)
}

/// The GB 32100-2015 check character for the first 17 characters, or the first bad position.
fn check_character(body: &[u8]) -> Result<char, (usize, char)> {
    let mut sum = 0u32;
    for (i, (&ch, weight)) in body.iter().zip(WEIGHTS).enumerate() {
        let v = value_of(ch).ok_or((i + 1, ch as char))?;
        sum += v * weight;
    }
    let idx = (31 - sum % 31) % 31;
    Ok(CHARSET.get(idx as usize).copied().unwrap_or(b'0') as char)
}

impl Uscc {
    /// Accepts upper or lower case; the stored form is upper case.
    #[allow(clippy::indexing_slicing, reason = "the length is checked first")]
    pub fn parse(input: &str) -> Result<Uscc, UsccError> {
        let upper = input.trim().to_ascii_uppercase();
        let chars: Vec<char> = upper.chars().collect();
        if chars.len() != 18 || upper.len() != 18 {
            return Err(UsccError::Length {
                input: input.to_owned(),
                len: chars.len(),
            });
        }
        let bytes = upper.as_bytes();
        let expected = check_character(&bytes[..17]).map_err(|(pos, ch)| UsccError::Character {
            input: input.to_owned(),
            ch,
            pos,
        })?;
        let found = bytes[17] as char;
        if value_of(bytes[17]).is_none() {
            return Err(UsccError::Character {
                input: input.to_owned(),
                ch: found,
                pos: 18,
            });
        }
        if found != expected {
            return Err(UsccError::CheckCharacter {
                input: input.to_owned(),
                found,
                expected,
            });
        }
        Ok(Uscc(upper))
    }

    /// Completes a 17-character body with its check character (for generated data).
    pub fn complete(body17: &str) -> Option<Uscc> {
        let bytes = body17.as_bytes();
        if bytes.len() != 17 {
            return None;
        }
        let check = check_character(bytes).ok()?;
        Some(Uscc(format!("{body17}{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3–8: the registering authority's GB/T 2260 region code.
    pub fn region_part(&self) -> &str {
        &self.0[2..8]
    }

    /// Positions 9–17: the embedded GB 11714 organisation code.
    pub fn org_code(&self) -> &str {
        &self.0[8..17]
    }

    /// Whether the embedded organisation code passes GB 11714. A failure is a warning only:
    /// codes issued before the USCC reform sometimes carry irregular organisation codes.
    pub fn org_code_ok(&self) -> bool {
        org_code_check(self.org_code())
    }
}

/// GB 11714 check on a 9-character organisation code (8 body characters + check).
#[allow(clippy::indexing_slicing, reason = "the length is checked first")]
pub fn org_code_check(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 9 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in bytes[..8].iter().enumerate() {
        let v = match b {
            b'0'..=b'9' => (b - b'0') as u32,
            b'A'..=b'Z' => (b - b'A') as u32 + 10,
            _ => return false,
        };
        sum += v * ORG_WEIGHTS[i];
    }
    let c9 = 11 - sum % 11;
    let expected = match c9 {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    };
    bytes[8] == expected
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uscc({})", self.0)
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl Serialize for Uscc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Uscc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Uscc::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_catalogue_test_vectors() {
        for code in [
            "914403001922038216",
            "91330100716105852F",
            "91110000802100433B",
            "91110108551385082Q",
        ] {
            let uscc = Uscc::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert!(uscc.org_code_ok(), "{code} organisation code");
        }
    }

    #[test]
    fn names_the_right_check_character_of_a_wrong_code() {
        assert_eq!(
            Uscc::parse("91441800MA4UHXXXX0"),
            Err(UsccError::CheckCharacter {
                input: "91441800MA4UHXXXX0".into(),
                found: '0',
                expected: 'P',
            })
        );
    }

    #[test]
    fn refuses_bad_shapes() {
        assert!(matches!(
            Uscc::parse("9144030019220382"),
            Err(UsccError::Length { len: 16, .. })
        ));
        assert!(matches!(
            Uscc::parse("9144030019220I8216"),
            Err(UsccError::Character {
                ch: 'I',
                pos: 14,
                ..
            })
        ));
    }

    #[test]
    fn completes_bodies_and_accepts_lower_case() {
        let made = Uscc::complete("91441800MA4UHXXXX").unwrap();
        assert_eq!(made.as_str(), "91441800MA4UHXXXXP");
        assert_eq!(
            Uscc::parse("91330100716105852f").unwrap().as_str(),
            "91330100716105852F"
        );
        assert_eq!(made.region_part(), "441800");
    }
}
