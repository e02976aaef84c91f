-- The round's own 通报 (issue 10). Twin of migrations/sqlite/0011_round_notices.sql;
-- the conventions of 0001.

-- How the office issues its notices; one office per database: one row.
CREATE TABLE notice_settings (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    issuer TEXT COLLATE "C" NOT NULL,
    office TEXT COLLATE "C" NOT NULL,
    signatory TEXT COLLATE "C",
    recipients_json TEXT COLLATE "C" NOT NULL,
    disclosure TEXT COLLATE "C" NOT NULL,
    agency TEXT COLLATE "C" NOT NULL,
    year BIGINT NOT NULL,
    next_serial BIGINT NOT NULL CHECK (next_serial > 0),
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT COLLATE "C" NOT NULL
);

-- A round's notice while the office prepares it, and once issued, the document it became.
CREATE TABLE round_notices (
    round_id BIGINT PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    body_json TEXT COLLATE "C",
    disclosure TEXT COLLATE "C",
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT COLLATE "C",
    document_id BIGINT UNIQUE REFERENCES documents (id),
    issued_by BIGINT REFERENCES users (id),
    issued_at TEXT COLLATE "C"
);

ALTER TABLE documents ADD COLUMN reports_round_id BIGINT REFERENCES rounds (id);
ALTER TABLE documents ADD COLUMN public_body_json TEXT COLLATE "C";

ALTER TABLE reports ADD COLUMN continues_paragraph BIGINT NOT NULL DEFAULT 0;
