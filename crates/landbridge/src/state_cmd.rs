//! `landbridge state export|import`: the stored state as a JSON document,
//! for moving it between machines or snapshotting a test fixture. Works on
//! the data directory directly, so run it while Landbridge is stopped.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, bail};
use landbridge_store::{Mutation, Record, SqliteBackend, Store, SyncMode};
use serde::{Deserialize, Serialize};

pub const STATE_FILE: &str = "state.db";
const FORMAT: &str = "landbridge-state";
const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Document {
    format: String,
    version: u32,
    records: Vec<Record>,
}

fn open(data_dir: &Path) -> Result<(Store, Vec<Record>)> {
    let path = data_dir.join(STATE_FILE);
    let backend = SqliteBackend::open(&path, SyncMode::Full).with_context(|| format!("opening {}", path.display()))?;
    Ok(Store::start(Box::new(backend))?)
}

pub fn export(data_dir: &Path, file: &Path, service: Option<&str>) -> Result<()> {
    let (_store, records) = open(data_dir)?;
    let records: Vec<Record> = records
        .into_iter()
        .filter(|r| service.is_none_or(|s| r.key.service == s))
        .collect();
    let n = records.len();
    let doc = Document {
        format: FORMAT.to_string(),
        version: VERSION,
        records,
    };
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(file, text + "\n").with_context(|| format!("writing {}", file.display()))?;
    eprintln!("exported {n} record(s) to {}", file.display());
    Ok(())
}

pub async fn import(data_dir: &Path, file: &Path, service: Option<&str>) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let doc: Document =
        serde_json::from_str(&text).with_context(|| format!("{} is not a state export", file.display()))?;
    if doc.format != FORMAT || doc.version != VERSION {
        bail!(
            "{} is {} version {}, not {FORMAT} version {VERSION}",
            file.display(),
            doc.format,
            doc.version
        );
    }
    let records: Vec<Record> = doc
        .records
        .into_iter()
        .filter(|r| service.is_none_or(|s| r.key.service == s))
        .collect();
    let services: BTreeSet<String> = match service {
        Some(s) => [s.to_string()].into(),
        None => records.iter().map(|r| r.key.service.clone()).collect(),
    };
    std::fs::create_dir_all(data_dir)?;
    let (store, _) = open(data_dir)?;
    let n = records.len();
    // One transaction: the old state of these services goes, the file's comes.
    let mut batch: Vec<Mutation> = services
        .iter()
        .map(|s| Mutation::Clear {
            service: Some(s.clone()),
        })
        .collect();
    batch.extend(records.into_iter().map(Mutation::Put));
    store.commit(batch).await?;
    eprintln!(
        "imported {n} record(s) for {} into {}",
        services.into_iter().collect::<Vec<_>>().join(", "),
        data_dir.display()
    );
    Ok(())
}
