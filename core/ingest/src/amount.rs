//! Amounts of money as Chinese exports write them: `115万元`, `1.5万`, `三十五万元`,
//! `壹万贰仟元整`, `1,150,000.00`, `￥5000`, `5000元`, alone in a cell or inside text such as
//! `处以115万元罚款`. Arithmetic is exact (integer fen), never floating point.
//!
//! In text, a number counts as an amount only when it is marked as one (`￥`, `元`, `万`,
//! `亿`), so the `2024` of a document number is not taken for a fine; a cell that is only a
//! number is an amount in the column's unit.

use jiandu_model::Money;

/// Which amount to take when a cell holds several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Exactly one amount, else an error.
    Only,
    First,
    Last,
    Largest,
    /// The one amount in the clause (between `，；。`) that contains this word.
    Clause(String),
}

/// The unit of a bare number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Yuan,
    Wan,
}

impl Unit {
    fn fen(self) -> i128 {
        match self {
            Unit::Yuan => 100,
            Unit::Wan => 1_000_000,
        }
    }
}

/// One amount found in the text, in fen, with where it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found {
    fen: i128,
    start: usize,
    marked: bool,
}

fn digit_value(c: char) -> Option<u32> {
    match c {
        '零' | '〇' => Some(0),
        '一' | '壹' | '幺' => Some(1),
        '二' | '贰' | '貳' | '两' | '兩' => Some(2),
        '三' | '叁' | '參' => Some(3),
        '四' | '肆' => Some(4),
        '五' | '伍' => Some(5),
        '六' | '陆' | '陸' => Some(6),
        '七' | '柒' => Some(7),
        '八' | '捌' => Some(8),
        '九' | '玖' => Some(9),
        _ => None,
    }
}

fn small_unit(c: char) -> Option<i128> {
    match c {
        '十' | '拾' => Some(10),
        '百' | '佰' => Some(100),
        '千' | '仟' => Some(1000),
        _ => None,
    }
}

fn is_cn_numeral(c: char) -> bool {
    digit_value(c).is_some() || small_unit(c).is_some() || matches!(c, '万' | '萬' | '亿' | '億')
}

/// A Chinese numeral (`三十五万`, `壹万贰仟`, `一百零五`) as an integer. The spoken
/// abbreviation `一万五` (15000? 10005?) is refused rather than guessed.
fn chinese_integer(text: &str) -> Option<i128> {
    let (mut total, mut wan, mut section) = (0i128, 0i128, 0i128);
    let mut digit: Option<i128> = None;
    let mut after_unit = false;
    let mut after_zero = false;
    for c in text.chars() {
        if let Some(d) = digit_value(c) {
            if digit.is_some() {
                return None; // 一二三: digits in a row are not a numeral we read
            }
            if d == 0 {
                after_zero = true;
            } else {
                digit = Some(d.into());
            }
            continue;
        }
        let d = digit.take();
        if let Some(unit) = small_unit(c) {
            section += d.unwrap_or(1) * unit;
        } else if matches!(c, '万' | '萬') {
            wan = (wan + section + d.unwrap_or(0)) * 10_000;
            section = 0;
        } else if matches!(c, '亿' | '億') {
            total = (total + wan + section + d.unwrap_or(0)) * 100_000_000;
            wan = 0;
            section = 0;
        } else {
            return None;
        }
        after_unit = true;
        after_zero = false;
    }
    if digit.is_some() && after_unit && !after_zero {
        return None;
    }
    Some(total + wan + section + digit.unwrap_or(0))
}

/// `1,150,000.00` / `1.5` as (mantissa, decimals).
fn arabic(text: &str) -> Option<(i128, u32)> {
    let cleaned: String = text.chars().filter(|c| *c != ',' && *c != '，').collect();
    let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 6 {
        return None;
    }
    let digits = format!("{whole}{frac}");
    let mantissa: i128 = digits.parse().ok()?;
    Some((mantissa, frac.len() as u32))
}

/// Scans text for amounts; `Err` names a number that is an amount but not a valid one.
fn scan(text: &str, unit: Unit, whole_cell: bool) -> Result<Vec<Found>, String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let run = |from: usize, to: usize| -> String { (from..to).filter_map(at).collect() };
    let mut found = Vec::new();
    let mut i = 0;
    while let Some((start, c)) = chars.get(i).copied() {
        let currency = matches!(c, '￥' | '¥');
        let mut j = if currency { i + 1 } else { i };
        while currency && at(j) == Some(' ') {
            j += 1;
        }
        let first = at(j);
        let is_arabic = first.is_some_and(|c| c.is_ascii_digit());
        let is_cn = first.is_some_and(|c| digit_value(c).is_some() || small_unit(c).is_some());
        if !is_arabic && !is_cn {
            i += 1;
            continue;
        }
        let number_start = j;
        let mut marked = currency;
        // (mantissa, decimals, multiplier already applied by the numeral's own 万/亿)
        let (mantissa, decimals, suffix) = if is_arabic {
            while at(j).is_some_and(|c| c.is_ascii_digit() || c == ',' || c == '.') {
                j += 1;
            }
            let number = run(number_start, j);
            let number = number.trim_end_matches([',', '.']).to_owned();
            j = number_start + number.chars().count();
            let (mantissa, decimals) =
                arabic(&number).ok_or_else(|| format!("`{number}` is not a number"))?;
            let suffix = match at(j) {
                Some('万' | '萬') => Some(1_000_000i128),
                Some('亿' | '億') => Some(10_000_000_000),
                _ => None,
            };
            if suffix.is_some() {
                j += 1;
            }
            (mantissa, decimals, suffix)
        } else {
            while at(j).is_some_and(is_cn_numeral) {
                j += 1;
            }
            let numeral = run(number_start, j);
            let yuan_follows = matches!(at(j), Some('元' | '圆'));
            match chinese_integer(&numeral) {
                Some(value) => {
                    let big = numeral.contains(['万', '萬', '亿', '億']);
                    (value, 0, big.then_some(100))
                }
                None if yuan_follows || whole_cell => {
                    return Err(format!(
                        "`{numeral}` is not a Chinese numeral jiandu reads exactly"
                    ));
                }
                // 三四个, 一一: words, not amounts.
                None => {
                    i = j;
                    continue;
                }
            }
        };
        marked |= suffix.is_some();
        let yuan_follows = matches!(at(j), Some('元' | '圆' | '块'));
        let multiplier = suffix.unwrap_or(if yuan_follows { 100 } else { unit.fen() });
        let raw = mantissa * multiplier;
        let scale = 10i128.pow(decimals);
        if raw % scale != 0 {
            return Err(format!(
                "`{}` has more decimals than a fen can hold",
                run(number_start, j)
            ));
        }
        let mut fen = raw / scale;
        if yuan_follows {
            marked = true;
            j += 1;
            // 伍佰元伍角, 5元5角3分
            for (sub, value) in [('角', 10i128), ('分', 1)] {
                let digit = at(j).and_then(|c| c.to_digit(10).or_else(|| digit_value(c)));
                if let (Some(d), Some(true)) = (digit, at(j + 1).map(|c| c == sub)) {
                    fen += i128::from(d) * value;
                    j += 2;
                }
            }
            if matches!(at(j), Some('整' | '正')) {
                j += 1;
            }
        }
        found.push(Found { fen, start, marked });
        i = j.max(i + 1);
    }
    Ok(found)
}

/// The amount a cell states, by `pick`; a bare number is in `unit`.
pub fn parse_amount(text: &str, unit: Unit, pick: &Pick) -> Result<Money, String> {
    let text = text.trim();
    let whole_cell = is_only_an_amount(text);
    let found = scan(text, unit, whole_cell)?;
    let whole_cell = whole_cell && found.len() == 1;
    let amounts: Vec<Found> = if whole_cell {
        found
    } else {
        found.into_iter().filter(|f| f.marked).collect()
    };
    let chosen = match pick {
        Pick::Only => match amounts.as_slice() {
            [one] => *one,
            [] => return Err(format!("`{text}` states no amount")),
            many => {
                return Err(format!(
                    "`{text}` states {} amounts; the mapping must say which to take (pick = \"first\", \"last\", \"largest\" or a clause word)",
                    many.len()
                ));
            }
        },
        Pick::First => *amounts
            .first()
            .ok_or_else(|| format!("`{text}` states no amount"))?,
        Pick::Last => *amounts
            .last()
            .ok_or_else(|| format!("`{text}` states no amount"))?,
        Pick::Largest => *amounts
            .iter()
            .max_by_key(|f| f.fen)
            .ok_or_else(|| format!("`{text}` states no amount"))?,
        Pick::Clause(word) => {
            let in_clause: Vec<&Found> = amounts
                .iter()
                .filter(|f| clause_at(text, f.start).contains(word.as_str()))
                .collect();
            match in_clause.as_slice() {
                [one] => **one,
                [] => {
                    return Err(format!(
                        "`{text}` states no amount in a clause with `{word}`"
                    ));
                }
                many => {
                    return Err(format!(
                        "`{text}` states {} amounts in clauses with `{word}`",
                        many.len()
                    ));
                }
            }
        }
    };
    let fen = i64::try_from(chosen.fen).map_err(|_| format!("`{text}` is too large an amount"))?;
    Ok(Money::from_fen(fen))
}

/// Whether the text is one amount and nothing else (so a bare `1,150,000.00` counts).
fn is_only_an_amount(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_ascii_digit()
            || is_cn_numeral(c)
            || matches!(
                c,
                ',' | '.' | '￥' | '¥' | '元' | '圆' | '角' | '分' | '整' | '正' | ' ' | '块'
            )
    })
}

/// The clause of `text` around byte `at`, between the separators `，,；;。`.
fn clause_at(text: &str, at: usize) -> &str {
    let is_sep = |c: char| matches!(c, '，' | ',' | '；' | ';' | '。' | '\n');
    let start = text
        .get(..at)
        .and_then(|head| head.rfind(is_sep))
        .map(|i| {
            i + text
                .get(i..)
                .and_then(|t| t.chars().next())
                .map_or(1, char::len_utf8)
        })
        .unwrap_or(0);
    let end = text
        .get(at..)
        .and_then(|tail| tail.find(is_sep))
        .map(|i| at + i)
        .unwrap_or(text.len());
    text.get(start..end).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yuan(text: &str) -> String {
        match parse_amount(text, Unit::Yuan, &Pick::Only) {
            Ok(m) => m.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn reads_the_forms_exports_use() {
        let cases = [
            ("115万元", "1150000"),
            ("1.5万", "15000"),
            ("1.2万元", "12000"),
            ("三十五万元", "350000"),
            ("壹万贰仟元整", "12000"),
            ("1,150,000.00", "1150000"),
            ("￥5000", "5000"),
            ("¥ 5000.5", "5000.50"),
            ("5000元", "5000"),
            ("200", "200"),
            ("0", "0"),
            ("伍佰元伍角", "500.50"),
            ("一百零五元", "105"),
            ("十万元", "100000"),
            ("两千元", "2000"),
            ("处以115万元罚款", "1150000"),
            ("罚款三十五万元", "350000"),
            ("0.015万元", "150"),
            ("1.5亿元", "150000000"),
        ];
        for (text, want) in cases {
            assert_eq!(yuan(text), want, "{text}");
        }
    }

    #[test]
    fn several_amounts_need_a_choice() {
        let text = "没收违法所得5000元，并处罚款1万元";
        let err = parse_amount(text, Unit::Yuan, &Pick::Only).unwrap_err();
        assert!(err.contains("states 2 amounts"), "{err}");
        let take = |pick: Pick| parse_amount(text, Unit::Yuan, &pick).unwrap().to_string();
        assert_eq!(take(Pick::First), "5000");
        assert_eq!(take(Pick::Last), "10000");
        assert_eq!(take(Pick::Largest), "10000");
        assert_eq!(take(Pick::Clause("罚款".into())), "10000");
        assert_eq!(take(Pick::Clause("没收".into())), "5000");
    }

    #[test]
    fn unmarked_numbers_in_text_are_not_amounts() {
        assert_eq!(
            yuan("清市监罚〔2024〕12号，罚款3000元"),
            "3000",
            "the year and number of the document are not fines"
        );
        assert!(yuan("责令改正").starts_with("error: `责令改正` states no amount"));
        assert!(yuan("1.234").contains("more decimals"), "{}", yuan("1.234"));
    }

    #[test]
    fn a_column_in_wan_reads_bare_numbers_as_wan() {
        let wan = |t: &str| parse_amount(t, Unit::Wan, &Pick::Only).unwrap().to_string();
        assert_eq!(wan("1.2"), "12000");
        assert_eq!(wan("35"), "350000");
        assert_eq!(wan("0.05"), "500");
        assert_eq!(wan("5000元"), "5000");
        assert_eq!(wan("1.2万元"), "12000");
    }
}
