//! The pages in a real browser: Debian's chromium driven through chromedriver (WebDriver,
//! fantoccini) against `jiandu serve` on loopback. A dispatcher assigns a complaint, the unit
//! signs for it and returns it with a reason, legal staff confirm a finding with a reason,
//! and another unit cannot open the complaint; each step checks the page and the database.
//! Screenshots land in `target/screenshots/`.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use jiandu_model::{ComplaintState, FindingStatus};
use jiandu_store::{ComplaintFilter, FindingFilter, Store};
use serde_json::json;

use crate::support::db::{in_ci, notice};
use crate::support::demo_copy;
use crate::support::http::Server;
use crate::support::smtp::free_port;
use crate::web::screenshot_dir;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_driver() -> Option<(Driver, u16)> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        assert!(
            !in_ci(),
            "{CHROMEDRIVER} is missing: .ci/run installs chromium and chromium-driver"
        );
        notice(
            "browser test skipped: no chromedriver (apt-get install chromium chromium-driver fonts-noto-cjk)",
        );
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver does not listen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((driver, port))
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1366,900", "--lang=zh-CN"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a browser session")
}

async fn text(client: &Client) -> String {
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Waits until the element `css` shows `needle` (after a form, the new page has loaded).
async fn wait_text(client: &Client, css: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Ok(shown) = element.text().await
            && shown.contains(needle)
        {
            return shown;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{css} never showed {needle}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn login(client: &Client, base: &str, user: &str) {
    client.goto(&format!("{base}/login")).await.unwrap();
    client
        .find(Locator::Css("input[name=username]"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    client
        .find(Locator::Css("input[name=password]"))
        .await
        .unwrap()
        .send_keys(&format!("demo-{user}"))
        .await
        .unwrap();
    client
        .find(Locator::Css("form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "header.top .who", user).await;
}

async fn logout(client: &Client) {
    client
        .find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(client, "main.card h1", "jiandu").await;
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), png).unwrap();
}

/// Draws two different Chinese words in the page's own font: when no CJK font is there,
/// both become the same missing-glyph boxes and their pixels are equal.
const GLYPHS_DIFFER: &str = r#"
const font = getComputedStyle(document.body).fontFamily;
const draw = (t) => { const c = document.createElement('canvas'); c.width = 120; c.height = 40;
  const g = c.getContext('2d'); g.font = '24px ' + font; g.fillText(t, 2, 30);
  return Array.from(g.getImageData(0, 0, 120, 40).data).join(','); };
return draw('投诉') !== draw('举报') && draw('投诉') !== draw('');
"#;

async fn state_of(
    url: &str,
    task: &str,
) -> (
    ComplaintState,
    Option<String>,
    Vec<(String, Option<String>)>,
) {
    let store = Store::open(url).await.unwrap();
    let row = store.complaint_by_task(task).await.unwrap().unwrap();
    let events = store.complaint_events(&row.complaint_id).await.unwrap();
    store.close().await;
    (
        row.state,
        row.unit_id,
        events
            .into_iter()
            .map(|e| (e.action.as_str().to_owned(), e.reason))
            .collect(),
    )
}

#[test]
fn a_complaint_and_a_finding_are_handled_in_a_real_browser() {
    let Some((_driver, port)) = start_driver() else {
        return;
    };
    let (_dir, url) = demo_copy();
    let server = Server::start(&url, &[], &[]);
    let base = format!("http://{}", server.addr);
    crate::support::block_on(async {
        let store = Store::open(&url).await.unwrap();
        let units = store.list_users().await.unwrap();
        let unit = units
            .iter()
            .find(|u| u.name.as_str() == "unit")
            .unwrap()
            .role
            .unit()
            .unwrap()
            .to_owned();
        let task = store
            .list_complaints(&ComplaintFilter {
                state: Some(ComplaintState::Received),
                ..Default::default()
            })
            .await
            .unwrap()
            .first()
            .unwrap()
            .task_no
            .clone();
        let finding = store
            .list_findings(&FindingFilter {
                status: Some(FindingStatus::Open),
                outcome: Some(jiandu_model::Outcome::Violation),
                limit: Some(1),
                ..Default::default()
            })
            .await
            .unwrap()
            .remove(0);
        store.close().await;

        let client = browser(port).await;
        // The dispatcher: the dashboard, the queue in Chinese, and an assignment.
        login(&client, &base, "dispatcher").await;
        assert!(text(&client).await.contains("已逾期 Overdue"));
        screenshot(&client, "dashboard-dispatcher.png").await;
        client
            .goto(&format!("{base}/complaints?queue=1"))
            .await
            .unwrap();
        let queue = text(&client).await;
        assert!(queue.contains("待派单") && queue.contains(&task), "{queue}");
        let rendered = client.execute(GLYPHS_DIFFER, vec![]).await.unwrap();
        assert_eq!(
            rendered,
            json!(true),
            "Chinese text is drawn with a CJK font, not boxes"
        );
        screenshot(&client, "complaints-dispatcher.png").await;
        client
            .goto(&format!("{base}/complaints/{task}"))
            .await
            .unwrap();
        client
            .find(Locator::Css(
                "form[data-action=assign] select[name=to_unit]",
            ))
            .await
            .unwrap()
            .select_by_value(&unit)
            .await
            .unwrap();
        client
            .find(Locator::Css("form[data-action=assign] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_text(&client, "#state", "已派单").await;
        let (db_state, db_unit, _) = state_of(&url, &task).await;
        assert_eq!(
            (db_state, db_unit.as_deref()),
            (ComplaintState::Assigned, Some(unit.as_str()))
        );
        screenshot(&client, "complaint-assigned.png").await;
        logout(&client).await;

        // The unit signs for it, then returns it with a reason (the page asks to confirm).
        login(&client, &base, "unit").await;
        client
            .goto(&format!("{base}/complaints/{task}"))
            .await
            .unwrap();
        client
            .find(Locator::Css("form[data-action=acknowledge] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_text(&client, "#state", "已签收").await;
        assert_eq!(state_of(&url, &task).await.0, ComplaintState::Acknowledged);
        client
            .find(Locator::Css("form[data-action=return] input[name=reason]"))
            .await
            .unwrap()
            .send_keys("不属于本单位职责，应由市场监管部门处理")
            .await
            .unwrap();
        client
            .find(Locator::Css("form[data-action=return] button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        client.accept_alert().await.unwrap();
        wait_text(&client, "#state", "已退回").await;
        let (db_state, _, events) = state_of(&url, &task).await;
        assert_eq!(db_state, ComplaintState::Returned);
        assert_eq!(
            events.last(),
            Some(&(
                "return".to_owned(),
                Some("不属于本单位职责，应由市场监管部门处理".to_owned())
            ))
        );
        logout(&client).await;

        // Legal staff confirm a finding on its record's page, with a reason.
        login(&client, &base, "legal").await;
        client
            .goto(&format!("{base}/records/{}", finding.record_id))
            .await
            .unwrap();
        let form = format!("form[action='/findings/{}/status']", finding.finding_id);
        client
            .find(Locator::Css(&format!("{form} select[name=status]")))
            .await
            .unwrap()
            .select_by_value("confirmed")
            .await
            .unwrap();
        client
            .find(Locator::Css(&format!("{form} input[name=reason]")))
            .await
            .unwrap()
            .send_keys("经核查案卷，超期属实")
            .await
            .unwrap();
        client
            .find(Locator::Css(&format!("{form} button")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_text(
            &client,
            &format!("#finding-{} .status", finding.finding_id),
            FindingStatus::Confirmed.chinese(),
        )
        .await;
        let page = text(&client).await;
        assert!(
            page.contains("判断过程 Explain trace") && page.contains(&finding.rule_id),
            "{page}"
        );
        screenshot(&client, "record-legal.png").await;
        let stored = {
            let store = Store::open(&url).await.unwrap();
            let f = store
                .get_finding(finding.finding_id)
                .await
                .unwrap()
                .unwrap();
            store.close().await;
            f
        };
        assert_eq!(stored.status, FindingStatus::Confirmed);
        assert_eq!(
            stored.status_reason.as_deref(),
            Some("经核查案卷，超期属实")
        );
        // The finding's case with its graph drawn, the rule with its cases passing, the gaps.
        let case_id = stored
            .case_id
            .expect("a violation belongs to its unit's case");
        client
            .goto(&format!("{base}/cases/{case_id}"))
            .await
            .unwrap();
        let svg = client
            .find(Locator::Css(".graph svg"))
            .await
            .unwrap()
            .html(false)
            .await
            .unwrap();
        for node in [
            format!("case:{case_id}"),
            format!("finding:{}", finding.finding_id),
        ] {
            assert!(svg.contains(&node), "the case's graph draws {node}");
        }
        screenshot(&client, "case-legal.png").await;
        client
            .goto(&format!("{base}/rules/{}", finding.rule_id))
            .await
            .unwrap();
        let page = text(&client).await;
        assert!(
            page.contains("通过 pass") && !page.contains("失败 fail"),
            "{page}"
        );
        screenshot(&client, "rule-legal.png").await;
        client.goto(&format!("{base}/gaps?by=field")).await.unwrap();
        assert!(text(&client).await.contains("记录数 Records"));
        // A report from the menu, drawn: its charts take space, its warning names the unit
        // that stopped sending.
        client.goto(&format!("{base}/reports")).await.unwrap();
        assert!(text(&client).await.contains("监管行为数据覆盖与归集预警"));
        client
            .goto(&format!(
                "{base}/reports/coverage?from=2026-01-01&to=2026-06-30"
            ))
            .await
            .unwrap();
        let page = text(&client).await;
        assert!(page.contains("预警 Early warnings") && page.contains("英德市市场监督管理局"));
        let (_, _, width, height) = client
            .find(Locator::Css("figure.chart svg"))
            .await
            .unwrap()
            .rectangle()
            .await
            .unwrap();
        assert!(
            width > 400.0 && height > 200.0,
            "the chart is drawn: {width}×{height}"
        );
        screenshot(&client, "report-coverage.png").await;
        // Back to the site from the report, and out.
        client
            .find(Locator::Css("nav.back a[href='/reports']"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_text(&client, "main", "报表与页面").await;
        logout(&client).await;

        // Another unit cannot open the complaint.
        login(&client, &base, "unit2").await;
        client
            .goto(&format!("{base}/complaints/{task}"))
            .await
            .unwrap();
        let page = text(&client).await;
        assert!(page.contains("404") && page.contains("未找到"), "{page}");
        assert!(!page.contains("不属于本单位职责"), "{page}");
        assert_eq!(state_of(&url, &task).await.0, ComplaintState::Returned);
        client.close().await.unwrap();
    });
}
