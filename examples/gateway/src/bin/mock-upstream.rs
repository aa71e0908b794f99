//! A mock upstream for trying the gateway and for `scripts/load-gateway.sh`:
//! `mock-upstream [LISTEN_ADDR]` (default `127.0.0.1:9001`). See
//! [`gateway::mock`] for what it answers.

use std::net::SocketAddr;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let listen = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".to_owned());
    let addr: SocketAddr = match listen.parse() {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("mock-upstream: invalid listen address `{listen}`: {e}");
            return ExitCode::from(2);
        }
    };
    match gateway::mock::Mock::spawn(addr).await {
        Ok(mock) => println!("mock upstream listening on http://{}", mock.addr()),
        Err(e) => {
            eprintln!("mock-upstream: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    }
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
