//! AWS's asynchronous EC2 states and how long they typically last. The
//! state of a resource is computed from its creation time by
//! `landbridge_lifecycle::Lifecycle::state_at`; in instant mode (the default)
//! every resource is in its final state at once.

use std::time::Duration;

use landbridge_api::Timestamp;
use landbridge_lifecycle::{Lifecycle, Step};

pub const VPC: &[Step<&str>] = &[
    Step::new("pending", Duration::from_secs(1)),
    Step::new("available", Duration::ZERO),
];

pub const SUBNET: &[Step<&str>] = &[
    Step::new("pending", Duration::from_secs(1)),
    Step::new("available", Duration::ZERO),
];

pub const CIDR_ASSOCIATION: &[Step<&str>] = &[
    Step::new("associating", Duration::from_secs(2)),
    Step::new("associated", Duration::ZERO),
];

/// A lifecycle and the time of the request being answered: every state in
/// one answer is computed for the same instant.
#[derive(Debug, Clone, Copy)]
pub struct At {
    pub lifecycle: Lifecycle,
    pub now_ms: i64,
}

impl At {
    pub fn now(lifecycle: Lifecycle) -> Self {
        Self {
            lifecycle,
            now_ms: Timestamp::now().millis(),
        }
    }

    pub fn state(&self, steps: &[Step<&'static str>], started_ms: i64) -> &'static str {
        self.lifecycle
            .state_at(steps, started_ms, self.now_ms)
            .unwrap_or("available")
    }
}
