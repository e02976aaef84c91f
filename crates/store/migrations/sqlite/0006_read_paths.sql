-- Read paths of the task list (issue 4): report counts per round kept up to date by
-- triggers instead of counted over every report on each request, and a generation
-- number that every change to what the task list shows increments, so a page computed
-- earlier can be reused while the number has not moved. Same portability rules as
-- 0001; the PostgreSQL folder gets the same tables and equivalent trigger functions.

-- How many reports of a round are in each state (ReportState code). Kept by the
-- triggers on `reports` below, in the transaction that changes a report, whoever
-- writes it. Rows whose count went back to 0 may stay.
CREATE TABLE round_counts (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, state)
);
INSERT INTO round_counts (round_id, state, n)
    SELECT round_id, state, COUNT(*) FROM reports GROUP BY round_id, state;

CREATE TRIGGER round_counts_insert AFTER INSERT ON reports
BEGIN
    INSERT INTO round_counts (round_id, state, n) VALUES (NEW.round_id, NEW.state, 1)
        ON CONFLICT (round_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER round_counts_update AFTER UPDATE OF state, round_id ON reports
WHEN OLD.state IS NOT NEW.state OR OLD.round_id IS NOT NEW.round_id
BEGIN
    UPDATE round_counts SET n = n - 1 WHERE round_id = OLD.round_id AND state = OLD.state;
    INSERT INTO round_counts (round_id, state, n) VALUES (NEW.round_id, NEW.state, 1)
        ON CONFLICT (round_id, state) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER round_counts_delete AFTER DELETE ON reports
BEGIN
    UPDATE round_counts SET n = n - 1 WHERE round_id = OLD.round_id AND state = OLD.state;
END;

-- One row: a number that grows with every committed change to the data the task list
-- shows (documents, tasks, their units and the unit names and aliases used to filter,
-- task states, rounds, and reports' round, task, unit, position and state — not their
-- text). Readers compare it with the number a cached page was computed at; since the
-- triggers run inside the writing transaction, every writer (another app server, the
-- CLI) moves it.
CREATE TABLE store_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO store_generation (id, n) VALUES (1, 0);

CREATE TRIGGER generation_documents_insert AFTER INSERT ON documents
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_documents_update AFTER UPDATE ON documents
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_documents_delete AFTER DELETE ON documents
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_tasks_insert AFTER INSERT ON tasks
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_tasks_update AFTER UPDATE ON tasks
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_task_units_insert AFTER INSERT ON task_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_task_units_update AFTER UPDATE ON task_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_task_units_delete AFTER DELETE ON task_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_subitem_units_insert AFTER INSERT ON subitem_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_subitem_units_update AFTER UPDATE ON subitem_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_subitem_units_delete AFTER DELETE ON subitem_units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_units_insert AFTER INSERT ON units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_units_update AFTER UPDATE ON units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_units_delete AFTER DELETE ON units
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_unit_aliases_insert AFTER INSERT ON unit_aliases
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_unit_aliases_update AFTER UPDATE ON unit_aliases
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_unit_aliases_delete AFTER DELETE ON unit_aliases
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_task_states_insert AFTER INSERT ON task_states
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_task_states_update AFTER UPDATE ON task_states
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_task_states_delete AFTER DELETE ON task_states
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_rounds_insert AFTER INSERT ON rounds
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_rounds_update AFTER UPDATE ON rounds
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_rounds_delete AFTER DELETE ON rounds
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER generation_reports_insert AFTER INSERT ON reports
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_reports_update
AFTER UPDATE OF round_id, task_id, unit_id, position, state ON reports
WHEN OLD.round_id IS NOT NEW.round_id OR OLD.task_id IS NOT NEW.task_id
    OR OLD.unit_id IS NOT NEW.unit_id OR OLD.position IS NOT NEW.position
    OR OLD.state IS NOT NEW.state
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_reports_delete AFTER DELETE ON reports
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

-- The task list's filter "tasks with a report in this state in the round shown"
-- (`t.id IN (SELECT task_id FROM reports WHERE round_id = ? AND state = ?)`).
CREATE INDEX reports_round_state ON reports (round_id, state, task_id);
