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

use sea_orm::ColumnTrait;
use sea_orm::sea_query::Expr;

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
