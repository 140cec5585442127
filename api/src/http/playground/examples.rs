//! The guided first run's example tabs: the contract's read operations,
//! verbatim from `docs/examples/operations.graphql`, with variables that
//! cover the last 30 days.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::Serialize;
use serde_json::{Value, json};

const CONTRACT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../docs/examples/operations.graphql"
));

/// One GraphiQL tab: an operation and its variables, as editor text.
#[derive(Debug, Serialize)]
pub struct Tab {
    pub query: String,
    pub variables: Option<String>,
}

/// The tabs of the guided playground at `now`; the first one opens.
pub fn tabs(now: DateTime<Utc>) -> Vec<Tab> {
    let (from, to) = last_30_days(now);
    let range = json!({ "from": from, "to": to });
    [
        ("Kpis", json!({ "range": range })),
        ("KpiSeries", json!({ "range": range, "granularity": "DAY" })),
        ("KpiBreakdown", json!({ "range": range, "by": "AGENT" })),
        ("AgentLeaderboard", json!({ "first": 10, "range": range })),
        (
            "RecentCalls",
            json!({ "first": 10, "filter": { "from": from, "to": to } }),
        ),
        ("Tenant", Value::Null),
    ]
    .into_iter()
    .map(|(name, variables)| Tab {
        query: operation(name),
        variables: (!variables.is_null())
            .then(|| serde_json::to_string_pretty(&variables).unwrap_or_default()),
    })
    .collect()
}

/// The contract's operation `name` with the fragments it spreads, as
/// published (comments left out); empty if the contract has no such
/// operation.
fn operation(name: &str) -> String {
    // Every definition starts at the beginning of a line and runs to the
    // next one; the document is ours, so lines are enough of a parser.
    let mut blocks: Vec<(&str, String)> = Vec::new();
    for line in CONTRACT.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(rest) = ["query ", "mutation ", "fragment "]
            .iter()
            .find_map(|keyword| line.strip_prefix(keyword))
        {
            let title = rest.split(['(', ' ', '{']).next().unwrap_or_default();
            blocks.push((title, String::new()));
        }
        if let Some((_, text)) = blocks.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let Some((_, operation)) = blocks.iter().find(|(title, _)| *title == name) else {
        return String::new();
    };
    let mut text = operation.trim_end().to_owned();
    for (title, fragment) in &blocks {
        if operation.contains(&format!("...{title}")) {
            text.push_str("\n\n");
            text.push_str(fragment.trim_end());
        }
    }
    text
}

/// A half-open range of 30 days ending at the next full hour, as RFC 3339.
fn last_30_days(now: DateTime<Utc>) -> (String, String) {
    // Whole hours keep the range on the boundaries of the rollups.
    let to = now
        .duration_trunc(TimeDelta::hours(1))
        .map_or(now, |hour| hour + TimeDelta::hours(1));
    let from = to - TimeDelta::days(30);
    let rfc3339 = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    (rfc3339(from), rfc3339(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::DocumentOperations;

    fn operation_name(query: &str) -> String {
        let document = parse_query(query).expect("a valid document");
        match document.operations {
            DocumentOperations::Single(_) => panic!("the operation has no name"),
            DocumentOperations::Multiple(operations) => {
                assert_eq!(operations.len(), 1);
                operations.keys().next().unwrap().to_string()
            }
        }
    }

    #[test]
    fn the_tabs_are_the_contract_reads_with_kpis_first() {
        let tabs = tabs(Utc::now());
        let names: Vec<_> = tabs.iter().map(|tab| operation_name(&tab.query)).collect();
        assert_eq!(
            names,
            [
                "Kpis",
                "KpiSeries",
                "KpiBreakdown",
                "AgentLeaderboard",
                "RecentCalls",
                "Tenant"
            ]
        );
        assert!(
            tabs[0]
                .query
                .starts_with("query Kpis($range: TimeRangeInput!")
        );
        assert!(
            tabs[0]
                .query
                .contains("\n\nfragment AllKpis on Kpis {\n  totalCalls\n")
        );
        assert!(
            !tabs[3].query.contains("fragment"),
            "AgentLeaderboard spreads none"
        );
    }

    #[test]
    fn the_variables_cover_the_30_days_up_to_the_next_full_hour() {
        let now = "2026-03-10T08:20:31Z".parse().unwrap();
        assert_eq!(
            last_30_days(now),
            ("2026-02-08T09:00:00Z".into(), "2026-03-10T09:00:00Z".into())
        );
        let kpis: Value = serde_json::from_str(tabs(now)[0].variables.as_deref().unwrap()).unwrap();
        assert_eq!(
            kpis,
            json!({ "range": { "from": "2026-02-08T09:00:00Z", "to": "2026-03-10T09:00:00Z" } })
        );
    }
}
