//! The whole domain of devpulse: organisation, surveys, anonymous responses,
//! friction, roadmap, and the platform's own bookkeeping (admins, tokens,
//! outbox, audit log, settings). Seeds the 14 default DevEx areas.
//!
//! Anonymity lives in the schema: `responses` has no link to an invitation or a
//! member, no timestamp (a date only) and a random text id; `invitations` record
//! only whether they were used, never when or by which response.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The 14 default areas: (area_id, name, dimension).
const DEFAULT_AREAS: [(&str, &str, &str); 14] = [
    ("build_test", "Build and test speed", "feedback_loops"),
    ("ci", "Continuous integration", "feedback_loops"),
    ("code_review", "Code review", "feedback_loops"),
    ("deploy", "Deployment and release", "feedback_loops"),
    ("local_env", "Local development environment", "feedback_loops"),
    ("docs", "Documentation", "cognitive_load"),
    ("codebase", "Codebase and tech debt", "cognitive_load"),
    ("debugging", "Debugging and observability", "cognitive_load"),
    ("cross_team", "Working across teams", "cognitive_load"),
    ("change_confidence", "Confidence in changes", "cognitive_load"),
    ("deep_work", "Time for deep work", "flow_state"),
    ("planning", "Planning and priorities", "flow_state"),
    ("on_call", "On-call load", "flow_state"),
    ("incident_response", "Incident response", "flow_state"),
];

fn fk(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).take()
}

fn fk_cascade(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    fk(from, to).on_delete(ForeignKeyAction::Cascade).take()
}

fn fk_set_null(from: (&'static str, &'static str), to: (&'static str, &'static str)) -> ForeignKeyCreateStatement {
    fk(from, to).on_delete(ForeignKeyAction::SetNull).take()
}

fn index(table: &'static str, name: &'static str, cols: &[&'static str]) -> IndexCreateStatement {
    let mut idx = Index::create().name(name).table(table).take();
    for c in cols {
        idx.col(*c);
    }
    idx
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables: Vec<TableCreateStatement> = vec![
            Table::create()
                .table("teams")
                .col(string("team_id").primary_key())
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(string_null("group_name"))
                .col(string("kind"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
            Table::create()
                .table("members")
                .col(string("member_id").primary_key())
                .col(string("team_id"))
                .col(string_uniq("email"))
                .col(boolean("active"))
                .col(string_uniq("member_token"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("members", "team_id"), ("teams", "team_id")))
                .take(),
            Table::create()
                .table("areas")
                .col(string("area_id").primary_key())
                .col(string("name"))
                .col(string("dimension"))
                .col(integer("position"))
                .take(),
            Table::create()
                .table("surveys")
                .col(string("survey_id").primary_key())
                .col(string("title"))
                .col(text("description"))
                .col(string("cadence"))
                .col(integer_null("cadence_weeks"))
                .col(integer("open_days"))
                .col(string("reminder_days"))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
            Table::create()
                .table("questions")
                .col(string("question_id").primary_key())
                .col(string("survey_id"))
                .col(integer("position"))
                .col(string("kind"))
                .col(string_null("area_id"))
                .col(text("prompt"))
                .col(boolean("required"))
                .foreign_key(&mut fk_cascade(("questions", "survey_id"), ("surveys", "survey_id")))
                .foreign_key(&mut fk(("questions", "area_id"), ("areas", "area_id")))
                .take(),
            Table::create()
                .table("cycles")
                .col(string("cycle_id").primary_key())
                .col(string("survey_id"))
                .col(date("opens_on"))
                .col(date("closes_on"))
                .col(string("status"))
                .col(timestamp_with_time_zone_null("opened_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(("cycles", "survey_id"), ("surveys", "survey_id")))
                .take(),
            Table::create()
                .table("cycle_teams")
                .col(string("cycle_id"))
                .col(string("team_id"))
                .primary_key(Index::create().col("cycle_id").col("team_id"))
                .foreign_key(&mut fk_cascade(("cycle_teams", "cycle_id"), ("cycles", "cycle_id")))
                .foreign_key(&mut fk(("cycle_teams", "team_id"), ("teams", "team_id")))
                .take(),
            Table::create()
                .table("invitations")
                .col(string("invitation_id").primary_key())
                .col(string("cycle_id"))
                .col(string("member_id"))
                .col(string("team_id"))
                .col(string_uniq("token_hash"))
                .col(boolean("used"))
                .col(integer("reminders_sent"))
                .col(date_null("last_reminded_on"))
                .foreign_key(&mut fk_cascade(("invitations", "cycle_id"), ("cycles", "cycle_id")))
                .foreign_key(&mut fk(("invitations", "member_id"), ("members", "member_id")))
                .foreign_key(&mut fk(("invitations", "team_id"), ("teams", "team_id")))
                .take(),
            Table::create()
                .table("responses")
                .col(string("response_id").primary_key())
                .col(string("cycle_id"))
                .col(string_null("team_id"))
                .col(date("submitted_on"))
                .foreign_key(&mut fk_cascade(("responses", "cycle_id"), ("cycles", "cycle_id")))
                .foreign_key(&mut fk_set_null(("responses", "team_id"), ("teams", "team_id")))
                .take(),
            Table::create()
                .table("answers")
                .col(string("answer_id").primary_key())
                .col(string("response_id"))
                .col(string("question_id"))
                .col(double_null("value_num"))
                .col(string_null("choice"))
                .col(text_null("text_value"))
                .foreign_key(&mut fk_cascade(("answers", "response_id"), ("responses", "response_id")))
                .foreign_key(&mut fk(("answers", "question_id"), ("questions", "question_id")))
                .take(),
            Table::create()
                .table("roadmap_items")
                .col(string("item_id").primary_key())
                .col(string("title"))
                .col(text("description"))
                .col(string("area_id"))
                .col(string("status"))
                .col(date_null("shipped_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(("roadmap_items", "area_id"), ("areas", "area_id")))
                .take(),
            Table::create()
                .table("friction_reports")
                .col(string("report_id").primary_key())
                .col(string_null("team_id"))
                .col(string("area_id"))
                .col(string("title"))
                .col(text("trying_to"))
                .col(text("blocked_by"))
                .col(text_null("expected"))
                .col(integer("minutes_lost"))
                .col(string("frequency"))
                .col(integer("severity"))
                .col(string("status"))
                .col(boolean("follow_up"))
                .col(string_null("reporter_member_id"))
                .col(integer("me_too"))
                .col(string_null("roadmap_item_id"))
                .col(string_null("duplicate_of"))
                .col(date("created_on"))
                .col(date_null("resolved_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_set_null(("friction_reports", "team_id"), ("teams", "team_id")))
                .foreign_key(&mut fk(("friction_reports", "area_id"), ("areas", "area_id")))
                .foreign_key(&mut fk_set_null(("friction_reports", "reporter_member_id"), ("members", "member_id")))
                .foreign_key(&mut fk_set_null(("friction_reports", "roadmap_item_id"), ("roadmap_items", "item_id")))
                .foreign_key(&mut fk_set_null(("friction_reports", "duplicate_of"), ("friction_reports", "report_id")))
                .take(),
            Table::create()
                .table("me_too_votes")
                .col(string("report_id"))
                .col(string("member_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("report_id").col("member_id"))
                .foreign_key(&mut fk_cascade(("me_too_votes", "report_id"), ("friction_reports", "report_id")))
                .foreign_key(&mut fk_cascade(("me_too_votes", "member_id"), ("members", "member_id")))
                .take(),
            Table::create()
                .table("admin_users")
                .col(string("admin_id").primary_key())
                .col(string_uniq("email"))
                .col(string("password_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .take(),
            Table::create()
                .table("api_tokens")
                .col(string("token_id").primary_key())
                .col(string("name"))
                .col(string("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .take(),
            Table::create()
                .table("email_outbox")
                .col(string("email_id").primary_key())
                .col(string("kind"))
                .col(string("to_addr"))
                .col(string("subject"))
                .col(text("body_text"))
                .col(text("body_html"))
                .col(string_uniq("message_id"))
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(text_null("last_error"))
                .col(string_null("locked_by"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .take(),
            Table::create()
                .table("audit_log")
                .col(string("audit_id").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(string("actor"))
                .col(string("action"))
                .col(string("entity"))
                .col(string("entity_id"))
                .col(text("detail"))
                .take(),
            Table::create().table("settings").col(string("key").primary_key()).col(text("value")).take(),
        ];
        for t in tables {
            m.create_table(t).await?;
        }

        let indexes = [
            index("members", "idx_members_team", &["team_id"]),
            index("questions", "idx_questions_survey", &["survey_id", "position"]),
            index("cycles", "idx_cycles_survey", &["survey_id", "closes_on"]),
            index("cycles", "idx_cycles_status", &["status"]),
            index("invitations", "idx_invitations_cycle", &["cycle_id", "team_id"]),
            index("invitations", "idx_invitations_member", &["member_id"]),
            index("responses", "idx_responses_cycle", &["cycle_id", "team_id"]),
            index("answers", "idx_answers_response", &["response_id"]),
            index("answers", "idx_answers_question", &["question_id"]),
            index("friction_reports", "idx_friction_area", &["area_id", "status"]),
            index("friction_reports", "idx_friction_created", &["created_at"]),
            index("friction_reports", "idx_friction_reporter", &["reporter_member_id"]),
            index("roadmap_items", "idx_roadmap_area", &["area_id"]),
            index("email_outbox", "idx_outbox_due", &["status", "next_attempt_at"]),
            index("audit_log", "idx_audit_at", &["at"]),
        ];
        for i in indexes {
            m.create_index(i).await?;
        }
        m.create_index(
            Index::create()
                .name("uq_invitations_cycle_member")
                .table("invitations")
                .col("cycle_id")
                .col("member_id")
                .unique()
                .take(),
        )
        .await?;

        let mut seed = Query::insert().into_table("areas").columns(["area_id", "name", "dimension", "position"]).take();
        for (pos, (id, name, dim)) in DEFAULT_AREAS.iter().enumerate() {
            seed.values_panic([(*id).into(), (*name).into(), (*dim).into(), (pos as i32 + 1).into()]);
        }
        m.exec_stmt(seed).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "settings",
            "audit_log",
            "email_outbox",
            "api_tokens",
            "admin_users",
            "me_too_votes",
            "friction_reports",
            "roadmap_items",
            "answers",
            "responses",
            "invitations",
            "cycle_teams",
            "cycles",
            "questions",
            "surveys",
            "areas",
            "members",
            "teams",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().take()).await?;
        }
        Ok(())
    }
}
