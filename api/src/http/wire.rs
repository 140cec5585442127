//! GraphQL over HTTP on the wire: reading GET parameters and POST bodies
//! into requests, negotiating the response media type, and the status code
//! of each answer (the GraphQL-over-HTTP specification, checked in CI by
//! the `graphql-http` audit suite, `tests/conformance`).

use async_graphql::{Request, Variables};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// `application/graphql-response+json`, the specification's own type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// A request as it arrived, before persisted documents are looked up.
pub struct Incoming {
    pub request: Request,
    /// `documentId` (trusted documents), if sent.
    pub document_id: Option<String>,
}

/// A request that is not a well-formed GraphQL-over-HTTP request.
#[derive(Debug)]
pub struct Malformed {
    pub status: StatusCode,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> Malformed {
    Malformed {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    }
}

/// The media type of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/graphql-response+json`: request errors answer 4xx.
    GraphqlResponse,
    /// `application/json`: every well-formed request answers 200.
    Json,
}

/// The media type the client accepts, best first; `None` when it accepts
/// neither JSON type (406). No `Accept` header means `application/json`,
/// as the specification asks for clients that predate it.
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut quality = 1.0_f32;
        for parameter in parts {
            if let Some(q) = parameter.strip_prefix("q=") {
                quality = q.parse().unwrap_or(0.0);
            }
        }
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality <= 0.0 {
            continue;
        }
        // On equal quality the specification's own type wins.
        let better = match best {
            None => true,
            Some((q, current)) => {
                quality > q
                    || (quality == q
                        && candidate == MediaType::GraphqlResponse
                        && current != MediaType::GraphqlResponse)
            }
        };
        if better {
            best = Some((quality, candidate));
        }
    }
    best.map(|(_, media)| media)
}

/// Reads `GET /graphql?query=...&operationName=...&variables=...&extensions=...`.
pub fn from_query_string(query: Option<&str>) -> Result<Incoming, Malformed> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or_default())
        .map_err(|error| malformed(format!("the query string does not parse: {error}")))?;
    let mut object = Map::new();
    for (name, value) in pairs {
        let value = match name.as_str() {
            // JSON-encoded parameters.
            "variables" | "extensions" => serde_json::from_str(&value).map_err(|_| {
                malformed(format!(
                    "the `{name}` parameter must be a JSON-encoded object"
                ))
            })?,
            _ => Value::String(value),
        };
        object.insert(name, value);
    }
    from_object(object)
}

/// Reads a POST body: `application/json` with one request object. Other
/// content types answer 415, and a JSON array (a batch) 400: callboard runs
/// one operation per HTTP request.
pub fn from_body(headers: &HeaderMap, body: &[u8]) -> Result<Incoming, Malformed> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    if content_type.as_deref() != Some(JSON) {
        return Err(Malformed {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            message: "send the request as `Content-Type: application/json`".into(),
        });
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => from_object(object),
        Ok(Value::Array(_)) => Err(malformed(
            "batched requests are not supported: send one operation per request",
        )),
        Ok(_) => Err(malformed("the body must be a JSON object")),
        Err(error) => Err(malformed(format!("the body is not valid JSON: {error}"))),
    }
}

fn from_object(mut object: Map<String, Value>) -> Result<Incoming, Malformed> {
    let query = optional_string(&mut object, "query")?;
    let operation_name = optional_string(&mut object, "operationName")?;
    let document_id = optional_string(&mut object, "documentId")?;
    let variables = optional_object(&mut object, "variables")?;
    let extensions = optional_object(&mut object, "extensions")?;
    let mut request = Request::new(query.unwrap_or_default());
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    if let Some(variables) = variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(extensions) = extensions {
        for (name, value) in extensions {
            let value = async_graphql::Value::from_json(value)
                .map_err(|_| malformed("`extensions` holds a value that is not JSON"))?;
            request.extensions.insert(name, value);
        }
    }
    Ok(Incoming {
        request,
        document_id,
    })
}

fn optional_string(
    object: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<String>, Malformed> {
    match object.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(malformed(format!("`{name}` must be a string"))),
    }
}

fn optional_object(
    object: &mut Map<String, Value>,
    name: &str,
) -> Result<Option<Map<String, Value>>, Malformed> {
    match object.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(value)) => Ok(Some(value)),
        Some(_) => Err(malformed(format!("`{name}` must be an object"))),
    }
}

/// Whether a response is a request error: the operation did not run, so
/// there is no `data` (parse, validation and limit errors, refused
/// persisted documents). A field error has a path and answers 200.
pub fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// A GraphQL error with its `extensions.code`, for refusals made before
/// the engine runs.
pub fn coded_error(message: &str, code: &str) -> async_graphql::ServerError {
    let mut error = async_graphql::ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// The answer to an operation that ran (or was refused before running).
pub fn reply(media: MediaType, response: &async_graphql::Response) -> Response {
    encode(media, response).into_response()
}

/// An answer ready for the wire (and for the response cache).
#[derive(Debug, Clone)]
pub struct Encoded {
    pub status: StatusCode,
    pub media: MediaType,
    pub body: Bytes,
}

impl IntoResponse for Encoded {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type(self.media));
        response
    }
}

/// Serialises a GraphQL response straight to JSON bytes.
pub fn encode(media: MediaType, response: &async_graphql::Response) -> Encoded {
    let request_error = is_request_error(response);
    let body = if request_error {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(response)
    };
    let status = if request_error && media == MediaType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Encoded {
        status,
        media,
        body: Bytes::from(body.unwrap_or_else(|_| b"null".to_vec())),
    }
}

/// A request error that is not GraphQL's (malformed request, 405, 429):
/// `status` and one error with `code`.
pub fn error(media: MediaType, status: StatusCode, message: &str, code: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    json(status, media, &body)
}

fn json(status: StatusCode, media: MediaType, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type(media));
    response
}

fn content_type(media: MediaType) -> HeaderValue {
    HeaderValue::from_static(match media {
        MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        MediaType::Json => "application/json; charset=utf-8",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_client_gets_the_media_type_it_asks_for() {
        use MediaType::*;
        assert_eq!(negotiate(&HeaderMap::new()), Some(Json));
        assert_eq!(negotiate(&accept("application/json")), Some(Json));
        assert_eq!(
            negotiate(&accept("application/graphql-response+json")),
            Some(GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(GraphqlResponse)
        );
        assert_eq!(
            negotiate(&accept(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(Json)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(Json));
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
    }

    #[test]
    fn get_parameters_become_a_request() {
        let incoming = from_query_string(Some(
            "query=query%20Q(%24a%3AInt)%7B__typename%7D&operationName=Q&variables=%7B%22a%22%3A1%7D",
        ))
        .unwrap();
        assert_eq!(incoming.request.query, "query Q($a:Int){__typename}");
        assert_eq!(incoming.request.operation_name.as_deref(), Some("Q"));
        assert_eq!(
            incoming.request.variables.into_value().into_json().unwrap(),
            serde_json::json!({ "a": 1 })
        );
        assert!(from_query_string(Some("query=x&variables=nope")).is_err());
    }

    #[test]
    fn bodies_must_be_one_json_object_of_the_right_shape() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        assert!(from_body(&headers, br#"{"query":"{a}"}"#).is_ok());
        for (body, status) in [
            (&br#"[{"query":"{a}"}]"#[..], 400),
            (br#"{"query":1}"#, 400),
            (br#"{"query":"{a}","variables":"{}"}"#, 400),
            (br#"{"query":"{a}","operationName":[]}"#, 400),
            (br#"{"query":"{a}","extensions":1}"#, 400),
            (br#"not json"#, 400),
        ] {
            let error = from_body(&headers, body).err().expect("refused");
            assert_eq!(
                error.status.as_u16(),
                status,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let error = from_body(&HeaderMap::new(), br#"{"query":"{a}"}"#)
            .err()
            .expect("no content type");
        assert_eq!(error.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}
