-- Counters that concurrent writers do not queue on (issue 11). On PostgreSQL the round
-- counts and the store's generation are kept per write slot (each pooled connection
-- holds one), and readers add the slots up: a single row that every writer updates
-- would make writers wait for each other's commits. SQLite has one writer at a time,
-- so it keeps one slot, 0; the column is here so both schemas stay the same. Readers
-- on both add up `n` over the slots (SUM … GROUP BY round_id, state).
ALTER TABLE round_counts ADD COLUMN slot BIGINT NOT NULL DEFAULT 0;
