-- 佐证材料: files a unit attaches to its report as evidence, kept in the database with
-- the report (one backup holds everything). Same portability rules as 0001, apart
-- from `data`: BLOB here, BYTEA in the PostgreSQL folder. Which files are accepted,
-- how large and how many is `duban_domain::evidence`'s rule, not the schema's.
--
-- `filename` is the sanitised name as uploaded; `content_type` the media type of the
-- kind the content was recognised as; `size` the length of `data` in bytes; `sha256`
-- its hex digest; `uploaded_at` RFC 3339 in UTC (the fixed-width form of 0002).
-- `id` orders a report's files in upload order.
CREATE TABLE report_attachments (
    id INTEGER PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL CHECK (size > 0),
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id, id);
