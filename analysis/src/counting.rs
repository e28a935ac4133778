//! One streaming pass over an export's `answers` that counts them into
//! [`Aggregates`]. Every id is turned into a small integer once (responses,
//! areas, (cycle, team) groups), so each answer costs two hash lookups and an
//! increment, and no slice of answers is ever joined or kept.

use crate::aggregates::{Aggregates, in_cycles};
use crate::{AnalysisError, Tables};
use polars::prelude::*;
use std::borrow::Cow;

/// The integer key of a `(cycle_id, team_id)` group.
type Group = u32;

/// What an answer to a question counts towards.
#[derive(Clone, Copy)]
enum Counts {
    /// A likert5 question of an area (its index).
    Likert(u32),
    /// A priority pick: `choice` names the area.
    Pick,
}

/// Interns strings as dense indexes, in first-seen order.
#[derive(Default)]
struct Interner<'a> {
    index: PlHashMap<Cow<'a, str>, u32>,
    names: Vec<Cow<'a, str>>,
}

impl<'a> Interner<'a> {
    fn id(&mut self, name: Cow<'a, str>) -> u32 {
        if let Some(i) = self.index.get(name.as_ref()) {
            return *i;
        }
        let i = self.names.len() as u32;
        self.index.insert(name.clone(), i);
        self.names.push(name);
        i
    }

    /// The index of a name that does not live as long as the tables.
    fn id_of_copy(&mut self, name: &str) -> u32 {
        match self.index.get(name) {
            Some(i) => *i,
            None => self.id(Cow::Owned(name.to_string())),
        }
    }
}

/// The running counts of the pass; ids borrowed from the tables.
struct Counter<'a> {
    /// The areas of likert questions come first (`likert_areas` of them);
    /// picks may name others.
    areas: Interner<'a>,
    likert_areas: usize,
    questions: PlHashMap<&'a str, Counts>,
    /// Response id → (its index, its group).
    responses: PlHashMap<&'a str, (u32, Group)>,
    /// (cycle, team) of each group.
    groups: Vec<(&'a str, Option<&'a str>)>,
    /// Responses per group, and those that answered a pick.
    per_group: Vec<(i64, i64)>,
    /// Whole likert values 1-5: `[group * likert_areas + area][value - 1]`.
    likert: Vec<[i64; 5]>,
    /// Any other likert value, by its bits.
    odd_values: PlHashMap<(Group, u32, u64), i64>,
    /// Distinct (response, area) picks, and the votes they make per (group, area).
    picked: PlHashSet<(u32, u32)>,
    votes: PlHashMap<(Group, u32), i64>,
    picker: Vec<bool>,
}

fn strings<'a>(df: &'a DataFrame, name: &str) -> PolarsResult<&'a StringChunked> {
    df.column(name)?.str()
}

impl<'a> Counter<'a> {
    /// `questions` from the tables; `responses` the ones to count.
    fn new(questions: &'a DataFrame, responses: &'a DataFrame) -> PolarsResult<Self> {
        let mut areas = Interner::default();
        let q = questions;
        let (ids, kinds, q_areas) = (strings(q, "question_id")?, strings(q, "kind")?, strings(q, "area_id")?);
        let mut by_id = PlHashMap::new();
        for ((id, kind), area) in ids.iter().zip(kinds.iter()).zip(q_areas.iter()) {
            let counts = match (kind, area) {
                (Some("likert5"), Some(area)) => Counts::Likert(areas.id(Cow::Borrowed(area))),
                (Some("priority_pick"), _) => Counts::Pick,
                _ => continue,
            };
            if let Some(id) = id {
                by_id.insert(id, counts);
            }
        }
        let r = responses;
        let (ids, cycle_ids, teams) = (strings(r, "response_id")?, strings(r, "cycle_id")?, strings(r, "team_id")?);
        let mut group_of: PlHashMap<(&str, Option<&str>), Group> = PlHashMap::new();
        let (mut groups, mut per_group) = (Vec::new(), Vec::new());
        let mut responses = PlHashMap::with_capacity(r.height());
        for ((id, cycle), team) in ids.iter().zip(cycle_ids.iter()).zip(teams.iter()) {
            let (Some(id), Some(cycle)) = (id, cycle) else { continue };
            let group = *group_of.entry((cycle, team)).or_insert_with(|| {
                groups.push((cycle, team));
                per_group.push((0, 0));
                (groups.len() - 1) as Group
            });
            let index = responses.len() as u32;
            if !responses.contains_key(id) {
                responses.insert(id, (index, group));
                per_group[group as usize].0 += 1;
            }
        }
        let likert_areas = areas.names.len();
        Ok(Counter {
            areas,
            likert_areas,
            questions: by_id,
            picker: vec![false; responses.len()],
            responses,
            likert: vec![[0; 5]; groups.len() * likert_areas],
            groups,
            per_group,
            odd_values: PlHashMap::new(),
            picked: PlHashSet::new(),
            votes: PlHashMap::new(),
        })
    }

    /// Counts one slice of answers.
    fn add(&mut self, chunk: &DataFrame) -> PolarsResult<()> {
        let (responses, questions) = (strings(chunk, "response_id")?, strings(chunk, "question_id")?);
        let values = chunk.column("value_num")?.f64()?;
        let choices = strings(chunk, "choice")?;
        let rows = responses.iter().zip(questions.iter()).zip(values.iter()).zip(choices.iter());
        // An export lists a response's answers together: look each up once.
        let mut last: Option<(&str, Option<(u32, Group)>)> = None;
        for (((response, question), value), choice) in rows {
            let (Some(response), Some(question)) = (response, question) else { continue };
            let Some(counts) = self.questions.get(question).copied() else { continue };
            let found = match last {
                Some((id, found)) if id == response => found,
                _ => {
                    let found = self.responses.get(response).copied();
                    last = Some((response, found));
                    found
                }
            };
            let Some((index, group)) = found else { continue };
            match (counts, value, choice) {
                (Counts::Likert(area), Some(v), _) => self.likert_value(group, area, v),
                (Counts::Pick, _, Some(choice)) => {
                    let area = self.areas.id_of_copy(choice);
                    if self.picked.insert((index, area)) {
                        *self.votes.entry((group, area)).or_default() += 1;
                        if !self.picker[index as usize] {
                            self.picker[index as usize] = true;
                            self.per_group[group as usize].1 += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn likert_value(&mut self, group: Group, area: u32, v: f64) {
        if v.fract() == 0.0 && (1.0..=5.0).contains(&v) {
            self.likert[group as usize * self.likert_areas + area as usize][v as usize - 1] += 1;
        } else {
            *self.odd_values.entry((group, area, v.to_bits())).or_default() += 1;
        }
    }

    fn finish(self) -> Result<Aggregates, AnalysisError> {
        // Sorted by integer keys, so the frames (and sums over them) come out
        // the same every run whatever the hash maps' order.
        let mut likert: Vec<(Group, u32, f64, i64)> = Vec::new();
        for (cell, counts) in self.likert.iter().enumerate() {
            let (g, a) = ((cell / self.likert_areas) as Group, (cell % self.likert_areas) as u32);
            let whole = counts.iter().enumerate().filter(|(_, n)| **n > 0);
            likert.extend(whole.map(|(i, &n)| (g, a, (i + 1) as f64, n)));
        }
        likert.extend(self.odd_values.iter().map(|(&(g, a, bits), &n)| (g, a, f64::from_bits(bits), n)));
        likert.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2)));
        let mut picks: Vec<(Group, u32, i64)> = self.votes.iter().map(|(&(g, a), &n)| (g, a, n)).collect();
        picks.sort_unstable();
        let cycle = |g: &Group| self.groups[*g as usize].0;
        let team = |g: &Group| self.groups[*g as usize].1;
        let area = |a: &u32| self.areas.names[*a as usize].as_ref();
        let column = |name: &str, values: Series| Column::from(values.with_name(name.into()));
        let likert = DataFrame::new(
            likert.len(),
            vec![
                column("cycle_id", likert.iter().map(|r| cycle(&r.0)).collect()),
                column("team_id", likert.iter().map(|r| team(&r.0)).collect()),
                column("area_id", likert.iter().map(|r| area(&r.1)).collect()),
                column("value", likert.iter().map(|r| r.2).collect()),
                column("count", likert.iter().map(|r| r.3).collect()),
            ],
        )?;
        let picks = DataFrame::new(
            picks.len(),
            vec![
                column("cycle_id", picks.iter().map(|r| cycle(&r.0)).collect()),
                column("team_id", picks.iter().map(|r| team(&r.0)).collect()),
                column("area_id", picks.iter().map(|r| area(&r.1)).collect()),
                column("votes", picks.iter().map(|r| r.2).collect()),
            ],
        )?;
        let groups: Vec<Group> = (0..self.groups.len() as Group).collect();
        let responses = DataFrame::new(
            groups.len(),
            vec![
                column("cycle_id", groups.iter().map(cycle).collect()),
                column("team_id", groups.iter().map(team).collect()),
                column("responses", self.per_group.iter().map(|p| p.0).collect()),
                column("pick_responses", self.per_group.iter().map(|p| p.1).collect()),
            ],
        )?;
        Aggregates::new(likert, picks, responses)
    }
}

/// The counts of `cycles` (every cycle when `None`) from one pass over the
/// answers of `tables`.
pub(crate) fn count_answers(tables: &Tables, cycles: Option<&[&str]>) -> Result<Aggregates, AnalysisError> {
    let mut responses = tables.get("responses").clone().lazy();
    if let Some(ids) = cycles {
        responses = responses.filter(in_cycles(ids));
    }
    let responses = responses.select([col("response_id"), col("cycle_id"), col("team_id")]).collect()?;
    let mut counter = Counter::new(tables.get("questions"), &responses)?;
    tables.for_each_answer_chunk(|chunk| Ok(counter.add(&chunk)?))?;
    counter.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::Format;

    /// The counts the slow way: join every answer with its question and
    /// response, then group (what the pass replaced).
    fn by_joins(tables: &Tables) -> (DataFrame, DataFrame) {
        let inner = || JoinArgs::new(JoinType::Inner);
        let answers = tables.get("answers").clone().lazy();
        let questions = tables.get("questions").clone().lazy();
        let responses =
            tables.get("responses").clone().lazy().select([col("response_id"), col("cycle_id"), col("team_id")]);
        let likert = answers
            .clone()
            .filter(col("value_num").is_not_null())
            .join(
                questions.clone().filter(col("kind").eq(lit("likert5")).and(col("area_id").is_not_null())),
                [col("question_id")],
                [col("question_id")],
                inner(),
            )
            .join(responses.clone(), [col("response_id")], [col("response_id")], inner())
            .group_by([col("cycle_id"), col("team_id"), col("area_id"), col("value_num").alias("value")])
            .agg([len().cast(DataType::Int64).alias("count")])
            .sort(["cycle_id", "team_id", "area_id", "value"], Default::default())
            .collect()
            .unwrap();
        let picks = answers
            .filter(col("choice").is_not_null())
            .join(
                questions.filter(col("kind").eq(lit("priority_pick"))),
                [col("question_id")],
                [col("question_id")],
                inner(),
            )
            .join(responses, [col("response_id")], [col("response_id")], inner())
            .group_by([col("cycle_id"), col("team_id"), col("choice").alias("area_id")])
            .agg([col("response_id").n_unique().cast(DataType::Int64).alias("votes")])
            .sort(["cycle_id", "team_id", "area_id"], Default::default())
            .collect()
            .unwrap();
        (likert, picks)
    }

    fn sorted(df: &DataFrame, by: &[&str]) -> DataFrame {
        df.sort(by.to_vec(), Default::default()).unwrap()
    }

    /// The small organisation, its answers shuffled, with a half point, a
    /// repeated pick, an unknown response and an area only a pick names.
    fn awkward_org() -> Tables {
        let tables = crate::tests::small_org();
        let answers = tables.get("answers").clone();
        let extra = df!(
            "response_id" => ["c2-t1-0", "c2-t1-0", "nobody", "c2-t3-1"],
            "question_id" => ["qci", "qpick", "qci", "qpick"],
            "value_num" => [Some(2.5), None, Some(1.0), None],
            "choice" => [None, Some("ci"), None, Some("cafeteria")]
        )
        .unwrap();
        let mut all = answers.vstack(&extra).unwrap();
        let order: Vec<u32> = (0..all.height() as u32).map(|i| (i * 7919) % all.height() as u32).collect();
        let idx = IdxCa::from_vec("idx".into(), order);
        all = all.take(&idx).unwrap();
        let frames = crate::tables::TABLES
            .iter()
            .map(|t| (t.name, if t.name == "answers" { all.clone() } else { tables.get(t.name).clone() }))
            .collect();
        Tables::new(frames).unwrap()
    }

    #[test]
    fn answers_are_read_in_whole_row_groups() {
        let slices = |groups: &[usize], rows| crate::tables::chunks::row_group_slices(groups.iter().copied(), rows);
        assert_eq!(slices(&[122_880; 5], 1 << 18), vec![(0, 368_640), (368_640, 245_760)]);
        assert_eq!(slices(&[300_000, 10], 1 << 18), vec![(0, 300_000), (300_000, 10)]);
        assert_eq!(slices(&[], 1 << 18), vec![]);
    }

    #[test]
    fn the_pass_counts_what_joining_every_answer_counts() {
        let tables = awkward_org();
        let (likert, picks) = by_joins(&tables);
        let counts = count_answers(&tables, None).unwrap();
        let keys = ["cycle_id", "team_id", "area_id", "value"];
        assert!(sorted(&counts.likert, &keys).equals_missing(&likert), "{}\n{}", counts.likert, likert);
        assert!(sorted(&counts.picks, &keys[..3]).equals_missing(&picks), "{}\n{}", counts.picks, picks);
        // c2-t1 (6 responses, all picked); c2-t3 (7, one picked, the extra row).
        let r = sorted(&counts.responses, &["cycle_id", "team_id"]);
        let n: Vec<_> = r.column("responses").unwrap().i64().unwrap().into_no_null_iter().collect();
        let p: Vec<_> = r.column("pick_responses").unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!((n, p), (vec![5, 5, 6, 2, 7, 5], vec![5, 5, 6, 2, 1, 5]));
    }

    #[test]
    fn only_the_named_cycles_are_counted_and_a_parquet_file_counts_the_same() {
        let tables = awkward_org();
        let c2 = count_answers(&tables, Some(&["c2"])).unwrap();
        let cycles = c2.likert.column("cycle_id").unwrap().str().unwrap().unique().unwrap();
        assert_eq!(cycles.len(), 1);
        let dir = std::env::temp_dir().join(format!("devpulse-counting-{}", std::process::id()));
        tables.write_dir(&dir, Format::Parquet).unwrap();
        let back = Tables::read_dir(&dir, Format::Parquet).unwrap();
        let from_file = count_answers(&back, Some(&["c2"])).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert!(from_file.likert.equals_missing(&c2.likert));
        assert!(from_file.picks.equals_missing(&c2.picks));
        assert!(from_file.responses.equals_missing(&c2.responses));
    }
}
