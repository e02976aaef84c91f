-- Sealed audit rows waiting to be linked (issue 12; store::audit::link): who acted,
-- when, and the task each change belongs to, kept with the captured row. On SQLite a
-- write transaction links its rows itself before it commits (it holds the database),
-- so rows wait here only in a copy of a PostgreSQL store, whose linker had not yet
-- chained them when the copy was read; the copy links them in the target.
ALTER TABLE audit_pending ADD COLUMN at TEXT;
ALTER TABLE audit_pending ADD COLUMN actor_id BIGINT;
ALTER TABLE audit_pending ADD COLUMN actor TEXT;
ALTER TABLE audit_pending ADD COLUMN address TEXT;
ALTER TABLE audit_pending ADD COLUMN request TEXT;
ALTER TABLE audit_pending ADD COLUMN task_id BIGINT;

-- Edit conflicts on a draft's tasks (issue 12 §4): every change to a task gives it a
-- new version, drawn from its document's counter (so a version is never given twice
-- in a document, even after tasks were removed or renumbered), and a save made from an
-- older version is refused instead of overwriting what another supervisor saved.
ALTER TABLE tasks ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN tasks_version BIGINT NOT NULL DEFAULT 0;
