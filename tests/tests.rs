//! The one integration-test binary: drives the real `duban` executable against a fresh
//! SQLite store per test.

mod integration;
