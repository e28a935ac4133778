//! Upgrading a database written before the trust fixes: responses and
//! answers keep every row but no longer sit in submission order (SQLite),
//! personal links stop being stored in clear, cycles get a record of their
//! teams' groups, and invitations can lose their member (erasure).

use crate::helpers::{fresh_database, spawn_on};
use devpulse::db;
use migrations::MigratorTrait;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn strings(db: &DatabaseConnection, sql: &str) -> Vec<String> {
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql.to_string())).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

/// A database at the first migration, as an older devpulse left it: one
/// closed cycle with `n` responses of two answers each, inserted in an order
/// unrelated to their ids, and one member with a clear personal token.
async fn old_database(n: usize) -> (String, tempfile::TempDir, DatabaseConnection, Vec<String>) {
    let (url, dir) = fresh_database().await;
    let db = db::connect(&url).await.unwrap();
    migrations::Migrator::up(&db, Some(1)).await.unwrap();
    let ts = "'2026-01-01T00:00:00+00:00'";
    exec(&db, &format!("INSERT INTO teams VALUES ('t1', 'core', 'Core', 'Platform', 'stream-aligned', {ts})")).await;
    exec(
        &db,
        &format!("INSERT INTO members VALUES ('m1', 't1', 'ada@x.io', true, 'cleartoken1234567890abcdefghijkl', {ts})"),
    )
    .await;
    exec(&db, &format!("INSERT INTO surveys VALUES ('s1', 'DevEx', '', 'quarterly', NULL, 14, '[]', true, {ts})"))
        .await;
    exec(&db, "INSERT INTO questions VALUES ('q1', 's1', 1, 'likert5', 'ci', 'CI?', true)").await;
    exec(&db, "INSERT INTO questions VALUES ('q2', 's1', 2, 'text', NULL, 'Else?', false)").await;
    exec(
        &db,
        &format!("INSERT INTO cycles VALUES ('c1', 's1', '2026-01-05', '2026-01-19', 'closed', {ts}, {ts}, {ts})"),
    )
    .await;
    exec(&db, "INSERT INTO cycle_teams VALUES ('c1', 't1')").await;
    let mut inserted = Vec::new();
    for i in 0..n {
        // Ids that sort in another order than the one they were inserted in.
        let id = format!("{:08x}-resp", (i as u64 * 2_654_435_761) % 4_294_967_291);
        exec(&db, &format!("INSERT INTO responses VALUES ('{id}', 'c1', 't1', '2026-01-06')")).await;
        exec(&db, &format!("INSERT INTO answers VALUES ('{id}-a1', '{id}', 'q1', {}, NULL, NULL)", 1 + i % 5)).await;
        exec(&db, &format!("INSERT INTO answers VALUES ('{id}-a2', '{id}', 'q2', NULL, NULL, 'comment {i}')")).await;
        inserted.push(id);
    }
    (url, dir, db, inserted)
}

#[tokio::test]
async fn upgrading_keeps_every_answer_and_drops_submission_order() {
    let (url, dir, db, inserted) = old_database(60).await;
    db::migrate(&db).await.unwrap();
    let stored = strings(&db, "SELECT response_id FROM responses").await;
    assert_eq!(stored.len(), 60);
    let mut sorted = inserted.clone();
    sorted.sort();
    assert_ne!(inserted, sorted, "the crafted ids do not come in sorted order");
    let answers =
        strings(&db, "SELECT CAST(COUNT(*) AS TEXT) FROM answers a JOIN responses r USING (response_id)").await;
    assert_eq!(answers, ["120"]);
    assert_eq!(
        strings(&db, "SELECT text_value FROM answers WHERE answer_id = '00000000-resp-a2'").await,
        ["comment 0"]
    );
    if db.get_database_backend() == DbBackend::Sqlite {
        // The physical order (a plain scan) is the order of the random ids, not of submission.
        assert_eq!(stored, sorted);
        let schema = strings(&db, "SELECT sql FROM sqlite_master WHERE name IN ('responses', 'answers')").await;
        assert!(schema.iter().all(|s| s.contains("WITHOUT ROWID")), "{schema:?}");
        assert!(schema.iter().any(|s| s.contains("PRIMARY KEY (response_id, answer_id)")), "answers sit by response");
        assert!(db.execute_unprepared("SELECT rowid FROM responses").await.is_err(), "no rowid left");
        assert!(strings(&db, "PRAGMA foreign_key_check").await.is_empty());
        assert_eq!(strings(&db, "PRAGMA integrity_check").await, ["ok"]);
    }
    // Groups of the old cycle are recorded from the teams.
    assert_eq!(strings(&db, "SELECT group_name FROM cycle_teams").await, ["Platform"]);

    // The service hashes the old clear token on start; the old link stops working.
    let app = spawn_on(db, url, dir, |_| {}).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE member_token LIKE 'cleartoken%'").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM members WHERE token_version = 1").await, 1);
    let token = app.member_token("ada@x.io").await;
    assert_eq!(app.client.get(app.url(&format!("/p/{token}"))).send().await.unwrap().status(), 200);
    let old = app.client.get(app.url("/p/cleartoken1234567890abcdefghijkl")).send().await.unwrap();
    assert_eq!(old.status(), 404);
    // The upgraded answers feed the scores as before.
    let scores: serde_json::Value = app.get("/api/v1/cycles/c1/scores").send().await.unwrap().json().await.unwrap();
    let ci = scores["scores"].as_array().unwrap().iter().find(|s| s["area_id"] == "ci").unwrap().clone();
    assert_eq!(ci["n"], 60);
}

#[tokio::test]
async fn invitations_become_nullable_for_erasure_and_keep_their_rows_keys_and_indexes() {
    let (url, dir, db, _) = old_database(3).await;
    exec(&db, "INSERT INTO invitations VALUES ('i1', 'c1', 'm1', 't1', 'hash-1', true, 0, NULL)").await;
    db::migrate(&db).await.unwrap();
    assert_eq!(
        strings(
            &db,
            "SELECT invitation_id || ' ' || cycle_id || ' ' || member_id || ' ' || token_hash FROM invitations"
        )
        .await,
        ["i1 c1 m1 hash-1"]
    );
    let nullable = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let indexes = strings(&db, "SELECT name FROM pragma_index_list('invitations') ORDER BY name").await;
            assert!(
                ["idx_invitations_cycle", "idx_invitations_member", "uq_invitations_cycle_member"]
                    .iter()
                    .all(|i| indexes.contains(&i.to_string())),
                "{indexes:?}"
            );
            let keys = strings(&db, "SELECT \"table\" FROM pragma_foreign_key_list('invitations') ORDER BY 1").await;
            assert_eq!(keys, ["cycles", "members", "teams"]);
            assert!(strings(&db, "PRAGMA foreign_key_check").await.is_empty());
            assert_eq!(strings(&db, "PRAGMA integrity_check").await, ["ok"]);
            "SELECT name FROM pragma_table_info('invitations') WHERE \"notnull\" = 0 ORDER BY name"
        }
        _ => {
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'invitations' \
             AND table_schema = current_schema() AND is_nullable = 'YES' ORDER BY 1"
        }
    };
    assert_eq!(strings(&db, nullable).await, ["last_reminded_on", "member_id", "token_hash"]);
    // The keys still hold: no invitation of a member who does not exist.
    let orphan = "INSERT INTO invitations VALUES ('i2', 'c1', 'nobody', 't1', 'hash-2', false, 0, NULL)";
    assert!(db.execute_unprepared(orphan).await.is_err());

    // The upgraded database erases a person and keeps their invitation, anonymous.
    let app = spawn_on(db, url, dir, |_| {}).await;
    assert_eq!(app.delete("/api/v1/members/ada@x.io?erase=true").send().await.unwrap().status(), 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations WHERE member_id IS NULL AND token_hash IS NULL").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM members").await, 0);
}
