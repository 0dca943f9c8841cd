//! `carelink migrate-to`: a clinic's SQLite database copied into an empty PostgreSQL one, when it
//! moves to several instances. Both are first brought to the same schema by their migrations;
//! every table is then read from one SQLite snapshot and written in one PostgreSQL transaction
//! that holds every table locked, committed only when each table's count matches, so a copy that
//! fails leaves the target empty.

use std::str::FromStr;

use futures_util::TryStreamExt;
use sqlx::{
    any::{AnyConnectOptions, AnyRow},
    Row,
};

use super::{connect_and_migrate, redact, Connection, Engine};

/// Every table a clinic's data lives in, parents before the tables that refer to them.
const TABLES: [&str; 15] = [
    "users",
    "patient_identifiers",
    "appointments",
    "form_responses",
    "passkeys",
    "sessions",
    "user_tokens",
    "security_events",
    "rate_limit_hits",
    "devices",
    "outbox",
    "testing_patients",
    "test_recipients",
    "api_keys",
    "api_calls",
];

/// The column a table's rows are copied in the order of: its key.
fn key_of(table: &str) -> &'static str {
    match table {
        "testing_patients" => "user_id",
        "test_recipients" => "address",
        _ => "id",
    }
}

/// Tables of ours that are not copied: the last `/readyz` write, passkey ceremonies (minutes
/// long, and begun on the old database), and the migrations' own.
const NOT_COPIED: [&str; 3] = ["readiness", "passkey_ceremonies", "_sqlx_migrations"];

/// Rows per INSERT: PostgreSQL takes up to 65,535 parameters, and no table has 30 columns.
const BATCH: usize = 1000;

/// Copies the SQLite database at `from` into the empty PostgreSQL database at `to`; returns each
/// table with the number of rows copied.
pub async fn migrate_to(from: &str, to: &str) -> anyhow::Result<Vec<(&'static str, i64)>> {
    if Engine::of(from)? != Engine::Sqlite {
        anyhow::bail!(
            "carelink migrate-to copies a SQLite database, and DATABASE_URL names PostgreSQL"
        );
    }
    if !matches!(Engine::of(to), Ok(Engine::Postgres)) {
        anyhow::bail!("carelink migrate-to copies into PostgreSQL: give a postgres:// URL");
    }
    let file = sqlx::sqlite::SqliteConnectOptions::from_str(from)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL {from:?} is not a valid SQLite URL: {e}"))?;
    if !file.get_filename().exists() {
        anyhow::bail!("there is no database at {from} to copy");
    }
    let shown = redact(to);
    let source = connect_and_migrate(from).await?;
    refuse_other_tables(to, &shown).await?;
    let target = connect_and_migrate(to).await?;

    // A read transaction on SQLite sees one snapshot from its first read to its end (WAL).
    let mut reading = source.read().begin("BEGIN").await?;
    let mut writing = target.begin().await?;
    // An instance started on the target too early waits instead of writing into the copy.
    sqlx::query(&format!(
        "LOCK TABLE {} IN EXCLUSIVE MODE",
        TABLES.join(", ")
    ))
    .execute(&mut *writing)
    .await?;
    let mut copied = Vec::new();
    for table in TABLES {
        let there = count(&mut writing, table).await?;
        if there > 0 {
            anyhow::bail!(
                "{shown} is not empty ({there} rows in {table}): migrate-to copies only into \
                 an empty database"
            );
        }
        let columns = columns(&mut writing, table).await?;
        same_columns(&mut reading, table, &columns).await?;
        let rows = copy(&mut reading, &mut writing, table, &columns).await?;
        let (read, written) = (
            count(&mut reading, table).await?,
            count(&mut writing, table).await?,
        );
        if read != rows || written != rows {
            anyhow::bail!(
                "{table}: {read} rows in SQLite, {rows} copied, {written} in PostgreSQL; \
                 nothing was committed"
            );
        }
        // Ids were copied as they are: new rows must be numbered after them.
        if key_of(table) == "id" {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            ))
            .execute(&mut *writing)
            .await?;
        }
        copied.push((table, rows));
    }
    reading.rollback().await?;
    writing
        .commit()
        .await
        .map_err(|e| anyhow::anyhow!("cannot commit the copy into {shown}: {e}"))?;
    source.close().await;
    target.close().await;
    Ok(copied)
}

#[derive(Clone, Copy)]
enum Kind {
    Integer,
    Text,
    Bytes,
}

/// One value, as the PostgreSQL column it goes into keeps it.
enum Value {
    Integer(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// Refuses a database that holds tables of another application (a mistyped URL), before
/// Carelink's migrations would add its own beside them.
async fn refuse_other_tables(to: &str, shown: &str) -> anyhow::Result<()> {
    let cannot_open = |e: sqlx::Error| anyhow::anyhow!("cannot open the database {shown}: {e}");
    let options = AnyConnectOptions::from_str(to).map_err(cannot_open)?;
    let mut target = super::connections::connect(&options)
        .await
        .map_err(cannot_open)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() ORDER BY table_name",
    )
    .fetch_all(&mut target)
    .await?;
    let ours = |t: &String| TABLES.contains(&t.as_str()) || NOT_COPIED.contains(&t.as_str());
    if let Some(other) = tables.iter().find(|t| !ours(t)) {
        anyhow::bail!(
            "{shown} holds a table that is not Carelink's ({other}): migrate-to copies only into \
             an empty database"
        );
    }
    Ok(())
}

/// Refuses to copy `table` unless SQLite has exactly the columns PostgreSQL has, so that nothing
/// is left behind unnoticed if the two schemas ever drift apart.
async fn same_columns(
    source: &mut Connection,
    table: &str,
    columns: &[(String, Kind)],
) -> anyhow::Result<()> {
    let mut in_sqlite: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
        .bind(table)
        .fetch_all(&mut *source)
        .await?;
    let mut in_postgres: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
    in_sqlite.sort();
    in_postgres.sort();
    if in_sqlite != in_postgres {
        anyhow::bail!(
            "{table} has columns {in_sqlite:?} in SQLite but {in_postgres:?} in PostgreSQL: \
             nothing was committed"
        );
    }
    Ok(())
}

/// `table`'s columns in PostgreSQL, in order, with how each is kept.
async fn columns(target: &mut Connection, table: &str) -> anyhow::Result<Vec<(String, Kind)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *target)
    .await?;
    rows.into_iter()
        .map(|(name, data_type)| {
            let kind = match data_type.as_str() {
                "bigint" => Kind::Integer,
                "text" => Kind::Text,
                "bytea" => Kind::Bytes,
                other => {
                    anyhow::bail!("{table}.{name} is of a type migrate-to does not copy: {other}")
                }
            };
            Ok((name, kind))
        })
        .collect()
}

/// Copies every row of `table`, in the order of its key, in batches; returns how many.
async fn copy(
    source: &mut Connection,
    target: &mut Connection,
    table: &str,
    columns: &[(String, Kind)],
) -> anyhow::Result<i64> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let key = key_of(table);
    let select = format!("SELECT {} FROM {table} ORDER BY {key}", names.join(", "));
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    let mut batch = Vec::with_capacity(BATCH);
    let mut copied = 0;
    while let Some(row) = rows.try_next().await? {
        batch.push(values(
            &row,
            table,
            columns,
            copied + batch.len() as i64 + 1,
        )?);
        if batch.len() == BATCH {
            copied += insert(target, table, &names, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        copied += insert(target, table, &names, batch).await?;
    }
    Ok(copied)
}

/// The values of `row`, the `nth` of `table`.
fn values(
    row: &AnyRow,
    table: &str,
    columns: &[(String, Kind)],
    nth: i64,
) -> anyhow::Result<Vec<Value>> {
    columns
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| {
            let value = match kind {
                Kind::Integer => row.try_get(i).map(Value::Integer),
                Kind::Text => row.try_get(i).map(Value::Text),
                Kind::Bytes => row.try_get(i).map(Value::Bytes),
            };
            value.map_err(|e| anyhow::anyhow!("{table}.{name} of row {nth} cannot be copied: {e}"))
        })
        .collect()
}

async fn insert(
    target: &mut Connection,
    table: &str,
    names: &[&str],
    rows: Vec<Vec<Value>>,
) -> anyhow::Result<i64> {
    let width = names.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let placeholders: Vec<String> =
                (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", placeholders.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES {}",
        names.join(", "),
        tuples.join(", ")
    );
    let mut insert = sqlx::query(&sql);
    for value in rows.into_iter().flatten() {
        insert = match value {
            Value::Integer(v) => insert.bind(v),
            Value::Text(v) => insert.bind(v),
            Value::Bytes(v) => insert.bind(v),
        };
    }
    let done = insert
        .execute(&mut *target)
        .await
        .map_err(|e| anyhow::anyhow!("cannot copy {table}: {e}"))?;
    Ok(i64::try_from(done.rows_affected())?)
}

async fn count(connection: &mut Connection, table: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *connection)
        .await
}
