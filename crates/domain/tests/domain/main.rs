//! The domain crate's tests from the outside, one binary: the analysis of progress
//! texts (seed, labelled sets, percentages against the period, properties, a dump for
//! reading) and the decomposition rules. Unit tests of single functions stay beside
//! them in `src/`.

// A failed unwrap is a failed test, which is what these are for.
#![allow(clippy::unwrap_used)]

mod analysis_dump;
mod analysis_percent;
mod analysis_props;
mod analysis_quality;
mod analysis_seed;
mod analysis_support;
mod decomposition;
