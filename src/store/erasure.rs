//! A person's data (GDPR): what devpulse holds about a member, and erasing
//! it. Erasure removes the member row (and with it their personal token),
//! unlinks them from the friction reports they followed, removes their me-too
//! votes (the counts on the reports stay), deletes every email queued or sent
//! to their address, and takes their address out of the audit log. Their
//! invitations stay as anonymous rows (no member, no token), so the
//! participation of every cycle stays the same; responses were never linked
//! to anyone and stay as they are.

use super::{StoreError, StoreResult, audit};
use crate::domain::Email;
use crate::entities::{audit_entry, friction_report, invitation, me_too_vote, member, outbox_email};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::json;

/// What stands in for an erased address in the audit log.
pub const ERASED: &str = "[erased]";

/// What an erasure did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erased {
    /// The slug of the member's team (all the audit log keeps of them).
    pub team: String,
    /// Invitations kept as anonymous rows.
    pub invitations_kept: u64,
    /// Friction reports no longer linked to them (no follow-up any more).
    pub reports_unlinked: u64,
    /// Me-too votes removed (the reports keep their counts).
    pub votes_removed: u64,
    /// Emails to their address deleted, queued or sent.
    pub emails_deleted: u64,
    /// Audit entries whose detail held their address.
    pub audit_entries_scrubbed: u64,
}

/// The member with `email`, active or not.
async fn find(conn: &impl ConnectionTrait, email: &Email) -> StoreResult<member::Model> {
    member::Entity::find()
        .filter(member::Column::Email.eq(email.as_str()))
        .one(conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no member {email}")))
}

/// Erases the member with `email` in one write transaction, audited as
/// `member.erase` with their team only (never their address).
pub async fn erase(db: &DatabaseConnection, actor: &str, email: &Email) -> StoreResult<Erased> {
    let txn = super::begin_write(db).await?;
    let m = find(&txn, email).await?;
    let team = super::teams::slug_of(&txn, &m.team_id).await?;
    let invitations_kept = invitation::Entity::update_many()
        .col_expr(invitation::Column::MemberId, Expr::value(Option::<String>::None))
        .col_expr(invitation::Column::TokenHash, Expr::value(Option::<String>::None))
        .filter(invitation::Column::MemberId.eq(m.member_id.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    let reports_unlinked = friction_report::Entity::update_many()
        .col_expr(friction_report::Column::ReporterMemberId, Expr::value(Option::<String>::None))
        .col_expr(friction_report::Column::FollowUp, Expr::value(false))
        .filter(friction_report::Column::ReporterMemberId.eq(m.member_id.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    let votes_removed = me_too_vote::Entity::delete_many()
        .filter(me_too_vote::Column::MemberId.eq(m.member_id.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    let emails_deleted = outbox_email::Entity::delete_many()
        .filter(Expr::expr(Func::lower(Expr::col(outbox_email::Column::ToAddr))).eq(email.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    let audit_entries_scrubbed = scrub_audit(&txn, email).await?;
    member::Entity::delete_by_id(m.member_id.clone()).exec(&txn).await?;
    let erased =
        Erased { team, invitations_kept, reports_unlinked, votes_removed, emails_deleted, audit_entries_scrubbed };
    let detail = json!({
        "team": erased.team,
        "invitations_kept": erased.invitations_kept,
        "reports_unlinked": erased.reports_unlinked,
        "votes_removed": erased.votes_removed,
        "emails_deleted": erased.emails_deleted,
    });
    audit::record(&txn, actor, "member.erase", "member", &m.member_id, detail).await?;
    txn.commit().await?;
    Ok(erased)
}

/// Replaces `email` with [`ERASED`] in the details of audit entries (a failed
/// sign-in records the address typed); returns how many changed.
async fn scrub_audit(conn: &impl ConnectionTrait, email: &Email) -> StoreResult<u64> {
    // As it appears inside the JSON of a detail (quotes and backslashes escaped).
    let quoted = serde_json::to_string(email.as_str()).map_err(|e| StoreError::Broken(e.to_string()))?;
    let needle = quoted.trim_matches('"').to_string();
    let pattern = format!("%{}%", needle.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let entries = audit_entry::Entity::find()
        .filter(
            Expr::expr(Func::lower(Expr::col(audit_entry::Column::Detail))).like(LikeExpr::new(pattern).escape('\\')),
        )
        .all(conn)
        .await?;
    let mut scrubbed = 0;
    for e in entries {
        let detail = replace_ignoring_case(&e.detail, &needle, ERASED);
        if detail != e.detail {
            let mut row: audit_entry::ActiveModel = e.into();
            row.detail = Set(detail);
            row.update(conn).await?;
            scrubbed += 1;
        }
    }
    Ok(scrubbed)
}

/// `text` with every occurrence of `needle` (lowercase), in any ASCII case, replaced.
fn replace_ignoring_case(text: &str, needle: &str, with: &str) -> String {
    // ASCII lowercasing keeps byte offsets, so they index `text` too.
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    for (at, _) in lower.match_indices(needle) {
        if at >= rest {
            out.push_str(&text[rest..at]);
            out.push_str(with);
            rest = at + needle.len();
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// Everything devpulse holds about one member.
#[derive(Debug, Clone)]
pub struct PersonalData {
    pub member: member::Model,
    pub team_slug: String,
    /// By cycle, oldest first: whether they answered, never what (no
    /// response is linked to anyone).
    pub invitations: Vec<super::members::Invited>,
    /// Reports they filed with follow-up, newest first.
    pub followed: Vec<friction_report::Model>,
    /// Their me-too votes, oldest first.
    pub votes: Vec<me_too_vote::Model>,
    /// Emails queued or sent to their address, oldest first.
    pub emails: Vec<outbox_email::Model>,
}

/// What devpulse holds about the member with `email` (404 when none).
pub async fn personal_data(conn: &impl ConnectionTrait, email: &Email) -> StoreResult<PersonalData> {
    let member = find(conn, email).await?;
    let team_slug = super::teams::slug_of(conn, &member.team_id).await?;
    let invitations = super::members::invitations(conn, &member.member_id, Condition::all()).await?;
    let followed = super::friction::followed_by(conn, &member.member_id).await?;
    let votes = me_too_vote::Entity::find()
        .filter(me_too_vote::Column::MemberId.eq(member.member_id.as_str()))
        .order_by_asc(me_too_vote::Column::CreatedAt)
        .all(conn)
        .await?;
    let emails = outbox_email::Entity::find()
        .filter(Expr::expr(Func::lower(Expr::col(outbox_email::Column::ToAddr))).eq(email.as_str()))
        .order_by_asc(outbox_email::Column::CreatedAt)
        .all(conn)
        .await?;
    Ok(PersonalData { member, team_slug, invitations, followed, votes, emails })
}

#[cfg(test)]
mod tests {
    use super::replace_ignoring_case;

    #[test]
    fn addresses_are_replaced_in_any_case() {
        let detail = r#"{"email":"Ada@X.io","again":"ada@x.io!","other":"bob@x.io"}"#;
        assert_eq!(
            replace_ignoring_case(detail, "ada@x.io", "[erased]"),
            r#"{"email":"[erased]","again":"[erased]!","other":"bob@x.io"}"#
        );
        assert_eq!(replace_ignoring_case("nothing here", "ada@x.io", "[erased]"), "nothing here");
    }
}
