//! What PREPARING decided, kept for TRANSFERRING and VERIFYING: entries to
//! copy or delete, one JSON line each in an unnamed temporary file, in key
//! order. A plan for millions of files costs disk, not memory, and the
//! file is gone when the plan is dropped, whatever happens.

use std::io::SeekFrom;

use futures::stream::{self, BoxStream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, BufWriter};

use super::sides::Entry;

#[derive(Debug, Serialize, Deserialize)]
pub struct Item {
    pub rel: String,
    pub entry: Entry,
}

pub struct Plan {
    file: BufWriter<tokio::fs::File>,
    pub len: u64,
}

impl Plan {
    pub fn new() -> Result<Self, String> {
        let file = tempfile::tempfile().map_err(|e| format!("creating a plan file: {e}"))?;
        Ok(Self {
            file: BufWriter::new(tokio::fs::File::from_std(file)),
            len: 0,
        })
    }

    pub async fn push(&mut self, rel: &str, entry: &Entry) -> Result<(), String> {
        let mut line = serde_json::to_vec(&ItemRef { rel, entry }).map_err(|e| e.to_string())?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .await
            .map_err(|e| format!("writing the plan: {e}"))?;
        self.len += 1;
        Ok(())
    }

    /// The plan's items from the first, once what was pushed is written.
    pub async fn items(&mut self) -> Result<BoxStream<'static, Result<Item, String>>, String> {
        self.file.flush().await.map_err(|e| format!("writing the plan: {e}"))?;
        let mut file = self
            .file
            .get_ref()
            .try_clone()
            .await
            .map_err(|e| format!("reading the plan: {e}"))?;
        // The clone shares the position: the plan is read by one reader at
        // a time, and nothing is pushed once reading starts.
        file.seek(SeekFrom::Start(0))
            .await
            .map_err(|e| format!("reading the plan: {e}"))?;
        let lines = BufReader::new(file).lines();
        Ok(stream::unfold(lines, |mut lines| async move {
            match lines.next_line().await {
                Ok(Some(line)) => Some((serde_json::from_str(&line).map_err(|e| e.to_string()), lines)),
                Ok(None) => None,
                Err(e) => Some((Err(format!("reading the plan: {e}")), lines)),
            }
        })
        .boxed())
    }
}

#[derive(Serialize)]
struct ItemRef<'a> {
    rel: &'a str,
    entry: &'a Entry,
}
