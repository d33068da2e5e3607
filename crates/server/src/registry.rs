//! The services the listener answers for. Every service whose model is
//! vendored is registered, implemented or not, so that a call to an
//! operation Landbridge lacks gets the protocol's own "not implemented"
//! error instead of "unknown service".

use std::sync::Arc;

use landbridge_api::{Identities, Service, ServiceSpec, Stateful};
use landbridge_lifecycle::Lifecycle;
use landbridge_objects::Objects;
use landbridge_store::{Record, Store};

/// A handler for services whose operations are all still to come: every
/// method keeps its generated "not implemented" default.
#[derive(Debug, Default)]
pub struct NotYetImplemented;

impl landbridge_api::storagegateway::StoragegatewayApi for NotYetImplemented {}
impl landbridge_api::snowball::SnowballApi for NotYetImplemented {}
impl landbridge_api::ds::DsApi for NotYetImplemented {}
impl landbridge_api::datasync::DatasyncApi for NotYetImplemented {}
impl landbridge_api::fsx::FsxApi for NotYetImplemented {}
impl landbridge_api::logs::LogsApi for NotYetImplemented {}

/// S3's buckets and objects, reset through the control API like any
/// service's state.
struct ObjectsState(Objects);

impl Stateful for ObjectsState {
    fn service(&self) -> &'static str {
        landbridge_objects::SERVICE
    }

    fn reset(&self) -> landbridge_api::BoxFuture<'_, Result<(), landbridge_api::ApiError>> {
        Box::pin(async move {
            self.0
                .reset()
                .await
                .map_err(|e| landbridge_api::ApiError::new("InternalError", e.to_string(), 500))
        })
    }
}

/// Where services keep files and find what they call out to.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// The data directory (Transfer Family's logs, EFS files, certificates).
    pub data_dir: Option<std::path::PathBuf>,
    /// The Lambda Invoke endpoint for AWS_LAMBDA identity providers.
    pub lambda_endpoint: Option<String>,
}

pub struct Registry {
    services: Vec<Arc<dyn Service>>,
    specs: Vec<&'static ServiceSpec>,
    stateful: Vec<Arc<dyn Stateful>>,
    identities: Arc<dyn Identities>,
    /// EC2 itself, for the control API's routing questions.
    ec2: Option<landbridge_ec2::Ec2>,
    datasync: Option<landbridge_datasync::DataSync>,
    transfer: Option<landbridge_transfer::Transfer>,
}

/// Why the services could not start.
#[derive(Debug, thiserror::Error)]
#[error("restoring {service} state: {reason}")]
pub struct LoadError {
    pub service: &'static str,
    pub reason: String,
}

impl Registry {
    pub fn new(
        services: Vec<Arc<dyn Service>>,
        stateful: Vec<Arc<dyn Stateful>>,
        identities: Arc<dyn Identities>,
    ) -> Self {
        let specs = services.iter().map(|s| s.spec()).collect();
        Self {
            services,
            specs,
            stateful,
            identities,
            ec2: None,
            datasync: None,
            transfer: None,
        }
    }

    pub fn datasync(&self) -> Option<&landbridge_datasync::DataSync> {
        self.datasync.as_ref()
    }

    pub fn transfer(&self) -> Option<&landbridge_transfer::Transfer> {
        self.transfer.as_ref()
    }

    pub fn ec2(&self) -> Option<&landbridge_ec2::Ec2> {
        self.ec2.as_ref()
    }

    /// Who the access keys Landbridge issued belong to.
    pub fn identities(&self) -> &dyn Identities {
        &*self.identities
    }

    /// Every service Landbridge knows, with its handler, over `store` and
    /// the `records` it kept.
    pub fn standard(
        store: Store,
        records: Vec<Record>,
        lifecycle: Lifecycle,
        objects: Objects,
        sts: landbridge_sts::Sts,
        fabric_pool: landbridge_ec2::cidr::Ipv4Cidr,
        places: Places,
    ) -> Result<Self, LoadError> {
        use landbridge_api as api;
        // One loopback fabric for every service that binds addresses.
        let fabric = Arc::new(landbridge_fabric::Fabric::new(
            fabric_pool.network(),
            fabric_pool.prefix(),
        ));
        let datasync = landbridge_datasync::DataSync::new(store.clone(), &records, objects.clone(), fabric.clone())
            .map_err(|reason| LoadError {
                service: "datasync",
                reason,
            })?;
        let transfer = landbridge_transfer::Transfer::new(
            store.clone(),
            &records,
            objects.clone(),
            fabric.clone(),
            landbridge_transfer::Places {
                data_dir: places.data_dir,
                lambda_endpoint: places.lambda_endpoint,
            },
        )
        .map_err(|reason| LoadError {
            service: "transfer",
            reason,
        })?;
        let ec2 = landbridge_ec2::Ec2::new(store, records, lifecycle, fabric)
            .map_err(|reason| LoadError { service: "ec2", reason })?;
        let mut registry = Self::new(
            vec![
                Arc::new(api::sts::StsService(sts.clone())),
                Arc::new(api::ec2::Ec2Service(ec2.clone())),
                Arc::new(api::directconnect::DirectconnectService(
                    landbridge_directconnect::DirectConnect,
                )),
                Arc::new(api::storagegateway::StoragegatewayService(NotYetImplemented)),
                Arc::new(api::snowball::SnowballService(NotYetImplemented)),
                Arc::new(api::ds::DsService(NotYetImplemented)),
                Arc::new(api::datasync::DatasyncService(datasync.clone())),
                Arc::new(api::fsx::FsxService(NotYetImplemented)),
                Arc::new(api::transfer::TransferService(transfer.clone())),
                Arc::new(api::logs::LogsService(NotYetImplemented)),
            ],
            vec![
                Arc::new(ec2.clone()),
                Arc::new(datasync.clone()),
                Arc::new(transfer.clone()),
                Arc::new(ObjectsState(objects)),
                Arc::new(sts.clone()),
            ],
            Arc::new(sts),
        );
        registry.ec2 = Some(ec2);
        registry.datasync = Some(datasync);
        registry.transfer = Some(transfer);
        Ok(registry)
    }

    /// Services that keep state, for resets.
    pub fn stateful(&self) -> &[Arc<dyn Stateful>] {
        &self.stateful
    }

    pub fn specs(&self) -> &[&'static ServiceSpec] {
        &self.specs
    }

    pub fn get(&self, spec: &ServiceSpec) -> Option<&Arc<dyn Service>> {
        self.services.iter().find(|s| s.spec().id == spec.id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Service>> {
        self.services.iter()
    }
}
