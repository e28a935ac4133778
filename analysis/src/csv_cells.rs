//! The CSV rule of analysis.md: a text cell that a spreadsheet would read as
//! a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return)
//! is written with a leading `'`, and readers drop that one `'` again. A cell
//! that starts with `'` itself is escaped too, so the `'` a reader drops is
//! always the writer's and every text reads back unchanged. Numbers are
//! never touched.

use polars::prelude::*;

/// First characters that get a leading `'` in CSV.
pub const ESCAPED_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// Whether a text cell is written with a leading `'`.
pub fn needs_escape(cell: &str) -> bool {
    cell.starts_with(ESCAPED_STARTS)
}

/// A text cell as written to CSV.
pub fn escape(cell: &str) -> String {
    if needs_escape(cell) { format!("'{cell}") } else { cell.to_string() }
}

/// A text cell as read back from CSV.
pub fn unescape(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Applies `f` to the text cells of `columns` (every text column when `None`)
/// where `touch` says so; columns with no such cell are left as they are.
fn map_text(
    df: &DataFrame,
    columns: Option<&[&str]>,
    touch: fn(&str) -> bool,
    f: fn(&str) -> String,
) -> PolarsResult<DataFrame> {
    let mut out = df.clone();
    for col in df.columns() {
        let name = col.name().to_string();
        if col.dtype() != &DataType::String || columns.is_some_and(|c| !c.contains(&name.as_str())) {
            continue;
        }
        let ca = col.str()?;
        if !ca.iter().any(|v| v.is_some_and(touch)) {
            continue;
        }
        let values: Vec<Option<String>> =
            ca.iter().map(|v| v.map(|s| if touch(s) { f(s) } else { s.to_string() })).collect();
        out.replace(&name, Column::new(name.as_str().into(), values))?;
    }
    Ok(out)
}

/// `df` with its text cells escaped for CSV.
pub fn escaped(df: &DataFrame) -> PolarsResult<DataFrame> {
    map_text(df, None, needs_escape, escape)
}

/// `df` read from CSV with the text cells of `columns` unescaped.
pub fn unescaped(df: &DataFrame, columns: &[&str]) -> PolarsResult<DataFrame> {
    map_text(df, Some(columns), |s| s.starts_with('\''), |s| unescape(s).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formulas_get_a_quote_and_plain_text_does_not() {
        assert_eq!(escape("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        for s in ["+1", "-2", "@SUM(A1)", "\tx", "\rx", "'quoted'"] {
            assert!(escape(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(escape("CI queue"), "CI queue");
        assert_eq!(escape(""), "");
    }

    proptest! {
        #[test]
        fn every_text_reads_back_unchanged(s in ".*") {
            let written = escape(&s);
            prop_assert_eq!(unescape(&written), s.as_str());
            prop_assert!(!written.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }
    }
}
