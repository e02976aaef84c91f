-- Sources of supervised tasks (立项) and the decomposition notices issued from them
-- (分解). Same portability rules as 0001.

-- A source: a speech at a meeting, an executive meeting's decided items, a leader's
-- instruction, the government work report … `kind` is the SourceKind code; `original_json`
-- the original text as RichText JSON, with its plain text beside it for search.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('speech', 'executive_meeting', 'instruction',
        'work_report', 'livelihood', 'proposal', 'rectification', 'other')),
    title TEXT NOT NULL,
    date TEXT,
    leader TEXT,
    meeting TEXT,
    original_json TEXT NOT NULL,
    original_text TEXT NOT NULL,
    notes TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sources_kind ON sources (kind, date);

-- A document's source, when known: imported notices have one or none (set later), a
-- decomposition notice the one it was drafted from.
ALTER TABLE documents ADD COLUMN source_id BIGINT REFERENCES sources (id);
CREATE INDEX documents_source ON documents (source_id);

-- Where a document stands as the office's own output: 'imported' (read from a file;
-- every document before this migration), 'draft' (a decomposition notice being
-- edited: its tasks change through the decomposition editor only), 'issued' (印发:
-- it has its 文号 and 成文日期; its tasks no longer change there).
ALTER TABLE documents ADD COLUMN status TEXT NOT NULL DEFAULT 'imported'
    CHECK (status IN ('imported', 'draft', 'issued'));
ALTER TABLE documents ADD COLUMN issued_by BIGINT REFERENCES users (id);
ALTER TABLE documents ADD COLUMN issued_at TEXT;

-- How a task's progress is judged: 'indicator' (a yearly target: `target_amount` is the
-- exact decimal as text, `target_unit` its unit), 'project' (milestones in
-- `task_milestones`), 'ongoing' (no end date). Tasks without a row have no plan.
CREATE TABLE task_plans (
    task_id BIGINT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('indicator', 'project', 'ongoing')),
    target_amount TEXT,
    target_unit TEXT,
    CHECK ((kind = 'indicator' AND target_amount IS NOT NULL AND target_unit IS NOT NULL)
        OR (kind <> 'indicator' AND target_amount IS NULL AND target_unit IS NULL))
);

-- A project task's milestones in date order (`position` from 0).
CREATE TABLE task_milestones (
    task_id BIGINT NOT NULL REFERENCES task_plans (task_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    due TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (task_id, position)
);

-- The task list filters on a document's source and its kind, and leaves drafts out:
-- a change to either must invalidate cached task pages (see 0006, store_generation).
CREATE TRIGGER generation_sources_update AFTER UPDATE OF kind ON sources
BEGIN UPDATE store_generation SET n = n + 1 WHERE id = 1; END;
