-- 预警 (红黄绿灯, issue 13). Twin of migrations/sqlite/0013_warning_rules.sql; the
-- conventions of 0001.

-- The office's lights and rules (`domain::warning::WarningRules` JSON); no row: the
-- default set. One office per database: one row.
CREATE TABLE warning_rules (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    rules_json TEXT COLLATE "C" NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT COLLATE "C" NOT NULL
);
