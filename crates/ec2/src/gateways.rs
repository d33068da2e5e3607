//! Internet gateways: one VPC each, one per VPC.

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext};

use crate::errors;
use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::model::*;
use crate::paging;
use crate::state::{RegionState, Tx};
use crate::views;
use crate::{Ec2, tags};

fn gateway<'a>(state: &'a RegionState, id: &str) -> Result<&'a InternetGatewayRec, ApiError> {
    state.internet_gateways.get(id).ok_or_else(|| errors::igw_not_found(id))
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateInternetGatewayRequest,
) -> Result<CreateInternetGatewayResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let tags = tags::from_specifications(input.tag_specifications, "internet-gateway")?;
    let g = InternetGatewayRec {
        id: new_id("igw"),
        attached_vpc: None,
        tags,
    };
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut tx = Tx::default();
    tx.put(Resource::InternetGateway(g.clone()));
    tx.commit(ec2.store(), &region, state).await?;
    Ok(CreateInternetGatewayResult {
        internet_gateway: Some(views::internet_gateway(&g, &ctx.account_id)),
    })
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeInternetGatewaysRequest,
) -> Result<DescribeInternetGatewaysResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "attachment.state",
            "attachment.vpc-id",
            "internet-gateway-id",
            "owner-id",
        ]),
    )?;
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.internet_gateway_ids.unwrap_or_default();
    if let Some(missing) = ids.iter().find(|id| !state.internet_gateways.contains_key(*id)) {
        return Err(errors::igw_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, &InternetGatewayRec)> =
        filter::select(&state.internet_gateways, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter(|g| {
                filters.matches(|f| match f {
                    "attachment.state" => g.attached_vpc.iter().map(|_| "available").collect(),
                    "attachment.vpc-id" => g.attached_vpc.iter().map(String::as_str).collect(),
                    "internet-gateway-id" => vec![g.id.as_str()],
                    "owner-id" => vec![account],
                    other => filter::tag_values(&g.tags, other).unwrap_or_default(),
                })
            })
            .map(|r| (r.id.clone(), r))
            .collect();
    let (page, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    // Only the page is rendered.
    let gateways: Vec<InternetGateway> = page.into_iter().map(|r| views::internet_gateway(r, account)).collect();
    Ok(DescribeInternetGatewaysResult {
        internet_gateways: Some(gateways),
        next_token,
    })
}

pub async fn delete(ec2: &Ec2, ctx: &RequestContext, input: DeleteInternetGatewayRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let g = gateway(&state, &input.internet_gateway_id)?;
    if g.attached_vpc.is_some() {
        return Err(errors::dependency("internetGateway", &g.id));
    }
    let mut tx = Tx::default();
    tx.delete("internet-gateway", &input.internet_gateway_id);
    tx.commit(ec2.store(), &region, state).await
}

pub async fn attach(ec2: &Ec2, ctx: &RequestContext, input: AttachInternetGatewayRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = gateway(&state, &input.internet_gateway_id)?.clone();
    if !state.vpcs.contains_key(&input.vpc_id) {
        return Err(errors::vpc_not_found(&input.vpc_id));
    }
    if let Some(vpc) = &g.attached_vpc {
        return Err(ApiError::client(
            "Resource.AlreadyAssociated",
            format!("resource {} is already attached to network {vpc}", g.id),
        ));
    }
    if let Some(other) = state
        .internet_gateways
        .values()
        .find(|o| o.attached_vpc.as_deref() == Some(input.vpc_id.as_str()))
    {
        return Err(ApiError::client(
            "Resource.AlreadyAssociated",
            format!(
                "network {} already has an internet gateway attached: {}",
                input.vpc_id, other.id
            ),
        ));
    }
    g.attached_vpc = Some(input.vpc_id);
    let mut tx = Tx::default();
    tx.put(Resource::InternetGateway(g));
    tx.commit(ec2.store(), &region, state).await
}

pub async fn detach(ec2: &Ec2, ctx: &RequestContext, input: DetachInternetGatewayRequest) -> Result<(), ApiError> {
    errors::dry_run(input.dry_run)?;
    let region = ec2.region(ctx).await?;
    let state = region.state.write().await;
    let mut g = gateway(&state, &input.internet_gateway_id)?.clone();
    if !state.vpcs.contains_key(&input.vpc_id) {
        return Err(errors::vpc_not_found(&input.vpc_id));
    }
    if g.attached_vpc.as_deref() != Some(input.vpc_id.as_str()) {
        return Err(ApiError::client(
            "Gateway.NotAttached",
            format!("resource {} is not attached to network {}", g.id, input.vpc_id),
        ));
    }
    g.attached_vpc = None;
    let mut tx = Tx::default();
    tx.put(Resource::InternetGateway(g));
    tx.commit(ec2.store(), &region, state).await
}
