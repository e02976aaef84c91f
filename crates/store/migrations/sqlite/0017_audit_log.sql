-- The audit log (issue 12 §6): every change and event, hash-chained, append-only.
-- Rows come only from the store's seal (store::audit): an entry's hash covers the
-- previous entry's hash and its own fields, so an edited, removed or reordered entry
-- breaks the chain (`duban audit verify`). No foreign keys: the log outlives what it
-- names.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    address TEXT,
    request TEXT,
    action TEXT NOT NULL,
    object_table TEXT,
    object_key TEXT,
    task_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    algorithm TEXT NOT NULL CHECK (algorithm IN ('sha256', 'sm3')),
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_task ON audit_log (task_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_object ON audit_log (object_table, object_key, id);
CREATE INDEX audit_log_at ON audit_log (at);

-- The chain's head: the last entry and its hash, the algorithm new entries use, what
-- the retention job removed (entries up to pruned_through, the last of which hashed to
-- pruned_hash), and two switches: capture (1: the audit triggers record changes; 0
-- while a copy or restore fills the store) and prune (1 only inside the retention
-- job's transaction, which alone may delete entries).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    algorithm TEXT NOT NULL CHECK (algorithm IN ('sha256', 'sm3')),
    pruned_through BIGINT NOT NULL,
    pruned_hash TEXT NOT NULL,
    capture BIGINT NOT NULL,
    prune BIGINT NOT NULL
);
INSERT INTO audit_head (id, last_id, last_hash, algorithm, pruned_through, pruned_hash, capture, prune)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 'sha256',
        0, '0000000000000000000000000000000000000000000000000000000000000000', 1, 0);

-- Changes captured by the audit triggers (made by the store from the live schema, see
-- store::audit::triggers) and events, waiting inside their transaction to be sealed
-- into the log before it commits. Empty between transactions, except for changes made
-- in the database behind duban's back (sqlite3, psql), which are sealed as such by the
-- next write: on SQLite when it begins, on PostgreSQL by their other `txid`.
CREATE TABLE audit_pending (
    id INTEGER PRIMARY KEY,
    table_name TEXT,
    op TEXT NOT NULL,
    row_key TEXT,
    before_json TEXT,
    after_json TEXT,
    txid BIGINT
);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改已有记录'); END;
CREATE TRIGGER audit_log_retention BEFORE DELETE ON audit_log
WHEN COALESCE((SELECT prune FROM audit_head WHERE id = 1), 0) <> 1
BEGIN SELECT RAISE(ABORT, '审计日志只能由保留期清理任务（duban audit prune）删除'); END;
