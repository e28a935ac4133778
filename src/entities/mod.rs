//! One module per table (sea-orm entities). Queries and rules live in `crate::store`.

pub mod admin_session;
pub mod admin_user;
pub mod answer;
pub mod api_token;
pub mod area;
pub mod audit_entry;
pub mod cycle;
pub mod cycle_team;
pub mod friction_report;
pub mod invitation;
pub mod me_too_vote;
pub mod member;
pub mod outbox_email;
pub mod question;
pub mod rate_counter;
pub mod response;
pub mod roadmap_item;
pub mod setting;
pub mod signin_throttle;
pub mod sso_login;
pub mod survey;
pub mod team;
pub mod webhook;
pub mod webhook_delivery;
