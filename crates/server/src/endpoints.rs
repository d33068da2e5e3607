//! Data-plane listeners (IKE, BGP, SFTP, NFS, ...) register here, or are
//! listed by the service that runs them (EC2's BGP speakers), so that
//! `GET /_landbridge/endpoints` can say what is running where.

use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Endpoint {
    /// The AWS resource the listener serves, e.g. a VPN tunnel or server id.
    pub resource_id: String,
    /// e.g. `ike`, `bgp`, `sftp`.
    pub protocol: String,
    pub address: String,
    pub port: u16,
}

#[derive(Debug, Default)]
pub struct Endpoints {
    inner: Mutex<Vec<Endpoint>>,
}

impl Endpoints {
    pub fn register(&self, endpoint: Endpoint) {
        self.lock().push(endpoint);
    }

    pub fn unregister(&self, resource_id: &str, protocol: &str) {
        self.lock()
            .retain(|e| !(e.resource_id == resource_id && e.protocol == protocol));
    }

    pub fn list(&self) -> Vec<Endpoint> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Endpoint>> {
        // A panic while holding the lock leaves a Vec that is still valid.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
