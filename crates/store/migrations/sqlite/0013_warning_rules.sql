-- 预警 (红黄绿灯, issue 13). Same portability rules as 0001.

-- The office's lights and rules, as `domain::warning::WarningRules` JSON (checked there
-- before it is saved); no row: the default set. One office per database: one row.
CREATE TABLE warning_rules (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    rules_json TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL
);
