//! POSIX metadata as DataSync keeps it in S3 user metadata, the form file
//! gateways and FSx for Lustre read too: `file-permissions` (the octal
//! `st_mode`, type bits included, e.g. `0100644`), `file-owner` and
//! `file-group` (numeric ids), `file-mtime` and `file-atime` (nanoseconds
//! since the epoch with an `ns` suffix).

use std::collections::BTreeMap;

/// What kind of thing an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    File,
    Dir,
    Symlink,
}

const S_IFMT: u32 = 0o170_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFREG: u32 = 0o100_000;

/// Which metadata a file destination takes from the source, and what
/// CHANGED compares: the task's Uid, Gid, PosixPermissions, Mtime and Atime
/// options (NONE leaves that to whoever writes the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    pub uid: bool,
    pub gid: bool,
    pub permissions: bool,
    pub mtime: bool,
    pub atime: bool,
}

impl Keep {
    pub const ALL: Keep = Keep {
        uid: true,
        gid: true,
        permissions: true,
        mtime: true,
        atime: true,
    };

    pub fn from_options(o: &crate::model::OptionsRec) -> Self {
        Self {
            uid: o.uid != "NONE",
            gid: o.gid != "NONE",
            permissions: o.posix_permissions != "NONE",
            mtime: o.mtime != "NONE",
            atime: o.atime != "NONE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Posix {
    /// Full `st_mode`, type bits included.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime_ns: i128,
    pub atime_ns: i128,
}

impl Posix {
    pub fn kind(&self) -> Kind {
        match self.mode & S_IFMT {
            S_IFDIR => Kind::Dir,
            S_IFLNK => Kind::Symlink,
            _ => Kind::File,
        }
    }

    /// The permission bits alone.
    pub fn permissions(&self) -> u32 {
        self.mode & 0o7777
    }

    pub fn to_metadata(self, into: &mut BTreeMap<String, String>) {
        into.insert("file-permissions".into(), format!("{:07o}", self.mode));
        into.insert("file-owner".into(), self.uid.to_string());
        into.insert("file-group".into(), self.gid.to_string());
        into.insert("file-mtime".into(), format!("{}ns", self.mtime_ns));
        into.insert("file-atime".into(), format!("{}ns", self.atime_ns));
        into.insert("user-agent".into(), "aws-datasync".into());
    }

    /// Reads what `to_metadata` wrote; times without `ns` are
    /// milliseconds, as FSx for Lustre reads them.
    pub fn from_metadata(meta: &BTreeMap<String, String>) -> Option<Self> {
        let mode = u32::from_str_radix(meta.get("file-permissions")?, 8).ok()?;
        let time = |k: &str| -> Option<i128> {
            let v = meta.get(k)?;
            match v.strip_suffix("ns") {
                Some(ns) => ns.parse().ok(),
                None => v.parse::<i128>().ok().map(|ms| ms * 1_000_000),
            }
        };
        let mtime_ns = time("file-mtime").unwrap_or(0);
        Some(Self {
            mode: if mode & S_IFMT == 0 { mode | S_IFREG } else { mode },
            uid: meta.get("file-owner").and_then(|v| v.parse().ok()).unwrap_or(0),
            gid: meta.get("file-group").and_then(|v| v.parse().ok()).unwrap_or(0),
            mtime_ns,
            atime_ns: time("file-atime").unwrap_or(mtime_ns),
        })
    }

    /// From a file's `lstat`.
    pub fn of(meta: &std::fs::Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        let ns = |secs: i64, nanos: i64| i128::from(secs) * 1_000_000_000 + i128::from(nanos);
        Self {
            mode: meta.mode(),
            uid: meta.uid(),
            gid: meta.gid(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            atime_ns: ns(meta.atime(), meta.atime_nsec()),
        }
    }

    /// Applies what `keep` keeps of owner, permissions and times to `path`
    /// (not through a symlink). Ownership needs privileges; without them it
    /// is left as the writer's, as an NFS server squashing root would.
    pub fn apply(&self, path: &std::path::Path, keep: Keep) -> std::io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let (uid, gid) = (keep.uid.then_some(self.uid), keep.gid.then_some(self.gid));
        if (uid.is_some() || gid.is_some())
            && let Err(e) = std::os::unix::fs::lchown(path, uid, gid)
            && e.kind() != std::io::ErrorKind::PermissionDenied
        {
            return Err(e);
        }
        if self.kind() == Kind::Symlink {
            return Ok(()); // links have no permissions of their own; std cannot set their times
        }
        if keep.permissions {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(self.permissions()))?;
        }
        if !keep.mtime && !keep.atime {
            return Ok(());
        }
        let time = |ns: i128| {
            let ns = ns.max(0);
            std::time::UNIX_EPOCH
                + std::time::Duration::new(
                    u64::try_from(ns / 1_000_000_000).unwrap_or(0),
                    u32::try_from(ns % 1_000_000_000).unwrap_or(0),
                )
        };
        let mut times = std::fs::FileTimes::new();
        if keep.mtime {
            times = times.set_modified(time(self.mtime_ns));
        }
        if keep.atime {
            times = times.set_accessed(time(self.atime_ns));
        }
        std::fs::File::open(path)?.set_times(times)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_in_datasync_form() {
        let p = Posix {
            mode: 0o100_640,
            uid: 1000,
            gid: 100,
            mtime_ns: 1_700_000_000_123_456_789,
            atime_ns: 1_700_000_001_000_000_000,
        };
        let mut m = BTreeMap::new();
        p.to_metadata(&mut m);
        assert_eq!(m["file-permissions"], "0100640");
        assert_eq!(m["file-mtime"], "1700000000123456789ns");
        assert_eq!(Posix::from_metadata(&m), Some(p));
        // Milliseconds without the suffix; a mode without type bits is a file.
        let m: BTreeMap<String, String> = [("file-permissions", "0644"), ("file-mtime", "1000")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let p = Posix::from_metadata(&m).unwrap();
        assert_eq!(
            (p.kind(), p.permissions(), p.mtime_ns),
            (Kind::File, 0o644, 1_000_000_000)
        );
        assert_eq!(Posix::from_metadata(&BTreeMap::new()), None);
    }
}
