//! The counts every result is made of, kept per closed cycle: answers by
//! (team, area), one column per value 1..5 (a `likert5` answer is a whole
//! number from 1 to 5), priority votes by (team, area), responses and the
//! responses that answered a priority pick by team. A closed cycle's answers
//! never change, so reports read these few rows instead of every answer.
//! Filled here for the cycles already closed; the service fills a cycle's
//! counts in the transaction that closes it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The fill of analysis.md's counts for the cycles matching `cycles` (a
/// condition on `r.cycle_id`), as the migration knew it.
fn fills(cycles: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO cycle_likert_counts (cycle_id, team_id, area_id, n1, n2, n3, n4, n5) \
             SELECT r.cycle_id, r.team_id, q.area_id, \
             SUM(CASE WHEN a.value_num = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN a.value_num = 2 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.value_num = 3 THEN 1 ELSE 0 END), SUM(CASE WHEN a.value_num = 4 THEN 1 ELSE 0 END), \
             SUM(CASE WHEN a.value_num = 5 THEN 1 ELSE 0 END) \
             FROM responses r JOIN answers a ON a.response_id = r.response_id \
             JOIN questions q ON q.question_id = a.question_id \
             WHERE {cycles} AND q.kind = 'likert5' AND q.area_id IS NOT NULL AND a.value_num IS NOT NULL \
             GROUP BY r.cycle_id, r.team_id, q.area_id"
        ),
        format!(
            "INSERT INTO cycle_pick_counts (cycle_id, team_id, area_id, votes) \
             SELECT r.cycle_id, r.team_id, a.choice, COUNT(DISTINCT a.response_id) \
             FROM responses r JOIN answers a ON a.response_id = r.response_id \
             JOIN questions q ON q.question_id = a.question_id \
             WHERE {cycles} AND q.kind = 'priority_pick' AND a.choice IS NOT NULL \
             GROUP BY r.cycle_id, r.team_id, a.choice"
        ),
        format!(
            "INSERT INTO cycle_response_counts (cycle_id, team_id, responses, pick_responses) \
             SELECT r.cycle_id, r.team_id, COUNT(*), COUNT(p.response_id) \
             FROM responses r LEFT JOIN (SELECT DISTINCT a.response_id FROM answers a \
               JOIN questions q ON q.question_id = a.question_id \
               WHERE q.kind = 'priority_pick' AND a.choice IS NOT NULL) p ON p.response_id = r.response_id \
             WHERE {cycles} GROUP BY r.cycle_id, r.team_id"
        ),
    ]
}

fn counts_table(name: &'static str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(name).col(string(Alias::new("cycle_id"))).col(string_null(Alias::new("team_id")));
    for c in columns {
        t.col(c);
    }
    t.foreign_key(
        ForeignKey::create().from(name, "cycle_id").to("cycles", "cycle_id").on_delete(ForeignKeyAction::Cascade),
    );
    t.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let values = ["n1", "n2", "n3", "n4", "n5"].map(big_integer);
        m.create_table(counts_table("cycle_likert_counts", [vec![string("area_id")], values.to_vec()].concat()))
            .await?;
        m.create_table(counts_table("cycle_pick_counts", vec![string("area_id"), big_integer("votes")])).await?;
        m.create_table(counts_table(
            "cycle_response_counts",
            vec![big_integer("responses"), big_integer("pick_responses")],
        ))
        .await?;
        for t in ["cycle_likert_counts", "cycle_pick_counts", "cycle_response_counts"] {
            m.create_index(Index::create().name(format!("idx_{t}_cycle")).table(t).col("cycle_id").take()).await?;
        }
        let db = m.get_connection();
        for sql in fills("r.cycle_id IN (SELECT cycle_id FROM cycles WHERE status = 'closed')") {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["cycle_response_counts", "cycle_pick_counts", "cycle_likert_counts"] {
            m.drop_table(Table::drop().table(t).take()).await?;
        }
        Ok(())
    }
}
