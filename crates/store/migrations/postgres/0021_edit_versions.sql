-- Edit conflicts (issue 12 §4): every change to a report counts up its version, and a
-- save made from an older version is refused instead of overwriting what another
-- reporter of the unit saved in between.
ALTER TABLE reports ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
