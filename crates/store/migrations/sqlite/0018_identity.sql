-- no-transaction
-- 等保 level-3 identity controls and the three administrators (issue 12).
--
-- users: the three administrators' roles (三员分立: system_admin, security_admin,
-- audit_admin) join the role check; `must_change_password` (1 when an administrator
-- set the password: a new account or a reset, so the user changes it at the next
-- login), `password_changed_at` (for the optional expiry), and the optional TOTP
-- second factor: its base32 secret and the last time step used (a code is accepted
-- once). SQLite cannot change a CHECK in place, so the table is rebuilt the documented
-- way (foreign keys off, one transaction, keys kept, checked before commit); the
-- directive on the first line keeps sqlx from wrapping this file in a transaction of
-- its own, in which `PRAGMA foreign_keys` would do nothing.
--
-- sessions: `last_seen_at` (the idle timeout: a session unused for longer ends, on
-- every app server, since it is a row) and `second_factor_pending` (1 between the
-- password and the TOTP code: such a session reaches only the code's page). Sessions
-- from before have no last-seen time and end at once.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL
        CHECK (role IN ('admin', 'supervisor', 'reporter', 'unit_head', 'leader',
                        'system_admin', 'security_admin', 'audit_admin')),
    unit_id BIGINT REFERENCES units (id),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    email TEXT,
    must_change_password BIGINT NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    password_changed_at TEXT NOT NULL DEFAULT '',
    totp_secret TEXT,
    totp_last_step BIGINT,
    CHECK ((role IN ('reporter', 'unit_head') AND unit_id IS NOT NULL)
        OR (role NOT IN ('reporter', 'unit_head') AND unit_id IS NULL))
);
INSERT INTO users_new (id, username, display_name, role, unit_id, password_hash,
                       created_at, email, must_change_password, password_changed_at)
SELECT id, username, display_name, role, unit_id, password_hash, created_at, email, 0,
       created_at
FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_unit ON users (unit_id);

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN second_factor_pending BIGINT NOT NULL DEFAULT 0
    CHECK (second_factor_pending IN (0, 1));
DELETE FROM sessions;

COMMIT;
PRAGMA foreign_keys = ON;
