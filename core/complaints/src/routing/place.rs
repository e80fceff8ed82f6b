//! Place names in a message: the counties of the city (清城区, 英德 …) and their towns and
//! streets (浛洸镇 → 英德市), from `rules/reference/qingyuan-places.tsv`. A town that the city
//! has twice (石角镇 in 清城区 and 佛冈县) decides nothing unless its county is named too, and
//! a message naming two counties decides nothing: both are said in the reason.

use std::collections::{BTreeMap, BTreeSet};

/// What a place name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    City,
    County,
    Town,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    /// The county-level region code (the city's own for the city).
    region: String,
    kind: PlaceKind,
}

/// Every name the file lists, with where it lies.
#[derive(Debug, Clone, Default)]
pub struct Gazetteer {
    /// name → the places it can mean (two for an ambiguous town)
    names: BTreeMap<String, Vec<Place>>,
    /// region code → its county's full name
    counties: BTreeMap<String, String>,
    /// Names, longest first, for matching.
    order: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("{path} line {line}: {reason}")]
pub struct GazetteerError {
    pub path: String,
    pub line: usize,
    pub reason: String,
}

/// Where a text places the matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPlace {
    /// One county, and the names that told it.
    County { region: String, names: Vec<String> },
    /// Names were found but they do not tell one county: why.
    Unclear(String),
    /// No place name at all (or only the city's own name).
    None,
}

impl Gazetteer {
    pub fn parse(text: &str, path: &str) -> Result<Gazetteer, GazetteerError> {
        let mut gazetteer = Gazetteer::default();
        let mut header = false;
        for (idx, line) in text.lines().enumerate() {
            let err = |reason: String| GazetteerError {
                path: path.to_owned(),
                line: idx + 1,
                reason,
            };
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if !header {
                if cols.first() != Some(&"region") || cols.get(1) != Some(&"name") {
                    return Err(err("expected the header `region, name, kind, short`".into()));
                }
                header = true;
                continue;
            }
            let (Some(region), Some(name), Some(kind)) = (cols.first(), cols.get(1), cols.get(2))
            else {
                return Err(err("a row has region, name, kind and short".into()));
            };
            if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(format!("`{region}` is not a 6-digit region code")));
            }
            let kind = match *kind {
                "city" => PlaceKind::City,
                "county" => PlaceKind::County,
                "town" | "street" | "township" => PlaceKind::Town,
                other => {
                    return Err(err(format!(
                        "kind `{other}`: expected city, county, town, street or township"
                    )));
                }
            };
            if name.trim().is_empty() {
                return Err(err("the name is empty".into()));
            }
            if kind == PlaceKind::County {
                gazetteer
                    .counties
                    .insert((*region).to_owned(), (*name).to_owned());
            }
            let place = Place {
                region: (*region).to_owned(),
                kind,
            };
            let shorts = cols.get(3).copied().unwrap_or("");
            for written in std::iter::once(*name).chain(shorts.split(',')) {
                let written = written.trim();
                if written.is_empty() {
                    continue;
                }
                let places = gazetteer.names.entry(written.to_owned()).or_default();
                if !places.contains(&place) {
                    places.push(place.clone());
                }
            }
        }
        if !header {
            return Err(GazetteerError {
                path: path.to_owned(),
                line: 1,
                reason: "no header row `region, name, kind, short`".into(),
            });
        }
        let mut order: Vec<String> = gazetteer.names.keys().cloned().collect();
        order.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        gazetteer.order = order;
        Ok(gazetteer)
    }

    /// Every name and short form the file lists.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.keys().map(String::as_str)
    }

    pub fn county_name(&self, region: &str) -> Option<&str> {
        self.counties.get(region).map(String::as_str)
    }

    /// The names in `text`, longest first, each where it stands (a shorter name inside a
    /// longer one found is not counted: 小三江镇 is not also 三江镇).
    fn names_in<'a>(&'a self, text: &str) -> Vec<(&'a str, &'a [Place])> {
        let mut taken = vec![false; text.len()];
        let mut found: Vec<(usize, &str, &[Place])> = Vec::new();
        for name in &self.order {
            let Some(places) = self.names.get(name) else {
                continue;
            };
            let mut from = 0;
            while let Some(at) = text.get(from..).and_then(|rest| rest.find(name.as_str())) {
                let start = from + at;
                let end = start + name.len();
                if taken
                    .get(start..end)
                    .is_some_and(|span| span.iter().all(|t| !t))
                {
                    if let Some(span) = taken.get_mut(start..end) {
                        span.fill(true);
                    }
                    if !found.iter().any(|(_, n, _)| *n == name.as_str()) {
                        found.push((start, name.as_str(), places.as_slice()));
                    }
                }
                from = end;
            }
        }
        // In the order the text names them.
        found.sort_by_key(|(start, _, _)| *start);
        found.into_iter().map(|(_, n, p)| (n, p)).collect()
    }

    /// Where `text` places the matter.
    pub fn place(&self, text: &str) -> TextPlace {
        let found = self.names_in(text);
        if found.is_empty() {
            return TextPlace::None;
        }
        // Counties named outright, and the county of each town the city has once.
        let mut sure: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut ambiguous: Vec<(&str, BTreeSet<&str>)> = Vec::new();
        for (name, places) in &found {
            let counties: BTreeSet<&str> = places
                .iter()
                .filter(|p| p.kind != PlaceKind::City)
                .map(|p| p.region.as_str())
                .collect();
            match counties.len() {
                0 => {}
                1 => {
                    if let Some(region) = counties.first() {
                        sure.entry((*region).to_owned())
                            .or_default()
                            .push((*name).to_owned());
                    }
                }
                _ => ambiguous.push((name, counties)),
            }
        }
        let name_of = |region: &str| self.county_name(region).unwrap_or(region).to_owned();
        if sure.len() > 1 {
            let named: Vec<String> = sure
                .iter()
                .map(|(region, names)| format!("{}（{}）", names.join("、"), name_of(region)))
                .collect();
            return TextPlace::Unclear(format!(
                "内容提到多个县（市、区）：{} / the text names several counties",
                named.join("，")
            ));
        }
        if let Some((region, mut names)) = sure.into_iter().next() {
            // An ambiguous town of another county than the one named is a contradiction.
            if let Some((town, _)) = ambiguous.iter().find(|(_, c)| !c.contains(region.as_str())) {
                return TextPlace::Unclear(format!(
                    "内容提到{}，又提到不在该地的{town} / the text names {} and {town}, which lies elsewhere",
                    name_of(&region),
                    name_of(&region)
                ));
            }
            names.extend(ambiguous.iter().map(|(town, _)| (*town).to_owned()));
            return TextPlace::County { region, names };
        }
        if let Some((town, counties)) = ambiguous.first() {
            let where_: Vec<String> = counties.iter().map(|r| name_of(r)).collect();
            return TextPlace::Unclear(format!(
                "{town}在{}均有，内容未说明哪一个 / {town} exists in {}; the text does not say which",
                where_.join("、"),
                where_.join(", ")
            ));
        }
        TextPlace::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gazetteer() -> Gazetteer {
        Gazetteer::parse(
            include_str!("../../../../rules/reference/qingyuan-places.tsv"),
            "qingyuan-places.tsv",
        )
        .unwrap()
    }

    fn county(text: &str) -> Option<String> {
        match gazetteer().place(text) {
            TextPlace::County { region, .. } => Some(region),
            _ => None,
        }
    }

    #[test]
    fn counties_towns_and_short_forms_place_a_message() {
        for (text, region) in [
            ("清城区东城街道一家便利店", Some("441802")),
            ("英德市浛洸镇一家五金店", Some("441881")),
            ("浛洸有家店卖假奶粉", Some("441881")),
            ("连山壮族瑶族自治县吉田镇某宾馆", Some("441825")),
            ("连南县寨岗镇", Some("441826")),
            ("小三江镇有人卖过期食品", Some("441825")),
            ("三江镇农贸市场", Some("441826")),
            ("佛冈县石角镇某小区电梯", Some("441821")),
            ("清远市清城区石角镇", Some("441802")),
            ("阳山县太平镇某砖厂", Some("441823")),
            ("英德站门口拉客", Some("441881")),
            ("空气清新的小区", None),
            ("只说清远市某超市", None),
            ("保安态度恶劣", None),
        ] {
            assert_eq!(county(text).as_deref(), region, "{text}");
        }
    }

    #[test]
    fn an_ambiguous_or_contradictory_place_decides_nothing_and_says_why() {
        for (text, says) in [
            ("石角镇的一家工厂晚上排烟", "清城区、佛冈县"),
            ("太平镇一家饭店", "清新区、阳山县"),
            ("家住清城区，在英德市买的", "多个县"),
            ("英德市太平镇", "不在该地"),
        ] {
            match gazetteer().place(text) {
                TextPlace::Unclear(why) => assert!(why.contains(says), "{text}: {why}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_bad_row_is_named_by_its_line() {
        let error = Gazetteer::parse("region\tname\tkind\tshort\n4418\t某地\ttown\t\n", "p.tsv")
            .unwrap_err()
            .to_string();
        assert_eq!(error, "p.tsv line 2: `4418` is not a 6-digit region code");
    }
}
