//! Generated complaints and reports as the national platform pushes them, with what the
//! dispatcher and the units then do to each (signing, returning, deciding, resolving, feeding
//! back), some of it late on purpose, up to the demo's end.

use std::collections::BTreeMap;

use jiandu_calendar::Calendar;
use jiandu_model::{Action, Date, Moment, NonAcceptGround};
use serde_json::{Value, json};

use crate::Planted;
use crate::reference::{Party, Reference};
use crate::rng::Rng;

/// Who takes a planned action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// The unit the item is with at that moment.
    CurrentUnit,
    Dispatcher,
}

#[derive(Debug, Clone)]
pub struct PlannedAction {
    pub at: Moment,
    pub action: Action,
    pub by: By,
    /// What the unit states with the action (see `jiandu_complaints::FACTS`).
    pub facts: Value,
}

/// One push and its handling.
#[derive(Debug, Clone)]
pub struct DemoComplaint {
    pub envelope: Value,
    pub pushed_at: Moment,
    pub plan: Vec<PlannedAction>,
}

#[derive(Debug, Clone)]
pub struct DemoComplaints {
    pub items: Vec<DemoComplaint>,
    /// The moment the demo's story ends: later actions are not taken.
    pub end: Moment,
    pub planted: Vec<Planted>,
}

/// What people complain about, per department: (type, service, details).
fn matters(department: &str) -> (&'static str, &'static [&'static str]) {
    match department {
        "scjg" => (
            "消费维权",
            &[
                "购买的月饼已过期，要求退款",
                "超市销售过期牛奶，拒绝退换",
                "餐馆后厨卫生脏乱，食用后腹泻",
                "电子秤缺斤少两",
                "预付卡商家停业无法退费",
                "网购商品与宣传不符，涉嫌虚假宣传",
                "小区电梯频繁故障困人",
            ],
        ),
        "yjgl" => (
            "安全生产",
            &[
                "工厂员工未经安全生产培训即上岗",
                "仓库违规存放危险化学品",
                "居民区附近非法储存烟花爆竹",
            ],
        ),
        "cgzf" => (
            "城市管理",
            &[
                "小区内违法建设加建阁楼",
                "商铺长期占道经营影响通行",
                "工地夜间施工噪音扰民",
                "有人在河边乱倒建筑垃圾",
            ],
        ),
        "sthj" => (
            "环境保护",
            &[
                "工厂夜间偷排废水",
                "养殖场臭味异味严重",
                "搅拌站粉尘废气污染",
            ],
        ),
        "jtys" => (
            "交通运输",
            &["出租车拒载绕路", "非法营运网约车", "货车超限超载行驶"],
        ),
        _ => (
            "卫生健康",
            &[
                "诊所无证行医",
                "医美机构违规操作致人受伤",
                "游泳池水质不达标",
            ],
        ),
    }
}

const RETURN_REASONS: &[&str] = &[
    "经核实被投诉人不在本辖区经营，请改派",
    "该事项不属于本单位职责范围",
];
const RESULTS: &[&str] = &[
    "经调解双方达成协议，商家退款",
    "经核查情况属实，已责令整改",
    "经核查未发现违法行为，已告知投诉人",
    "已立案查处",
];

struct Clock<'a> {
    calendar: &'a Calendar,
}

impl Clock<'_> {
    fn working_day(&self, date: Date, n: i64) -> Date {
        self.calendar.add_working_days(date, n).unwrap_or(date)
    }

    fn at(&self, rng: &mut Rng, date: Date) -> Moment {
        let hour = rng.range(9, 17) as u32;
        let minute = rng.range(0, 59) as u32;
        Moment::at(date, hour, minute).expect("a valid time")
    }
}

#[derive(Default)]
struct Tally {
    eligible: BTreeMap<&'static str, u64>,
    planted: BTreeMap<&'static str, u64>,
}

impl Tally {
    fn roll(&mut self, rng: &mut Rng, id: &'static str, rate: f64) -> bool {
        *self.eligible.entry(id).or_default() += 1;
        let hit = rng.chance(rate);
        if hit {
            *self.planted.entry(id).or_default() += 1;
        }
        hit
    }
}

const DEFECTS: &[(&str, &str, f64)] = &[
    ("cpl.late_sign", "CPL-SIGN-1WD", 0.10),
    ("cpl.late_accept", "CPL-ACCEPT-7WD", 0.06),
    ("cpl.late_resolve", "CPL-MEDIATION-45WD", 0.08),
];

fn rate(id: &str) -> f64 {
    DEFECTS.iter().find(|d| d.0 == id).map_or(0.0, |d| d.2)
}

pub fn generate(
    rng: &mut Rng,
    reference: &Reference,
    calendar: &Calendar,
    n: usize,
) -> DemoComplaints {
    let clock = Clock { calendar };
    let start = Date::from_ymd(2025, 1, 2).expect("a date");
    let end_day = Date::from_ymd(2026, 6, 30).expect("a date");
    let end = Moment::at(end_day, 18, 0).expect("a time");
    let span = start.days_until(end_day);
    let mut tally = Tally::default();
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let day = start.add_days(rng.range(0, span - 1));
        let day = calendar.working_day_on_or_after(day).unwrap_or(day);
        let pushed_at = clock.at(rng, day);
        let report = rng.chance(0.2);
        let party: &Party = rng.pick(&reference.parties);
        let item = rng.pick(&reference.items);
        let (category, details) = matters(item.department);
        let detail = *rng.pick(details);
        let outside = rng.chance(0.02);
        let malformed = rng.chance(0.015);
        let with_item = !outside && rng.chance(0.9);
        let territory = if outside { "440106" } else { party.region_code };
        let cert = party.uscc.clone().or(party.id_number.clone());
        let task_no = format!("QY{}{:05}", day.to_string().replace('-', ""), i + 1);
        let mut info = json!({});
        let (object, code, kind_field, place, text) = if report {
            (
                "tipObject",
                "enterpriseCreditCode",
                "tipType",
                "tipTerritory",
                "tipDetail",
            )
        } else {
            (
                "complaintObject",
                "complaintObjectCertCode",
                "complaintType",
                "complaintTerritory",
                "complaintDetail",
            )
        };
        info[object] = json!(party.name);
        if !outside {
            info[code] = json!(cert);
        }
        info[kind_field] = json!(category);
        info[place] = json!(territory);
        info["disputeDate"] = json!(day.add_days(-rng.range(1, 20)).to_string());
        if !malformed {
            info[text] = json!(detail);
        }
        let block = if report { "tipInfo" } else { "complaintInfo" };
        let mut task = json!({
            "taskNo": task_no,
            "taskName": format!("{}{}", if report { "举报" } else { "投诉" }, category),
            "taskStartTime": pushed_at.to_string(),
            "initiateUnitName": "国家“互联网+监管”系统",
        });
        if with_item {
            task["supervisionMatterCode"] = json!(item.code);
        }
        let envelope = json!({
            "taskInfo": task,
            "basisData": {block: info},
            "complainant": {"name": crate::reference::person_name(rng), "phone": format!("139{:08}", rng.range(0, 99_999_999)), "realName": rng.chance(0.7)},
        });
        let mut plan = Vec::new();
        if !outside && !malformed {
            plan_handling(
                rng,
                &clock,
                &mut tally,
                day,
                item.department,
                report,
                &mut plan,
            );
        }
        plan.retain(|p| p.at <= end);
        items.push(DemoComplaint {
            envelope,
            pushed_at,
            plan,
        });
    }
    let planted = DEFECTS
        .iter()
        .map(|(id, rule, rate)| Planted {
            id,
            rule,
            rate: *rate,
            eligible: tally.eligible.get(id).copied().unwrap_or(0),
            planted: tally.planted.get(id).copied().unwrap_or(0),
        })
        .collect();
    DemoComplaints {
        items,
        end,
        planted,
    }
}

fn plan_handling(
    rng: &mut Rng,
    clock: &Clock,
    tally: &mut Tally,
    received: Date,
    department: &str,
    report: bool,
    plan: &mut Vec<PlannedAction>,
) {
    // The 7- and 45-working-day limits are a complaint's (a report has others), and bind only
    // market-regulation units: other departments follow the 12345 limit of 15 working days to
    // handle and reply (rules/profiles: hotline_resolve_wd), which no rule judges.
    let market = department == "scjg";
    let roll = |tally: &mut Tally, rng: &mut Rng, id: &'static str| {
        !report && market && tally.roll(rng, id, rate(id))
    };
    let unit_action = |at: Moment, action: Action| PlannedAction {
        at,
        action,
        by: By::CurrentUnit,
        facts: json!({}),
    };
    // What a unit states when it closes an item: no jurisdiction dispute, no violation clue
    // found in mediation, mediation not terminated early, no testing period; for a report,
    // nothing disclosed and no extension.
    let closing = |at: Moment, action: Action| PlannedAction {
        at,
        action,
        by: By::CurrentUnit,
        facts: if report {
            json!({"dispute_start_date": null, "disclosures": [], "testing_periods": null, "extension_approved_date": null})
        } else {
            json!({"dispute_start_date": null, "clue_found_date": null, "termination_decision_date": null, "testing_periods": null})
        },
    };
    let mut since = received;
    // 5%: the unit returns it and the dispatcher sends it to the city's unit.
    if rng.chance(0.05) {
        let back = clock.working_day(since, rng.range(0, 1));
        plan.push(unit_action(
            clock.at(rng, back),
            Action::Return {
                reason: (*rng.pick(RETURN_REASONS)).to_owned(),
            },
        ));
        let again = clock.working_day(back, 1);
        plan.push(PlannedAction {
            at: clock.at(rng, again),
            action: Action::Transfer {
                to_unit: format!("441800-{department}"),
            },
            by: By::Dispatcher,
            facts: json!({}),
        });
        since = again;
    }
    let late_sign = tally.roll(rng, "cpl.late_sign", rate("cpl.late_sign"));
    let late_accept = roll(tally, rng, "cpl.late_accept");
    let late_resolve = roll(tally, rng, "cpl.late_resolve");
    let signed = if late_sign {
        clock.working_day(since, rng.range(2, 3))
    } else {
        clock.working_day(since, rng.range(0, 1))
    };
    let sign_at = clock.at(rng, signed);
    plan.push(unit_action(sign_at, Action::Acknowledge));
    let decided = if late_accept {
        clock.working_day(since, rng.range(8, 10))
    } else {
        clock
            .working_day(signed, rng.range(0, 4))
            .min(clock.working_day(since, 7))
    };
    let decided_at = clock.at(rng, decided).max(sign_at.add_seconds(600));
    if rng.chance(0.1) {
        let ground = *rng.pick(&[
            NonAcceptGround::OutsideRemit,
            NonAcceptGround::HandledElsewhere,
            NonAcceptGround::MissingMaterials,
            NonAcceptGround::NotConsumerDispute,
        ]);
        plan.push(closing(decided_at, Action::NotAccept { ground }));
        plan.push(unit_action(
            clock.at(rng, clock.working_day(decided, 1)),
            Action::Feedback {
                suggestion: format!("不予受理：{}", ground.chinese()),
            },
        ));
        return;
    }
    plan.push(unit_action(decided_at, Action::Accept));
    let resolved = if late_resolve {
        clock.working_day(decided, rng.range(46, 50))
    } else if market {
        clock.working_day(decided, rng.range(3, 40))
    } else {
        // Within the 15 working days from receipt, a few days after the decision.
        clock
            .working_day(since, rng.range(5, 14))
            .max(clock.working_day(decided, 1))
    };
    let result = (*rng.pick(RESULTS)).to_owned();
    plan.push(closing(
        clock.at(rng, resolved),
        Action::Resolve {
            result: result.clone(),
        },
    ));
    plan.push(unit_action(
        {
            let fed_back = clock.working_day(resolved, rng.range(1, 2));
            clock.at(rng, fed_back)
        },
        Action::Feedback { suggestion: result },
    ));
}
