//! Languages of the pages members see and of the emails.

/// The languages devpulse speaks: the one list the others derive from.
pub const LANGS: &[&str] = &["en", "de"];
/// The language when nothing else says.
pub const DEFAULT_LANG: &str = "en";

/// `en`, `DE`, `de-DE` and the like: one of [`LANGS`], or `None`.
pub fn parse_lang(s: &str) -> Option<&'static str> {
    let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    LANGS.iter().copied().find(|l| *l == primary)
}
