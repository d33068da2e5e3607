//! The `landbridge` binary: command line, logging, data directory, signals.
//! Everything else lives in the library crates.

mod bgp_cmd;
mod cli;
mod datasync_cmd;
mod http_client;
mod sigv4;
mod state_cmd;
mod world_cmd;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use landbridge_server::registry::Registry;
use landbridge_server::{AppState, Config};
use landbridge_store::{SqliteBackend, Store, SyncMode};

use cli::{Cli, Command, ServeArgs, StateCommand};

fn main() -> Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("landbridge")
        .build()
        .context("starting the async runtime")?;
    match cli.command {
        Some(Command::Serve(args)) => {
            init_logging(&args.log_level)?;
            runtime.block_on(serve(args))
        }
        None => {
            init_logging(&cli.serve.log_level)?;
            runtime.block_on(serve(cli.serve))
        }
        Some(Command::Bgp(args)) => {
            init_logging(&cli.serve.log_level)?;
            runtime.block_on(bgp_cmd::run(args))
        }
        Some(Command::Datasync { command, endpoint }) => match command {
            cli::DatasyncCommand::Watch { execution_arn } => datasync_cmd::watch(&endpoint, &execution_arn),
        },
        Some(Command::World {
            command,
            endpoint,
            account,
            region,
        }) => world_cmd::run(&endpoint, &account, &region, command),
        Some(Command::State { command }) => match command {
            StateCommand::Export {
                file,
                service,
                data_dir,
            } => state_cmd::export(&resolve_data_dir(data_dir)?, &file, service.as_deref()),
            StateCommand::Import {
                file,
                service,
                data_dir,
            } => runtime.block_on(state_cmd::import(
                &resolve_data_dir(data_dir)?,
                &file,
                service.as_deref(),
            )),
        },
    }
}

fn resolve_data_dir(dir: Option<PathBuf>) -> Result<PathBuf> {
    match dir {
        Some(d) => Ok(d),
        None => dirs::data_dir()
            .map(|d| d.join("landbridge"))
            .context("no user data directory; pass --data-dir"),
    }
}

fn init_logging(level: &str) -> Result<()> {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).with_context(|| format!("invalid --log-level {level:?}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
    Ok(())
}

/// The data directory, and the guard that removes it on exit when it is
/// ephemeral.
fn data_dir(args: &ServeArgs) -> Result<(PathBuf, Option<tempfile::TempDir>)> {
    if args.ephemeral {
        let tmp = tempfile::Builder::new()
            .prefix("landbridge-")
            .tempdir()
            .context("creating an ephemeral data directory")?;
        return Ok((tmp.path().to_path_buf(), Some(tmp)));
    }
    let dir = resolve_data_dir(args.data_dir.clone())?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating data directory {}", dir.display()))?;
    Ok((dir, None))
}

async fn serve(args: ServeArgs) -> Result<()> {
    let (dir, ephemeral_guard) = data_dir(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let db = dir.join(state_cmd::STATE_FILE);
    let backend = SqliteBackend::open(&db, SyncMode::Normal).with_context(|| format!("opening {}", db.display()))?;
    let (store, records) = Store::start(Box::new(backend))?;
    tracing::info!(records = records.len(), "state restored from {}", db.display());
    let lifecycle = match args.lifecycle {
        landbridge_lifecycle::Mode::Instant => landbridge_lifecycle::Lifecycle::instant(),
        landbridge_lifecycle::Mode::Realistic => landbridge_lifecycle::Lifecycle::realistic(args.time_scale),
    };
    let storage = match &args.object_store {
        Some(url) => landbridge_objects::Storage::S3(
            landbridge_objects::S3Target::parse(url, args.object_store_endpoint.clone(), &args.object_store_region)
                .map_err(anyhow::Error::msg)?,
        ),
        None => landbridge_objects::Storage::Local(dir.join("objects")),
    };
    let objects = landbridge_objects::Objects::open_on(storage, store.clone(), records.clone())
        .await
        .context("opening the object store")?;
    let sts = landbridge_sts::Sts::new(store.clone(), &records);
    let s3 = landbridge_s3::S3::new(objects.clone(), &args.default_account, std::sync::Arc::new(sts.clone()))
        .service(args.enforce_sigv4.then_some(args.credential.as_slice()));
    let registry = Registry::standard(
        store,
        records,
        lifecycle,
        objects,
        sts,
        args.fabric_pool,
        landbridge_server::registry::Places {
            data_dir: Some(dir.clone()),
            lambda_endpoint: args.lambda_endpoint.clone(),
        },
    )?;
    if let Some(ec2) = registry.ec2() {
        ec2.start_data_planes(landbridge_ec2::BgpSettings {
            port: args.bgp_port,
            max_prefixes: args.bgp_max_prefixes,
        });
    }
    if let Some(ds) = registry.datasync() {
        ds.start_data_planes().await;
    }
    if let Some(t) = registry.transfer() {
        t.start_data_planes().await;
    }
    let state = Arc::new(AppState::new(
        Config {
            default_account: args.default_account.clone(),
            data_dir: dir.clone(),
            lifecycle,
        },
        registry,
        s3,
        args.enforce_sigv4,
    ));
    tracing::info!(data_dir = %dir.display(), "state in {}", dir.display());
    let shutdown = shutdown_signal()?;
    // The one line on stdout: scripts and tests read it to learn the port.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "landbridge listening on http://{addr}")?;
    stdout.flush()?;

    landbridge_server::run(listener, state, shutdown).await?;
    tracing::info!("stopped");
    drop(ephemeral_guard);
    Ok(())
}

/// Completes on SIGINT or SIGTERM. The handlers are installed before the
/// ready line is printed, so a signal sent as soon as the port is known is
/// never missed (the default action would kill the process unflushed).
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut terminate = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT: shutting down"),
            _ = terminate.recv() => tracing::info!("SIGTERM: shutting down"),
        }
    })
}
