//! The demo organisation: a believable company for trying devpulse and for
//! its tests. Deterministic for a seed (and the current date): teams in
//! groups, members, the default DevEx survey, closed quarterly cycles whose
//! answers differ by team and area and move over time (CI and local
//! environments improve after their roadmap items ship, on-call gets worse),
//! teams too small to show, friction reports with me-too votes, roadmap items.
//!
//! One module per stage: [`org`] (teams and members), [`cycles`] (the
//! survey, its closed cycles and their answers), [`friction`] (roadmap and
//! friction log); [`texts`] holds the names and canned texts.

mod cycles;
mod friction;
mod org;
mod texts;

use crate::domain::devex;
use crate::entities::team;
use crate::progress::Progress;
use crate::store::StoreResult;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub teams: u32,
    /// People in all; `None` gives 5 to 12 per team.
    pub people: Option<u32>,
    pub cycles: u32,
    pub friction: u32,
    /// Leave a cycle open now, with some answers in (for trying the form).
    pub open_cycle: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { seed: 42, teams: 12, people: None, cycles: 4, friction: 300, open_cycle: true }
    }
}

/// Whether the database holds no organisation yet (no team).
pub async fn is_empty(db: &DatabaseConnection) -> StoreResult<bool> {
    Ok(team::Entity::find().count(db).await? == 0)
}

/// Removes the organisation and everything that hangs off it (areas,
/// admins, API tokens and settings stay).
pub async fn clear(db: &DatabaseConnection) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    // Children before parents, so no foreign key is left dangling.
    let tables = "answers responses invitations cycle_teams cycles questions surveys me_too_votes friction_reports \
                  roadmap_items email_outbox members teams";
    for table in tables.split_whitespace() {
        txn.execute_unprepared(&format!("DELETE FROM {table}")).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// What every stage shares: the options, the random source, the dates.
pub(crate) struct Demo {
    opts: Options,
    rng: ChaCha8Rng,
    today: NaiveDate,
    /// (opens_on, closes_on) of the closed cycles, oldest first.
    cycles_dates: Vec<(NaiveDate, NaiveDate)>,
    org_start: NaiveDate,
    area_ids: Vec<&'static str>,
    link_key: String,
    progress: Progress,
}

impl Demo {
    /// A shipping date after the close of cycle n-k-1, before cycle n-k opens.
    fn shipped_between(&self, k: usize) -> Option<NaiveDate> {
        let n = self.cycles_dates.len();
        (n > k).then(|| self.cycles_dates[n - k - 1].1 + Duration::days(20))
    }
}

/// Loads the demo organisation into an empty database, in one transaction.
/// Returns a one-line summary.
pub async fn load(db: &DatabaseConnection, opts: &Options, progress: bool) -> StoreResult<String> {
    let today = Utc::now().date_naive();
    let cycles_dates = cycle_dates(today, opts.cycles);
    let mut demo = Demo {
        opts: opts.clone(),
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        today,
        org_start: cycles_dates.first().map(|c| c.0).unwrap_or(today) - Duration::days(60),
        cycles_dates,
        area_ids: devex::QUESTIONS.iter().filter_map(|q| q.area_id).collect(),
        link_key: crate::store::settings::link_key(db).await?,
        progress: Progress::new("demo", progress),
    };
    let txn = crate::store::begin_write(db).await?;
    demo.progress.step("teams and members");
    let org = org::create(&mut demo, &txn).await?;
    demo.progress.step("survey");
    let survey = cycles::survey(&demo, &txn).await?;
    demo.progress.step("roadmap");
    let roadmap = friction::roadmap(&demo, &txn).await?;
    let (n_responses, n_answers) = cycles::closed_cycles(&mut demo, &txn, &org, &survey).await?;
    demo.progress.step("friction reports");
    let (n_friction, n_votes) = friction::reports(&mut demo, &txn, &org, &roadmap).await?;
    let open = if opts.open_cycle {
        demo.progress.step("open cycle");
        Some(cycles::open_cycle(&mut demo, &txn, &org, &survey).await?)
    } else {
        None
    };
    txn.commit().await?;
    // Fresh statistics for the planner after a bulk load (PostgreSQL would
    // otherwise plan the first minutes' queries for empty tables; SQLite's
    // planner needs none for these).
    if sea_orm::ConnectionTrait::get_database_backend(db) == sea_orm::DbBackend::Postgres {
        demo.progress.step("statistics");
        sea_orm::ConnectionTrait::execute_unprepared(db, "ANALYZE").await?;
    }
    demo.progress.step("done");
    Ok(format!(
        "demo organisation loaded (seed {}): {} teams in {} groups, {} members, {} closed cycles, {} responses, \
         {} answers, {} friction reports with {} me-too votes, {} roadmap items{}",
        opts.seed,
        org.teams.len(),
        org.groups.min(org.teams.len()),
        org.people,
        demo.cycles_dates.len(),
        n_responses,
        n_answers,
        n_friction,
        n_votes,
        roadmap.len(),
        open.map(|n| format!(", and a cycle open now with {n} responses so far")).unwrap_or_default()
    ))
}

/// The demo's console admin.
pub const ADMIN_EMAIL: &str = "admin@example.com";

/// After loading the demo for `serve --demo`: creates the demo admin with a
/// generated password (when there is no admin yet) and returns what to print
/// once: where to sign in, the password, and one member's personal page.
pub async fn welcome(db: &DatabaseConnection, base_url: &str) -> StoreResult<Vec<String>> {
    let base = base_url.trim_end_matches('/');
    let mut lines = Vec::new();
    if crate::store::admins::list(db).await?.is_empty() {
        let password = crate::store::random_token(15);
        let hash = {
            let password = password.clone();
            tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
                .await
                .map_err(|e| crate::store::StoreError::Broken(format!("hashing the demo password: {e}")))?
        };
        let email = crate::domain::Email::parse("email", ADMIN_EMAIL)?;
        crate::store::admins::create(db, &email, hash).await?;
        lines.push(format!("demo console: {base}/admin/login as {ADMIN_EMAIL} with password {password} (shown once)"));
    }
    let key = crate::store::settings::link_key(db).await?;
    let first = team::Entity::find().one(db).await?;
    if let Some(team) = first {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let member = crate::entities::member::Entity::find()
            .filter(crate::entities::member::Column::TeamId.eq(team.team_id))
            .order_by_asc(crate::entities::member::Column::Email)
            .one(db)
            .await?;
        if let Some(m) = member {
            let token = crate::store::members::token_of(&key, &m);
            lines.push(format!("a member's page ({}): {base}/p/{token}", m.email));
        }
    }
    if let Some((email, token)) = german_survey(db).await? {
        lines.push(format!("the open survey in German ({email}): {base}/s/{token}"));
    }
    Ok(lines)
}

/// A German-speaking member who has not answered the open cycle yet, and
/// their survey link.
async fn german_survey(db: &DatabaseConnection) -> StoreResult<Option<(String, String)>> {
    use crate::entities::{cycle, invitation, member};
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
    let Some(open) = cycle::Entity::find()
        .filter(cycle::Column::Status.eq(crate::domain::CycleStatus::Open.as_str()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let germans = member::Entity::find()
        .filter(member::Column::Lang.eq(crate::domain::Lang::De))
        .filter(member::Column::Active.eq(true))
        .order_by_asc(member::Column::Email)
        .all(db)
        .await?;
    let key = crate::store::settings::link_key(db).await?;
    for m in germans {
        let inv = invitation::Entity::find()
            .filter(invitation::Column::CycleId.eq(open.cycle_id.as_str()))
            .filter(invitation::Column::MemberId.eq(m.member_id.as_str()))
            .filter(invitation::Column::Used.eq(false))
            .one(db)
            .await?;
        if let Some(i) = inv {
            return Ok(Some((m.email, crate::store::invitations::token_for(&key, &i.invitation_id))));
        }
    }
    Ok(None)
}

/// A standard normal draw (Irwin-Hall with 12 uniforms).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    (0..12).map(|_| rng.random::<f64>()).sum::<f64>() - 6.0
}

fn weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let total: f64 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[items.len() - 1].0
}

/// The last `n` quarterly cycles (opens_on, closes_on) that closed before `today`.
fn cycle_dates(today: NaiveDate, n: u32) -> Vec<(NaiveDate, NaiveDate)> {
    let quarter_start = |y: i32, q: u32| NaiveDate::from_ymd_opt(y, q * 3 + 1, 1).expect("valid quarter");
    let (mut y, mut q) = (today.year(), (today.month0()) / 3);
    let mut out = Vec::new();
    while out.len() < n as usize {
        let opens = quarter_start(y, q) + Duration::days(6);
        let closes = opens + Duration::days(14);
        if closes < today {
            out.push((opens, closes));
        }
        if q == 0 {
            y -= 1;
            q = 3;
        } else {
            q -= 1;
        }
    }
    out.reverse();
    out
}

fn at(date: NaiveDate, hour: u32) -> DateTime<Utc> {
    date.and_hms_opt(hour, 0, 0).expect("valid time").and_utc()
}

async fn insert_chunks<A, C>(conn: &C, rows: Vec<A>) -> StoreResult<()>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        <A::Entity as EntityTrait>::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::texts::trend;
    use super::*;

    #[test]
    fn cycles_are_quarterly_and_closed_before_today() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let dates = cycle_dates(today, 4);
        assert_eq!(dates.len(), 4);
        assert!(dates.windows(2).all(|w| w[0].1 < w[1].0));
        assert!(dates.iter().all(|(o, c)| *c < today && (*c - *o).num_days() == 14));
        assert_eq!(dates[3].0, NaiveDate::from_ymd_opt(2026, 10, 7).unwrap());
    }

    #[test]
    fn trends_move_the_right_way() {
        assert!(trend("ci", 3, 4) > trend("ci", 0, 4));
        assert!(trend("on_call", 3, 4) < trend("on_call", 0, 4));
        assert_eq!(trend("planning", 3, 4), 0.0);
    }
}
