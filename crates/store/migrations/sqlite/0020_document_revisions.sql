-- Per-document revisions (issue 13): the dashboard's figures — the 预警 facts, who
-- missed which deadline, the rankings' counts — are kept per document and recomputed
-- only for the documents a write touched, instead of everything after any write.
--
-- Each document's number grows with every committed change to its rows or to rows
-- under it (tasks and their states, units, assignments and 审定; rounds and their
-- reports; 催办 and their first reads); document 0 stands for the unit directory,
-- which every document's figures name. Rows are never deleted, so a number never
-- repeats for an id, even one SQLite gives again. `slot` is PostgreSQL's write slot
-- (0012); SQLite has one writer and uses slot 0.
CREATE TABLE document_revisions (
    document_id BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (document_id, slot)
);
INSERT INTO document_revisions (document_id, slot, n) SELECT id, 0, 1 FROM documents;
INSERT INTO document_revisions (document_id, slot, n) VALUES (0, 0, 1);

CREATE TRIGGER revision_documents_insert AFTER INSERT ON documents
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_documents_update AFTER UPDATE ON documents
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_documents_delete AFTER DELETE ON documents
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

-- Rows that name their document.
CREATE TRIGGER revision_tasks_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_tasks_update AFTER UPDATE ON tasks
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_tasks_delete AFTER DELETE ON tasks
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_rounds_insert AFTER INSERT ON rounds
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_rounds_update AFTER UPDATE ON rounds
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_rounds_delete AFTER DELETE ON rounds
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_reminders_insert AFTER INSERT ON reminders
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (NEW.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_reminders_delete AFTER DELETE ON reminders
BEGIN
    INSERT INTO document_revisions (document_id, slot, n) VALUES (OLD.document_id, 0, 1)
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

-- Rows under a task: their task names the document. (A row deleted with its task
-- finds no task; the task's own deletion moved the number.)
CREATE TRIGGER revision_task_states_insert AFTER INSERT ON task_states
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_task_states_update AFTER UPDATE ON task_states
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_task_states_delete AFTER DELETE ON task_states
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_task_units_insert AFTER INSERT ON task_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_task_units_update AFTER UPDATE ON task_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_task_units_delete AFTER DELETE ON task_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_assignments_insert AFTER INSERT ON assignments
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_assignments_update AFTER UPDATE ON assignments
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_assignments_delete AFTER DELETE ON assignments
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_status_overrides_insert AFTER INSERT ON status_overrides
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_status_overrides_delete AFTER DELETE ON status_overrides
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER revision_reports_insert AFTER INSERT ON reports
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_reports_update AFTER UPDATE ON reports
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_reports_delete AFTER DELETE ON reports
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

-- A 催办's first read turns its tasks' light off: its reminder names the document.
CREATE TRIGGER revision_reminder_reads AFTER UPDATE OF read_at ON reminder_deliveries
WHEN OLD.read_at IS NOT NEW.read_at
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM reminders WHERE id = NEW.reminder_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;

-- The unit directory: document 0.
CREATE TRIGGER revision_units_insert AFTER INSERT ON units
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
CREATE TRIGGER revision_units_update AFTER UPDATE ON units
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
CREATE TRIGGER revision_units_delete AFTER DELETE ON units
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
CREATE TRIGGER revision_unit_aliases_insert AFTER INSERT ON unit_aliases
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
CREATE TRIGGER revision_unit_aliases_update AFTER UPDATE ON unit_aliases
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
CREATE TRIGGER revision_unit_aliases_delete AFTER DELETE ON unit_aliases
BEGIN UPDATE document_revisions SET n = n + 1 WHERE document_id = 0 AND slot = 0; END;
