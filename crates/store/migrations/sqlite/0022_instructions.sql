-- 领导批示 (issue 16): a leader's written instruction on a task, recorded by the leader
-- or by the office on the leader's behalf (`leader` is who signed it, `recorded_by` who
-- typed it). `signed_on` is the date on the 批示 (YYYY-MM-DD); `recorded_at` an RFC 3339
-- UTC timestamp (the fixed-width form of 0002). `reopened` says the 批示 reopened the
-- closed task (its 重新开启 step is in task_events); `supervise` marks the task for
-- 领导督办 until it is next closed. Same portability rules as 0001.
CREATE TABLE task_instructions (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    leader TEXT NOT NULL,
    text TEXT NOT NULL,
    signed_on TEXT NOT NULL,
    reopened BIGINT NOT NULL CHECK (reopened IN (0, 1)),
    supervise BIGINT NOT NULL CHECK (supervise IN (0, 1)),
    recorded_by BIGINT NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX task_instructions_task ON task_instructions (task_id, id);

CREATE TRIGGER revision_task_instructions_insert AFTER INSERT ON task_instructions
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

-- The dashboard counts the reports of the rounds it shows by unit and state; this
-- covers that count so it reads the index alone (issue 16: every open round).
CREATE INDEX reports_round_unit_state ON reports (round_id, unit_id, state);
