-- 预警 (issue 13): a task's light turns on while a 催办 about it is out and unread, so
-- what the lights are judged from changes when a reminder is made, removed or first
-- read. Those writes move the store's generation (0006), like every other write the
-- cached pages and lights depend on. Deliveries' sending states do not: nothing shown
-- from the caches depends on them.
CREATE TRIGGER generation_reminders_insert AFTER INSERT ON reminders
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_reminders_delete AFTER DELETE ON reminders
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_reminder_reads AFTER UPDATE OF read_at ON reminder_deliveries
WHEN OLD.read_at IS NOT NEW.read_at
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;

-- So do the office's 预警 rules (0013): the lights counted on the dashboard follow them.
CREATE TRIGGER generation_warning_rules_insert AFTER INSERT ON warning_rules
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER generation_warning_rules_update AFTER UPDATE ON warning_rules
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
