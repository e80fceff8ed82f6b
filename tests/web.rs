//! The pages and the API of `jiandu serve` over a loopback socket, on a copy of the demo:
//! login with its CSRF token and rate limit, every route for every role, unit scoping (404
//! for another unit's items), read-only auditors (403 on POST), API tokens, and the users'
//! store on both backends.

use std::collections::HashMap;
use std::path::PathBuf;

use jiandu_model::{ComplaintState, Role, UserName, clock};
use jiandu_store::{ComplaintFilter, FindingFilter, Store};

use crate::support::http::{Server, exchange};
use crate::support::{block_on, demo_copy, for_each_db, jiandu, run_expect, stdout};

/// A browser's cookies against one server.
pub struct Client<'s> {
    pub server: &'s Server,
    pub cookies: HashMap<String, String>,
}

impl<'s> Client<'s> {
    pub fn new(server: &'s Server) -> Client<'s> {
        Client {
            server,
            cookies: HashMap::new(),
        }
    }

    pub fn send(
        &mut self,
        method: &str,
        path: &str,
        form: Option<&str>,
    ) -> (u16, Vec<(String, String)>, String) {
        let cookie = self.cookie_header();
        let mut headers = vec![("Cookie", cookie.as_str())];
        if form.is_some() {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
        }
        let (status, head, body) = exchange(
            &self.server.addr,
            method,
            path,
            &headers,
            form.unwrap_or("").as_bytes(),
        );
        for (name, value) in &head {
            if name == "set-cookie"
                && let Some((k, v)) = value.split(';').next().and_then(|kv| kv.split_once('='))
            {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        (status, head, body)
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// A JSON POST with the session cookie and, when given, the CSRF token header.
    pub fn send_json(&mut self, path: &str, body: &str, csrf: Option<&str>) -> u16 {
        let cookie = self.cookie_header();
        let mut headers = vec![
            ("Cookie", cookie.as_str()),
            ("Content-Type", "application/json"),
        ];
        if let Some(token) = csrf {
            headers.push(("X-CSRF-Token", token));
        }
        exchange(&self.server.addr, "POST", path, &headers, body.as_bytes()).0
    }

    pub fn get(&mut self, path: &str) -> (u16, String) {
        let (status, _, body) = self.send("GET", path, None);
        (status, body)
    }

    /// The login form's hidden CSRF token.
    pub fn login_token(&mut self) -> String {
        let (status, body) = self.get("/login");
        assert_eq!(status, 200, "{body}");
        hidden(&body, "csrf_token").expect("the login form holds csrf_token")
    }

    pub fn login(&mut self, user: &str, password: &str) -> u16 {
        let token = self.login_token();
        let form = format!("username={user}&password={password}&csrf_token={token}&next=/");
        self.send("POST", "/login", Some(&form)).0
    }

    /// The session's CSRF token, as the pages put it in their forms.
    pub fn csrf(&mut self) -> String {
        let (status, body) = self.get("/api/v1/me");
        assert_eq!(status, 200, "{body}");
        let me: serde_json::Value = serde_json::from_str(&body).unwrap();
        me["csrf_token"].as_str().unwrap().to_owned()
    }
}

/// The value of the hidden input `name` in an HTML page.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    rest.split('"').next().map(str::to_owned)
}

/// Facts of the demo the table needs: complaints, findings, records and cases of the unit
/// user's unit and of another.
struct Items {
    own_task: String,
    other_task: String,
    received_task: String,
    other_finding: i64,
    other_record: String,
    own_record: Option<String>,
    other_case: i64,
}

fn items(url: &str) -> (Items, String) {
    block_on(async {
        let store = Store::open(url).await.unwrap();
        let users = store.list_users().await.unwrap();
        let unit = users
            .iter()
            .find(|u| u.name.as_str() == "unit")
            .and_then(|u| u.role.unit().map(str::to_owned))
            .expect("the demo has a unit user");
        let complaints = store
            .list_complaints(&ComplaintFilter::default())
            .await
            .unwrap();
        let own_task = complaints
            .iter()
            .find(|c| c.unit_id.as_deref() == Some(&unit))
            .unwrap()
            .task_no
            .clone();
        let other_task = complaints
            .iter()
            .find(|c| c.unit_id.is_some() && c.unit_id.as_deref() != Some(&unit))
            .unwrap()
            .task_no
            .clone();
        let received_task = complaints
            .iter()
            .find(|c| c.state == ComplaintState::Received)
            .expect("the demo leaves items to the dispatcher")
            .task_no
            .clone();
        let findings = store
            .list_findings(&FindingFilter::default())
            .await
            .unwrap();
        let other = findings
            .iter()
            .find(|f| f.unit_id.is_some() && f.unit_id.as_deref() != Some(&unit))
            .unwrap();
        let own_record = findings
            .iter()
            .find(|f| f.unit_id.as_deref() == Some(&unit))
            .map(|f| f.record_id.clone());
        let cases = store.list_cases(None, None).await.unwrap();
        let other_case = cases.iter().find(|c| c.unit_id != unit).unwrap().case_id;
        store.close().await;
        (
            Items {
                own_task,
                other_task,
                received_task,
                other_finding: other.finding_id,
                other_record: other.record_id.clone(),
                own_record,
                other_case,
            },
            unit,
        )
    })
}

const ROLES: [&str; 6] = [
    "anonymous",
    "admin",
    "legal",
    "dispatcher",
    "unit",
    "auditor",
];

#[test]
fn every_route_answers_each_role_as_its_scope_allows() {
    let (_dir, url) = demo_copy();
    let (it, unit) = items(&url);
    let server = Server::start(&url, &[], &[]);
    let mut clients: Vec<Client> = ROLES.iter().map(|_| Client::new(&server)).collect();
    for (role, client) in ROLES.iter().zip(clients.iter_mut()).skip(1) {
        assert_eq!(
            client.login(role, &format!("demo-{role}")),
            303,
            "{role} logs in"
        );
    }
    let tokens: Vec<String> = clients
        .iter_mut()
        .enumerate()
        .map(|(i, c)| if i == 0 { String::new() } else { c.csrf() })
        .collect();
    // anonymous, admin, legal, dispatcher, unit, auditor
    let gets: Vec<(String, [u16; 6])> = vec![
        ("/".into(), [303, 200, 200, 200, 200, 200]),
        ("/login".into(), [200, 200, 200, 200, 200, 200]),
        ("/complaints".into(), [303, 200, 200, 200, 200, 200]),
        (
            "/complaints?state=received&queue=1&page=2".into(),
            [303, 200, 200, 200, 200, 200],
        ),
        (
            "/complaints?state=nonsense".into(),
            [303, 400, 400, 400, 400, 400],
        ),
        (
            format!("/complaints/{}", it.own_task),
            [303, 200, 200, 200, 200, 200],
        ),
        (
            format!("/complaints/{}", it.other_task),
            [303, 200, 200, 200, 404, 200],
        ),
        (
            "/complaints/NO-SUCH-TASK".into(),
            [303, 404, 404, 404, 404, 404],
        ),
        (
            format!("/api/v1/complaints/{}", it.other_task),
            [401, 200, 200, 200, 404, 200],
        ),
        (
            format!("/api/v1/complaints/{}", it.own_task),
            [401, 200, 200, 200, 200, 200],
        ),
        ("/api/v1/complaints".into(), [401, 200, 200, 200, 200, 200]),
        ("/findings".into(), [303, 200, 200, 403, 200, 200]),
        (
            "/findings?outcome=violation&status=open".into(),
            [303, 200, 200, 403, 200, 200],
        ),
        (
            format!("/api/v1/findings/{}", it.other_finding),
            [401, 200, 200, 403, 404, 200],
        ),
        (
            format!("/records/{}", it.other_record),
            [303, 200, 200, 403, 404, 200],
        ),
        (
            format!("/api/v1/records/{}", it.other_record),
            [401, 200, 200, 403, 404, 200],
        ),
        ("/cases".into(), [303, 200, 200, 403, 200, 200]),
        (
            format!("/cases/{}", it.other_case),
            [303, 200, 200, 403, 404, 200],
        ),
        (
            format!("/api/v1/cases/{}", it.other_case),
            [401, 200, 200, 403, 404, 200],
        ),
        ("/rules".into(), [303, 200, 200, 200, 200, 200]),
        (
            "/rules/PEN-DEADLINE-90D".into(),
            [303, 200, 200, 200, 200, 200],
        ),
        ("/gaps?by=field".into(), [303, 200, 200, 403, 403, 200]),
        ("/imports".into(), [303, 200, 200, 403, 403, 200]),
        ("/reports".into(), [303, 200, 200, 200, 200, 200]),
        (
            "/reports/units?from=2026-01-01&to=2026-06-30".into(),
            [303, 200, 200, 200, 200, 200],
        ),
        (
            "/reports/complaints?from=2026-01-01&to=2026-06-30&format=csv".into(),
            [303, 200, 200, 200, 403, 200],
        ),
        (
            "/reports/coverage?from=2026-01-01&to=2026-06-30&format=json".into(),
            [303, 200, 200, 403, 403, 200],
        ),
        (
            "/reports/publicity?from=2026-06-01&to=2026-06-30".into(),
            [303, 200, 200, 403, 403, 200],
        ),
        (
            "/reports/sweep?from=2026-06-30&to=2026-01-01".into(),
            [303, 400, 400, 403, 403, 400],
        ),
        ("/reports/nonsense".into(), [303, 404, 404, 404, 404, 404]),
        ("/api/v1/dashboard".into(), [401, 200, 200, 200, 200, 200]),
        (
            "/api/v1/findings?outcome=violation".into(),
            [401, 200, 200, 403, 200, 200],
        ),
        ("/api/v1/cases".into(), [401, 200, 200, 403, 200, 200]),
        ("/api/v1/rules".into(), [401, 200, 200, 200, 200, 200]),
        ("/api/v1/gaps".into(), [401, 200, 200, 403, 403, 200]),
        ("/api/v1/imports".into(), [401, 200, 200, 403, 403, 200]),
        ("/rules/NO-SUCH-RULE".into(), [303, 404, 404, 404, 404, 404]),
        ("/assets/jiandu.css".into(), [200, 200, 200, 200, 200, 200]),
        ("/healthz".into(), [200, 200, 200, 200, 200, 200]),
        ("/api/v1/me".into(), [401, 200, 200, 200, 200, 200]),
    ];
    let mut wrong = Vec::new();
    for (path, expected) in &gets {
        for (i, client) in clients.iter_mut().enumerate() {
            let (status, _) = client.get(path);
            if status != expected[i] {
                wrong.push(format!(
                    "GET {path} as {}: {status}, expected {}",
                    ROLES[i], expected[i]
                ));
            }
        }
    }
    if let Some(own) = &it.own_record {
        let (status, body) = clients[4].get(&format!("/records/{own}"));
        assert_eq!(status, 200, "the unit sees its own record: {body}");
    }
    // POSTs that pass authorisation and then fail on their content, so the table does not
    // depend on its order: 400/422 means the role was let through.
    let posts: Vec<(String, String, [u16; 6])> = vec![
        (
            format!("/complaints/{}/act", it.other_task),
            "action=bogus".into(),
            [303, 400, 403, 400, 404, 403],
        ),
        (
            format!("/findings/{}/status", it.other_finding),
            "reason=".into(),
            [303, 422, 422, 403, 403, 403],
        ),
        (
            format!("/cases/{}/state", it.other_case),
            "note=x".into(),
            [303, 422, 422, 403, 403, 403],
        ),
    ];
    for (path, form, expected) in &posts {
        for (i, client) in clients.iter_mut().enumerate() {
            let form = format!("{form}&csrf_token={}", tokens[i]);
            let (status, _, _) = client.send("POST", path, Some(&form));
            if status != expected[i] {
                wrong.push(format!(
                    "POST {path} as {}: {status}, expected {}",
                    ROLES[i], expected[i]
                ));
            }
            // Without the token, nobody gets through.
            if i > 0 {
                let (status, _, _) = client.send(
                    "POST",
                    path,
                    Some(form.split("&csrf_token").next().unwrap()),
                );
                if status != 403 {
                    wrong.push(format!(
                        "POST {path} as {} without csrf_token: {status}",
                        ROLES[i]
                    ));
                }
            }
        }
    }
    // The API's POSTs take JSON and the session's token in X-CSRF-Token.
    let api_posts: Vec<(String, &str, [u16; 6])> = vec![
        (
            format!("/api/v1/complaints/{}/actions", it.other_task),
            r#"{"action":"bogus"}"#,
            [401, 400, 403, 400, 404, 403],
        ),
        (
            format!("/api/v1/findings/{}/status", it.other_finding),
            r#"{"reason":""}"#,
            [401, 422, 422, 403, 403, 403],
        ),
    ];
    for (path, body, expected) in &api_posts {
        for (i, client) in clients.iter_mut().enumerate() {
            let status = client.send_json(path, body, Some(&tokens[i]));
            if status != expected[i] {
                wrong.push(format!(
                    "POST {path} as {}: {status}, expected {}",
                    ROLES[i], expected[i]
                ));
            }
            if i > 0 && client.send_json(path, body, None) != 403 {
                wrong.push(format!(
                    "POST {path} as {} without X-CSRF-Token is not 403",
                    ROLES[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Everyone may log out, the read-only auditor too.
    let (status, _, _) = clients[5].send(
        "POST",
        "/logout",
        Some(&format!("csrf_token={}", tokens[5])),
    );
    assert_eq!(status, 303);
    assert_eq!(clients[5].get("/").0, 303);

    // The dispatcher's queue lists complaints in Chinese; assigning one is the model's action,
    // audited with the dispatcher as the actor.
    let (status, page) = clients[3].get("/complaints");
    assert_eq!(status, 200);
    assert!(page.contains("投诉") && page.contains("任务编号"), "{page}");
    let form = format!("action=assign&to_unit={unit}&csrf_token={}", tokens[3]);
    let (status, head, body) = clients[3].send(
        "POST",
        &format!("/complaints/{}/act", it.received_task),
        Some(&form),
    );
    assert_eq!(status, 303, "{body}");
    assert!(
        head.iter()
            .any(|(k, v)| k == "location" && v.ends_with(&it.received_task)),
        "{head:?}"
    );
    let (row, audit) = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let row = store
            .complaint_by_task(&it.received_task)
            .await
            .unwrap()
            .unwrap();
        let audit = store
            .audit_events_of("complaint", &row.complaint_id)
            .await
            .unwrap();
        store.close().await;
        (row, audit)
    });
    assert_eq!(row.state, ComplaintState::Assigned);
    assert_eq!(row.unit_id.as_deref(), Some(unit.as_str()));
    assert!(
        audit.last().is_some_and(|e| e.actor.contains("dispatcher")),
        "{audit:?}"
    );

    // A unit's API token sees what the unit's session sees, and needs no CSRF token.
    let output = run_expect(
        jiandu(_dir.path()).args(["--db", &url, "users", "token", "unit"]),
        0,
    );
    let token = stdout(&output).trim().to_owned();
    let bearer = format!("Bearer {token}");
    let api = |method: &str, path: &str, body: &str| {
        exchange(
            &server.addr,
            method,
            path,
            &[
                ("Authorization", bearer.as_str()),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        )
        .0
    };
    assert_eq!(
        api("GET", &format!("/api/v1/complaints/{}", it.other_task), ""),
        404
    );
    assert_eq!(
        api("GET", &format!("/api/v1/complaints/{}", it.own_task), ""),
        200
    );
    assert_eq!(
        api(
            "POST",
            &format!("/api/v1/complaints/{}/actions", it.own_task),
            r#"{"action":"bogus"}"#
        ),
        400
    );
    assert_eq!(
        exchange(
            &server.addr,
            "GET",
            "/api/v1/me",
            &[("Authorization", "Bearer wrong")],
            b""
        )
        .0,
        401
    );
}

#[test]
fn login_needs_its_csrf_token_and_five_failures_lock_the_sixth_attempt() {
    let (_dir, url) = demo_copy();
    let server = Server::start(&url, &[], &[]);
    let mut client = Client::new(&server);
    let token = client.login_token();
    assert_eq!(token.len(), 64);
    // Without the token, or with another one, the form is refused.
    let (status, _, _) = client.send(
        "POST",
        "/login",
        Some("username=dispatcher&password=demo-dispatcher"),
    );
    assert_eq!(status, 403);
    let (status, _, _) = client.send(
        "POST",
        "/login",
        Some(&format!(
            "username=dispatcher&password=demo-dispatcher&csrf_token={}",
            "0".repeat(64)
        )),
    );
    assert_eq!(status, 403);
    for attempt in 1..=5 {
        let form = format!("username=dispatcher&password=wrong-{attempt}&csrf_token={token}");
        let (status, _, body) = client.send("POST", "/login", Some(&form));
        assert_eq!(status, 401, "attempt {attempt}");
        assert!(body.contains("用户名或密码错误"), "{body}");
    }
    // The sixth is refused even with the right password.
    let form = format!("username=dispatcher&password=demo-dispatcher&csrf_token={token}");
    let (status, head, _) = client.send("POST", "/login", Some(&form));
    assert_eq!(status, 429);
    assert!(head.iter().any(|(k, _)| k == "retry-after"), "{head:?}");
    assert!(!client.cookies.contains_key("jiandu_session"));
    // Refused again; a lockout is audited once, not once per attempt.
    let (status, _, _) = client.send("POST", "/login", Some(&form));
    assert_eq!(status, 429);
    let actions: Vec<String> = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let events = store
            .audit_events_of("session", "dispatcher")
            .await
            .unwrap();
        store.close().await;
        events.into_iter().map(|e| e.action).collect()
    });
    assert_eq!(
        actions,
        [
            "login_failed",
            "login_failed",
            "login_failed",
            "login_failed",
            "login_failed",
            "login_refused"
        ]
    );

    // Another server (another address count) lets the right password in, with the cookie's
    // attributes as they must be; logging out ends the session.
    let other = Server::start(&url, &[], &[]);
    let mut client = Client::new(&other);
    let token = client.login_token();
    let form = format!("username=legal&password=demo-legal&csrf_token={token}");
    let (status, head, _) = client.send("POST", "/login", Some(&form));
    assert_eq!(status, 303);
    let cookie = head
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("jiandu_session="))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let session = client.cookies.get("jiandu_session").cloned().unwrap();
    let csrf = client.csrf();
    let (status, _, _) = client.send("POST", "/logout", Some(&format!("csrf_token={csrf}")));
    assert_eq!(status, 303);
    client.cookies.insert("jiandu_session".into(), session);
    assert_eq!(client.get("/").0, 303, "the old session no longer works");
}

#[test]
fn users_are_added_listed_changed_and_disabled_from_the_command_line() {
    let dir = crate::support::temp_dir();
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    let users = |args: &[&str], stdin: Option<&str>, code: i32| {
        let mut command = jiandu(dir.path());
        command.args(["--db", &url, "users"]).args(args);
        if let Some(text) = stdin {
            use std::io::Write;
            let mut child = command
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let output = child.wait_with_output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(code),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let output = run_expect(&mut command, code);
        format!("{}{}", stdout(&output), crate::support::stderr(&output))
    };
    users(
        &["add", "lin", "--role", "legal", "--password-stdin"],
        Some("long enough pw\n"),
        0,
    );
    let refused = users(
        &["add", "lin", "--role", "legal", "--password-stdin"],
        Some("long enough pw\n"),
        2,
    );
    assert!(refused.contains("already a user lin"), "{refused}");
    let short = users(
        &["add", "wu", "--role", "auditor", "--password-stdin"],
        Some("short\n"),
        2,
    );
    assert!(short.contains("at least 8"), "{short}");
    let no_unit = users(
        &["add", "he", "--role", "unit", "--password-stdin"],
        Some("long enough pw\n"),
        2,
    );
    assert!(no_unit.contains("--unit"), "{no_unit}");
    let no_stdin = users(&["passwd", "lin"], None, 2);
    assert!(no_stdin.contains("--password-stdin"), "{no_stdin}");
    users(
        &["passwd", "lin", "--password-stdin"],
        Some("another long pw\n"),
        0,
    );
    users(&["disable", "lin"], None, 0);
    let list = users(&["list"], None, 0);
    assert!(
        list.contains("lin") && list.contains("legal") && list.contains("disabled"),
        "{list}"
    );
    let missing = users(&["disable", "nobody"], None, 2);
    assert!(missing.contains("no user nobody"), "{missing}");
    let events = block_on(async {
        let store = Store::open(&url).await.unwrap();
        let events = store.audit_events_of("user", "lin").await.unwrap();
        store.close().await;
        events.into_iter().map(|e| e.action).collect::<Vec<_>>()
    });
    assert_eq!(events, ["add", "passwd", "disable"]);
}

#[test]
fn the_store_keeps_users_and_sessions_on_both_backends() {
    for_each_db(|db| {
        block_on(async {
            let store = Store::open(&db.url).await.unwrap();
            let name: UserName = "handler".parse().unwrap();
            let role = Role::Unit {
                unit_id: "U-1".into(),
            };
            let now = clock::now();
            let user = store
                .add_user(&name, &role, "$argon2id$x", "test", now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(user.role, role);
            assert!(
                store
                    .add_user(&name, &Role::Legal, "h", "test", now)
                    .await
                    .unwrap()
                    .is_err()
            );
            let (_, hash) = store.user_credentials(&name).await.unwrap().unwrap();
            assert_eq!(hash, "$argon2id$x");
            store
                .create_session("tokenhash", user.user_id, "csrf", now, now.add_seconds(60))
                .await
                .unwrap();
            let session = store.session("tokenhash").await.unwrap().unwrap();
            assert_eq!(
                (session.user.name.as_str(), session.csrf_token.as_str()),
                ("handler", "csrf")
            );
            store
                .set_api_token(&name, Some("apihash"), "test", now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                store
                    .user_by_api_token("apihash")
                    .await
                    .unwrap()
                    .map(|u| u.user_id),
                Some(user.user_id)
            );
            // Disabling ends the sessions and the token at once.
            store
                .set_user_disabled(&name, true, "test", now)
                .await
                .unwrap()
                .unwrap();
            assert!(store.session("tokenhash").await.unwrap().is_none());
            assert!(store.user_by_api_token("apihash").await.unwrap().is_none());
            store
                .set_user_disabled(&name, false, "test", now)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(store.list_users().await.unwrap().len(), 1);
            let ghost: UserName = "ghost".parse().unwrap();
            assert!(
                store
                    .set_password(&ghost, "h", "test", now)
                    .await
                    .unwrap()
                    .is_err()
            );
            assert!(matches!(
                store.verify_audit().await.unwrap(),
                jiandu_store::AuditVerification::Intact { n_events: 4 }
            ));
            store.close().await;
        });
    });
}

/// Where the browser test leaves its screenshots.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

#[test]
fn serve_speaks_https_with_a_certificate_and_marks_its_cookies_secure() {
    let dir = crate::support::temp_dir();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let url = format!("sqlite://{}", dir.path().join("jiandu.db").display());
    let mut child = jiandu(dir.path())
        .args([
            "--db",
            &url,
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-nightly-sweep",
            "--tls-cert",
        ])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let addr = first
        .split("https://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    std::thread::spawn(move || for _ in lines {});
    let output = std::process::Command::new("curl")
        .args(["-sk", "-i", &format!("https://{addr}/login")])
        .output()
        .unwrap();
    let response = String::from_utf8_lossy(&output.stdout).into_owned();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("name=\"csrf_token\""), "{response}");
    let cookie = response
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: jiandu_login_csrf=")
        })
        .unwrap_or_else(|| panic!("{response}"));
    assert!(
        cookie.contains("Secure")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // A certificate that is not there is a clear error, before anything listens.
    let output = run_expect(
        jiandu(dir.path())
            .args([
                "--db",
                &url,
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--tls-cert",
                "missing.pem",
                "--tls-key",
            ])
            .arg(&key),
        2,
    );
    assert!(
        crate::support::stderr(&output).contains("missing.pem"),
        "{}",
        crate::support::stderr(&output)
    );
}
