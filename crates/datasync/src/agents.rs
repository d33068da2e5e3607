//! Agents: created from an activation key that a `world datasync-agent`
//! appliance issued, ONLINE while that appliance runs.

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext, Timestamp};

use crate::model::AgentRec;
use crate::{DataSync, errors, new_arn, now_ms, tags, views};

/// The agent software version agents report.
const AGENT_VERSION: &str = "2";

pub async fn create(
    ds: &DataSync,
    ctx: &RequestContext,
    input: CreateAgentRequest,
) -> Result<CreateAgentResponse, ApiError> {
    let tags = tags::from_input(input.tags)?;
    let mut state = ds.state().write().await;
    // The appliance that issued the key, and the key's place in its list.
    let found = state.appliances.values().find_map(|a| {
        a.keys
            .iter()
            .position(|k| k.key == input.activation_key)
            .map(|i| (a.address.clone(), i))
    });
    let Some((address, i)) = found else {
        return Err(errors::invalid(
            "Invalid activation key. It was not issued by an agent, or it has expired.",
        ));
    };
    let mut appliance = state.appliances[&address].clone();
    let key = &mut appliance.keys[i];
    if key.used {
        return Err(errors::invalid(
            "The activation key has already been used to create an agent.",
        ));
    }
    if key.region != ctx.region {
        return Err(errors::invalid(format!(
            "The activation key was issued for {}; activate the agent in that Region.",
            key.region
        )));
    }
    key.used = true;
    let rec = AgentRec {
        arn: new_arn(ctx, "agent", "agent"),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        created_ms: now_ms(),
        name: input.agent_name,
        appliance: address.clone(),
        vpc_endpoint: input.vpc_endpoint_id,
        tags,
    };
    ds.save_all(vec![
        ds.world_mutation("appliance", &address, &appliance),
        ds.mutation("agent", &rec.account, &rec.region, &rec.arn, &rec),
    ])
    .await?;
    state.appliances.insert(address, appliance);
    let arn = rec.arn.clone();
    state.agents.insert(arn.clone(), rec);
    Ok(CreateAgentResponse { agent_arn: Some(arn) })
}

/// The caller's agent `arn`.
pub fn find<'a>(state: &'a crate::State, ctx: &RequestContext, arn: &str) -> Result<&'a AgentRec, ApiError> {
    state
        .agents
        .get(arn)
        .filter(|a| a.account == ctx.account_id && a.region == ctx.region)
        .ok_or_else(|| errors::not_found(arn))
}

fn status(ds: &DataSync, a: &AgentRec) -> AgentStatus {
    if ds.appliance_running(&a.appliance) {
        AgentStatus::Online
    } else {
        AgentStatus::Offline
    }
}

pub async fn describe(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DescribeAgentRequest,
) -> Result<DescribeAgentResponse, ApiError> {
    let state = ds.state().read().await;
    let a = find(&state, ctx, &input.agent_arn)?;
    let online = status(ds, a);
    Ok(DescribeAgentResponse {
        agent_arn: Some(a.arn.clone()),
        name: a.name.clone(),
        status: Some(online),
        // An online agent is in touch now; an offline one was last when
        // Landbridge saw its appliance, which it does not record.
        last_connection_time: (online == AgentStatus::Online).then(Timestamp::now),
        creation_time: Some(Timestamp::from_millis(a.created_ms)),
        endpoint_type: Some(if a.vpc_endpoint.is_some() {
            EndpointType::PrivateLink
        } else {
            EndpointType::Public
        }),
        private_link_config: a.vpc_endpoint.as_ref().map(|id| PrivateLinkConfig {
            vpc_endpoint_id: Some(id.clone()),
            ..Default::default()
        }),
        platform: Some(Platform {
            version: Some(AGENT_VERSION.to_string()),
        }),
    })
}

pub async fn list(
    ds: &DataSync,
    ctx: &RequestContext,
    input: ListAgentsRequest,
) -> Result<ListAgentsResponse, ApiError> {
    let state = ds.state().read().await;
    let entries: Vec<AgentListEntry> = state
        .agents
        .values()
        .filter(|a| a.account == ctx.account_id && a.region == ctx.region)
        .map(|a| AgentListEntry {
            agent_arn: Some(a.arn.clone()),
            name: a.name.clone(),
            status: Some(status(ds, a)),
            platform: Some(Platform {
                version: Some(AGENT_VERSION.to_string()),
            }),
        })
        .collect();
    let (page, next_token) = views::page(entries, input.max_results, input.next_token.as_deref())?;
    Ok(ListAgentsResponse {
        agents: Some(page),
        next_token,
    })
}

pub async fn update(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UpdateAgentRequest,
) -> Result<UpdateAgentResponse, ApiError> {
    let mut state = ds.state().write().await;
    let mut a = find(&state, ctx, &input.agent_arn)?.clone();
    if let Some(name) = input.name {
        a.name = Some(name);
    }
    ds.save("agent", &a.account, &a.region, &a.arn, &a).await?;
    state.agents.insert(a.arn.clone(), a);
    Ok(UpdateAgentResponse {})
}

/// Deletes the agent; locations that name it keep the ARN, as in AWS,
/// and fail to run until they are given another.
pub async fn delete(
    ds: &DataSync,
    ctx: &RequestContext,
    input: DeleteAgentRequest,
) -> Result<DeleteAgentResponse, ApiError> {
    let mut state = ds.state().write().await;
    let a = find(&state, ctx, &input.agent_arn)?.clone();
    ds.forget("agent", &a.account, &a.region, &a.arn).await?;
    state.agents.remove(&a.arn);
    Ok(DeleteAgentResponse {})
}
