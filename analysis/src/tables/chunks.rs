//! The answers file read in slices: the one table too large to hold whole.

use super::{Tables, conform, spec};
use crate::AnalysisError;
use polars::prelude::*;
use polars_io::prelude::{ParquetReader, SerReader};
use std::fs::File;

/// Rows of the answers file read at once (whole row groups, so a little more).
const ANSWER_CHUNK: usize = 1 << 18;

/// `(offset, length)` slices of whole row groups of at least `rows` rows
/// (the last may be shorter).
pub(crate) fn row_group_slices(groups: impl Iterator<Item = usize>, rows: usize) -> Vec<(usize, usize)> {
    let mut slices = Vec::new();
    let (mut start, mut len) = (0, 0);
    for n in groups {
        len += n;
        if len >= rows {
            slices.push((start, len));
            (start, len) = (start + len, 0);
        }
    }
    if len > 0 {
        slices.push((start, len));
    }
    slices
}

impl Tables {
    /// Calls `f` with the answers table in slices of whole row groups (about
    /// [`ANSWER_CHUNK`] rows), conformed to the contract's types. The next
    /// slice is decoded on another thread while `f` works on this one.
    pub fn for_each_answer_chunk(
        &self,
        mut f: impl FnMut(DataFrame) -> Result<(), AnalysisError>,
    ) -> Result<(), AnalysisError> {
        let Some(path) = &self.answers_file else {
            return f(self.get("answers").clone());
        };
        let spec = spec("answers");
        let columns: Vec<String> = spec.columns.iter().map(|c| c.0.to_string()).collect();
        let unreadable = |e: PolarsError| AnalysisError::Input(format!("cannot read {}: {e}", path.display()));
        let open = || File::open(path).map_err(|e| AnalysisError::Input(format!("{}: {e}", path.display())));
        let metadata = ParquetReader::new(open()?).get_metadata().map_err(unreadable)?.clone();
        let slices = row_group_slices(metadata.row_groups.iter().map(|g| g.num_rows()), ANSWER_CHUNK);
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            scope.spawn(move || {
                for slice in slices {
                    let chunk = open().and_then(|file| {
                        let mut reader = ParquetReader::new(file);
                        reader.set_metadata(metadata.clone());
                        let df = reader.with_columns(Some(columns.clone())).with_slice(Some(slice)).finish();
                        conform(spec, df.map_err(unreadable)?)
                    });
                    let failed = chunk.is_err();
                    if tx.send(chunk).is_err() || failed {
                        break;
                    }
                }
            });
            for chunk in rx {
                f(chunk?)?;
            }
            Ok(())
        })
    }
}
