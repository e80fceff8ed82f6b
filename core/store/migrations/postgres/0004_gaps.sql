-- What the rules could not judge. `unknown` and `error` are not findings: a record and a
-- rule that could not be judged is one row here, replaced each time the record is judged,
-- naming the field not recorded (or, without one, the reason). No audit events: a gap is
-- not a decision about anyone.

CREATE TABLE gaps (
    record_id  TEXT NOT NULL,
    rule_id    TEXT NOT NULL,
    outcome    TEXT NOT NULL,                -- unknown | error
    field      TEXT,                         -- the field not recorded, when one is named
    reason     TEXT,                         -- the message, when no field says it
    sweep_id   BIGINT NOT NULL,                -- the sweep that last judged the record
    PRIMARY KEY (record_id, rule_id)
);
CREATE INDEX gaps_rule ON gaps (rule_id);
CREATE INDEX gaps_field ON gaps (field);
CREATE INDEX gaps_sweep ON gaps (sweep_id, outcome);

-- Findings stored as unknown or error before this change: the next sweep records them as
-- gaps. Only violations and warnings are ever attached to a case, so no case loses one;
-- the audit log keeps the events that created them.
DELETE FROM findings WHERE outcome IN ('unknown', 'error');
