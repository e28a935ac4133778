//! The priority report as a table: CSV (4 decimals, text cells escaped) and
//! Parquet (full precision).

use crate::AnalysisError;
use crate::priorities::{Priority, Report};
use polars::prelude::*;

/// Writes the report's priorities as CSV (4 decimals) or Parquet (full precision).
pub fn write_report(report: &Report, format: crate::Format, out: &mut Vec<u8>) -> Result<(), AnalysisError> {
    use polars_io::prelude::{CsvWriter, ParquetWriter, SerWriter};
    let mut df = report_frame(report)?;
    match format {
        crate::Format::Csv => CsvWriter::new(out)
            .include_header(true)
            .with_float_precision(Some(4))
            .finish(&mut crate::csv_cells::escaped(&df)?)?,
        crate::Format::Parquet => {
            ParquetWriter::new(out).finish(&mut df)?;
        }
    }
    Ok(())
}

/// The report's priorities as a table (for CSV and Parquet), full precision.
pub fn report_frame(report: &Report) -> PolarsResult<DataFrame> {
    let p = &report.priorities;
    let col_f =
        |name: &str, f: &dyn Fn(&Priority) -> f64| Column::new(name.into(), p.iter().map(f).collect::<Vec<_>>());
    let height = p.len();
    DataFrame::new(
        height,
        vec![
            Column::new("cycle_id".into(), vec![report.cycle.cycle_id.clone(); height]),
            Column::new("rank".into(), p.iter().map(|r| r.rank).collect::<Vec<_>>()),
            Column::new("area_id".into(), p.iter().map(|r| r.area_id.clone()).collect::<Vec<_>>()),
            Column::new("area_name".into(), p.iter().map(|r| r.area_name.clone()).collect::<Vec<_>>()),
            Column::new("dimension".into(), p.iter().map(|r| r.dimension.clone()).collect::<Vec<_>>()),
            col_f("priority", &|r| r.priority),
            col_f("survey_pain", &|r| r.survey_pain),
            Column::new("pct_unfavorable".into(), p.iter().map(|r| r.pct_unfavorable).collect::<Vec<_>>()),
            Column::new("n".into(), p.iter().map(|r| r.n).collect::<Vec<_>>()),
            Column::new("vote_share".into(), p.iter().map(|r| r.vote_share).collect::<Vec<_>>()),
            col_f("friction_hours", &|r| r.friction_hours),
            Column::new("friction_reports".into(), p.iter().map(|r| r.friction_reports).collect::<Vec<_>>()),
            Column::new("teams_affected".into(), p.iter().map(|r| r.teams_affected).collect::<Vec<_>>()),
            Column::new("priority_delta".into(), p.iter().map(|r| r.priority_delta).collect::<Vec<_>>()),
            Column::new("roadmap".into(), p.iter().map(|r| r.roadmap.join("; ")).collect::<Vec<_>>()),
        ],
    )
}
