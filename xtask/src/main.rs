//! `cargo xtask <command>`: chores that keep generated files in step with
//! their sources.
//!
//! - `vendor-models <botocore data dir> <botocore version>`: copies each
//!   allowlisted service's newest `service-2.json` into `models/aws/`,
//!   without documentation.
//! - `codegen [--check]`: writes `crates/api/src/generated/` from
//!   `models/codegen.toml` and the vendored models; `--check` fails if the
//!   checked-in files differ from what would be written (CI runs this).

mod codegen;
mod config;
mod emit;
mod names;
mod vendor;

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root();
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().any(|a| a == "--check");
            codegen::run(&root, check)
        }
        Some("vendor-models") => {
            let dir = args
                .get(1)
                .context("usage: cargo xtask vendor-models <botocore/data dir> <botocore version>")?;
            let version = args
                .get(2)
                .context("usage: cargo xtask vendor-models <botocore/data dir> <botocore version>")?;
            vendor::run(&root, &PathBuf::from(dir), version)
        }
        _ => bail!("usage: cargo xtask codegen [--check] | cargo xtask vendor-models <dir> <version>"),
    }
}
