//! The one integration-test binary: drives the real `duban` executable against a fresh
//! store per test: a SQLite file, or a scratch PostgreSQL database when
//! `DUBAN_TEST_DATABASE_URL` names one (`scripts/test.sh` runs the binary both ways).

mod integration;
