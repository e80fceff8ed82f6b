-- Every command opening the store looks for records whose look-up keys are not filled yet
-- (rows stored before the keys existed): without an index that read the whole table, about a
-- second on a million records. A partial index holds only those rows, so it costs nothing once
-- they are filled.
CREATE INDEX records_keys_unfilled ON records (record_id) WHERE keys_filled = 0;
