//! Multi-row writes in as few statements as the backend allows.
//!
//! On PostgreSQL a batch's rows for one table go in one statement with one
//! array parameter per column: `INSERT INTO t (a, b) SELECT * FROM
//! unnest((SELECT $1::uuid[]), (SELECT $2::text::text[]))`, each array read
//! once (`pg_array::param`), ids and instants in binary
//! (`pg_array::ArrayParam`). A multi-row `VALUES` list costs the planner
//! about a microsecond per bound value (an ingest batch binds hundreds of
//! thousands), while `unnest` plans in constant time and its statement
//! text, and so its prepared statement, is the same for every batch with
//! the same columns of each kind. SQLite, which plans a `VALUES` list
//! cheaply, gets multi-row inserts of as many rows as its limit of bound
//! values allows.

use super::rows_per_statement;
use crate::pg_array::ArrayParam;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Value};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityName,
    EntityTrait, IdenStatic, IntoActiveModel, Iterable, ModelTrait, Statement,
};

/// What an insert does with a row whose key exists.
#[derive(Debug, Clone, Copy)]
pub enum Conflict<'a> {
    /// Nothing special: the insert fails.
    Fail,
    /// Overwrite these columns with the new row's.
    Replace {
        key: &'a [&'a str],
        columns: &'a [&'a str],
    },
    /// Add the new row's values to these columns (counters).
    Add {
        key: &'a [&'a str],
        columns: &'a [&'a str],
    },
}

impl Conflict<'_> {
    /// The `ON CONFLICT` clause for PostgreSQL.
    fn sql(&self, table: &str) -> String {
        let (key, columns, add) = match self {
            Conflict::Fail => return String::new(),
            Conflict::Replace { key, columns } => (key, columns, false),
            Conflict::Add { key, columns } => (key, columns, true),
        };
        let set: Vec<String> = columns
            .iter()
            .map(|c| match add {
                true => format!(r#""{c}" = "{table}"."{c}" + excluded."{c}""#),
                false => format!(r#""{c}" = excluded."{c}""#),
            })
            .collect();
        format!(
            " ON CONFLICT ({}) DO UPDATE SET {}",
            quoted(key),
            set.join(", ")
        )
    }

    /// The same for sea-query (SQLite).
    pub fn on_conflict(&self, table: &str) -> Option<OnConflict> {
        let (key, columns, add) = match self {
            Conflict::Fail => return None,
            Conflict::Replace { key, columns } => (key, columns, false),
            Conflict::Add { key, columns } => (key, columns, true),
        };
        let mut clause = OnConflict::columns(key.iter().map(|k| Alias::new(*k)));
        if add {
            clause.values(columns.iter().map(|c| {
                (
                    Alias::new(*c),
                    Expr::col((Alias::new(table), Alias::new(*c)))
                        .add(Expr::col((Alias::new("excluded"), Alias::new(*c)))),
                )
            }));
        } else {
            clause.update_columns(columns.iter().map(|c| Alias::new(*c)));
        }
        Some(clause)
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!(r#""{n}""#))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rows of one table as PostgreSQL array literals, one per column.
#[derive(Debug)]
pub struct Columns {
    table: String,
    names: Vec<String>,
    arrays: Vec<ArrayParam>,
}

impl Columns {
    /// No columns yet.
    pub fn new(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            names: Vec::new(),
            arrays: Vec::new(),
        }
    }

    /// Adds a column with one value per row (all of one type).
    pub fn column(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> Result<(), DbErr> {
        self.names.push(name.to_owned());
        self.arrays.push(ArrayParam::of(values)?);
        Ok(())
    }

    /// The columns of `rows`, all of whose values are set.
    pub fn of_models<A: ActiveModelTrait>(rows: &[A]) -> Result<Self, DbErr> {
        let entity = <A::Entity as Default>::default();
        let mut columns = Self::new(entity.table_name());
        for column in <A::Entity as EntityTrait>::Column::iter() {
            let values = rows
                .iter()
                .map(|row| {
                    row.get(column)
                        .into_value()
                        .ok_or_else(|| DbErr::Custom(format!("{} is not set", column.as_str())))
                })
                .collect::<Result<Vec<_>, _>>()?;
            columns.column(column.as_str(), values)?;
        }
        Ok(columns)
    }

    /// The columns of `rows`, read in place.
    pub fn of_rows<M: ModelTrait>(rows: &[&M]) -> Result<Self, DbErr> {
        let entity = <M::Entity as Default>::default();
        let mut columns = Self::new(entity.table_name());
        for column in <M::Entity as EntityTrait>::Column::iter() {
            columns.column(column.as_str(), rows.iter().map(|row| row.get(column)))?;
        }
        Ok(columns)
    }

    /// `INSERT ... SELECT * FROM unnest(...)`, for PostgreSQL.
    pub fn insert(self, conflict: Conflict<'_>) -> Statement {
        let arrays: Vec<String> = self
            .arrays
            .iter()
            .enumerate()
            .map(|(i, array)| array.sql(i + 1))
            .collect();
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let sql = format!(
            r#"INSERT INTO "{}" ({}) SELECT * FROM unnest({}){}"#,
            self.table,
            quoted(&names),
            arrays.join(", "),
            conflict.sql(&self.table)
        );
        Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            self.arrays.into_iter().map(|a| a.value),
        )
    }
}

/// Inserts `rows` (every value set): one statement on PostgreSQL, as few as
/// the limit of bound values allows on SQLite.
pub async fn insert<A, C>(db: &C, rows: Vec<A>, conflict: Conflict<'_>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Columns::of_models(&rows)?.insert(conflict))
            .await?;
        return Ok(());
    }
    let columns = <A::Entity as EntityTrait>::Column::iter().count();
    let table = <A::Entity as Default>::default().table_name().to_owned();
    for chunk in rows.chunks(rows_per_statement(db, columns)) {
        let mut insert = <A::Entity as EntityTrait>::insert_many(chunk.to_vec());
        if let Some(clause) = conflict.on_conflict(&table) {
            insert = insert.on_conflict(clause);
        }
        insert.exec_without_returning(db).await?;
    }
    Ok(())
}

/// `insert` of whole models, read in place on PostgreSQL (SQLite's
/// statements take a copy).
pub async fn insert_models<M, A, C>(
    db: &C,
    rows: &[&M],
    conflict: Conflict<'_>,
) -> Result<(), DbErr>
where
    M: ModelTrait + IntoActiveModel<A> + Clone,
    A: ActiveModelTrait<Entity = M::Entity> + ActiveModelBehavior + Send,
    C: ConnectionTrait,
{
    if rows.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Columns::of_rows(rows)?.insert(conflict))
            .await?;
        return Ok(());
    }
    let models = rows
        .iter()
        .map(|row| (*row).clone().into_active_model().reset_all())
        .collect();
    insert(db, models, conflict).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_literals_quote_text_and_spell_out_nulls() {
        let mut columns = Columns::new("t");
        columns
            .column(
                "a",
                [
                    Value::String(Some(r#"say "hi" \ bye"#.into())),
                    Value::String(None),
                    Value::String(Some("{,}".into())),
                ],
            )
            .unwrap();
        columns
            .column(
                "b",
                [
                    Value::BigInt(Some(-3)),
                    Value::BigInt(None),
                    Value::BigInt(Some(7)),
                ],
            )
            .unwrap();
        let literals: Vec<_> = columns
            .arrays
            .iter()
            .map(|a| (&a.value, a.element))
            .collect();
        assert_eq!(
            literals,
            [
                (
                    &Value::String(Some(r#"{"say \"hi\" \\ bye",NULL,"{,}"}"#.into())),
                    "text"
                ),
                (&Value::String(Some("{-3,NULL,7}".into())), "int8")
            ]
        );
    }

    #[test]
    fn set_ids_and_instants_bind_as_binary_arrays_and_a_null_among_them_as_a_literal() {
        let id = uuid::Uuid::from_u128(7);
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 5_000).unwrap();
        let mut columns = Columns::new("t");
        columns
            .column("id", [Value::from(id), Value::from(id)])
            .unwrap();
        columns.column("at", [Value::from(at)]).unwrap();
        columns
            .column("maybe", [Value::from(id), Value::Uuid(None)])
            .unwrap();
        assert_eq!(
            columns.arrays[0].value,
            Value::Array(
                sea_orm::sea_query::ArrayType::Uuid,
                Some(Box::new(vec![Value::from(id), Value::from(id)]))
            )
        );
        assert!(matches!(
            columns.arrays[1].value,
            Value::Array(sea_orm::sea_query::ArrayType::ChronoDateTimeUtc, _)
        ));
        assert_eq!(
            columns.arrays[2].value,
            Value::String(Some(format!("{{{id},NULL}}")))
        );
        // The two kinds are spelled apart, so neither reuses a statement
        // prepared for the other's parameter type.
        assert_eq!(
            columns.insert(Conflict::Fail).sql,
            r#"INSERT INTO "t" ("id", "at", "maybe") SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::timestamptz[]), (SELECT $3::text::uuid[]))"#
        );
    }

    #[test]
    fn an_upsert_names_its_key_and_columns() {
        let mut columns = Columns::new("t");
        columns.column("k", [Value::Int(Some(1))]).unwrap();
        columns.column("n", [Value::BigInt(Some(2))]).unwrap();
        let add = Conflict::Add {
            key: &["k"],
            columns: &["n"],
        };
        assert_eq!(
            columns.insert(add).sql,
            r#"INSERT INTO "t" ("k", "n") SELECT * FROM unnest((SELECT $1::text::int4[]), (SELECT $2::text::int8[])) ON CONFLICT ("k") DO UPDATE SET "n" = "t"."n" + excluded."n""#
        );
    }
}
