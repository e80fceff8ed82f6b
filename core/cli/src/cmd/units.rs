//! Naming a unit on the command line: by its id (`441802-scjg`) or by its name
//! (`清城区市场监督管理局`). A name that matches no unit is an error listing the closest
//! names, never a filter that silently finds nothing.

use anyhow::Result;
use jiandu_model::{ReferenceKind, ReferenceRow};
use jiandu_store::Store;

use crate::BadInput;

/// The unit id `given` names, checked against the imported units.
pub async fn resolve(store: &Store, given: &str) -> Result<String> {
    let units = store.list_reference(ReferenceKind::Unit).await?;
    resolve_in(&units, given).map_err(|message| BadInput(message).into())
}

/// [`resolve`] for an optional option.
pub async fn resolve_opt(store: &Store, given: Option<String>) -> Result<Option<String>> {
    match given {
        Some(given) => Ok(Some(resolve(store, &given).await?)),
        None => Ok(None),
    }
}

fn name(unit: &ReferenceRow) -> &str {
    unit.text("name").unwrap_or("")
}

pub fn resolve_in(units: &[ReferenceRow], given: &str) -> Result<String, String> {
    let given = given.trim();
    // Nothing imported to check against: the id is taken as written.
    if units.is_empty() {
        return Ok(given.to_owned());
    }
    if let Some(unit) = units.iter().find(|u| u.key() == given) {
        return Ok(unit.key().to_owned());
    }
    let named: Vec<&ReferenceRow> = units.iter().filter(|u| name(u) == given).collect();
    match named.as_slice() {
        [one] => return Ok(one.key().to_owned()),
        [_, _, ..] => {
            let ids: Vec<&str> = named.iter().map(|u| u.key()).collect();
            return Err(format!(
                "{} units are named `{given}`: give the id, one of {}",
                named.len(),
                ids.join(", ")
            ));
        }
        [] => {}
    }
    let mut scored: Vec<(f64, &ReferenceRow)> = units
        .iter()
        .map(|u| (likeness(given, name(u)).max(likeness(given, u.key())), u))
        .filter(|(score, _)| *score > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.key().cmp(b.1.key())));
    let closest: Vec<String> = scored
        .iter()
        .take(5)
        .map(|(_, u)| format!("{} ({})", name(u), u.key()))
        .collect();
    Err(format!(
        "no unit `{given}`: neither the id nor the name of one of the {} imported units (单位不存在){}",
        units.len(),
        if closest.is_empty() {
            String::new()
        } else {
            format!("; the closest: {}", closest.join(", "))
        }
    ))
}

/// How alike two names are, 0 to 1: the share of their two-character pieces in common
/// (Dice), which suits Chinese names where one character more or less is the usual slip.
fn likeness(a: &str, b: &str) -> f64 {
    let pieces = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let (pa, mut pb) = (pieces(a), pieces(b));
    if pa.is_empty() || pb.is_empty() {
        return 0.0;
    }
    let total = pa.len() + pb.len();
    let mut common = 0;
    for piece in &pa {
        if let Some(i) = pb.iter().position(|p| p == piece) {
            pb.swap_remove(i);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<ReferenceRow> {
        [
            ("441802-scjg", "清城区市场监督管理局"),
            ("441803-scjg", "清新区市场监督管理局"),
            ("441802-cgzf", "清城区城市管理和综合执法局"),
        ]
        .iter()
        .map(|(id, name)| {
            ReferenceRow::from_json(
                ReferenceKind::Unit,
                serde_json::json!({"unit_id": id, "name": name}),
            )
            .unwrap()
        })
        .collect()
    }

    #[test]
    fn takes_an_id_or_a_name_and_lists_the_closest_names_otherwise() {
        let units = units();
        assert_eq!(resolve_in(&units, "441802-scjg").unwrap(), "441802-scjg");
        assert_eq!(
            resolve_in(&units, " 清城区市场监督管理局 ").unwrap(),
            "441802-scjg"
        );
        let err = resolve_in(&units, "清城区市场监管局").unwrap_err();
        assert!(
            err.contains("the closest: 清城区市场监督管理局 (441802-scjg), 清新区市场监督管理局 (441803-scjg)"),
            "{err}"
        );
        let err = resolve_in(&units, "441802-scjh").unwrap_err();
        assert!(err.contains("441802-scjg"), "{err}");
        assert_eq!(resolve_in(&[], "anything").unwrap(), "anything");
    }
}
