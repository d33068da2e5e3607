//! AWS STS. Landbridge does not enforce IAM, so STS answers who the caller
//! is (the account chosen by the access key) and hands out well-formed
//! temporary credentials that other calls accept like any others.

use landbridge_api::sts::{
    AssumeRoleRequest, AssumeRoleResponse, AssumedRoleUser, Credentials, GetCallerIdentityRequest,
    GetCallerIdentityResponse, SPEC, StsApi,
};
use landbridge_api::{ApiError, RequestContext, Timestamp};
use rand::Rng;

/// Session length when `DurationSeconds` is absent, as in AWS.
const DEFAULT_DURATION_SECS: i32 = 3600;

#[derive(Debug, Default)]
pub struct Sts;

impl StsApi for Sts {
    async fn get_caller_identity(
        &self,
        ctx: &RequestContext,
        _input: GetCallerIdentityRequest,
    ) -> Result<GetCallerIdentityResponse, ApiError> {
        Ok(GetCallerIdentityResponse {
            // The root user's id is the account id.
            user_id: Some(ctx.account_id.clone()),
            account: Some(ctx.account_id.clone()),
            arn: Some(format!("arn:aws:iam::{}:root", ctx.account_id)),
        })
    }

    async fn assume_role(
        &self,
        ctx: &RequestContext,
        input: AssumeRoleRequest,
    ) -> Result<AssumeRoleResponse, ApiError> {
        let role = RoleArn::parse(&input.role_arn).ok_or_else(|| {
            ApiError::modelled(
                &SPEC,
                "ValidationError",
                format!(
                    "{} is not a valid role ARN (arn:aws:iam::<account>:role/<name>)",
                    input.role_arn
                ),
            )
        })?;
        let duration = input.duration_seconds.unwrap_or(DEFAULT_DURATION_SECS);
        let expiration = Timestamp::now().plus_secs(i64::from(duration));
        let session = input.role_session_name;
        let account = role.account.unwrap_or(&ctx.account_id);
        Ok(AssumeRoleResponse {
            credentials: Some(Credentials {
                access_key_id: format!("ASIA{}", random_string(16, UPPER_ALNUM)),
                secret_access_key: random_string(40, SECRET_CHARS),
                session_token: random_string(356, SECRET_CHARS),
                expiration,
            }),
            assumed_role_user: Some(AssumedRoleUser {
                assumed_role_id: format!("AROA{}:{session}", random_string(17, UPPER_ALNUM)),
                arn: format!("arn:aws:sts::{account}:assumed-role/{}/{session}", role.name),
            }),
            packed_policy_size: input.policy.as_ref().map(|_| 6),
            source_identity: input.source_identity,
            ..Default::default()
        })
    }
}

/// The parts of `arn:aws:iam::<account>:role/<path/><name>` that STS echoes.
#[derive(Debug, PartialEq, Eq)]
struct RoleArn<'a> {
    account: Option<&'a str>,
    name: &'a str,
}

impl<'a> RoleArn<'a> {
    fn parse(arn: &'a str) -> Option<Self> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(_partition), Some("iam"), Some(_region), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let path = resource.strip_prefix("role/")?;
        let name = path.rsplit('/').next().filter(|n| !n.is_empty())?;
        let account = Some(account).filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()));
        Some(Self { account, name })
    }
}

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_string(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_role_arns() {
        assert_eq!(
            RoleArn::parse("arn:aws:iam::111122223333:role/ops/Admin"),
            Some(RoleArn {
                account: Some("111122223333"),
                name: "Admin"
            })
        );
        assert_eq!(RoleArn::parse("arn:aws:iam::111122223333:user/bob"), None);
        assert_eq!(RoleArn::parse("not-an-arn-at-all-really"), None);
        assert_eq!(RoleArn::parse("arn:aws:iam::x:role/"), None);
    }
}
