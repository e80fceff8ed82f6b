-- Complaints and reports from the national platform, their handover events, pushes that could
-- not be read, and the mail outbox (SQLite).

CREATE TABLE complaints (
    complaint_id  TEXT PRIMARY KEY,          -- also the record_id of its mirror record
    task_no       TEXT NOT NULL UNIQUE,      -- the platform's task number: pushes are idempotent on it
    kind          TEXT NOT NULL,             -- complaint | report
    state         TEXT NOT NULL,
    unit_id       TEXT,                      -- the unit the item is with
    escalation    INTEGER NOT NULL DEFAULT 0, -- 0, 1 催办, 2 督办
    received_at   TEXT NOT NULL,
    route_unit    TEXT,                      -- the routing suggestion
    route_reason  TEXT NOT NULL,
    due_date      TEXT,                      -- the next deadline, NULL when nothing is due
    due_kind      TEXT,
    envelope      TEXT NOT NULL,             -- the push as received
    details       TEXT NOT NULL,             -- normalised fields (JSON)
    source        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX complaints_state ON complaints (state);
CREATE INDEX complaints_unit ON complaints (unit_id);
CREATE INDEX complaints_due ON complaints (due_date);

CREATE TABLE complaint_events (
    complaint_id  TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    action        TEXT NOT NULL,
    actor         TEXT NOT NULL,             -- JSON: role, name, unit_id
    unit_id       TEXT,                      -- the acting unit, if a unit acted
    from_unit     TEXT,
    to_unit       TEXT,
    at            TEXT NOT NULL,
    reason        TEXT,
    details       TEXT NOT NULL,             -- JSON: ground, result, suggestion …
    PRIMARY KEY (complaint_id, seq)
);

CREATE TABLE intake_rejects (
    reject_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at   TEXT NOT NULL,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    body          TEXT NOT NULL
);

CREATE TABLE outbox (
    mail_id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key      TEXT NOT NULL UNIQUE,    -- one mail per event or per deadline and day
    kind            TEXT NOT NULL,           -- assignment | return | due_soon | overdue
    complaint_id    TEXT,
    unit_id         TEXT,
    to_addr         TEXT,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    status          TEXT NOT NULL,           -- queued | sent | undeliverable
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until     TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
