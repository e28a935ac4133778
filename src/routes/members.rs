//! `/api/v1/members/{email}`: a person's data (GDPR): what devpulse holds
//! about them, and erasing it.

use super::extract::Admin;
use super::friction::FrictionOut;
use super::teams::MemberOut;
use crate::domain::{CycleStatus, Email, EmailKind, EmailStatus};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use crate::store::{self, erasure};
use actix_web::{HttpResponse, delete, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(personal_data).service(erase);
}

/// A cycle the person was invited to. Whether they answered, never what:
/// no response is linked to anyone.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationOut {
    pub cycle_id: String,
    pub survey: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub status: CycleStatus,
    /// One invitation per cycle; true once it was used to answer.
    pub used: bool,
}

/// A me-too vote of the person.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteOut {
    pub report_id: String,
    pub created_at: DateTime<Utc>,
}

/// An email queued or sent to the person (never its body).
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailOut {
    pub kind: EmailKind,
    pub subject: String,
    pub status: EmailStatus,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Everything devpulse holds about one person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDataOut {
    pub member: MemberOut,
    /// The cycles they were invited to, oldest first.
    pub invitations: Vec<InvitationOut>,
    /// Friction reports they filed asking for follow-up (reports filed
    /// without it are not linked to them), newest first.
    pub followed_reports: Vec<FrictionOut>,
    /// Their me-too votes, oldest first.
    pub me_too: Vec<VoteOut>,
    /// Emails queued or sent to their address, oldest first. Sent invitations
    /// and reminders keep no recipient, so they are not listed.
    pub emails: Vec<EmailOut>,
}

impl PersonalDataOut {
    fn new(d: erasure::PersonalData, slugs: &std::collections::HashMap<String, String>) -> Self {
        PersonalDataOut {
            member: MemberOut::new(d.member, &d.team_slug),
            invitations: d
                .invitations
                .into_iter()
                .map(|i| InvitationOut {
                    cycle_id: i.cycle.cycle_id,
                    survey: i.survey_title,
                    opens_on: i.cycle.opens_on,
                    closes_on: i.cycle.closes_on,
                    status: i.cycle.status,
                    used: i.invitation.used,
                })
                .collect(),
            followed_reports: d.followed.into_iter().map(|r| FrictionOut::new(r, slugs)).collect(),
            me_too: d.votes.into_iter().map(|v| VoteOut { report_id: v.report_id, created_at: v.created_at }).collect(),
            emails: d
                .emails
                .into_iter()
                .map(|e| EmailOut {
                    kind: e.kind,
                    subject: e.subject,
                    status: e.status,
                    created_at: e.created_at,
                    sent_at: e.sent_at,
                })
                .collect(),
        }
    }
}

/// The email of the path; one that does not parse names no member (404).
fn email_of(path: &str) -> Result<Email, ApiError> {
    Email::parse("email", path).map_err(|_| ApiError::NotFound(format!("no member {path:?}")))
}

/// What devpulse holds about a person (GDPR): their member record, the cycles they were invited to
/// (whether they answered, never what), the friction reports they follow, their me-too votes and the
/// emails to them.
#[utoipa::path(
    tag = "members",
    security(("api_token" = [])),
    responses((status = 200, body = PersonalDataOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
#[get("/members/{email}/data")]
async fn personal_data(
    state: web::Data<AppState>,
    _: Admin,
    email: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let data = erasure::personal_data(&state.db, &email_of(&email)?).await?;
    let slugs = store::friction::team_slugs(&state.db, &data.followed).await?;
    Ok(HttpResponse::Ok().json(PersonalDataOut::new(data, &slugs)))
}

/// `?erase=true`: erasing cannot be undone, so it is asked for by name.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EraseQuery {
    /// Must be `true`.
    #[param(pattern = "^true$")]
    pub erase: Option<String>,
}

/// What an erasure did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasedOut {
    /// The team the person was in (all the audit log keeps of them).
    pub team: String,
    /// Their invitations, kept with no member and no token, so participation does not change.
    pub invitations_kept_anonymous: u64,
    /// Friction reports no longer linked to them.
    pub reports_unlinked: u64,
    /// Me-too votes removed; the reports keep their counts.
    pub votes_removed: u64,
    /// Emails to their address deleted, queued or sent.
    pub emails_deleted: u64,
    /// Audit entries whose detail held their address, now `[erased]`.
    pub audit_entries_scrubbed: u64,
}

impl From<erasure::Erased> for ErasedOut {
    fn from(e: erasure::Erased) -> Self {
        ErasedOut {
            team: e.team,
            invitations_kept_anonymous: e.invitations_kept,
            reports_unlinked: e.reports_unlinked,
            votes_removed: e.votes_removed,
            emails_deleted: e.emails_deleted,
            audit_entries_scrubbed: e.audit_entries_scrubbed,
        }
    }
}

/// Erase a person (GDPR), with `?erase=true`: their member record and personal link, their follow-up
/// links and me-too votes, and every email to them. Their invitations stay as anonymous rows, so the
/// participation of past cycles does not change; responses were never linked to anyone. Cannot be undone.
#[utoipa::path(
    tag = "members",
    params(EraseQuery),
    security(("api_token" = [])),
    responses(
        (status = 200, body = ErasedOut),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "`erase=true` is missing")
    )
)]
#[delete("/members/{email}")]
async fn erase(
    state: web::Data<AppState>,
    admin: Admin,
    email: web::Path<String>,
    q: web::Query<EraseQuery>,
) -> Result<HttpResponse, ApiError> {
    if q.erase.as_deref() != Some("true") {
        return Err(ApiError::invalid(
            "erase",
            "erasing a person cannot be undone: add ?erase=true (to only deactivate them, use DELETE /api/v1/teams/{slug}/members/{email})",
        ));
    }
    let erased = erasure::erase(&state.db, &admin.actor, &email_of(&email)?).await?;
    Ok(HttpResponse::Ok().json(ErasedOut::from(erased)))
}
