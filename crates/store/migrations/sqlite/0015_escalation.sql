-- Escalation (督办升级) and the dashboard's rankings (issue 13). Same portability rules
-- as 0001.

-- The office's ladder (JSON list of step names, lowest first) and the rule that moves
-- a unit up it: `lapses` rounds with a lapse within `within_rounds` consecutive rounds.
-- One office per database: one row; none means the default ladder.
CREATE TABLE escalation_ladder (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    steps_json TEXT NOT NULL,
    lapses BIGINT NOT NULL CHECK (lapses > 0),
    within_rounds BIGINT NOT NULL CHECK (within_rounds >= lapses),
    updated_by BIGINT REFERENCES users (id),
    updated_at TEXT NOT NULL
);

-- Every step a unit was put on, in order (`id`); its latest row is where it stands.
-- `level` 0 is no step; `step` the step's name when it was taken. `on_date` is the
-- China date it took effect: for an automatic step (`set_by` NULL) the due date of the
-- round that completed the count (`round_label`), for one the office set the day it
-- was set. `recorded_at` is an RFC 3339 UTC timestamp (the fixed-width form of 0002).
CREATE TABLE escalation_steps (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    level BIGINT NOT NULL CHECK (level >= 0),
    step TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    automatic BIGINT NOT NULL CHECK (automatic IN (0, 1)),
    round_label TEXT,
    set_by BIGINT REFERENCES users (id),
    recorded_at TEXT NOT NULL,
    CHECK ((automatic = 1 AND set_by IS NULL) OR (automatic = 0 AND set_by IS NOT NULL))
);
CREATE INDEX escalation_steps_unit ON escalation_steps (unit_id, id);

-- Reports sent back, counted per unit for the rankings without reading every event.
CREATE INDEX report_events_to_state ON report_events (to_state, report_id);
