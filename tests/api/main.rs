//! The one integration-test binary: every test starts the real server on
//! port 0 over a fresh database (SQLite, or PostgreSQL when
//! DEVPULSE_TEST_POSTGRES_URL is set).

mod anonymity;
mod areas;
mod browser;
mod cli;
mod console;
mod console_browser;
mod console_pages;
mod contention;
mod dates;
mod demo;
mod erasure;
mod fixtures;
mod friction;
mod headers;
mod health;
mod helpers;
mod languages;
mod limits;
mod reports;
mod results;
mod results_browser;
mod results_email;
mod schema;
mod smtp;
mod sso;
mod submissions;
mod surveys;
mod surveys_as_code;
mod teams;
mod trust;
mod upgrade;
mod webhooks;
