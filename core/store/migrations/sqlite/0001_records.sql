-- Records, reference data and import batches (SQLite).
-- Dates are TEXT 'YYYY-MM-DD'; moments are TEXT RFC 3339 in +08:00, so text order is time order.

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('record_revision', 0);

CREATE TABLE records (
    record_id    TEXT PRIMARY KEY,
    record_type  TEXT NOT NULL,
    act_date     TEXT,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision     INTEGER NOT NULL,
    source       TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX records_revision ON records (revision);
CREATE INDEX records_type_date ON records (record_type, act_date);

CREATE TABLE units (
    unit_id      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE officers (
    cert_no      TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE parties (
    party_id     TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE items (
    item_code    TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE import_batches (
    batch_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    n_rows     INTEGER NOT NULL,
    n_inserted INTEGER NOT NULL,
    n_updated  INTEGER NOT NULL,
    n_unchanged INTEGER NOT NULL,
    n_rejected INTEGER NOT NULL,
    at         TEXT NOT NULL
);
