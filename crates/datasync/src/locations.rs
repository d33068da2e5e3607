//! Locations: where a task reads and writes. S3 here, and what all
//! locations share (find, list, delete); file locations in
//! `file_locations.rs`.

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::model::{LocationKind, LocationRec};
use crate::{DataSync, errors, new_arn, now_ms, tags, views};

/// `arn:aws:s3:::bucket` names a bucket; access points and Outposts are
/// not emulated.
pub fn bucket_of(arn: &str) -> Result<&str, ApiError> {
    arn.split_once(":s3:::")
        .map(|(_, b)| b)
        .filter(|b| !b.is_empty() && !b.contains('/'))
        .ok_or_else(|| errors::invalid(format!("Invalid S3 bucket ARN: {arn}. Only bucket ARNs are supported")))
}

/// DataSync's form of a subdirectory: no leading slash, a trailing one.
pub fn normalise_subdirectory(sub: Option<&str>) -> String {
    let trimmed = sub.unwrap_or("").trim_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}/")
    }
}

pub async fn create_s3(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateLocationS3Request,
) -> Result<CreateLocationS3Response, ApiError> {
    let bucket = bucket_of(&input.s3_bucket_arn)?.to_string();
    if ds.objects().bucket(&bucket).await.is_none() {
        return Err(errors::invalid(format!(
            "Failed to access S3 bucket {bucket}: the bucket does not exist"
        )));
    }
    let subdirectory = normalise_subdirectory(input.subdirectory.as_deref());
    if subdirectory.split('/').any(|part| part == "." || part == "..") {
        return Err(errors::invalid("The subdirectory must not contain . or .. components"));
    }
    let rec = LocationRec {
        arn: new_arn(ctx, "location", "loc"),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        kind: LocationKind::S3 {
            bucket,
            subdirectory,
            storage_class: input.s3_storage_class.map_or("STANDARD", |c| c.as_str()).to_string(),
            role_arn: input.s3_config.bucket_access_role_arn,
        },
        tags: tags::from_input(input.tags)?,
    };
    let mut state = ds.state().write().await;
    ds.save("location", &rec.account, &rec.region, &rec.arn, &rec).await?;
    let arn = rec.arn.clone();
    state.locations.insert(arn.clone(), rec);
    Ok(CreateLocationS3Response {
        location_arn: Some(arn),
    })
}

/// The caller's location `arn`.
pub fn find<'a>(state: &'a crate::State, ctx: &RequestContext, arn: &str) -> Result<&'a LocationRec, ApiError> {
    state
        .locations
        .get(arn)
        .filter(|l| l.account == ctx.account_id && l.region == ctx.region)
        .ok_or_else(|| errors::not_found(arn))
}

pub async fn describe_s3(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeLocationS3Request,
) -> Result<DescribeLocationS3Response, ApiError> {
    let state = ds.state().read().await;
    let l = find(&state, ctx, &input.location_arn)?;
    let LocationKind::S3 {
        storage_class,
        role_arn,
        ..
    } = &l.kind
    else {
        return Err(errors::invalid(format!("{} is not an S3 location", l.arn)));
    };
    Ok(DescribeLocationS3Response {
        location_arn: Some(l.arn.clone()),
        location_uri: Some(l.uri()),
        s3_storage_class: S3StorageClass::parse(storage_class),
        s3_config: Some(S3Config {
            bucket_access_role_arn: role_arn.clone(),
        }),
        agent_arns: None,
        creation_time: Some(Timestamp::from_millis(l.created_ms)),
    })
}

pub async fn delete(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DeleteLocationRequest,
) -> Result<DeleteLocationResponse, ApiError> {
    let mut state = ds.state().write().await;
    let l = find(&state, ctx, &input.location_arn)?.clone();
    ds.forget("location", &l.account, &l.region, &l.arn).await?;
    state.locations.remove(&l.arn);
    Ok(DeleteLocationResponse {})
}

pub async fn list(
    ds: &DataSync,
    ctx: &RequestContext,
    input: ListLocationsRequest,
) -> Result<ListLocationsResponse, ApiError> {
    let state = ds.state().read().await;
    let filters = input.filters.unwrap_or_default();
    let mut matching = Vec::new();
    for l in state
        .locations
        .values()
        .filter(|l| l.account == ctx.account_id && l.region == ctx.region)
    {
        let mut keep = true;
        for f in &filters {
            let value = match f.name {
                LocationFilterName::LocationUri => l.uri(),
                LocationFilterName::LocationType => l.type_name().to_string(),
                LocationFilterName::CreationTime => l.created_ms.to_string(),
            };
            keep &= views::filter_matches(
                &value,
                f.operator,
                &f.values,
                f.name == LocationFilterName::CreationTime,
            )?;
        }
        if keep {
            matching.push(LocationListEntry {
                location_arn: Some(l.arn.clone()),
                location_uri: Some(l.uri()),
            });
        }
    }
    let (page, next_token) = views::page(matching, input.max_results, input.next_token.as_deref())?;
    Ok(ListLocationsResponse {
        locations: Some(page),
        next_token,
    })
}

pub async fn update_s3(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateLocationS3Request,
) -> Result<UpdateLocationS3Response, ApiError> {
    let mut state = ds.state().write().await;
    let mut l = find(&state, ctx, &input.location_arn)?.clone();
    let LocationKind::S3 {
        subdirectory,
        storage_class,
        role_arn,
        ..
    } = &mut l.kind
    else {
        return Err(errors::invalid(format!("{} is not an S3 location", l.arn)));
    };
    if let Some(sub) = input.subdirectory.as_deref() {
        let sub = normalise_subdirectory(Some(sub));
        if sub.split('/').any(|part| part == "." || part == "..") {
            return Err(errors::invalid("The subdirectory must not contain . or .. components"));
        }
        *subdirectory = sub;
    }
    if let Some(c) = input.s3_storage_class {
        *storage_class = c.as_str().to_string();
    }
    if let Some(c) = input.s3_config {
        *role_arn = c.bucket_access_role_arn;
    }
    ds.save("location", &l.account, &l.region, &l.arn, &l).await?;
    state.locations.insert(l.arn.clone(), l);
    Ok(UpdateLocationS3Response {})
}
