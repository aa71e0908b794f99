//! The gateway binary: `gateway CONFIG [LISTEN_ADDR]` (default `127.0.0.1:8080`).
//!
//! Reloads the configuration and snapshot on SIGHUP, and when either file's
//! modification time or size changes (checked every second). A reload that
//! fails is reported on stderr and the previous state keeps serving.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use gateway::{Config, Gateway};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(config), listen) = (args.next(), args.next()) else {
        eprintln!("usage: gateway CONFIG [LISTEN_ADDR]   (default 127.0.0.1:8080)");
        return ExitCode::from(2);
    };
    let listen = listen.unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let addr: SocketAddr = match listen.parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("gateway: invalid listen address `{listen}`: {e}");
            return ExitCode::from(2);
        }
    };
    let gateway = match Gateway::load(PathBuf::from(config)) {
        Ok(gateway) => gateway,
        Err(e) => {
            eprintln!("gateway: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("gateway: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(local) => println!("gateway listening on http://{local}"),
        Err(e) => eprintln!("gateway: {e}"),
    }
    tokio::spawn(reload_on_sighup(Arc::clone(&gateway)));
    tokio::spawn(reload_on_change(Arc::clone(&gateway)));
    if let Err(e) = gateway.serve(listener).await {
        eprintln!("gateway: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn reload(gateway: &Gateway, why: &str) {
    match gateway.reload() {
        Ok(generation) => eprintln!("gateway: reloaded ({why}), generation {generation}"),
        Err(e) => {
            eprintln!("gateway: reload ({why}) failed, still serving the previous state: {e}")
        }
    }
}

async fn reload_on_sighup(gateway: Arc<Gateway>) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = match signal(SignalKind::hangup()) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!("gateway: cannot listen for SIGHUP: {e}");
            return;
        }
    };
    while hangups.recv().await.is_some() {
        reload(&gateway, "SIGHUP");
    }
}

/// (modification time, size) of the configuration and its snapshot.
fn stamp(config: &Path) -> Vec<Option<(SystemTime, u64)>> {
    let snapshot = Config::read(config).map(|c| c.snapshot).ok();
    [Some(config.to_path_buf()), snapshot]
        .into_iter()
        .map(|path| {
            let meta = std::fs::metadata(path?).ok()?;
            Some((meta.modified().ok()?, meta.len()))
        })
        .collect()
}

async fn reload_on_change(gateway: Arc<Gateway>) {
    let mut last = stamp(gateway.config_path());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = stamp(gateway.config_path());
        if now != last {
            last = now;
            reload(&gateway, "file changed");
        }
    }
}
