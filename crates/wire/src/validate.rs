//! Validation of decoded input against the model's constraints: required
//! members, enum values, lengths, ranges and patterns. Runs on `Value`
//! before any handler sees the input, so handlers can trust the shapes.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use regex::Regex;

use crate::error::ApiError;
use crate::schema::{Bounds, Member, Protocol, ServiceSpec, Shape, ShapeKind};
use crate::value::Value;

/// One step of the path to an offending value.
#[derive(Debug, Clone)]
pub enum Segment {
    Member(&'static Member),
    Index(usize),
    Key(String),
}

/// What was wrong, and where.
#[derive(Debug, Clone)]
pub struct Violation {
    pub path: Vec<Segment>,
    /// The offending value as text; `None` when it is missing.
    pub value: Option<String>,
    pub constraint: String,
}

impl Violation {
    pub fn missing(path: Vec<Segment>) -> Self {
        Self {
            path,
            value: None,
            constraint: "Member must not be null".to_string(),
        }
    }

    pub fn invalid(path: Vec<Segment>, value: impl Into<String>, constraint: impl Into<String>) -> Self {
        Self {
            path,
            value: Some(value.into()),
            constraint: constraint.into(),
        }
    }

    /// The path as EC2 names parameters: `Filter.1.Name`.
    pub fn ec2_path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            if !out.is_empty() {
                out.push('.');
            }
            match seg {
                Segment::Member(m) => out.push_str(&m.ec2_query_key()),
                Segment::Index(i) => out.push_str(&(i + 1).to_string()),
                Segment::Key(k) => out.push_str(k),
            }
        }
        out
    }

    /// The path as AWS's coral validators print it: `tags.1.member.key`.
    pub fn coral_path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Segment::Member(m) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    let mut chars = m.name.chars();
                    if let Some(first) = chars.next() {
                        out.extend(first.to_lowercase());
                        out.push_str(chars.as_str());
                    }
                }
                Segment::Index(i) => out.push_str(&format!(".{}.member", i + 1)),
                Segment::Key(k) => out.push_str(&format!(".{k}")),
            }
        }
        out
    }
}

/// Checks `value` (the decoded input of an operation) against `shape`.
pub fn validate(shape: &'static Shape, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    check(shape, value, &mut Vec::new(), &mut out);
    out
}

/// Turns violations into the service's own validation error.
pub fn to_api_error(spec: &ServiceSpec, protocol: Protocol, violations: &[Violation]) -> ApiError {
    match protocol {
        Protocol::Ec2 => {
            // EC2 reports the first problem only, in its own words.
            let Some(v) = violations.first() else {
                return ApiError::client("InvalidParameterValue", "Invalid request");
            };
            match &v.value {
                None => ApiError::client(
                    "MissingParameter",
                    format!("The request must contain the parameter {}", v.ec2_path()),
                ),
                Some(value) => ApiError::client(
                    "InvalidParameterValue",
                    format!(
                        "Value ({value}) for parameter {} is invalid. {}",
                        v.ec2_path(),
                        v.constraint
                    ),
                ),
            }
        }
        _ => {
            let details: Vec<String> = violations
                .iter()
                .map(|v| {
                    let shown = v.value.as_deref().map_or("null".to_string(), |s| format!("'{s}'"));
                    format!(
                        "Value {shown} at '{}' failed to satisfy constraint: {}",
                        v.coral_path(),
                        v.constraint
                    )
                })
                .collect();
            let n = details.len();
            let noun = if n == 1 { "error" } else { "errors" };
            ApiError::modelled(
                spec,
                spec.validation_error,
                format!("{n} validation {noun} detected: {}", details.join("; ")),
            )
        }
    }
}

fn check(shape: &'static Shape, value: &Value, path: &mut Vec<Segment>, out: &mut Vec<Violation>) {
    match (&shape.kind, value) {
        (ShapeKind::Structure { members, union }, Value::Struct(fields)) => {
            for member in members.iter() {
                path.push(Segment::Member(member));
                match fields.get(member.name) {
                    Some(v) => check(member.shape, v, path, out),
                    None if member.required => out.push(Violation::missing(path.clone())),
                    None => {}
                }
                path.pop();
            }
            if *union && fields.len() > 1 {
                out.push(Violation::invalid(
                    path.clone(),
                    fields.keys().copied().collect::<Vec<_>>().join(","),
                    "Only one member of a union may be set",
                ));
            }
        }
        (ShapeKind::List { member, bounds, .. }, Value::List(items)) => {
            check_len(items.len(), *bounds, "Member must have length", path, out);
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                check(member, item, path, out);
                path.pop();
            }
        }
        (
            ShapeKind::Map {
                key,
                value: vshape,
                bounds,
            },
            Value::Map(entries),
        ) => {
            check_len(entries.len(), *bounds, "Member must have length", path, out);
            for (k, v) in entries {
                path.push(Segment::Key(k.clone()));
                check(key, &Value::String(k.clone()), path, out);
                check(vshape, v, path, out);
                path.pop();
            }
        }
        (
            ShapeKind::String {
                enum_values,
                bounds,
                pattern,
            },
            Value::String(s),
        ) => {
            if !enum_values.is_empty() && !enum_values.contains(&s.as_str()) {
                out.push(Violation::invalid(
                    path.clone(),
                    s.clone(),
                    format!("Member must satisfy enum value set: [{}]", enum_values.join(", ")),
                ));
                return;
            }
            let len = s.chars().count();
            if let Some(reason) = len_violation(len, *bounds) {
                out.push(Violation::invalid(path.clone(), s.clone(), reason));
            }
            if let Some(p) = pattern
                && !pattern_matches(p, s)
            {
                out.push(Violation::invalid(
                    path.clone(),
                    s.clone(),
                    format!("Member must satisfy regular expression pattern: {p}"),
                ));
            }
        }
        (ShapeKind::Integer { bounds } | ShapeKind::Long { bounds }, Value::Int(i)) => {
            if let Some(min) = bounds.min
                && *i < min
            {
                out.push(Violation::invalid(
                    path.clone(),
                    i.to_string(),
                    format!("Member must have value greater than or equal to {min}"),
                ));
            }
            if let Some(max) = bounds.max
                && *i > max
            {
                out.push(Violation::invalid(
                    path.clone(),
                    i.to_string(),
                    format!("Member must have value less than or equal to {max}"),
                ));
            }
        }
        (ShapeKind::Blob { bounds }, Value::Blob(b)) => {
            if let Some(reason) = len_violation(b.len(), *bounds) {
                out.push(Violation::invalid(path.clone(), format!("<{} bytes>", b.len()), reason));
            }
        }
        (ShapeKind::Float | ShapeKind::Double, Value::Float(_) | Value::Int(_))
        | (ShapeKind::Boolean, Value::Bool(_))
        | (ShapeKind::Timestamp, Value::Timestamp(_)) => {}
        (_, other) => out.push(Violation::invalid(
            path.clone(),
            other.kind(),
            format!("Member must be of type {}", type_name(&shape.kind)),
        )),
    }
}

fn check_len(len: usize, bounds: Bounds, _what: &str, path: &[Segment], out: &mut Vec<Violation>) {
    if let Some(reason) = len_violation(len, bounds) {
        out.push(Violation::invalid(path.to_vec(), format!("<{len} items>"), reason));
    }
}

fn len_violation(len: usize, bounds: Bounds) -> Option<String> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    if let Some(min) = bounds.min
        && len < min
    {
        return Some(format!("Member must have length greater than or equal to {min}"));
    }
    if let Some(max) = bounds.max
        && len > max
    {
        return Some(format!("Member must have length less than or equal to {max}"));
    }
    None
}

pub(crate) fn type_name(kind: &ShapeKind) -> &'static str {
    match kind {
        ShapeKind::Structure { .. } => "structure",
        ShapeKind::List { .. } => "list",
        ShapeKind::Map { .. } => "map",
        ShapeKind::String { .. } => "string",
        ShapeKind::Integer { .. } => "integer",
        ShapeKind::Long { .. } => "long",
        ShapeKind::Float => "float",
        ShapeKind::Double => "double",
        ShapeKind::Boolean => "boolean",
        ShapeKind::Timestamp => "timestamp",
        ShapeKind::Blob { .. } => "blob",
    }
}

/// Model patterns are Java regular expressions that AWS applies to the whole
/// value. Patterns the `regex` crate cannot compile (look-around, surrogate
/// ranges) are not enforced rather than rejecting valid input.
fn pattern_matches(pattern: &'static str, value: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = match cache.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let re = guard
        .entry(pattern)
        .or_insert_with(|| Regex::new(&format!("^(?:{})$", java_to_rust_regex(pattern))).ok());
    match re {
        Some(re) => re.is_match(value),
        None => true,
    }
}

/// Java writes supplementary code points as `\u10000`; Rust wants `\x{10000}`.
fn java_to_rust_regex(pattern: &str) -> String {
    pattern
        .replace("\\u10000", "\\x{10000}")
        .replace("\\u10FFFF", "\\x{10FFFF}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_supplementary_ranges_compile() {
        let p = "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+";
        assert!(pattern_matches(
            Box::leak(p.to_string().into_boxed_str()),
            "arn:aws:iam::1:role/x"
        ));
    }

    #[test]
    fn patterns_match_whole_value() {
        let p: &'static str = "[\\w+=,.@-]*";
        assert!(pattern_matches(p, "session-1"));
        assert!(!pattern_matches(p, "bad name!"));
    }
}
