//! Every entry of a side as a stream in key order (bytewise, directories
//! ending with `/`), so that two sides can be compared by walking both at
//! once and memory stays bounded whatever the tree's size: an S3 listing
//! a page at a time, a directory tree depth first with each directory's
//! names sorted, an object store's listing with its implied directories.
//!
//! Depth first with sorted siblings is key order: everything under `a/`
//! starts with `a/`, so it sorts between `a/` and the next sibling.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use futures::stream::{self, BoxStream, StreamExt};
use landbridge_objects::{ListQuery, Objects};
use tokio::sync::mpsc;

use super::posix::{Kind, Posix};
use super::sides::{Entry, Side, SideError};

pub type Walk<'a> = BoxStream<'a, Result<(String, Entry), SideError>>;

/// Entries sent ahead of the comparison that consumes them.
const AHEAD: usize = 1024;

impl Side {
    pub fn walk<'a>(&'a self, objects: &'a Objects) -> Walk<'a> {
        match self {
            Side::S3 { bucket, prefix, .. } => walk_s3(objects, bucket, prefix),
            Side::Files { root, .. } => walk_files(root.clone()),
            Side::Remote(r) => r.walk(),
        }
    }
}

fn walk_s3<'a>(objects: &'a Objects, bucket: &'a str, prefix: &'a str) -> Walk<'a> {
    struct Pages {
        after: Option<String>,
        page: VecDeque<landbridge_objects::ObjectRec>,
        done: bool,
    }
    let start = Pages {
        after: None,
        page: VecDeque::new(),
        done: false,
    };
    stream::unfold(start, move |mut p| async move {
        loop {
            if let Some(o) = p.page.pop_front() {
                let Some(rel) = o.key.strip_prefix(prefix).filter(|r| !r.is_empty()) else {
                    continue;
                };
                let posix = Posix::from_metadata(&o.metadata);
                let kind = if rel.ends_with('/') {
                    Kind::Dir
                } else {
                    posix.map_or(Kind::File, |p| p.kind())
                };
                let rel = rel.to_string();
                let entry = Entry {
                    kind,
                    size: o.size,
                    posix,
                    object: Some(o),
                };
                return Some((Ok((rel, entry)), p));
            }
            if p.done {
                return None;
            }
            let query = ListQuery {
                prefix: prefix.to_string(),
                delimiter: None,
                after: p.after.clone(),
                max_keys: 1000,
            };
            match objects.list(bucket, &query).await {
                Ok(page) => {
                    p.done = !page.is_truncated;
                    p.after = page.last;
                    p.page = page.objects.into();
                }
                Err(e) => {
                    p.done = true;
                    return Some((Err(format!("listing s3://{bucket}/{prefix}: {e}")), p));
                }
            }
        }
    })
    .boxed()
}

/// Walks `root` on a blocking thread, without following links, ahead of
/// the consumer by at most `AHEAD` entries.
fn walk_files(root: PathBuf) -> Walk<'static> {
    let (tx, rx) = mpsc::channel(AHEAD);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = walk_tree(&root, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    });
    stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).boxed()
}

type Sender = mpsc::Sender<Result<(String, Entry), SideError>>;

/// One directory's entries, sorted by key, last first (to `pop`).
fn children(dir: &Path, rel: &str) -> Result<Vec<(String, PathBuf, Entry)>, SideError> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("reading {}: {e}", dir.display()))?;
        // Names that are not UTF-8 have no S3 key; sockets, pipes and
        // devices are not copied by DataSync either.
        let Ok(name) = entry.file_name().into_string() else {
            tracing::warn!(dir = %dir.display(), "skipping a name that is not UTF-8");
            continue;
        };
        let path = entry.path();
        let meta = path
            .symlink_metadata()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let ft = meta.file_type();
        let (kind, key, size) = if ft.is_dir() {
            (Kind::Dir, format!("{rel}{name}/"), 0)
        } else if ft.is_symlink() {
            let size = std::fs::read_link(&path).map_or(0, |t| t.as_os_str().len() as u64);
            (Kind::Symlink, format!("{rel}{name}"), size)
        } else if ft.is_file() {
            (Kind::File, format!("{rel}{name}"), meta.len())
        } else {
            continue;
        };
        let entry = Entry {
            kind,
            size,
            posix: Some(Posix::of(&meta)),
            object: None,
        };
        out.push((key, path, entry));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(out)
}

fn walk_tree(root: &Path, tx: &Sender) -> Result<(), SideError> {
    if !root.exists() {
        return Ok(());
    }
    let mut stack = vec![children(root, "")?];
    while let Some(level) = stack.last_mut() {
        let Some((key, path, entry)) = level.pop() else {
            stack.pop();
            continue;
        };
        let dir = entry.kind == Kind::Dir;
        if tx.blocking_send(Ok((key.clone(), entry))).is_err() {
            return Ok(()); // the consumer stopped
        }
        if dir {
            stack.push(children(&path, &key)?);
        }
    }
    Ok(())
}

/// Inserts each directory a sorted stream of keys implies, before its
/// first entry, unless the stream has it already (as a marker).
pub fn with_implied_dirs(inner: Walk<'_>) -> Walk<'_> {
    struct State<'a> {
        inner: Walk<'a>,
        /// Directories of the last key, outermost first.
        open: Vec<String>,
        ready: VecDeque<Result<(String, Entry), SideError>>,
    }
    let start = State {
        inner,
        open: Vec::new(),
        ready: VecDeque::new(),
    };
    stream::unfold(start, |mut s| async move {
        loop {
            if let Some(item) = s.ready.pop_front() {
                return Some((item, s));
            }
            let (rel, entry) = match s.inner.next().await? {
                Ok(pair) => pair,
                Err(e) => return Some((Err(e), s)),
            };
            let dirs: Vec<String> = rel
                .trim_end_matches('/')
                .match_indices('/')
                .map(|(i, _)| rel[..=i].to_string())
                .collect();
            let shared = s.open.iter().zip(&dirs).take_while(|(a, b)| a == b).count();
            s.open.truncate(shared);
            for d in &dirs[shared..] {
                s.open.push(d.clone());
                let implied = Entry {
                    kind: Kind::Dir,
                    size: 0,
                    posix: None,
                    object: None,
                };
                s.ready.push_back(Ok((d.clone(), implied)));
            }
            if entry.kind == Kind::Dir {
                s.open.push(rel.clone());
            }
            s.ready.push_back(Ok((rel, entry)));
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;

    #[tokio::test]
    async fn a_tree_walks_in_key_order() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        for d in ["a", "a-b", "a/b", "b"] {
            std::fs::create_dir_all(r.join(d)).unwrap();
        }
        for f in ["a/x", "a/b/y", "a-b/z", "a0", "b/c"] {
            std::fs::write(r.join(f), f).unwrap();
        }
        let keys: Vec<String> = walk_files(r.to_path_buf())
            .map_ok(|(k, _)| k)
            .try_collect()
            .await
            .unwrap();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert_eq!(keys, ["a-b/", "a-b/z", "a/", "a/b/", "a/b/y", "a/x", "a0", "b/", "b/c"]);
    }

    #[tokio::test]
    async fn implied_directories_come_before_their_entries_once() {
        let file = |k: &str| {
            Ok((
                k.to_string(),
                Entry {
                    kind: if k.ends_with('/') { Kind::Dir } else { Kind::File },
                    size: 1,
                    posix: None,
                    object: None,
                },
            ))
        };
        let inner = stream::iter(vec![file("a/b/c"), file("a/b/d"), file("a/e"), file("f/"), file("f/g")]).boxed();
        let keys: Vec<String> = with_implied_dirs(inner).map_ok(|(k, _)| k).try_collect().await.unwrap();
        assert_eq!(keys, ["a/", "a/b/", "a/b/c", "a/b/d", "a/e", "f/", "f/g"]);
    }
}
