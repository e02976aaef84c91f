-- Entries committed unchained, linked right after (issue 12; store::audit::link). A
-- write transaction no longer appends to the hash chain itself: before it commits it
-- seals its captured rows in `audit_pending` with who acted (and when, and the task
-- each belongs to), and a linker, in a transaction of its own, takes the chain's head
-- for a moment and chains every committed sealed row onto the log in the order it
-- links them (`audit_log.id`). Concurrent writers then no longer queue on the head.
-- A pending row without an actor was written behind duban's back and is linked as such.
ALTER TABLE audit_pending ADD COLUMN at TEXT COLLATE "C";
ALTER TABLE audit_pending ADD COLUMN actor_id BIGINT;
ALTER TABLE audit_pending ADD COLUMN actor TEXT COLLATE "C";
ALTER TABLE audit_pending ADD COLUMN address TEXT COLLATE "C";
ALTER TABLE audit_pending ADD COLUMN request TEXT COLLATE "C";
ALTER TABLE audit_pending ADD COLUMN task_id BIGINT;
-- A seal finds its own transaction's rows among those waiting to be linked.
CREATE INDEX audit_pending_txid ON audit_pending (txid);

-- Edit conflicts on a draft's tasks (issue 12 §4): every change to a task gives it a
-- new version, drawn from its document's counter (so a version is never given twice
-- in a document, even after tasks were removed or renumbered), and a save made from an
-- older version is refused instead of overwriting what another supervisor saved.
ALTER TABLE tasks ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE documents ADD COLUMN tasks_version BIGINT NOT NULL DEFAULT 0;
