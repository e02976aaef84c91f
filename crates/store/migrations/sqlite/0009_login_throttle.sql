-- Login throttling by account and client address together (issue 15). Failed logins
-- were one row each under the account name only: anyone could lock any known account,
-- and the count was read before the password check and written after it, so parallel
-- attempts got past the limit. Now each attempt is reserved, before the password is
-- checked, in one conditional upsert per count (domain::login says which counts and
-- their limits): `failures` within the window that started at `window_start`. Same
-- portability rules as 0001. `account` and `address` are '' where a scope does not use
-- them.
DROP TABLE login_failures;

CREATE TABLE login_throttle (
    scope TEXT NOT NULL CHECK (scope IN ('account_address', 'address', 'account')),
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    window_start TEXT NOT NULL,
    failures BIGINT NOT NULL,
    PRIMARY KEY (scope, account, address)
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- Every lockout, when it began (the failure that reached a limit), for the security
-- administrator and the audit.
CREATE TABLE login_lockouts (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    scope TEXT NOT NULL,
    account TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX login_lockouts_at ON login_lockouts (at);
