//! Splits a file of operations into one document per operation, each with
//! the fragments it uses, as clients send them. Definitions are expected to
//! start at the beginning of a line (as in `docs/examples/operations.graphql`).

const KEYWORDS: [&str; 4] = ["query ", "mutation ", "subscription ", "fragment "];

/// `(operation name, document)` for each named query, mutation or
/// subscription of `source`.
pub fn by_operation(source: &str) -> Vec<(String, String)> {
    let mut blocks: Vec<(bool, String, String)> = Vec::new();
    for line in source.lines() {
        if let Some(keyword) = KEYWORDS.iter().find(|k| line.starts_with(**k)) {
            let name = line[keyword.len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            blocks.push((*keyword != "fragment ", name.to_owned(), String::new()));
        } else if line.starts_with('#') {
            continue;
        }
        if let Some((_, _, text)) = blocks.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    let fragments: Vec<(String, String)> = blocks
        .iter()
        .filter(|(is_op, _, _)| !is_op)
        .map(|(_, n, t)| (n.clone(), t.trim_end().to_owned()))
        .collect();
    blocks
        .iter()
        .filter(|(is_op, name, _)| *is_op && !name.is_empty())
        .map(|(_, name, text)| {
            let mut document = text.trim_end().to_owned();
            let mut used: Vec<&(String, String)> = Vec::new();
            // Fragments may use fragments: follow until nothing new is needed.
            loop {
                let needed: Vec<&(String, String)> = fragments
                    .iter()
                    .filter(|(n, _)| {
                        !used.iter().any(|(u, _)| u == n) && document.contains(&format!("...{n}"))
                    })
                    .collect();
                if needed.is_empty() {
                    break;
                }
                for f in needed {
                    document.push_str("\n\n");
                    document.push_str(&f.1);
                    used.push(f);
                }
            }
            document.push('\n');
            (name.clone(), document)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_gets_the_fragments_it_uses() {
        let source = "# comment\nquery A { ...F }\n\nquery B { b }\n\nfragment F on Q {\n  ...G\n}\nfragment G on Q { g }\n";
        let docs = by_operation(source);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].0, "A");
        assert!(docs[0].1.contains("fragment F") && docs[0].1.contains("fragment G"));
        assert!(!docs[1].1.contains("fragment"));
        for (_, doc) in docs {
            assert!(super::super::operation_names("d", &doc).is_ok(), "{doc}");
        }
    }
}
