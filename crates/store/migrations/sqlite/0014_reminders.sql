-- Reminders (催办) and their deliveries. Same portability rules as 0001; timestamps in
-- the fixed-width form 0002 describes, dates 'YYYY-MM-DD'.

-- Where a unit's reporters and heads receive e-mail reminders; NULL: none.
ALTER TABLE users ADD COLUMN email TEXT;

-- One reminder to one unit about what it owes under one deadline (a document's
-- assignments due on one day, or a reporting round), naming the tasks. An automatic
-- reminder's `reminder_key` names the deadline, the unit and the step
-- (duban_domain::reminder): its uniqueness is what makes several app servers send
-- each automatic reminder once. Manual reminders (人工催办) have no key.
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    reminder_key TEXT UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('ack_due', 'report_due', 'lapse', 'manual')),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    round_id BIGINT REFERENCES rounds (id) ON DELETE CASCADE,
    tasks_json TEXT NOT NULL,
    due TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK ((kind = 'manual') = (reminder_key IS NULL))
);
CREATE INDEX reminders_created ON reminders (created_at);
CREATE INDEX reminders_document ON reminders (document_id);
CREATE INDEX reminders_round ON reminders (round_id);

-- How a reminder reaches people, one row per channel and recipient: 'app' (an in-app
-- notification to `user_id`, sent at once, 'read' with `read_at` once opened), 'email'
-- (to `address`, the recipient's e-mail when the reminder was made) and 'webhook' (the
-- configured work-app robot; no recipient). E-mail and webhook deliveries wait
-- 'pending' until `next_attempt_at`; a server claims one by setting it 'sending' (one
-- more attempt; `next_attempt_at` then is when an unfinished claim may be taken over)
-- and records 'sent', or the error and the next attempt, or 'failed' once every
-- attempt failed. Nothing is deleted.
CREATE TABLE reminder_deliveries (
    id INTEGER PRIMARY KEY,
    reminder_id BIGINT NOT NULL REFERENCES reminders (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('app', 'email', 'webhook')),
    user_id BIGINT REFERENCES users (id),
    address TEXT,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'read')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    sent_at TEXT,
    read_at TEXT,
    CHECK (channel <> 'app' OR user_id IS NOT NULL),
    CHECK (channel <> 'email' OR address IS NOT NULL),
    CHECK (state <> 'read' OR (channel = 'app' AND read_at IS NOT NULL)),
    CHECK (state <> 'failed' OR last_error IS NOT NULL),
    CHECK (state NOT IN ('pending', 'sending') OR next_attempt_at IS NOT NULL)
);
CREATE INDEX reminder_deliveries_reminder ON reminder_deliveries (reminder_id);
CREATE INDEX reminder_deliveries_due ON reminder_deliveries (state, next_attempt_at);
CREATE INDEX reminder_deliveries_user ON reminder_deliveries (user_id, channel, state);
