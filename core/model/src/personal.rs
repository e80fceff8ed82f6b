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

/// What stands for a masked address or bank account.
const HIDDEN: &str = "****";

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
        ("birth_date", |_: &str| HIDDEN.to_owned()),
        ("address", |_: &str| HIDDEN.to_owned()),
        ("registered_address", |_: &str| HIDDEN.to_owned()),
    ] {
        if let Some(value) = party.get_mut(field)
            && let Some(text) = value.as_str()
        {
            *value = Value::String(mask(text));
        }
    }
}

/// The party's own words that free text may repeat, when it is a natural person: its name,
/// document number, phone and addresses.
fn natural_person_words(body: &serde_json::Map<String, Value>) -> Option<KnownPerson> {
    let party = body.get("party")?.as_object()?;
    if party.get("nature").and_then(Value::as_str) != Some("natural_person") {
        return None;
    }
    let text = |field: &str| {
        party
            .get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    Some(KnownPerson {
        name: text("name"),
        others: ["id", "phone", "address", "registered_address"]
            .into_iter()
            .filter_map(text)
            .collect(),
    })
}

struct KnownPerson {
    name: Option<String>,
    /// Document number, phone, addresses: hidden whole wherever they appear.
    others: Vec<String>,
}

/// Masks a record for publication or export, in place: a natural-person party as
/// [`mask_party`] does, and in every free-text field (the dictionary's `text` fields, such as
/// 违法事实 or 处罚结果) that person's name, document number, phone and addresses, and any
/// identity-card number, mobile or landline number and bank-account number, whoever's they are.
/// Codes (USCC, document numbers of decisions) are not free text and are kept.
pub fn mask_record(body: &mut serde_json::Map<String, Value>) {
    let person = natural_person_words(body);
    let dictionary = crate::record::dictionary::dictionary();
    for (field, value) in body.iter_mut() {
        let is_text = dictionary
            .field(field)
            .is_some_and(|f| f.field_type == crate::record::dictionary::FieldType::Text);
        if let (true, Value::String(text)) = (is_text, &mut *value) {
            *text = mask_text(text, person.as_ref());
        }
    }
    mask_party(body);
}

/// A complaint's stored details as a routing example may keep them (exported, trained on):
/// the complainant left out whole, and in the free text (`detail`, `task_name`) the
/// complainant's name and phone and anyone's identity-card, phone and bank-account numbers
/// hidden; a respondent who is a natural person (an identity-card number as its code) keeps
/// only 张某 and a masked number.
pub fn mask_example(details: &mut Value) {
    let complainant = details.get("complainant").map(|c| KnownPerson {
        name: c
            .get("name")
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .map(str::to_owned),
        others: c
            .get("phone")
            .and_then(Value::as_str)
            .filter(|p| p.trim().chars().count() >= 5)
            .map(|p| vec![p.trim().to_owned()])
            .unwrap_or_default(),
    });
    let Some(body) = details.as_object_mut() else {
        return;
    };
    body.remove("complainant");
    for field in ["detail", "task_name"] {
        if let Some(Value::String(text)) = body.get_mut(field) {
            *text = mask_text(text, complainant.as_ref());
        }
    }
    if let Some(respondent) = body.get_mut("respondent").and_then(Value::as_object_mut) {
        let personal = respondent
            .get("cert_code")
            .and_then(Value::as_str)
            .is_some_and(|c| {
                let c = c.trim();
                (c.len() == 18 && c.bytes().take(17).all(|b| b.is_ascii_digit()))
                    || (c.len() == 15 && c.bytes().all(|b| b.is_ascii_digit()))
            });
        if personal {
            for (field, mask) in [
                ("name", mask_name as fn(&str) -> String),
                ("cert_code", mask_id_number),
            ] {
                if let Some(Value::String(text)) = respondent.get_mut(field) {
                    *text = mask(text);
                }
            }
        }
    }
}

/// Free text with personal data hidden: the known person's words first (their name as 张某),
/// then identity-card numbers (18 or 15 digits), mobile numbers, landlines and bank accounts
/// (16–19 digits) found by their shape.
fn mask_text(text: &str, person: Option<&KnownPerson>) -> String {
    let mut out = text.to_owned();
    if let Some(person) = person {
        // Longer words first, so that an address is hidden before a name inside it.
        let mut others: Vec<&String> = person.others.iter().collect();
        others.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        for word in others {
            out = out.replace(word.as_str(), HIDDEN);
        }
        if let Some(name) = &person.name {
            out = out.replace(name.as_str(), &mask_name(name));
        }
    }
    mask_number_runs(&out)
}

/// Hides runs of digits shaped like personal numbers; other numbers (amounts, dates, article
/// numbers) are kept.
fn mask_number_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut idx = 0;
    while let Some(&c) = chars.get(idx) {
        if !c.is_ascii_digit() {
            out.push(c);
            idx += 1;
            continue;
        }
        // A run of digits, with an X closing an identity-card number and one hyphen inside a
        // landline (0763-3361234).
        let start = idx;
        let mut end = idx;
        while chars.get(end).is_some_and(char::is_ascii_digit) {
            end += 1;
        }
        if chars.get(end) == Some(&'-')
            && chars.get(end + 1).is_some_and(char::is_ascii_digit)
            && chars.get(start) == Some(&'0')
            && (3..=4).contains(&(end - start))
        {
            end += 1;
            while chars.get(end).is_some_and(char::is_ascii_digit) {
                end += 1;
            }
        }
        if matches!(chars.get(end), Some('X' | 'x')) && end - start == 17 {
            end += 1;
        }
        let run: String = chars.get(start..end).unwrap_or_default().iter().collect();
        out.push_str(&mask_number(&run));
        idx = end;
    }
    out
}

fn mask_number(run: &str) -> String {
    let digits = run.chars().filter(char::is_ascii_digit).count();
    let len = run.chars().count();
    let mobile = len == 11
        && run.starts_with('1')
        && !run.starts_with("10")
        && !run.starts_with("11")
        && !run.starts_with("12");
    let landline = run.contains('-') && (10..=13).contains(&len);
    let id_card =
        (len == 18 && digits >= 17) || (len == 15 && digits == 15 && looks_like_old_id(run));
    if mobile || landline {
        mask_phone(run)
    } else if id_card {
        mask_id_number(run)
    } else if (16..=19).contains(&len) && digits == len {
        HIDDEN.to_owned()
    } else {
        run.to_owned()
    }
}

/// A 15-digit identity card (before 1999) starts with a region code and a yymmdd birth date.
fn looks_like_old_id(run: &str) -> bool {
    let month = run.get(8..10).and_then(|m| m.parse::<u32>().ok());
    let day = run.get(10..12).and_then(|d| d.parse::<u32>().ok());
    matches!((month, day), (Some(1..=12), Some(1..=31)))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_routing_example_keeps_no_complainant_and_no_natural_person() {
        let mut details = json!({
            "detail": "本人李建国，电话13800001234，身份证441802199001011234，投诉楼下烧烤店",
            "task_name": "李建国投诉油烟",
            "complainant": {"name": "李建国", "phone": "13800001234"},
            "respondent": {"name": "王小明", "cert_code": "441802198501011234"},
        });
        mask_example(&mut details);
        assert_eq!(details.get("complainant"), None);
        let text = details.to_string();
        for gone in [
            "李建国",
            "13800001234",
            "441802199001011234",
            "王小明",
            "198501011234",
        ] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
        assert!(details["detail"].as_str().unwrap().contains("李某"));
        assert_eq!(details["respondent"]["name"], "王某");
        let mut shop = json!({"detail": "x", "respondent": {"name": "某某餐饮店", "cert_code": "92441802MA52FJHK4D"}});
        mask_example(&mut shop);
        assert_eq!(shop["respondent"]["name"], "某某餐饮店");
    }

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
    #[test]
    fn free_text_hides_the_person_and_any_personal_number() {
        let mut body = json!({
            "party": {"nature": "natural_person", "name": "欧阳春花", "id": "441802199001011234",
                      "phone": "13912345678", "address": "清城区凤城街道北门路12号"},
            "violation_facts": "当事人欧阳春花（身份证441802199001011234，电话13912345678，住清城区凤城街道北门路12号）于2024年3月5日销售过期食品，货值1200元；另一联系人电话0763-3361234，收款账户6222021234567890123。",
            "decision_doc_no": "清市监罚〔2024〕12号",
        });
        mask_record(body.as_object_mut().unwrap());
        let facts = body["violation_facts"].as_str().unwrap();
        assert_eq!(
            facts,
            "当事人欧阳某（身份证****，电话****，住****）于2024年3月5日销售过期食品，货值1200元；另一联系人电话076****1234，收款账户****。"
        );
        assert_eq!(body["decision_doc_no"], "清市监罚〔2024〕12号");
        assert_eq!(body["party"]["name"], "欧阳某");
    }

    #[test]
    fn an_enterprise_keeps_its_name_but_strangers_numbers_are_hidden() {
        let mut body = json!({
            "party": {"nature": "individual_business", "name": "清新区李记粮油店", "id": "92441803MA4X00000X"},
            "violation_facts": "清新区李记粮油店经营者电话13800001234，身份证号44180219850615123X，统一社会信用代码92441803MA4X00000X。",
        });
        mask_record(body.as_object_mut().unwrap());
        assert_eq!(
            body["violation_facts"],
            "清新区李记粮油店经营者电话138****1234，身份证号4418**********123X，统一社会信用代码92441803MA4X00000X。"
        );
        assert_eq!(body["party"]["id"], "92441803MA4X00000X");
    }
}
