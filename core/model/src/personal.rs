//! Personal data, masked in one place. Complainants, reporters and natural persons are kept
//! whole in the store (the platform may need them back) but every row the store builds for a
//! printer, a page or an export passes through here first.

use serde_json::Value;

/// Compound surnames (复姓) kept whole: 欧阳某, not 欧某.
const COMPOUND_SURNAMES: [&str; 12] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "令狐",
];

/// A natural person's name as public output shows it: the surname and 某 (张三 → 张某,
/// 欧阳修 → 欧阳某); a name of one character becomes 某.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return String::new();
    }
    if let Some(surname) = COMPOUND_SURNAMES.iter().find(|s| name.starts_with(**s))
        && name.chars().count() > 2
    {
        return format!("{surname}某");
    }
    match name.chars().next() {
        Some(first) if name.chars().count() > 1 => format!("{first}某"),
        _ => "某".into(),
    }
}

/// A phone number with all but its first three and last four digits hidden
/// (13800001234 → 138****1234); a short one is hidden entirely.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() < 8 {
        return "****".into();
    }
    let head: String = digits.iter().take(3).collect();
    let tail: String = digits.iter().skip(digits.len() - 4).collect();
    format!("{head}****{tail}")
}

/// What stands for a reporter's identity: it is confidential (举报人信息保密).
pub const CONFIDENTIAL: &str = "（保密 confidential）";

/// Masks the `complainant` object of a complaint's stored details in place: a complainant's
/// name and phone masked, a reporter's (`confidential`) replaced whole.
pub fn mask_complainant(details: &mut Value, confidential: bool) {
    let Some(person) = details
        .get_mut("complainant")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (field, mask) in [
        ("name", mask_name as fn(&str) -> String),
        ("phone", mask_phone),
    ] {
        if let Some(value) = person.get_mut(field)
            && let Some(text) = value.as_str()
        {
            *value = Value::String(if confidential {
                CONFIDENTIAL.to_owned()
            } else {
                mask(text)
            });
        }
    }
}

/// A document number with all but its first four and last four characters hidden
/// (441802199001011234 → 4418**********1234); a short one is hidden entirely.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() < 10 {
        return "****".into();
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// Masks the `party` of a record in place when it is a natural person (自然人): the name
/// (张某), the document number, the date of birth and the addresses. Organisations and
/// 个体工商户 keep their registered names.
pub fn mask_party(body: &mut serde_json::Map<String, Value>) {
    let Some(party) = body.get_mut("party").and_then(Value::as_object_mut) else {
        return;
    };
    if party.get("nature").and_then(Value::as_str) != Some("natural_person") {
        return;
    }
    for (field, mask) in [
        ("name", mask_name as fn(&str) -> String),
        ("id", mask_id_number),
        ("phone", mask_phone),
        ("birth_date", |_: &str| "****".to_owned()),
        ("address", |_: &str| "****".to_owned()),
        ("registered_address", |_: &str| "****".to_owned()),
    ] {
        if let Some(value) = party.get_mut(field)
            && let Some(text) = value.as_str()
        {
            *value = Value::String(mask(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_natural_person_party_is_masked_and_an_enterprise_kept() {
        let mut person = json!({"party": {"nature": "natural_person", "name": "欧阳修", "id": "441802199001011234", "address": "清城区某路1号"}});
        mask_party(person.as_object_mut().unwrap());
        assert_eq!(
            person,
            json!({"party": {"nature": "natural_person", "name": "欧阳某", "id": "4418**********1234", "address": "****"}})
        );
        let mut firm = json!({"party": {"nature": "legal_person", "name": "清远市某某有限公司"}});
        let before = firm.clone();
        mask_party(firm.as_object_mut().unwrap());
        assert_eq!(firm, before);
    }

    #[test]
    fn names_and_phones_are_masked() {
        assert_eq!(mask_name("张三丰"), "张某");
        assert_eq!(mask_name("欧阳修"), "欧阳某");
        assert_eq!(mask_name("欧阳"), "欧某");
        assert_eq!(mask_name("王"), "某");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_phone("13800001234"), "138****1234");
        assert_eq!(mask_phone("0763-3361234"), "076****1234");
        assert_eq!(mask_phone("110"), "****");
    }

    #[test]
    fn a_complainant_is_masked_and_a_reporter_hidden() {
        let mut d =
            json!({"complainant": {"name": "张三", "phone": "13800001234", "real_name": true}});
        mask_complainant(&mut d, false);
        assert_eq!(
            d,
            json!({"complainant": {"name": "张某", "phone": "138****1234", "real_name": true}})
        );
        let mut d = json!({"complainant": {"name": "张三", "phone": "13800001234"}});
        mask_complainant(&mut d, true);
        assert_eq!(
            d,
            json!({"complainant": {"name": CONFIDENTIAL, "phone": CONFIDENTIAL}})
        );
    }
}
