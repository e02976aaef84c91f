-- 等保 level-3 identity controls and the three administrators (issue 12). Twin of
-- migrations/sqlite/0018_identity.sql (which rebuilds the table; PostgreSQL changes the
-- check in place); the conventions of 0001.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'supervisor', 'reporter', 'unit_head', 'leader',
                    'system_admin', 'security_admin', 'audit_admin'));
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0
    CHECK (must_change_password IN (0, 1));
ALTER TABLE users ADD COLUMN password_changed_at TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE users SET password_changed_at = created_at;
ALTER TABLE users ADD COLUMN totp_secret TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

ALTER TABLE sessions ADD COLUMN last_seen_at TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN second_factor_pending BIGINT NOT NULL DEFAULT 0
    CHECK (second_factor_pending IN (0, 1));
DELETE FROM sessions;
