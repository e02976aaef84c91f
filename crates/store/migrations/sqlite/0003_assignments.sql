-- 交办 and 签收, and a task's closure (申请办结 → 办结销号 → 重新开启). Same
-- portability rules as 0001; timestamps in the fixed-width form 0002 describes, dates
-- 'YYYY-MM-DD'.

-- A task assigned (交办) to one of its lead units, and the unit's acknowledgement
-- (签收). `position` orders the task's units as `reports.position` does (task leads
-- in cell order, then sub-item leads). `ack_due` is the last day (China time) to
-- acknowledge on time. Acknowledged means both `acknowledged_at` and
-- `acknowledged_by` are set.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    position BIGINT NOT NULL,
    ack_due TEXT NOT NULL,
    assigned_by BIGINT NOT NULL REFERENCES users (id),
    assigned_at TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by BIGINT REFERENCES users (id),
    UNIQUE (task_id, unit_id),
    CHECK ((acknowledged_at IS NULL AND acknowledged_by IS NULL)
        OR (acknowledged_at IS NOT NULL AND acknowledged_by IS NOT NULL))
);
CREATE INDEX assignments_unit ON assignments (unit_id, acknowledged_at);

-- Where a task stands (TaskState code), for tasks that have left the default
-- 'open' at least once: a task without a row is open.
CREATE TABLE task_states (
    task_id BIGINT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('open', 'claimed_done', 'closed')),
    updated_at TEXT NOT NULL
);
CREATE INDEX task_states_state ON task_states (state);

-- Every step taken on a task, in order (`id`): `action` the TaskAction code,
-- `from_state`/`to_state` TaskState codes, `actor_role` the actor's role at the time.
CREATE TABLE task_events (
    id INTEGER PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    comment TEXT
);
CREATE INDEX task_events_task ON task_events (task_id, id);
