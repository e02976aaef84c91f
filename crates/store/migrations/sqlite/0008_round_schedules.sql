-- Scheduled reporting rounds (周调度、月通报、季度报送). Same portability rules as 0001;
-- timestamps in the fixed-width form 0002 describes, dates 'YYYY-MM-DD'.

-- A schedule: opens a reporting round on a document's tasks for each week, month or
-- quarter of `year` (see duban_domain::schedule). `tasks_json` is a JSON array of
-- 序号, NULL for every task. The round for a period opens `lead_days` before the
-- period's last day and is due `due_days` after it. Rounds are opened in the name of
-- `created_by`. A paused schedule opens nothing.
CREATE TABLE round_schedules (
    id INTEGER PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'monthly', 'quarterly')),
    year BIGINT NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    start_date TEXT NOT NULL,
    lead_days BIGINT NOT NULL CHECK (lead_days BETWEEN 0 AND 89),
    due_days BIGINT NOT NULL CHECK (due_days BETWEEN -89 AND 60),
    tasks_json TEXT,
    paused BIGINT NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX round_schedules_document ON round_schedules (document_id);

-- Each period a schedule has taken up, at most once: the primary key is what makes
-- several app servers running the same tick open one round per period. A row is
-- written ('claimed') before the round is opened, then becomes 'opened' with the
-- round's id, or 'failed' with the reason the round could not be opened (not tried
-- again). A claim still 'claimed' after a few minutes was cut short (a server stopped
-- mid-way) and is taken up again.
CREATE TABLE schedule_periods (
    schedule_id BIGINT NOT NULL REFERENCES round_schedules (id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    label TEXT NOT NULL,
    due TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('claimed', 'opened', 'failed')),
    claimed_at TEXT NOT NULL,
    round_id BIGINT REFERENCES rounds (id) ON DELETE SET NULL,
    error TEXT,
    PRIMARY KEY (schedule_id, period),
    CHECK (state <> 'failed' OR error IS NOT NULL)
);
CREATE INDEX schedule_periods_round ON schedule_periods (round_id);
