-- How the office's notices lay out 署名 and 成文日期 (GB/T 9704 §7.3.5): `sealed`
-- (§7.3.5.1, the default for notices, sealed after printing) or `unsealed` (§7.3.5.2).
ALTER TABLE notice_settings ADD COLUMN signature_layout TEXT NOT NULL DEFAULT 'sealed'
    CHECK (signature_layout IN ('sealed', 'unsealed'));
