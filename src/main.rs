use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use hetki::cli::{Cli, Command, exit_code, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let window = matches!(cli.command, None | Some(Command::Run));
    if window {
        // SAFETY: no thread has started yet.
        unsafe { hetki::run::skip_compose_table() };
    }
    // The kiosk and an upload tell their journal what they do; a one-off command's output is
    // its answer, and only warnings go beside it.
    let quiet = !(window || matches!(cli.command, Some(Command::Sync { .. })));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| if quiet { "warn" } else { "info" }.into()),
        )
        .init();
    end_if_a_worker_panics();
    match run(cli) {
        Ok(code) => code,
        // `export | head`: the reader had enough, which is no failure.
        Err(error) if hetki_protocol::errors::is_broken_pipe(error.as_ref()) => ExitCode::SUCCESS,
        Err(error) => {
            // One problem a line, each said to come from here.
            for line in hetki_protocol::errors::one_line(error.as_ref()).lines() {
                eprintln!("hetki: {line}");
            }
            exit_code(&error)
        }
    }
}

/// A panic in the store or upload thread would end only that thread: the kiosk would stay
/// up, out of order for good or silently not uploading, where systemd cannot see it. The
/// whole process ends instead, and is restarted; what was committed is on disk.
fn end_if_a_worker_panics() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report(info);
        if matches!(
            std::thread::current().name(),
            Some("hetki-store" | "hetki-upload")
        ) {
            eprintln!("hetki: a worker thread failed; stopping so that the kiosk is restarted");
            std::process::abort();
        }
    }));
}
