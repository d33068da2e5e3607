//! `models/codegen.toml`: which services, which model files, which operations.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Config {
    pub services: BTreeMap<String, ServiceConfig>,
}

#[derive(Debug, Deserialize)]
pub struct ServiceConfig {
    pub model: String,
    pub validation_error: String,
    pub operations: Vec<String>,
}

pub fn load(root: &Path) -> Result<Config> {
    let path = root.join("models/codegen.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// `models/patches.toml`: corrections applied to the models before codegen.
#[derive(Debug, Default, Deserialize)]
pub struct Patches {
    #[serde(default)]
    pub enum_additions: Vec<EnumAddition>,
}

#[derive(Debug, Deserialize)]
pub struct EnumAddition {
    pub service: String,
    pub shape: String,
    pub values: Vec<String>,
    #[allow(dead_code)]
    pub why: String,
}

pub fn load_patches(root: &Path) -> Result<Patches> {
    let path = root.join("models/patches.toml");
    if !path.exists() {
        return Ok(Patches::default());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
