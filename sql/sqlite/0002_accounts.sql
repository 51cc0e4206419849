-- 0002_accounts: readers, sessions, remember-me series, resets, SMS codes, throttling,
-- audit log, and the outbox of mail and SMS drivers.
CREATE TABLE user (
    id          INTEGER PRIMARY KEY,
    email       TEXT UNIQUE COLLATE NOCASE,
    username    TEXT UNIQUE COLLATE NOCASE,
    pw_hash     TEXT,
    phone       TEXT UNIQUE,            -- +86 and 11 digits, e.g. +8613812345678
    role        TEXT NOT NULL DEFAULT 'reader' CHECK (role IN ('reader', 'editor', 'admin')),
    agreed_version TEXT,
    agreed_at   INTEGER,
    font_size   INTEGER,                -- 1..5, NULL: not set
    rate        REAL,                   -- playback speed, NULL: not set
    created     INTEGER NOT NULL
) STRICT;

CREATE TABLE session (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,    -- BLAKE2b of the cookie token; the token is never stored
    created    INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    expires    INTEGER NOT NULL,
    series     TEXT,                    -- the remember-me series that created it, if any
    user_agent TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX session_user ON session(user_id);

CREATE TABLE remember (
    selector      TEXT PRIMARY KEY,     -- public half of the cookie
    user_id       INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    verifier_hash BLOB NOT NULL,        -- hash of the secret half
    created       INTEGER NOT NULL,
    expires       INTEGER NOT NULL,
    user_agent    TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX remember_user ON remember(user_id);

CREATE TABLE reset_token (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    expires    INTEGER NOT NULL,
    used       INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE sms_code (
    phone     TEXT PRIMARY KEY,
    code_hash BLOB NOT NULL,
    expires   INTEGER NOT NULL,
    attempts  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One row per event that rate limits count: SMS sends, failed sign-ins.
CREATE TABLE rate_event (
    key TEXT NOT NULL,                  -- e.g. "sms:+86138...", "sms-ip:127.0.0.1", "login:alice"
    at  INTEGER NOT NULL
) STRICT;
CREATE INDEX rate_event_key ON rate_event(key, at);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER REFERENCES user(id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    event   TEXT NOT NULL,
    ip      TEXT NOT NULL DEFAULT '',
    detail  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_user ON audit(user_id, at DESC);

CREATE TABLE outbox (
    id      INTEGER PRIMARY KEY,
    kind    TEXT NOT NULL CHECK (kind IN ('mail', 'sms')),
    rcpt    TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    body    TEXT NOT NULL,
    at      INTEGER NOT NULL
) STRICT;
