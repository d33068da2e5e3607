//! Vendoring: the newest API version of each configured service, from a
//! botocore `data/` directory, with `documentation` strings removed (they
//! are most of the bytes and none of the behaviour).

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::Value;

pub fn run(root: &Path, data_dir: &Path, version: &str) -> Result<()> {
    let config = crate::config::load(root)?;
    let out_dir = root.join("models/aws");
    std::fs::create_dir_all(&out_dir)?;
    for (id, svc) in &config.services {
        let service_dir = data_dir.join(id);
        let mut versions: Vec<String> = std::fs::read_dir(&service_dir)
            .with_context(|| format!("reading {}", service_dir.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        versions.sort();
        let Some(newest) = versions.last() else {
            bail!("no API versions under {}", service_dir.display());
        };
        let model = read_model(&service_dir.join(newest))?;
        let stripped = strip(model);
        let text = serde_json::to_string_pretty(&stripped)? + "\n";
        std::fs::write(out_dir.join(&svc.model), text)?;
        println!("vendored {id} {newest}");
    }
    std::fs::write(out_dir.join("VERSION"), format!("botocore {version}\n"))?;
    Ok(())
}

fn read_model(dir: &Path) -> Result<Value> {
    let plain = dir.join("service-2.json");
    let gz = dir.join("service-2.json.gz");
    let mut text = String::new();
    if plain.exists() {
        text = std::fs::read_to_string(&plain)?;
    } else {
        flate2::read::GzDecoder::new(std::fs::File::open(&gz).with_context(|| format!("opening {}", gz.display()))?)
            .read_to_string(&mut text)?;
    }
    Ok(serde_json::from_str(&text)?)
}

fn strip(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "documentation" | "documentationUrl" | "examples"))
                .map(|(k, v)| (k, strip(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(strip).collect()),
        other => other,
    }
}
