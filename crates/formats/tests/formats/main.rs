//! The formats crate's tests from the outside, one binary: the seed read end to end
//! (markdown and JSON round trips, detection) and property tests over generated tables
//! and arbitrary bytes.

mod roundtrip;
mod seed;
