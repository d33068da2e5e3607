//! AWS DataSync: locations, tasks and executions that really copy.
//!
//! For now S3 locations (through the object layer), so S3-to-S3 tasks run
//! end to end as in AWS, where they need no agent: `engine.rs` lists both
//! sides, copies what the transfer mode says, deletes what the task says,
//! verifies, and counts as it goes. Agents, file locations (NFS, SMB, EFS,
//! FSx) and object-storage locations arrive with the agent appliance.
//!
//! Layout follows the EC2 crate: `model.rs` records, one module per resource
//! family (`locations.rs`, `tasks.rs`, `executions.rs`), `views.rs` API types.

mod engine;
mod errors;
mod executions;
mod filters;
mod locations;
pub mod model;
mod tags;
mod tasks;
mod views;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, BoxFuture, RequestContext, Stateful, Timestamp};
use landbridge_objects::Objects;
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::RwLock;

use model::{ExecutionRec, LocationRec, TaskRec};

pub const SERVICE: &str = "datasync";

#[derive(Debug, Default)]
pub(crate) struct State {
    pub locations: BTreeMap<String, LocationRec>,
    pub tasks: BTreeMap<String, TaskRec>,
    pub executions: BTreeMap<String, ExecutionRec>,
}

/// DataSync. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct DataSync {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    objects: Objects,
    state: RwLock<State>,
    /// Executions asked to stop (CancelTaskExecution).
    cancels: Mutex<HashSet<String>>,
    /// One lock per task: its executions run one after the other.
    queues: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl DataSync {
    /// DataSync over `store` and the object layer, with the records the
    /// store kept. An execution that was running when the process stopped
    /// ends in ERROR: what it copied is not known to be complete.
    pub fn new(store: Store, records: &[Record], objects: Objects) -> Result<Self, String> {
        let mut state = State::default();
        let mut interrupted = Vec::new();
        for r in records.iter().filter(|r| r.key.service == SERVICE) {
            let body = r.body.clone();
            let bad = |e: serde_json::Error| format!("{:?}: {e}", r.key);
            match r.key.kind.as_str() {
                "location" => {
                    let l: LocationRec = serde_json::from_value(body).map_err(bad)?;
                    state.locations.insert(l.arn.clone(), l);
                }
                "task" => {
                    let t: TaskRec = serde_json::from_value(body).map_err(bad)?;
                    state.tasks.insert(t.arn.clone(), t);
                }
                "execution" => {
                    let mut e: ExecutionRec = serde_json::from_value(body).map_err(bad)?;
                    if !e.finished() {
                        e.status = "ERROR".into();
                        e.error_code = Some("InternalError".into());
                        e.error_detail = Some("Landbridge stopped while the execution ran".into());
                        interrupted.push(e.clone());
                    }
                    state.executions.insert(e.arn.clone(), e);
                }
                _ => {}
            }
        }
        let ds = Self {
            inner: Arc::new(Inner {
                store,
                objects,
                state: RwLock::new(state),
                cancels: Mutex::new(HashSet::new()),
                queues: Mutex::new(HashMap::new()),
            }),
        };
        if !interrupted.is_empty() {
            let mutations = interrupted
                .iter()
                .filter_map(|e| ds.mutation("execution", &e.account, &e.region, &e.arn, e))
                .collect();
            ds.inner
                .store
                .enqueue(mutations)
                .and_then(std::future::Ready::into_inner)
                .map_err(|e| e.to_string())?;
        }
        Ok(ds)
    }

    pub(crate) fn objects(&self) -> &Objects {
        &self.inner.objects
    }

    pub(crate) fn state(&self) -> &RwLock<State> {
        &self.inner.state
    }

    fn mutation<T: serde::Serialize>(
        &self,
        kind: &str,
        account: &str,
        region: &str,
        arn: &str,
        value: &T,
    ) -> Option<Mutation> {
        let body = serde_json::to_value(value).ok()?;
        Some(Mutation::Put(Record {
            key: Key::new(SERVICE, account, region, kind, arn),
            body,
        }))
    }

    /// Makes a record durable (the caller then changes memory).
    pub(crate) async fn save<T: serde::Serialize>(
        &self,
        kind: &str,
        account: &str,
        region: &str,
        arn: &str,
        value: &T,
    ) -> Result<(), ApiError> {
        let m = self
            .mutation(kind, account, region, arn, value)
            .ok_or_else(|| errors::internal("could not encode a record"))?;
        self.inner
            .store
            .commit(vec![m])
            .await
            .map_err(|e| errors::internal(&e.to_string()))
    }

    pub(crate) async fn forget(&self, kind: &str, account: &str, region: &str, arn: &str) -> Result<(), ApiError> {
        let key = Key::new(SERVICE, account, region, kind, arn);
        self.inner
            .store
            .commit(vec![Mutation::Delete(key)])
            .await
            .map_err(|e| errors::internal(&e.to_string()))
    }

    pub(crate) fn cancel_requested(&self, execution: &str) -> bool {
        self.inner
            .cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(execution)
    }

    pub(crate) fn request_cancel(&self, execution: &str) {
        self.inner
            .cancels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(execution.to_string());
    }

    pub(crate) fn queue(&self, task: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.inner
            .queues
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(task.to_string())
            .or_default()
            .clone()
    }

    /// Forgets everything, durably.
    pub async fn reset(&self) -> Result<(), ApiError> {
        self.inner
            .store
            .commit(vec![Mutation::Clear {
                service: Some(SERVICE.to_string()),
            }])
            .await
            .map_err(|e| errors::internal(&e.to_string()))?;
        *self.inner.state.write().await = State::default();
        Ok(())
    }
}

pub(crate) fn now_ms() -> i64 {
    Timestamp::now().millis()
}

/// `arn:aws:datasync:<region>:<account>:<what>/<prefix>-<17 hex>`.
pub(crate) fn new_arn(ctx: &RequestContext, what: &str, prefix: &str) -> String {
    format!(
        "arn:aws:datasync:{}:{}:{what}/{}",
        ctx.region,
        ctx.account_id,
        new_id(prefix)
    )
}

pub(crate) fn new_id(prefix: &str) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let hex: String = (0..17)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect();
    format!("{prefix}-{hex}")
}

impl Stateful for DataSync {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(DataSync::reset(self))
    }
}

impl DatasyncApi for DataSync {
    async fn create_location_s3(
        &self,
        ctx: &RequestContext,
        input: CreateLocationS3Request,
    ) -> Result<CreateLocationS3Response, ApiError> {
        locations::create_s3(self, ctx, input).await
    }

    async fn describe_location_s3(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationS3Request,
    ) -> Result<DescribeLocationS3Response, ApiError> {
        locations::describe_s3(self, ctx, input).await
    }

    async fn delete_location(
        &self,
        ctx: &RequestContext,
        input: DeleteLocationRequest,
    ) -> Result<DeleteLocationResponse, ApiError> {
        locations::delete(self, ctx, input).await
    }

    async fn list_locations(
        &self,
        ctx: &RequestContext,
        input: ListLocationsRequest,
    ) -> Result<ListLocationsResponse, ApiError> {
        locations::list(self, ctx, input).await
    }

    async fn create_task(
        &self,
        ctx: &RequestContext,
        input: CreateTaskRequest,
    ) -> Result<CreateTaskResponse, ApiError> {
        tasks::create(self, ctx, input).await
    }

    async fn describe_task(
        &self,
        ctx: &RequestContext,
        input: DescribeTaskRequest,
    ) -> Result<DescribeTaskResponse, ApiError> {
        tasks::describe(self, ctx, input).await
    }

    async fn update_task(
        &self,
        ctx: &RequestContext,
        input: UpdateTaskRequest,
    ) -> Result<UpdateTaskResponse, ApiError> {
        tasks::update(self, ctx, input).await
    }

    async fn delete_task(
        &self,
        ctx: &RequestContext,
        input: DeleteTaskRequest,
    ) -> Result<DeleteTaskResponse, ApiError> {
        tasks::delete(self, ctx, input).await
    }

    async fn list_tasks(&self, ctx: &RequestContext, input: ListTasksRequest) -> Result<ListTasksResponse, ApiError> {
        tasks::list(self, ctx, input).await
    }

    async fn start_task_execution(
        &self,
        ctx: &RequestContext,
        input: StartTaskExecutionRequest,
    ) -> Result<StartTaskExecutionResponse, ApiError> {
        executions::start(self, ctx, input).await
    }

    async fn describe_task_execution(
        &self,
        ctx: &RequestContext,
        input: DescribeTaskExecutionRequest,
    ) -> Result<DescribeTaskExecutionResponse, ApiError> {
        executions::describe(self, ctx, input).await
    }

    async fn list_task_executions(
        &self,
        ctx: &RequestContext,
        input: ListTaskExecutionsRequest,
    ) -> Result<ListTaskExecutionsResponse, ApiError> {
        executions::list(self, ctx, input).await
    }

    async fn update_location_s3(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationS3Request,
    ) -> Result<UpdateLocationS3Response, ApiError> {
        locations::update_s3(self, ctx, input).await
    }

    async fn update_task_execution(
        &self,
        ctx: &RequestContext,
        input: UpdateTaskExecutionRequest,
    ) -> Result<UpdateTaskExecutionResponse, ApiError> {
        executions::update(self, ctx, input).await
    }

    async fn tag_resource(
        &self,
        ctx: &RequestContext,
        input: TagResourceRequest,
    ) -> Result<TagResourceResponse, ApiError> {
        tags::tag(self, ctx, input).await
    }

    async fn untag_resource(
        &self,
        ctx: &RequestContext,
        input: UntagResourceRequest,
    ) -> Result<UntagResourceResponse, ApiError> {
        tags::untag(self, ctx, input).await
    }

    async fn list_tags_for_resource(
        &self,
        ctx: &RequestContext,
        input: ListTagsForResourceRequest,
    ) -> Result<ListTagsForResourceResponse, ApiError> {
        tags::list(self, ctx, input).await
    }

    async fn cancel_task_execution(
        &self,
        ctx: &RequestContext,
        input: CancelTaskExecutionRequest,
    ) -> Result<CancelTaskExecutionResponse, ApiError> {
        executions::cancel(self, ctx, input).await
    }
}
