-- What dispatchers teach routing. A label is the unit a dispatcher finally sent an item to by
-- hand (re-routing the router's choice, re-assigning after a return, or assigning from the
-- queue): one per complaint, the last one winning. The message itself stays in the complaint
-- row; reading examples masks it there.
CREATE TABLE routing_labels (
    complaint_id TEXT PRIMARY KEY,
    department   TEXT,
    unit_id      TEXT NOT NULL,
    routed_unit  TEXT,
    source       TEXT NOT NULL,
    labelled_by  TEXT NOT NULL,
    labelled_at  TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Each trained model (jiandu complaints route-model train): the newest is the one in use.
CREATE TABLE routing_models (
    model_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    trained_at TEXT NOT NULL,
    examples   BIGINT NOT NULL,
    body       TEXT NOT NULL
);
