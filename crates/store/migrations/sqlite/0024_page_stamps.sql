-- What a cached task page is checked against once the store's generation has moved
-- (issue 11, the mixed run). A report saved on one notice used to make every cached
-- page stale, each then read again (2–4 ms); now a page is kept while what it shows
-- holds, which one small read tells:
--
-- - a page of one document: that document's revision and the unit directory's
--   (migration 0020); sub-item units now move the revision too (below);
-- - a page of every document's tasks (all, or one unit's): the revisions of the
--   documents on the page, the directory's, and the store's structure: a number that
--   moves with every change to which tasks exist and in which order, or which units
--   they name (documents, tasks, their units and sub-item units) — not with reports or
--   task states, which only the documents on the page matter for.
--
-- Twin of migrations/postgres/0024_page_stamps.sql.
CREATE TABLE store_structure (
    id INTEGER PRIMARY KEY,
    n BIGINT NOT NULL
);
INSERT INTO store_structure (id, n) VALUES (1, 1);

CREATE TRIGGER structure_documents_insert AFTER INSERT ON documents
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_documents_update AFTER UPDATE OF status, reports_round_id ON documents
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_documents_delete AFTER DELETE ON documents
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER structure_tasks_insert AFTER INSERT ON tasks
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_tasks_update AFTER UPDATE OF document_id, number ON tasks
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_tasks_delete AFTER DELETE ON tasks
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER structure_task_units_insert AFTER INSERT ON task_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_task_units_update AFTER UPDATE ON task_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_task_units_delete AFTER DELETE ON task_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER structure_subitem_units_insert AFTER INSERT ON subitem_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_subitem_units_update AFTER UPDATE ON subitem_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER structure_subitem_units_delete AFTER DELETE ON subitem_units
BEGIN UPDATE store_structure SET n = n + 1 WHERE id = 1; END;

-- A sub-item's units are on its document's task list (the unit filter): they move the
-- document's revision like the task's own units (0020).
CREATE TRIGGER revision_subitem_units_insert AFTER INSERT ON subitem_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_subitem_units_update AFTER UPDATE ON subitem_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = NEW.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER revision_subitem_units_delete AFTER DELETE ON subitem_units
BEGIN
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT document_id, 0, 1 FROM tasks WHERE id = OLD.task_id
        ON CONFLICT (document_id, slot) DO UPDATE SET n = n + 1;
END;
