//! The analysis of devpulse: the arithmetic of `analysis.md`, with polars.
//!
//! Pure: tables in, tables out. Nothing here knows about a database, so the
//! same code runs on live data (the service loads tables and calls in) and on
//! an export folder (`devpulse analyze`).
//!
//! Entry points:
//! - [`area_scores`]: per-area scores of one scope (n, favorable and
//!   unfavorable shares, mean, Wilson interval, suppression below k).
//! - [`wilson`]: the Wilson score interval used for `unfav_lo`/`unfav_hi`.

use polars::prelude::*;

/// z for a 95 % interval, as analysis.md fixes it.
pub const Z: f64 = 1.959964;

/// The Wilson score interval of a proportion `p` over `n` trials at [`Z`]:
/// `(p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`.
pub fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let spread = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let denom = 1.0 + z2 / n;
    ((centre - spread) / denom, (centre + spread) / denom)
}

/// The Wilson bounds as polars expressions over `p` and `n` (Float64).
fn wilson_exprs(p: Expr, n: Expr) -> (Expr, Expr) {
    let z2 = lit(Z * Z);
    let centre = p.clone() + z2.clone() / (lit(2.0) * n.clone());
    let spread =
        lit(Z) * (p.clone() * (lit(1.0) - p) / n.clone() + z2.clone() / (lit(4.0) * n.clone() * n.clone())).sqrt();
    let denom = lit(1.0) + z2 / n;
    ((centre.clone() - spread.clone()) / denom.clone(), (centre + spread) / denom)
}

/// Scores per area of one scope, from its `likert5` answers.
///
/// Input columns: `area_id` (String), `value` (numeric, 1..5).
/// Output, one row per area, sorted by `area_id`: `area_id`, `n` (UInt32-ish
/// count), `pct_favorable`, `pct_unfavorable`, `mean`, `unfav_lo`, `unfav_hi`
/// (Float64, null when suppressed) and `suppressed` (Boolean: `n < k`).
pub fn area_scores(answers: LazyFrame, k: u32) -> PolarsResult<DataFrame> {
    let value = col("value").cast(DataType::Float64);
    let n = col("n").cast(DataType::Float64);
    let p_unfav = col("unfavorable").cast(DataType::Float64) / n.clone();
    let (lo, hi) = wilson_exprs(p_unfav.clone(), n.clone());
    let suppressed = col("n").lt(lit(k as i64));
    let hide =
        |e: Expr, name: &str| when(suppressed.clone()).then(lit(NULL).cast(DataType::Float64)).otherwise(e).alias(name);
    answers
        .group_by([col("area_id")])
        .agg([
            len().cast(DataType::Int64).alias("n"),
            value.clone().gt_eq(lit(4.0)).cast(DataType::Int64).sum().alias("favorable"),
            value.clone().lt_eq(lit(2.0)).cast(DataType::Int64).sum().alias("unfavorable"),
            value.mean().alias("mean_value"),
        ])
        .select([
            col("area_id"),
            col("n"),
            hide(col("favorable").cast(DataType::Float64) / n.clone(), "pct_favorable"),
            hide(p_unfav, "pct_unfavorable"),
            hide(col("mean_value"), "mean"),
            hide(lo, "unfav_lo"),
            hide(hi, "unfav_hi"),
            suppressed.alias("suppressed"),
        ])
        .sort(["area_id"], SortMultipleOptions::default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn answers(rows: &[(&str, f64)]) -> LazyFrame {
        let areas: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let values: Vec<f64> = rows.iter().map(|r| r.1).collect();
        df!("area_id" => areas, "value" => values).unwrap().lazy()
    }

    fn f(df: &DataFrame, col: &str, row: usize) -> Option<f64> {
        df.column(col).unwrap().f64().unwrap().get(row)
    }

    #[test]
    fn wilson_matches_a_hand_computation() {
        // p = 0.5, n = 10: centre 0.5 + 3.841459/20 = 0.69207; spread
        // 1.959964 * sqrt(0.025 + 3.841459/400) = 0.364804; denom 1.384146.
        let (lo, hi) = wilson(0.5, 10.0);
        assert!((lo - 0.236593).abs() < 1e-6, "{lo}");
        assert!((hi - 0.763407).abs() < 1e-6, "{hi}");
        let (lo, hi) = wilson(0.0, 5.0);
        assert!(lo.abs() < 1e-12 && (hi - 0.434482).abs() < 1e-6, "{lo} {hi}");
    }

    #[test]
    fn scores_of_a_small_table() {
        // ci: 1,2,3,4,5,5 -> n 6, favorable 3, unfavorable 2, mean 20/6.
        // docs: 4 answers, below k = 5: suppressed, figures null.
        let mut rows: Vec<(&str, f64)> = [1.0, 2.0, 3.0, 4.0, 5.0, 5.0].iter().map(|v| ("ci", *v)).collect();
        rows.extend([("docs", 1.0), ("docs", 1.0), ("docs", 2.0), ("docs", 5.0)]);
        let df = area_scores(answers(&rows), 5).unwrap();
        assert_eq!(df.height(), 2);
        assert_eq!(df.column("area_id").unwrap().str().unwrap().get(0), Some("ci"));
        assert_eq!(df.column("n").unwrap().i64().unwrap().get(0), Some(6));
        assert_eq!(f(&df, "pct_favorable", 0), Some(0.5));
        assert!((f(&df, "pct_unfavorable", 0).unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert!((f(&df, "mean", 0).unwrap() - 20.0 / 6.0).abs() < 1e-12);
        let (lo, hi) = wilson(1.0 / 3.0, 6.0);
        assert!((f(&df, "unfav_lo", 0).unwrap() - lo).abs() < 1e-12);
        assert!((f(&df, "unfav_hi", 0).unwrap() - hi).abs() < 1e-12);
        assert_eq!(df.column("suppressed").unwrap().bool().unwrap().get(0), Some(false));
        assert_eq!(df.column("suppressed").unwrap().bool().unwrap().get(1), Some(true));
        for c in ["pct_favorable", "pct_unfavorable", "mean", "unfav_lo", "unfav_hi"] {
            assert_eq!(f(&df, c, 1), None, "{c} must be null when suppressed");
        }
    }

    proptest! {
        #[test]
        fn the_interval_holds_p_and_stays_in_0_1(unfav in 0u32..200, extra in 0u32..200) {
            let n = (unfav + extra).max(1) as f64;
            let p = unfav.min(n as u32) as f64 / n;
            let (lo, hi) = wilson(p, n);
            prop_assert!(lo >= -1e-12 && hi <= 1.0 + 1e-12);
            prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12);
        }

        #[test]
        fn suppression_never_shows_a_group_under_k(values in proptest::collection::vec(1u8..=5, 0..30), k in 3u32..8) {
            let rows: Vec<(&str, f64)> = values.iter().map(|v| ("ci", *v as f64)).collect();
            let df = area_scores(answers(&rows), k).unwrap();
            if values.is_empty() {
                prop_assert_eq!(df.height(), 0);
            } else {
                let shown = f(&df, "pct_favorable", 0).is_some();
                prop_assert_eq!(shown, values.len() as u32 >= k);
            }
        }
    }
}
