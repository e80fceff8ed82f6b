-- Sweeps, findings, supervision cases and the hash-chained audit log (PostgreSQL).

-- Keys that cross-record rules look up, filled from the body on import (keys_filled = 1).
ALTER TABLE records ADD COLUMN act_id TEXT;
ALTER TABLE records ADD COLUMN party_key TEXT;
ALTER TABLE records ADD COLUMN agency_key TEXT;
ALTER TABLE records ADD COLUMN check_action_code TEXT;
ALTER TABLE records ADD COLUMN unit_id TEXT;
ALTER TABLE records ADD COLUMN keys_filled BIGINT NOT NULL DEFAULT 0;
CREATE INDEX records_act_id ON records (act_id);
CREATE INDEX records_party_agency ON records (party_key, agency_key);
CREATE INDEX records_check_action_code ON records (check_action_code);

CREATE TABLE sweeps (
    sweep_id       BIGSERIAL PRIMARY KEY,
    status         TEXT NOT NULL,            -- running | completed
    full_sweep     BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    ruleset_hash   TEXT NOT NULL,
    from_revision  BIGINT NOT NULL,
    to_revision    BIGINT NOT NULL,
    n_records      BIGINT NOT NULL,
    n_batches      BIGINT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT
);

CREATE TABLE sweep_batches (
    sweep_id      BIGINT NOT NULL,
    batch_no      BIGINT NOT NULL,
    record_ids    TEXT NOT NULL,             -- JSON array
    status        TEXT NOT NULL,             -- pending | done
    done_by       TEXT,
    done_at       TEXT,
    n_records     BIGINT NOT NULL DEFAULT 0,
    n_evaluations BIGINT NOT NULL DEFAULT 0,
    n_new         BIGINT NOT NULL DEFAULT 0,
    n_reopened    BIGINT NOT NULL DEFAULT 0,
    n_resolved    BIGINT NOT NULL DEFAULT 0,
    n_unchanged   BIGINT NOT NULL DEFAULT 0,
    n_errors      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sweep_id, batch_no)
);

CREATE TABLE findings (
    finding_id      BIGSERIAL PRIMARY KEY,
    record_id       TEXT NOT NULL,
    rule_id         TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    version         TEXT,
    basis           TEXT,
    message         TEXT NOT NULL,
    message_en      TEXT NOT NULL,
    evidence        TEXT NOT NULL,
    act_date        TEXT,
    unit_id         TEXT,
    status          TEXT NOT NULL,           -- open | confirmed | dismissed | rectified | resolved_by_data
    status_reason   TEXT,
    status_before_resolution TEXT,
    case_id         BIGINT,
    first_seen_at   TEXT NOT NULL,
    last_seen_at    TEXT NOT NULL,
    first_sweep_id  BIGINT NOT NULL,
    last_sweep_id   BIGINT NOT NULL,
    resolved_at     TEXT,
    UNIQUE (record_id, rule_id)
);
CREATE INDEX findings_status ON findings (status);
CREATE INDEX findings_unit ON findings (unit_id);
CREATE INDEX findings_rule ON findings (rule_id);
CREATE INDEX findings_case ON findings (case_id);

CREATE TABLE cases (
    case_id     BIGSERIAL PRIMARY KEY,
    unit_id     TEXT NOT NULL,
    state       TEXT NOT NULL,               -- open | notified | rectifying | closed
    opened_at   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    closed_at   TEXT,
    note        TEXT
);
CREATE INDEX cases_unit_state ON cases (unit_id, state);

-- Every state change of a finding, case or complaint, hash-chained: each entry's hash covers
-- its content and the previous entry's hash, so an edited or deleted entry breaks the chain.
CREATE TABLE audit_events (
    event_id    BIGINT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entity      TEXT NOT NULL,               -- finding | case | complaint | …
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    details     TEXT NOT NULL,               -- JSON
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit_events (entity, entity_id);

-- The head of the chain: one row, updated in the same transaction as the events it covers,
-- so concurrent writers append one after another.
CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY,
    last_id   BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
