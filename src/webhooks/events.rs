//! The events devpulse tells webhooks about, built from what changed. The
//! one place that decides what a payload carries: ids, titles, areas,
//! statuses and dates; never a reporter, a member or a team, and never a
//! figure the anonymity rules could hide (a closed cycle's priorities are
//! named by rank and area only, and only when the cycle has k responses).
//!
//! Summaries are for chat: one paragraph, with a link to the console. The
//! link's base is filled in when the message is sent ([`BASE`]), since the
//! stores that emit events do not know the public URL.

use super::Event;
use crate::domain::WebhookEvent;
use crate::email::ResultsOut;
use crate::entities::{cycle, friction_report, roadmap_item};
use serde_json::json;

/// Stands for `DEVPULSE_BASE_URL` in a summary until the message is sent.
pub const BASE: &str = "{devpulse}";

pub fn friction_created(r: &friction_report::Model) -> Event {
    Event {
        kind: WebhookEvent::FrictionCreated,
        data: json!({
            "report_id": r.report_id,
            "title": r.title,
            "area_id": r.area_id,
            "severity": r.severity,
            "minutes_lost": r.minutes_lost,
            "frequency": r.frequency,
            "status": r.status,
            "created_on": r.created_on,
        }),
        summary: format!(
            "New friction report in {}: \u{201c}{}\u{201d}, severity {} of 4, about {} minutes lost {}. <{BASE}/admin/friction/{}|Triage it>",
            r.area_id,
            r.title,
            r.severity,
            r.minutes_lost,
            r.frequency.human(),
            r.report_id
        ),
    }
}

pub fn friction_status_changed(before: &friction_report::Model, after: &friction_report::Model) -> Event {
    Event {
        kind: WebhookEvent::FrictionStatusChanged,
        data: json!({
            "report_id": after.report_id,
            "title": after.title,
            "area_id": after.area_id,
            "from": before.status,
            "to": after.status,
            "me_too": after.me_too,
        }),
        summary: format!(
            "Friction report \u{201c}{}\u{201d} ({}) is now {} (was {}). <{BASE}/admin/friction/{}|Open it>",
            after.title,
            after.area_id,
            after.status.human(),
            before.status.human(),
            after.report_id
        ),
    }
}

pub fn cycle_opened(c: &cycle::Model, survey_title: &str, invited: usize) -> Event {
    Event {
        kind: WebhookEvent::CycleOpened,
        data: json!({
            "cycle_id": c.cycle_id,
            "survey_id": c.survey_id,
            "survey_title": survey_title,
            "opens_on": c.opens_on,
            "closes_on": c.closes_on,
            "invited": invited,
        }),
        summary: format!(
            "\u{201c}{survey_title}\u{201d} is open until {}: {invited} people have their invitation. Three minutes, anonymous.",
            c.closes_on
        ),
    }
}

pub fn cycle_closed(c: &cycle::Model, survey_title: &str) -> Event {
    Event {
        kind: WebhookEvent::CycleClosed,
        data: json!({
            "cycle_id": c.cycle_id,
            "survey_id": c.survey_id,
            "survey_title": survey_title,
            "opens_on": c.opens_on,
            "closes_on": c.closes_on,
        }),
        summary: format!(
            "\u{201c}{survey_title}\u{201d} ({} to {}) has closed; the priority report follows shortly.",
            c.opens_on, c.closes_on
        ),
    }
}

/// A closed cycle's priorities, by rank and area (no figures); `top` is
/// null when fewer than k responses came in.
pub fn report_ready(c: &cycle::Model, out: &ResultsOut) -> Event {
    let top = out.top.as_ref().map(|top| {
        top.iter()
            .map(|p| {
                json!({
                    "rank": p.rank,
                    "area_name": p.area_name,
                    "roadmap": p.roadmap.iter().map(|r| json!({"title": r.title, "status": r.status})).collect::<Vec<_>>(),
                })
            })
            .collect::<Vec<_>>()
    });
    let summary = match &out.top {
        Some(top) if !top.is_empty() => {
            let names: Vec<String> = top.iter().map(|p| format!("{}. {}", p.rank, p.area_name)).collect();
            format!(
                "The results of \u{201c}{}\u{201d} are in. Top priorities: {}. <{BASE}/admin/cycles/{}/priorities|See the report>",
                out.survey_title,
                names.join(", "),
                c.cycle_id
            )
        }
        _ => format!(
            "\u{201c}{}\u{201d} closed with too few responses to show results without singling anyone out.",
            out.survey_title
        ),
    };
    Event {
        kind: WebhookEvent::ReportReady,
        data: json!({
            "cycle_id": c.cycle_id,
            "survey_id": c.survey_id,
            "survey_title": out.survey_title,
            "closes_on": c.closes_on,
            "top": top,
            "suppressed": out.top.is_none(),
        }),
        summary,
    }
}

pub fn roadmap_shipped(item: &roadmap_item::Model, linked_reports: usize) -> Event {
    Event {
        kind: WebhookEvent::RoadmapShipped,
        data: json!({
            "item_id": item.item_id,
            "title": item.title,
            "area_id": item.area_id,
            "shipped_on": item.shipped_on,
            "linked_reports": linked_reports,
        }),
        summary: format!(
            "Shipped: \u{201c}{}\u{201d} ({}), linked to {linked_reports} friction report(s). <{BASE}/admin/roadmap|See the roadmap>",
            item.title, item.area_id
        ),
    }
}
