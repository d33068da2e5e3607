//! The loopback fabric: the addresses in `127.0.0.0/8` that stand for AWS's
//! public endpoints (VPN tunnel outside addresses; BGP, IKE and other data
//! planes bind them) and for emulated on-premises appliances (DataSync
//! agents). Linux routes the whole block to `lo`, so an address is usable
//! the moment it is handed out. One pool per process, shared by every
//! service, account and region, as public addresses are; each holder
//! returns what it took.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::sync::Mutex;

/// The default pool: 65,534 addresses away from 127.0.0.1.
pub const DEFAULT_POOL: (Ipv4Addr, u8) = (Ipv4Addr::new(127, 100, 0, 0), 16);

#[derive(Debug)]
pub struct Fabric {
    /// The pool's network address and the last address in it.
    network: u32,
    last: u32,
    used: Mutex<BTreeSet<Ipv4Addr>>,
}

impl Fabric {
    /// The pool `network/prefix` (host bits of `network` are ignored).
    pub fn new(network: Ipv4Addr, prefix: u8) -> Self {
        let mask = u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0);
        let network = u32::from(network) & mask;
        Self {
            network,
            last: network | !mask,
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
        let first = self.network.saturating_add(1);
        let last = self.last.saturating_sub(1);
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

    /// Whether `addr` is handed out.
    pub fn is_used(&self, addr: Ipv4Addr) -> bool {
        self.used().contains(&addr)
    }
}

impl Default for Fabric {
    fn default() -> Self {
        Self::new(DEFAULT_POOL.0, DEFAULT_POOL.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hands_out_the_lowest_free_addresses_once() {
        let f = Fabric::new(Ipv4Addr::new(127, 100, 0, 0), 29);
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
