//! The playground's static files, embedded in the binary: the vendored
//! GraphiQL bundle (`api/assets/graphiql`, gzip-compressed by its build)
//! and the page's own script and stylesheet. Their URLs carry a hash of
//! their contents, so browsers may keep them for a year.

use super::quality_list;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::hash::{DefaultHasher, Hasher};
use std::io::Read;
use std::sync::LazyLock;

/// Where the files are served; the route is `{PREFIX}/{version}/{file}`.
pub const PREFIX: &str = "/playground/assets";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: Body,
}

enum Body {
    Plain(&'static [u8]),
    Gzip(&'static [u8]),
}

macro_rules! vendored {
    ($file:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/graphiql/dist/",
            $file
        ))
    };
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "playground.js",
        content_type: JAVASCRIPT,
        body: Body::Plain(include_bytes!("playground.js")),
    },
    Asset {
        name: "playground.css",
        content_type: CSS,
        body: Body::Plain(include_bytes!("playground.css")),
    },
    Asset {
        name: "graphiql.js",
        content_type: JAVASCRIPT,
        body: Body::Gzip(vendored!("graphiql.js.gz")),
    },
    Asset {
        name: "graphiql.css",
        content_type: CSS,
        body: Body::Gzip(vendored!("graphiql.css.gz")),
    },
    Asset {
        name: "editor.worker.js",
        content_type: JAVASCRIPT,
        body: Body::Gzip(vendored!("editor.worker.js.gz")),
    },
    Asset {
        name: "json.worker.js",
        content_type: JAVASCRIPT,
        body: Body::Gzip(vendored!("json.worker.js.gz")),
    },
    Asset {
        name: "graphql.worker.js",
        content_type: JAVASCRIPT,
        body: Body::Gzip(vendored!("graphql.worker.js.gz")),
    },
    Asset {
        name: "LICENSES.txt",
        content_type: TEXT,
        body: Body::Plain(vendored!("LICENSES.txt")),
    },
];

/// A hash of every file, so that any change gives new URLs.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hasher = DefaultHasher::new();
    for asset in ASSETS {
        hasher.write(asset.name.as_bytes());
        match asset.body {
            Body::Plain(bytes) | Body::Gzip(bytes) => hasher.write(bytes),
        }
    }
    format!("{:016x}", hasher.finish())
});

/// The URL of the embedded file `name`.
pub fn url(name: &str) -> String {
    debug_assert!(ASSETS.iter().any(|asset| asset.name == name), "{name}");
    format!("{PREFIX}/{}/{name}", *VERSION)
}

/// `GET {PREFIX}/{version}/{file}`: an embedded file, gzip-compressed when
/// the client accepts it (every browser does) and as stored otherwise.
pub async fn get(Path((version, name)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // A URL from another build would be cached for a year under the wrong
    // contents; a 404 makes the page load anew instead.
    if version != *VERSION {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut response = match asset.body {
        Body::Plain(bytes) => bytes.into_response(),
        Body::Gzip(bytes) if accepts_gzip(&headers) => {
            let mut response = bytes.into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            response
        }
        Body::Gzip(bytes) => match gunzip(bytes) {
            Ok(plain) => plain.into_response(),
            Err(error) => {
                tracing::error!(%error, asset = asset.name, "decompressing an embedded asset");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(quality_list)
        .any(|(coding, q)| q > 0.0 && (coding.eq_ignore_ascii_case("gzip") || coding == "*"))
}

fn gunzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut plain)?;
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_file_is_embedded_and_decompresses() {
        let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/graphiql/dist");
        let mut on_disk: Vec<String> = std::fs::read_dir(dist)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = ASSETS
            .iter()
            .filter_map(|asset| match asset.body {
                Body::Gzip(bytes) => {
                    assert!(!gunzip(bytes).unwrap().is_empty(), "{}", asset.name);
                    Some(format!("{}.gz", asset.name))
                }
                Body::Plain(_) if asset.name == "LICENSES.txt" => Some(asset.name.to_owned()),
                Body::Plain(_) => None,
            })
            .collect();
        embedded.sort();
        assert_eq!(
            embedded, on_disk,
            "update ASSETS after rebuilding the bundle"
        );
    }

    #[test]
    fn gzip_is_sent_only_to_clients_that_accept_it() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            accepts_gzip(&headers)
        };
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("*"));
        assert!(!with("gzip;q=0"));
        assert!(!with("br, identity"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }
}
