//! jiandu's end-to-end tests: one binary, one module per feature, driving the real `jiandu`
//! program against real SQLite files and a real PostgreSQL server.

mod support;

mod calendar;
mod demo;
mod import;
mod store_story;
mod tidy;
