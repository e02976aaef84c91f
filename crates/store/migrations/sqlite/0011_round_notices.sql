-- The round's own 通报 (issue 10). Same portability rules as 0001.

-- How the office issues its notices: 发文机关, who does the 督查 (named in the body),
-- 署名, 主送 (JSON list; empty: the decomposition notice's), the 公开属性 a notice starts
-- with, and its 文号 series: `agency` (泉鲤政办), `year` and the next serial. One office
-- per database: one row.
CREATE TABLE notice_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    issuer TEXT NOT NULL,
    office TEXT NOT NULL,
    signatory TEXT,
    recipients_json TEXT NOT NULL,
    disclosure TEXT NOT NULL,
    agency TEXT NOT NULL,
    year BIGINT NOT NULL,
    next_serial BIGINT NOT NULL CHECK (next_serial > 0),
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL
);

-- A round's notice while the office prepares it: its wording (JSON list of
-- {text, internal}; NULL: the default wording) and 公开属性; once issued, the document
-- it became.
CREATE TABLE round_notices (
    round_id BIGINT PRIMARY KEY REFERENCES rounds (id) ON DELETE CASCADE,
    body_json TEXT,
    disclosure TEXT,
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT,
    document_id BIGINT UNIQUE REFERENCES documents (id),
    issued_by BIGINT REFERENCES users (id),
    issued_at TEXT
);

-- A document that is the notice of a round (issued by the office from the round's
-- reports): it is a record of that round, not a new set of tasks, so the task list
-- leaves it out. `public_body_json`: the body of its public variant (the paragraphs
-- the office marked internal left out), when it differs.
ALTER TABLE documents ADD COLUMN reports_round_id BIGINT REFERENCES rounds (id);
ALTER TABLE documents ADD COLUMN public_body_json TEXT;

-- A report taken from an imported notice's cell that continues the paragraph it was
-- cut from (1), so joining the round's reports gives the cell back as imported.
ALTER TABLE reports ADD COLUMN continues_paragraph BIGINT NOT NULL DEFAULT 0;
