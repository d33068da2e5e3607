//! IPv4 and IPv6 CIDR arithmetic for the VPC emulation.
//!
//! VPCs and subnets are address blocks, and almost every rule EC2 applies to
//! them is block arithmetic: a subnet must lie inside its VPC, sibling subnets
//! must not overlap, a VPC block must be /16../28 and stay out of the ranges
//! AWS reserves, a secondary block must be compatible with the primary one,
//! and a subnet loses five addresses to AWS. The standard library parses
//! addresses but has no notion of a network, so the helpers live here, pure
//! and std-only, with parsing as strict as AWS's own ("10.0.0.1/16" is not a
//! CIDR block).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An IPv4 network: address already masked to the prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    network: u32,
    prefix: u8,
}

/// The netmask of a /`prefix` IPv4 network (`prefix` at most 32).
fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

/// The netmask of a /`prefix` IPv6 network (`prefix` at most 128).
fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

/// Parses a prefix length: one to three ASCII digits, no sign, no leading
/// zero (except "0" itself), at most `max`.
fn parse_prefix(text: &str, max: u8) -> Option<u8> {
    if text.is_empty() || text.len() > 3 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    let value: u16 = text.parse().ok()?;
    u8::try_from(value).ok().filter(|p| *p <= max)
}

/// Parses a dotted-quad IPv4 address strictly: exactly four parts, each one
/// to three ASCII digits with no leading zero (so nothing reads as octal),
/// each at most 255.
fn parse_ipv4_addr(text: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if part.len() > 1 && part.starts_with('0') {
            return None;
        }
        let value: u16 = part.parse().ok()?;
        *octet = u8::try_from(value).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

impl Ipv4Cidr {
    /// A block known at compile time to be well formed.
    const fn from_octets(octets: [u8; 4], prefix: u8) -> Self {
        Self {
            network: u32::from_be_bytes(octets),
            prefix,
        }
    }

    /// Parses "10.0.0.0/16". Strict like AWS: four decimal octets (no
    /// leading '+', no empty parts, octets 0..=255), prefix 0..=32, and host
    /// bits must be zero ("10.0.0.1/16" is an error: AWS rejects it as not a
    /// valid CIDR block). Leading zeros and surrounding whitespace are
    /// rejected too.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = text.split_once('/')?;
        let addr = parse_ipv4_addr(addr)?;
        let prefix = parse_prefix(prefix, 32)?;
        Self::new(addr, prefix)
    }

    /// `None` if `prefix` > 32 or `network` has host bits set.
    pub fn new(network: Ipv4Addr, prefix: u8) -> Option<Self> {
        if prefix > 32 {
            return None;
        }
        let network = u32::from(network);
        if network & !mask_v4(prefix) != 0 {
            return None;
        }
        Some(Self { network, prefix })
    }

    /// The network (first) address.
    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(self.network)
    }

    /// The prefix length, 0..=32.
    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// The number of addresses, 2^(32 - prefix).
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }

    /// Whether `addr` lies in the block.
    pub fn contains_addr(self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & mask_v4(self.prefix) == self.network
    }

    /// Whether `other` lies inside `self` (or equals it).
    pub fn contains(self, other: Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && other.network & mask_v4(self.prefix) == self.network
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(self, other: Ipv4Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The n-th address of the block (0 = network address); `None` past the end.
    pub fn nth(self, n: u64) -> Option<Ipv4Addr> {
        if n >= self.size() {
            return None;
        }
        let offset = u32::try_from(n).ok()?;
        Some(Ipv4Addr::from(self.network | offset))
    }

    /// The last address (broadcast).
    pub fn last(self) -> Ipv4Addr {
        Ipv4Addr::from(self.network | !mask_v4(self.prefix))
    }

    /// Splits into consecutive blocks of `new_prefix` (e.g. a /16 into
    /// /20s), in order; empty if `new_prefix` < prefix or > 32.
    pub fn subnets(self, new_prefix: u8) -> impl Iterator<Item = Ipv4Cidr> {
        let valid = new_prefix >= self.prefix && new_prefix <= 32;
        let count = if valid { 1u64 << (new_prefix - self.prefix) } else { 0 };
        let step = if valid { 1u64 << (32 - u32::from(new_prefix)) } else { 0 };
        let base = u64::from(self.network);
        (0..count).map(move |i| Ipv4Cidr {
            // In range: base + i * step stays below base + size <= 2^32.
            network: (base + i * step) as u32,
            prefix: new_prefix,
        })
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

const TEN: Ipv4Cidr = Ipv4Cidr::from_octets([10, 0, 0, 0], 8);
const ONE_SEVEN_TWO: Ipv4Cidr = Ipv4Cidr::from_octets([172, 16, 0, 0], 12);
const ONE_NINE_TWO: Ipv4Cidr = Ipv4Cidr::from_octets([192, 168, 0, 0], 16);
const SHARED_ADDRESS_SPACE: Ipv4Cidr = Ipv4Cidr::from_octets([100, 64, 0, 0], 10);
const ONE_NINE_EIGHT_NINETEEN: Ipv4Cidr = Ipv4Cidr::from_octets([198, 19, 0, 0], 16);

/// Ranges AWS never accepts as (part of) a VPC block.
const AWS_RESERVED: [Ipv4Cidr; 5] = [
    Ipv4Cidr::from_octets([0, 0, 0, 0], 8),
    Ipv4Cidr::from_octets([127, 0, 0, 0], 8),
    Ipv4Cidr::from_octets([169, 254, 0, 0], 16),
    Ipv4Cidr::from_octets([224, 0, 0, 0], 4),
    Ipv4Cidr::from_octets([240, 0, 0, 0], 4),
];

/// AWS's rules for a VPC's IPv4 CIDR blocks (primary and secondary): `None`
/// if `c` may be a VPC CIDR block, else the reason it may not. The prefix
/// must be /16../28, and the block must not overlap 0.0.0.0/8, 127.0.0.0/8,
/// 169.254.0.0/16, 224.0.0.0/4 (multicast) or 240.0.0.0/4 (reserved).
pub fn vpc_block_error(c: Ipv4Cidr) -> Option<&'static str> {
    if !(16..=28).contains(&c.prefix) {
        return Some("The CIDR block must be between /16 and /28");
    }
    if AWS_RESERVED.iter().any(|r| r.overlaps(c)) {
        return Some("The CIDR block is in a range AWS reserves");
    }
    None
}

/// Which of AWS's address families a block belongs to, for the
/// secondary-CIDR restrictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// 10.0.0.0/8
    Ten,
    /// 172.16.0.0/12
    OneSevenTwo,
    /// 192.168.0.0/16
    OneNineTwo,
    /// 100.64.0.0/10
    SharedAddressSpace,
    /// 198.19.0.0/16
    OneNineEightNineteen,
    /// Anything else (publicly routable).
    Public,
}

impl Family {
    /// How the family reads in an error message.
    fn describe(self) -> &'static str {
        match self {
            Family::Ten => "10.0.0.0/8",
            Family::OneSevenTwo => "172.16.0.0/12",
            Family::OneNineTwo => "192.168.0.0/16",
            Family::SharedAddressSpace => "100.64.0.0/10",
            Family::OneNineEightNineteen => "198.19.0.0/16",
            Family::Public => "a publicly routable range",
        }
    }

    /// The families a secondary block may not come from when the primary
    /// block is in `self`.
    fn restricted_secondaries(self) -> &'static [Family] {
        use Family::*;
        match self {
            Ten => &[OneSevenTwo, OneNineTwo, OneNineEightNineteen],
            OneSevenTwo => &[Ten, OneNineTwo, OneNineEightNineteen],
            OneNineTwo => &[Ten, OneSevenTwo, OneNineEightNineteen],
            SharedAddressSpace => &[Ten, OneSevenTwo, OneNineTwo, OneNineEightNineteen],
            OneNineEightNineteen => &[Ten, OneSevenTwo, OneNineTwo, SharedAddressSpace],
            Public => &[Ten, OneSevenTwo, OneNineTwo, SharedAddressSpace, OneNineEightNineteen],
        }
    }
}

/// The family of `c`, by containment in 10.0.0.0/8, 172.16.0.0/12,
/// 192.168.0.0/16, 100.64.0.0/10 or 198.19.0.0/16; anything else is public.
pub fn family(c: Ipv4Cidr) -> Family {
    if TEN.contains(c) {
        Family::Ten
    } else if ONE_SEVEN_TWO.contains(c) {
        Family::OneSevenTwo
    } else if ONE_NINE_TWO.contains(c) {
        Family::OneNineTwo
    } else if SHARED_ADDRESS_SPACE.contains(c) {
        Family::SharedAddressSpace
    } else if ONE_NINE_EIGHT_NINETEEN.contains(c) {
        Family::OneNineEightNineteen
    } else {
        Family::Public
    }
}

/// Whether `secondary` may be associated with a VPC whose primary block is
/// `primary`, per the AWS VPC user guide table "IPv4 CIDR block association
/// restrictions". `None` if allowed, otherwise the reason, e.g.
/// "172.16.0.0/12 addresses cannot be added to a VPC whose primary CIDR is in 10.0.0.0/8".
pub fn secondary_block_error(primary: Ipv4Cidr, secondary: Ipv4Cidr) -> Option<String> {
    let primary_family = family(primary);
    let secondary_family = family(secondary);
    if primary_family.restricted_secondaries().contains(&secondary_family) {
        return Some(format!(
            "{} addresses cannot be added to a VPC whose primary CIDR is in {}",
            secondary_family.describe(),
            primary_family.describe()
        ));
    }
    None
}

/// Subnet usable-address count the way EC2 reports AvailableIpAddressCount
/// before any interfaces: size - 5 (AWS reserves the network address, .1
/// router, .2 DNS, .3 future use, and the broadcast address), saturating at 0.
pub fn subnet_usable_addresses(c: Ipv4Cidr) -> u64 {
    c.size().saturating_sub(5)
}

/// Whether `addr` is one of the 5 addresses AWS reserves in subnet `c`
/// (first four and last).
pub fn is_reserved_in_subnet(c: Ipv4Cidr, addr: Ipv4Addr) -> bool {
    if !c.contains_addr(addr) {
        return false;
    }
    let offset = u32::from(addr) - c.network;
    offset < 4 || addr == c.last()
}

/// An IPv6 network, for Amazon-provided /56 VPC blocks and /64 subnet blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv6Cidr {
    network: u128,
    prefix: u8,
}

impl Ipv6Cidr {
    /// Parses "2600:1f18:1234:5600::/56": any address std accepts, a prefix
    /// 0..=128, and host bits must be zero.
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = text.split_once('/')?;
        let addr: Ipv6Addr = addr.parse().ok()?;
        let prefix = parse_prefix(prefix, 128)?;
        Self::new(addr, prefix)
    }

    /// `None` if `prefix` > 128 or `network` has host bits set.
    pub fn new(network: Ipv6Addr, prefix: u8) -> Option<Self> {
        if prefix > 128 {
            return None;
        }
        let network = u128::from(network);
        if network & !mask_v6(prefix) != 0 {
            return None;
        }
        Some(Self { network, prefix })
    }

    /// The network (first) address.
    pub fn network(self) -> Ipv6Addr {
        Ipv6Addr::from(self.network)
    }

    /// The prefix length, 0..=128.
    pub fn prefix(self) -> u8 {
        self.prefix
    }

    /// Whether `other` lies inside `self` (or equals it).
    pub fn contains(self, other: Ipv6Cidr) -> bool {
        other.prefix >= self.prefix && other.network & mask_v6(self.prefix) == self.network
    }

    /// Whether the two blocks share any address.
    pub fn overlaps(self, other: Ipv6Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// The `index`-th /`new_prefix` block inside self (e.g. the 3rd /64 of a
    /// /56); `None` when out of range or `new_prefix` < prefix.
    pub fn nth_subnet(self, new_prefix: u8, index: u128) -> Option<Ipv6Cidr> {
        if new_prefix < self.prefix || new_prefix > 128 {
            return None;
        }
        let bits = u32::from(new_prefix - self.prefix);
        // With 128 bits (a /0 split into /128s) every index is in range.
        if bits < 128 && index >= 1u128 << bits {
            return None;
        }
        // Shift is 128 only for a /0 kept as a /0, where index must be 0.
        let offset = index.checked_shl(128 - u32::from(new_prefix)).unwrap_or(0);
        Some(Ipv6Cidr {
            network: self.network | offset,
            prefix: new_prefix,
        })
    }
}

impl fmt::Display for Ipv6Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

/// An Amazon-provided /56 for a VPC, derived deterministically from `seed`
/// (e.g. a hash of the VPC id): 2600:1f18:XXXX:YY00::/56 where
/// XXXX = (seed >> 8) & 0xffff and YY = seed & 0xff.
pub fn amazon_ipv6_block(seed: u64) -> Ipv6Cidr {
    let xxxx = ((seed >> 8) & 0xffff) as u16;
    let yy = (seed & 0xff) as u16;
    let addr = Ipv6Addr::new(0x2600, 0x1f18, xxxx, yy << 8, 0, 0, 0, 0);
    Ipv6Cidr {
        network: u128::from(addr),
        prefix: 56,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Ipv4Cidr {
        Ipv4Cidr::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    fn v6(text: &str) -> Ipv6Cidr {
        Ipv6Cidr::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn parse_accepts_valid_blocks() {
        let c = v4("10.0.0.0/16");
        assert_eq!(c.network(), Ipv4Addr::new(10, 0, 0, 0));
        assert_eq!(c.prefix(), 16);
        assert_eq!(c.to_string(), "10.0.0.0/16");
        assert_eq!(v4("0.0.0.0/0").size(), 1u64 << 32);
        assert_eq!(v4("255.255.255.255/32").size(), 1);
        assert_eq!(v4("172.31.0.0/16").to_string(), "172.31.0.0/16");
        assert_eq!(v4("192.168.1.128/25").to_string(), "192.168.1.128/25");
    }

    #[test]
    fn parse_rejects_malformed_blocks() {
        for bad in [
            "",
            "10.0.0.1/16",
            "10.0.0.0/15x",
            "256.0.0.0/8",
            "10.256.0.0/16",
            "1.2.3",
            "1.2.3/8",
            "1.2.3.4.5/32",
            "a.b.c.d/8",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0",
            "/16",
            " 10.0.0.0/16",
            "10.0.0.0/16 ",
            "10.0.0.0 /16",
            "10.0.0.0/ 16",
            "10..0.0/16",
            "+10.0.0.0/16",
            "10.+0.0.0/16",
            "10.0.0.0/+16",
            "10.0.0.0/-1",
            "010.0.0.0/16",
            "10.0.0.0/016",
            "10.0.0.0/16/16",
            "10.0.0.0/1000",
        ] {
            assert_eq!(Ipv4Cidr::parse(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn new_checks_prefix_and_host_bits() {
        assert!(Ipv4Cidr::new(Ipv4Addr::new(10, 0, 0, 0), 8).is_some());
        assert!(Ipv4Cidr::new(Ipv4Addr::new(10, 0, 0, 0), 33).is_none());
        assert!(Ipv4Cidr::new(Ipv4Addr::new(10, 1, 0, 0), 8).is_none());
        assert!(Ipv4Cidr::new(Ipv4Addr::new(1, 2, 3, 4), 32).is_some());
        assert!(Ipv4Cidr::new(Ipv4Addr::new(1, 0, 0, 0), 0).is_none());
    }

    #[test]
    fn contains_and_overlaps() {
        let vpc = v4("10.0.0.0/16");
        let sub = v4("10.0.1.0/24");
        assert!(vpc.contains(sub));
        assert!(!sub.contains(vpc));
        assert!(vpc.contains(vpc), "a block contains itself");
        assert!(vpc.overlaps(vpc), "equal blocks overlap");
        assert!(vpc.overlaps(sub) && sub.overlaps(vpc));

        let left = v4("10.0.0.0/24");
        let right = v4("10.0.1.0/24");
        assert!(!left.overlaps(right), "adjacent blocks do not overlap");
        assert!(!right.overlaps(left));
        assert!(!left.contains(right));
        assert!(!v4("10.0.0.0/16").overlaps(v4("10.1.0.0/16")));
        assert!(v4("0.0.0.0/0").contains(v4("203.0.113.0/24")));

        assert!(vpc.contains_addr(Ipv4Addr::new(10, 0, 255, 255)));
        assert!(vpc.contains_addr(Ipv4Addr::new(10, 0, 0, 0)));
        assert!(!vpc.contains_addr(Ipv4Addr::new(10, 1, 0, 0)));
        assert!(!vpc.contains_addr(Ipv4Addr::new(9, 255, 255, 255)));
    }

    #[test]
    fn nth_and_last() {
        let c = v4("10.0.0.0/24");
        assert_eq!(c.size(), 256);
        assert_eq!(c.nth(0), Some(Ipv4Addr::new(10, 0, 0, 0)));
        assert_eq!(c.nth(4), Some(Ipv4Addr::new(10, 0, 0, 4)));
        assert_eq!(c.nth(255), Some(Ipv4Addr::new(10, 0, 0, 255)));
        assert_eq!(c.nth(256), None);
        assert_eq!(c.last(), Ipv4Addr::new(10, 0, 0, 255));
        assert_eq!(v4("172.31.0.0/16").last(), Ipv4Addr::new(172, 31, 255, 255));
        assert_eq!(v4("1.2.3.4/32").last(), Ipv4Addr::new(1, 2, 3, 4));
        assert_eq!(v4("0.0.0.0/0").last(), Ipv4Addr::new(255, 255, 255, 255));
        assert_eq!(v4("0.0.0.0/0").nth((1u64 << 32) - 1), Some(Ipv4Addr::BROADCAST));
        assert_eq!(v4("0.0.0.0/0").nth(1u64 << 32), None);
    }

    #[test]
    fn subnets_split_in_order() {
        let parts: Vec<Ipv4Cidr> = v4("172.31.0.0/16").subnets(20).collect();
        assert_eq!(parts.len(), 16);
        assert_eq!(parts[0].to_string(), "172.31.0.0/20");
        assert_eq!(parts[1].to_string(), "172.31.16.0/20");
        assert_eq!(parts[2].to_string(), "172.31.32.0/20");
        assert_eq!(parts[15].to_string(), "172.31.240.0/20");
        assert!(parts.windows(2).all(|w| w[0] < w[1] && !w[0].overlaps(w[1])));

        let same: Vec<Ipv4Cidr> = v4("10.0.0.0/24").subnets(24).collect();
        assert_eq!(same, vec![v4("10.0.0.0/24")]);
        assert_eq!(v4("10.0.0.0/24").subnets(23).count(), 0);
        assert_eq!(v4("10.0.0.0/24").subnets(33).count(), 0);
        assert_eq!(v4("10.0.0.0/30").subnets(32).count(), 4);
        let tail: Vec<Ipv4Cidr> = v4("255.255.255.0/24").subnets(25).collect();
        assert_eq!(tail, vec![v4("255.255.255.0/25"), v4("255.255.255.128/25")]);
        assert_eq!(v4("0.0.0.0/0").subnets(1).last(), Some(v4("128.0.0.0/1")));
    }

    #[test]
    fn vpc_block_rules() {
        let size = Some("The CIDR block must be between /16 and /28");
        let reserved = Some("The CIDR block is in a range AWS reserves");
        assert_eq!(vpc_block_error(v4("10.0.0.0/15")), size);
        assert_eq!(vpc_block_error(v4("10.0.0.0/29")), size);
        assert_eq!(vpc_block_error(v4("10.0.0.0/16")), None);
        assert_eq!(vpc_block_error(v4("10.0.0.0/28")), None);
        assert_eq!(vpc_block_error(v4("100.64.0.0/16")), None);
        assert_eq!(vpc_block_error(v4("127.0.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("0.0.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("169.254.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("169.254.10.0/24")), reserved);
        assert_eq!(vpc_block_error(v4("224.0.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("239.255.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("240.0.0.0/16")), reserved);
        assert_eq!(vpc_block_error(v4("169.255.0.0/16")), None);
        assert_eq!(vpc_block_error(v4("223.255.0.0/16")), None);
    }

    #[test]
    fn families() {
        assert_eq!(family(v4("10.1.0.0/16")), Family::Ten);
        assert_eq!(family(v4("172.31.0.0/16")), Family::OneSevenTwo);
        assert_eq!(family(v4("172.32.0.0/16")), Family::Public);
        assert_eq!(family(v4("192.168.0.0/16")), Family::OneNineTwo);
        assert_eq!(family(v4("100.64.0.0/16")), Family::SharedAddressSpace);
        assert_eq!(family(v4("100.127.0.0/16")), Family::SharedAddressSpace);
        assert_eq!(family(v4("100.128.0.0/16")), Family::Public);
        assert_eq!(family(v4("198.19.0.0/16")), Family::OneNineEightNineteen);
        assert_eq!(family(v4("198.18.0.0/16")), Family::Public);
        assert_eq!(family(v4("203.0.113.0/24")), Family::Public);
    }

    /// One representative block per family, in `Family` declaration order.
    fn samples() -> [(Family, Ipv4Cidr); 6] {
        [
            (Family::Ten, v4("10.1.0.0/16")),
            (Family::OneSevenTwo, v4("172.20.0.0/16")),
            (Family::OneNineTwo, v4("192.168.0.0/20")),
            (Family::SharedAddressSpace, v4("100.64.0.0/16")),
            (Family::OneNineEightNineteen, v4("198.19.0.0/20")),
            (Family::Public, v4("203.0.112.0/20")),
        ]
    }

    fn assert_row(primary: Family, restricted: &[Family]) {
        let blocks = samples();
        let (_, primary_block) = blocks.iter().copied().find(|(f, _)| *f == primary).unwrap();
        for (family, secondary) in blocks {
            let error = secondary_block_error(primary_block, secondary);
            assert_eq!(
                error.is_some(),
                restricted.contains(&family),
                "primary {primary:?} secondary {family:?}: {error:?}"
            );
        }
    }

    #[test]
    fn secondary_rules_per_family() {
        use Family::*;
        assert_row(Ten, &[OneSevenTwo, OneNineTwo, OneNineEightNineteen]);
        assert_row(OneSevenTwo, &[Ten, OneNineTwo, OneNineEightNineteen]);
        assert_row(OneNineTwo, &[Ten, OneSevenTwo, OneNineEightNineteen]);
        assert_row(
            SharedAddressSpace,
            &[Ten, OneSevenTwo, OneNineTwo, OneNineEightNineteen],
        );
        assert_row(
            OneNineEightNineteen,
            &[Ten, OneSevenTwo, OneNineTwo, SharedAddressSpace],
        );
        assert_row(
            Public,
            &[Ten, OneSevenTwo, OneNineTwo, SharedAddressSpace, OneNineEightNineteen],
        );
    }

    #[test]
    fn secondary_error_messages() {
        assert_eq!(
            secondary_block_error(v4("10.0.0.0/16"), v4("172.16.0.0/16")).as_deref(),
            Some("172.16.0.0/12 addresses cannot be added to a VPC whose primary CIDR is in 10.0.0.0/8")
        );
        assert_eq!(
            secondary_block_error(v4("203.0.112.0/20"), v4("10.0.0.0/16")).as_deref(),
            Some("10.0.0.0/8 addresses cannot be added to a VPC whose primary CIDR is in a publicly routable range")
        );
        assert_eq!(secondary_block_error(v4("10.0.0.0/16"), v4("10.1.0.0/16")), None);
        assert_eq!(secondary_block_error(v4("10.0.0.0/16"), v4("100.64.0.0/16")), None);
        assert_eq!(secondary_block_error(v4("10.0.0.0/16"), v4("203.0.112.0/20")), None);
    }

    #[test]
    fn usable_addresses() {
        assert_eq!(subnet_usable_addresses(v4("10.0.0.0/24")), 251);
        assert_eq!(subnet_usable_addresses(v4("10.0.0.0/28")), 11);
        assert_eq!(subnet_usable_addresses(v4("10.0.0.0/16")), 65531);
        assert_eq!(subnet_usable_addresses(v4("10.0.0.0/30")), 0);
        assert_eq!(subnet_usable_addresses(v4("10.0.0.0/32")), 0);
    }

    #[test]
    fn reserved_addresses() {
        let c = v4("10.0.1.0/24");
        for last in 0..=3 {
            assert!(is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 1, last)));
        }
        assert!(is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 1, 255)));
        assert!(!is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 1, 4)));
        assert!(!is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 1, 254)));
        assert!(
            !is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 2, 0)),
            "outside the subnet"
        );
        assert!(
            !is_reserved_in_subnet(c, Ipv4Addr::new(10, 0, 0, 255)),
            "outside the subnet"
        );
        let reserved = (0..c.size())
            .filter_map(|n| c.nth(n))
            .filter(|a| is_reserved_in_subnet(c, *a))
            .count();
        assert_eq!(reserved as u64, c.size() - subnet_usable_addresses(c));
    }

    #[test]
    fn ipv6_parse_and_display() {
        let c = v6("2600:1f18:1234:5600::/56");
        assert_eq!(c.prefix(), 56);
        assert_eq!(c.network(), Ipv6Addr::new(0x2600, 0x1f18, 0x1234, 0x5600, 0, 0, 0, 0));
        assert_eq!(c.to_string(), "2600:1f18:1234:5600::/56");
        assert_eq!(v6(&c.to_string()), c);
        // Non-canonical input prints compressed.
        assert_eq!(v6("2600:1F18:0:0:0:0:0:0/32").to_string(), "2600:1f18::/32");
        assert_eq!(v6("::/0").to_string(), "::/0");
        assert_eq!(v6("::1/128").to_string(), "::1/128");

        for bad in [
            "",
            "2600:1f18:1234:5601::/56",
            "2600:1f18::/129",
            "2600:1f18::",
            "2600:1f18::/",
            "2600:1f18::/+56",
            " 2600:1f18::/32",
            "2600:1f18::/32 ",
            "2600:1f18::g/128",
            "10.0.0.0/8",
        ] {
            assert_eq!(Ipv6Cidr::parse(bad), None, "{bad:?} should be rejected");
        }
        assert!(Ipv6Cidr::new(Ipv6Addr::UNSPECIFIED, 129).is_none());
    }

    #[test]
    fn ipv6_contains_and_overlaps() {
        let vpc = v6("2600:1f18:1234:5600::/56");
        let sub = v6("2600:1f18:1234:56ff::/64");
        assert!(vpc.contains(sub) && !sub.contains(vpc));
        assert!(vpc.overlaps(sub) && sub.overlaps(vpc));
        assert!(vpc.contains(vpc) && vpc.overlaps(vpc));
        let next = v6("2600:1f18:1234:5700::/56");
        assert!(!vpc.overlaps(next), "adjacent blocks do not overlap");
        assert!(!vpc.contains(v6("2600:1f18:1234:5700::/64")));
    }

    #[test]
    fn ipv6_nth_subnet() {
        let vpc = v6("2600:1f18:1234:5600::/56");
        assert_eq!(vpc.nth_subnet(64, 0), Some(v6("2600:1f18:1234:5600::/64")));
        assert_eq!(vpc.nth_subnet(64, 3), Some(v6("2600:1f18:1234:5603::/64")));
        assert_eq!(vpc.nth_subnet(64, 255), Some(v6("2600:1f18:1234:56ff::/64")));
        assert_eq!(vpc.nth_subnet(64, 256), None);
        assert_eq!(vpc.nth_subnet(56, 0), Some(vpc));
        assert_eq!(vpc.nth_subnet(56, 1), None);
        assert_eq!(vpc.nth_subnet(48, 0), None);
        assert_eq!(vpc.nth_subnet(129, 0), None);
        assert!(vpc.contains(vpc.nth_subnet(64, 7).unwrap()));
        let all = v6("::/0");
        assert_eq!(all.nth_subnet(0, 0), Some(all));
        assert_eq!(
            all.nth_subnet(128, u128::MAX),
            Some(v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))
        );
        assert_eq!(all.nth_subnet(1, 1), Some(v6("8000::/1")));
        assert_eq!(all.nth_subnet(1, 2), None);
    }

    #[test]
    fn amazon_block_format() {
        let c = amazon_ipv6_block(0x00ab_cdef);
        assert_eq!(c.prefix(), 56);
        assert_eq!(c.to_string(), "2600:1f18:abcd:ef00::/56");
        assert_eq!(Ipv6Cidr::parse(&c.to_string()), Some(c));
        assert_eq!(amazon_ipv6_block(0x00ab_cdef), c, "deterministic");
        assert_eq!(amazon_ipv6_block(0).to_string(), "2600:1f18::/56");
        assert_ne!(amazon_ipv6_block(1), amazon_ipv6_block(2));
        for seed in [0, 1, 0xff, 0x100, 0xffff_ffff, u64::MAX, 0x1234_5678_9abc_def0] {
            let block = amazon_ipv6_block(seed);
            assert_eq!(block.prefix(), 56);
            assert_eq!(Ipv6Cidr::parse(&block.to_string()), Some(block));
            assert!(v6("2600:1f18::/32").contains(block));
        }
    }
}
