//! The roadmap priority report in every format: JSON (full precision, the
//! shape of interface.md), CSV and Parquet (a table per area, from the
//! analysis crate), Markdown for a roadmap document and a self-contained
//! HTML page with an inline SVG chart (tera templates in `templates/reports/`).

use analysis::Report;
use serde::Serialize;
use tera::{Context, Tera};

/// An output format of `report` and `analyze`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Json,
    Csv,
    Md,
    Html,
    Parquet,
}

const TEMPLATES: &[(&str, &str)] = &[
    ("reports/priorities.md", include_str!("../templates/reports/priorities.md")),
    ("reports/priorities.html", include_str!("../templates/reports/priorities.html")),
];

#[derive(Serialize)]
struct Segment {
    x: f64,
    width: f64,
    color: &'static str,
    label: String,
}

#[derive(Serialize)]
struct Row {
    rank: u32,
    area_name: String,
    area_name_md: String,
    dimension: String,
    priority: String,
    delta: String,
    survey_pain: String,
    pct_unfavorable: String,
    n: String,
    vote_share: String,
    friction_hours: String,
    friction_reports: i64,
    teams_affected: i64,
    roadmap: String,
    roadmap_md: String,
    y: f64,
    end_x: f64,
    segments: Vec<Segment>,
}

#[derive(Serialize)]
struct Chart {
    width: f64,
    height: f64,
    label_width: f64,
}

fn r4(v: f64) -> String {
    format!("{v:.4}")
}

fn md(s: &str) -> String {
    s.replace('|', "\\|").replace('<', "&lt;").replace('\n', " ")
}

/// Lines of "what changed": rank moves and the largest priority changes.
fn changes(report: &Report) -> Vec<String> {
    let Some(prev) = &report.previous else { return Vec::new() };
    let mut lines = Vec::new();
    for p in &report.priorities {
        if let Some(before) = prev.ranks.get(&p.area_id)
            && *before != p.rank
        {
            let dir = if p.rank < *before { "up" } else { "down" };
            lines.push((
                p.rank.abs_diff(*before),
                format!("{} moved {dir} from rank {before} to {}", p.area_name, p.rank),
            ));
        }
    }
    lines.sort_by_key(|l| std::cmp::Reverse(l.0));
    let mut out: Vec<String> = lines.into_iter().take(5).map(|l| l.1).collect();
    let mut deltas: Vec<_> = report.priorities.iter().filter_map(|p| p.priority_delta.map(|d| (d, p))).collect();
    deltas.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    for (d, p) in deltas.into_iter().take(3) {
        let word = if d > 0.0 { "rose" } else { "fell" };
        out.push(format!("The priority of {} {word} by {:.4} points to {:.4}", p.area_name, d.abs(), p.priority));
    }
    if out.is_empty() {
        out.push("No area moved.".into());
    }
    out
}

/// Renders `report` in `format`. `title` names the survey.
pub fn render(report: &Report, format: OutputFormat, title: &str) -> Result<Vec<u8>, String> {
    match format {
        OutputFormat::Json => serde_json::to_vec_pretty(report).map_err(|e| e.to_string()),
        OutputFormat::Csv | OutputFormat::Parquet => {
            let mut out = Vec::new();
            let f = if format == OutputFormat::Csv { analysis::Format::Csv } else { analysis::Format::Parquet };
            analysis::write_report(report, f, &mut out).map_err(|e| e.to_string())?;
            Ok(out)
        }
        OutputFormat::Md | OutputFormat::Html => {
            let mut tera = Tera::default();
            tera.add_raw_templates(TEMPLATES.iter().copied()).map_err(|e| e.to_string())?;
            tera.autoescape_on(vec![".html"]);
            let name = if format == OutputFormat::Md { "reports/priorities.md" } else { "reports/priorities.html" };
            tera.render(name, &context(report, title)).map(String::into_bytes).map_err(|e| format!("{e:?}"))
        }
    }
}

fn context(report: &Report, title: &str) -> Context {
    let w = report.parameters.weights;
    let wsum = w.survey + w.votes + w.friction;
    let (label_width, bar_width, row_height) = (230.0, 560.0, 24.0);
    let max_friction = report.priorities.iter().map(|p| p.friction_hours).fold(0.0, f64::max);
    // The longest bar spans the chart; every bar is to the same scale.
    let scale = bar_width / report.priorities.iter().map(|p| p.priority).fold(1.0, f64::max);
    let rows: Vec<Row> = report
        .priorities
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let friction_norm = if max_friction > 0.0 { p.friction_hours / max_friction } else { 0.0 };
            let parts = [
                (100.0 * w.survey * p.survey_pain / wsum, "#0b57d0", "survey pain"),
                (100.0 * w.votes * p.vote_share.unwrap_or(0.0) / wsum, "#e8710a", "priority votes"),
                (100.0 * w.friction * friction_norm / wsum, "#8e24aa", "friction hours"),
            ];
            let mut x = label_width;
            let segments = parts
                .iter()
                .map(|(points, color, what)| {
                    let width = points * scale;
                    let seg = Segment { x, width, color, label: format!("{what}: {points:.2} points") };
                    x += width;
                    seg
                })
                .collect();
            let roadmap = p.roadmap.join("; ");
            Row {
                rank: p.rank,
                area_name_md: md(&p.area_name),
                area_name: p.area_name.clone(),
                dimension: p.dimension.clone(),
                priority: r4(p.priority),
                delta: p.priority_delta.map(|d| format!("{d:+.4}")).unwrap_or_else(|| "new".into()),
                survey_pain: r4(p.survey_pain),
                pct_unfavorable: p.pct_unfavorable.map(r4).unwrap_or_else(|| "suppressed".into()),
                n: p.n.map(|n| n.to_string()).unwrap_or_else(|| "suppressed".into()),
                vote_share: p.vote_share.map(r4).unwrap_or_else(|| "suppressed".into()),
                friction_hours: r4(p.friction_hours),
                friction_reports: p.friction_reports,
                teams_affected: p.teams_affected,
                roadmap_md: md(&roadmap),
                roadmap,
                y: 10.0 + i as f64 * row_height,
                end_x: x,
                segments,
            }
        })
        .collect();
    let mut ctx = Context::new();
    ctx.insert("title", title);
    ctx.insert("cycle", &report.cycle);
    ctx.insert("generated_at", &report.generated_at);
    ctx.insert("responses", &report.responses);
    ctx.insert("k", &report.parameters.k);
    ctx.insert("weights", &w);
    ctx.insert("weight_sum", &wsum);
    ctx.insert("lookback_days", &report.parameters.lookback_days);
    ctx.insert(
        "chart",
        &Chart { width: label_width + bar_width + 60.0, height: 20.0 + rows.len() as f64 * row_height, label_width },
    );
    ctx.insert("rows", &rows);
    ctx.insert("previous", &report.previous.as_ref().map(|p| &p.cycle));
    ctx.insert("changes", &changes(report));
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;
    use analysis::{CycleInfo, Previous, Priority, Weights};

    fn sample() -> Report {
        let p = |rank, area: &str, name: &str, priority, delta: Option<f64>| Priority {
            rank,
            area_id: area.into(),
            area_name: name.into(),
            dimension: "feedback_loops".into(),
            priority,
            survey_pain: 0.31,
            pct_unfavorable: if rank == 2 { None } else { Some(0.42) },
            n: Some(120),
            vote_share: Some(0.25),
            friction_hours: 12.5,
            friction_reports: 7,
            teams_affected: 3,
            priority_delta: delta,
            roadmap: if rank == 1 { vec!["Faster CI | runners".into()] } else { vec![] },
        };
        let cycle = |id: &str, o: &str, c: &str| CycleInfo {
            cycle_id: id.into(),
            survey_id: "s1".into(),
            opens_on: o.into(),
            closes_on: c.into(),
            status: "closed".into(),
        };
        Report {
            cycle: cycle("c2", "2026-04-06", "2026-04-20"),
            generated_at: "2026-04-21T09:00:00Z".into(),
            parameters: analysis::priorities::Parameters { k: 5, weights: Weights::default(), lookback_days: 90 },
            responses: 120,
            priorities: vec![p(1, "ci", "CI <builds>", 61.2, Some(4.1)), p(2, "docs", "Docs", 40.0, Some(-2.5))],
            previous: Some(Previous {
                cycle: cycle("c1", "2026-01-05", "2026-01-19"),
                ranks: [("ci".to_string(), 2), ("docs".to_string(), 1)].into_iter().collect(),
            }),
        }
    }

    #[test]
    fn markdown_report_snapshot() {
        let md = String::from_utf8(render(&sample(), OutputFormat::Md, "DevEx check-in").unwrap()).unwrap();
        assert!(md.contains("Faster CI \\| runners"), "pipes escaped in table cells");
        insta::assert_snapshot!("priorities_md", md);
    }

    #[test]
    fn html_report_snapshot() {
        let html = String::from_utf8(render(&sample(), OutputFormat::Html, "DevEx check-in").unwrap()).unwrap();
        assert!(html.contains("CI &lt;builds&gt;") && !html.contains("CI <builds>"));
        insta::assert_snapshot!("priorities_html", html);
    }

    #[test]
    fn json_report_has_the_contract_shape() {
        let v: serde_json::Value =
            serde_json::from_slice(&render(&sample(), OutputFormat::Json, "x").unwrap()).unwrap();
        let text = String::from_utf8(render(&sample(), OutputFormat::Json, "x").unwrap()).unwrap();
        let order: Vec<usize> = ["\"cycle\"", "\"generated_at\"", "\"parameters\"", "\"responses\"", "\"priorities\""]
            .iter()
            .map(|k| text.find(k).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "keys in the order of interface.md");
        assert_eq!(v.as_object().unwrap().len(), 5);
        assert_eq!(v["cycle"].as_object().unwrap().len(), 4);
        assert_eq!(v["priorities"][1]["pct_unfavorable"], serde_json::Value::Null);
    }
}
