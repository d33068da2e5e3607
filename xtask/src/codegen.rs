//! `cargo xtask codegen`: model + allowlist -> `crates/api/src/generated/`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::config::ServiceConfig;

/// A loaded model: the parts the generator reads.
pub struct Model {
    pub id: String,
    pub file: String,
    pub metadata: Value,
    pub operations: serde_json::Map<String, Value>,
    pub shapes: serde_json::Map<String, Value>,
}

impl Model {
    pub fn shape(&self, name: &str) -> Result<&Value> {
        self.shapes
            .get(name)
            .with_context(|| format!("{}: no shape {name}", self.id))
    }

    pub fn shape_type(&self, name: &str) -> Result<&str> {
        self.shape(name)?["type"]
            .as_str()
            .with_context(|| format!("{}: shape {name} has no type", self.id))
    }

    /// Every shape reachable from the allowlisted operations' inputs and
    /// outputs, in a stable order.
    pub fn reachable(&self, ops: &[String]) -> Result<BTreeSet<String>> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = Vec::new();
        for op in ops {
            let op_def = self
                .operations
                .get(op)
                .with_context(|| format!("{}: no operation {op}", self.id))?;
            for io in ["input", "output"] {
                if let Some(s) = op_def[io]["shape"].as_str() {
                    todo.push(s.to_string());
                }
            }
        }
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let shape = self.shape(&name)?;
            if let Some(members) = shape["members"].as_object() {
                for m in members.values() {
                    if let Some(s) = m["shape"].as_str() {
                        todo.push(s.to_string());
                    }
                }
            }
            for k in ["member", "key", "value"] {
                if let Some(s) = shape[k]["shape"].as_str() {
                    todo.push(s.to_string());
                }
            }
        }
        Ok(seen)
    }
}

fn load_model(root: &Path, id: &str, svc: &ServiceConfig, patches: &crate::config::Patches) -> Result<Model> {
    let path = root.join("models/aws").join(&svc.model);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut json: Value = serde_json::from_str(&text)?;
    let take = |json: &mut Value, k: &str| json.get_mut(k).map(Value::take).unwrap_or(Value::Null);
    let metadata = take(&mut json, "metadata");
    let operations = take(&mut json, "operations").as_object().cloned().unwrap_or_default();
    let mut shapes = take(&mut json, "shapes").as_object().cloned().unwrap_or_default();
    for add in patches.enum_additions.iter().filter(|a| a.service == id) {
        let values = shapes
            .get_mut(&add.shape)
            .and_then(|s| s.get_mut("enum"))
            .and_then(Value::as_array_mut)
            .with_context(|| format!("patch: {id} has no enum shape {}", add.shape))?;
        for v in &add.values {
            if !values.iter().any(|x| x == v) {
                values.push(Value::String(v.clone()));
            }
        }
    }
    Ok(Model {
        id: id.to_string(),
        file: svc.model.clone(),
        metadata,
        operations,
        shapes,
    })
}

pub fn run(root: &Path, check: bool) -> Result<()> {
    let config = crate::config::load(root)?;
    let patches = crate::config::load_patches(root)?;
    let out_dir = root.join("crates/api/src/generated");
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut mod_rs = String::from(crate::emit::HEADER_MOD);
    for (id, svc) in &config.services {
        let model = load_model(root, id, svc, &patches)?;
        let code = crate::emit::service(&model, svc)?;
        files.insert(format!("{id}.rs"), rustfmt(root, &code)?);
        mod_rs.push_str(&format!("pub mod {id};\n"));
    }
    mod_rs.push_str("\n/// Every generated service's spec.\npub static ALL_SPECS: &[&crate::ServiceSpec] = &[\n");
    for id in config.services.keys() {
        mod_rs.push_str(&format!("    &{id}::SPEC,\n"));
    }
    mod_rs.push_str("];\n");
    files.insert("mod.rs".to_string(), rustfmt(root, &mod_rs)?);

    let mut stale = Vec::new();
    for (name, code) in &files {
        let path = out_dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != *code {
            stale.push(name.clone());
            if !check {
                std::fs::create_dir_all(&out_dir)?;
                std::fs::write(&path, code)?;
            }
        }
    }
    // Files for services that left the allowlist.
    if let Ok(entries) = std::fs::read_dir(&out_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") && !files.contains_key(&name) {
                stale.push(name.clone());
                if !check {
                    std::fs::remove_file(e.path())?;
                }
            }
        }
    }
    if check && !stale.is_empty() {
        bail!(
            "generated code is stale ({}); run `cargo xtask codegen`",
            stale.join(", ")
        );
    }
    if !check {
        println!("codegen: {} file(s) updated", stale.len());
    }
    Ok(())
}

fn rustfmt(root: &Path, code: &str) -> Result<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet", "--config-path"])
        .arg(root.join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt")?;
    let mut stdin = child.stdin.take().context("rustfmt stdin")?;
    let input = code.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("rustfmt writer panicked"))??;
    if !out.status.success() {
        bail!("rustfmt failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?)
}
