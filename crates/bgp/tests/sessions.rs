//! Two speakers of this crate against each other over loopback.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use landbridge_bgp::{Config, Event, IpNet, Speaker, Transport};
use tokio::sync::mpsc;
use tokio::time::timeout;

fn config(local_asn: u32, peer_asn: u32, id: u8) -> Config {
    Config {
        local_asn,
        peer_asn,
        router_id: Ipv4Addr::new(10, 0, 0, id),
        hold_time: 30,
        max_prefixes: None,
        md5_key: None,
        next_hop: Ipv4Addr::new(169, 254, 0, id),
        next_hop_v6: None,
        med: None,
        connect_retry_secs: 1,
    }
}

fn prefixes(list: &[&str]) -> BTreeSet<IpNet> {
    list.iter().map(|p| p.parse().unwrap()).collect()
}

/// The next event, failing the test after 10 s.
async fn next(rx: &mut mpsc::Receiver<Event>) -> Event {
    timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("an event within 10 s")
        .expect("the speaker is running")
}

async fn pair(
    passive: Config,
    active: Config,
    addr: &str,
) -> (Speaker, mpsc::Receiver<Event>, Speaker, mpsc::Receiver<Event>) {
    let (ptx, prx) = mpsc::channel(64);
    let (atx, arx) = mpsc::channel(64);
    let listen: SocketAddr = addr.parse().unwrap();
    let p = Speaker::start(Transport::Listen(listen), passive, ptx).await.unwrap();
    let remote = p.local_addr().unwrap();
    let a = Speaker::start(Transport::Connect { remote, local: None }, active, atx)
        .await
        .unwrap();
    (p, prx, a, arx)
}

#[tokio::test]
async fn sessions_establish_exchange_and_withdraw_routes() {
    let (p, mut prx, a, mut arx) = pair(config(64512, 65000, 1), config(65000, 64512, 2), "127.0.0.1:0").await;
    assert!(matches!(next(&mut prx).await, Event::Established { .. }));
    assert!(matches!(next(&mut arx).await, Event::Established { .. }));

    a.advertise(prefixes(&["192.0.2.0/24", "198.51.100.0/24"]));
    let Event::Routes(r) = next(&mut prx).await else {
        panic!("routes expected")
    };
    let got: BTreeSet<IpNet> = r.announced.iter().map(|(p, _)| *p).collect();
    assert_eq!(got, prefixes(&["192.0.2.0/24", "198.51.100.0/24"]));
    let path = &r.announced[0].1;
    assert_eq!(path.as_path, vec![65000]);
    assert_eq!(path.next_hop, Some("169.254.0.2".parse().unwrap()));

    p.advertise(prefixes(&["10.0.0.0/16"]));
    let Event::Routes(r) = next(&mut arx).await else {
        panic!("routes expected")
    };
    assert_eq!(r.announced[0].0, "10.0.0.0/16".parse::<IpNet>().unwrap());
    assert_eq!(r.announced[0].1.as_path, vec![64512]);

    a.advertise(prefixes(&["192.0.2.0/24"]));
    let Event::Routes(r) = next(&mut prx).await else {
        panic!("routes expected")
    };
    assert_eq!(r.withdrawn, vec!["198.51.100.0/24".parse::<IpNet>().unwrap()]);
    assert!(r.announced.is_empty());

    // Taking one side down ends the session on both.
    a.set_enabled(false);
    assert!(matches!(next(&mut prx).await, Event::Down { .. }));
    assert!(matches!(next(&mut arx).await, Event::Down { .. }));
    a.set_enabled(true);
    assert!(matches!(next(&mut prx).await, Event::Established { .. }));
    p.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_peer_over_the_prefix_limit_is_brought_down() {
    let mut limited = config(64512, 65000, 1);
    limited.max_prefixes = Some(2);
    let (p, mut prx, a, mut arx) = pair(limited, config(65000, 64512, 2), "127.0.0.1:0").await;
    assert!(matches!(next(&mut prx).await, Event::Established { .. }));
    assert!(matches!(next(&mut arx).await, Event::Established { .. }));
    a.advertise(prefixes(&["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"]));
    let Event::Down { reason } = next(&mut prx).await else {
        panic!("down expected")
    };
    assert!(reason.contains("more than 2 prefixes"), "{reason}");
    let Event::Down { reason } = next(&mut arx).await else {
        panic!("down expected")
    };
    assert_eq!(reason, "the peer sent maximum number of prefixes reached (6/1)");
    p.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn a_wrong_peer_as_never_establishes() {
    let (p, mut prx, a, _arx) = pair(config(64512, 65001, 1), config(65000, 64512, 2), "127.0.0.1:0").await;
    assert!(timeout(Duration::from_millis(1500), prx.recv()).await.is_err());
    p.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn md5_keys_must_match() {
    let mut keyed = config(64512, 65000, 1);
    keyed.md5_key = Some(b"right".to_vec());
    let mut same = config(65000, 64512, 2);
    same.md5_key = Some(b"right".to_vec());
    let (p, mut prx, a, _arx) = pair(keyed.clone(), same, "127.0.0.1:0").await;
    assert!(matches!(next(&mut prx).await, Event::Established { .. }));
    p.stop().await;
    a.stop().await;

    let mut wrong = config(65000, 64512, 2);
    wrong.md5_key = Some(b"wrong".to_vec());
    let (p, mut prx, a, _arx) = pair(keyed, wrong, "127.0.0.1:0").await;
    assert!(timeout(Duration::from_millis(1500), prx.recv()).await.is_err());
    p.stop().await;
    a.stop().await;
}

#[tokio::test]
async fn ipv6_prefixes_travel_in_mp_reach_and_unreach() {
    let mut v6 = config(64512, 65000, 1);
    v6.next_hop_v6 = Some("2001:db8::1".parse().unwrap());
    let (p, mut prx, a, mut arx) = pair(v6, config(65000, 64512, 2), "127.0.0.1:0").await;
    assert!(matches!(next(&mut prx).await, Event::Established { .. }));
    assert!(matches!(next(&mut arx).await, Event::Established { .. }));
    p.advertise(prefixes(&["2001:db8:100::/48", "10.0.0.0/16"]));
    let mut got = BTreeSet::new();
    while got.len() < 2 {
        let Event::Routes(r) = next(&mut arx).await else {
            panic!("routes expected")
        };
        for (prefix, path) in r.announced {
            if prefix.addr().is_ipv6() {
                assert_eq!(path.next_hop, Some("2001:db8::1".parse().unwrap()));
            }
            got.insert(prefix);
        }
    }
    assert_eq!(got, prefixes(&["2001:db8:100::/48", "10.0.0.0/16"]));
    p.advertise(prefixes(&["10.0.0.0/16"]));
    let Event::Routes(r) = next(&mut arx).await else {
        panic!("routes expected")
    };
    assert_eq!(r.withdrawn, vec!["2001:db8:100::/48".parse::<IpNet>().unwrap()]);
    p.stop().await;
    a.stop().await;
}
