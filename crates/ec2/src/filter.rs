//! EC2 `Filter.N.Name` / `Filter.N.Value.M` matching, shared by every
//! Describe call: filters AND together, the values of one filter OR
//! together, and values may use `*` and `?` wildcards.

use std::collections::BTreeSet;

use landbridge_api::ApiError;
use landbridge_api::ec2::Filter;

/// The filters of one request, checked against the names a call supports.
pub struct Filters {
    filters: Vec<(String, Vec<String>)>,
}

impl Filters {
    /// Fails with EC2's `InvalidParameterValue` for a filter name the call
    /// does not support, as AWS does.
    pub fn new(filters: Option<Vec<Filter>>, supported: &[&str]) -> Result<Self, ApiError> {
        let mut out = Vec::new();
        for f in filters.unwrap_or_default() {
            let name = f.name.unwrap_or_default();
            let known = supported.contains(&name.as_str()) || name.starts_with("tag:") && supported.contains(&"tag:");
            if !known {
                return Err(ApiError::client(
                    "InvalidParameterValue",
                    format!("The filter '{name}' is invalid"),
                ));
            }
            out.push((name, f.values.unwrap_or_default()));
        }
        Ok(Self { filters: out })
    }

    /// Whether a resource passes every filter. `values(name)` gives the
    /// resource's values for a filter name (several for list attributes).
    pub fn matches<'a>(&self, values: impl Fn(&str) -> Vec<&'a str>) -> bool {
        self.filters.iter().all(|(name, patterns)| {
            let have = values(name);
            patterns.iter().any(|p| have.iter().any(|v| wildcard_match(p, v)))
        })
    }

    /// The values of filter `name` when it is present and none of its values
    /// is a pattern: then only resources with one of those exact values can
    /// match, and an index can find them.
    pub fn exact(&self, name: &str) -> Option<Vec<&str>> {
        let (_, values) = self.filters.iter().find(|(n, _)| n == name)?;
        if values.iter().any(|v| v.contains(['*', '?', '\\'])) {
            return None;
        }
        Some(values.iter().map(String::as_str).collect())
    }

    /// Ids that can possibly match, from the region's indexes: `None` when no
    /// filter narrows the search (then every resource is a candidate). Used
    /// only to skip work; `matches` still decides.
    pub fn candidates(&self, index: &crate::state::Index, by_vpc: bool) -> Option<BTreeSet<String>> {
        let mut out: Option<BTreeSet<String>> = None;
        let mut narrow = |found: BTreeSet<String>| {
            out = Some(match out.take() {
                None => found,
                Some(prev) => prev.intersection(&found).cloned().collect(),
            });
        };
        if by_vpc && let Some(vpcs) = self.exact("vpc-id") {
            narrow(vpcs.iter().flat_map(|v| index.in_vpc(v)).cloned().collect());
        }
        for (name, _) in &self.filters {
            if let Some(key) = name.strip_prefix("tag:")
                && let Some(values) = self.exact(name)
            {
                narrow(values.iter().flat_map(|v| index.tagged(key, v)).cloned().collect());
            }
        }
        out
    }
}

/// The resources of `all` to look at: the ids asked for, else the filter
/// candidates, else everything, in id order.
pub fn select<'a, T>(
    all: &'a std::collections::BTreeMap<String, T>,
    ids: &[String],
    candidates: Option<BTreeSet<String>>,
) -> Vec<&'a T> {
    if !ids.is_empty() {
        let wanted: BTreeSet<&String> = ids.iter().collect();
        return wanted.into_iter().filter_map(|id| all.get(id)).collect();
    }
    match candidates {
        Some(c) => c.iter().filter_map(|id| all.get(id)).collect(),
        None => all.values().collect(),
    }
}

/// `*` matches any run of characters, `?` any single one; `\*`, `\?` and
/// `\\` match themselves.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative matcher with single-star backtracking: linear memory, no
    // recursion on hostile patterns.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => {
                pi += 1;
                ti += 1;
                continue;
            }
            Some('\\') if p.get(pi + 1).is_some() && p[pi + 1] == t[ti] => {
                pi += 2;
                ti += 1;
                continue;
            }
            Some(c) if *c == t[ti] => {
                pi += 1;
                ti += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A boolean as filter values spell it.
pub fn bool_str(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The filter names every taggable resource supports.
pub const TAG_FILTERS: [&str; 3] = ["tag:", "tag-key", "tag-value"];

/// A resource's values for the tag filters: `tag:<key>` (that tag's value),
/// `tag-key` (all keys) and `tag-value` (all values); `None` for any other
/// filter name.
pub fn tag_values<'a>(tags: &'a crate::model::Tags, name: &str) -> Option<Vec<&'a str>> {
    if let Some(key) = name.strip_prefix("tag:") {
        return Some(tags.get(key).map(|v| vec![v.as_str()]).unwrap_or_default());
    }
    match name {
        "tag-key" => Some(tags.keys().map(String::as_str).collect()),
        "tag-value" => Some(tags.values().map(String::as_str).collect()),
        _ => None,
    }
}

/// `supported` plus the tag filters.
pub fn with_tags<'a>(supported: &[&'a str]) -> Vec<&'a str> {
    let mut all = supported.to_vec();
    all.extend(TAG_FILTERS);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("us-*", "us-east-1"));
        assert!(wildcard_match("us-east-?", "us-east-1"));
        assert!(!wildcard_match("us-east-?", "us-east-12"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "axxbyyc"));
        assert!(!wildcard_match("a*b*c", "axxbyy"));
        assert!(wildcard_match("a\\*", "a*"));
        assert!(!wildcard_match("a\\*", "ab"));
        assert!(wildcard_match("exact", "exact"));
    }

    #[test]
    fn unknown_filter_names_are_refused() {
        let f = Filter {
            name: Some("colour".into()),
            values: Some(vec!["red".into()]),
        };
        let err = Filters::new(Some(vec![f]), &["region-name"]).err().map(|e| e.code);
        assert_eq!(err.as_deref(), Some("InvalidParameterValue"));
    }

    #[test]
    fn filters_and_values_combine() {
        let filters = Filters::new(
            Some(vec![
                Filter {
                    name: Some("a".into()),
                    values: Some(vec!["x".into(), "y".into()]),
                },
                Filter {
                    name: Some("b".into()),
                    values: Some(vec!["z*".into()]),
                },
            ]),
            &["a", "b"],
        )
        .unwrap();
        assert!(filters.matches(|n| if n == "a" { vec!["y"] } else { vec!["zed"] }));
        assert!(!filters.matches(|n| if n == "a" { vec!["q"] } else { vec!["zed"] }));
    }
}
