-- A supervisor's decision on a task's status, overriding the analysis's suggestion.
-- Every decision is kept; the latest per task is in force. The suggestion itself is
-- computed from the text each time and never stored, so it stays visible beside it.
CREATE TABLE status_overrides (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('done', 'in_progress', 'lagging', 'blocked', 'not_started', 'unknown')),
    reason TEXT NOT NULL,
    author_id BIGINT NOT NULL REFERENCES users (id),
    at TEXT NOT NULL
);

CREATE INDEX status_overrides_task ON status_overrides (task_id, id);
