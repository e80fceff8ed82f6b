-- At most one sweep runs at a time, enforced here rather than by a lock file: a second
-- `INSERT … 'running'` fails on this index while another sweep is running.
CREATE UNIQUE INDEX sweeps_one_running ON sweeps (status) WHERE status = 'running';

-- The look-up keys a record had before an import changed them, with the revision of that
-- change: an incremental sweep re-judges the records linked by the old keys too.
CREATE TABLE record_key_history (
    record_id          TEXT NOT NULL,
    revision           INTEGER NOT NULL,
    act_id             TEXT,
    party_key          TEXT,
    agency_key         TEXT,
    check_action_code  TEXT,
    PRIMARY KEY (record_id, revision)
);
CREATE INDEX record_key_history_revision ON record_key_history (revision);

-- Which findings each gathering added to a case (the audit event carries the ids too).
CREATE TABLE case_findings (
    case_id     INTEGER NOT NULL,
    finding_id  INTEGER NOT NULL,
    added_at    TEXT NOT NULL,
    PRIMARY KEY (case_id, finding_id)
);

-- The outbox lease's fencing token: `mark_sent` succeeds only for the holder of the
-- current lease.
ALTER TABLE outbox ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
