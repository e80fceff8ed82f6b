//! Turning a text export's bytes into text: UTF-8 (with or without a BOM), UTF-16 with a
//! BOM (Excel's "Unicode text"), and GBK/GB18030, the encoding of most Chinese office
//! exports. Detection never guesses silently: it names what it chose, and refuses when the
//! bytes make sense in no encoding it knows well enough.

use std::fmt;
use std::str::FromStr;

use crate::IngestError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Encoding {
    #[serde(rename = "utf-8")]
    Utf8,
    /// GB18030, a superset of GBK and GB2312 (encoding_rs decodes all three with it).
    #[serde(rename = "gb18030")]
    Gb18030,
    #[serde(rename = "utf-16le")]
    Utf16Le,
    #[serde(rename = "utf-16be")]
    Utf16Be,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gb18030),
            "utf-16" | "utf-16le" | "utf16" => Ok(Encoding::Utf16Le),
            "utf-16be" => Ok(Encoding::Utf16Be),
            _ => Err(format!(
                "unknown encoding `{s}`; expected utf-8, gbk (also gb2312, gb18030) or utf-16"
            )),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GBK/GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        })
    }
}

/// Text and how it was read.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    /// True when the encoding was detected rather than named by the user.
    pub detected: bool,
}

fn line_at(bytes: &[u8], offset: usize) -> usize {
    1 + bytes.iter().take(offset).filter(|b| **b == b'\n').count()
}

/// Whether decoded text looks like Chinese office text: ASCII, CJK ideographs and the
/// punctuation and full-width forms around them. Big5 or Shift-JIS bytes read as GBK give
/// a scatter of rare ideographs, private-use and symbol characters instead.
fn plausible_chinese(text: &str) -> bool {
    let (mut total, mut odd) = (0usize, 0usize);
    for c in text.chars() {
        total += 1;
        let common = c.is_ascii()
            || ('\u{4E00}'..='\u{9FFF}').contains(&c)
            || ('\u{3000}'..='\u{303F}').contains(&c)
            || ('\u{FF00}'..='\u{FFEF}').contains(&c)
            || ('\u{2000}'..='\u{206F}').contains(&c)
            || matches!(c, '·' | '×' | '￥' | '°' | '—' | '…' | '№');
        if !common {
            odd += 1;
        }
    }
    total == 0 || odd * 50 <= total
}

/// Decodes `bytes` as `chosen`, or detects the encoding when `None`.
pub fn decode(
    bytes: Vec<u8>,
    file: &str,
    chosen: Option<Encoding>,
) -> Result<Decoded, IngestError> {
    let bom16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(Encoding::Utf16Le),
        Some([0xFE, 0xFF]) => Some(Encoding::Utf16Be),
        _ => None,
    };
    let encoding = chosen.or(bom16);
    match encoding {
        Some(Encoding::Utf8) | None => match String::from_utf8(bytes) {
            Ok(mut text) => {
                if text.starts_with('\u{feff}') {
                    text.drain(..'\u{feff}'.len_utf8());
                }
                Ok(Decoded {
                    text,
                    encoding: Encoding::Utf8,
                    detected: chosen.is_none(),
                })
            }
            Err(e) => {
                let line = line_at(e.as_bytes(), e.utf8_error().valid_up_to());
                let bytes = e.into_bytes();
                if chosen.is_some() {
                    return Err(IngestError::NotUtf8 {
                        file: file.to_owned(),
                        line,
                    });
                }
                let (text, had_errors) = encoding_rs::GB18030
                    .decode_without_bom_handling_and_without_replacement(&bytes)
                    .map_or((None, true), |t| (Some(t.into_owned()), false));
                match text {
                    Some(text) if !had_errors && plausible_chinese(&text) => Ok(Decoded {
                        text,
                        encoding: Encoding::Gb18030,
                        detected: true,
                    }),
                    _ => Err(IngestError::UnknownEncoding {
                        file: file.to_owned(),
                        line,
                    }),
                }
            }
        },
        Some(other) => {
            let codec = match other {
                Encoding::Gb18030 => encoding_rs::GB18030,
                Encoding::Utf16Le => encoding_rs::UTF_16LE,
                _ => encoding_rs::UTF_16BE,
            };
            let (text, _, had_errors) = codec.decode(&bytes);
            if had_errors {
                let line = 1 + text
                    .find('\u{FFFD}')
                    .map(|at| text.get(..at).unwrap_or("").matches('\n').count())
                    .unwrap_or(0);
                return Err(IngestError::BadEncoding {
                    file: file.to_owned(),
                    line,
                    encoding: other,
                });
            }
            Ok(Decoded {
                text: text.trim_start_matches('\u{feff}').to_owned(),
                encoding: other,
                detected: chosen.is_none(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(text).0.into_owned()
    }

    #[test]
    fn reads_utf8_with_and_without_bom_and_detects_gbk() {
        let plain = decode("当事人\n张三\n".as_bytes().to_vec(), "a.csv", None).unwrap();
        assert_eq!(
            (plain.text.as_str(), plain.encoding),
            ("当事人\n张三\n", Encoding::Utf8)
        );
        let bom = decode(b"\xEF\xBB\xBFa,b\n".to_vec(), "a.csv", None).unwrap();
        assert_eq!(bom.text, "a,b\n");
        let detected = decode(
            gbk("处罚决定书文号,当事人\n清市监罚〔2024〕1号,北江食品\n"),
            "a.csv",
            None,
        )
        .unwrap();
        assert_eq!(detected.encoding, Encoding::Gb18030);
        assert!(detected.detected);
        assert!(detected.text.starts_with("处罚决定书文号,当事人\n"));
    }

    #[test]
    fn a_named_encoding_is_used_and_its_errors_name_the_line() {
        let named = decode(gbk("甲\n乙\n"), "a.csv", Some(Encoding::Gb18030)).unwrap();
        assert_eq!((named.text.as_str(), named.detected), ("甲\n乙\n", false));
        let err = decode(gbk("甲\n乙\n"), "a.csv", Some(Encoding::Utf8)).unwrap_err();
        assert!(matches!(err, IngestError::NotUtf8 { line: 1, .. }), "{err}");
        let err = decode(b"a\nb\n\x81\n".to_vec(), "a.csv", Some(Encoding::Gb18030)).unwrap_err();
        assert!(
            matches!(err, IngestError::BadEncoding { line: 3, .. }),
            "{err}"
        );
    }

    #[test]
    fn refuses_bytes_that_are_neither_utf8_nor_plausible_gbk() {
        // Windows-1252 (a Latin export): é followed by a space is no GB18030 pair.
        let latin = encoding_rs::WINDOWS_1252
            .encode("name\nCafé, Zoë\n")
            .0
            .into_owned();
        let err = decode(latin, "a.csv", None).unwrap_err();
        assert!(
            matches!(err, IngestError::UnknownEncoding { line: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn reads_utf16_with_its_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "a\t当事人\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let text = decode(bytes, "a.txt", None).unwrap();
        assert_eq!(
            (text.text.as_str(), text.encoding),
            ("a\t当事人\n", Encoding::Utf16Le)
        );
    }
}
