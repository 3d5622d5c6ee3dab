use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use hetki::cli::{Cli, exit_code, run};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("hetki: {error:#}");
            exit_code(&error)
        }
    }
}
