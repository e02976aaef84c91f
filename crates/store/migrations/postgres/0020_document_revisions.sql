-- Per-document revisions (issue 13). Twin of migrations/sqlite/0020_document_revisions.sql:
-- each document's number grows with every committed change to its rows or rows under
-- it, document 0 with the unit directory; the dashboard's figures are kept per
-- document and recomputed only for the documents a write touched. Each writer adds to
-- its own write slot's row (0012), so writers in one document do not queue on a row.
CREATE TABLE document_revisions (
    document_id BIGINT NOT NULL,
    slot BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (document_id, slot)
);
INSERT INTO document_revisions (document_id, slot, n) SELECT id, 0, 1 FROM documents;
INSERT INTO document_revisions (document_id, slot, n) VALUES (0, 0, 1);

-- Adds 1 to `doc_id`'s number in this connection's slot; nothing for NULL (a row
-- deleted with its task or reminder finds neither: their own deletion moved it).
CREATE FUNCTION document_revision_bump(doc_id BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO document_revisions (document_id, slot, n)
        SELECT doc_id, duban_write_slot(), 1 WHERE doc_id IS NOT NULL
        ON CONFLICT (document_id, slot) DO UPDATE SET n = document_revisions.n + 1
$$;

CREATE FUNCTION document_revision_of_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM document_revision_bump(OLD.id); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM document_revision_bump(NEW.id); END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION document_revision_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM document_revision_bump(OLD.document_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM document_revision_bump(NEW.document_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION document_revision_of_task_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM document_revision_bump((SELECT document_id FROM tasks WHERE id = OLD.task_id));
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.task_id IS DISTINCT FROM OLD.task_id) THEN
        PERFORM document_revision_bump((SELECT document_id FROM tasks WHERE id = NEW.task_id));
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION document_revision_of_reminder_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM document_revision_bump(
        (SELECT document_id FROM reminders WHERE id = NEW.reminder_id));
    RETURN NULL;
END;
$$;

CREATE FUNCTION document_revision_of_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM document_revision_bump(0);
    RETURN NULL;
END;
$$;

CREATE TRIGGER revision_documents AFTER INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_document();

CREATE TRIGGER revision_tasks AFTER INSERT OR UPDATE OR DELETE ON tasks
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_row();
CREATE TRIGGER revision_rounds AFTER INSERT OR UPDATE OR DELETE ON rounds
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_row();
CREATE TRIGGER revision_reminders AFTER INSERT OR DELETE ON reminders
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_row();

CREATE TRIGGER revision_task_states AFTER INSERT OR UPDATE OR DELETE ON task_states
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();
CREATE TRIGGER revision_task_units AFTER INSERT OR UPDATE OR DELETE ON task_units
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();
CREATE TRIGGER revision_assignments AFTER INSERT OR UPDATE OR DELETE ON assignments
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();
CREATE TRIGGER revision_status_overrides AFTER INSERT OR DELETE ON status_overrides
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();
CREATE TRIGGER revision_reports AFTER INSERT OR UPDATE OR DELETE ON reports
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_task_row();

CREATE TRIGGER revision_reminder_reads AFTER UPDATE OF read_at ON reminder_deliveries
    FOR EACH ROW
    WHEN (OLD.read_at IS DISTINCT FROM NEW.read_at)
    EXECUTE FUNCTION document_revision_of_reminder_read();

CREATE TRIGGER revision_units AFTER INSERT OR UPDATE OR DELETE ON units
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_directory();
CREATE TRIGGER revision_unit_aliases AFTER INSERT OR UPDATE OR DELETE ON unit_aliases
    FOR EACH ROW EXECUTE FUNCTION document_revision_of_directory();
