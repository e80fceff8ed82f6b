-- Where each record came from: the batch (file, time) and the row of the file, for every
-- import that inserted or changed it. An unchanged re-import adds nothing (idempotence).
CREATE TABLE record_imports (
    record_id  TEXT NOT NULL,
    batch_id   INTEGER NOT NULL,
    place      TEXT NOT NULL,
    change     TEXT NOT NULL,
    PRIMARY KEY (record_id, batch_id)
);

-- A rejected push or file row is kept once: the same body refused for the same reason
-- from the same source again is the same reject.
ALTER TABLE intake_rejects ADD COLUMN body_hash TEXT;
CREATE UNIQUE INDEX intake_rejects_once ON intake_rejects (source, reason, body_hash);

CREATE INDEX records_unit ON records (unit_id);
