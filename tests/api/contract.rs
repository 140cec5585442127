//! The contract's operations (`docs/examples/operations.graphql`, a copy of
//! the published contract), extracted by name so tests send them verbatim.

const DOCUMENT: &str = include_str!("../../docs/examples/operations.graphql");

/// The named operation with the fragments it uses, exactly as published.
pub fn operation(name: &str) -> String {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in DOCUMENT.lines() {
        let starts_block = ["query ", "mutation ", "subscription ", "fragment "]
            .iter()
            .any(|k| line.starts_with(k));
        if starts_block {
            let title = line
                .split(['(', ' ', '{'])
                .nth(1)
                .unwrap_or_default()
                .to_owned();
            blocks.push((title, String::new()));
        } else if line.starts_with('#') {
            continue;
        }
        if let Some((_, text)) = blocks.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let (_, op) = blocks
        .iter()
        .find(|(title, _)| title == name)
        .unwrap_or_else(|| panic!("no operation {name}"));
    let mut out = op.clone();
    for (title, text) in &blocks {
        if op.contains(&format!("...{title}")) {
            out.push_str(text);
        }
    }
    out
}
