-- The task list filters on the reading of the progress text, where the office's 审定 is
-- in force over the suggestion (issue 14): a new 审定 moves the store's generation like
-- every other change to what the list shows (0006). Twin of
-- migrations/sqlite/0010_reading_generation.sql.
CREATE TRIGGER generation_status_overrides AFTER INSERT OR DELETE ON status_overrides
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
