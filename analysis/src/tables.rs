//! The raw export of analysis.md: ten tables with fixed column names and
//! types, read from and written to a folder as Parquet or CSV. Reading checks
//! every table and column and casts to the contract's types, so the
//! arithmetic never meets a surprise.

use crate::AnalysisError;
use crate::aggregates::Aggregates;
use polars::prelude::*;
use polars_io::prelude::{CsvReadOptions, CsvWriter, ParquetReader, ParquetWriter, SerReader, SerWriter};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;

pub(crate) mod chunks;

/// The type of a column in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text (ids, slugs, ISO dates).
    Str,
    /// Whole number.
    Int,
    /// Number.
    Float,
}

impl Kind {
    fn dtype(self) -> DataType {
        match self {
            Kind::Str => DataType::String,
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Str => "text",
            Kind::Int => "integer",
            Kind::Float => "number",
        }
    }
}

/// One table of the export.
pub struct TableSpec {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

use Kind::{Float, Int, Str};

/// The tables of the raw export, in the order of analysis.md.
pub const TABLES: [TableSpec; 10] = [
    TableSpec {
        name: "teams",
        columns: &[
            ("team_id", Str),
            ("slug", Str),
            ("name", Str),
            ("group_name", Str),
            ("kind", Str),
            ("headcount", Int),
        ],
    },
    TableSpec { name: "areas", columns: &[("area_id", Str), ("name", Str), ("dimension", Str)] },
    TableSpec { name: "surveys", columns: &[("survey_id", Str), ("title", Str), ("cadence", Str)] },
    TableSpec {
        name: "questions",
        columns: &[
            ("question_id", Str),
            ("survey_id", Str),
            ("position", Int),
            ("kind", Str),
            ("area_id", Str),
            ("prompt", Str),
        ],
    },
    TableSpec {
        name: "cycles",
        columns: &[("cycle_id", Str), ("survey_id", Str), ("opens_on", Str), ("closes_on", Str), ("status", Str)],
    },
    TableSpec {
        name: "participation",
        columns: &[("cycle_id", Str), ("team_id", Str), ("invited", Int), ("responded", Int), ("group_name", Str)],
    },
    TableSpec {
        name: "responses",
        columns: &[("response_id", Str), ("cycle_id", Str), ("team_id", Str), ("submitted_on", Str)],
    },
    TableSpec {
        name: "answers",
        columns: &[("response_id", Str), ("question_id", Str), ("value_num", Float), ("choice", Str)],
    },
    TableSpec {
        name: "friction_reports",
        columns: &[
            ("report_id", Str),
            ("team_id", Str),
            ("area_id", Str),
            ("created_on", Str),
            ("minutes_lost", Int),
            ("frequency", Str),
            ("severity", Int),
            ("status", Str),
            ("me_too", Int),
            ("resolved_on", Str),
            ("duplicate_of", Str),
        ],
    },
    TableSpec {
        name: "roadmap_items",
        columns: &[("item_id", Str), ("title", Str), ("area_id", Str), ("status", Str), ("shipped_on", Str)],
    },
];

/// Columns an export may lack because older exports did not have them:
/// (table, column). [`Tables::read_dir`] fills them in (see [`fill_frozen_groups`]).
const OPTIONAL: [(&str, &str); 1] = [("participation", "group_name")];

fn optional(table: &str, column: &str) -> bool {
    OPTIONAL.contains(&(table, column))
}

/// One value of a row given to [`TableData::push`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Str(Option<String>),
    Int(Option<i64>),
    Float(Option<f64>),
}

enum Values {
    Str(Vec<Option<String>>),
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
}

/// A table filled row by row from plain values (the service's live data),
/// so callers need not know polars.
pub struct TableData {
    spec: &'static TableSpec,
    columns: Vec<Values>,
}

impl TableData {
    /// An empty table of the contract named `name`.
    pub fn new(name: &str) -> Self {
        let spec = spec(name);
        let columns = spec
            .columns
            .iter()
            .map(|(_, kind)| match kind {
                Str => Values::Str(Vec::new()),
                Int => Values::Int(Vec::new()),
                Float => Values::Float(Vec::new()),
            })
            .collect();
        TableData { spec, columns }
    }

    /// Appends one row, its cells in the contract's column order.
    pub fn push(&mut self, row: Vec<Cell>) -> Result<(), AnalysisError> {
        if row.len() != self.columns.len() {
            return Err(AnalysisError::Input(format!(
                "{}: a row has {} cells, not {}",
                self.spec.name,
                row.len(),
                self.columns.len()
            )));
        }
        for (i, (cell, values)) in row.into_iter().zip(self.columns.iter_mut()).enumerate() {
            match (cell, values) {
                (Cell::Str(v), Values::Str(col)) => col.push(v),
                (Cell::Int(v), Values::Int(col)) => col.push(v),
                (Cell::Float(v), Values::Float(col)) => col.push(v),
                (Cell::Int(v), Values::Float(col)) => col.push(v.map(|x| x as f64)),
                _ => {
                    return Err(AnalysisError::WrongType {
                        table: self.spec.name.into(),
                        column: self.spec.columns[i].0.into(),
                        expected: self.spec.columns[i].1.name(),
                        found: "another kind of value".into(),
                    });
                }
            }
        }
        Ok(())
    }

    fn into_frame(self) -> Result<DataFrame, AnalysisError> {
        let height = match self.columns.first() {
            Some(Values::Str(v)) => v.len(),
            Some(Values::Int(v)) => v.len(),
            Some(Values::Float(v)) => v.len(),
            None => 0,
        };
        let columns = self
            .columns
            .into_iter()
            .zip(self.spec.columns)
            .map(|(values, (name, _))| match values {
                Values::Str(v) => Column::new((*name).into(), v),
                Values::Int(v) => Column::new((*name).into(), v),
                Values::Float(v) => Column::new((*name).into(), v),
            })
            .collect();
        Ok(DataFrame::new(height, columns)?)
    }
}

/// File format of an export folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }

    /// The format of an export folder: the one most of its table files are
    /// in (Parquet on a tie), so a missing table is named in the folder's own
    /// format.
    pub fn detect(dir: &Path) -> Format {
        let count =
            |f: Format| TABLES.iter().filter(|t| dir.join(format!("{}.{}", t.name, f.extension())).exists()).count();
        if count(Format::Csv) > count(Format::Parquet) { Format::Csv } else { Format::Parquet }
    }
}

/// The ten tables, conformed to the contract. A large Parquet `answers`
/// table stays on disk and is read in slices ([`Tables::for_each_answer_chunk`]),
/// so memory stays bounded whatever its size.
#[derive(Clone)]
pub struct Tables {
    frames: BTreeMap<&'static str, DataFrame>,
    answers_file: Option<std::path::PathBuf>,
    /// The counts of [`crate::aggregates`]: given by the caller, or worked
    /// out from `answers` once, on first use.
    aggregates: std::sync::OnceLock<Aggregates>,
}

fn spec(name: &str) -> &'static TableSpec {
    TABLES.iter().find(|t| t.name == name).expect("a table of the contract")
}

/// Casts `df` to the columns of `spec`, in order; names what does not fit.
fn conform(spec: &TableSpec, df: DataFrame) -> Result<DataFrame, AnalysisError> {
    let mut columns = Vec::with_capacity(spec.columns.len());
    for (name, kind) in spec.columns {
        if optional(spec.name, name) && df.column(name).is_err() {
            columns.push(Column::full_null((*name).into(), df.height(), &kind.dtype()));
            continue;
        }
        let col = df
            .column(name)
            .map_err(|_| AnalysisError::MissingColumn { table: spec.name.into(), column: (*name).into() })?;
        let wrong = |found: &DataType| AnalysisError::WrongType {
            table: spec.name.into(),
            column: (*name).into(),
            expected: kind.name(),
            found: found.to_string(),
        };
        let dtype = col.dtype().clone();
        let ok_source = match kind {
            Str => matches!(dtype, DataType::String | DataType::Null),
            Int => dtype.is_integer() || matches!(dtype, DataType::String | DataType::Null),
            Float => dtype.is_primitive_numeric() || matches!(dtype, DataType::String | DataType::Null),
        };
        if !ok_source {
            return Err(wrong(&dtype));
        }
        let cast = col.strict_cast(&kind.dtype()).map_err(|_| wrong(&dtype))?;
        columns.push(cast);
    }
    Ok(DataFrame::new(df.height(), columns)?)
}

impl Tables {
    /// Builds the tables from frames named as in [`TABLES`]; every table must be given.
    pub fn new(frames: Vec<(&str, DataFrame)>) -> Result<Self, AnalysisError> {
        let mut given: BTreeMap<String, DataFrame> = frames.into_iter().map(|(n, f)| (n.to_string(), f)).collect();
        let lacks_groups = given.get("participation").is_some_and(|df| df.column("group_name").is_err());
        let mut out = BTreeMap::new();
        for spec in &TABLES {
            let df = given.remove(spec.name).ok_or_else(|| AnalysisError::MissingTable(spec.name.into()))?;
            out.insert(spec.name, conform(spec, df)?);
        }
        if lacks_groups {
            fill_frozen_groups(&mut out)?;
        }
        Ok(Tables { frames: out, answers_file: None, aggregates: Default::default() })
    }

    /// Builds the tables from row-filled [`TableData`]; every table must be given.
    pub fn from_data(data: Vec<TableData>) -> Result<Self, AnalysisError> {
        let mut frames = Vec::with_capacity(data.len());
        for d in data {
            let name = d.spec.name;
            frames.push((name, d.into_frame()?));
        }
        Tables::new(frames)
    }

    /// Replaces one table with row-filled data (the counts are worked out
    /// again when it is one they come from).
    pub fn replace(&mut self, data: TableData) -> Result<(), AnalysisError> {
        let spec = data.spec;
        let df = conform(spec, data.into_frame()?)?;
        self.frames.insert(spec.name, df);
        if ["responses", "answers", "questions"].contains(&spec.name) {
            self.aggregates = Default::default();
        }
        Ok(())
    }

    /// Gives the counts (the database keeps them for closed cycles), so the
    /// raw responses and answers need not be loaded.
    pub fn set_aggregates(&mut self, aggregates: Aggregates) {
        self.aggregates = aggregates.into();
    }

    /// The counts: as given, or from one pass over `answers`.
    pub fn aggregates(&self) -> Result<&Aggregates, AnalysisError> {
        if let Some(a) = self.aggregates.get() {
            return Ok(a);
        }
        let computed = Aggregates::from_answers(self)?;
        Ok(self.aggregates.get_or_init(|| computed))
    }

    /// One table (for `answers`, see [`Tables::for_each_answer_chunk`]).
    pub fn get(&self, name: &str) -> &DataFrame {
        self.frames.get(spec(name).name).unwrap_or_else(|| panic!("table {name} is read in chunks"))
    }

    /// Reads an export folder: `<table>.parquet` or `<table>.csv` for each table.
    pub fn read_dir(dir: &Path, format: Format) -> Result<Self, AnalysisError> {
        if !dir.is_dir() {
            return Err(AnalysisError::Input(format!("{} is not a folder", dir.display())));
        }
        let mut frames = Vec::new();
        let mut answers_file = None;
        for spec in &TABLES {
            let path = dir.join(format!("{}.{}", spec.name, format.extension()));
            if !path.exists() {
                return Err(AnalysisError::MissingTable(format!("{} (no {})", spec.name, path.display())));
            }
            let unreadable = |e: PolarsError| AnalysisError::Input(format!("cannot read {}: {e}", path.display()));
            let columns: Vec<String> = spec.columns.iter().map(|c| c.0.to_string()).collect();
            let df = match format {
                Format::Parquet => {
                    let file =
                        File::open(&path).map_err(|e| AnalysisError::Input(format!("{}: {e}", path.display())))?;
                    let mut reader = ParquetReader::new(file);
                    let schema = reader.schema().map_err(unreadable)?;
                    if let Some(missing) =
                        columns.iter().find(|c| !schema.contains(c.as_str()) && !optional(spec.name, c))
                    {
                        return Err(AnalysisError::MissingColumn { table: spec.name.into(), column: missing.clone() });
                    }
                    let columns: Vec<String> = columns.into_iter().filter(|c| schema.contains(c.as_str())).collect();
                    if spec.name == "answers" {
                        // Checked on its first rows now, read in slices later.
                        let head = reader
                            .with_columns(Some(columns))
                            .with_slice(Some((0, 1000)))
                            .finish()
                            .map_err(unreadable)?;
                        conform(spec, head)?;
                        answers_file = Some(path.clone());
                        continue;
                    }
                    reader.with_columns(Some(columns)).finish().map_err(unreadable)?
                }
                Format::Csv => {
                    let df = CsvReadOptions::default()
                        .with_has_header(true)
                        .with_infer_schema_length(Some(0))
                        .try_into_reader_with_file_path(Some(path.clone()))
                        .and_then(|r| r.finish())
                        .map_err(unreadable)?;
                    let text: Vec<&str> = spec.columns.iter().filter(|c| c.1 == Str).map(|c| c.0).collect();
                    crate::csv_cells::unescaped(&df, &text)?
                }
            };
            frames.push((spec.name, df));
        }
        let lacks_groups = frames.iter().any(|(n, df)| *n == "participation" && df.column("group_name").is_err());
        let mut out = BTreeMap::new();
        for (name, df) in frames {
            out.insert(name, conform(spec(name), df)?);
        }
        if lacks_groups {
            fill_frozen_groups(&mut out)?;
        }
        Ok(Tables { frames: out, answers_file, aggregates: Default::default() })
    }

    /// Writes the tables into `dir` (created if needed).
    pub fn write_dir(&self, dir: &Path, format: Format) -> Result<(), AnalysisError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| AnalysisError::Input(format!("cannot create {}: {e}", dir.display())))?;
        for (name, df) in &self.frames {
            write_frame(&mut df.clone(), &dir.join(format!("{name}.{}", format.extension())), format)?;
        }
        if self.answers_file.is_some() {
            let mut parts: Option<DataFrame> = None;
            self.for_each_answer_chunk(|chunk| {
                match &mut parts {
                    Some(all) => {
                        all.vstack_mut(&chunk)?;
                    }
                    None => parts = Some(chunk),
                }
                Ok(())
            })?;
            if let Some(mut all) = parts {
                write_frame(&mut all, &dir.join(format!("answers.{}", format.extension())), format)?;
            }
        }
        Ok(())
    }
}

/// An export from before groups were frozen per cycle has no
/// `participation.group_name`: each team's group of the export's day
/// (`teams.group_name`) stands in, as analysis.md says.
fn fill_frozen_groups(frames: &mut BTreeMap<&'static str, DataFrame>) -> Result<(), AnalysisError> {
    let teams = frames["teams"].clone().lazy().select([col("team_id"), col("group_name").alias("team_group")]);
    let p = frames["participation"]
        .clone()
        .lazy()
        .join(teams, [col("team_id")], [col("team_id")], JoinArgs::new(JoinType::Left))
        .with_column(col("team_group").alias("group_name"))
        .collect()?;
    frames.insert("participation", conform(spec("participation"), p)?);
    Ok(())
}

/// Writes one frame as Parquet or CSV.
pub fn write_frame(df: &mut DataFrame, path: &Path, format: Format) -> Result<(), AnalysisError> {
    let file = File::create(path).map_err(|e| AnalysisError::Input(format!("cannot write {}: {e}", path.display())))?;
    match format {
        Format::Parquet => {
            ParquetWriter::new(file).finish(df)?;
        }
        Format::Csv => CsvWriter::new(file).include_header(true).finish(&mut crate::csv_cells::escaped(df)?)?,
    }
    Ok(())
}
