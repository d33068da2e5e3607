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

/// The checkout to work on: the nearest directory, from the current one
/// up, that holds `models/codegen.toml`. (Not the directory xtask was
/// compiled in: a target directory shared between checkouts may hold a
/// binary built in another one.)
fn repo_root() -> Result<PathBuf> {
    let mut dir = std::env::current_dir()?;
    loop {
        if dir.join("models/codegen.toml").is_file() {
            return Ok(dir);
        }
        if !dir.pop() {
            bail!("run cargo xtask inside a Landbridge checkout (no models/codegen.toml found)");
        }
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = repo_root()?;
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
