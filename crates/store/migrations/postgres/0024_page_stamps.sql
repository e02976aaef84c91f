-- What a cached task page is checked against once the store's generation has moved.
-- Twin of migrations/sqlite/0024_page_stamps.sql (see there). As the generation
-- (0012), the structure's number is kept per write slot and read as the sum; its
-- triggers fire once per statement (a notice's thousand task rows move it once).
CREATE TABLE store_structure (
    id BIGINT PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO store_structure (id, n) VALUES (1, 1);

CREATE FUNCTION store_structure_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_structure (id, n) VALUES (duban_write_slot(), 1)
        ON CONFLICT (id) DO UPDATE SET n = store_structure.n + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER structure_documents AFTER INSERT OR DELETE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();
CREATE TRIGGER structure_documents_update AFTER UPDATE OF status, reports_round_id ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();
CREATE TRIGGER structure_tasks AFTER INSERT OR DELETE ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();
CREATE TRIGGER structure_tasks_update AFTER UPDATE OF document_id, number ON tasks
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();
CREATE TRIGGER structure_task_units AFTER INSERT OR UPDATE OR DELETE ON task_units
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();
CREATE TRIGGER structure_subitem_units AFTER INSERT OR UPDATE OR DELETE ON subitem_units
    FOR EACH STATEMENT EXECUTE FUNCTION store_structure_bump();

-- A sub-item's units move its document's revision like the task's own units (0020).
CREATE TRIGGER revision_subitem_units AFTER INSERT OR UPDATE OR DELETE ON subitem_units
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();
