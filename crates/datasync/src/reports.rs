//! TaskReportConfig as tasks and executions take it and show it back. The
//! reports themselves are written by `engine/report.rs`.

use std::collections::BTreeMap;

use landbridge_api::ApiError;
use landbridge_api::datasync::*;

use crate::locations::{bucket_of, normalise_subdirectory};
use crate::model::ReportRec;
use crate::{DataSync, errors};

const ASPECTS: [&str; 4] = ["Transferred", "Verified", "Deleted", "Skipped"];

/// Checks and keeps a report configuration; its bucket must exist.
pub async fn config(ds: &DataSync, given: Option<&TaskReportConfig>) -> Result<Option<ReportRec>, ApiError> {
    let Some(c) = given else { return Ok(None) };
    let s3 = c
        .destination
        .as_ref()
        .and_then(|d| d.s3.as_ref())
        .ok_or_else(|| errors::invalid("TaskReportConfig requires a Destination with S3"))?;
    let output_type = c
        .output_type
        .ok_or_else(|| errors::invalid("TaskReportConfig requires an OutputType"))?;
    let bucket = bucket_of(&s3.s3_bucket_arn)?.to_string();
    if ds.objects().bucket(&bucket).await.is_none() {
        return Err(errors::invalid(format!(
            "Failed to access S3 bucket {bucket} for the task report: the bucket does not exist"
        )));
    }
    let subdirectory = normalise_subdirectory(s3.subdirectory.as_deref());
    if subdirectory.split('/').any(|p| p == "." || p == "..") {
        return Err(errors::invalid("The subdirectory must not contain . or .. components"));
    }
    let mut overrides = BTreeMap::new();
    if let Some(o) = &c.overrides {
        for (aspect, level) in ASPECTS
            .iter()
            .zip([&o.transferred, &o.verified, &o.deleted, &o.skipped])
        {
            if let Some(l) = level.as_ref().and_then(|l| l.report_level) {
                overrides.insert((*aspect).to_string(), l.as_str().to_string());
            }
        }
    }
    Ok(Some(ReportRec {
        bucket,
        subdirectory,
        role_arn: s3.bucket_access_role_arn.clone(),
        output_type: output_type.as_str().to_string(),
        report_level: c.report_level.map_or("ERRORS_ONLY", |l| l.as_str()).to_string(),
        overrides,
        object_version_ids: c.object_version_ids.map(|v| v.as_str().to_string()),
    }))
}

pub fn view(r: &ReportRec) -> TaskReportConfig {
    let level = |aspect: &str| {
        r.overrides.get(aspect).map(|l| ReportOverride {
            report_level: ReportLevel::parse(l),
        })
    };
    TaskReportConfig {
        destination: Some(ReportDestination {
            s3: Some(ReportDestinationS3 {
                subdirectory: (!r.subdirectory.is_empty()).then(|| r.subdirectory.clone()),
                s3_bucket_arn: format!("arn:aws:s3:::{}", r.bucket),
                bucket_access_role_arn: r.role_arn.clone(),
            }),
        }),
        output_type: ReportOutputType::parse(&r.output_type),
        report_level: ReportLevel::parse(&r.report_level),
        object_version_ids: r.object_version_ids.as_deref().and_then(ObjectVersionIds::parse),
        overrides: (!r.overrides.is_empty()).then(|| ReportOverrides {
            transferred: level("Transferred"),
            verified: level("Verified"),
            deleted: level("Deleted"),
            skipped: level("Skipped"),
        }),
    }
}
