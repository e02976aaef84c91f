-- Counters that concurrent writers do not queue on (issue 11). Twin of
-- migrations/sqlite/0012_write_slots.sql.
--
-- 0006 kept the round counts and the store's generation in rows every writer updates:
-- `store_generation` has one row, and every report step of a round moves the same
-- (round, state) counts. On PostgreSQL a row stays locked by its writer until that
-- writer commits, so concurrent report steps waited for each other's commits, and
-- steps moving counts in opposite directions could deadlock. Now each counter is
-- split into write slots: every pooled connection takes a slot of its own when it
-- connects (a session advisory lock, see the store's `db` module) and names it in
-- the setting `duban.write_slot`; triggers add to the rows of their slot only (slot
-- 0 for a connection without one, such as psql), and readers add the slots up.
--
-- A slot's row changes only inside its writer's transaction, so a reader sees the sum
-- as of its snapshot: never a count ahead of the data (which a sequence, visible
-- before commit, could be). Every committed change to what the task list shows adds
-- at least 1 to the generation's sum, so two reads with the same sum saw the same data.

-- The slot of the current connection, 0 when it has none.
CREATE FUNCTION duban_write_slot() RETURNS BIGINT LANGUAGE sql STABLE AS $$
    SELECT COALESCE(CAST(NULLIF(current_setting('duban.write_slot', true), '') AS BIGINT), 0)
$$;

ALTER TABLE round_counts ADD COLUMN slot BIGINT NOT NULL DEFAULT 0;
ALTER TABLE round_counts DROP CONSTRAINT round_counts_pkey;
ALTER TABLE round_counts ADD PRIMARY KEY (round_id, state, slot);

-- A report leaving (round, state) counts -1 in this slot, arriving +1; a slot's count
-- may go below 0, the sum over slots cannot. A report deleted with its round (cascade)
-- has no count left to move.
CREATE OR REPLACE FUNCTION round_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO round_counts (round_id, state, slot, n)
            SELECT OLD.round_id, OLD.state, duban_write_slot(), -1
            WHERE EXISTS (SELECT 1 FROM rounds WHERE id = OLD.round_id)
            ON CONFLICT (round_id, state, slot) DO UPDATE SET n = round_counts.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO round_counts (round_id, state, slot, n)
            VALUES (NEW.round_id, NEW.state, duban_write_slot(), 1)
            ON CONFLICT (round_id, state, slot) DO UPDATE SET n = round_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

-- `id` is the slot now; the row of 0006 (id 1) stays as slot 1's.
ALTER TABLE store_generation DROP CONSTRAINT store_generation_id_check;

CREATE OR REPLACE FUNCTION store_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO store_generation (id, n) VALUES (duban_write_slot(), 1)
        ON CONFLICT (id) DO UPDATE SET n = store_generation.n + 1;
    RETURN NULL;
END;
$$;
