//! The demo's names and texts, and how its areas score (tables, not logic).

pub const GROUPS: [&str; 4] = ["Commerce", "Payments", "Growth", "Core Platform"];
pub const TEAM_NAMES: [&str; 24] = [
    "Checkout",
    "Ledger",
    "Onboarding",
    "Developer Platform",
    "Catalog",
    "Billing",
    "Notifications",
    "Cloud Infrastructure",
    "Search",
    "Fraud Detection",
    "Mobile",
    "Observability",
    "Pricing",
    "Payouts",
    "Recommendations",
    "Release Engineering",
    "Orders",
    "Risk",
    "Insights",
    "Enablement",
    "Inventory",
    "Tax",
    "Web",
    "Identity",
];
pub const FIRST: [&str; 24] = [
    "ada", "alan", "grace", "linus", "margaret", "dennis", "barbara", "ken", "frances", "john", "radia", "tim",
    "sophie", "guido", "hedy", "bjarne", "karen", "niklaus", "anita", "edsger", "joan", "donald", "lynn", "brian",
];
pub const LAST: [&str; 16] = [
    "lovelace",
    "turing",
    "hopper",
    "torvalds",
    "hamilton",
    "ritchie",
    "liskov",
    "thompson",
    "allen",
    "backus",
    "perlman",
    "lee",
    "wilson",
    "rossum",
    "lamarr",
    "kernighan",
];

/// Baseline satisfaction (1..5) per default area, before team and time effects.
pub fn base_score(area: &str) -> f64 {
    match area {
        "build_test" => 3.1,
        "ci" => 2.4,
        "code_review" => 3.5,
        "deploy" => 2.9,
        "local_env" => 2.8,
        "docs" => 2.5,
        "codebase" => 2.9,
        "debugging" => 3.2,
        "cross_team" => 2.8,
        "change_confidence" => 3.1,
        "deep_work" => 2.7,
        "planning" => 3.3,
        "on_call" => 3.4,
        "incident_response" => 3.6,
        _ => 3.0,
    }
}

/// How an area moves over cycles `c` of `n` (0 = oldest): CI improves once
/// its roadmap item ships before the second-to-last cycle, local environments
/// before the last one; on-call gets worse every quarter; docs creep up.
pub fn trend(area: &str, c: u32, n: u32) -> f64 {
    let after = |k: u32| n >= k && c >= n - k;
    match area {
        "ci" if after(2) => 1.0,
        "local_env" if after(1) => 0.7,
        "on_call" => -0.3 * c as f64,
        "docs" => 0.1 * c as f64,
        _ => 0.0,
    }
}

/// A free-text comment about the area that hurt a respondent most; `variant`
/// picks one of a few phrasings, so the comments read like several people.
pub fn comment(area: &str, variant: usize) -> &'static str {
    let options: &[&str] = match area {
        "ci" => &[
            "CI queues are the biggest drain on my day; a green build takes far too long.",
            "I batch my changes because every CI run costs me half an hour.",
            "Flaky pipelines mean I rerun jobs instead of fixing anything.",
        ],
        "docs" => &[
            "I can never find the current docs for internal services.",
            "Half the wiki pages I find are out of date; I end up asking in chat.",
            "A searchable docs portal would save me hours every week.",
        ],
        "on_call" => &[
            "On-call weeks leave no time for planned work.",
            "Pages at night for alerts nobody acts on wear the team down.",
        ],
        "local_env" => &[
            "Getting a service running locally takes a day of fiddling.",
            "My laptop setup breaks after every dependency bump.",
        ],
        "deep_work" => &["Too many meetings break up the day.", "I rarely get two hours without an interruption."],
        "deploy" => &["Releases need too many manual steps.", "I wait days for a deploy window for a one-line fix."],
        "cross_team" => {
            &["Waiting on other teams' API changes stalls most of my work.", "It is hard to know which team owns what."]
        }
        "codebase" => &["Parts of the codebase nobody dares to touch any more."],
        _ => &["Small things add up; thanks for asking.", "Mostly fine; the tooling could be faster."],
    };
    options[variant % options.len()]
}

/// Canned friction texts: (title, trying to, blocked by, expected).
pub fn friction_text(area: &str, variant: usize) -> (&'static str, &'static str, &'static str, &'static str) {
    let options: [(&str, &str, &str, &str); 3] = match area {
        "ci" => [
            (
                "CI queue over 30 minutes",
                "merge a one-line fix",
                "the CI queue waited 35 minutes for a runner",
                "a runner within a few minutes",
            ),
            (
                "Flaky integration test blocks merges",
                "merge my pull request",
                "an unrelated flaky test failed three times",
                "flaky tests quarantined automatically",
            ),
            (
                "CI cache misses on every build",
                "get fast feedback on a change",
                "dependencies were rebuilt from scratch",
                "a warm dependency cache",
            ),
        ],
        "build_test" => [
            (
                "Full test suite takes 25 minutes locally",
                "run the tests before pushing",
                "the suite takes 25 minutes",
                "a fast subset for the code I touched",
            ),
            (
                "Incremental build rebuilds everything",
                "iterate on a small change",
                "every change triggers a full rebuild",
                "incremental builds that work",
            ),
            (
                "Test fixtures out of date",
                "write a test for a new endpoint",
                "shared fixtures no longer match the schema",
                "fixtures generated from the schema",
            ),
        ],
        "deploy" => [
            (
                "Manual approval step for every deploy",
                "ship a config change",
                "waited half a day for an approval",
                "automatic approval for low-risk changes",
            ),
            (
                "Rollback needs a ticket",
                "roll back a bad release",
                "rollback required a ticket to another team",
                "one-click rollback",
            ),
            (
                "Staging environment broken",
                "test a release candidate",
                "staging was down for a day",
                "an environment per pull request",
            ),
        ],
        "local_env" => [
            (
                "Local setup fails on a new laptop",
                "run the service locally",
                "the setup script failed on missing secrets",
                "a dev container that just works",
            ),
            (
                "Local database seed is outdated",
                "reproduce a bug locally",
                "the seed data no longer matches production shapes",
                "fresh anonymised seed data",
            ),
            (
                "Docker compose eats all memory",
                "run three services together",
                "the laptop ran out of memory",
                "lighter local dependencies",
            ),
        ],
        "docs" => [
            (
                "Internal API docs out of date",
                "call the accounts API",
                "the documented fields no longer exist",
                "docs generated from the API",
            ),
            ("No runbook for the queue service", "fix a stuck queue", "there was no runbook", "a runbook per service"),
            (
                "Can't find the architecture decision",
                "understand why we chose this design",
                "the decision record was nowhere",
                "searchable decision records",
            ),
        ],
        "on_call" => [
            (
                "Paged at night for a non-urgent alert",
                "sleep",
                "a warning-level alert paged me at 3am",
                "only actionable alerts page",
            ),
            (
                "On-call handover missing context",
                "pick up an ongoing incident",
                "the handover had no notes",
                "a handover template",
            ),
            (
                "Alert storm during deploys",
                "deploy a service",
                "fifty alerts fired during a normal deploy",
                "alerts silenced during deploys",
            ),
        ],
        "debugging" => [
            (
                "Logs not searchable across services",
                "trace a failed request",
                "logs of each service are separate",
                "traces across services",
            ),
            (
                "No access to production metrics",
                "check a latency regression",
                "metrics need an access request",
                "read access for engineers",
            ),
            (
                "Stack traces stripped in production",
                "debug a crash",
                "the stack trace was truncated",
                "full stack traces",
            ),
        ],
        "code_review" => [
            (
                "Pull request waited two days for review",
                "get a change reviewed",
                "no reviewer picked it up",
                "a review within a day",
            ),
            (
                "Review bounced on style nits",
                "merge a feature",
                "three rounds on formatting",
                "formatting enforced by tooling",
            ),
            (
                "No reviewer with domain knowledge",
                "change the billing rules",
                "nobody on the team knows the module",
                "a known owner per module",
            ),
        ],
        "cross_team" => [
            (
                "Waiting on another team's API change",
                "ship a feature",
                "blocked for a week on another team's backlog",
                "a clear way to request changes",
            ),
            (
                "Unclear service ownership",
                "report a bug in a dependency",
                "nobody knew which team owns it",
                "a service catalogue",
            ),
            (
                "Shared library breaking changes",
                "upgrade a dependency",
                "a minor version broke our build",
                "semantic versioning followed",
            ),
        ],
        _ => [
            (
                "Interrupted by ad-hoc requests",
                "finish a planned task",
                "four interruptions in one morning",
                "a rotation for ad-hoc requests",
            ),
            (
                "Priorities changed mid-sprint",
                "finish the sprint goal",
                "priorities changed twice in a week",
                "stable priorities within a sprint",
            ),
            ("Too many meetings", "get a block of focus time", "meetings every hour", "meeting-free afternoons"),
        ],
    };
    options[variant % 3]
}
