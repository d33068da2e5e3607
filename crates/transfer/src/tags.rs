//! Tags on servers and users, and the paging list calls share.

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, RequestContext};

use crate::model::Tags;
use crate::{Transfer, errors};

pub fn from_input(tags: Option<Vec<Tag>>) -> Result<Tags, ApiError> {
    let mut out = Tags::new();
    for t in tags.unwrap_or_default() {
        if t.key.starts_with("aws:") {
            return Err(errors::invalid("Tag keys may not start with aws:"));
        }
        out.insert(t.key, t.value);
    }
    Ok(out)
}

pub fn view(tags: &Tags) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|(k, v)| Tag {
                key: k.clone(),
                value: v.clone(),
            })
            .collect()
    })
}

/// One page of `items` after `token` (an offset this function issued).
pub fn page<T>(items: Vec<T>, max: Option<i32>, token: Option<&str>) -> Result<(Vec<T>, Option<String>), ApiError> {
    let start = match token {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|s| *s <= items.len())
            .ok_or_else(|| errors::invalid("Invalid NextToken"))?,
        None => 0,
    };
    let max = max.map_or(1000, |m| m.clamp(1, 1000) as usize);
    let end = (start + max).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items.into_iter().skip(start).take(max).collect(), next))
}

/// `arn:aws:transfer:<region>:<account>:host-key/<server-id>/<key-id>`.
fn host_key_of(arn: &str) -> Option<(&str, &str)> {
    arn.split_once(":host-key/")?.1.split_once('/')
}

/// What carries tags, found by ARN among the caller's resources.
enum Tagged {
    Server(String),
    User((String, String)),
    HostKey(String, String),
}

fn locate(state: &crate::State, ctx: &RequestContext, arn: &str) -> Result<Tagged, ApiError> {
    let mine = |account: &str, region: &str| account == ctx.account_id && region == ctx.region;
    if let Some(s) = state
        .servers
        .values()
        .find(|s| s.arn == arn && mine(&s.account, &s.region))
    {
        return Ok(Tagged::Server(s.id.clone()));
    }
    if let Some((k, _)) = state
        .users
        .iter()
        .find(|(_, u)| u.arn == arn && mine(&u.account, &u.region))
    {
        return Ok(Tagged::User(k.clone()));
    }
    if let Some((sid, kid)) = host_key_of(arn)
        && state
            .servers
            .get(sid)
            .filter(|s| mine(&s.account, &s.region))
            .is_some_and(|s| s.host_keys.iter().any(|h| h.id == kid))
    {
        return Ok(Tagged::HostKey(sid.to_string(), kid.to_string()));
    }
    Err(errors::not_found("resource", arn))
}

/// Changes the tags of the caller's server, user or host key `arn`,
/// durably.
async fn change(t: &Transfer, ctx: &RequestContext, arn: &str, f: impl FnOnce(&mut Tags)) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    let m = match locate(&state, ctx, arn)? {
        Tagged::Server(id) => state.servers.get_mut(&id).and_then(|s| {
            f(&mut s.tags);
            t.save_server(s)
        }),
        Tagged::User(key) => state.users.get_mut(&key).and_then(|u| {
            f(&mut u.tags);
            t.save_user(u)
        }),
        Tagged::HostKey(sid, kid) => state.servers.get_mut(&sid).and_then(|s| {
            if let Some(k) = s.host_keys.iter_mut().find(|h| h.id == kid) {
                f(&mut k.tags);
            }
            t.save_server(s)
        }),
    };
    t.commit(vec![m]).await
}

pub async fn tag(t: &Transfer, ctx: &RequestContext, input: TagResourceRequest) -> Result<(), ApiError> {
    let added = from_input(Some(input.tags))?;
    change(t, ctx, &input.arn, |tags| tags.extend(added)).await?;
    Ok(())
}

pub async fn untag(t: &Transfer, ctx: &RequestContext, input: UntagResourceRequest) -> Result<(), ApiError> {
    change(t, ctx, &input.arn, |tags| {
        for k in &input.tag_keys {
            tags.remove(k);
        }
    })
    .await?;
    Ok(())
}

pub async fn list(
    t: &Transfer,
    ctx: &RequestContext,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, ApiError> {
    let state = t.state().read().await;
    let tags = match locate(&state, ctx, &input.arn)? {
        Tagged::Server(id) => state.servers.get(&id).map(|s| s.tags.clone()),
        Tagged::User(key) => state.users.get(&key).map(|u| u.tags.clone()),
        Tagged::HostKey(sid, kid) => state
            .servers
            .get(&sid)
            .and_then(|s| s.host_keys.iter().find(|h| h.id == kid))
            .map(|k| k.tags.clone()),
    }
    .unwrap_or_default();
    let all = view(&tags).unwrap_or_default();
    let (page, next_token) = page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListTagsForResourceResponse {
        arn: Some(input.arn),
        next_token,
        tags: Some(page),
    })
}
