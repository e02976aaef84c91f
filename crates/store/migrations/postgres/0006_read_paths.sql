-- Read paths of the task list: report counts per round kept by triggers, and a
-- generation number every change to what the task list shows increments. Twin of
-- migrations/sqlite/0006_read_paths.sql, with the triggers as PL/pgSQL functions.

CREATE TABLE round_counts (
    round_id BIGINT NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    state TEXT COLLATE "C" NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, state)
);
INSERT INTO round_counts (round_id, state, n)
    SELECT round_id, state, COUNT(*) FROM reports GROUP BY round_id, state;

-- Moves a report's count from its old (round, state) to its new one.
CREATE FUNCTION round_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE round_counts SET n = n - 1 WHERE round_id = OLD.round_id AND state = OLD.state;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO round_counts (round_id, state, n) VALUES (NEW.round_id, NEW.state, 1)
            ON CONFLICT (round_id, state) DO UPDATE SET n = round_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER round_counts_insert AFTER INSERT ON reports
    FOR EACH ROW EXECUTE FUNCTION round_counts_follow();
CREATE TRIGGER round_counts_update AFTER UPDATE OF state, round_id ON reports
    FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.round_id IS DISTINCT FROM NEW.round_id)
    EXECUTE FUNCTION round_counts_follow();
CREATE TRIGGER round_counts_delete AFTER DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION round_counts_follow();

CREATE TABLE store_generation (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO store_generation (id, n) VALUES (1, 0);

CREATE FUNCTION store_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE store_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

-- One trigger per table for all three events (SQLite needs one per event).
CREATE TRIGGER generation_documents AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_tasks AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_task_units AFTER INSERT OR UPDATE OR DELETE ON task_units
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_subitem_units AFTER INSERT OR UPDATE OR DELETE ON subitem_units
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_units AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_unit_aliases AFTER INSERT OR UPDATE OR DELETE ON unit_aliases
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_task_states AFTER INSERT OR UPDATE OR DELETE ON task_states
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_rounds AFTER INSERT OR UPDATE OR DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();

CREATE TRIGGER generation_reports AFTER INSERT OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_reports_update
    AFTER UPDATE OF round_id, task_id, unit_id, position, state ON reports
    FOR EACH ROW
    WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id OR OLD.task_id IS DISTINCT FROM NEW.task_id
        OR OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.position IS DISTINCT FROM NEW.position
        OR OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION store_generation_bump();

CREATE INDEX reports_round_state ON reports (round_id, state, task_id);
