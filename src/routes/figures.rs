//! How the pages write the analysis crate's figures: whole percents, signed
//! changes in points with an arrow (readable without colour), a colour step
//! for the heatmap, and why a figure is hidden. Formatting only: every
//! number comes from `analysis`.

use serde::Serialize;

/// A share as a whole percent: `62 %`; `None` stays empty.
pub fn pct(p: Option<f64>) -> Option<String> {
    p.map(|p| format!("{:.0} %", p * 100.0))
}

/// A change of a share in points, with an arrow: `▲ 4`, `▼ 3`, `= 0`.
pub fn points(d: Option<f64>) -> Option<Change> {
    let d = d?;
    let pts = (d * 100.0).round() as i64;
    let (arrow, word) = match pts {
        p if p > 0 => ("▲", "up"),
        p if p < 0 => ("▼", "down"),
        _ => ("=", "unchanged"),
    };
    Some(Change {
        text: format!("{arrow} {}", pts.abs()),
        words: if pts == 0 { word.to_string() } else { format!("{word} {} points", pts.abs()) },
        step: step_of_change(pts),
    })
}

/// A change as the pages show it.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// `▲ 4`
    pub text: String,
    /// `up 4 points`, for screen readers and titles.
    pub words: String,
    /// Colour step of the change, `d0` (much worse) .. `d4` (much better).
    pub step: &'static str,
}

fn step_of_change(pts: i64) -> &'static str {
    match pts {
        p if p <= -10 => "d0",
        p if p <= -3 => "d1",
        p if p < 3 => "d2",
        p if p < 10 => "d3",
        _ => "d4",
    }
}

/// The colour step of a % favourable: `s0` (under 40 %) .. `s4` (85 % and up).
pub fn step(p: f64) -> &'static str {
    match p * 100.0 {
        x if x < 40.0 => "s0",
        x if x < 55.0 => "s1",
        x if x < 70.0 => "s2",
        x if x < 85.0 => "s3",
        _ => "s4",
    }
}

/// Why a figure is hidden, in words, for a scope under `k` (or `k_comments`).
pub fn why(reason: Option<&str>, k: u32) -> Option<String> {
    match reason? {
        "fewer_than_k" => Some(format!("fewer than {k} answers")),
        "differencing" => Some("hidden so that a smaller group cannot be worked out by subtraction".to_string()),
        other => Some(other.replace('_', " ")),
    }
}

/// Why a figure is hidden, in two or three words for a heatmap cell.
pub fn why_short(reason: Option<&str>, k: u32) -> Option<String> {
    match reason? {
        "fewer_than_k" => Some(format!("fewer than {k}")),
        _ => Some("guard".to_string()),
    }
}

/// A DevEx index (0..100) with no decimals.
pub fn index(i: Option<f64>) -> Option<String> {
    i.map(|i| format!("{i:.0}"))
}

/// A number of days with at most one decimal.
pub fn days(d: Option<f64>) -> Option<String> {
    d.map(|d| if d.fract() == 0.0 { format!("{d:.0}") } else { format!("{d:.1}") })
}

/// An ISO date as people read it: `5 January 2026`.
pub fn date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%-d %B %Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// A dimension id in words.
pub fn dimension(id: &str) -> String {
    match id {
        "feedback_loops" => "Feedback loops".into(),
        "cognitive_load" => "Cognitive load".into(),
        "flow_state" => "Flow state".into(),
        other => {
            let s = other.replace('_', " ");
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_as_people_expect() {
        assert_eq!(pct(Some(0.625)).as_deref(), Some("62 %"));
        assert_eq!(pct(None), None);
        let up = points(Some(0.041)).unwrap();
        assert_eq!((up.text.as_str(), up.words.as_str(), up.step), ("▲ 4", "up 4 points", "d3"));
        assert_eq!(points(Some(-0.12)).unwrap().step, "d0");
        assert_eq!(points(Some(0.001)).unwrap().words, "unchanged");
        assert_eq!((step(0.39), step(0.85)), ("s0", "s4"));
        assert_eq!(why(Some("fewer_than_k"), 5).as_deref(), Some("fewer than 5 answers"));
        assert_eq!(days(Some(2.5)).as_deref(), Some("2.5"));
        assert_eq!(date("2026-01-05"), "5 January 2026");
    }
}
