//! Every command-line flag, in one place. Each flag can also be set with a
//! `LANDBRIDGE_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "landbridge",
    version,
    about = "Local AWS hybrid connectivity and migration services, with real data planes"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Options for `serve` (what plain `landbridge` runs).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the emulator (the default).
    Serve(ServeArgs),
    /// Export or import stored state (while Landbridge is stopped).
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// Run one BGP session with Landbridge's speaker and print its events
    /// as JSON lines, until interrupted.
    Bgp(BgpArgs),
    /// DataSync helpers that speak the DataSync API of a running Landbridge.
    Datasync {
        #[command(subcommand)]
        command: DatasyncCommand,
        /// The running Landbridge.
        #[arg(
            long,
            global = true,
            env = "LANDBRIDGE_ENDPOINT",
            default_value = "http://127.0.0.1:4566"
        )]
        endpoint: String,
    },
    /// Events of the physical world that have no AWS API, sent to a
    /// running Landbridge.
    World {
        #[command(subcommand)]
        command: WorldCommand,
        /// The running Landbridge.
        #[arg(
            long,
            global = true,
            env = "LANDBRIDGE_ENDPOINT",
            default_value = "http://127.0.0.1:4566"
        )]
        endpoint: String,
        /// The account that owns the resource.
        #[arg(
            long,
            global = true,
            env = "LANDBRIDGE_DEFAULT_ACCOUNT",
            default_value = "000000000000"
        )]
        account: String,
        #[arg(long, global = true, env = "AWS_DEFAULT_REGION", default_value = "us-east-1")]
        region: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DatasyncCommand {
    /// Follow a task execution to its end with a progress bar (files,
    /// bytes, rate, ETA); exits 1 if it ends in ERROR.
    Watch {
        /// `arn:aws:datasync:REGION:ACCOUNT:task/task-.../execution/exec-...`
        execution_arn: String,
    },
}

/// `landbridge bgp`: Landbridge's BGP speaker on its own, to try a
/// router's configuration against it.
#[derive(Debug, Args)]
pub struct BgpArgs {
    /// Wait for the peer on this address (`IP:PORT`).
    #[arg(long, conflicts_with = "connect", required_unless_present = "connect")]
    pub listen: Option<SocketAddr>,
    /// Connect to the peer at this address (`IP:PORT`).
    #[arg(long)]
    pub connect: Option<SocketAddr>,
    #[arg(long)]
    pub local_as: u32,
    #[arg(long)]
    pub peer_as: u32,
    /// Router id, and the next hop of what is advertised.
    #[arg(long, default_value = "192.0.2.1")]
    pub router_id: std::net::Ipv4Addr,
    #[arg(long, default_value_t = 30)]
    pub hold_time: u16,
    /// TCP-MD5 key (RFC 2385).
    #[arg(long)]
    pub md5_key: Option<String>,
    /// A prefix to advertise (repeatable).
    #[arg(long)]
    pub advertise: Vec<landbridge_bgp::IpNet>,
}

#[derive(Debug, Subcommand)]
pub enum WorldCommand {
    /// Cut (`down`) or restore (`up`) a VPN tunnel.
    VpnTunnel {
        vpn_connection_id: String,
        outside_ip: String,
        #[arg(value_parser = ["up", "down"])]
        state: String,
    },
    /// Start a DataSync agent appliance on a fabric address and print its
    /// address; `stop ADDRESS` and `start ADDRESS` stop and restart one,
    /// `list` shows them.
    DatasyncAgent {
        #[command(subcommand)]
        action: Option<ApplianceAction>,
        /// Listen on this port instead of 80 (or a free one when 80 is
        /// not allowed).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Map a file server's export to a local directory, as DataSync agents
    /// see it mounted: `share add SERVER:EXPORT DIR`, `share remove
    /// SERVER:EXPORT`, `share list`.
    Share {
        #[command(subcommand)]
        action: ShareAction,
    },
    /// Show Landbridge's clock; `clock advance 1h` moves it forward (never
    /// back), so that schedules fall due without waiting for them.
    Clock {
        #[command(subcommand)]
        action: Option<ClockAction>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClockAction {
    /// By SECONDS, or a number with `s`, `m`, `h` or `d` (`90m`, `1h`, `2d`).
    Advance {
        #[arg(value_parser = parse_duration)]
        by: f64,
    },
}

/// Seconds from `3600`, `90s`, `90m`, `1h` or `2d`.
fn parse_duration(text: &str) -> Result<f64, String> {
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        _ => (text, 's'),
    };
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86_400.0,
        _ => return Err(format!("{text}: the unit is one of s, m, h, d")),
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok(n * scale),
        _ => Err(format!("{text}: not a positive duration")),
    }
}

#[derive(Debug, Subcommand)]
pub enum ApplianceAction {
    Stop { address: String },
    Start { address: String },
    List,
}

#[derive(Debug, Subcommand)]
pub enum ShareAction {
    /// SERVER is a host name or a file system id (`fs-...`); EXPORT an
    /// absolute path.
    Add {
        share: String,
        local_dir: PathBuf,
    },
    Remove {
        share: String,
    },
    List,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// Write the whole state, or one service's, to FILE as JSON.
    Export {
        file: PathBuf,
        /// Only this service (e.g. `ec2`).
        #[arg(long)]
        service: Option<String>,
        #[arg(long, env = "LANDBRIDGE_DATA_DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Replace the state of every service in FILE (or only `--service`)
    /// with FILE's records.
    Import {
        file: PathBuf,
        #[arg(long)]
        service: Option<String>,
        #[arg(long, env = "LANDBRIDGE_DATA_DIR")]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address of the AWS API listener. Port 0 picks a free port; the bound
    /// address is printed on stdout.
    #[arg(long, env = "LANDBRIDGE_LISTEN", default_value = "127.0.0.1:4566")]
    pub listen: SocketAddr,

    /// Where state and objects live [default: the user's data directory,
    /// e.g. ~/.local/share/landbridge].
    #[arg(long, env = "LANDBRIDGE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Use a throw-away data directory, removed on exit.
    #[arg(long, env = "LANDBRIDGE_EPHEMERAL", conflicts_with = "data_dir")]
    pub ephemeral: bool,

    /// The account for requests whose access key id is not a 12-digit
    /// account id.
    #[arg(long, env = "LANDBRIDGE_DEFAULT_ACCOUNT", default_value = "000000000000", value_parser = parse_account)]
    pub default_account: String,

    /// How asynchronous resources move through their AWS states: `instant`
    /// (final state at once) or `realistic` (AWS's order and AWS-like delays).
    #[arg(long, env = "LANDBRIDGE_LIFECYCLE", default_value = "instant")]
    pub lifecycle: landbridge_lifecycle::Mode,

    /// Multiplies the realistic lifecycle's delays (0.1 is ten times faster).
    #[arg(long, env = "LANDBRIDGE_TIME_SCALE", default_value_t = 1.0, value_parser = parse_scale)]
    pub time_scale: f64,

    /// Check SigV4 signatures of S3 requests against the `--credential`
    /// key pairs (by default any credentials are accepted).
    #[arg(long, env = "LANDBRIDGE_ENFORCE_SIGV4", requires = "credential")]
    pub enforce_sigv4: bool,

    /// An access key pair `ACCESS_KEY_ID:SECRET` for `--enforce-sigv4`;
    /// repeat for several (the variable takes them comma-separated).
    #[arg(long, env = "LANDBRIDGE_CREDENTIALS", value_delimiter = ',', value_parser = parse_credential)]
    pub credential: Vec<(String, String)>,

    /// Keep object bytes on another S3, `s3://BUCKET[/PREFIX]` (AWS, a
    /// cluster, another Landbridge), instead of the data directory. Records
    /// stay local; credentials come from AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
    #[arg(long, env = "LANDBRIDGE_OBJECT_STORE")]
    pub object_store: Option<String>,

    /// The endpoint of `--object-store` (e.g. http://10.0.0.5:9000) when it
    /// is not AWS.
    #[arg(long, env = "LANDBRIDGE_OBJECT_STORE_ENDPOINT", requires = "object_store")]
    pub object_store_endpoint: Option<String>,

    /// The region of `--object-store`'s bucket.
    #[arg(long, env = "LANDBRIDGE_OBJECT_STORE_REGION", default_value = "us-east-1")]
    pub object_store_region: String,

    /// Where Lambda functions are invoked (the Lambda Invoke API, e.g. another
    /// emulator's http://127.0.0.1:4567): Transfer Family servers whose
    /// identity provider is AWS_LAMBDA call their function there.
    #[arg(long, env = "LANDBRIDGE_LAMBDA_ENDPOINT")]
    pub lambda_endpoint: Option<String>,

    /// The block of 127.0.0.0/8 data-plane endpoints (VPN tunnel outside
    /// addresses) are allocated from. Two Landbridges on one machine need
    /// different blocks.
    #[arg(long, env = "LANDBRIDGE_FABRIC_POOL", default_value = "127.100.0.0/16", value_parser = parse_fabric_pool)]
    pub fabric_pool: landbridge_ec2::cidr::Ipv4Cidr,

    /// The port VPN tunnels' BGP speakers listen on, each on its tunnel's
    /// outside address. When it cannot be bound, the system picks one
    /// (see `GET /_landbridge/endpoints`).
    #[arg(long, env = "LANDBRIDGE_BGP_PORT", default_value_t = 179)]
    pub bgp_port: u16,

    /// Prefixes a customer gateway may announce on one VPN BGP session
    /// before the session is brought down (AWS: 100).
    #[arg(long, env = "LANDBRIDGE_BGP_MAX_PREFIXES", default_value_t = 100)]
    pub bgp_max_prefixes: u32,

    /// Log filter: error, warn, info, debug, trace, or a tracing filter
    /// such as `landbridge_server=debug`.
    #[arg(long, env = "LANDBRIDGE_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
}

fn parse_fabric_pool(s: &str) -> Result<landbridge_ec2::cidr::Ipv4Cidr, String> {
    match landbridge_ec2::cidr::Ipv4Cidr::parse(s) {
        Some(c) if c.network().octets()[0] == 127 && c.prefix() <= 30 => Ok(c),
        _ => Err(format!("{s:?} is not a block of 127.0.0.0/8 (at most /30)")),
    }
}

fn parse_credential(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("{s:?} is not ACCESS_KEY_ID:SECRET")),
    }
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 => Ok(f),
        _ => Err(format!("{s:?} is not a non-negative number")),
    }
}

fn parse_account(s: &str) -> Result<String, String> {
    if s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not a 12-digit AWS account id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations_take_units() {
        assert_eq!(parse_duration("3600"), Ok(3600.0));
        assert_eq!(parse_duration("90m"), Ok(5400.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("2d"), Ok(172_800.0));
        for bad in ["", "h", "-1h", "0", "3w", "inf", "NaNs"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn plain_invocation_serves_on_4566() {
        let cli = Cli::try_parse_from(["landbridge"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.listen.port(), 4566);
        assert_eq!(cli.serve.default_account, "000000000000");
    }

    #[test]
    fn serve_takes_its_flags() {
        let cli = Cli::try_parse_from(["landbridge", "serve", "--listen", "127.0.0.1:0", "--ephemeral"]).unwrap();
        let Some(Command::Serve(args)) = cli.command else {
            panic!("expected serve");
        };
        assert!(args.ephemeral);
        assert_eq!(args.listen.port(), 0);
    }

    #[test]
    fn refuses_a_malformed_account() {
        assert!(Cli::try_parse_from(["landbridge", "--default-account", "12345"]).is_err());
    }
}
