//! AWS STS. Landbridge does not enforce IAM, so STS answers who the caller
//! is and hands out well-formed temporary credentials. Those credentials act
//! in the assumed role's account: the sessions are remembered (durably), and
//! the server asks `Identities::account_of` which account a key belongs to.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use landbridge_api::sts::{
    AssumeRoleRequest, AssumeRoleResponse, AssumedRoleUser, Credentials, GetCallerIdentityRequest,
    GetCallerIdentityResponse, SPEC, StsApi,
};
use landbridge_api::{ApiError, BoxFuture, Identities, RequestContext, Stateful, Timestamp};
use landbridge_store::{Key, Mutation, Record, Store};
use rand::Rng;
use serde::{Deserialize, Serialize};

const SERVICE: &str = "sts";

/// Temporary credentials AssumeRole issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Session {
    access_key_id: String,
    account: String,
    arn: String,
    user_id: String,
    expiration_ms: i64,
}

/// Session length when `DurationSeconds` is absent, as in AWS.
const DEFAULT_DURATION_SECS: i32 = 3600;

/// STS. Cheap to clone; clones share the sessions.
#[derive(Clone)]
pub struct Sts {
    store: Store,
    sessions: Arc<RwLock<HashMap<String, Session>>>,
}

impl Sts {
    /// STS over `store`, with the sessions it kept in `records`.
    pub fn new(store: Store, records: &[Record]) -> Self {
        let sessions = records
            .iter()
            .filter(|r| r.key.service == SERVICE && r.key.kind == "session")
            .filter_map(|r| serde_json::from_value::<Session>(r.body.clone()).ok())
            .map(|s| (s.access_key_id.clone(), s))
            .collect();
        Self {
            store,
            sessions: Arc::new(RwLock::new(sessions)),
        }
    }

    pub fn in_memory() -> Self {
        Self::new(Store::in_memory(), &[])
    }

    fn session(&self, access_key_id: &str) -> Option<Session> {
        let sessions = self.sessions.read().unwrap_or_else(|p| p.into_inner());
        sessions.get(access_key_id).cloned()
    }
}

impl Identities for Sts {
    fn account_of(&self, access_key_id: &str) -> Option<String> {
        self.session(access_key_id).map(|s| s.account)
    }
}

impl Stateful for Sts {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(async move {
            self.store
                .commit(vec![Mutation::Clear {
                    service: Some(SERVICE.to_string()),
                }])
                .await
                .map_err(|e| ApiError::new("InternalFailure", e.to_string(), 500))?;
            self.sessions.write().unwrap_or_else(|p| p.into_inner()).clear();
            Ok(())
        })
    }
}

impl StsApi for Sts {
    async fn get_caller_identity(
        &self,
        ctx: &RequestContext,
        _input: GetCallerIdentityRequest,
    ) -> Result<GetCallerIdentityResponse, ApiError> {
        if let Some(session) = ctx.access_key_id.as_deref().and_then(|k| self.session(k)) {
            return Ok(GetCallerIdentityResponse {
                user_id: Some(session.user_id),
                account: Some(session.account),
                arn: Some(session.arn),
            });
        }
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
        let session_name = input.role_session_name;
        let account = role.account.unwrap_or(&ctx.account_id).to_string();
        let session = Session {
            access_key_id: format!("ASIA{}", random_string(16, UPPER_ALNUM)),
            account: account.clone(),
            arn: format!("arn:aws:sts::{account}:assumed-role/{}/{session_name}", role.name),
            user_id: format!("AROA{}:{session_name}", random_string(17, UPPER_ALNUM)),
            expiration_ms: expiration.millis(),
        };
        // Remembered durably: the credentials keep acting in the role's
        // account after a restart.
        let record = Record {
            key: Key::new(SERVICE, &account, "global", "session", &session.access_key_id),
            body: serde_json::to_value(&session).map_err(|e| ApiError::new("InternalFailure", e.to_string(), 500))?,
        };
        self.store
            .commit(vec![Mutation::Put(record)])
            .await
            .map_err(|e| ApiError::new("InternalFailure", e.to_string(), 500))?;
        self.sessions
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(session.access_key_id.clone(), session.clone());
        Ok(AssumeRoleResponse {
            credentials: Some(Credentials {
                access_key_id: session.access_key_id.clone(),
                secret_access_key: random_string(40, SECRET_CHARS),
                session_token: random_string(356, SECRET_CHARS),
                expiration,
            }),
            assumed_role_user: Some(AssumedRoleUser {
                assumed_role_id: session.user_id.clone(),
                arn: session.arn.clone(),
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

#[cfg(test)]
mod account_tests {
    use super::*;

    struct NoSessions;

    impl Identities for NoSessions {
        fn account_of(&self, _: &str) -> Option<String> {
            None
        }
    }

    #[test]
    fn twelve_digit_keys_select_their_account() {
        let ids = NoSessions;
        assert_eq!(
            landbridge_api::account_for(&ids, Some("111122223333"), "000000000000"),
            "111122223333"
        );
        assert_eq!(
            landbridge_api::account_for(&ids, Some("test"), "000000000000"),
            "000000000000"
        );
        assert_eq!(
            landbridge_api::account_for(&ids, Some("1111222233334"), "000000000000"),
            "000000000000"
        );
        assert_eq!(landbridge_api::account_for(&ids, None, "000000000000"), "000000000000");
    }
}
