//! Parsers for the small value types of the domain.

use super::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        ///
        /// Stored as its text form (a typed column: a value the code does not
        /// know is a database error, never silently a default).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, sea_orm::DeriveValueType,
        )]
        #[sea_orm(value_type = "String")]
        pub enum $name {
            $(#[serde(rename = $s)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            /// For people: `in_progress` reads "in progress".
            pub fn human(self) -> String {
                self.as_str().replace('_', " ")
            }

            /// Parses the wire form, naming `field` in the error.
            pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
                match value {
                    $($s => Ok($name::$variant),)+
                    _ => Err(FieldError::new(field, format!(
                        concat!("unknown ", $what, " {:?}; expected one of: {}"),
                        value,
                        [$($s),+].join(", ")
                    ))),
                }
            }
        }

        // The document's schema lists the wire words (the derive would list
        // the variant names: it does not see a rename made inside a macro).
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = FieldError;

            fn from_str(value: &str) -> Result<Self, FieldError> {
                Self::parse(stringify!($name), value)
            }
        }
    };
}

string_enum!(
    /// Team Topologies kind of a team.
    TeamKind, "team kind", {
        StreamAligned => "stream-aligned",
        Platform => "platform",
        Enabling => "enabling",
        ComplicatedSubsystem => "complicated-subsystem",
    }
);

string_enum!(
    /// DevEx dimension of an area.
    Dimension, "dimension", {
        FeedbackLoops => "feedback_loops",
        CognitiveLoad => "cognitive_load",
        FlowState => "flow_state",
        Other => "other",
    }
);

string_enum!(
    /// Kind of a survey question.
    QuestionKind, "question kind", {
        Likert5 => "likert5",
        PriorityPick => "priority_pick",
        Text => "text",
        Hours => "hours",
        Nps => "nps",
    }
);

string_enum!(
    /// Status of a survey cycle.
    CycleStatus, "cycle status", {
        Scheduled => "scheduled",
        Open => "open",
        Closed => "closed",
    }
);

string_enum!(
    /// How often a friction happens.
    Frequency, "frequency", {
        OneOff => "one_off",
        Monthly => "monthly",
        Weekly => "weekly",
        Daily => "daily",
    }
);

string_enum!(
    /// Triage status of a friction report.
    FrictionStatus, "status", {
        New => "new",
        Triaged => "triaged",
        Planned => "planned",
        InProgress => "in_progress",
        Done => "done",
        WontFix => "wont_fix",
    }
);

impl FrictionStatus {
    /// Done or won't fix: resolved, takes no votes, counts in no priority
    /// (`analysis::CLOSED_STATUSES`).
    pub fn is_closed(self) -> bool {
        analysis::CLOSED_STATUSES.contains(&self.as_str())
    }

    /// The text forms of [`Self::CLOSED`], for queries: the analysis
    /// crate's table, which the report uses too.
    pub fn closed_strs() -> [&'static str; 2] {
        analysis::CLOSED_STATUSES
    }
}

impl Frequency {
    /// Occurrences per week: one_off 1/13 (once a quarter), monthly 12/52,
    /// weekly 1, daily 5 (working days). The one table of these rates: the
    /// SQL of the triage order and the analysis crate derive from it.
    pub fn per_week(self) -> f64 {
        analysis::frequency_rate(self.as_str()).expect("every frequency has a rate")
    }
}

string_enum!(
    /// Status of a roadmap item.
    RoadmapStatus, "status", {
        Proposed => "proposed",
        Planned => "planned",
        InProgress => "in_progress",
        Shipped => "shipped",
        Dropped => "dropped",
    }
);

/// Trims `value` and refuses it when empty or longer than `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    if v.chars().any(is_bidi_control) {
        return Err(FieldError::new(
            field,
            "must not contain bidirectional override or isolate characters (U+202A to U+202E, U+2066 to U+2069)",
        ));
    }
    Ok(v.to_string())
}

/// The invisible characters that reorder the text after them (embeddings,
/// overrides, isolates). Right-to-left writing needs none of them, and in a
/// title on the triage list, a comment or a CSV cell they can make text read
/// differently from what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Like [`required_text`], but an absent or blank value is `None`.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, FieldError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required_text(field, v, max).map(Some),
    }
}

/// A `YYYY-MM-DD` date.
pub fn parse_date(field: &str, value: &str) -> Result<chrono::NaiveDate, FieldError> {
    chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, format!("{value:?} is not a date (YYYY-MM-DD)")))
}

/// A URL-safe identifier: 1..=64 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let v = value.trim();
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if v.is_empty() || v.len() > 64 {
            return Err(FieldError::new(field, "must be 1 to 64 characters"));
        }
        if !v.chars().all(ok_char) || !v.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(FieldError::new(
                field,
                "may hold only lowercase letters, digits, '-' and '_', and must start with a letter or digit",
            ));
        }
        Ok(Slug(v.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, trimmed and lowercased. Deliberately simple: one `@`, a
/// non-empty local part, a domain with a dot, no spaces, at most 254 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, value: &str) -> Result<Self, FieldError> {
        let v = value.trim().to_lowercase();
        let invalid = || FieldError::new(field, format!("{value:?} is not a valid email address"));
        if v.len() > 254 || v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
            return Err(invalid());
        }
        let (local, domain) = v.split_once('@').ok_or_else(invalid)?;
        if local.is_empty()
            || domain.contains('@')
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
        {
            return Err(invalid());
        }
        Ok(Email(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn enums_round_trip() {
        for k in TeamKind::ALL {
            assert_eq!(TeamKind::parse("kind", k.as_str()).unwrap(), *k);
        }
        let err = Dimension::parse("dimension", "vibes").unwrap_err();
        assert_eq!(err.field, "dimension");
        assert!(err.message.contains("feedback_loops"), "{}", err.message);
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse("email", " Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        for bad in ["", "ada", "ada@", "@x.io", "a@b", "a b@x.io", "a@x..io", "a@@x.io", "<a@x.io>"] {
            assert!(Email::parse("email", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse("slug", "payments-api").unwrap().as_str(), "payments-api");
        for bad in ["", "Payments", "-x", "a b", "ü", &"a".repeat(65)] {
            assert!(Slug::parse("slug", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn text_refuses_reordering_characters_but_keeps_right_to_left_writing() {
        assert_eq!(required_text("t", "שלום עולם", 50).unwrap(), "שלום עולם");
        assert_eq!(required_text("t", "مرحبا CI", 50).unwrap(), "مرحبا CI");
        for bad in ["invoice\u{202E}fdp.exe", "a\u{2066}b", "\u{202A}x"] {
            let err = required_text("title", bad, 50).unwrap_err();
            assert_eq!(err.field, "title");
            assert!(err.message.contains("bidirectional"), "{}", err.message);
        }
    }

    proptest! {
        #[test]
        fn slug_parse_accepts_exactly_its_alphabet(s in "\\PC{0,80}") {
            match Slug::parse("slug", &s) {
                Ok(slug) => {
                    prop_assert!(!slug.as_str().is_empty() && slug.as_str().len() <= 64);
                    prop_assert!(slug.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'));
                }
                Err(e) => prop_assert_eq!(e.field, "slug"),
            }
        }

        #[test]
        fn email_parse_never_panics_and_normalises(s in "\\PC{0,80}") {
            if let Ok(e) = Email::parse("email", &s) {
                prop_assert_eq!(e.as_str(), e.as_str().to_lowercase());
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }

        #[test]
        fn required_text_bounds(s in "\\PC{0,300}") {
            if let Ok(t) = required_text("title", &s, 200) {
                prop_assert!(!t.is_empty() && t.chars().count() <= 200);
                prop_assert!(!t.chars().any(is_bidi_control));
                prop_assert!(!t.chars().any(|c| c.is_control() && !"\n\r\t".contains(c)));
            }
        }
    }
}

string_enum!(
    /// Where an email of the outbox stands.
    EmailStatus, "email status", {
        Queued => "queued",
        Sent => "sent",
        Failed => "failed",
    }
);

string_enum!(
    /// What an email of the outbox is.
    EmailKind, "email kind", {
        Welcome => "welcome",
        Invitation => "invitation",
        Reminder => "reminder",
        FrictionFollowup => "friction_followup",
        NewLink => "new_link",
        YourLink => "your_link",
        Results => "results",
    }
);

string_enum!(
    /// A language of members' pages and emails: the one list (`crate::i18n`
    /// keeps the texts, in `locales/<lang>/`).
    Lang, "language", {
        En => "en",
        De => "de",
    }
);

string_enum!(
    /// How a webhook's body is shaped: Standard Webhooks JSON, or Slack's `{"text": ...}`.
    WebhookFormat, "format", {
        Standard => "standard",
        Slack => "slack",
    }
);

string_enum!(
    /// What a webhook can be told about.
    WebhookEvent, "event", {
        FrictionCreated => "friction.created",
        FrictionStatusChanged => "friction.status_changed",
        CycleOpened => "cycle.opened",
        CycleClosed => "cycle.closed",
        ReportReady => "report.ready",
        RoadmapShipped => "roadmap.shipped",
    }
);

string_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus, "delivery status", {
        Queued => "queued",
        Delivered => "delivered",
        Failed => "failed",
    }
);

impl Lang {
    /// The language's own name, for pickers.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }
}

impl EmailKind {
    /// Invitations and reminders: who got one, and when, could be lined up
    /// with when responses came in, so their recipient is dropped once sent.
    pub fn is_about_a_survey(self) -> bool {
        matches!(self, EmailKind::Invitation | EmailKind::Reminder)
    }
}
