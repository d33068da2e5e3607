//! AWS DataSync: locations, tasks and executions that really copy.
//!
//! S3 locations go through the object layer; file locations (NFS, SMB,
//! EFS) read and write the local directory a `world share` maps their
//! server and path to, as an agent reads a mounted share. `engine.rs` lists
//! both sides, copies what the transfer mode says (POSIX metadata travels
//! in S3 user metadata), deletes what the task says, verifies, and counts
//! as it goes. Agents are activated with keys from an emulated appliance
//! (`appliance.rs`) that the world starts (`world.rs`).
//!
//! Layout follows the EC2 crate: `model.rs` records, one module per resource
//! family (`agents.rs`, `locations.rs`, `tasks.rs`, `executions.rs`),
//! `views.rs` API helpers.

mod agents;
mod appliance;
mod engine;
mod errors;
mod executions;
mod file_locations;
mod filters;
mod fsx_locations;
mod hdfs_location;
mod locations;
pub mod model;
mod object_storage;
mod reports;
mod schedule;
mod tags;
mod tasks;
mod views;
mod world;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use landbridge_api::datasync::*;
use landbridge_api::{ApiError, BoxFuture, RequestContext, Stateful, Timestamp};
use landbridge_fabric::Fabric;
use landbridge_objects::Objects;
use landbridge_store::{Key, Mutation, Record, Store};
use tokio::sync::RwLock;

use model::{AgentRec, ApplianceRec, ExecutionRec, LocationRec, ShareRec, TaskRec};
pub use world::{ApplianceEndpoint, normalise_path};

/// Where the world's records (appliances, shares) are kept: they belong to
/// no account or region.
const WORLD: &str = "-";

pub const SERVICE: &str = "datasync";

#[derive(Debug, Default)]
pub(crate) struct State {
    pub agents: BTreeMap<String, AgentRec>,
    /// By address.
    pub appliances: BTreeMap<String, ApplianceRec>,
    /// By `server:export`.
    pub shares: BTreeMap<String, ShareRec>,
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
    /// Appliance addresses come from the loopback fabric.
    fabric: Arc<Fabric>,
    /// Appliances listening now, by address.
    running: Mutex<HashMap<String, appliance::Running>>,
}

impl DataSync {
    /// DataSync over `store` and the object layer, with the records the
    /// store kept. An execution that was running when the process stopped
    /// ends in ERROR: what it copied is not known to be complete.
    pub fn new(store: Store, records: &[Record], objects: Objects, fabric: Arc<Fabric>) -> Result<Self, String> {
        let mut state = State::default();
        let mut interrupted = Vec::new();
        for r in records.iter().filter(|r| r.key.service == SERVICE) {
            let body = r.body.clone();
            let bad = |e: serde_json::Error| format!("{:?}: {e}", r.key);
            match r.key.kind.as_str() {
                "agent" => {
                    let a: AgentRec = serde_json::from_value(body).map_err(bad)?;
                    state.agents.insert(a.arn.clone(), a);
                }
                "appliance" => {
                    let a: ApplianceRec = serde_json::from_value(body).map_err(bad)?;
                    fabric.claim(a.address.parse().ok());
                    state.appliances.insert(a.address.clone(), a);
                }
                "share" => {
                    let s: ShareRec = serde_json::from_value(body).map_err(bad)?;
                    state.shares.insert(r.key.id.clone(), s);
                }
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
                fabric,
                running: Mutex::new(HashMap::new()),
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

    pub(crate) fn fabric(&self) -> &Fabric {
        &self.inner.fabric
    }

    pub(crate) fn running_appliances(&self) -> std::sync::MutexGuard<'_, HashMap<String, appliance::Running>> {
        self.inner.running.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A record of the world (no account or region).
    pub(crate) fn world_mutation<T: serde::Serialize>(&self, kind: &str, id: &str, value: &T) -> Option<Mutation> {
        self.mutation(kind, WORLD, WORLD, id, value)
    }

    pub(crate) async fn forget_world(&self, kind: &str, id: &str) -> Result<(), ApiError> {
        self.forget(kind, WORLD, WORLD, id).await
    }

    /// Commits records together (`None`: one could not be encoded).
    pub(crate) async fn save_all(&self, mutations: Vec<Option<Mutation>>) -> Result<(), ApiError> {
        let batch: Option<Vec<Mutation>> = mutations.into_iter().collect();
        let batch = batch.ok_or_else(|| errors::internal("could not encode a record"))?;
        self.inner
            .store
            .commit(batch)
            .await
            .map_err(|e| errors::internal(&e.to_string()))
    }

    pub(crate) fn mutation<T: serde::Serialize>(
        &self,
        kind: &str,
        account: &str,
        region: &str,
        arn: &str,
        value: &T,
    ) -> Option<Mutation> {
        Mutation::put_json(Key::new(SERVICE, account, region, kind, arn), value)
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

    /// Forgets everything, durably: appliances stop and give their
    /// addresses back.
    pub async fn reset(&self) -> Result<(), ApiError> {
        let running: Vec<appliance::Running> = self.running_appliances().drain().map(|(_, r)| r).collect();
        for r in running {
            r.stop().await;
        }
        let addresses: Vec<std::net::Ipv4Addr> = self
            .state()
            .read()
            .await
            .appliances
            .keys()
            .filter_map(|a| a.parse().ok())
            .collect();
        self.fabric().release(addresses);
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

pub(crate) use landbridge_store::new_id;

impl Stateful for DataSync {
    fn service(&self) -> &'static str {
        SERVICE
    }

    fn reset(&self) -> BoxFuture<'_, Result<(), ApiError>> {
        Box::pin(DataSync::reset(self))
    }
}

impl DatasyncApi for DataSync {
    async fn create_agent(
        &self,
        ctx: &RequestContext,
        input: CreateAgentRequest,
    ) -> Result<CreateAgentResponse, ApiError> {
        agents::create(self, ctx, input).await
    }

    async fn describe_agent(
        &self,
        ctx: &RequestContext,
        input: DescribeAgentRequest,
    ) -> Result<DescribeAgentResponse, ApiError> {
        agents::describe(self, ctx, input).await
    }

    async fn list_agents(
        &self,
        ctx: &RequestContext,
        input: ListAgentsRequest,
    ) -> Result<ListAgentsResponse, ApiError> {
        agents::list(self, ctx, input).await
    }

    async fn update_agent(
        &self,
        ctx: &RequestContext,
        input: UpdateAgentRequest,
    ) -> Result<UpdateAgentResponse, ApiError> {
        agents::update(self, ctx, input).await
    }

    async fn delete_agent(
        &self,
        ctx: &RequestContext,
        input: DeleteAgentRequest,
    ) -> Result<DeleteAgentResponse, ApiError> {
        agents::delete(self, ctx, input).await
    }

    async fn create_location_nfs(
        &self,
        ctx: &RequestContext,
        input: CreateLocationNfsRequest,
    ) -> Result<CreateLocationNfsResponse, ApiError> {
        file_locations::create_nfs(self, ctx, input).await
    }

    async fn describe_location_nfs(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationNfsRequest,
    ) -> Result<DescribeLocationNfsResponse, ApiError> {
        file_locations::describe_nfs(self, ctx, input).await
    }

    async fn update_location_nfs(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationNfsRequest,
    ) -> Result<UpdateLocationNfsResponse, ApiError> {
        file_locations::update_nfs(self, ctx, input).await
    }

    async fn create_location_smb(
        &self,
        ctx: &RequestContext,
        input: CreateLocationSmbRequest,
    ) -> Result<CreateLocationSmbResponse, ApiError> {
        file_locations::create_smb(self, ctx, input).await
    }

    async fn describe_location_smb(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationSmbRequest,
    ) -> Result<DescribeLocationSmbResponse, ApiError> {
        file_locations::describe_smb(self, ctx, input).await
    }

    async fn update_location_smb(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationSmbRequest,
    ) -> Result<UpdateLocationSmbResponse, ApiError> {
        file_locations::update_smb(self, ctx, input).await
    }

    async fn create_location_efs(
        &self,
        ctx: &RequestContext,
        input: CreateLocationEfsRequest,
    ) -> Result<CreateLocationEfsResponse, ApiError> {
        file_locations::create_efs(self, ctx, input).await
    }

    async fn describe_location_efs(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationEfsRequest,
    ) -> Result<DescribeLocationEfsResponse, ApiError> {
        file_locations::describe_efs(self, ctx, input).await
    }

    async fn update_location_efs(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationEfsRequest,
    ) -> Result<UpdateLocationEfsResponse, ApiError> {
        file_locations::update_efs(self, ctx, input).await
    }

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
    async fn create_location_fsx_windows(
        &self,
        ctx: &RequestContext,
        input: CreateLocationFsxWindowsRequest,
    ) -> Result<CreateLocationFsxWindowsResponse, ApiError> {
        fsx_locations::create_windows(self, ctx, input).await
    }

    async fn describe_location_fsx_windows(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationFsxWindowsRequest,
    ) -> Result<DescribeLocationFsxWindowsResponse, ApiError> {
        fsx_locations::describe_windows(self, ctx, input).await
    }

    async fn update_location_fsx_windows(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationFsxWindowsRequest,
    ) -> Result<UpdateLocationFsxWindowsResponse, ApiError> {
        fsx_locations::update_windows(self, ctx, input).await
    }

    async fn create_location_fsx_lustre(
        &self,
        ctx: &RequestContext,
        input: CreateLocationFsxLustreRequest,
    ) -> Result<CreateLocationFsxLustreResponse, ApiError> {
        fsx_locations::create_lustre(self, ctx, input).await
    }

    async fn describe_location_fsx_lustre(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationFsxLustreRequest,
    ) -> Result<DescribeLocationFsxLustreResponse, ApiError> {
        fsx_locations::describe_lustre(self, ctx, input).await
    }

    async fn update_location_fsx_lustre(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationFsxLustreRequest,
    ) -> Result<UpdateLocationFsxLustreResponse, ApiError> {
        fsx_locations::update_lustre(self, ctx, input).await
    }

    async fn create_location_fsx_open_zfs(
        &self,
        ctx: &RequestContext,
        input: CreateLocationFsxOpenZfsRequest,
    ) -> Result<CreateLocationFsxOpenZfsResponse, ApiError> {
        fsx_locations::create_openzfs(self, ctx, input).await
    }

    async fn describe_location_fsx_open_zfs(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationFsxOpenZfsRequest,
    ) -> Result<DescribeLocationFsxOpenZfsResponse, ApiError> {
        fsx_locations::describe_openzfs(self, ctx, input).await
    }

    async fn update_location_fsx_open_zfs(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationFsxOpenZfsRequest,
    ) -> Result<UpdateLocationFsxOpenZfsResponse, ApiError> {
        fsx_locations::update_openzfs(self, ctx, input).await
    }

    async fn create_location_fsx_ontap(
        &self,
        ctx: &RequestContext,
        input: CreateLocationFsxOntapRequest,
    ) -> Result<CreateLocationFsxOntapResponse, ApiError> {
        fsx_locations::create_ontap(self, ctx, input).await
    }

    async fn describe_location_fsx_ontap(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationFsxOntapRequest,
    ) -> Result<DescribeLocationFsxOntapResponse, ApiError> {
        fsx_locations::describe_ontap(self, ctx, input).await
    }

    async fn update_location_fsx_ontap(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationFsxOntapRequest,
    ) -> Result<UpdateLocationFsxOntapResponse, ApiError> {
        fsx_locations::update_ontap(self, ctx, input).await
    }

    async fn create_location_hdfs(
        &self,
        ctx: &RequestContext,
        input: CreateLocationHdfsRequest,
    ) -> Result<CreateLocationHdfsResponse, ApiError> {
        hdfs_location::create(self, ctx, input).await
    }

    async fn describe_location_hdfs(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationHdfsRequest,
    ) -> Result<DescribeLocationHdfsResponse, ApiError> {
        hdfs_location::describe(self, ctx, input).await
    }

    async fn update_location_hdfs(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationHdfsRequest,
    ) -> Result<UpdateLocationHdfsResponse, ApiError> {
        hdfs_location::update_hdfs(self, ctx, input).await
    }

    async fn create_location_object_storage(
        &self,
        ctx: &RequestContext,
        input: CreateLocationObjectStorageRequest,
    ) -> Result<CreateLocationObjectStorageResponse, ApiError> {
        object_storage::create(self, ctx, input).await
    }

    async fn describe_location_object_storage(
        &self,
        ctx: &RequestContext,
        input: DescribeLocationObjectStorageRequest,
    ) -> Result<DescribeLocationObjectStorageResponse, ApiError> {
        object_storage::describe(self, ctx, input).await
    }

    async fn update_location_object_storage(
        &self,
        ctx: &RequestContext,
        input: UpdateLocationObjectStorageRequest,
    ) -> Result<UpdateLocationObjectStorageResponse, ApiError> {
        object_storage::update(self, ctx, input).await
    }
}
