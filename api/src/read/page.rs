//! Page requests shared by every list: Relay arguments checked against the
//! page limits, and the page they produce (see `keyset` for the SQL).

use super::cursor::{Cursor, List};
use crate::error::{ApiError, ApiResult};

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
