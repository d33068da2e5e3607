//! `landbridge datasync watch <execution-arn>`: follows a DataSync task
//! execution to its end through the DataSync API (DescribeTaskExecution,
//! signed like any SDK call), with a progress bar of bytes and files, the
//! rate and the time left. It exits 0 on SUCCESS and 1 on ERROR, so
//! scripts can wait on it.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};

use crate::http_client::{authority, request};
use crate::sigv4::{Credentials, sign};

/// How often the execution is described.
const POLL: Duration = Duration::from_millis(250);

/// `arn:aws:datasync:<region>:<account>:task/<id>/execution/<id>`.
fn region_of(arn: &str) -> Result<&str> {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "datasync", region, _, rest] if rest.contains("/execution/") => Ok(region),
        _ => bail!("{arn} is not a DataSync task execution ARN"),
    }
}

fn amz_date() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn describe(endpoint: &str, region: &str, creds: &Credentials, arn: &str) -> Result<Value> {
    let body = json!({ "TaskExecutionArn": arn }).to_string();
    let mut headers = vec![
        ("content-type", "application/x-amz-json-1.1".to_string()),
        ("host", authority(endpoint)?.to_string()),
        ("x-amz-target", "FmrsService.DescribeTaskExecution".to_string()),
    ];
    let signature = sign(creds, region, "datasync", &amz_date(), &headers, body.as_bytes());
    headers.retain(|(k, _)| *k != "host");
    headers.extend(signature);
    let (status, answer) = request(endpoint, "POST", "/", &headers, body.as_bytes())?;
    let value: Value = serde_json::from_str(&answer).with_context(|| format!("HTTP {status}: {answer}"))?;
    if status != 200 {
        bail!(
            "{}: {}",
            value["__type"].as_str().unwrap_or("error"),
            value["message"]
                .as_str()
                .or(value["Message"].as_str())
                .unwrap_or(&answer)
        );
    }
    Ok(value)
}

fn count(v: &Value, name: &str) -> u64 {
    v[name].as_u64().unwrap_or(0)
}

pub fn watch(endpoint: &str, arn: &str) -> Result<()> {
    let region = region_of(arn)?;
    let creds = Credentials::from_env();
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .context("the progress bar's template")?
        .progress_chars("=> "),
    );
    // Without a terminal the bar draws nothing: phases are printed instead.
    let plain = bar.is_hidden();
    let started = Instant::now();
    let mut last_status = String::new();
    loop {
        let e = describe(endpoint, region, &creds, arn)?;
        let status = e["Status"].as_str().unwrap_or("UNKNOWN").to_string();
        let (files, total_files) = (count(&e, "FilesTransferred"), count(&e, "EstimatedFilesToTransfer"));
        bar.set_length(count(&e, "EstimatedBytesToTransfer"));
        bar.set_position(count(&e, "BytesTransferred"));
        bar.set_prefix(status.clone());
        bar.set_message(format!("files {files}/{total_files}"));
        let finished = status == "SUCCESS" || status == "ERROR";
        if plain && status != last_status && !finished {
            println!("{status}");
        }
        last_status = status.clone();
        if finished {
            bar.finish_and_clear();
            let bytes = count(&e, "BytesTransferred");
            let took = HumanDuration(started.elapsed());
            let failed = &e["FilesFailed"];
            println!(
                "{status}: {files} files, {} transferred, {} verified, {} skipped, {} deleted, {} failed, in {took}",
                HumanBytes(bytes),
                count(&e, "FilesVerified"),
                count(&e, "FilesSkipped"),
                count(&e, "FilesDeleted"),
                ["Prepare", "Transfer", "Verify", "Delete"]
                    .iter()
                    .map(|p| count(failed, p))
                    .sum::<u64>(),
            );
            if status == "ERROR" {
                let r = &e["Result"];
                bail!(
                    "{}: {}",
                    r["ErrorCode"].as_str().unwrap_or("error"),
                    r["ErrorDetail"].as_str().unwrap_or("")
                );
            }
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
}
