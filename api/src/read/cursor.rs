//! Opaque cursors: a row's place in its list (sort key, then id), encoded
//! so that clients cannot tell what is inside and a cursor of one list is
//! refused by every other.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::Value;
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
    pub(super) fn sql(&self) -> Option<Value> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
