//! CreateTags, DeleteTags, DescribeTags, and `TagSpecifications` on create.

use landbridge_api::ec2::{
    CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, ResourceType, Tag, TagDescription,
    TagSpecification,
};
use landbridge_api::{ApiError, RequestContext};

use crate::Ec2;
use crate::errors;
use crate::filter::{self, Filters};
use crate::ids;
use crate::model::Tags;
use crate::paging;
use crate::state::Tx;

/// AWS's limit of tags per resource.
const MAX_TAGS: usize = 50;

fn check_tag(key: &str, value: &str) -> Result<(), ApiError> {
    if key.is_empty() || key.chars().count() > 128 {
        return Err(errors::invalid(format!(
            "Tag key '{key}' must be 1 to 128 characters long"
        )));
    }
    if value.chars().count() > 256 {
        return Err(errors::invalid(format!(
            "Tag value for key '{key}' exceeds 256 characters"
        )));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(errors::invalid(
            "Tag keys starting with 'aws:' are reserved for internal use",
        ));
    }
    Ok(())
}

fn apply_tags(tags: &mut Tags, new: &[Tag]) -> Result<(), ApiError> {
    for t in new {
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        check_tag(&key, &value)?;
        tags.insert(key, value);
    }
    if tags.len() > MAX_TAGS {
        return Err(ApiError::client(
            "TagLimitExceeded",
            format!("The maximum number of tags per resource is {MAX_TAGS}"),
        ));
    }
    Ok(())
}

/// The tags a create call's `TagSpecifications` give a resource of
/// `resource_type`; a specification for another type is refused, as AWS does.
pub fn from_specifications(specs: Option<Vec<TagSpecification>>, resource_type: &str) -> Result<Tags, ApiError> {
    let mut tags = Tags::new();
    for spec in specs.unwrap_or_default() {
        let kind = spec.resource_type.map(ResourceType::as_str).unwrap_or_default();
        if kind != resource_type {
            return Err(errors::invalid(format!(
                "'{kind}' is not a valid taggable resource type for this operation."
            )));
        }
        apply_tags(&mut tags, &spec.tags.unwrap_or_default())?;
    }
    Ok(tags)
}

fn unknown_resource(id: &str) -> ApiError {
    match ids::resource_type(id) {
        Some("vpc") => errors::vpc_not_found(id),
        Some("subnet") => errors::subnet_not_found(id),
        Some("route-table") => errors::route_table_not_found(id),
        Some("internet-gateway") => errors::igw_not_found(id),
        Some("network-interface") => errors::eni_not_found(id),
        Some("network-acl") => errors::not_found("InvalidNetworkAclID.NotFound", "network ACL", id),
        Some("security-group") => errors::not_found("InvalidGroup.NotFound", "security group", id),
        Some("customer-gateway") => errors::cgw_not_found(id),
        Some("vpn-gateway") => errors::vgw_not_found(id),
        Some("vpn-connection") => errors::vpn_not_found(id),
        Some("transit-gateway") => errors::tgw_not_found(id),
        Some("transit-gateway-attachment") => errors::tgw_attachment_not_found(id),
        Some("transit-gateway-route-table") => errors::tgw_route_table_not_found(id),
        Some("network-insights-path") => errors::insights_path_not_found(id),
        Some("network-insights-analysis") => errors::insights_analysis_not_found(id),
        _ => ApiError::client("InvalidID", format!("The ID '{id}' is not valid")),
    }
}

pub async fn create(ec2: &Ec2, ctx: &RequestContext, input: CreateTagsRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut tx = Tx::default();
    for id in &input.resources {
        let mut resource = state.resource(id).ok_or_else(|| unknown_resource(id))?;
        if let Some(tags) = resource.tags_mut() {
            apply_tags(tags, &input.tags)?;
        }
        tx.put(resource);
    }
    tx.commit(ec2.store(), &region, state).await
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteTagsRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut tx = Tx::default();
    for id in &input.resources {
        let mut resource = state.resource(id).ok_or_else(|| unknown_resource(id))?;
        if let Some(tags) = resource.tags_mut() {
            match &input.tags {
                // No tags named: every tag goes.
                None => tags.clear(),
                Some(list) => {
                    for t in list {
                        let key = t.key.as_deref().unwrap_or_default();
                        // A value, when given, must match for the tag to go.
                        let matches = match (&t.value, tags.get(key)) {
                            (Some(want), Some(have)) => want == have,
                            (None, Some(_)) => true,
                            (_, None) => false,
                        };
                        if matches {
                            tags.remove(key);
                        }
                    }
                }
            }
        }
        tx.put(resource);
    }
    tx.commit(ec2.store(), &region, state).await
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTagsRequest,
) -> Result<DescribeTagsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&["key", "resource-id", "resource-type", "value"]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let mut all: Vec<(String, TagDescription)> = Vec::new();
    let mut add = |id: &str, tags: &Tags| {
        let kind = ids::resource_type(id).unwrap_or_default();
        for (k, v) in tags {
            let keep = filters.matches(|f| match f {
                "key" => vec![k.as_str()],
                "value" => vec![v.as_str()],
                "resource-id" => vec![id],
                "resource-type" => vec![kind],
                other => filter::tag_values(tags, other).unwrap_or_default(),
            });
            if keep {
                all.push((
                    format!("{id}\u{0}{k}"),
                    TagDescription {
                        key: Some(k.clone()),
                        resource_id: Some(id.to_string()),
                        resource_type: ResourceType::parse(kind),
                        value: Some(v.clone()),
                    },
                ));
            }
        }
    };
    for (id, tags) in state.tagged() {
        add(id, tags);
    }
    all.sort_by(|a, b| a.0.cmp(&b.0));
    let (tags, next_token) = paging::page(all, input.max_results, input.next_token)?;
    Ok(DescribeTagsResult {
        next_token,
        tags: Some(tags),
    })
}
