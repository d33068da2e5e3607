//! Listing a bucket: prefix, delimiter (common prefixes), a start point and
//! a page size, as S3's ListObjects and ListObjectsV2 need them.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::ObjectRec;
use crate::versions::{Stack, current, find};

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// List entries strictly after this key (marker, start-after or a
    /// continuation token).
    pub after: Option<String>,
    pub max_keys: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListPage {
    pub objects: Vec<ObjectRec>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// The last entry (key or common prefix) of this page, to continue after.
    pub last: Option<String>,
}

/// A ListObjectVersions request: entries after `key_marker` (and, within
/// that key, after `version_marker`).
#[derive(Debug, Clone, Default)]
pub struct VersionsQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    pub version_marker: Option<String>,
    pub max_keys: usize,
}

/// One version or delete marker, and whether it is its key's newest.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionEntry {
    pub rec: ObjectRec,
    pub is_latest: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionsPage {
    pub versions: Vec<VersionEntry>,
    pub common_prefixes: Vec<String>,
    pub is_truncated: bool,
    /// Where the next page starts: the last key (or common prefix) and,
    /// for a version, its id.
    pub next_key_marker: Option<String>,
    pub next_version_marker: Option<String>,
}

enum Entry<'a> {
    Object(&'a ObjectRec, bool),
    Prefix(String),
}

/// The common prefix `key` rolls up into, if any.
fn rolled_up(key: &str, prefix: &str, delimiter: Option<&str>) -> Option<String> {
    let d = delimiter.filter(|d| !d.is_empty())?;
    let rest = &key[prefix.len()..];
    rest.find(d).map(|i| format!("{prefix}{}", &rest[..i + d.len()]))
}

/// Resuming after a common prefix: its keys were already rolled up.
fn inside_listed_prefix(key: &str, after: Option<&str>, delimiter: Option<&str>) -> bool {
    after.is_some_and(|a| delimiter.is_some_and(|d| !d.is_empty() && a.ends_with(d)) && key.starts_with(a))
}

fn start<'a>(prefix: &'a str, after: Option<&'a str>, inclusive: bool) -> Bound<&'a str> {
    match after {
        Some(a) if a >= prefix && inclusive => Bound::Included(a),
        Some(a) if a >= prefix => Bound::Excluded(a),
        _ => Bound::Included(prefix),
    }
}

/// Current objects: each key's newest version unless it is a delete marker.
pub fn list(objects: &BTreeMap<String, Stack>, q: &ListQuery) -> ListPage {
    let delimiter = q.delimiter.as_deref();
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut last_prefix: Option<String> = None;
    for (key, stack) in objects.range::<str, _>((start(&q.prefix, q.after.as_deref(), false), Bound::Unbounded)) {
        if !key.starts_with(&q.prefix) {
            break;
        }
        let Some(rec) = current(stack) else { continue };
        if inside_listed_prefix(key, q.after.as_deref(), delimiter) {
            continue;
        }
        match rolled_up(key, &q.prefix, delimiter) {
            Some(cp) => {
                if last_prefix.as_deref() == Some(cp.as_str()) {
                    continue;
                }
                last_prefix = Some(cp.clone());
                entries.push(Entry::Prefix(cp));
            }
            None => entries.push(Entry::Object(rec, true)),
        }
        if entries.len() > q.max_keys {
            break;
        }
    }
    let is_truncated = entries.len() > q.max_keys;
    entries.truncate(q.max_keys);
    let mut page = ListPage {
        is_truncated,
        ..Default::default()
    };
    for e in entries {
        match e {
            Entry::Object(o, _) => {
                page.last = Some(o.key.clone());
                page.objects.push(o.clone());
            }
            Entry::Prefix(p) => {
                page.last = Some(p.clone());
                page.common_prefixes.push(p);
            }
        }
    }
    page
}

/// Every version and delete marker, keys in order and each key's versions
/// newest first; each counts against `max_keys`, as in S3.
pub fn list_versions(objects: &BTreeMap<String, Stack>, q: &VersionsQuery) -> VersionsPage {
    let delimiter = q.delimiter.as_deref();
    let key_marker = q.key_marker.as_deref().filter(|k| !k.is_empty());
    let version_marker = q.version_marker.as_deref().filter(|v| !v.is_empty());
    let from = start(&q.prefix, key_marker, version_marker.is_some());
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut last_prefix: Option<String> = None;
    'keys: for (key, stack) in objects.range::<str, _>((from, Bound::Unbounded)) {
        if !key.starts_with(&q.prefix) {
            break;
        }
        if inside_listed_prefix(key, key_marker, delimiter) {
            continue;
        }
        if let Some(cp) = rolled_up(key, &q.prefix, delimiter) {
            if last_prefix.as_deref() != Some(cp.as_str()) {
                last_prefix = Some(cp.clone());
                entries.push(Entry::Prefix(cp));
            }
        } else {
            // Within the marker's key, resume after the marker's version.
            let skip = match version_marker {
                Some(v) if Some(key.as_str()) == key_marker => find(stack, v).map_or(0, |i| i + 1),
                _ => 0,
            };
            for (i, rec) in stack.iter().enumerate().skip(skip) {
                entries.push(Entry::Object(rec, i == 0));
                if entries.len() > q.max_keys {
                    break 'keys;
                }
            }
        }
        if entries.len() > q.max_keys {
            break;
        }
    }
    let is_truncated = entries.len() > q.max_keys;
    entries.truncate(q.max_keys);
    let mut page = VersionsPage {
        is_truncated,
        ..Default::default()
    };
    for e in entries {
        match e {
            Entry::Object(rec, is_latest) => {
                page.next_key_marker = Some(rec.key.clone());
                page.next_version_marker = Some(rec.version_label().to_string());
                page.versions.push(VersionEntry {
                    rec: rec.clone(),
                    is_latest,
                });
            }
            Entry::Prefix(p) => {
                page.next_key_marker = Some(p.clone());
                page.next_version_marker = None;
                page.common_prefixes.push(p);
            }
        }
    }
    if !page.is_truncated {
        page.next_key_marker = None;
        page.next_version_marker = None;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str, version: Option<&str>, marker: bool) -> ObjectRec {
        let mut rec = ObjectRec::delete_marker("b", key, 0);
        rec.delete_marker = marker;
        rec.version_id = version.map(str::to_string);
        rec
    }

    fn bucket(keys: &[&str]) -> BTreeMap<String, Stack> {
        keys.iter()
            .map(|k| (k.to_string(), vec![object(k, None, false)]))
            .collect()
    }

    fn keys(p: &ListPage) -> Vec<&str> {
        p.objects.iter().map(|o| o.key.as_str()).collect()
    }

    const KEYS: &[&str] = &["a/1", "a/2", "a/b/3", "a/b/4", "b/4", "c"];

    #[test]
    fn prefix_and_delimiter_roll_up() {
        let b = bucket(KEYS);
        let q = ListQuery {
            prefix: "a/".into(),
            delimiter: Some("/".into()),
            max_keys: 1000,
            ..Default::default()
        };
        let p = list(&b, &q);
        assert_eq!(keys(&p), vec!["a/1", "a/2"]);
        assert_eq!(p.common_prefixes, vec!["a/b/"]);
        assert!(!p.is_truncated);
    }

    #[test]
    fn pages_cover_everything_once() {
        let b = bucket(KEYS);
        let mut after = None;
        let mut seen = Vec::new();
        for _ in 0..10 {
            let q = ListQuery {
                delimiter: Some("/".into()),
                after: after.clone(),
                max_keys: 2,
                ..Default::default()
            };
            let p = list(&b, &q);
            seen.extend(p.objects.iter().map(|o| o.key.clone()));
            seen.extend(p.common_prefixes.iter().cloned());
            after = p.last.clone();
            if !p.is_truncated {
                break;
            }
        }
        assert_eq!(seen, vec!["a/", "b/", "c"]);
    }

    #[test]
    fn resumes_inside_a_prefix() {
        let b = bucket(KEYS);
        let q = ListQuery {
            prefix: "a/".into(),
            delimiter: Some("/".into()),
            after: Some("a/2".into()),
            max_keys: 1000,
        };
        let p = list(&b, &q);
        assert!(keys(&p).is_empty());
        assert_eq!(p.common_prefixes, vec!["a/b/"]);
    }

    #[test]
    fn zero_max_keys_lists_nothing_but_says_truncated() {
        let b = bucket(KEYS);
        let p = list(&b, &ListQuery::default());
        assert!(p.objects.is_empty() && p.is_truncated);
    }

    #[test]
    fn keys_whose_newest_version_is_a_delete_marker_are_not_listed() {
        let mut b = bucket(KEYS);
        b.insert(
            "a/2".into(),
            vec![object("a/2", Some("m"), true), object("a/2", Some("v"), false)],
        );
        b.insert("a/b/3".into(), vec![object("a/b/3", Some("m"), true)]);
        let q = ListQuery {
            prefix: "a/".into(),
            delimiter: Some("/".into()),
            max_keys: 1000,
            ..Default::default()
        };
        let p = list(&b, &q);
        assert_eq!(keys(&p), vec!["a/1"]);
        // a/b/4 still rolls up.
        assert_eq!(p.common_prefixes, vec!["a/b/"]);
    }

    #[test]
    fn version_pages_resume_inside_a_key() {
        let mut b = bucket(&["a", "c"]);
        b.insert(
            "b".into(),
            vec![
                object("b", Some("3"), true),
                object("b", Some("2"), false),
                object("b", None, false),
            ],
        );
        let mut seen = Vec::new();
        let mut q = VersionsQuery {
            max_keys: 2,
            ..Default::default()
        };
        for _ in 0..10 {
            let p = list_versions(&b, &q);
            seen.extend(p.versions.iter().map(|v| {
                format!(
                    "{}@{}{}",
                    v.rec.key,
                    v.rec.version_label(),
                    if v.is_latest { "*" } else { "" }
                )
            }));
            if !p.is_truncated {
                assert!(p.next_key_marker.is_none());
                break;
            }
            q.key_marker = p.next_key_marker;
            q.version_marker = p.next_version_marker;
        }
        assert_eq!(seen, vec!["a@null*", "b@3*", "b@2", "b@null", "c@null*"]);
    }
}
