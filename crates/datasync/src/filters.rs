//! DataSync's include and exclude filters: `SIMPLE_PATTERN` rules whose
//! value is patterns separated by `|`, each a path from the location's root
//! (`/photos`, `/logs/*.gz`, `*/.snapshot`), where `*` matches anything. A
//! pattern that matches a folder matches everything in it.

use landbridge_api::ApiError;
use landbridge_api::datasync::FilterRule;

use crate::errors;

/// The patterns of a filter list (DataSync allows one rule).
pub fn patterns(rules: Option<&[FilterRule]>) -> Result<Vec<String>, ApiError> {
    let Some(rules) = rules else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for rule in rules {
        let value = rule.value.as_deref().unwrap_or("");
        for p in value.split('|') {
            if p.is_empty() {
                return Err(errors::invalid(format!("Invalid filter value: {value}: empty pattern")));
            }
            out.push(p.to_string());
        }
    }
    Ok(out)
}

/// Whether `path` (from the root, starting with `/`) is `pattern` or lies
/// in a folder that is.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if glob(pattern.as_bytes(), path.as_bytes()) {
        return true;
    }
    path.char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .any(|(i, _)| glob(pattern.as_bytes(), &path.as_bytes()[..i]))
}

/// Whether a file at `path` is transferred: it matches an include (when
/// there are any) and no exclude.
pub fn selected(includes: &[String], excludes: &[String], path: &str) -> bool {
    (includes.is_empty() || includes.iter().any(|p| matches(p, path))) && !excludes.iter().any(|p| matches(p, path))
}

/// `*` matches any run of bytes; everything else itself. Iterative, with
/// one backtrack point, so it stays linear-ish on hostile patterns.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_wildcards_and_lists() {
        assert!(matches("/photos", "/photos/2024/a.jpg"));
        assert!(!matches("/photos", "/photos2/a.jpg"));
        assert!(matches("/logs/*.gz", "/logs/x.gz"));
        assert!(matches("*/.snapshot", "/home/.snapshot/f"));
        assert!(matches("*.tmp", "/a/b/c.tmp"));
        assert!(!matches("/a.txt", "/b/a.txt"));
        let inc = vec!["/keep".to_string()];
        let exc = vec!["*.tmp".to_string()];
        assert!(selected(&inc, &exc, "/keep/x"));
        assert!(!selected(&inc, &exc, "/keep/x.tmp"));
        assert!(!selected(&inc, &exc, "/other/x"));
        assert!(selected(&[], &[], "/anything"));
    }
}
