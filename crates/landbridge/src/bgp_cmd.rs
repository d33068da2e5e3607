//! `landbridge bgp`: one session of Landbridge's BGP speaker, its events
//! printed as JSON lines on stdout, so a router's configuration (timers,
//! TCP-MD5 key, prefixes) can be tried against it without any AWS
//! resource.

use std::io::Write;

use anyhow::{Context, Result};
use landbridge_bgp::{Config, Event, Speaker, Transport};
use serde_json::json;
use tokio::sync::mpsc;

use crate::cli::BgpArgs;

pub async fn run(args: BgpArgs) -> Result<()> {
    let transport = match (args.listen, args.connect) {
        (Some(addr), _) => Transport::Listen(addr),
        (None, Some(remote)) => Transport::Connect { remote, local: None },
        (None, None) => anyhow::bail!("--listen or --connect is required"),
    };
    let cfg = Config {
        local_asn: args.local_as,
        peer_asn: args.peer_as,
        router_id: args.router_id,
        hold_time: args.hold_time,
        max_prefixes: None,
        md5_key: args.md5_key.map(String::into_bytes),
        next_hop: args.router_id,
        next_hop_v6: None,
        med: None,
        connect_retry_secs: 5,
    };
    let (tx, mut rx) = mpsc::channel(64);
    let speaker = Speaker::start(transport, cfg, tx)
        .await
        .context("starting the speaker")?;
    speaker.advertise(args.advertise.into_iter().collect());
    print(json!({ "event": "started", "listening": speaker.local_addr().map(|a| a.to_string()) }))?;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => break,
            event = rx.recv() => match event {
                Some(e) => print(describe(e))?,
                None => break,
            },
        }
    }
    speaker.stop().await;
    Ok(())
}

fn describe(event: Event) -> serde_json::Value {
    match event {
        Event::Established { remote } => json!({ "event": "established", "remote": remote.to_string() }),
        Event::Down { reason } => json!({ "event": "down", "reason": reason }),
        Event::Routes(r) => json!({
            "event": "routes",
            "announced": r.announced.iter().map(|(p, path)| json!({
                "prefix": p.to_string(),
                "asPath": path.as_path,
                "nextHop": path.next_hop.map(|h| h.to_string()),
                "med": path.med,
            })).collect::<Vec<_>>(),
            "withdrawn": r.withdrawn.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    }
}

fn print(v: serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{v}")?;
    out.flush()?;
    Ok(())
}
