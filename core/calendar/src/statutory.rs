//! What 《全国年节及纪念日放假办法》 itself fixes, and how far the State Council's yearly
//! notices have moved days around it: the ground for counting legal time in a year whose
//! notice is not yet known.
//!
//! The 办法 names the holidays (元旦, 春节, 清明, 劳动节, 端午, 中秋, 国庆) and their length;
//! the lunar and solar-term dates come from `festivals.tsv`. Each notice then adds days off
//! and adjusted working days (调休) *around* those holidays. How far around is measured on
//! every notice the calendar holds: for each holiday, the earliest and latest listed day
//! relative to the holiday's own days, separately for weekdays made days off and weekend days
//! made working days. Within those windows, widened by [`MARGIN_DAYS`], a day of an unknown
//! year may turn out either way; outside them, an unknown year is ordinary.

use std::collections::{BTreeMap, HashMap};

use jiandu_model::Date;

/// Days beyond the widest arrangement the notices show that are still treated as uncertain.
/// Recomputing the windows with one year's notice left out shows that a single new notice
/// went up to 3 days beyond the earlier extremes (清明 2012, 元旦 2013, 劳动节 2023 and 2024);
/// with this margin every year 2009–2026 falls inside the windows of the others.
pub const MARGIN_DAYS: i64 = 3;

/// The holidays of the 办法, in the order the notices list them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holiday {
    NewYear,
    SpringFestival,
    Qingming,
    Labour,
    Dragon,
    MidAutumn,
    National,
}

impl Holiday {
    pub const ALL: [Holiday; 7] = [
        Holiday::NewYear,
        Holiday::SpringFestival,
        Holiday::Qingming,
        Holiday::Labour,
        Holiday::Dragon,
        Holiday::MidAutumn,
        Holiday::National,
    ];

    pub fn chinese(self) -> &'static str {
        match self {
            Holiday::NewYear => "元旦",
            Holiday::SpringFestival => "春节",
            Holiday::Qingming => "清明节",
            Holiday::Labour => "劳动节",
            Holiday::Dragon => "端午节",
            Holiday::MidAutumn => "中秋节",
            Holiday::National => "国庆节",
        }
    }

    /// The holidays a notice's day name speaks of (`国庆节、中秋节` → both).
    pub fn named_in(name: &str) -> Vec<Holiday> {
        let keys = [
            (Holiday::NewYear, "元旦"),
            (Holiday::SpringFestival, "春节"),
            (Holiday::Qingming, "清明"),
            (Holiday::Labour, "劳动"),
            (Holiday::Dragon, "端午"),
            (Holiday::MidAutumn, "中秋"),
            (Holiday::National, "国庆"),
        ];
        keys.iter()
            .filter(|(_, key)| name.contains(key))
            .map(|(h, _)| *h)
            .collect()
    }
}

/// One year's lunar and solar-term festival dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FestivalDates {
    pub chuxi: Date,
    pub chunjie: Date,
    pub qingming: Date,
    pub duanwu: Date,
    pub zhongqiu: Date,
}

/// `festivals.tsv`: the festival dates by year.
#[derive(Debug, Clone, Default)]
pub struct Festivals {
    by_year: BTreeMap<i32, FestivalDates>,
}

impl Festivals {
    pub fn parse(text: &str, source: &str) -> Result<Festivals, String> {
        let mut by_year = BTreeMap::new();
        for (idx, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("year") {
                continue;
            }
            let at = |reason: String| format!("{source}:{}: {reason}", idx + 1);
            let cells: Vec<&str> = line.split('\t').collect();
            if cells.len() != 6 {
                return Err(at(format!("expected 6 columns, found {}", cells.len())));
            }
            let cell = |i: usize| cells.get(i).copied().unwrap_or_default();
            let year: i32 = cell(0)
                .parse()
                .map_err(|_| at(format!("`{}` is not a year", cell(0))))?;
            let date = |i: usize| Date::parse(cell(i)).map_err(|e| at(e.to_string()));
            let dates = FestivalDates {
                chuxi: date(1)?,
                chunjie: date(2)?,
                qingming: date(3)?,
                duanwu: date(4)?,
                zhongqiu: date(5)?,
            };
            if dates.chuxi.succ() != dates.chunjie {
                return Err(at("除夕 must be the day before 春节".into()));
            }
            if by_year.insert(year, dates).is_some() {
                return Err(at(format!("{year} is listed twice")));
            }
        }
        Ok(Festivals { by_year })
    }

    pub fn get(&self, year: i32) -> Option<&FestivalDates> {
        self.by_year.get(&year)
    }

    pub fn covers(&self, year: i32) -> bool {
        self.by_year.contains_key(&year)
    }

    pub fn last_year(&self) -> Option<i32> {
        self.by_year.keys().last().copied()
    }
}

/// The days the 办法 in force in `year` makes holidays for everyone, by holiday. Versions:
/// 1999 (to 2007), 2007 (2008–2013: 春节 除夕 to 初二; 清明, 端午, 中秋 added; 劳动节 1 day),
/// 2013 (2014–2024: 春节 初一 to 初三), 2024 (from 2025: 春节 除夕 to 初三; 劳动节 2 days).
#[allow(
    clippy::expect_used,
    reason = "fixed month-days that exist in every year"
)]
pub fn statutory_days(year: i32, festivals: &FestivalDates) -> Vec<(Holiday, Date)> {
    let day = |m: u32, d: u32| Date::from_ymd(year, m, d).expect("a fixed holiday is a real day");
    let cny = festivals.chunjie;
    let mut days = vec![(Holiday::NewYear, day(1, 1))];
    let spring: Vec<Date> = match year {
        ..=2007 => vec![cny, cny.succ(), cny.add_days(2)],
        2008..=2013 => vec![festivals.chuxi, cny, cny.succ()],
        2014..=2024 => vec![cny, cny.succ(), cny.add_days(2)],
        _ => vec![festivals.chuxi, cny, cny.succ(), cny.add_days(2)],
    };
    days.extend(spring.into_iter().map(|d| (Holiday::SpringFestival, d)));
    let labour: &[u32] = match year {
        ..=2007 => &[1, 2, 3],
        2008..=2024 => &[1],
        _ => &[1, 2],
    };
    days.extend(labour.iter().map(|d| (Holiday::Labour, day(5, *d))));
    if year >= 2008 {
        days.push((Holiday::Qingming, festivals.qingming));
        days.push((Holiday::Dragon, festivals.duanwu));
        days.push((Holiday::MidAutumn, festivals.zhongqiu));
    }
    days.extend((1..=3).map(|d| (Holiday::National, day(10, d))));
    days
}

/// For each holiday, how far from its own days the notices have moved days: a weekday made a
/// day off (a bridge day), and a weekend day made a working day (调休上班), each as the
/// (earliest, latest) offset from the holiday's first and last day. A weekend listed as off
/// or a weekday listed as working changes nothing and is not counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Windows {
    pub weekdays_off: BTreeMap<Holiday, (i64, i64)>,
    pub weekends_worked: BTreeMap<Holiday, (i64, i64)>,
}

impl Windows {
    /// Measures the windows on `notices` (year → listed days with their names and whether
    /// off). Days named after nothing of the 办法 (a one-off commemoration) are left out.
    pub fn measure(
        notices: &BTreeMap<i32, Vec<(Date, String, bool)>>,
        festivals: &Festivals,
    ) -> Windows {
        let mut windows = Windows::default();
        for (year, days) in notices {
            let Some(dates) = festivals.get(*year) else {
                continue;
            };
            let statutory = statutory_days(*year, dates);
            let mut spans: HashMap<Holiday, (Date, Date)> = HashMap::new();
            for (holiday, date) in &statutory {
                let span = spans.entry(*holiday).or_insert((*date, *date));
                span.0 = span.0.min(*date);
                span.1 = span.1.max(*date);
            }
            for (date, name, off) in days {
                // Only a change from the ordinary week tells how far a notice reaches.
                let table = match (*off, date.is_weekend()) {
                    (true, false) => &mut windows.weekdays_off,
                    (false, true) => &mut windows.weekends_worked,
                    _ => continue,
                };
                if statutory.iter().any(|(_, d)| d == date) {
                    continue;
                }
                let offsets: Vec<(Holiday, i64)> = Holiday::named_in(name)
                    .into_iter()
                    .filter_map(|h| {
                        let (first, last) = spans.get(&h)?;
                        Some((h, offset(*date, *first, *last)))
                    })
                    .collect();
                let Some(nearest) = offsets.iter().map(|(_, o)| o.abs()).min() else {
                    continue;
                };
                for (holiday, o) in offsets.into_iter().filter(|(_, o)| o.abs() == nearest) {
                    let window = table.entry(holiday).or_default();
                    window.0 = window.0.min(o);
                    window.1 = window.1.max(o);
                }
            }
        }
        windows
    }

    /// The days around the holidays of `year` (and the late-December days before its
    /// 元旦) that a notice for `year` may turn: weekdays within the bridge-day window, weekend
    /// days within the working-weekend window, each widened by [`MARGIN_DAYS`].
    pub fn uncertain_days(&self, year: i32, festivals: &FestivalDates) -> Vec<Date> {
        let statutory = statutory_days(year, festivals);
        let mut found = Vec::new();
        for holiday in Holiday::ALL {
            let own: Vec<Date> = statutory
                .iter()
                .filter(|(h, _)| *h == holiday)
                .map(|(_, d)| *d)
                .collect();
            let (Some(first), Some(last)) = (own.iter().min(), own.iter().max()) else {
                continue;
            };
            for (table, weekend) in [(&self.weekdays_off, false), (&self.weekends_worked, true)] {
                let Some((before, after)) = table.get(&holiday).copied() else {
                    continue;
                };
                let mut day = first.add_days(before - MARGIN_DAYS);
                let end = last.add_days(after + MARGIN_DAYS);
                while day <= end {
                    if day.is_weekend() == weekend && !statutory.iter().any(|(_, d)| *d == day) {
                        found.push(day);
                    }
                    day = day.succ();
                }
            }
        }
        found.sort();
        found.dedup();
        found
    }
}

/// Days from the holiday's span to `date`: negative before its first day, positive after its
/// last.
fn offset(date: Date, first: Date, last: Date) -> i64 {
    if date < first {
        first.days_until(date)
    } else if date > last {
        last.days_until(date)
    } else {
        0
    }
}
