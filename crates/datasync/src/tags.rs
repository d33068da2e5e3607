//! Tags on agents, locations, tasks and executions.

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, RequestContext};

use crate::model::Tags;
use crate::{DataSync, State, errors, views};

pub fn from_input(tags: Option<Vec<TagListEntry>>) -> Result<Tags, ApiError> {
    let mut out = Tags::new();
    for t in tags.unwrap_or_default() {
        if t.key.starts_with("aws:") {
            return Err(errors::invalid("Tag keys may not start with aws:"));
        }
        out.insert(t.key, t.value.unwrap_or_default());
    }
    Ok(out)
}

/// The tags of the caller's resource `arn`, to change in place.
fn of<'a>(state: &'a mut State, ctx: &RequestContext, arn: &str) -> Result<(&'static str, &'a mut Tags), ApiError> {
    let mine = |account: &str, region: &str| account == ctx.account_id && region == ctx.region;
    if let Some(a) = state.agents.get_mut(arn).filter(|a| mine(&a.account, &a.region)) {
        return Ok(("agent", &mut a.tags));
    }
    if let Some(l) = state.locations.get_mut(arn).filter(|l| mine(&l.account, &l.region)) {
        return Ok(("location", &mut l.tags));
    }
    if let Some(t) = state.tasks.get_mut(arn).filter(|t| mine(&t.account, &t.region)) {
        return Ok(("task", &mut t.tags));
    }
    if let Some(e) = state.executions.get_mut(arn).filter(|e| mine(&e.account, &e.region)) {
        return Ok(("execution", &mut e.tags));
    }
    Err(errors::not_found(arn))
}

/// Stores the resource `arn` after its tags changed.
async fn save(ds: &DataSync, state: &State, kind: &str, arn: &str) -> Result<(), ApiError> {
    match kind {
        "agent" => match state.agents.get(arn) {
            Some(a) => ds.save(kind, &a.account, &a.region, arn, a).await,
            None => Ok(()),
        },
        "location" => match state.locations.get(arn) {
            Some(l) => ds.save(kind, &l.account, &l.region, arn, l).await,
            None => Ok(()),
        },
        "task" => match state.tasks.get(arn) {
            Some(t) => ds.save(kind, &t.account, &t.region, arn, t).await,
            None => Ok(()),
        },
        _ => match state.executions.get(arn) {
            Some(e) => ds.save(kind, &e.account, &e.region, arn, e).await,
            None => Ok(()),
        },
    }
}

pub async fn tag(
    ds: &DataSync,
    ctx: &RequestContext,
    input: TagResourceRequest,
) -> Result<TagResourceResponse, ApiError> {
    let added = from_input(Some(input.tags))?;
    let mut state = ds.state().write().await;
    let (kind, tags) = of(&mut state, ctx, &input.resource_arn)?;
    let before = tags.clone();
    tags.extend(added);
    if tags.len() > 50 {
        *tags = before;
        return Err(errors::invalid("A resource can have at most 50 tags"));
    }
    if let Err(e) = save(ds, &state, kind, &input.resource_arn).await {
        if let Ok((_, tags)) = of(&mut state, ctx, &input.resource_arn) {
            *tags = before;
        }
        return Err(e);
    }
    Ok(TagResourceResponse {})
}

pub async fn untag(
    ds: &DataSync,
    ctx: &RequestContext,
    input: UntagResourceRequest,
) -> Result<UntagResourceResponse, ApiError> {
    let mut state = ds.state().write().await;
    let (kind, tags) = of(&mut state, ctx, &input.resource_arn)?;
    let before = tags.clone();
    for k in &input.keys {
        tags.remove(k);
    }
    if let Err(e) = save(ds, &state, kind, &input.resource_arn).await {
        if let Ok((_, tags)) = of(&mut state, ctx, &input.resource_arn) {
            *tags = before;
        }
        return Err(e);
    }
    Ok(UntagResourceResponse {})
}

pub async fn list(
    ds: &DataSync,
    ctx: &RequestContext,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ApiError> {
    let state = ds.state().read().await;
    let mine = |account: &str, region: &str| account == ctx.account_id && region == ctx.region;
    let arn = &input.resource_arn;
    let tags = if let Some(a) = state.agents.get(arn).filter(|a| mine(&a.account, &a.region)) {
        &a.tags
    } else if let Some(l) = state.locations.get(arn).filter(|l| mine(&l.account, &l.region)) {
        &l.tags
    } else if let Some(t) = state.tasks.get(arn).filter(|t| mine(&t.account, &t.region)) {
        &t.tags
    } else if let Some(e) = state.executions.get(arn).filter(|e| mine(&e.account, &e.region)) {
        &e.tags
    } else {
        return Err(errors::not_found(arn));
    };
    let entries = tags
        .iter()
        .map(|(k, v)| TagListEntry {
            key: k.clone(),
            value: Some(v.clone()),
        })
        .collect();
    let (page, next_token) = views::page(entries, input.max_results, input.next_token.as_deref())?;
    Ok(ListTagsForResourceResponse {
        tags: Some(page),
        next_token,
    })
}
