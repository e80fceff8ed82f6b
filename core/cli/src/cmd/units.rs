//! Naming a unit on the command line: by its id (`441802-scjg`) or by its name
//! (`清城区市场监督管理局`). A name that matches no unit is an error listing the closest
//! names, never a filter that silently finds nothing.

use anyhow::Result;
use jiandu_model::ReferenceKind;
use jiandu_store::Store;

use crate::BadInput;

/// The unit id `given` names, checked against the imported units.
pub async fn resolve(store: &Store, given: &str) -> Result<String> {
    let units = store.list_reference(ReferenceKind::Unit).await?;
    let named = units
        .iter()
        .map(|u| (u.key(), u.text("name").unwrap_or("")));
    resolve_in(named, given).map_err(|message| BadInput(message).into())
}

/// [`resolve`] for an optional option.
pub async fn resolve_opt(store: &Store, given: Option<String>) -> Result<Option<String>> {
    match given {
        Some(given) => Ok(Some(resolve(store, &given).await?)),
        None => Ok(None),
    }
}

/// The id `given` names among `units` (id, name); the units already loaded serve, so a
/// command that has them reads nothing more.
pub fn resolve_in<'a>(
    units: impl IntoIterator<Item = (&'a str, &'a str)>,
    given: &str,
) -> Result<String, String> {
    let units: Vec<(&str, &str)> = units.into_iter().collect();
    let given = given.trim();
    // Nothing imported to check against: the id is taken as written.
    if units.is_empty() {
        return Ok(given.to_owned());
    }
    if let Some((id, _)) = units.iter().find(|(id, _)| *id == given) {
        return Ok((*id).to_owned());
    }
    let named: Vec<&str> = units
        .iter()
        .filter(|(_, name)| *name == given)
        .map(|(id, _)| *id)
        .collect();
    match named.as_slice() {
        [one] => return Ok((*one).to_owned()),
        [_, _, ..] => {
            return Err(format!(
                "{} units are named `{given}`: give the id, one of {}",
                named.len(),
                named.join(", ")
            ));
        }
        [] => {}
    }
    let mut scored: Vec<(f64, &str, &str)> = units
        .iter()
        .map(|(id, name)| (likeness(given, name).max(likeness(given, id)), *id, *name))
        .filter(|(score, _, _)| *score > 0.0)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let closest: Vec<String> = scored
        .iter()
        .take(5)
        .map(|(_, id, name)| format!("{name} ({id})"))
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
        chars
            .windows(2)
            .filter_map(|w| match w {
                [x, y] => Some((*x, *y)),
                _ => None,
            })
            .collect()
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

    const UNITS: [(&str, &str); 3] = [
        ("441802-scjg", "清城区市场监督管理局"),
        ("441803-scjg", "清新区市场监督管理局"),
        ("441802-cgzf", "清城区城市管理和综合执法局"),
    ];

    #[test]
    fn takes_an_id_or_a_name_and_lists_the_closest_names_otherwise() {
        let units = || UNITS.iter().copied();
        assert_eq!(resolve_in(units(), "441802-scjg").unwrap(), "441802-scjg");
        assert_eq!(
            resolve_in(units(), " 清城区市场监督管理局 ").unwrap(),
            "441802-scjg"
        );
        let err = resolve_in(units(), "清城区市场监管局").unwrap_err();
        assert!(
            err.contains("the closest: 清城区市场监督管理局 (441802-scjg), 清新区市场监督管理局 (441803-scjg)"),
            "{err}"
        );
        let err = resolve_in(units(), "441802-scjh").unwrap_err();
        assert!(err.contains("441802-scjg"), "{err}");
        assert_eq!(resolve_in([], "anything").unwrap(), "anything");
    }
}
