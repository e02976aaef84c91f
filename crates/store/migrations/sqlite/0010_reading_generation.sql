-- The task list filters on the reading of the progress text, where the office's 审定 is
-- in force over the suggestion (issue 14): a new 审定 changes what the list shows, so it
-- moves the store's generation like every other such change (0006).
CREATE TRIGGER generation_status_overrides_insert AFTER INSERT ON status_overrides
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_status_overrides_delete AFTER DELETE ON status_overrides
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
