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

/// Changes the tags of the caller's server or user `arn`, durably.
async fn change(t: &Transfer, ctx: &RequestContext, arn: &str, f: impl FnOnce(&mut Tags)) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    let mine = |account: &str, region: &str| account == ctx.account_id && region == ctx.region;
    if let Some(s) = state
        .servers
        .values_mut()
        .find(|s| s.arn == arn && mine(&s.account, &s.region))
    {
        f(&mut s.tags);
        let m = t.save_server(s);
        return t.commit(vec![m]).await;
    }
    if let Some(u) = state
        .users
        .values_mut()
        .find(|u| u.arn == arn && mine(&u.account, &u.region))
    {
        f(&mut u.tags);
        let m = t.save_user(u);
        return t.commit(vec![m]).await;
    }
    Err(errors::not_found("resource", arn))
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
    let mine = |account: &str, region: &str| account == ctx.account_id && region == ctx.region;
    let tags = if let Some(s) = state
        .servers
        .values()
        .find(|s| s.arn == input.arn && mine(&s.account, &s.region))
    {
        s.tags.clone()
    } else if let Some(u) = state
        .users
        .values()
        .find(|u| u.arn == input.arn && mine(&u.account, &u.region))
    {
        u.tags.clone()
    } else {
        return Err(errors::not_found("resource", &input.arn));
    };
    let all = view(&tags).unwrap_or_default();
    let (page, next_token) = page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListTagsForResourceResponse {
        arn: Some(input.arn),
        next_token,
        tags: Some(page),
    })
}
