//! Accesses: what members of a directory group get on an
//! AWS_DIRECTORY_SERVICE server (role, home, POSIX profile), by the group's
//! SID. Kept as users are (a user record named by the SID), so that they
//! sign in the same way once Directory Service can vouch for a member.

use landbridge_api::transfer::*;
use landbridge_api::{ApiError, RequestContext};

use crate::model::UserRec;
use crate::users::{HomeChange, check_home, mappings, posix};
use crate::{Transfer, errors, servers, tags};

fn find<'a>(state: &'a crate::State, ctx: &RequestContext, server: &str, sid: &str) -> Result<&'a UserRec, ApiError> {
    servers::find(state, ctx, server)?;
    state
        .accesses
        .get(&(server.to_string(), sid.to_string()))
        .ok_or_else(|| errors::not_found("access", sid))
}

fn save(t: &Transfer, a: &UserRec) -> Option<landbridge_store::Mutation> {
    t.mutation(
        "access",
        &a.account,
        &a.region,
        &format!("{}/{}", a.server_id, a.user_name),
        a,
    )
}

pub async fn create(
    t: &Transfer,
    ctx: &RequestContext,
    input: CreateAccessRequest,
) -> Result<CreateAccessResponse, ApiError> {
    let mut state = t.state().write().await;
    let server = servers::find(&state, ctx, &input.server_id)?.clone();
    if server.identity_provider_type != "AWS_DIRECTORY_SERVICE" {
        return Err(errors::invalid(
            "Accesses can be created only on servers whose identity provider is AWS_DIRECTORY_SERVICE",
        ));
    }
    let key = (server.id.clone(), input.external_id.clone());
    if state.accesses.contains_key(&key) {
        return Err(errors::exists(format!(
            "Access already exists: {} on server {}",
            input.external_id, server.id
        )));
    }
    let rec = UserRec {
        server_id: server.id.clone(),
        user_name: input.external_id.clone(),
        arn: String::new(),
        account: ctx.account_id.clone(),
        region: ctx.region.clone(),
        role: input.role,
        policy: input.policy,
        home_directory_type: input.home_directory_type.map_or("PATH", |h| h.as_str()).to_string(),
        home_directory: input.home_directory.filter(|h| !h.is_empty()),
        mappings: mappings(input.home_directory_mappings),
        posix_profile: input.posix_profile.map(posix),
        ssh_keys: Vec::new(),
        tags: Default::default(),
    };
    check_home(&rec)?;
    t.commit(vec![save(t, &rec)]).await?;
    state.accesses.insert(key, rec);
    Ok(CreateAccessResponse {
        server_id: server.id,
        external_id: input.external_id,
    })
}

fn described(a: &UserRec) -> DescribedAccess {
    let user = crate::users::described(a);
    DescribedAccess {
        home_directory: user.home_directory,
        home_directory_mappings: user.home_directory_mappings,
        home_directory_type: user.home_directory_type,
        policy: user.policy,
        posix_profile: user.posix_profile,
        role: user.role,
        external_id: Some(a.user_name.clone()),
    }
}

pub async fn describe(
    t: &Transfer,
    ctx: &RequestContext,
    input: DescribeAccessRequest,
) -> Result<DescribeAccessResponse, ApiError> {
    let state = t.state().read().await;
    let a = find(&state, ctx, &input.server_id, &input.external_id)?;
    Ok(DescribeAccessResponse {
        server_id: input.server_id,
        access: described(a),
    })
}

pub async fn list(
    t: &Transfer,
    ctx: &RequestContext,
    input: ListAccessesRequest,
) -> Result<ListAccessesResponse, ApiError> {
    let state = t.state().read().await;
    servers::find(&state, ctx, &input.server_id)?;
    let all: Vec<ListedAccess> = state
        .accesses
        .values()
        .filter(|a| a.server_id == input.server_id)
        .map(|a| ListedAccess {
            home_directory: a.home_directory.clone(),
            home_directory_type: HomeDirectoryType::parse(&a.home_directory_type),
            role: Some(a.role.clone()),
            external_id: Some(a.user_name.clone()),
        })
        .collect();
    let (accesses, next_token) = tags::page(all, input.max_results, input.next_token.as_deref())?;
    Ok(ListAccessesResponse {
        next_token,
        server_id: input.server_id,
        accesses,
    })
}

pub async fn update(
    t: &Transfer,
    ctx: &RequestContext,
    input: UpdateAccessRequest,
) -> Result<UpdateAccessResponse, ApiError> {
    let mut state = t.state().write().await;
    let mut a = find(&state, ctx, &input.server_id, &input.external_id)?.clone();
    HomeChange {
        home_directory_type: input.home_directory_type,
        home_directory: input.home_directory,
        mappings: input.home_directory_mappings,
        role: input.role,
        policy: input.policy,
        posix_profile: input.posix_profile,
    }
    .apply(&mut a)?;
    t.commit(vec![save(t, &a)]).await?;
    state.accesses.insert((a.server_id.clone(), a.user_name.clone()), a);
    Ok(UpdateAccessResponse {
        server_id: input.server_id,
        external_id: input.external_id,
    })
}

pub async fn delete(t: &Transfer, ctx: &RequestContext, input: DeleteAccessRequest) -> Result<(), ApiError> {
    let mut state = t.state().write().await;
    let a = find(&state, ctx, &input.server_id, &input.external_id)?.clone();
    t.commit(vec![Transfer::forget(
        "access",
        &a.account,
        &a.region,
        &format!("{}/{}", a.server_id, a.user_name),
    )])
    .await?;
    state.accesses.remove(&(a.server_id, a.user_name));
    Ok(())
}
