//! The on-premises world DataSync works with: agent appliances
//! (`landbridge world datasync-agent`) and the file shares agents mount
//! (`landbridge world share`). Both are stored, so appliances come back
//! with their addresses and shares stay mapped after a restart.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use landbridge_api::ApiError;

use crate::model::{ApplianceRec, FileLocation, IssuedKey, ShareRec};
use crate::{DataSync, State, appliance, errors, now_ms};

/// A running appliance's listener, for `/_landbridge/endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplianceEndpoint {
    pub address: String,
    pub port: u16,
}

/// Absolute, with single slashes and no trailing one (`/` for the root);
/// `None` when relative or when it has `.` or `..` parts.
pub fn normalise_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.iter().any(|p| *p == "." || *p == "..") {
        return None;
    }
    Some(format!("/{}", parts.join("/")))
}

impl DataSync {
    /// Starts a new appliance on a free fabric address.
    pub async fn start_appliance(&self, port: u16) -> Result<ApplianceRec, String> {
        let address = self
            .fabric()
            .allocate(1)
            .and_then(|a| a.first().copied())
            .ok_or("the loopback fabric has no free address")?;
        let running = match self.listen(address, port).await {
            Ok(r) => r,
            Err(e) => {
                self.fabric().release([address]);
                return Err(e);
            }
        };
        let rec = ApplianceRec {
            address: address.to_string(),
            port: running.port,
            created_ms: now_ms(),
            running: true,
            keys: Vec::new(),
        };
        let mut state = self.state().write().await;
        if let Err(e) = self
            .save_all(vec![self.world_mutation("appliance", &rec.address, &rec)])
            .await
        {
            running.stop().await;
            self.fabric().release([address]);
            return Err(e.message);
        }
        state.appliances.insert(rec.address.clone(), rec.clone());
        self.running_appliances().insert(rec.address.clone(), running);
        tracing::info!(address = %rec.address, port = rec.port, "DataSync agent appliance started");
        Ok(rec)
    }

    /// Stops (`run == false`) or restarts the appliance at `address`; its
    /// agents are OFFLINE while it is stopped.
    pub async fn set_appliance_running(&self, address: &str, run: bool) -> Result<ApplianceRec, String> {
        let mut state = self.state().write().await;
        let mut rec = state
            .appliances
            .get(address)
            .cloned()
            .ok_or_else(|| format!("no DataSync agent appliance at {address}"))?;
        let current = self.running_appliances().remove(address);
        if let Some(r) = current {
            r.stop().await;
        }
        if run {
            let ip: Ipv4Addr = address.parse().map_err(|_| format!("{address} is not an address"))?;
            let r = self.listen(ip, rec.port).await?;
            self.running_appliances().insert(address.to_string(), r);
        }
        rec.running = run;
        self.save_all(vec![self.world_mutation("appliance", address, &rec)])
            .await
            .map_err(|e| e.message)?;
        state.appliances.insert(address.to_string(), rec.clone());
        Ok(rec)
    }

    async fn listen(&self, address: Ipv4Addr, port: u16) -> Result<appliance::Running, String> {
        let listener = appliance::bind(address, port)
            .await
            .map_err(|e| format!("cannot listen on {address}: {e}"))?;
        appliance::serve(listener, self.clone(), address.to_string()).map_err(|e| e.to_string())
    }

    /// Every appliance, by address.
    pub async fn appliances(&self) -> Vec<ApplianceRec> {
        self.state().read().await.appliances.values().cloned().collect()
    }

    /// Starts the stored appliances that were running when Landbridge
    /// stopped, on their addresses and ports, and the task scheduler.
    pub async fn start_data_planes(&self) {
        tokio::spawn(crate::schedule::run(self.clone()));
        for rec in self.appliances().await.into_iter().filter(|a| a.running) {
            let Ok(ip) = rec.address.parse::<Ipv4Addr>() else {
                continue;
            };
            match self.listen(ip, rec.port).await {
                Ok(r) => {
                    self.running_appliances().insert(rec.address.clone(), r);
                }
                Err(e) => tracing::warn!(address = %rec.address, error = %e, "DataSync agent appliance not restarted"),
            }
        }
    }

    /// The listeners of running appliances.
    pub fn endpoints(&self) -> Vec<ApplianceEndpoint> {
        let mut out: Vec<ApplianceEndpoint> = self
            .running_appliances()
            .iter()
            .map(|(address, r)| ApplianceEndpoint {
                address: address.clone(),
                port: r.port,
            })
            .collect();
        out.sort_by(|a, b| a.address.cmp(&b.address));
        out
    }

    pub(crate) fn appliance_running(&self, address: &str) -> bool {
        self.running_appliances().contains_key(address)
    }

    /// A new activation key for `region`, remembered by the appliance.
    pub(crate) async fn issue_activation_key(&self, address: &str, region: &str) -> Result<String, ApiError> {
        let mut state = self.state().write().await;
        let mut rec = state
            .appliances
            .get(address)
            .cloned()
            .ok_or_else(|| errors::internal("the appliance is gone"))?;
        let key = appliance::new_key();
        rec.keys.push(IssuedKey {
            key: key.clone(),
            region: region.to_string(),
            used: false,
        });
        self.save_all(vec![self.world_mutation("appliance", address, &rec)])
            .await?;
        state.appliances.insert(address.to_string(), rec);
        Ok(key)
    }

    /// Maps the export `export` of file server `server` (a host name, or a
    /// file system id such as `fs-0123...`) to `local_dir`.
    pub async fn add_share(&self, server: &str, export: &str, local_dir: &Path) -> Result<ShareRec, String> {
        if server.is_empty() || server.contains('/') {
            return Err(format!("{server:?} is not a server name"));
        }
        let export = normalise_path(export).ok_or_else(|| format!("{export:?}: an export is an absolute path"))?;
        if !local_dir.is_dir() {
            return Err(format!("{} is not a directory", local_dir.display()));
        }
        let local_dir = local_dir
            .canonicalize()
            .map_err(|e| format!("{}: {e}", local_dir.display()))?;
        let rec = ShareRec {
            server: server.to_string(),
            export,
            local_dir: local_dir.to_string_lossy().into_owned(),
        };
        let id = share_id(&rec.server, &rec.export);
        let mut state = self.state().write().await;
        self.save_all(vec![self.world_mutation("share", &id, &rec)])
            .await
            .map_err(|e| e.message)?;
        state.shares.insert(id, rec.clone());
        Ok(rec)
    }

    pub async fn remove_share(&self, server: &str, export: &str) -> Result<(), String> {
        let export = normalise_path(export).ok_or_else(|| format!("{export:?}: an export is an absolute path"))?;
        let id = share_id(server, &export);
        let mut state = self.state().write().await;
        if !state.shares.contains_key(&id) {
            return Err(format!("no share {server}:{export}"));
        }
        self.forget_world("share", &id).await.map_err(|e| e.message)?;
        state.shares.remove(&id);
        Ok(())
    }

    pub async fn shares(&self) -> Vec<ShareRec> {
        self.state().read().await.shares.values().cloned().collect()
    }
}

fn share_id(server: &str, export: &str) -> String {
    format!("{server}:{export}")
}

/// The local directory holding a file location's files: under the share
/// of its server whose export is the longest prefix of its subdirectory.
pub fn resolve(state: &State, f: &FileLocation) -> Option<PathBuf> {
    let sub = &f.subdirectory;
    state
        .shares
        .values()
        .filter(|s| s.server.eq_ignore_ascii_case(&f.server))
        .filter(|s| s.export == "/" || sub == &s.export || sub.starts_with(&format!("{}/", s.export)))
        .max_by_key(|s| s.export.len())
        .map(|s| {
            let rest = sub[s.export.len().min(sub.len())..].trim_start_matches('/');
            let base = PathBuf::from(&s.local_dir);
            if rest.is_empty() { base } else { base.join(rest) }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FileProtocol;

    #[test]
    fn paths_are_normalised_and_resolved_under_the_longest_export() {
        assert_eq!(normalise_path("/a//b/").as_deref(), Some("/a/b"));
        assert_eq!(normalise_path("/").as_deref(), Some("/"));
        assert_eq!(normalise_path("a/b"), None);
        assert_eq!(normalise_path("/a/../b"), None);
        let mut state = State::default();
        for (export, dir) in [
            ("/", "/srv/root"),
            ("/exports", "/srv/exports"),
            ("/exports/data", "/srv/data"),
        ] {
            state.shares.insert(
                share_id("nas", export),
                ShareRec {
                    server: "nas".into(),
                    export: export.into(),
                    local_dir: dir.into(),
                },
            );
        }
        let loc = |sub: &str| FileLocation {
            protocol: FileProtocol::Nfs,
            server: "NAS".into(),
            subdirectory: sub.into(),
            agents: vec![],
            mount_version: None,
            details: Default::default(),
        };
        assert_eq!(
            resolve(&state, &loc("/exports/data/x")),
            Some(PathBuf::from("/srv/data/x"))
        );
        assert_eq!(
            resolve(&state, &loc("/exports/database")),
            Some(PathBuf::from("/srv/exports/database"))
        );
        assert_eq!(resolve(&state, &loc("/exports")), Some(PathBuf::from("/srv/exports")));
        assert_eq!(resolve(&state, &loc("/other")), Some(PathBuf::from("/srv/root/other")));
        let mut elsewhere = loc("/exports");
        elsewhere.server = "other".into();
        assert_eq!(resolve(&state, &elsewhere), None);
    }
}
