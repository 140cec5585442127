//! Objects whose selected fields are all plain values, answered in one pass
//! over the selection set instead of through a future per field: a
//! breakdown by agent asks `Kpis` for some 8,000 numbers.
//!
//! The schema registers no extensions (`graphql::schema`), so no
//! field-level hook is skipped; `@skip` and `@include` are applied by the
//! engine before execution. Anything else falls back to the engine.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Selection, SelectionSet};
use async_graphql::{ContextSelectionSet, Name, Value};

/// The object `type_name` with the fields of `ctx`'s selection set, each
/// answered by `value_of` from its field name; `None` when the selection
/// needs the engine: a field `value_of` does not know, arguments,
/// directives, or a fragment on another type.
pub fn resolve(
    ctx: &ContextSelectionSet<'_>,
    type_name: &str,
    value_of: impl Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let mut out = IndexMap::new();
    collect(ctx, &ctx.item.node, type_name, &value_of, &mut out)?;
    Some(Value::Object(out))
}

fn collect(
    ctx: &ContextSelectionSet<'_>,
    set: &SelectionSet,
    type_name: &str,
    value_of: &impl Fn(&str) -> Option<Value>,
    out: &mut IndexMap<Name, Value>,
) -> Option<()> {
    for selection in &set.items {
        if !selection.node.directives().is_empty() {
            return None;
        }
        let (condition, inner) = match &selection.node {
            Selection::Field(field) => {
                let field = &field.node;
                if !field.arguments.is_empty() {
                    return None;
                }
                let name = field.name.node.as_str();
                let value = if name == "__typename" {
                    Value::String(type_name.to_owned())
                } else {
                    value_of(name)?
                };
                // A key selected twice is the same field (validation sees
                // to that): the first place wins, as in the engine.
                out.entry(field.response_key().node.clone())
                    .or_insert(value);
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let fragment = ctx
                    .query_env
                    .fragments
                    .get(&spread.node.fragment_name.node)?;
                (
                    Some(&fragment.node.type_condition.node.on.node),
                    &fragment.node.selection_set.node,
                )
            }
            Selection::InlineFragment(inline) => (
                inline.node.type_condition.as_ref().map(|c| &c.node.on.node),
                &inline.node.selection_set.node,
            ),
        };
        if condition.is_some_and(|on| on.as_str() != type_name) {
            return None;
        }
        collect(ctx, inner, type_name, value_of, out)?;
    }
    Some(())
}
