-- Twin of migrations/sqlite/0019_signature_layout.sql: how the office's notices lay out
-- 署名 and 成文日期, `sealed` (GB/T 9704 §7.3.5.1, the default) or `unsealed` (§7.3.5.2).
ALTER TABLE notice_settings ADD COLUMN signature_layout TEXT COLLATE "C" NOT NULL DEFAULT 'sealed'
    CHECK (signature_layout IN ('sealed', 'unsealed'));
