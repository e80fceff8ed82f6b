//! jiandu's end-to-end tests: one binary, one module per feature, driving the real `jiandu`
//! program against real SQLite files and a real PostgreSQL server.

mod support;

mod calendar;
mod check;
mod complaints;
mod demo;
mod graph;
mod import;
mod rules;
mod seams;
mod serve;
mod store_story;
mod sweep;
mod tidy;
