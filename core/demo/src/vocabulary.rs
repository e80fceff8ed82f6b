//! The fixed vocabulary of the demo: Qingyuan's divisions, departments, supervision items
//! and the words names are made of.

/// (region code, name) for the city and its eight counties and districts (CATALOGUE §3.4).
pub const REGIONS: [(&str, &str); 9] = [
    ("441800", "清远市"),
    ("441802", "清城区"),
    ("441803", "清新区"),
    ("441821", "佛冈县"),
    ("441823", "阳山县"),
    ("441825", "连山壮族瑶族自治县"),
    ("441826", "连南瑶族自治县"),
    ("441881", "英德市"),
    ("441882", "连州市"),
];

/// An enforcement department: code, short Chinese name, bureau name suffix, item-code
/// prefix digits, whether it is market regulation (its own procedural rules apply).
#[derive(Debug, Clone, Copy)]
pub struct Department {
    pub code: &'static str,
    /// The dictionary's sector code (`sector_profile`).
    pub sector: &'static str,
    pub name: &'static str,
    pub bureau: &'static str,
    pub item_prefix: &'static str,
    pub weight: u32,
}

pub const DEPARTMENTS: [Department; 6] = [
    Department {
        code: "scjg",
        sector: "market_regulation",
        name: "市场监管",
        bureau: "市场监督管理局",
        item_prefix: "01",
        weight: 34,
    },
    Department {
        code: "yjgl",
        sector: "emergency_management",
        name: "应急管理",
        bureau: "应急管理局",
        item_prefix: "02",
        weight: 14,
    },
    Department {
        code: "cgzf",
        sector: "urban_management",
        name: "城管综合执法",
        bureau: "城市管理和综合执法局",
        item_prefix: "03",
        weight: 18,
    },
    Department {
        code: "sthj",
        sector: "ecology_environment",
        name: "生态环境",
        bureau: "生态环境局",
        item_prefix: "04",
        weight: 12,
    },
    Department {
        code: "jtys",
        sector: "transport",
        name: "交通运输",
        bureau: "交通运输局",
        item_prefix: "05",
        weight: 12,
    },
    Department {
        code: "wsjk",
        sector: "health",
        name: "卫生健康",
        bureau: "卫生健康局",
        item_prefix: "06",
        weight: 10,
    },
];

/// Supervision items per department code: (name, kind) where kind is 检查 / 处罚 / 强制.
pub const ITEMS: &[(&str, &str, &str)] = &[
    ("scjg", "对食品生产经营者的监督检查", "检查"),
    ("scjg", "对特种设备生产、经营、使用单位的监督检查", "检查"),
    ("scjg", "对计量器具的监督检查", "检查"),
    ("scjg", "对产品质量的监督抽查", "检查"),
    ("scjg", "对价格行为的监督检查", "检查"),
    ("scjg", "对经营无证无照食品的行政处罚", "处罚"),
    ("scjg", "对销售不合格产品的行政处罚", "处罚"),
    ("scjg", "对虚假宣传的行政处罚", "处罚"),
    ("scjg", "对未按规定公示年度报告的行政处罚", "处罚"),
    ("scjg", "查封、扣押不符合食品安全标准的食品", "强制"),
    (
        "scjg",
        "查封、扣押有证据证明不符合安全技术规范要求的特种设备",
        "强制",
    ),
    ("yjgl", "对生产经营单位安全生产条件的行政检查", "检查"),
    ("yjgl", "对危险化学品经营单位的行政检查", "检查"),
    ("yjgl", "对未按规定开展安全生产教育和培训的行政处罚", "处罚"),
    (
        "yjgl",
        "对未如实记录安全生产教育和培训情况的行政处罚",
        "处罚",
    ),
    (
        "yjgl",
        "查封、扣押不符合保障安全生产的国家标准的设施设备",
        "强制",
    ),
    ("cgzf", "对违法建设的行政检查", "检查"),
    ("cgzf", "对占道经营的行政检查", "检查"),
    ("cgzf", "对未经批准擅自设置户外广告的行政处罚", "处罚"),
    ("cgzf", "对违法建设的行政处罚", "处罚"),
    ("cgzf", "对乱倒建筑垃圾的行政处罚", "处罚"),
    ("cgzf", "强制拆除违法建筑物", "强制"),
    ("cgzf", "扣押占道经营物品", "强制"),
    ("sthj", "对排污单位的现场检查", "检查"),
    ("sthj", "对建设项目环境保护设施的行政检查", "检查"),
    ("sthj", "对超标排放大气污染物的行政处罚", "处罚"),
    ("sthj", "对未批先建的行政处罚", "处罚"),
    ("sthj", "查封、扣押造成污染物排放的设施设备", "强制"),
    ("jtys", "对道路运输经营者的行政检查", "检查"),
    ("jtys", "对超限运输车辆的行政检查", "检查"),
    (
        "jtys",
        "对未取得道路运输经营许可擅自从事道路运输经营的行政处罚",
        "处罚",
    ),
    ("jtys", "对擅自超限运输的行政处罚", "处罚"),
    ("jtys", "暂扣未取得道路运输证的车辆", "强制"),
    ("wsjk", "对医疗机构执业活动的监督检查", "检查"),
    ("wsjk", "对公共场所卫生的监督检查", "检查"),
    (
        "wsjk",
        "对未取得医疗机构执业许可证擅自执业的行政处罚",
        "处罚",
    ),
    ("wsjk", "对公共场所卫生质量不符合标准的行政处罚", "处罚"),
    ("wsjk", "封闭被传染病病原体污染的公共饮用水源", "强制"),
];

pub const SURNAMES: &[&str] = &[
    "陈", "李", "黄", "张", "梁", "刘", "林", "何", "罗", "邓", "冯", "朱", "钟", "赖", "郑", "叶",
    "吴", "周", "谢", "徐", "曾", "杨", "潘", "邱", "黎", "卢", "蔡", "温", "丘", "莫",
];

pub const GIVEN: &[&str] = &[
    "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超",
    "秀英", "华", "平", "刚", "桂英", "志强", "建华", "永红", "国平", "晓东", "海燕", "少华",
    "锦辉", "嘉欣", "梓涵", "俊杰", "惠玲", "振东", "文杰", "淑仪",
];

pub const TRADE_NAMES: &[&str] = &[
    "北江",
    "飞来峡",
    "笔架山",
    "英红",
    "连江",
    "瑶安",
    "天湖",
    "宝晶",
    "禾云",
    "清泉",
    "凤城",
    "石角",
    "龙塘",
    "太和",
    "源潭",
    "洲心",
    "浸潭",
    "沙河",
    "鱼坝",
    "黄花",
    "九龙",
    "英西",
    "岭南",
    "粤北",
    "嘉和",
    "恒通",
    "广源",
    "德信",
    "顺达",
    "盛世",
    "鸿运",
    "金辉",
];

/// (industry words, USCC organisation category under 9 = 市场监管 registration).
pub const INDUSTRIES: &[&str] = &[
    "食品",
    "餐饮管理",
    "建材",
    "化工",
    "运输",
    "物流",
    "医药",
    "电子",
    "农业科技",
    "机械设备",
    "水泥",
    "陶瓷",
    "纺织",
    "酒店管理",
    "商贸",
    "环保科技",
    "建筑工程",
    "再生资源",
];

pub const STREETS: &[&str] = &[
    "北江路",
    "先锋路",
    "人民路",
    "连江路",
    "凤城大道",
    "银盏路",
    "桥北路",
    "和平路",
    "建设路",
    "府前路",
    "振兴路",
    "工业大道",
];
