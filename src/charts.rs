//! The geometry of the pages' SVG charts, drawn on the server (no script):
//! a line over cycles and the priority matrix. Templates draw what these
//! compute; each chart also has a table or text alternative on its page.

use serde::Serialize;

/// A point of a line chart.
#[derive(Debug, Clone, Serialize)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    /// What the point is, e.g. `Q3 2026: 64`.
    pub label: String,
}

/// A horizontal guide line with its value.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

/// A line chart: `path` joins the known values (gaps where a value is hidden).
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub width: f64,
    pub height: f64,
    pub path: String,
    pub dots: Vec<Dot>,
    pub ticks: Vec<Tick>,
    /// (x, text) under the axis.
    pub labels: Vec<(f64, String)>,
}

const PAD_LEFT: f64 = 36.0;
const PAD: f64 = 12.0;
const PAD_BOTTOM: f64 = 28.0;

/// A round top for an axis: the smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `v`.
pub fn nice_max(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|m| *m >= v).unwrap_or(10.0 * p)
}

/// A line of `values` (0..=`max`), one per x label; `None` leaves a gap.
pub fn line(values: &[(String, Option<f64>)], max: f64, width: f64, height: f64, unit: &str) -> Line {
    let n = values.len().max(1);
    let plot_w = width - PAD_LEFT - PAD;
    let plot_h = height - PAD - PAD_BOTTOM;
    let x = |i: usize| if n == 1 { PAD_LEFT + plot_w / 2.0 } else { PAD_LEFT + plot_w * i as f64 / (n - 1) as f64 };
    let y = |v: f64| PAD + plot_h * (1.0 - (v / max).clamp(0.0, 1.0));
    let mut path = String::new();
    let mut pen_down = false;
    let mut dots = Vec::new();
    for (i, (label, v)) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let (px, py) = (x(i), y(*v));
                path.push_str(&format!("{}{px:.1},{py:.1} ", if pen_down { "L" } else { "M" }));
                pen_down = true;
                dots.push(Dot { x: px, y: py, label: format!("{label}: {v:.0}{unit}") });
            }
            None => pen_down = false,
        }
    }
    let ticks = (0..=4)
        .map(|t| {
            let v = max * t as f64 / 4.0;
            Tick { y: y(v), label: format!("{v:.0}") }
        })
        .collect();
    let labels = values.iter().enumerate().map(|(i, (l, _))| (x(i), l.clone())).collect();
    Line { width, height, path: path.trim_end().to_string(), dots, ticks, labels }
}

/// A bubble of the priority matrix.
#[derive(Debug, Clone, Serialize)]
pub struct Bubble {
    pub x: f64,
    pub y: f64,
    pub r: f64,
    /// Written beside the bubble for the first [`MATRIX_LABELS`] points only
    /// (the others in their title and the table), so labels do not pile up.
    pub label: Option<String>,
    /// `start` or `end`: labels on the right half sit left of their bubble.
    pub anchor: &'static str,
    pub label_x: f64,
    pub title: String,
}

/// Points of the matrix labelled on the chart (the highest priorities).
pub const MATRIX_LABELS: usize = 6;

/// Room kept around the plot for the largest bubble.
const BUBBLE_ROOM: f64 = 24.0;

/// The priority matrix: survey pain (x, 0..1) against vote share (y, 0..1),
/// bubble area proportional to friction hours.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub size: f64,
    pub bubbles: Vec<Bubble>,
    pub ticks: Vec<(f64, String)>,
}

/// Bubbles from (label, survey_pain, vote_share, friction_hours); a hidden
/// vote share (fewer than k pickers) sits on the axis and says so.
pub fn matrix(points: &[(String, f64, Option<f64>, f64)], size: f64) -> Matrix {
    let (left, top_y) = (PAD_LEFT + BUBBLE_ROOM, PAD + BUBBLE_ROOM);
    let plot = size - left - PAD - BUBBLE_ROOM;
    let top = points.iter().map(|p| p.3).fold(0.0, f64::max);
    let max_x = points.iter().map(|p| p.1).fold(0.0, f64::max).max(0.1);
    let max_y = points.iter().filter_map(|p| p.2).fold(0.0, f64::max).max(0.1);
    let bubbles = points
        .iter()
        .enumerate()
        .map(|(i, (label, pain, share, hours))| {
            let x = left + plot * pain / max_x;
            let r = 4.0 + if top > 0.0 { 18.0 * (hours / top).sqrt() } else { 0.0 };
            let right_half = x > left + plot / 2.0;
            Bubble {
                x,
                y: top_y + (size - PAD_BOTTOM - BUBBLE_ROOM - top_y) * (1.0 - share.unwrap_or(0.0) / max_y),
                r,
                label: (i < MATRIX_LABELS).then(|| label.clone()),
                anchor: if right_half { "end" } else { "start" },
                label_x: if right_half { x - r - 3.0 } else { x + r + 3.0 },
                title: format!(
                    "{label}: survey pain {:.0} %, votes {}, {hours:.1} h per week",
                    pain * 100.0,
                    share.map_or("hidden".to_string(), |s| format!("{:.0} %", s * 100.0))
                ),
            }
        })
        .collect();
    let ticks =
        (0..=4).map(|t| (left + plot * t as f64 / 4.0, format!("{:.0} %", max_x * 100.0 * t as f64 / 4.0))).collect();
    Matrix { size, bubbles, ticks }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hidden_value_leaves_a_gap_in_the_line() {
        let l =
            line(&[("a".into(), Some(50.0)), ("b".into(), None), ("c".into(), Some(100.0))], 100.0, 236.0, 140.0, "");
        assert_eq!(l.dots.len(), 2);
        assert_eq!(l.path.matches('M').count(), 2, "two pieces: {}", l.path);
        assert!(l.dots.iter().all(|d| !d.label.contains("b:")));
        assert_eq!((nice_max(295.0), nice_max(0.4), nice_max(100.0)), (500.0, 0.5, 100.0));
    }
}
