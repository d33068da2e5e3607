//! Form-encoded input of the `ec2` and `query` protocols.
//!
//! Parameters arrive flat (`Filter.1.Value.2=x`); they are first folded into
//! a tree by their dotted names, then read against the operation's input
//! shape. The two dialects differ only in member names and list layout:
//! EC2 uses `Name.N`, query uses `Name.member.N` and `Name.entry.N.key`.

use std::collections::BTreeMap;

use base64::Engine as _;

use crate::schema::{Shape, ShapeKind};
use crate::validate::{Segment, Violation};
use crate::value::{Timestamp, Value};

/// Which form dialect to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Ec2,
    Query,
}

/// Form parameters folded into a tree by their dotted names.
#[derive(Debug, Default, Clone)]
pub struct FormTree {
    pub value: Option<String>,
    pub children: BTreeMap<String, FormTree>,
}

impl FormTree {
    /// Folds `key=value` pairs; later duplicates win, as in AWS.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut root = FormTree::default();
        for (key, value) in pairs {
            let mut node = &mut root;
            for part in key.split('.') {
                node = node.children.entry(part.to_string()).or_default();
            }
            node.value = Some(value.to_string());
        }
        root
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.children.get(key).and_then(|n| n.value.as_deref())
    }

    /// Children whose names are positive integers, in numeric order.
    fn indexed(&self) -> Vec<&FormTree> {
        let mut items: Vec<(u64, &FormTree)> = self
            .children
            .iter()
            .filter_map(|(k, v)| k.parse::<u64>().ok().filter(|n| *n > 0).map(|n| (n, v)))
            .collect();
        items.sort_by_key(|(n, _)| *n);
        items.into_iter().map(|(_, v)| v).collect()
    }
}

/// Reads the operation input `shape` out of `tree`.
pub fn decode(dialect: Dialect, shape: &'static Shape, tree: &FormTree) -> Result<Value, Violation> {
    let mut path = Vec::new();
    read(dialect, shape, tree, &mut path)
}

fn read(dialect: Dialect, shape: &'static Shape, node: &FormTree, path: &mut Vec<Segment>) -> Result<Value, Violation> {
    match &shape.kind {
        ShapeKind::Structure { members, .. } => {
            let mut fields = BTreeMap::new();
            for member in members.iter() {
                let key = match dialect {
                    Dialect::Ec2 => member.ec2_query_key(),
                    Dialect::Query => member.xml_name().to_string(),
                };
                if let Some(child) = node.children.get(&key) {
                    path.push(Segment::Member(member));
                    let value = read(dialect, member.shape, child, path)?;
                    path.pop();
                    fields.insert(member.name, value);
                }
            }
            Ok(Value::Struct(fields))
        }
        ShapeKind::List {
            member, member_name, ..
        } => {
            let items_node = match dialect {
                Dialect::Ec2 => Some(node),
                Dialect::Query => node.children.get(member_name.unwrap_or("member")),
            };
            let mut items = Vec::new();
            if let Some(items_node) = items_node {
                for (i, item) in items_node.indexed().into_iter().enumerate() {
                    path.push(Segment::Index(i));
                    items.push(read(dialect, member, item, path)?);
                    path.pop();
                }
            }
            Ok(Value::List(items))
        }
        ShapeKind::Map { key, value, .. } => {
            let entries_node = match dialect {
                Dialect::Ec2 => Some(node),
                Dialect::Query => node.children.get("entry"),
            };
            let mut entries = BTreeMap::new();
            if let Some(entries_node) = entries_node {
                for entry in entries_node.indexed() {
                    let k = entry.children.get("key").or_else(|| entry.children.get("Key"));
                    let v = entry.children.get("value").or_else(|| entry.children.get("Value"));
                    if let (Some(k), Some(v)) = (k, v) {
                        let Value::String(k) = read(dialect, key, k, path)? else {
                            continue;
                        };
                        path.push(Segment::Key(k.clone()));
                        let v = read(dialect, value, v, path)?;
                        path.pop();
                        entries.insert(k, v);
                    }
                }
            }
            Ok(Value::Map(entries))
        }
        _ => {
            let text = node.value.as_deref().unwrap_or("");
            scalar(shape, text).ok_or_else(|| {
                Violation::invalid(
                    path.clone(),
                    text,
                    format!("Member must be of type {}", crate::validate::type_name(&shape.kind)),
                )
            })
        }
    }
}

/// Parses a scalar from its text form (query strings, XML text).
pub(crate) fn scalar(shape: &Shape, text: &str) -> Option<Value> {
    match &shape.kind {
        ShapeKind::String { .. } => Some(Value::String(text.to_string())),
        ShapeKind::Integer { .. } | ShapeKind::Long { .. } => text.trim().parse::<i64>().ok().map(Value::Int),
        ShapeKind::Float | ShapeKind::Double => text.trim().parse::<f64>().ok().map(Value::Float),
        ShapeKind::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        ShapeKind::Timestamp => Timestamp::parse(text.trim()).map(Value::Timestamp),
        ShapeKind::Blob { .. } => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .ok()
            .map(Value::Blob),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_dotted_names() {
        let tree = FormTree::from_pairs([
            ("Filter.2.Name", "b"),
            ("Filter.1.Name", "a"),
            ("Filter.1.Value.1", "x"),
        ]);
        let filters = &tree.children["Filter"];
        let items = filters.indexed();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].get("Name"), Some("a"));
        assert_eq!(items[1].get("Name"), Some("b"));
    }

    #[test]
    fn ignores_non_numeric_and_zero_indexes() {
        let tree = FormTree::from_pairs([("L.0", "zero"), ("L.x", "x"), ("L.10", "ten"), ("L.2", "two")]);
        let items: Vec<_> = tree.children["L"].indexed().iter().map(|n| n.value.clone()).collect();
        assert_eq!(items, vec![Some("two".to_string()), Some("ten".to_string())]);
    }
}

/// Splits `a=1&b=2` into decoded pairs. Unlike most form parsers it refuses
/// bytes that are not UTF-8 (raw or percent-encoded) instead of replacing
/// them, so bad input is answered as bad rather than silently altered.
pub fn parse_urlencoded(input: &[u8]) -> Result<Vec<(String, String)>, crate::error::ApiError> {
    let mut out = Vec::new();
    for part in input.split(|b| *b == b'&') {
        if part.is_empty() {
            continue;
        }
        let (k, v) = match part.iter().position(|b| *b == b'=') {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &part[part.len()..]),
        };
        out.push((percent_decode(k)?, percent_decode(v)?));
    }
    Ok(out)
}

fn percent_decode(input: &[u8]) -> Result<String, crate::error::ApiError> {
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => bytes.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    bytes.push(h * 16 + l);
                    i += 2;
                }
                _ => bytes.push(b'%'),
            },
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| {
        crate::error::ApiError::client(
            "MalformedQueryString",
            "The request contains bytes that are not valid UTF-8",
        )
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod urlencoded_tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        let pairs = parse_urlencoded(b"Action=Describe&Name=a+b%2Fc&Empty=&Flag").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("Action".into(), "Describe".into()),
                ("Name".into(), "a b/c".into()),
                ("Empty".into(), "".into()),
                ("Flag".into(), "".into()),
            ]
        );
    }

    #[test]
    fn refuses_invalid_utf8() {
        assert!(parse_urlencoded(b"A=%ff%fe").is_err());
        assert!(parse_urlencoded(b"A=\xff").is_err());
    }

    #[test]
    fn keeps_stray_percent_signs() {
        assert_eq!(parse_urlencoded(b"A=100%&B=%4").unwrap()[0].1, "100%");
        assert_eq!(parse_urlencoded(b"B=%4").unwrap()[0].1, "%4");
    }
}
