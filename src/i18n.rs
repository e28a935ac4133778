//! Translations of what members see: the survey form, their own pages and
//! the emails. The texts live in Fluent files a translator edits without
//! reading Rust, `locales/<lang>/main.ftl`, compiled into the binary; the
//! admin console and the reports stay English.
//!
//! Templates call `{{ fluent(key="survey-submit", lang=lang) }}` (see
//! [`register`]); Rust calls [`t`] and [`t_args`]. A message missing in a
//! language falls back to English. Texts that platform teams can change (the
//! default survey's questions, the default areas' names) are translated only
//! while they are still the English default: see [`bank_prompt`].

use chrono::{Datelike, NaiveDate};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    pub static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Every supported language, the fallback first. The one list: a new
/// language is a folder under `locales/` and its code here.
pub const LANGS: &[&str] = &["en", "de"];

/// The language of a member who has none (and of the console).
pub const FALLBACK: &str = "en";

/// `en`, `DE`, `de-DE`, `de_AT` → the supported language; anything else `None`.
pub fn parse_lang(s: &str) -> Option<&'static str> {
    let primary = s.trim().split(['-', '_']).next().unwrap_or("");
    LANGS.iter().copied().find(|l| l.eq_ignore_ascii_case(primary))
}

/// The supported language of `lang`, or the fallback.
fn supported(lang: &str) -> &'static str {
    parse_lang(lang).unwrap_or(FALLBACK)
}

fn langid(lang: &str) -> LanguageIdentifier {
    supported(lang).parse().unwrap_or_default()
}

/// A Fluent argument: a whole number (plural rules need numbers) or text.
fn arg_value(v: &str) -> FluentValue<'static> {
    let whole =
        !v.is_empty() && v.len() <= 15 && v.bytes().all(|b| b.is_ascii_digit()) && (v == "0" || !v.starts_with('0'));
    match v.parse::<u64>() {
        Ok(n) if whole => FluentValue::from(n),
        _ => FluentValue::from(v.to_string()),
    }
}

/// The message `key` in `lang` (English when that language lacks it).
pub fn t(lang: &str, key: &str) -> String {
    LOCALES.lookup(&langid(lang), key)
}

/// The message `key` in `lang` with its variables, named as in the `.ftl`
/// file (`("n", "3".into())` for `{ $n }`). Whole numbers are passed as
/// numbers, so plural variants work.
pub fn t_args(lang: &str, key: &str, args: &[(&str, String)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> =
        args.iter().map(|(k, v)| (Cow::Owned(k.to_string()), arg_value(v))).collect();
    LOCALES.lookup_with_args(&langid(lang), key, &map)
}

/// Registers `fluent(key=…, lang=…, var=…)` on `tera`. Without `lang` it
/// renders English. Tera's `snake_case` argument names reach Fluent in
/// `kebab-case`: `closes_on=…` is `{ $closes-on }`.
pub fn register(tera: &mut tera::Tera) {
    let loader = fluent_templates::FluentLoader::new(&*LOCALES).with_default_lang(langid(FALLBACK));
    tera.register_function("fluent", loader);
}

/// `stored` in `lang` when it is still the English text of `key`, else as
/// stored (a platform team's own wording is shown as written).
pub fn bank_text(lang: &str, key: &str, stored: &str) -> String {
    if supported(lang) == FALLBACK {
        return stored.to_string();
    }
    match LOCALES.try_lookup(&langid(FALLBACK), key) {
        Some(english) if english == stored => t(lang, key),
        _ => stored.to_string(),
    }
}

/// A question's prompt in `lang` when it is the default survey's English
/// text for that question (`kind_key` is the question kind's wire word:
/// `likert5` with its area, `priority_pick`, `hours`, `text`), else `stored`.
pub fn bank_prompt(lang: &str, area_id: Option<&str>, kind_key: &str, stored: &str) -> String {
    let key = match (area_id, kind_key) {
        (Some(area), "likert5") => format!("bank-q-{area}"),
        (None, "priority_pick") => "bank-q-priority_pick".to_string(),
        (None, "hours") => "bank-q-hours".to_string(),
        (None, "text") | (None, "comment") => "bank-q-comment".to_string(),
        _ => return stored.to_string(),
    };
    bank_text(lang, &key, stored)
}

/// The ids of the 14 default areas (seeded by the first migration), whose
/// names have `area-<id>` messages.
pub const DEFAULT_AREAS: [&str; 14] = [
    "build_test",
    "ci",
    "code_review",
    "deploy",
    "local_env",
    "docs",
    "codebase",
    "debugging",
    "cross_team",
    "change_confidence",
    "deep_work",
    "planning",
    "on_call",
    "incident_response",
];

/// An area's name in `lang` when it is still a default area's English name,
/// else as stored.
pub fn area_name(lang: &str, stored: &str) -> String {
    if supported(lang) == FALLBACK {
        return stored.to_string();
    }
    for id in DEFAULT_AREAS {
        let key = format!("area-{id}");
        if LOCALES.try_lookup(&langid(FALLBACK), &key).as_deref() == Some(stored) {
            return t(lang, &key);
        }
    }
    stored.to_string()
}

/// The status words of friction reports and roadmap items.
const STATUSES: [&str; 9] =
    ["new", "triaged", "planned", "in_progress", "done", "wont_fix", "proposed", "shipped", "dropped"];

/// A friction or roadmap status (wire word `in_progress`, or the English
/// words `in progress`) in `lang`; an unknown one as given.
pub fn status(lang: &str, s: &str) -> String {
    let wire = s.replace(' ', "_");
    if STATUSES.contains(&wire.as_str()) { t(lang, &format!("status-{wire}")) } else { s.to_string() }
}

fn date_args(d: NaiveDate) -> Vec<(&'static str, String)> {
    vec![
        ("day", d.day().to_string()),
        ("month", d.month().to_string()),
        ("year", d.year().to_string()),
        ("weekday", d.weekday().number_from_monday().to_string()),
    ]
}

/// A date with its month's name, for text: `5 January 2026`, `5. Januar 2026`.
pub fn date(lang: &str, d: NaiveDate) -> String {
    let mut args = date_args(d);
    args.push(("month-name", t(lang, &format!("month-{}", d.month()))));
    t_args(lang, "date", &args)
}

/// A date with the weekday, for emails: `Monday 16 March 2026`.
pub fn long_date(lang: &str, d: NaiveDate) -> String {
    let mut args = date_args(d);
    args.push(("month-name", t(lang, &format!("month-{}", d.month()))));
    args.push(("weekday-name", t(lang, &format!("weekday-{}", d.weekday().number_from_monday()))));
    t_args(lang, "date-long", &args)
}

/// A short date, for lists: `5 Jan 2026`.
pub fn short_date(lang: &str, d: NaiveDate) -> String {
    let mut args = date_args(d);
    args.push(("month-name", t(lang, &format!("month-short-{}", d.month()))));
    t_args(lang, "date-short", &args)
}

/// An ISO date (`2026-01-05`) as [`date`] writes it; anything else as given.
pub fn iso_date(lang: &str, iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d").map(|d| date(lang, d)).unwrap_or_else(|_| iso.to_string())
}

/// A number written with `.` (`12.5`) with the decimal separator of `lang`.
pub fn decimal(lang: &str, number: &str) -> String {
    let separator = t(lang, "decimal-separator");
    if separator == "." { number.to_string() } else { number.replace('.', &separator) }
}

/// The validation messages of the survey form and the friction form, by
/// message id. The store writes them in English (the JSON API shows them
/// as they are); [`message`] finds a message by its English text, with
/// `{ $n }` standing for the one part that varies.
const MESSAGES: &[&str] = &[
    "msg-enter-number",
    "msg-likert-range",
    "msg-nps-range",
    "msg-hours-range",
    "msg-pick-at-most",
    "msg-unknown-area",
    "msg-unknown-area-named",
    "msg-not-a-question",
    "msg-answered-twice",
    "msg-needs-answer",
    "msg-not-utf8",
    "msg-not-empty",
    "msg-at-most-chars",
    "msg-control-chars",
    "msg-bidi",
    "msg-minutes-range",
    "msg-severity-range",
    "msg-choose-area",
    "msg-whole-minutes",
    "msg-choose-severity",
];

/// A validation message written in English by the store or a handler, in
/// `lang`; a message without a translation stays as it is.
pub fn message(lang: &str, english: &str) -> String {
    if supported(lang) == FALLBACK {
        return english.to_string();
    }
    const MARK: &str = "\u{1}";
    for key in MESSAGES {
        let pattern = t_args(FALLBACK, key, &[("n", MARK.to_string())]);
        match pattern.split_once(MARK) {
            None if pattern == english => return t(lang, key),
            Some((before, after))
                if english.len() > before.len() + after.len()
                    && english.starts_with(before)
                    && english.ends_with(after) =>
            {
                let n = &english[before.len()..english.len() - after.len()];
                return t_args(lang, key, &[("n", n.to_string())]);
            }
            _ => {}
        }
    }
    english.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_languages_are_the_domains() {
        let domain: Vec<&str> = crate::domain::Lang::ALL.iter().map(|l| l.as_str()).collect();
        assert_eq!(LANGS, domain.as_slice());
    }
    use std::collections::BTreeSet;

    const EN: &str = include_str!("../locales/en/main.ftl");
    const DE: &str = include_str!("../locales/de/main.ftl");

    /// The templates that call `fluent(...)`.
    const TEMPLATES: &[&str] = &[
        include_str!("../templates/base.html"),
        include_str!("../templates/partials/error_summary.html"),
        include_str!("../templates/partials/question.html"),
        include_str!("../templates/pages/survey.html"),
        include_str!("../templates/pages/not_saved.html"),
        include_str!("../templates/pages/notice.html"),
        include_str!("../templates/pages/refused.html"),
        include_str!("../templates/pages/lost_link.html"),
        include_str!("../templates/pages/home.html"),
        include_str!("../templates/pages/member.html"),
        include_str!("../templates/pages/member_results.html"),
        include_str!("../templates/pages/member_team.html"),
        include_str!("../templates/emails/layout.html"),
        include_str!("../templates/emails/welcome/subject.txt"),
        include_str!("../templates/emails/welcome/body.txt"),
        include_str!("../templates/emails/welcome/body.html"),
        include_str!("../templates/emails/your_link/subject.txt"),
        include_str!("../templates/emails/your_link/body.txt"),
        include_str!("../templates/emails/your_link/body.html"),
        include_str!("../templates/emails/new_link/subject.txt"),
        include_str!("../templates/emails/new_link/body.txt"),
        include_str!("../templates/emails/new_link/body.html"),
        include_str!("../templates/emails/invitation/subject.txt"),
        include_str!("../templates/emails/invitation/body.txt"),
        include_str!("../templates/emails/invitation/body.html"),
        include_str!("../templates/emails/reminder/subject.txt"),
        include_str!("../templates/emails/reminder/body.txt"),
        include_str!("../templates/emails/reminder/body.html"),
        include_str!("../templates/emails/friction_followup/subject.txt"),
        include_str!("../templates/emails/friction_followup/body.txt"),
        include_str!("../templates/emails/friction_followup/body.html"),
        include_str!("../templates/emails/results/subject.txt"),
        include_str!("../templates/emails/results/body.txt"),
        include_str!("../templates/emails/results/body.html"),
    ];

    /// The message ids of a `.ftl` file: lines `id = …` at the start.
    fn ids(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter_map(|line| {
                let (id, _) = line.split_once(" =")?;
                let mut chars = id.chars();
                let first = chars.next()?;
                (first.is_ascii_alphabetic() && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .then(|| id.to_string())
            })
            .collect()
    }

    /// The keys of `fluent(key="…"` calls in a template.
    fn template_keys(source: &str) -> Vec<String> {
        source
            .split("fluent(key=\"")
            .skip(1)
            .filter_map(|rest| rest.split_once('"').map(|(k, _)| k.to_string()))
            .collect()
    }

    #[test]
    fn every_key_exists_in_every_language() {
        let (en, de) = (ids(EN), ids(DE));
        assert!(en.len() > 100, "{} ids in en", en.len());
        let only_en: Vec<_> = en.difference(&de).collect();
        let only_de: Vec<_> = de.difference(&en).collect();
        assert!(only_en.is_empty() && only_de.is_empty(), "only in en: {only_en:?}; only in de: {only_de:?}");
    }

    #[test]
    fn every_template_key_exists() {
        let en = ids(EN);
        let used: Vec<String> = TEMPLATES.iter().flat_map(|s| template_keys(s)).collect();
        assert!(used.len() > 100, "{} keys used", used.len());
        let missing: Vec<_> = used.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "not in en/main.ftl: {missing:?}");
    }

    #[test]
    fn every_rust_key_exists() {
        let en = ids(EN);
        let mut keys: Vec<String> = MESSAGES.iter().map(|k| k.to_string()).collect();
        keys.extend(DEFAULT_AREAS.iter().map(|a| format!("area-{a}")));
        keys.extend(STATUSES.iter().map(|s| format!("status-{s}")));
        keys.extend((1..=12).flat_map(|m| [format!("month-{m}"), format!("month-short-{m}")]));
        keys.extend((1..=7).map(|d| format!("weekday-{d}")));
        let missing: Vec<_> = keys.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "not in en/main.ftl: {missing:?}");
    }

    #[test]
    fn messages_are_plain_text() {
        // Templates mark the messages safe: no markup, no entities.
        for (name, ftl) in [("en", EN), ("de", DE)] {
            for line in ftl.lines().filter(|l| !l.starts_with('#')) {
                // `->` opens a choice by number (`{ $n -> … }`).
                let text = line.replace("->", "");
                assert!(!text.contains(['<', '>', '&']), "{name}: {line}");
            }
        }
    }

    #[test]
    fn german_differs_from_english() {
        assert_ne!(t("de", "bank-q-ci"), t("en", "bank-q-ci"));
        assert_ne!(t("de", "survey-submit"), t("en", "survey-submit"));
        assert_eq!(t("de-DE", "survey-submit"), t("de", "survey-submit"));
        assert_eq!(t("fr", "survey-submit"), t("en", "survey-submit"), "an unknown language falls back to English");
    }

    #[test]
    fn languages_parse() {
        assert_eq!(parse_lang("en"), Some("en"));
        assert_eq!(parse_lang("DE"), Some("de"));
        assert_eq!(parse_lang("de-DE"), Some("de"));
        assert_eq!(parse_lang(" de_AT "), Some("de"));
        assert_eq!(parse_lang("fr"), None);
        assert_eq!(parse_lang(""), None);
        assert_eq!(parse_lang("deu"), None);
    }

    #[test]
    fn the_item_bank_is_the_english_of_its_keys() {
        use crate::domain::devex;
        assert_eq!(t("en", "bank-title"), devex::TITLE);
        assert_eq!(t("en", "bank-description"), devex::DESCRIPTION);
        for q in devex::QUESTIONS {
            let kind = q.kind.as_str();
            assert_eq!(bank_prompt("en", q.area_id, kind, q.prompt), q.prompt);
            let german = bank_prompt("de", q.area_id, kind, q.prompt);
            assert_ne!(german, q.prompt, "{:?} has no German", q.area_id);
            assert!(!german.starts_with("Unknown localization"), "{german}");
        }
        // A team's own wording stays as written.
        assert_eq!(bank_prompt("de", Some("ci"), "likert5", "How is CI?"), "How is CI?");
        assert_eq!(bank_text("de", "bank-title", "Our own survey"), "Our own survey");
        assert_ne!(bank_text("de", "bank-title", devex::TITLE), devex::TITLE);
    }

    #[test]
    fn default_areas_and_statuses_translate() {
        assert_eq!(area_name("en", "Documentation"), "Documentation");
        assert_ne!(area_name("de", "Documentation"), "Documentation");
        assert_eq!(area_name("de", "Our own area"), "Our own area");
        assert_eq!(status("en", "in progress"), "in progress");
        assert_eq!(status("en", "wont_fix"), "wont fix");
        assert_ne!(status("de", "in_progress"), "in progress");
        assert_eq!(status("de", "unheard_of"), "unheard_of");
    }

    #[test]
    fn dates_read_as_before_in_english() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 16).unwrap();
        assert_eq!(date("en", d), d.format("%-d %B %Y").to_string());
        assert_eq!(long_date("en", d), d.format("%A %-d %B %Y").to_string());
        assert_eq!(short_date("en", d), d.format("%-d %b %Y").to_string());
        assert_eq!(date("de", d), "16. März 2026");
        assert_eq!(long_date("de", d), "Montag, 16. März 2026");
        assert_eq!(iso_date("en", "2026-01-05"), "5 January 2026");
        assert_eq!(decimal("de", "12.5"), "12,5");
        assert_eq!(decimal("en", "12.5"), "12.5");
        for m in 1..=12 {
            let d = NaiveDate::from_ymd_opt(2026, m, 28).unwrap();
            assert_eq!(date("en", d), d.format("%-d %B %Y").to_string());
            assert_eq!(short_date("en", d), d.format("%-d %b %Y").to_string());
            assert_eq!(long_date("en", d), d.format("%A %-d %B %Y").to_string());
        }
    }

    #[test]
    fn store_messages_translate() {
        assert_eq!(message("en", "enter a number"), "enter a number");
        assert_ne!(message("de", "enter a number"), "enter a number");
        let hours = format!("must be a number of hours from 0 to {}", crate::store::responses::MAX_HOURS);
        assert_eq!(t_args("en", "msg-hours-range", &[("n", crate::store::responses::MAX_HOURS.to_string())]), hours);
        assert!(message("de", &hours).contains("40"), "{}", message("de", &hours));
        assert_ne!(message("de", &hours), hours);
        let chars = message("de", "must be at most 2000 characters");
        assert!(chars.contains("2000") && !chars.contains("must"), "{chars}");
        let area = message("de", "\"nope\" is not a known area");
        assert!(area.contains("\"nope\"") && !area.contains("known"), "{area}");
        assert_eq!(message("de", "something else entirely"), "something else entirely");
    }

    #[test]
    fn plurals_follow_the_count() {
        assert_eq!(t_args("en", "common-problems", &[("n", "1".into())]), "There is a problem");
        assert_eq!(t_args("en", "common-problems", &[("n", "3".into())]), "There are 3 problems");
        let one = t_args("de", "common-problems", &[("n", "1".into())]);
        assert_ne!(one, t_args("de", "common-problems", &[("n", "3".into())]));
    }
}
