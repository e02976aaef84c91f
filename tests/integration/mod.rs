mod bad_input;
mod bodies;
mod cli;
mod conflicts;
mod decompose;
mod duties;
mod fonts;
mod identity;
mod matrix;
mod notices;
mod office;
mod oversight;
mod reliability;
mod reminders;
mod schedules;
// The store tests' scratch PostgreSQL databases, shared (not every function is used here).
#[allow(dead_code)]
#[path = "../../crates/store/tests/store/scratch.rs"]
mod scratch;
mod security;
mod seed;
mod servers;
mod shapes;
mod support;
mod warnings;
mod web;
mod xss;
