-- 预警 (issue 13). Twin of migrations/sqlite/0016_reminder_generation.sql: a reminder
-- made, removed or first read moves the store's generation (0006, per write slot 0012).
CREATE TRIGGER generation_reminders AFTER INSERT OR DELETE ON reminders
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
CREATE TRIGGER generation_reminder_reads AFTER UPDATE OF read_at ON reminder_deliveries
    FOR EACH ROW
    WHEN (OLD.read_at IS DISTINCT FROM NEW.read_at)
    EXECUTE FUNCTION store_generation_bump();

-- So do the office's 预警 rules (0013): the lights counted on the dashboard follow them.
CREATE TRIGGER generation_warning_rules AFTER INSERT OR UPDATE ON warning_rules
    FOR EACH ROW EXECUTE FUNCTION store_generation_bump();
