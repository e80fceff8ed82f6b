//! jiandu's end-to-end tests: one binary, one module per feature, driving the real `jiandu`
//! program against real SQLite files and a real PostgreSQL server.

// Tests and benchmarks stop at the line that failed: unwrapping and indexing are the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

mod bench;
mod browser;
mod calendar;
mod check;
mod complaints;
mod demo;
mod exports;
mod graph;
mod import;
mod reports;
mod routing;
mod rules;
mod seams;
mod serve;
mod store_story;
mod sweep;
mod tidy;
mod web;
