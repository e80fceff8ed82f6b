-- People who log in to the pages and the API. The password is an argon2 PHC string; an API
-- token and a session token are kept only as their SHA-256, so reading the database gives
-- no credential.
CREATE TABLE users (
    user_id        BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    role           TEXT NOT NULL,
    unit_id        TEXT,
    password_hash  TEXT NOT NULL,
    api_token_hash TEXT UNIQUE,
    disabled       BIGINT NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (user_id),
    csrf_token   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
