-- The supervision workflow: accounts, sessions, login throttling, reporting rounds
-- and the reports units write in them. Same portability rules as 0001.
--
-- Timestamps here are compared as text (`expires_at > $2`), so every one is written
-- in the same fixed-width form: RFC 3339, UTC, nine fractional digits, `Z`
-- (`2024-10-15T08:30:00.000000000Z`); text order is then time order.

-- An account. `role` is the Role code; reporters and unit heads belong to one unit,
-- the office's accounts and leaders to none. `password_hash` is an argon2id PHC string.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role IN ('admin', 'supervisor', 'reporter', 'unit_head', 'leader')),
    unit_id BIGINT REFERENCES units (id),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((role IN ('reporter', 'unit_head') AND unit_id IS NOT NULL)
        OR (role NOT IN ('reporter', 'unit_head') AND unit_id IS NULL))
);
CREATE INDEX users_unit ON users (unit_id);

-- A login session. Only the SHA-256 (hex) of the cookie's token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failed logins, kept in the database so every app server sees them. `username` is
-- what was typed (trimmed, lower-cased), which need not be an account.
CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- Rounds are of two kinds: the one round of progress an imported notice carries
-- ('imported': label '通报所载进展', `date` the notice's date, progress in
-- `progress_reports`), and rounds the office opens for units to report in
-- ('reporting': label the period such as '1-9月', a due date, reports in `reports`).
ALTER TABLE rounds ADD COLUMN kind TEXT NOT NULL DEFAULT 'imported'
    CHECK (kind IN ('imported', 'reporting'));
ALTER TABLE rounds ADD COLUMN due TEXT;
ALTER TABLE rounds ADD COLUMN opened_by BIGINT REFERENCES users (id);
ALTER TABLE rounds ADD COLUMN opened_at TEXT;
ALTER TABLE rounds ADD COLUMN closed_at TEXT;
CREATE INDEX rounds_kind ON rounds (kind, document_id);

-- One unit's report on one task in one reporting round. `position` orders the
-- task's units (task leads in cell order, then sub-item leads). Text is RichText as
-- JSON plus its plain text; `state` is the ReportState code.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    position BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('not_started', 'draft', 'submitted',
        'unit_approved', 'returned', 'accepted')),
    text_json TEXT NOT NULL,
    text_plain TEXT NOT NULL,
    percent BIGINT CHECK (percent BETWEEN 0 AND 100),
    updated_at TEXT,
    submitted_at TEXT,
    UNIQUE (round_id, task_id, unit_id)
);
CREATE INDEX reports_task_unit ON reports (task_id, unit_id);
CREATE INDEX reports_unit ON reports (unit_id, state);
CREATE INDEX reports_state ON reports (state);

-- Every step taken on a report, in order (`id`). `actor_role` is the actor's role at
-- the time; `action` the ReportAction code, `from_state`/`to_state` ReportState codes.
CREATE TABLE report_events (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX report_events_report ON report_events (report_id, id);
