//! Which scopes of a closed cycle may show free-text comments (analysis.md):
//! scopes of at least k_comments responses (`DEVPULSE_COMMENT_K`, never
//! below k), with the differencing guard on every breakdown at k_comments.
//! The texts themselves never enter these tables: the service reads them for
//! the scopes allowed here.

use crate::org::{Org, responses_by_team};
use crate::priorities::resolve_cycle;
use crate::{AnalysisError, Reason, Scope, Tables};
use serde::Serialize;
use std::collections::BTreeSet;

/// A scope's verdict for comments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommentScope {
    pub scope: String,
    /// Responses in the scope; null when its comments are not shown.
    pub responses: Option<i64>,
    pub suppressed: bool,
    pub reason: Option<&'static str>,
    /// The team ids whose responses the scope covers (`None`: every response).
    #[serde(skip)]
    pub team_ids: Option<BTreeSet<String>>,
}

/// The comment verdict of each scope of the closed cycle `cycle_id`.
pub fn comment_scopes(
    tables: &Tables,
    cycle_id: &str,
    scopes: &[Scope],
    k_comments: u32,
) -> Result<Vec<CommentScope>, AnalysisError> {
    let (cycle, _) = resolve_cycle(tables, Some(cycle_id))?;
    let org = Org::new(tables, &cycle.cycle_id)?;
    let by_team = responses_by_team(tables, &cycle.cycle_id)?;
    let verdicts = org.verdicts(&by_team, k_comments);
    let mut out = Vec::with_capacity(scopes.len());
    for scope in scopes {
        if !org.knows(scope) {
            return Err(AnalysisError::UnknownScope(scope.label()));
        }
        let team_ids = org.teams_of(scope);
        let responses: i64 = by_team
            .iter()
            .filter(|(t, _)| match &team_ids {
                None => true,
                Some(set) => t.as_ref().is_some_and(|t| set.contains(t)),
            })
            .map(|(_, n)| *n)
            .sum();
        let reason = match scope {
            Scope::Org => (responses < k_comments as i64).then_some(Reason::FewerThanK),
            _ => org.reason(&verdicts, scope),
        };
        out.push(CommentScope {
            scope: scope.label(),
            responses: reason.is_none().then_some(responses),
            suppressed: reason.is_some(),
            reason: reason.map(Reason::as_str),
            team_ids,
        });
    }
    Ok(out)
}

/// Every scope of the cycle: the organisation, its groups and its teams.
pub fn all_scopes(tables: &Tables, cycle_id: &str) -> Result<Vec<Scope>, AnalysisError> {
    let org = Org::new(tables, cycle_id)?;
    let mut out = vec![Scope::Org];
    out.extend(org.groups().into_iter().map(Scope::Group));
    out.extend(org.teams.iter().map(|t| Scope::Team(t.slug.clone())));
    Ok(out)
}
