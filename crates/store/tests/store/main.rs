//! The store's tests, one binary: each module drives a real database through the
//! store's API. The backend is SQLite unless `DUBAN_TEST_DATABASE_URL` names a
//! PostgreSQL database (see `common`); `scripts/test.sh` runs the binary once per backend.

// A failed unwrap is a failed test, which is what these are for.
#![allow(clippy::unwrap_used)]

mod accounts;
mod attachments;
mod audit;
mod bulk;
mod closure;
mod common;
mod conflicts;
mod copy;
mod escalation;
mod group_commit;
mod notices;
mod page_stamps;
mod readings;
mod reminders;
mod rounds;
mod schedules;
mod schema;
mod scratch;
mod sources;
mod task_conflicts;
pub(crate) mod task_page;
mod tasks;
mod warnings;
mod workflow;
