//! devpulse: developer-experience surveys and a friction log for platform teams.
//!
//! Map of the modules:
//! - [`assets`]: the pages' static files (stylesheet), embedded and served with a content hash.
//! - [`charts`]: the geometry of the pages' server-drawn SVG charts.
//! - [`cli`]: the `devpulse` command line (clap); each command is one function.
//! - [`config`]: settings from the environment and flags.
//! - [`state`]: [`state::AppState`], built once per process.
//! - [`startup`]: the HTTP server on a listener: routes and middleware.
//! - [`routes`]: HTTP handlers, one module per resource, each with `configure`.
//! - [`error`]: the HTTP error type and its one mapping to status codes.
//! - [`domain`]: parsed input types (slugs, emails, enums) and the DevEx template.
//! - [`store`]: queries and rules over the database, returning `StoreError`.
//! - [`survey_doc`]: surveys as code: the survey document (TOML files, JSON bodies) and its errors.
//! - [`entities`]: sea-orm entities, one file per table (schema in the `migrations` crate).
//! - [`email`]: rendering emails from `templates/emails/` into the outbox.
//! - [`demo`]: the deterministic demo organisation.
//! - [`export`]: loads the raw export tables of analysis.md from the database.
//! - [`insights`]: the figures of the results pages and their JSON twins, one function per view.
//! - [`report`]: the priority report from live data or an export, in every format.
//! - [`report_cache`]: closed cycles' reports kept per instance while the report version stands.
//! - [`db`]: opening SQLite/PostgreSQL and migrating.
//! - [`worker`]: the periodic loop in `serve`: [`store::cycles::run_due`], [`results_mail`] and the [`mailer`].
//! - [`results_mail`]: the "results are out" emails of closed cycles, claimed once per cycle.
//! - [`mailer`]: drains the email outbox to SMTP or `.eml` files.
//! - [`pages`]: server-rendered HTML pages (tera), one renderer for all.
//! - [`i18n`]: the members' pages and emails in English and German (Fluent files in `locales/`).
//! - [`security`]: the security headers of every response (CSP, nosniff, referrer, HSTS).
//! - [`sso`]: single sign-on to the console with OpenID Connect.
//! - [`telemetry`]: logs, request ids, Prometheus metrics.
//! - [`webhooks`]: Standard Webhooks: signing, where a URL may point, and the delivery pass.
//! - [`i18n`]: the languages of members' pages and emails (Fluent files in `locales/`).

pub mod assets;
pub mod charts;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod entities;
pub mod error;
pub mod export;
pub mod i18n;
pub mod insights;
pub mod mailer;
pub mod pages;
pub mod progress;
pub mod report;
pub mod report_cache;
pub mod results_mail;
pub mod routes;
pub mod security;
pub mod sso;
pub mod startup;
pub mod state;
pub mod store;
pub mod survey_doc;
pub mod telemetry;
pub mod webhooks;
pub mod worker;
