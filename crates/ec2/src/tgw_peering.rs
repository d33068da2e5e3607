//! Transit gateway peering between regions or accounts of one Landbridge:
//! the requester creates the attachment, the accepter accepts or rejects
//! it, either deletes it. The attachment is one id recorded in both
//! parties' regions; every change is written to both. Peerings carry static
//! routes only (no propagation), as in AWS.

use std::sync::Arc;

use landbridge_api::ec2::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::filter::{self, Filters};
use crate::ids::new_id;
use crate::lifecycles::At;
use crate::model::*;
use crate::state::{Region, RegionState, Tx};
use crate::tgw_attachments::{detach, state_name, state_of};
use crate::transit_gateways::{live_attachment, live_tgw};
use crate::{Ec2, errors, paging, tags};

fn view(a: &TgwAttachmentRec, p: &PeeringRec, at: &At) -> TransitGatewayPeeringAttachment {
    let st = state_name(a, at);
    TransitGatewayPeeringAttachment {
        transit_gateway_attachment_id: Some(a.id.clone()),
        requester_tgw_info: Some(PeeringTgwInfo {
            transit_gateway_id: Some(p.requester_tgw.clone()),
            owner_id: Some(p.requester_account.clone()),
            region: Some(p.requester_region.clone()),
            core_network_id: None,
        }),
        accepter_tgw_info: Some(PeeringTgwInfo {
            transit_gateway_id: Some(p.accepter_tgw.clone()),
            owner_id: Some(p.accepter_account.clone()),
            region: Some(p.accepter_region.clone()),
            core_network_id: None,
        }),
        status: Some(PeeringAttachmentStatus {
            code: Some(st.to_string()),
            message: Some(
                match st {
                    "pendingAcceptance" => "Pending Acceptance by the accepter",
                    "rejected" => "Rejected by the accepter",
                    _ => "",
                }
                .to_string(),
            ),
        }),
        state: state_of(a, at),
        creation_time: Some(Timestamp::from_millis(a.created_ms)),
        tags: crate::views::tags(&a.tags),
        ..Default::default()
    }
}

/// Both parties' regions, write-locked in a fixed order (so two requests
/// between the same regions cannot deadlock); `change` stages what each
/// region gets, and each region's changes are committed.
async fn in_both(
    ec2: &Ec2,
    mine: &Arc<Region>,
    theirs: &Arc<Region>,
    change: impl Fn(&Region, &RegionState, &mut Tx),
) -> Result<(), ApiError> {
    let mine_first = (&mine.account, &mine.region) <= (&theirs.account, &theirs.region);
    let (first, second) = if mine_first { (mine, theirs) } else { (theirs, mine) };
    let a = first.state.write().await;
    let b = second.state.write().await;
    for (region, state) in [(first, a), (second, b)] {
        let mut tx = Tx::default();
        change(region, &state, &mut tx);
        tx.commit(ec2.store(), region, state).await?;
    }
    Ok(())
}

/// `in_both` for a change to the existing attachment `id` in each region.
async fn on_attachment(
    ec2: &Ec2,
    mine: &Arc<Region>,
    theirs: &Arc<Region>,
    id: &str,
    change: impl Fn(&RegionState, &TgwAttachmentRec, &mut Tx),
) -> Result<(), ApiError> {
    in_both(ec2, mine, theirs, |_, state, tx| {
        if let Some(rec) = state.tgw_attachments.get(id) {
            change(state, rec, tx);
        }
    })
    .await
}

pub async fn create(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: CreateTransitGatewayPeeringAttachmentRequest,
) -> Result<CreateTransitGatewayPeeringAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let valid_account = input.peer_account_id.len() == 12 && input.peer_account_id.bytes().all(|b| b.is_ascii_digit());
    if !valid_account {
        return Err(errors::invalid_value(
            &input.peer_account_id,
            "PeerAccountId",
            "It must be a 12-digit account id.",
        ));
    }
    if crate::regions::find(&input.peer_region).is_none() {
        return Err(errors::invalid_value(
            &input.peer_region,
            "PeerRegion",
            "It is not a region.",
        ));
    }
    if input.peer_account_id == ctx.account_id && input.peer_region == ctx.region {
        return Err(errors::invalid(
            "Landbridge peers transit gateways across regions or accounts; peering within one region of one account is not emulated yet.",
        ));
    }
    let tags = tags::from_specifications(input.tag_specifications, "transit-gateway-attachment")?;
    let at = ec2.at();
    let mine = ec2.region(ctx).await?;
    let theirs = ec2.region_of(&input.peer_account_id, &input.peer_region).await?;
    live_tgw(&*mine.state.read().await, &input.transit_gateway_id)?;
    live_tgw(&*theirs.state.read().await, &input.peer_transit_gateway_id)?;
    let peering = PeeringRec {
        requester_account: ctx.account_id.clone(),
        requester_region: ctx.region.clone(),
        requester_tgw: input.transit_gateway_id.clone(),
        accepter_account: input.peer_account_id.clone(),
        accepter_region: input.peer_region.clone(),
        accepter_tgw: input.peer_transit_gateway_id.clone(),
        accepted_ms: None,
        rejected: false,
    };
    let requester = TgwAttachmentRec {
        id: new_id("tgw-attach"),
        created_ms: at.now_ms,
        deleted_ms: None,
        transit_gateway_id: input.transit_gateway_id.clone(),
        kind: AttachmentKind::Peering,
        resource_id: input.peer_transit_gateway_id.clone(),
        resource_owner: input.peer_account_id.clone(),
        subnet_ids: Vec::new(),
        dns_support: false,
        ipv6_support: false,
        appliance_mode_support: false,
        security_group_referencing_support: false,
        association: None,
        peering: Some(peering.clone()),
        tags,
    };
    // The accepter's copy names its own gateway, and the requester's as the
    // resource; tags are each party's own.
    let accepter = TgwAttachmentRec {
        transit_gateway_id: input.peer_transit_gateway_id,
        resource_id: input.transit_gateway_id,
        resource_owner: ctx.account_id.clone(),
        tags: Tags::new(),
        ..requester.clone()
    };
    let result = view(&requester, &peering, &at);
    // The requester's region gets the requester's copy, the accepter's
    // region the accepter's.
    in_both(ec2, &mine, &theirs, |region, _, tx| {
        let rec = if std::ptr::eq(region, Arc::as_ptr(&mine)) {
            &requester
        } else {
            &accepter
        };
        tx.put(Resource::TgwAttachment(rec.clone()));
    })
    .await?;
    Ok(CreateTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(result),
    })
}

/// The caller's copy of a live peering attachment, and the other party's
/// region.
async fn peering_of(
    ec2: &Ec2,
    ctx: &RequestContext,
    id: &str,
) -> Result<(Arc<Region>, Arc<Region>, TgwAttachmentRec, PeeringRec), ApiError> {
    let mine = ec2.region(ctx).await?;
    let (a, p) = {
        let state = mine.state.read().await;
        let a = live_attachment(&state, id)?.clone();
        let Some(p) = a.peering.clone() else {
            return Err(errors::tgw_attachment_not_found(id));
        };
        (a, p)
    };
    let (account, region) = if p.requester_account == ctx.account_id && p.requester_region == ctx.region {
        (&p.accepter_account, &p.accepter_region)
    } else {
        (&p.requester_account, &p.requester_region)
    };
    let theirs = ec2.region_of(account, region).await?;
    Ok((mine, theirs, a, p))
}

/// Accepts (`accept`) or rejects a pending peering, as its accepter.
async fn answer(
    ec2: &Ec2,
    ctx: &RequestContext,
    id: &str,
    accept: bool,
) -> Result<TransitGatewayPeeringAttachment, ApiError> {
    let at = ec2.at();
    let (mine, theirs, a, mut p) = peering_of(ec2, ctx, id).await?;
    if p.accepter_account != ctx.account_id || p.accepter_region != ctx.region {
        return Err(errors::incorrect_state(format!(
            "{id} can only be accepted or rejected by its accepter, {} in {}.",
            p.accepter_account, p.accepter_region
        )));
    }
    if state_name(&a, &at) != "pendingAcceptance" {
        return Err(errors::incorrect_state(format!(
            "{id} is in state {}, not pendingAcceptance.",
            state_name(&a, &at)
        )));
    }
    if accept {
        p.accepted_ms = Some(at.now_ms);
    } else {
        p.rejected = true;
    }
    let updated = p.clone();
    on_attachment(ec2, &mine, &theirs, id, move |_, rec, tx| {
        let mut rec = rec.clone();
        rec.peering = Some(updated.clone());
        tx.put(Resource::TgwAttachment(rec));
    })
    .await?;
    let mut shown = a;
    shown.peering = Some(p.clone());
    Ok(view(&shown, &p, &at))
}

pub async fn accept(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: AcceptTransitGatewayPeeringAttachmentRequest,
) -> Result<AcceptTransitGatewayPeeringAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let shown = answer(ec2, ctx, &input.transit_gateway_attachment_id, true).await?;
    Ok(AcceptTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(shown),
    })
}

pub async fn reject(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: RejectTransitGatewayPeeringAttachmentRequest,
) -> Result<RejectTransitGatewayPeeringAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let shown = answer(ec2, ctx, &input.transit_gateway_attachment_id, false).await?;
    Ok(RejectTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(shown),
    })
}

pub async fn delete(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DeleteTransitGatewayPeeringAttachmentRequest,
) -> Result<DeleteTransitGatewayPeeringAttachmentResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let at = ec2.at();
    let id = input.transit_gateway_attachment_id;
    let (mine, theirs, a, p) = peering_of(ec2, ctx, &id).await?;
    let now = at.now_ms;
    on_attachment(ec2, &mine, &theirs, &id, move |state, rec, tx| {
        detach(state, rec, now, tx)
    })
    .await?;
    let mut shown = a;
    shown.deleted_ms = Some(now);
    Ok(DeleteTransitGatewayPeeringAttachmentResult {
        transit_gateway_peering_attachment: Some(view(&shown, &p, &at)),
    })
}

pub async fn describe(
    ec2: &Ec2,
    ctx: &RequestContext,
    input: DescribeTransitGatewayPeeringAttachmentsRequest,
) -> Result<DescribeTransitGatewayPeeringAttachmentsResult, ApiError> {
    errors::dry_run(input.dry_run)?;
    let filters = Filters::new(
        input.filters,
        &filter::with_tags(&[
            "transit-gateway-attachment-id",
            "local-owner-id",
            "remote-owner-id",
            "state",
            "transit-gateway-id",
        ]),
    )?;
    let at = ec2.at();
    let region = ec2.region(ctx).await?;
    let state = region.state.read().await;
    let ids = input.transit_gateway_attachment_ids.unwrap_or_default();
    if let Some(missing) = ids
        .iter()
        .find(|id| state.tgw_attachments.get(*id).is_none_or(|a| a.peering.is_none()))
    {
        return Err(errors::tgw_attachment_not_found(missing));
    }
    let account = ctx.account_id.as_str();
    let matching: Vec<(String, TransitGatewayPeeringAttachment)> =
        filter::select(&state.tgw_attachments, &ids, filters.candidates(&state.index, false))
            .into_iter()
            .filter_map(|a| a.peering.as_ref().map(|p| (a, p)))
            .filter(|(a, p)| {
                let st = state_name(a, &at);
                let remote = if p.requester_account == account {
                    p.accepter_account.as_str()
                } else {
                    p.requester_account.as_str()
                };
                filters.matches(|f| match f {
                    "transit-gateway-attachment-id" => vec![a.id.as_str()],
                    "local-owner-id" => vec![account],
                    "remote-owner-id" => vec![remote],
                    "state" => vec![st],
                    "transit-gateway-id" => vec![a.transit_gateway_id.as_str()],
                    other => filter::tag_values(&a.tags, other).unwrap_or_default(),
                })
            })
            .map(|(a, p)| (a.id.clone(), view(a, p, &at)))
            .collect();
    let (attachments, next_token) = paging::page(matching, input.max_results, input.next_token)?;
    Ok(DescribeTransitGatewayPeeringAttachmentsResult {
        transit_gateway_peering_attachments: Some(attachments),
        next_token,
    })
}
