//! Keyset order and seeking: each list orders by one sort key, then by the
//! row id, so every position is unique and "rows past this cursor" is a
//! plain condition that an index in the same order answers directly.

use super::cursor::Cursor;
use super::page::{Page, PageRequest};
use sea_orm::sea_query::{Expr, ExprTrait, NullOrdering};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};

/// How a list is ordered: `key` (descending or not; when nullable, unknown
/// values sort last), then `id` in the same direction.
#[derive(Debug, Clone, Copy)]
pub struct Keyset<C> {
    pub key: C,
    pub id: C,
    pub descending: bool,
    pub nullable: bool,
}

impl<C: ColumnTrait> Keyset<C> {
    /// Rows strictly after `cursor` in list order (`after`), or before it.
    pub fn past(&self, cursor: &Cursor, after: bool) -> Condition {
        let toward_smaller = after == self.descending;
        let beyond = |col: Expr, value: Value| {
            if toward_smaller {
                col.lt(value)
            } else {
                col.gt(value)
            }
        };
        let key = Expr::col((self.key.entity_name(), self.key));
        let next_by_id = beyond(
            Expr::col((self.id.entity_name(), self.id)),
            cursor.id.into(),
        );
        let mut past = Condition::any();
        match cursor.key.sql() {
            Some(value) => {
                past = past.add(beyond(key.clone(), value.clone()));
                if self.nullable && after {
                    // Unknown values sort last, after every known one.
                    past = past.add(key.clone().is_null());
                }
                past.add(Condition::all().add(key.eq(value)).add(next_by_id))
            }
            None => {
                if !after {
                    past = past.add(key.clone().is_not_null());
                }
                past.add(Condition::all().add(key.is_null()).add(next_by_id))
            }
        }
    }

    /// Orders `select` in list order (`forward`) or in reverse.
    pub fn order<E: EntityTrait<Column = C>>(&self, select: Select<E>, forward: bool) -> Select<E> {
        let order = if self.descending == forward {
            Order::Desc
        } else {
            Order::Asc
        };
        let select = if self.nullable {
            let nulls = if forward {
                NullOrdering::Last
            } else {
                NullOrdering::First
            };
            select.order_by_with_nulls(self.key, order.clone(), nulls)
        } else {
            select.order_by(self.key, order.clone())
        };
        select.order_by(self.id, order)
    }

    /// The conditions of a page's cursors, whatever its direction.
    pub fn bounds(&self, page: &PageRequest) -> Condition {
        let mut bounds = Condition::all();
        if let Some(after) = &page.after {
            bounds = bounds.add(self.past(after, true));
        }
        if let Some(before) = &page.before {
            bounds = bounds.add(self.past(before, false));
        }
        bounds
    }

    /// Applies a page request to `select`: cursors, order, and `fetch()` rows.
    pub fn apply<E: EntityTrait<Column = C>>(
        &self,
        select: Select<E>,
        page: &PageRequest,
    ) -> Select<E> {
        self.order(select.filter(self.bounds(page)), page.forward)
            .limit(page.fetch())
    }

    /// One page of `select`'s rows, in one statement.
    pub async fn page<E, D>(
        &self,
        db: &D,
        select: Select<E>,
        page: &PageRequest,
    ) -> Result<Page<E::Model>, DbErr>
    where
        E: EntityTrait<Column = C>,
        D: ConnectionTrait,
    {
        Ok(page.finish(self.apply(select, page).all(db).await?))
    }
}
