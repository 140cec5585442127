//! PostgreSQL array literals (`{a,"b c",NULL}`), the text form of an
//! array parameter: how the write path sends a column of rows and the read
//! path a list of keys, each as one parameter.

use sea_orm::DbErr;
use sea_orm::sea_query::{ArrayType, OptionEnum, Value};

/// A PostgreSQL array literal of `values`, for `unnest($n::text[])`: a
/// set of keys joined against a table plans in constant time, where an
/// `IN` list of thousands costs the planner per value.
pub fn text_array<'a>(values: impl IntoIterator<Item = &'a str>) -> Value {
    let values = values
        .into_iter()
        .map(|value| Value::String(Some(value.to_owned())));
    // Text always encodes.
    let (array, _) = literal(values).expect("text encodes");
    Value::String(Some(array))
}

/// Array parameter `$n` (an array literal of `ty` elements) as `unnest` and
/// joins should read it: through a scalar sub-select. Given `$n::ty[]`
/// directly, the planner parses the whole literal while planning, to
/// estimate how many rows `unnest` yields, and the executor parses it
/// again; PostgreSQL plans each batch's statement anew, so that was every
/// array twice. A sub-select is run once, at execution, and is opaque to
/// the estimate (100 rows), which keeps joins against a key list on the
/// index rather than hashing the table.
pub fn param(n: usize, ty: &str) -> String {
    format!("(SELECT ${n}::{ty}[])")
}

/// A column of values (all of one type) as one array parameter of a
/// statement: binary when every value is a set UUID or instant, the two
/// types whose text form PostgreSQL parses slowest (0.3–0.4 µs an element
/// against 0.03–0.09 µs for text: in a 5,000-event insert, 9 of the 20 ms
/// spent parsing its arrays); otherwise an array literal, which can hold
/// NULL elements (sea-query binds binary arrays without them).
#[derive(Debug)]
pub(crate) struct ArrayParam {
    /// What is bound.
    pub value: Value,
    /// The PostgreSQL type of the elements.
    pub element: &'static str,
    binary: bool,
}

impl ArrayParam {
    pub fn of(values: impl IntoIterator<Item = Value>) -> Result<Self, DbErr> {
        let values: Vec<Value> = values.into_iter().collect();
        let all = |set: fn(&Value) -> bool| values.iter().all(set);
        let binary = match values.first() {
            Some(Value::Uuid(_)) if all(|v| matches!(v, Value::Uuid(Some(_)))) => {
                Some((ArrayType::Uuid, "uuid"))
            }
            Some(Value::ChronoDateTimeUtc(_))
                if all(|v| matches!(v, Value::ChronoDateTimeUtc(Some(_)))) =>
            {
                Some((ArrayType::ChronoDateTimeUtc, "timestamptz"))
            }
            _ => None,
        };
        Ok(match binary {
            Some((ty, element)) => Self {
                value: Value::Array(ty, Some(Box::new(values))),
                element,
                binary: true,
            },
            None => {
                let (array, element) = literal(values)?;
                Self {
                    value: Value::String(Some(array)),
                    element,
                    binary: false,
                }
            }
        })
    }

    /// The array as parameter `$n` of a statement, read as `param` reads
    /// one. A literal is spelled with its `text` type: the two kinds of one
    /// column are then two statements, each prepared for its own type.
    pub fn sql(&self, n: usize) -> String {
        match self.binary {
            true => param(n, self.element),
            false => format!("(SELECT ${n}::text::{}[])", self.element),
        }
    }
}

/// The array literal of `values` (all of one type) and the PostgreSQL
/// type of its elements ("text" for no elements).
pub(crate) fn literal(
    values: impl IntoIterator<Item = Value>,
) -> Result<(String, &'static str), DbErr> {
    let values = values.into_iter();
    let count = values.size_hint().0;
    let mut array = String::from("{");
    let mut kind = None;
    for (i, value) in values.enumerate() {
        if i > 0 {
            array.push(',');
        }
        kind.get_or_insert(element(&mut array, value)?);
        if i == 0 {
            // The rest at about the first element's length: one allocation
            // rather than a copy at every doubling.
            array.reserve(count.saturating_sub(1) * array.len());
        }
    }
    array.push('}');
    Ok((array, kind.unwrap_or("text")))
}

/// Appends one array element for `value`; returns its PostgreSQL type.
pub(crate) fn element(array: &mut String, value: Value) -> Result<&'static str, DbErr> {
    fn text(array: &mut String, s: &str) {
        array.push('"');
        if s.contains(['"', '\\']) {
            for c in s.chars() {
                if c == '"' || c == '\\' {
                    array.push('\\');
                }
                array.push(c);
            }
        } else {
            array.push_str(s);
        }
        array.push('"');
    }
    fn int(array: &mut String, v: impl itoa::Integer) {
        array.push_str(itoa::Buffer::new().format(v));
    }
    fn put<T>(array: &mut String, v: Option<T>, f: impl FnOnce(&mut String, T)) {
        match v {
            Some(v) => f(array, v),
            None => array.push_str("NULL"),
        }
    }
    Ok(match value {
        Value::Bool(v) => {
            put(array, v, |a, v| a.push(if v { 't' } else { 'f' }));
            "bool"
        }
        Value::SmallInt(v) => {
            put(array, v, int);
            "int2"
        }
        Value::Int(v) => {
            put(array, v, int);
            "int4"
        }
        Value::BigInt(v) => {
            put(array, v, int);
            "int8"
        }
        Value::String(v) => {
            put(array, v, |a, v| text(a, &v));
            "text"
        }
        Value::Enum(v) => {
            match v {
                OptionEnum::Some(v) => text(array, &v.value),
                OptionEnum::None(_) => array.push_str("NULL"),
            }
            "text"
        }
        Value::Uuid(v) => {
            put(array, v, |a, v| {
                a.push_str(
                    v.hyphenated()
                        .encode_lower(&mut uuid::Uuid::encode_buffer()),
                )
            });
            "uuid"
        }
        Value::ChronoDateTimeUtc(v) => {
            put(array, v, |a, v| {
                text(a, &v.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
            });
            "timestamptz"
        }
        Value::Json(v) => {
            put(array, v, |a, v| text(a, &v.to_string()));
            "jsonb"
        }
        other => {
            return Err(DbErr::Custom(format!("no array encoding for {other:?}")));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_array_quotes_every_element() {
        let Value::String(Some(array)) = text_array([r#"a "b""#, r"c\d", "", "{,}"]) else {
            panic!("a string");
        };
        assert_eq!(array, r#"{"a \"b\"","c\\d","","{,}"}"#);
        assert_eq!(text_array([]), Value::String(Some("{}".into())));
    }
}
