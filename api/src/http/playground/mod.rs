//! The GraphQL playground: GraphiQL served from files embedded in the
//! binary, so it works offline and behind strict firewalls, under a
//! Content-Security-Policy that keeps every request on this server.
//!
//! `serve` opens a blank editor. `callboard demo` opens the guided first
//! run: the contract's read operations as tabs, and the demo key, which
//! the printed URL carries in its fragment (`#key=...`), in the Headers
//! tab. The key never travels in a page, so no response of the server
//! ever contains one.

pub mod assets;
mod examples;

use crate::config::PlaygroundPreset;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Only this server's origin, plus what GraphiQL needs: Monaco writes
/// inline styles (it has no nonce support), and GraphiQL's stylesheet
/// carries its fonts as `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; \
     connect-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const WELCOME: &str = "# Welcome to callboard's GraphQL playground.
#
# Put an API key in the Headers tab below:
#   { \"Authorization\": \"Bearer <your API key>\" }
# then press the Run button (or Ctrl-Enter).

query Tenant {
  tenant { name timezone }
}
";

/// What `playground.js` reads from the page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings<'a> {
    endpoint: &'static str,
    guided: bool,
    default_query: &'static str,
    /// Keeps the guided run's tabs apart from the ones a `serve` on the
    /// same address left in the browser's storage.
    storage_prefix: Option<&'static str>,
    tabs: Vec<examples::Tab>,
    /// The schema's SDL, so that GraphiQL needs no introspection query:
    /// that query nests 15 levels deep, past the default depth limit.
    schema: &'a str,
}

/// The playground page for `preset` over the schema `sdl`, rendered at `now`.
pub fn page(preset: PlaygroundPreset, sdl: &str, now: DateTime<Utc>) -> Response {
    let guided = preset == PlaygroundPreset::Guided;
    let settings = Settings {
        endpoint: "/graphql",
        guided,
        default_query: WELCOME,
        storage_prefix: guided.then_some("callboard-demo:"),
        tabs: if guided {
            examples::tabs(now)
        } else {
            Vec::new()
        },
        schema: sdl,
    };
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>callboard playground</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{graphiql_css}">
<link rel="stylesheet" href="{playground_css}">
<link rel="modulepreload" href="{graphiql_js}">
<script id="playground-settings" type="application/json">{settings}</script>
<script type="module" src="{playground_js}"></script>
</head>
<body>
<div id="graphiql"><p class="playground-loading">Loading the playground…</p></div>
<noscript>The playground needs JavaScript; GraphQL clients can POST to /graphql.</noscript>
</body>
</html>
"#,
        graphiql_css = assets::url("graphiql.css"),
        playground_css = assets::url("playground.css"),
        graphiql_js = assets::url("graphiql.js"),
        playground_js = assets::url("playground.js"),
        settings = script_json(&settings),
    );
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// JSON that is safe inside `<script>`: no `</script>` or `<!--` can close
/// or change the element.
fn script_json(value: &impl Serialize) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Whether an `Accept` header asks for a page rather than a GraphQL
/// response: `text/html` must rank above both JSON media types, so
/// `*/*` and GraphQL clients get GraphQL over HTTP.
pub fn prefers_html(accept: &str) -> bool {
    let (mut html, mut graphql) = (0.0_f32, 0.0_f32);
    for (range, q) in quality_list(accept) {
        if range.eq_ignore_ascii_case("text/html") {
            html = html.max(q);
        } else if range.eq_ignore_ascii_case("application/json")
            || range.eq_ignore_ascii_case("application/graphql-response+json")
        {
            graphql = graphql.max(q);
        }
    }
    html > graphql
}

/// The items of a comma-separated header with their `q` weights (RFC 9110
/// §12.4.2); a weight that does not parse counts as 0.
fn quality_list(value: &str) -> impl Iterator<Item = (&str, f32)> {
    value.split(',').filter_map(|item| {
        let mut parts = item.split(';').map(str::trim);
        let token = parts.next().filter(|token| !token.is_empty())?;
        let q = parts
            .find_map(|param| {
                param
                    .strip_prefix("q=")
                    .or_else(|| param.strip_prefix("Q="))
            })
            .map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
        Some((token, q))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_get_the_page_and_graphql_clients_do_not() {
        assert!(prefers_html(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(prefers_html("application/json;q=0.5, text/html"));
        assert!(!prefers_html(
            "application/graphql-response+json, application/json;q=0.9"
        ));
        assert!(!prefers_html("*/*"));
        assert!(!prefers_html(""));
        assert!(!prefers_html("text/html;q=0.5, application/json"));
        assert!(!prefers_html("text/html;q=0"));
    }

    #[test]
    fn settings_cannot_close_their_script_element() {
        let json = script_json(&"</script><!-- & -->");
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'));
        assert_eq!(
            serde_json::from_str::<String>(&json).unwrap(),
            "</script><!-- & -->"
        );
    }

    fn body(preset: PlaygroundPreset) -> String {
        let response = page(preset, "type Query { a: Int }", Utc::now());
        let bytes =
            futures::executor::block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[test]
    fn the_blank_page_has_no_tabs_and_the_guided_one_has_the_contract_reads() {
        let blank = body(PlaygroundPreset::Blank);
        assert!(blank.contains(r#""guided":false"#));
        assert!(blank.contains(r#""tabs":[]"#));
        let guided = body(PlaygroundPreset::Guided);
        assert!(guided.contains(r#""guided":true"#));
        for operation in [
            "query Kpis",
            "query KpiSeries",
            "query KpiBreakdown",
            "query AgentLeaderboard",
            "query RecentCalls",
        ] {
            assert!(guided.contains(operation), "{operation}");
        }
        for page in [blank, guided] {
            assert!(!page.contains("cbk_"), "no page carries an API key");
        }
    }
}
