-- Records, reference data and import batches (PostgreSQL).
-- Dates are TEXT 'YYYY-MM-DD'; moments are TEXT RFC 3339 in +08:00, so text order is time order.

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('record_revision', 0);

CREATE TABLE records (
    record_id    TEXT PRIMARY KEY,
    record_type  TEXT NOT NULL,
    act_date     TEXT,
    body         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision     BIGINT NOT NULL,
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
    batch_id   BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    source     TEXT NOT NULL,
    n_rows     BIGINT NOT NULL,
    n_inserted BIGINT NOT NULL,
    n_updated  BIGINT NOT NULL,
    n_unchanged BIGINT NOT NULL,
    n_rejected BIGINT NOT NULL,
    at         TEXT NOT NULL
);
