//! Listing a bucket: prefix, delimiter (common prefixes), a start point and
//! a page size, as S3's ListObjects and ListObjectsV2 need them.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::ObjectRec;

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

enum Entry<'a> {
    Object(&'a ObjectRec),
    Prefix(String),
}

pub fn list(objects: &BTreeMap<String, ObjectRec>, q: &ListQuery) -> ListPage {
    let start: Bound<&str> = match q.after.as_deref() {
        Some(a) if a >= q.prefix.as_str() => Bound::Excluded(a),
        _ => Bound::Included(q.prefix.as_str()),
    };
    let mut entries: Vec<Entry<'_>> = Vec::new();
    let mut last_prefix: Option<String> = None;
    for (key, rec) in objects.range::<str, _>((start, Bound::Unbounded)) {
        if !key.starts_with(&q.prefix) {
            break;
        }
        // Resuming after a common prefix: its keys were already rolled up.
        if let Some(after) = &q.after
            && q.delimiter.as_deref().is_some_and(|d| after.ends_with(d))
            && key.starts_with(after.as_str())
        {
            continue;
        }
        let rolled_up = q.delimiter.as_deref().filter(|d| !d.is_empty()).and_then(|d| {
            let rest = &key[q.prefix.len()..];
            rest.find(d).map(|i| format!("{}{}", q.prefix, &rest[..i + d.len()]))
        });
        match rolled_up {
            Some(cp) => {
                if last_prefix.as_deref() == Some(cp.as_str()) {
                    continue;
                }
                last_prefix = Some(cp.clone());
                entries.push(Entry::Prefix(cp));
            }
            None => entries.push(Entry::Object(rec)),
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
            Entry::Object(o) => {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(keys: &[&str]) -> BTreeMap<String, ObjectRec> {
        keys.iter()
            .map(|k| {
                (
                    k.to_string(),
                    ObjectRec {
                        bucket: "b".into(),
                        key: k.to_string(),
                        size: 1,
                        etag: "x".into(),
                        content_type: None,
                        metadata: Default::default(),
                        last_modified_ms: 0,
                        blob: "blob".into(),
                        pieces: Vec::new(),
                        tags: Default::default(),
                        checksums: Default::default(),
                        attrs: Default::default(),
                    },
                )
            })
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
}
