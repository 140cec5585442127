//! Keyset pagination shared by every list: a checked page request, opaque
//! cursors naming a row's place in its list, and the conditions that seek
//! past them. Each list orders by one sort key, then by the row id, so every
//! position is unique and a cursor stays valid while rows come and go.

use crate::error::{ApiError, ApiResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, NullOrdering};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, Order, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
};
use uuid::Uuid;

/// The lists that can be paged; a cursor of one is refused by the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum List {
    Agents,
    Campaigns,
    Contacts,
    Calls,
    FollowUps,
}

impl List {
    fn tag(self) -> &'static str {
        match self {
            Self::Agents => "agent",
            Self::Campaigns => "campaign",
            Self::Contacts => "contact",
            Self::Calls => "call",
            Self::FollowUps => "follow-up",
        }
    }

    fn sorts_by_time(self) -> bool {
        matches!(self, Self::Contacts | Self::Calls | Self::FollowUps)
    }
}

/// The value of a list's sort key at one row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SortValue {
    Text(String),
    /// `None`: not known yet (calls whose initiation is unknown sort last).
    Time(Option<DateTime<Utc>>),
}

impl SortValue {
    fn sql(&self) -> Option<Value> {
        match self {
            Self::Text(text) => Some(text.clone().into()),
            Self::Time(time) => time.map(Into::into),
        }
    }
}

/// A row's place in a list: its sort key, then its id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    pub list: List,
    pub key: SortValue,
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string clients see.
    pub fn encode(&self) -> String {
        let key = match &self.key {
            SortValue::Text(text) => text.clone(),
            SortValue::Time(Some(time)) => time.to_rfc3339_opts(SecondsFormat::Micros, true),
            SortValue::Time(None) => String::new(),
        };
        URL_SAFE_NO_PAD.encode(format!("{}|{key}|{}", self.list.tag(), self.id.simple()))
    }

    /// Parses a cursor of `list`; `None` for anything else.
    pub fn decode(list: List, text: &str) -> Option<Self> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(text).ok()?).ok()?;
        let (tag, rest) = raw.split_once('|')?;
        let (key, id) = rest.rsplit_once('|')?;
        if tag != list.tag() {
            return None;
        }
        let key = match (list.sorts_by_time(), key) {
            (false, text) => SortValue::Text(text.to_owned()),
            (true, "") => SortValue::Time(None),
            (true, time) => {
                SortValue::Time(Some(DateTime::parse_from_rfc3339(time).ok()?.to_utc()))
            }
        };
        Some(Self {
            list,
            key,
            id: Uuid::try_parse(id).ok()?,
        })
    }
}

/// Page sizes: the default when a request names none, and the most allowed.
#[derive(Debug, Clone, Copy)]
pub struct PageLimits {
    pub default_size: u64,
    pub max_size: u64,
}

/// A checked Relay page request: `first`/`after` pages forward in list
/// order, `last`/`before` backward; both cursors may bound either.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub forward: bool,
    pub limit: u64,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
}

/// The Relay arguments of a connection field, as sent.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

impl PageRequest {
    /// Checks `args` for a page of `list`: `first` or `last`, not both
    /// (neither: the first `default_size` rows), each from 0 to `max_size`,
    /// and cursors of this list. Anything else is `BAD_USER_INPUT`.
    pub fn parse(list: List, args: &PageArgs, limits: PageLimits) -> ApiResult<Self> {
        let size = |field: &str, value: i32| -> ApiResult<u64> {
            let size =
                u64::try_from(value).map_err(|_| ApiError::invalid(field, "must be 0 or more"))?;
            if size > limits.max_size {
                return Err(ApiError::invalid(
                    field,
                    format!(
                        "a page holds at most {} items; ask for {} or fewer and follow the cursors",
                        limits.max_size, limits.max_size
                    ),
                ));
            }
            Ok(size)
        };
        let (forward, limit) = match (args.first, args.last) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "first",
                    "give `first` or `last`, not both",
                ));
            }
            (Some(first), None) => (true, size("first", first)?),
            (None, Some(last)) => (false, size("last", last)?),
            (None, None) => (true, Ord::min(limits.default_size, limits.max_size)),
        };
        let cursor = |field: &str, text: &Option<String>| -> ApiResult<Option<Cursor>> {
            text.as_deref()
                .map(|text| {
                    Cursor::decode(list, text)
                        .ok_or_else(|| ApiError::invalid(field, "not a cursor of this list"))
                })
                .transpose()
        };
        Ok(Self {
            forward,
            limit,
            after: cursor("after", &args.after)?,
            before: cursor("before", &args.before)?,
        })
    }

    /// Rows to fetch: one more than the page, to learn whether more exist.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }

    /// Turns rows fetched in request order (at most `fetch()` of them) into
    /// the page in list order.
    pub fn finish<T>(&self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as u64 > self.limit;
        rows.truncate(self.limit as usize);
        if self.forward {
            Page {
                rows,
                has_next: more,
                // Cheap and honest enough: rows precede an `after` cursor.
                has_previous: self.after.is_some(),
            }
        } else {
            rows.reverse();
            Page {
                rows,
                has_next: self.before.is_some(),
                has_previous: more,
            }
        }
    }
}

/// One page of a list, in list order.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_previous: bool,
    pub has_next: bool,
}

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

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: PageLimits = PageLimits {
        default_size: 50,
        max_size: 500,
    };

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs {
            first,
            last,
            ..PageArgs::default()
        }
    }

    #[test]
    fn cursors_round_trip_and_belong_to_one_list() {
        let at = DateTime::parse_from_rfc3339("2026-03-10T10:00:00.123456Z")
            .unwrap()
            .to_utc();
        for (list, key) in [
            (List::Calls, SortValue::Time(Some(at))),
            (List::Calls, SortValue::Time(None)),
            (List::Agents, SortValue::Text("Priya | night shift".into())),
            (List::Agents, SortValue::Text(String::new())),
        ] {
            let cursor = Cursor {
                list,
                key,
                id: Uuid::now_v7(),
            };
            assert_eq!(Cursor::decode(list, &cursor.encode()), Some(cursor.clone()));
            assert_eq!(Cursor::decode(List::Campaigns, &cursor.encode()), None);
        }
        assert_eq!(Cursor::decode(List::Calls, "not a cursor"), None);
    }

    #[test]
    fn page_sizes_are_checked_and_default() {
        let page = PageRequest::parse(List::Calls, &args(None, None), LIMITS).unwrap();
        assert_eq!((page.forward, page.limit), (true, 50));
        let page = PageRequest::parse(List::Calls, &args(None, Some(500)), LIMITS).unwrap();
        assert_eq!((page.forward, page.limit), (false, 500));
        for bad in [
            args(Some(501), None),
            args(Some(-1), None),
            args(Some(1), Some(1)),
        ] {
            let error = PageRequest::parse(List::Calls, &bad, LIMITS).unwrap_err();
            assert_eq!(error.code(), "BAD_USER_INPUT");
        }
    }

    #[test]
    fn a_page_trims_the_probe_row_and_restores_list_order_backward() {
        let forward = PageRequest::parse(List::Calls, &args(Some(2), None), LIMITS).unwrap();
        let page = forward.finish(vec![1, 2, 3]);
        assert_eq!(
            (page.rows, page.has_next, page.has_previous),
            (vec![1, 2], true, false)
        );
        let backward = PageRequest::parse(List::Calls, &args(None, Some(2)), LIMITS).unwrap();
        let page = backward.finish(vec![9, 8]);
        assert_eq!(
            (page.rows, page.has_next, page.has_previous),
            (vec![8, 9], false, false)
        );
    }
}
