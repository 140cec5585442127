//! Read-side queries shared by resolvers and tools: lists with filters and
//! keyset pages, rows by id or by parent, computed profiles. Every function
//! takes the tenant and filters by it first; none knows about GraphQL.

pub mod call_filter;
pub mod calls;
pub mod cursor;
pub mod directory;
pub mod keyset;
pub mod lead_profile;
pub mod page;
pub mod rows;
pub mod transcript;

use crate::pg_array::text_array;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, IntoIden};
use sea_orm::{ColumnTrait, DbBackend};
use uuid::Uuid;

/// A condition no row meets.
pub(crate) fn nothing() -> Expr {
    Expr::cust("1 = 0")
}

/// `column IN (values)`; an empty list matches nothing (KPIS.md), rather
/// than being left out of the query.
pub(crate) fn one_of<C: ColumnTrait, V: Into<sea_orm::Value>>(column: C, values: Vec<V>) -> Expr {
    if values.is_empty() {
        nothing()
    } else {
        column.is_in(values)
    }
}

/// `a.tenant_id = b.tenant_id AND a.a_key = b.b_key`: a row of `a` and a
/// row of `b` related within one tenant, as the schema's composite keys
/// relate them (for joins and correlated subqueries).
pub(crate) fn same_tenant<A, B>(a: A, a_key: impl IntoIden, b: B, b_key: impl IntoIden) -> Condition
where
    A: IntoIden + Clone,
    B: IntoIden + Clone,
{
    let tenant = || Alias::new("tenant_id");
    Condition::all()
        .add(Expr::col((a.clone(), tenant())).equals((b.clone(), tenant())))
        .add(Expr::col((a, a_key)).equals((b, b_key)))
}

/// `expr IN (ids)`. On PostgreSQL the ids are one array parameter, joined
/// as `expr IN (SELECT m.id FROM unnest($n::uuid[]) AS m(id))`: a loader's
/// statement has the same text, and so the same prepared statement and
/// plan, for every page size (an `IN` list is a new statement, parsed and
/// planned, per length). The array is converted once and its rows kept for
/// rescans: in `expr = ANY($n::uuid[])` PostgreSQL converts the text
/// parameter again for every row it tests (13 ms for 200 agents), and the
/// planner makes a long list an index condition probed once per id (a seq
/// scan or 100 descents where a range scan and a hash join take 0.5 ms).
pub(crate) fn uuid_in(
    expr: impl Into<Expr>,
    ids: impl IntoIterator<Item = Uuid>,
    backend: DbBackend,
) -> Expr {
    if backend != DbBackend::Postgres {
        return expr.into().is_in(ids);
    }
    let ids: Vec<String> = ids.into_iter().map(|id| id.to_string()).collect();
    Expr::cust_with_exprs(
        "$1 IN (SELECT m.id FROM unnest(CAST($2 AS uuid[])) AS m(id))",
        [
            expr.into(),
            Expr::val(text_array(ids.iter().map(String::as_str))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::sea_query::{Alias, PostgresQueryBuilder, Query, SqliteQueryBuilder, Value};

    #[test]
    fn uuid_lists_are_one_array_parameter_on_postgres() {
        let ids = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let select = |backend| {
            Query::select()
                .column(Alias::new("id"))
                .from(Alias::new("agents"))
                .and_where(uuid_in(Expr::col(Alias::new("id")), ids, backend))
                .to_owned()
        };
        let (sql, values) = select(DbBackend::Postgres).build(PostgresQueryBuilder);
        assert_eq!(
            sql,
            r#"SELECT "id" FROM "agents" WHERE "id" IN (SELECT m.id FROM unnest(CAST($1 AS uuid[])) AS m(id))"#
        );
        assert_eq!(
            values.0,
            [Value::String(Some(format!(
                r#"{{"{}","{}"}}"#,
                ids[0], ids[1]
            )))]
        );
        let (sql, values) = select(DbBackend::Sqlite).build(SqliteQueryBuilder);
        assert_eq!(sql, r#"SELECT "id" FROM "agents" WHERE "id" IN (?, ?)"#);
        assert_eq!(values.0.len(), 2);
    }
}
