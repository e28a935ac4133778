//! The export's guard (analysis.md): the raw export cannot single out a
//! team that the anonymity rules hide in a cycle.

use crate::org::{ByTeam, Org};
use crate::{AnalysisError, Tables};
use polars::prelude::*;
use std::collections::{BTreeSet, HashMap};

/// The export's guard (analysis.md): in `responses` and `participation`,
/// every team the anonymity rules hide in a cycle loses its id, and its
/// participation rows are merged into one row per cycle with no team and no
/// group, so the export cannot single out a small team. The counts behind
/// the guard are `participation.responded` (equal to the responses of a
/// closed cycle). Org-level figures do not change.
pub fn guard_export(tables: &mut Tables, k: u32) -> Result<(), AnalysisError> {
    let p = tables.get("participation").clone();
    let mut hidden: HashMap<String, BTreeSet<String>> = HashMap::new();
    let cycle_ids: BTreeSet<String> = p.column("cycle_id")?.str()?.iter().flatten().map(str::to_string).collect();
    for cycle_id in cycle_ids {
        let rows = p.clone().lazy().filter(col("cycle_id").eq(lit(cycle_id.clone()))).collect()?;
        let (teams, responded) = (rows.column("team_id")?.str()?, rows.column("responded")?.i64()?);
        let by_team: ByTeam =
            (0..rows.height()).map(|i| (teams.get(i).map(str::to_string), responded.get(i).unwrap_or(0))).collect();
        let org = Org::new(tables, &cycle_id)?;
        hidden.insert(cycle_id.clone(), org.hidden_teams(&org.verdicts(&by_team, k)));
    }
    let is_hidden = |c: Option<&str>, t: Option<&str>| match (c, t) {
        (Some(c), Some(t)) => hidden.get(c).is_some_and(|h| h.contains(t)),
        _ => true,
    };
    // Participation: visible rows as they are, hidden ones summed per cycle.
    let (cycles, teams, groups) =
        (p.column("cycle_id")?.str()?, p.column("team_id")?.str()?, p.column("group_name")?.str()?);
    let (invited, responded) = (p.column("invited")?.i64()?, p.column("responded")?.i64()?);
    let mut out = crate::TableData::new("participation");
    let mut merged: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for i in 0..p.height() {
        let (c, t) = (cycles.get(i), teams.get(i));
        if is_hidden(c, t) {
            let e = merged.entry(c.unwrap_or_default().to_string()).or_default();
            e.0 += invited.get(i).unwrap_or(0);
            e.1 += responded.get(i).unwrap_or(0);
        } else {
            out.push(vec![
                crate::Cell::Str(c.map(str::to_string)),
                crate::Cell::Str(t.map(str::to_string)),
                crate::Cell::Int(invited.get(i)),
                crate::Cell::Int(responded.get(i)),
                crate::Cell::Str(groups.get(i).map(str::to_string)),
            ])?;
        }
    }
    for (c, (inv, resp)) in merged {
        out.push(vec![
            crate::Cell::Str(Some(c)),
            crate::Cell::Str(None),
            crate::Cell::Int(Some(inv)),
            crate::Cell::Int(Some(resp)),
            crate::Cell::Str(None),
        ])?;
    }
    // Responses: the same teams lose their id.
    let r = tables.get("responses").clone();
    let (ids, cycles, teams, dates) = (
        r.column("response_id")?.str()?,
        r.column("cycle_id")?.str()?,
        r.column("team_id")?.str()?,
        r.column("submitted_on")?.str()?,
    );
    let mut responses = crate::TableData::new("responses");
    for i in 0..r.height() {
        let team = if is_hidden(cycles.get(i), teams.get(i)) { None } else { teams.get(i).map(str::to_string) };
        responses.push(vec![
            crate::Cell::Str(ids.get(i).map(str::to_string)),
            crate::Cell::Str(cycles.get(i).map(str::to_string)),
            crate::Cell::Str(team),
            crate::Cell::Str(dates.get(i).map(str::to_string)),
        ])?;
    }
    tables.replace(out)?;
    tables.replace(responses)?;
    Ok(())
}
