//! Routing over the shipped table, lexicon and place names, with a few of the demo's units.

use std::sync::Arc;

use jiandu_model::{ReferenceKind, ReferenceRow};
use serde_json::json;

use super::*;
use crate::envelope;

fn table() -> RoutingTable {
    RoutingTable::parse(
        include_str!("../../../../rules/routing/table.toml"),
        "rules/routing/table.toml",
    )
    .unwrap()
}

fn router_with(settings: RoutingSettings) -> Router {
    let table = table();
    let lexicon = Lexicon::parse(
        include_str!("../../../../rules/routing/lexicon.toml"),
        "rules/routing/lexicon.toml",
        &table,
    )
    .unwrap();
    let gazetteer = Gazetteer::parse(
        include_str!("../../../../rules/reference/qingyuan-places.tsv"),
        "qingyuan-places.tsv",
    )
    .unwrap();
    Router::new(table, lexicon, gazetteer, None, settings)
}

fn router() -> Router {
    router_with(RoutingSettings::default())
}

fn row(kind: ReferenceKind, value: serde_json::Value) -> ReferenceRow {
    ReferenceRow::from_json(kind, value).unwrap()
}

fn directory() -> Directory {
    let units = [
        json!({"unit_id": "441800-12345", "name": "清远市12345热线", "department_code": "scjg", "region_code": "441800", "is_dispatcher": true}),
        json!({"unit_id": "441800-scjg", "name": "清远市市场监督管理局", "department_code": "scjg", "region_code": "441800"}),
        json!({"unit_id": "441802-scjg", "name": "清城区市场监督管理局", "department_code": "scjg", "region_code": "441802"}),
        json!({"unit_id": "441803-scjg", "name": "清新区市场监督管理局", "department_code": "scjg", "region_code": "441803"}),
        json!({"unit_id": "441881-scjg", "name": "英德市市场监督管理局", "department_code": "scjg", "region_code": "441881"}),
        json!({"unit_id": "441800-sthj", "name": "清远市生态环境局", "department_code": "sthj", "region_code": "441800"}),
        json!({"unit_id": "441802-sthj", "name": "清远市生态环境局清城分局", "department_code": "sthj", "region_code": "441802"}),
        json!({"unit_id": "441881-jtys", "name": "英德市交通运输局", "department_code": "jtys", "region_code": "441881"}),
    ]
    .map(|u| row(ReferenceKind::Unit, u));
    let items = [json!({"item_code": "44011000000100", "name": "对食品生产经营者的监督检查", "department_code": "scjg"})]
        .map(|i| row(ReferenceKind::Item, i));
    let parties = [json!({"party_id": "914418020JR4G3BG98", "name": "某食品公司", "uscc": "914418020JR4G3BG98", "operating_region": "441803", "domicile_region": "441802"})]
        .map(|p| row(ReferenceKind::Party, p));
    Directory::new(&units, &items, &parties)
}

fn intake(value: serde_json::Value) -> Intake {
    envelope::read(&value).unwrap()
}

fn text(detail: &str) -> Intake {
    intake(json!({"taskNo": "T", "complaintInfo": {"complaintDetail": detail}}))
}

#[test]
fn the_item_gives_the_department_and_the_operating_place_the_county() {
    let route = router().route(
        &intake(json!({"taskNo": "1", "supervisionMatterCode": "44011000000100",
            "complaintInfo": {"complaintObjectCertCode": "914418020JR4G3BG98", "complaintTerritory": "441802", "complaintDetail": "月饼过期"}})),
        &directory(),
    );
    assert_eq!(
        route.unit.as_deref(),
        Some("441803-scjg"),
        "{}",
        route.reason
    );
    assert!(route.reason.contains("经营地 441803"), "{}", route.reason);
    assert!(route.reason.contains("对食品生产经营者的监督检查"));
    assert_eq!(
        route.text, None,
        "the catalogue decided; the text was not read"
    );
}

#[test]
fn reports_go_where_the_act_took_place_and_old_codes_are_mapped() {
    let route = router().route(
        &intake(json!({"taskNo": "2", "tipInfo": {"enterpriseCreditCode": "914418020JR4G3BG98", "tipTerritory": "441827", "tipDetail": "销售过期食品"}})),
        &directory(),
    );
    assert_eq!(
        route.unit.as_deref(),
        Some("441803-scjg"),
        "{}",
        route.reason
    );
    assert!(
        route.reason.contains("441827 现为 441803"),
        "{}",
        route.reason
    );
}

#[test]
fn exhaust_and_pollution_words_send_a_factory_to_ecology_and_say_which_words() {
    let route = router().route(&text("小区旁边工厂夜间排放废气，污染环境"), &directory());
    assert_eq!(
        route.department.as_deref(),
        Some("sthj"),
        "{}",
        route.reason
    );
    assert!(
        route.reason.contains("按内容判断为生态环境部门"),
        "{}",
        route.reason
    );
    for word in ["废气 +3.0", "排放 +2.0", "污染+环境 +2.0"] {
        assert!(route.reason.contains(word), "{word}: {}", route.reason);
    }
    // No place in the message: the department is named for the dispatcher.
    assert_eq!(route.unit, None);
    assert!(
        route.reason.contains("已预选生态环境部门"),
        "{}",
        route.reason
    );
    let placed = router().route(
        &text("清城区横荷街道，小区旁边工厂夜间排放废气，污染环境"),
        &directory(),
    );
    assert_eq!(
        placed.unit.as_deref(),
        Some("441802-sthj"),
        "{}",
        placed.reason
    );
    assert!(
        placed.reason.contains("内容提到清城区、横荷街道"),
        "{}",
        placed.reason
    );
}

#[test]
fn fees_at_a_school_are_not_market_regulation() {
    let school = router().route(
        &text("英德市某小学每学期乱收费，收取资料费和补课费"),
        &directory(),
    );
    assert_eq!(
        school.department.as_deref(),
        Some("jyj"),
        "{}",
        school.reason
    );
    assert_eq!(school.unit, None);
    assert!(
        school
            .reason
            .contains("本市单位名录中没有教育部门的执法单位"),
        "{}",
        school.reason
    );
    let parking = router().route(
        &text("英德市某商场停车场收费太高，没有明码标价"),
        &directory(),
    );
    assert_eq!(
        parking.unit.as_deref(),
        Some("441881-scjg"),
        "{}",
        parking.reason
    );
}

#[test]
fn a_weak_reading_is_left_to_the_dispatcher_with_its_best_guess() {
    let route = router().route(&text("英德市某单位的人态度不好"), &directory());
    assert_eq!(route.department, None, "{}", route.reason);
    assert_eq!(route.unit, None);
    let close = router().route(&text("英德市有辆车停在门口"), &directory());
    assert_eq!(close.unit, None, "{}", close.reason);
    assert!(
        close.reason.contains("left to the dispatcher"),
        "{}",
        close.reason
    );
}

#[test]
fn an_ambiguous_town_leaves_the_place_open_unless_the_profile_sends_it_to_the_city() {
    let item = text("石角镇一家超市卖过期牛奶");
    let route = router().route(&item, &directory());
    assert_eq!(route.department.as_deref(), Some("scjg"));
    assert_eq!(route.unit, None, "{}", route.reason);
    assert!(
        route.reason.contains("石角镇在清城区、佛冈县均有"),
        "{}",
        route.reason
    );
    let to_city = router_with(RoutingSettings {
        unplaced_to_city: true,
        ..RoutingSettings::default()
    })
    .route(&item, &directory());
    assert_eq!(
        to_city.unit.as_deref(),
        Some("441800-scjg"),
        "{}",
        to_city.reason
    );
    assert!(to_city.reason.contains("route_unplaced_to_city"));
}

#[test]
fn a_county_without_the_department_falls_to_the_city_and_the_elsewhere_to_the_queue() {
    let router = router();
    let route = router.route(
        &intake(json!({"taskNo": "3", "complaintInfo": {"complaintTerritory": "441803", "complaintDetail": "工厂夜间偷排废水"}})),
        &directory(),
    );
    assert_eq!(
        route.unit.as_deref(),
        Some("441800-sthj"),
        "{}",
        route.reason
    );
    let nowhere = router.route(&text("邻居吵架"), &directory());
    assert_eq!(nowhere.unit, None);
    assert!(nowhere.reason.contains("dispatcher"), "{}", nowhere.reason);
    let elsewhere = router.route(
        &intake(json!({"taskNo": "5", "complaintInfo": {"complaintTerritory": "440106", "complaintDetail": "月饼过期"}})),
        &directory(),
    );
    assert_eq!(elsewhere.unit, None, "{}", elsewhere.reason);
    assert!(
        elsewhere.reason.contains("440106 不在本市"),
        "{}",
        elsewhere.reason
    );
}

#[test]
fn a_county_registered_uscc_places_the_respondent_and_a_city_one_lets_the_text_speak() {
    let router = router();
    let county = router.route(
        &intake(json!({"taskNo": "6", "complaintInfo": {"complaintObjectCertCode": "91441881MA53K2P717", "complaintDetail": "网购的减肥茶有问题，商家不退款"}})),
        &directory(),
    );
    assert_eq!(
        county.unit.as_deref(),
        Some("441881-scjg"),
        "{}",
        county.reason
    );
    let city = router.route(
        &intake(json!({"taskNo": "7", "complaintInfo": {"complaintObjectCertCode": "91441800MA53K2P71W", "complaintDetail": "清新区太和镇分店卖过期牛奶"}})),
        &directory(),
    );
    assert_eq!(city.unit.as_deref(), Some("441803-scjg"), "{}", city.reason);
}

#[test]
fn what_dispatchers_teach_moves_the_next_suggestion() {
    let router = router();
    let directory = directory();
    let new_kind = |i: usize| text(&format!("英德市共享电单车第{i}批乱停放，扫码押金退不了"));
    let before = router.route(&new_kind(21), &directory);
    assert_ne!(
        before.department.as_deref(),
        Some("jtys"),
        "{}",
        before.reason
    );
    let examples: Vec<Example> = (1..=20)
        .map(|i| Example {
            words: router.words_of(&new_kind(i), &directory),
            department: "jtys".into(),
        })
        .collect();
    let model = router.train(&examples, Fit::default());
    assert_eq!(model.examples, 20);
    router.set_learned(Some((1, Arc::new(model))));
    assert_eq!(router.learned_id(), Some(1));
    let after = router.route(&new_kind(21), &directory);
    assert_eq!(
        after.unit.as_deref(),
        Some("441881-jtys"),
        "{}",
        after.reason
    );
    assert!(after.reason.contains("（学）"), "{}", after.reason);
}
