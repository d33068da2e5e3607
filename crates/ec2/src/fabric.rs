//! The loopback fabric: the addresses in `127.0.0.0/8` that stand for AWS's
//! public endpoints (VPN tunnel outside addresses now; BGP, IKE and other
//! data planes bind them). Linux routes the whole block to `lo`, so an
//! address is usable the moment it is handed out. One pool per process,
//! shared by every account and region, as public addresses are.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

use crate::cidr::Ipv4Cidr;

/// The default pool: 65,534 addresses away from 127.0.0.1.
pub const DEFAULT_POOL: &str = "127.100.0.0/16";

#[derive(Debug)]
pub struct Fabric {
    pool: Ipv4Cidr,
    used: Mutex<BTreeSet<Ipv4Addr>>,
}

impl Fabric {
    pub fn new(pool: Ipv4Cidr) -> Self {
        Self {
            pool,
            used: Mutex::new(BTreeSet::new()),
        }
    }

    fn used(&self) -> std::sync::MutexGuard<'_, BTreeSet<Ipv4Addr>> {
        self.used.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Marks addresses stored resources hold (at start).
    pub fn claim(&self, addrs: impl IntoIterator<Item = Ipv4Addr>) {
        self.used().extend(addrs);
    }

    /// `n` free addresses (the lowest ones, skipping the pool's network and
    /// broadcast addresses), or `None` when the pool is exhausted.
    pub fn allocate(&self, n: usize) -> Option<Vec<Ipv4Addr>> {
        let mut used = self.used();
        let first = u32::from(self.pool.network()) + 1;
        let last = u32::from(self.pool.last()).saturating_sub(1);
        let picked: Vec<Ipv4Addr> = (first..=last)
            .map(Ipv4Addr::from)
            .filter(|a| !used.contains(a))
            .take(n)
            .collect();
        if picked.len() < n {
            return None;
        }
        used.extend(picked.iter().copied());
        Some(picked)
    }

    /// Returns addresses to the pool.
    pub fn release(&self, addrs: impl IntoIterator<Item = Ipv4Addr>) {
        let mut used = self.used();
        for a in addrs {
            used.remove(&a);
        }
    }

    pub fn clear(&self) {
        self.used().clear();
    }
}

impl Default for Fabric {
    fn default() -> Self {
        Self::new(Ipv4Cidr::parse(DEFAULT_POOL).expect("the default pool is a valid block"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_the_lowest_free_addresses_once() {
        let f = Fabric::new(Ipv4Cidr::parse("127.100.0.0/29").unwrap());
        f.claim(["127.100.0.2".parse().unwrap()]);
        let a = f.allocate(2).unwrap();
        assert_eq!(
            a,
            [
                "127.100.0.1".parse::<Ipv4Addr>().unwrap(),
                "127.100.0.3".parse().unwrap()
            ]
        );
        // .4 .5 .6 are left: three, not four.
        assert!(f.allocate(4).is_none());
        f.release(a);
        assert_eq!(f.allocate(1).unwrap(), ["127.100.0.1".parse::<Ipv4Addr>().unwrap()]);
    }
}
