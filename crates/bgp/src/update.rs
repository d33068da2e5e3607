//! UPDATE messages: what a received one announces and withdraws, with the
//! revised error handling of RFC 7606; and the UPDATEs that carry a change
//! of what we advertise.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use netgauze_bgp_pkt::BgpMessage;
use netgauze_bgp_pkt::nlri::{Ipv4Unicast, Ipv4UnicastAddress, Ipv6Unicast, Ipv6UnicastAddress};
use netgauze_bgp_pkt::path_attribute::{
    As2PathSegment, As4Path, As4PathSegment, AsPath, AsPathSegmentType, MpReach, MpUnreach, MultiExitDiscriminator,
    NextHop, Origin, PathAttribute, PathAttributeValue,
};
use netgauze_bgp_pkt::update::BgpUpdateMessage;
use netgauze_bgp_pkt::wire::deserializer::BgpParsingIgnoredErrors;
use netgauze_bgp_pkt::wire::deserializer::path_attribute::PathAttributeParsingError;

use crate::notification::Notification;

/// A path to a prefix, as the peer announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// 0 IGP, 1 EGP, 2 incomplete.
    pub origin: u8,
    /// The AS numbers, nearest first (AS_SET members included).
    pub as_path: Vec<u32>,
    /// The length route selection compares: an AS_SET counts as one.
    pub as_path_len: u32,
    pub next_hop: Option<IpAddr>,
    pub med: Option<u32>,
}

/// What one or more UPDATEs changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RouteChanges {
    pub announced: Vec<(IpNet, Path)>,
    pub withdrawn: Vec<IpNet>,
}

impl RouteChanges {
    pub fn is_empty(&self) -> bool {
        self.announced.is_empty() && self.withdrawn.is_empty()
    }
}

/// Reads an UPDATE. `Err` is an error RFC 7606 still answers with a
/// session reset; attribute errors it allows to be contained make the
/// message's routes withdrawn instead ("treat-as-withdraw"), or the
/// attribute ignored ("attribute discard").
pub fn read(
    update: &BgpUpdateMessage,
    ignored: &BgpParsingIgnoredErrors,
    peer_asn: u32,
    local_asn: u32,
) -> Result<RouteChanges, Notification> {
    let mut treat_as_withdraw = false;
    for e in ignored.path_attr_errors() {
        match e {
            // MP_REACH/MP_UNREACH errors leave the NLRI unreadable: the
            // session has to go (RFC 7606 §7.11).
            PathAttributeParsingError::MpReachErrorError(_) | PathAttributeParsingError::MpUnreachErrorError(_) => {
                return Err(Notification::malformed_attribute_list());
            }
            PathAttributeParsingError::AtomicAggregateError(_) | PathAttributeParsingError::AggregatorError(_) => {}
            _ => treat_as_withdraw = true,
        }
    }

    let mut origin = None;
    let mut as2: Option<Vec<(AsPathSegmentType, Vec<u32>)>> = None;
    let mut as4_path: Option<Vec<(AsPathSegmentType, Vec<u32>)>> = None;
    let mut next_hop = None;
    let mut med = None;
    let mut changes = RouteChanges::default();
    let mut mp_nlri: Vec<IpNet> = Vec::new();
    let mut mp_next_hop = None;
    // RFC 7606 §3(g): MP_REACH_NLRI or MP_UNREACH_NLRI twice resets the
    // session; their routes cannot be trusted either way.
    let mp =
        |kind: fn(&PathAttributeValue) -> bool| update.path_attributes().iter().filter(|a| kind(a.value())).count();
    if mp(|v| matches!(v, PathAttributeValue::MpReach(_))) > 1
        || mp(|v| matches!(v, PathAttributeValue::MpUnreach(_))) > 1
    {
        return Err(Notification::malformed_attribute_list());
    }
    // AS_PATH read with 4-byte numbers means the session is 4-byte: any
    // AS4_PATH is then ignored (RFC 6793 §4.1).
    let four_byte = update
        .path_attributes()
        .iter()
        .any(|a| matches!(a.value(), PathAttributeValue::AsPath(AsPath::As4PathSegments(_))));
    for attr in update.path_attributes() {
        match attr.value() {
            PathAttributeValue::Origin(o) => origin = Some(*o as u8),
            PathAttributeValue::AsPath(AsPath::As2PathSegments(s)) => {
                as2 = Some(
                    s.iter()
                        .map(|s| (s.segment_type(), s.as_numbers().iter().map(|a| u32::from(*a)).collect()))
                        .collect(),
                )
            }
            PathAttributeValue::AsPath(AsPath::As4PathSegments(s)) => {
                as2 = Some(s.iter().map(|s| (s.segment_type(), s.as_numbers().to_vec())).collect())
            }
            PathAttributeValue::As4Path(p) if !four_byte => {
                as4_path = Some(
                    p.segments()
                        .iter()
                        .map(|s| (s.segment_type(), s.as_numbers().to_vec()))
                        .collect(),
                )
            }
            PathAttributeValue::NextHop(n) => next_hop = Some(IpAddr::V4(n.next_hop())),
            PathAttributeValue::MultiExitDiscriminator(m) => med = Some(m.metric()),
            PathAttributeValue::MpReach(MpReach::Ipv4Unicast { next_hop, nlri, .. }) => {
                mp_next_hop = Some(*next_hop);
                mp_nlri.extend(nlri.iter().map(|a| IpNet::V4(a.network().address().trunc())));
            }
            PathAttributeValue::MpReach(MpReach::Ipv6Unicast {
                next_hop_global, nlri, ..
            }) => {
                mp_next_hop = Some(IpAddr::V6(*next_hop_global));
                mp_nlri.extend(nlri.iter().map(|a| IpNet::V6(a.network().address().trunc())));
            }
            PathAttributeValue::MpUnreach(MpUnreach::Ipv4Unicast { nlri }) => changes
                .withdrawn
                .extend(nlri.iter().map(|a| IpNet::V4(a.network().address().trunc()))),
            PathAttributeValue::MpUnreach(MpUnreach::Ipv6Unicast { nlri }) => changes
                .withdrawn
                .extend(nlri.iter().map(|a| IpNet::V6(a.network().address().trunc()))),
            // Other families were not negotiated; their routes are ignored.
            _ => {}
        }
    }
    changes.withdrawn.extend(
        update
            .withdraw_routes()
            .iter()
            .map(|a| IpNet::V4(a.network().address().trunc())),
    );
    let nlri: Vec<IpNet> = update
        .nlri()
        .iter()
        .map(|a| IpNet::V4(a.network().address().trunc()))
        .collect();
    if nlri.is_empty() && mp_nlri.is_empty() {
        return Ok(changes);
    }

    // A route without its mandatory attributes is withdrawn (RFC 7606 §3.d).
    let (Some(origin), Some(segments)) = (origin, as2) else {
        changes.withdrawn.extend(nlri.into_iter().chain(mp_nlri));
        return Ok(changes);
    };
    let segments = merge_as4_path(segments, as4_path);
    let as_path: Vec<u32> = segments.iter().flat_map(|(_, asns)| asns.iter().copied()).collect();
    let as_path_len = segments
        .iter()
        .map(|(t, asns)| match t {
            AsPathSegmentType::AsSet => 1,
            AsPathSegmentType::AsSequence => asns.len() as u32,
        })
        .sum();
    // An external peer puts its own AS first (RFC 4271 §6.3); a path that
    // already holds ours would loop.
    let first_is_peer = segments
        .first()
        .is_some_and(|(t, asns)| *t == AsPathSegmentType::AsSequence && asns.first() == Some(&peer_asn));
    if !first_is_peer || as_path.contains(&local_asn) {
        treat_as_withdraw = true;
    }
    if !nlri.is_empty() && next_hop.is_none() {
        treat_as_withdraw = true;
    }
    if treat_as_withdraw {
        changes.withdrawn.extend(nlri.into_iter().chain(mp_nlri));
        return Ok(changes);
    }
    let path = |next_hop| Path {
        origin,
        as_path: as_path.clone(),
        as_path_len,
        next_hop,
        med,
    };
    changes.announced.extend(nlri.into_iter().map(|p| (p, path(next_hop))));
    changes
        .announced
        .extend(mp_nlri.into_iter().map(|p| (p, path(mp_next_hop))));
    Ok(changes)
}

type Segments = Vec<(AsPathSegmentType, Vec<u32>)>;

/// The real path of a 2-byte speaker's UPDATE: AS4_PATH replaces the
/// trailing part of AS_PATH it describes (RFC 6793 §4.2.3).
fn merge_as4_path(as_path: Segments, as4_path: Option<Segments>) -> Segments {
    let Some(as4) = as4_path else {
        return as_path;
    };
    // An AS_SET counts as one AS (RFC 6793 §4.2.3).
    let length = |(t, a): &(AsPathSegmentType, Vec<u32>)| match t {
        AsPathSegmentType::AsSet => 1,
        AsPathSegmentType::AsSequence => a.len(),
    };
    let count = |s: &Segments| s.iter().map(length).sum::<usize>();
    let (n2, n4) = (count(&as_path), count(&as4));
    if n4 > n2 {
        return as_path;
    }
    let mut keep = n2 - n4;
    let mut out = Vec::new();
    for (t, asns) in as_path {
        if keep == 0 {
            break;
        }
        match t {
            AsPathSegmentType::AsSet => {
                out.push((t, asns));
                keep -= 1;
            }
            AsPathSegmentType::AsSequence => {
                let take = asns.len().min(keep);
                out.push((t, asns[..take].to_vec()));
                keep -= take;
            }
        }
    }
    out.extend(as4);
    out
}

/// The attributes every route we advertise carries.
#[derive(Debug, Clone)]
pub struct Advertised {
    pub local_asn: u32,
    /// Whether the peer reads 4-byte AS numbers.
    pub asn4: bool,
    pub next_hop: Ipv4Addr,
    pub next_hop_v6: Option<Ipv6Addr>,
    pub med: Option<u32>,
}

/// How many prefixes one UPDATE carries, so that it stays well within the
/// 4,096-byte limit: 19 header + 4 lengths + about 40 of attributes, then
/// 5 bytes a prefix (IPv4) or 17 (IPv6).
const V4_PER_MESSAGE: usize = 700;
const V6_PER_MESSAGE: usize = 200;

/// The UPDATEs that withdraw `withdrawn` and announce `announced`.
pub fn build(adv: &Advertised, announced: &[IpNet], withdrawn: &[IpNet], ipv6: bool) -> Vec<BgpMessage> {
    let mut out = Vec::new();
    let (w4, w6) = split(withdrawn);
    let (a4, a6) = split(announced);
    for chunk in w4.chunks(V4_PER_MESSAGE) {
        out.push(BgpMessage::Update(BgpUpdateMessage::new(
            v4_nlri(chunk),
            Vec::<PathAttribute>::new(),
            Vec::<Ipv4UnicastAddress>::new(),
        )));
    }
    if ipv6 {
        for chunk in w6.chunks(V6_PER_MESSAGE) {
            out.push(BgpMessage::Update(BgpUpdateMessage::new(
                Vec::<Ipv4UnicastAddress>::new(),
                vec![attr(
                    true,
                    false,
                    PathAttributeValue::MpUnreach(MpUnreach::Ipv6Unicast { nlri: v6_nlri(chunk) }),
                )],
                Vec::<Ipv4UnicastAddress>::new(),
            )));
        }
    }
    for chunk in a4.chunks(V4_PER_MESSAGE) {
        let mut attrs = common_attributes(adv);
        attrs.push(attr(
            false,
            true,
            PathAttributeValue::NextHop(NextHop::new(adv.next_hop)),
        ));
        out.push(BgpMessage::Update(BgpUpdateMessage::new(
            Vec::<Ipv4UnicastAddress>::new(),
            attrs,
            v4_nlri(chunk),
        )));
    }
    if let (true, Some(next_hop_global)) = (ipv6, adv.next_hop_v6) {
        for chunk in a6.chunks(V6_PER_MESSAGE) {
            let mut attrs = common_attributes(adv);
            attrs.push(attr(
                true,
                false,
                PathAttributeValue::MpReach(MpReach::Ipv6Unicast {
                    next_hop_global,
                    next_hop_local: None,
                    nlri: v6_nlri(chunk),
                }),
            ));
            out.push(BgpMessage::Update(BgpUpdateMessage::new(
                Vec::<Ipv4UnicastAddress>::new(),
                attrs,
                Vec::<Ipv4UnicastAddress>::new(),
            )));
        }
    }
    out
}

/// The End-of-RIB marker for IPv4 unicast (RFC 4724): an empty UPDATE.
pub fn end_of_rib() -> BgpMessage {
    BgpMessage::Update(BgpUpdateMessage::new(
        Vec::<Ipv4UnicastAddress>::new(),
        Vec::<PathAttribute>::new(),
        Vec::<Ipv4UnicastAddress>::new(),
    ))
}

fn split(prefixes: &[IpNet]) -> (Vec<Ipv4Net>, Vec<Ipv6Net>) {
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for p in prefixes {
        match p {
            IpNet::V4(n) => v4.push(n.trunc()),
            IpNet::V6(n) => v6.push(n.trunc()),
        }
    }
    (v4, v6)
}

fn v4_nlri(prefixes: &[Ipv4Net]) -> Vec<Ipv4UnicastAddress> {
    prefixes
        .iter()
        .filter_map(|p| Ipv4Unicast::from_net(*p).ok())
        .map(Ipv4UnicastAddress::new_no_path_id)
        .collect()
}

fn v6_nlri(prefixes: &[Ipv6Net]) -> Box<[Ipv6UnicastAddress]> {
    prefixes
        .iter()
        .filter_map(|p| Ipv6Unicast::from_net(*p).ok())
        .map(|n| Ipv6UnicastAddress::new(None, n))
        .collect()
}

/// ORIGIN IGP, our AS as the path (4-byte when the peer reads it, else
/// AS_TRANS per RFC 6793 for an AS that does not fit), and the MED if set.
fn common_attributes(adv: &Advertised) -> Vec<PathAttribute> {
    let sequence = || vec![As4PathSegment::new(AsPathSegmentType::AsSequence, vec![adv.local_asn])];
    let as_path = if adv.asn4 {
        AsPath::As4PathSegments(sequence().into())
    } else {
        let asn = u16::try_from(adv.local_asn).unwrap_or(crate::AS_TRANS);
        AsPath::As2PathSegments(vec![As2PathSegment::new(AsPathSegmentType::AsSequence, vec![asn])].into())
    };
    let mut attrs = vec![
        attr(false, true, PathAttributeValue::Origin(Origin::IGP)),
        attr(false, true, PathAttributeValue::AsPath(as_path)),
    ];
    // A 2-byte peer sees AS_TRANS; the real AS travels in AS4_PATH
    // (RFC 6793 §4.2.2).
    if !adv.asn4 && adv.local_asn > u32::from(u16::MAX) {
        attrs.push(attr(true, true, PathAttributeValue::As4Path(As4Path::new(sequence()))));
    }
    if let Some(m) = adv.med {
        attrs.push(attr(
            true,
            false,
            PathAttributeValue::MultiExitDiscriminator(MultiExitDiscriminator::new(m)),
        ));
    }
    attrs
}

fn attr(optional: bool, transitive: bool, value: PathAttributeValue) -> PathAttribute {
    let extended = matches!(value, PathAttributeValue::MpReach(_) | PathAttributeValue::MpUnreach(_));
    match PathAttribute::from(optional, transitive, false, extended, value) {
        Ok(a) => a,
        // The flags above are the ones each attribute's definition fixes.
        Err((value, e)) => unreachable!("attribute flags for {value:?}: {e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nlri(p: &str) -> Ipv4UnicastAddress {
        let net: Ipv4Net = p.parse().unwrap();
        Ipv4UnicastAddress::new_no_path_id(Ipv4Unicast::from_net(net).unwrap())
    }

    fn update(attrs: Vec<PathAttribute>, prefixes: &[&str]) -> BgpUpdateMessage {
        BgpUpdateMessage::new(
            Vec::<Ipv4UnicastAddress>::new(),
            attrs,
            prefixes.iter().map(|p| nlri(p)).collect::<Vec<_>>(),
        )
    }

    fn base(as_path: AsPath) -> Vec<PathAttribute> {
        vec![
            attr(false, true, PathAttributeValue::Origin(Origin::IGP)),
            attr(false, true, PathAttributeValue::AsPath(as_path)),
            attr(
                false,
                true,
                PathAttributeValue::NextHop(NextHop::new(Ipv4Addr::new(10, 0, 0, 1))),
            ),
        ]
    }

    fn as2(asns: &[u16]) -> AsPath {
        AsPath::As2PathSegments(vec![As2PathSegment::new(AsPathSegmentType::AsSequence, asns.to_vec())].into())
    }

    fn as4_path(asns: &[u32]) -> PathAttribute {
        attr(
            true,
            true,
            PathAttributeValue::As4Path(As4Path::new(vec![As4PathSegment::new(
                AsPathSegmentType::AsSequence,
                asns.to_vec(),
            )])),
        )
    }

    fn read_one(u: &BgpUpdateMessage, peer: u32) -> Result<RouteChanges, Notification> {
        read(u, &BgpParsingIgnoredErrors::default(), peer, 64512)
    }

    #[test]
    fn a_two_byte_peer_path_is_completed_from_as4_path() {
        // A 2-byte peer (AS 65001) passes on a route from a 4-byte AS.
        let mut attrs = base(as2(&[65001, crate::AS_TRANS]));
        attrs.push(as4_path(&[4_200_000_001]));
        let got = read_one(&update(attrs, &["192.0.2.0/24"]), 65001).unwrap();
        assert_eq!(got.announced[0].1.as_path, vec![65001, 4_200_000_001]);
    }

    #[test]
    fn as4_path_is_ignored_on_a_four_byte_session() {
        let as4 = AsPath::As4PathSegments(vec![As4PathSegment::new(AsPathSegmentType::AsSequence, vec![65001])].into());
        let mut attrs = base(as4);
        attrs.push(as4_path(&[1, 2, 3]));
        let got = read_one(&update(attrs, &["192.0.2.0/24"]), 65001).unwrap();
        assert_eq!(got.announced[0].1.as_path, vec![65001]);
    }

    #[test]
    fn an_as_set_counts_once_when_as4_path_is_merged() {
        let segments = vec![
            (AsPathSegmentType::AsSequence, vec![23456]),
            (AsPathSegmentType::AsSet, vec![1, 2, 3]),
        ];
        let as4 = vec![(AsPathSegmentType::AsSet, vec![4_200_000_001, 2, 3])];
        let merged = merge_as4_path(segments, Some(as4.clone()));
        assert_eq!(
            merged,
            [vec![(AsPathSegmentType::AsSequence, vec![23456])], as4].concat()
        );
    }

    #[test]
    fn a_repeated_mp_reach_resets_the_session() {
        let reach = || {
            attr(
                true,
                false,
                PathAttributeValue::MpReach(MpReach::Ipv6Unicast {
                    next_hop_global: "2001:db8::1".parse().unwrap(),
                    next_hop_local: None,
                    nlri: Vec::new().into(),
                }),
            )
        };
        let mut attrs = base(as2(&[65001]));
        attrs.push(reach());
        attrs.push(reach());
        assert_eq!(
            read_one(&update(attrs, &[]), 65001),
            Err(Notification::malformed_attribute_list())
        );
    }

    #[test]
    fn a_four_byte_local_as_reaches_a_two_byte_peer_in_as4_path() {
        let adv = Advertised {
            local_asn: 4_200_000_001,
            asn4: false,
            next_hop: Ipv4Addr::new(169, 254, 0, 1),
            next_hop_v6: None,
            med: None,
        };
        let msgs = build(&adv, &["10.0.0.0/16".parse().unwrap()], &[], false);
        let BgpMessage::Update(u) = &msgs[0] else {
            panic!("an UPDATE")
        };
        let values: Vec<&PathAttributeValue> = u.path_attributes().iter().map(|a| a.value()).collect();
        assert!(values.iter().any(
            |v| matches!(v, PathAttributeValue::AsPath(AsPath::As2PathSegments(s)) if s[0].as_numbers() == [crate::AS_TRANS])
        ));
        assert!(
            values.iter().any(
                |v| matches!(v, PathAttributeValue::As4Path(p) if p.segments()[0].as_numbers() == [4_200_000_001])
            )
        );
    }
}
