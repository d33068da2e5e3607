//! Session events as JSON lines, one file per server under the logs
//! directory (`<data-dir>/transfer-logs/<server-id>.log`), with the field
//! names Transfer Family's structured logs use (`activity-type`,
//! `session-id`, `user`, `client`, `path`, `bytes-in`, `bytes-out`), ready
//! to feed CloudWatch Logs.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where one session's events go.
#[derive(Clone)]
pub struct SessionLog {
    file: Option<Arc<Mutex<std::fs::File>>>,
    server_id: String,
    session_id: String,
    client: String,
    user: Arc<Mutex<Option<String>>>,
}

impl SessionLog {
    /// Appends to the server's log in `dir`; without a directory (or when
    /// the file cannot be opened) events only go to tracing.
    pub fn open(dir: Option<&PathBuf>, server_id: &str, session_id: String, client: String) -> Self {
        let file = dir.and_then(|d| {
            std::fs::create_dir_all(d).ok()?;
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(d.join(format!("{server_id}.log")))
                .map_err(|e| tracing::warn!(error = %e, "cannot open the Transfer session log"))
                .ok()
        });
        Self {
            file: file.map(|f| Arc::new(Mutex::new(f))),
            server_id: server_id.to_string(),
            session_id,
            client,
            user: Arc::new(Mutex::new(None)),
        }
    }

    pub fn set_user(&self, user: &str) {
        *self.user.lock().unwrap_or_else(PoisonError::into_inner) = Some(user.to_string());
    }

    /// Writes one event: `activity` (`CONNECTED`, `AUTH_SUCCESS`,
    /// `AUTH_FAILURE`, `AUTH_PARTIAL`, `OPEN`, `CLOSE`, `DELETE`, `RENAME`,
    /// `MKDIR`, `RMDIR`, `SETSTAT`, `EXIT`, `ERROR`) and its fields.
    pub fn event(&self, activity: &str, fields: Value) {
        let mut line = Map::new();
        line.insert(
            "timestamp".into(),
            json!(
                OffsetDateTime::from(landbridge_clock::now())
                    .format(&Rfc3339)
                    .unwrap_or_default()
            ),
        );
        line.insert("activity-type".into(), json!(activity));
        line.insert("server-id".into(), json!(self.server_id));
        line.insert("session-id".into(), json!(self.session_id));
        line.insert("client".into(), json!(self.client));
        if let Some(u) = self.user.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
            line.insert("user".into(), json!(u));
        }
        if let Value::Object(extra) = fields {
            line.extend(extra);
        }
        let text = Value::Object(line).to_string();
        tracing::debug!(target: "transfer", "{text}");
        if let Some(f) = &self.file {
            let mut f = f.lock().unwrap_or_else(PoisonError::into_inner);
            if let Err(e) = writeln!(f, "{text}") {
                tracing::warn!(error = %e, "cannot write the Transfer session log");
            }
        }
    }
}
