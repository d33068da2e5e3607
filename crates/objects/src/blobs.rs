//! Where object bytes live: the local data directory (`files.rs`) or
//! another S3 (`remote.rs`). Both give the same guarantees: a blob is whole
//! once `write` returns and invisible before, reads stream in bounded
//! chunks, and `sweep` removes what no record names.

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

use bytes::Bytes;
use futures::Stream;

use crate::files::{Blob, Files};
use crate::remote::{Remote, S3Target};
use crate::{ByteStream, ObjectError};

/// Where an object layer keeps its bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Storage {
    /// `blobs/` and `tmp/` under this directory.
    Local(PathBuf),
    /// Objects on another S3.
    S3(S3Target),
}

pub(crate) enum Blobs {
    Local(Files),
    S3(Remote),
}

impl Blobs {
    pub async fn open(storage: Storage) -> Result<Self, ObjectError> {
        Ok(match storage {
            Storage::Local(root) => Self::Local(Files::open(root).await?),
            Storage::S3(target) => Self::S3(Remote::new(&target)?),
        })
    }

    pub async fn write<S, E>(&self, body: S) -> Result<Blob, ObjectError>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        match self {
            Self::Local(f) => f.write(body).await,
            Self::S3(r) => r.write(body).await,
        }
    }

    pub async fn read(&self, name: &str, range: Range<u64>) -> Result<ByteStream, ObjectError> {
        Ok(match self {
            Self::Local(f) => Box::pin(f.read(name, range).await?),
            Self::S3(r) => Box::pin(r.read(name, range).await?),
        })
    }

    pub async fn concat(&self, names: &[String]) -> Result<Blob, ObjectError> {
        match self {
            Self::Local(f) => f.concat(names).await,
            Self::S3(r) => r.concat(names).await,
        }
    }

    pub async fn remove_all(&self, names: &[String]) {
        match self {
            Self::Local(f) => f.remove_all(names).await,
            Self::S3(r) => r.remove_all(names).await,
        }
    }

    pub async fn sweep(&self, live: &HashSet<String>) -> Result<(), ObjectError> {
        match self {
            Self::Local(f) => f.sweep(live).await,
            Self::S3(r) => r.sweep(live).await,
        }
    }
}
