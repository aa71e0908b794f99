//! Prints the demo snapshot: `cargo run -p gateway --example demo_snapshot >
//! examples/gateway/demo/registry.json`.

use std::process::ExitCode;

fn main() -> ExitCode {
    match gateway::demo::registry() {
        Ok(registry) => {
            println!("{}", registry.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo_snapshot: {e}");
            ExitCode::FAILURE
        }
    }
}
