-- Which records went to the provincial centre in a behaviour-data export (jiandu export
-- behaviour), and when first: the coverage report's timeliness counts working days from the
-- act to the first export. A re-export keeps the first date and updates the last.
CREATE TABLE behaviour_exports (
    record_id         TEXT PRIMARY KEY,
    content_hash      TEXT NOT NULL,
    first_exported_at TEXT NOT NULL,
    last_exported_at  TEXT NOT NULL
);
