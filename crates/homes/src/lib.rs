//! Where a Transfer Family user's paths lead. A session sees a virtual namespace; every
//! path it names is made absolute against the session's directory and
//! normalised lexically (`.` dropped, `..` stops at `/`), then resolved:
//!
//! - a PATH home shows storage paths as they are (`/bucket/home/alice`),
//!   and only the home and what is under it may be touched, as a
//!   scope-down policy allows in AWS;
//! - a LOGICAL home shows only its mappings: the longest entry that is a
//!   prefix of the path picks the target (`/` → `/bucket/home/alice` is a
//!   chroot), and the directories above entries list the entries' names.
//!
//! Nothing is decoded (`%2e%2e` is a name), storage has no links, and a
//! name with NUL or a path that escapes is refused before storage is
//! asked anything.

#[derive(Debug, Clone, PartialEq)]
pub enum Home {
    Path { root: String },
    Logical { mappings: Vec<(String, String)> },
}

/// What a virtual path names.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// A storage path: `/bucket/key...` (`/` alone: every bucket).
    Storage(String),
    /// A directory that exists only because mappings lie below it; the
    /// names in it.
    Virtual(Vec<String>),
    /// Outside the home.
    Denied,
}

/// `path` made absolute against `cwd` and normalised; `None` for a name
/// with NUL in it.
pub fn normalize(cwd: &str, path: &str) -> Option<String> {
    if path.contains('\0') || cwd.contains('\0') {
        return None;
    }
    let joined = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Whether `path` is `dir` or lies under it (both normalised).
fn within(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
}

impl Home {
    /// A PATH home rooted at `root` (`/` when none is given).
    pub fn path(root: Option<&str>) -> Self {
        Home::Path {
            root: normalize("/", root.unwrap_or("/")).unwrap_or_else(|| "/".into()),
        }
    }

    /// A LOGICAL home of `(entry, target)` mappings.
    pub fn logical<'a>(mappings: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let norm = |p: &str| normalize("/", p).unwrap_or_else(|| "/".into());
        Home::Logical {
            mappings: mappings.into_iter().map(|(e, t)| (norm(e), norm(t))).collect(),
        }
    }

    /// Where a session starts.
    pub fn start(&self) -> String {
        match self {
            Home::Path { root } => root.clone(),
            Home::Logical { .. } => "/".into(),
        }
    }

    /// What the normalised virtual path `virt` names.
    pub fn resolve(&self, virt: &str) -> Resolved {
        match self {
            Home::Path { root } => {
                if within(virt, root) {
                    Resolved::Storage(virt.to_string())
                } else {
                    Resolved::Denied
                }
            }
            Home::Logical { mappings } => {
                let best = mappings
                    .iter()
                    .filter(|(entry, _)| within(virt, entry))
                    .max_by_key(|(entry, _)| entry.len());
                if let Some((entry, target)) = best {
                    let rest = virt.strip_prefix(entry.as_str()).unwrap_or("").trim_start_matches('/');
                    return Resolved::Storage(if rest.is_empty() {
                        target.clone()
                    } else if target == "/" {
                        format!("/{rest}")
                    } else {
                        format!("{target}/{rest}")
                    });
                }
                let mut names: Vec<String> = mappings
                    .iter()
                    .filter_map(|(entry, _)| {
                        let rest = if virt == "/" {
                            entry.strip_prefix('/')
                        } else {
                            entry.strip_prefix(virt).and_then(|r| r.strip_prefix('/'))
                        }?;
                        rest.split('/').next().filter(|n| !n.is_empty()).map(str::to_string)
                    })
                    .collect();
                names.sort();
                names.dedup();
                if names.is_empty() {
                    Resolved::Denied
                } else {
                    Resolved::Virtual(names)
                }
            }
        }
    }
}

/// A storage path's bucket and key (`/b/k/x` → `b`, `k/x`); `None` for `/`.
pub fn split(storage: &str) -> Option<(&str, &str)> {
    let rest = storage.strip_prefix('/')?;
    if rest.is_empty() {
        return None;
    }
    Some(rest.split_once('/').unwrap_or((rest, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_home(root: &str) -> Home {
        Home::Path { root: root.into() }
    }

    #[test]
    fn normalizes_lexically_and_stops_at_the_root() {
        assert_eq!(normalize("/b/home/a", "x/../y/./z").as_deref(), Some("/b/home/a/y/z"));
        assert_eq!(
            normalize("/b/home/a", "../../../../etc/passwd").as_deref(),
            Some("/etc/passwd")
        );
        assert_eq!(normalize("/", "..").as_deref(), Some("/"));
        assert_eq!(normalize("/x", "/abs//p/").as_deref(), Some("/abs/p"));
        assert_eq!(normalize("/x", "a\0b"), None);
        // Nothing is decoded.
        assert_eq!(normalize("/b", "%2e%2e").as_deref(), Some("/b/%2e%2e"));
    }

    #[test]
    fn a_path_home_allows_itself_and_below_only() {
        let h = path_home("/bucket/home/alice");
        assert_eq!(h.start(), "/bucket/home/alice");
        assert_eq!(
            h.resolve("/bucket/home/alice/f"),
            Resolved::Storage("/bucket/home/alice/f".into())
        );
        assert_eq!(
            h.resolve("/bucket/home/alice"),
            Resolved::Storage("/bucket/home/alice".into())
        );
        for outside in [
            "/bucket/home",
            "/bucket/home/alicex",
            "/bucket/home/alice-evil/f",
            "/other",
            "/",
        ] {
            assert_eq!(h.resolve(outside), Resolved::Denied, "{outside}");
        }
        let traversal = normalize("/bucket/home/alice", "../bob/secret").unwrap();
        assert_eq!(h.resolve(&traversal), Resolved::Denied);
    }

    #[test]
    fn a_logical_home_shows_its_mappings_only() {
        let chroot = Home::Logical {
            mappings: vec![("/".into(), "/bucket/home/alice".into())],
        };
        assert_eq!(chroot.resolve("/"), Resolved::Storage("/bucket/home/alice".into()));
        assert_eq!(
            chroot.resolve("/d/f"),
            Resolved::Storage("/bucket/home/alice/d/f".into())
        );
        let escaped = normalize("/", "../../bucket/home/bob").unwrap();
        assert_eq!(
            chroot.resolve(&escaped),
            Resolved::Storage("/bucket/home/alice/bucket/home/bob".into())
        );

        let h = Home::Logical {
            mappings: vec![
                ("/pics".into(), "/media/pictures".into()),
                ("/work/docs".into(), "/corp/docs/alice".into()),
                ("/work/docs/shared".into(), "/corp/shared".into()),
            ],
        };
        assert_eq!(h.resolve("/"), Resolved::Virtual(vec!["pics".into(), "work".into()]));
        assert_eq!(h.resolve("/work"), Resolved::Virtual(vec!["docs".into()]));
        assert_eq!(
            h.resolve("/pics/a.jpg"),
            Resolved::Storage("/media/pictures/a.jpg".into())
        );
        assert_eq!(
            h.resolve("/work/docs/shared/x"),
            Resolved::Storage("/corp/shared/x".into())
        );
        assert_eq!(
            h.resolve("/work/docs/y"),
            Resolved::Storage("/corp/docs/alice/y".into())
        );
        assert_eq!(h.resolve("/picsx"), Resolved::Denied);
        assert_eq!(h.resolve("/work/other"), Resolved::Denied);
    }

    #[test]
    fn storage_paths_split_into_bucket_and_key() {
        assert_eq!(split("/b/k/x"), Some(("b", "k/x")));
        assert_eq!(split("/b"), Some(("b", "")));
        assert_eq!(split("/"), None);
    }
}
