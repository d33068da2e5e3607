//! The `landbridge` binary: command line, logging, data directory, signals.
//! Everything else lives in the library crates.

mod cli;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;
use landbridge_server::registry::Registry;
use landbridge_server::{AppState, Config};

use cli::{Cli, Command, ServeArgs};

fn main() -> Result<()> {
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        None => cli.serve,
    };
    init_logging(&args.log_level)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("landbridge")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(args))
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
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .map(|d| d.join("landbridge"))
            .context("no user data directory; pass --data-dir")?,
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("creating data directory {}", dir.display()))?;
    Ok((dir, None))
}

async fn serve(args: ServeArgs) -> Result<()> {
    let (dir, ephemeral_guard) = data_dir(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState::new(
        Config {
            default_account: args.default_account.clone(),
            data_dir: dir.clone(),
        },
        Registry::standard(),
    ));
    tracing::info!(data_dir = %dir.display(), "state in {}", dir.display());
    // The one line on stdout: scripts and tests read it to learn the port.
    let mut stdout = std::io::stdout();
    writeln!(stdout, "landbridge listening on http://{addr}")?;
    stdout.flush()?;

    landbridge_server::run(listener, state, shutdown_signal()).await?;
    tracing::info!("stopped");
    drop(ephemeral_guard);
    Ok(())
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT: shutting down"),
        () = terminate => tracing::info!("SIGTERM: shutting down"),
    }
}
