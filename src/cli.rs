//! The command line: `hetki [run|check|screenshot|simulate|sync|status|export]`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use hetki_protocol::{Display, DisplayTheme, Language};

use crate::config::{BufferConfig, ConfigError, DEFAULT_CONFIG_PATH, KioskConfig};
use crate::export::Format;
use crate::store::{Database, StoreOptions};

/// EX_CONFIG from sysexits.h: the configuration is wrong (a usage error exits with 2).
pub const EXIT_CONFIG: u8 = 78;

/// `hetki --version`: also which display back-end is built in, as a binary built without
/// `kms` cannot draw on a Pi with no desktop.
const VERSION: &str = if cfg!(feature = "kms") {
    concat!(env!("CARGO_PKG_VERSION"), " (kms and winit)")
} else {
    concat!(env!("CARGO_PKG_VERSION"), " (winit; no kms)")
};

#[derive(Parser, Debug)]
#[command(
    name = "hetki",
    version = VERSION,
    about = "On-site feedback kiosk: touch surveys stored durably, offline first"
)]
pub struct Cli {
    /// The device config file.
    #[arg(long, global = true, default_value = DEFAULT_CONFIG_PATH)]
    pub config: PathBuf,
    /// Keep the response buffer here instead of the config's data_dir.
    #[arg(long, global = true)]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the kiosk window (the default).
    Run,
    /// Validate the config and its survey; exit 0, or 78 with what is wrong.
    Check,
    /// Render every screen to PNG without a display.
    Screenshot {
        #[arg(long)]
        out: PathBuf,
        /// WIDTHxHEIGHT in pixels.
        #[arg(long, default_value = "1280x800", value_parser = parse_size)]
        size: (u32, u32),
        /// fi, sv or en; defaults to the config's default language.
        #[arg(long, value_parser = parse_language)]
        lang: Option<Language>,
        /// The display theme.
        #[arg(long, value_enum, default_value_t = ThemeArg::Default)]
        theme: ThemeArg,
        /// The text size.
        #[arg(long, value_enum, default_value_t = TextArg::Normal)]
        text: TextArg,
        /// As in test mode: its banner on every screen residents see.
        #[arg(long)]
        test_mode: bool,
    },
    /// Play N respondents through the kiosk's answer → store path; print each id once committed.
    Simulate {
        #[arg(long)]
        count: u64,
        /// Seed for the answers picked.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Store them as real answers, counted in results and uploaded as such, even when staff
        /// have test mode on. Without it they are test answers: a trial on a kiosk in service
        /// then counts nowhere.
        #[arg(long)]
        real: bool,
    },
    /// Print the hash of a staff PIN (read from standard input) for the device file's
    /// `[panel] pin_hash`.
    PinHash,
    /// Upload to the collector now.
    Sync {
        /// Upload what is pending and exit: 0 when nothing is left pending.
        #[arg(long, required = true)]
        once: bool,
        /// The collector's base URL (overrides upload.endpoint).
        #[arg(long)]
        endpoint: Option<String>,
        /// The file holding this device's token (overrides upload.token_file).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Send the responses the collector rejected once more (after what it refused has
        /// been put right, e.g. an outdated collector updated).
        #[arg(long)]
        retry_rejected: bool,
    },
    /// Show what is stored, pending, delivered and rejected, and how uploading goes.
    Status,
    /// Write every stored response to standard output.
    Export {
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeArg {
    Default,
    HighContrast,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TextArg {
    Normal,
    Large,
}

fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .ok_or("expected WIDTHxHEIGHT, e.g. 1280x800")?;
    let parse = |n: &str| {
        n.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (64..=8192).contains(n))
    };
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err("width and height are whole numbers from 64 to 8192".into()),
    }
}

fn parse_language(code: &str) -> Result<Language, String> {
    Language::from_code(code).ok_or_else(|| format!("{code:?} is not one of fi, sv, en"))
}

/// Runs the command; errors come back for the binary to print and map to an exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Some(Command::PinHash) = cli.command {
        // Needs no configuration: staff make the hash before the device file exists.
        let mut pin = String::new();
        std::io::stdin().read_line(&mut pin)?;
        let pin = pin.trim();
        anyhow::ensure!(
            (4..=12).contains(&pin.len()) && pin.chars().all(|c| c.is_ascii_digit()),
            "a PIN is 4 to 12 digits"
        );
        println!(
            "{}",
            crate::pin::hash_pin(pin).context("no randomness for a salt")?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let command = cli.command.unwrap_or(Command::Run);
    if matches!(
        command,
        Command::Sync { .. } | Command::Status | Command::Export { .. }
    ) {
        return run_on_buffer(command, &cli.config, cli.data);
    }
    let mut config = KioskConfig::load(&cli.config)?;
    let data_field = if cli.data.is_some() {
        "--data"
    } else {
        "data_dir"
    };
    if let Some(data) = cli.data {
        config.data_dir = data;
    }
    match command {
        Command::Run => crate::run::run(&config)?,
        Command::Check => {
            // Pictures are part of the configuration: load them as the kiosk would.
            crate::ui_adapter::Scenery::load(&config)?;
            if let Some(message) = crate::config::unwritable_data_dir(&config.data_dir) {
                return Err(
                    ConfigError::one(&config.config_file, Some(data_field), message).into(),
                );
            }
            for problem in config.warnings() {
                eprintln!("hetki: warning: {problem}");
            }
            println!(
                "{}: ok (survey {} version {}, {} questions)",
                cli.config.display(),
                config.survey().id,
                config.survey().content_hash(),
                config.survey().questions.len()
            );
        }
        Command::Screenshot {
            out,
            size,
            lang,
            theme,
            text,
            test_mode,
        } => {
            let language = lang.unwrap_or(config.default_language);
            let display = Display {
                theme: match theme {
                    ThemeArg::Default => DisplayTheme::Default,
                    ThemeArg::HighContrast => DisplayTheme::HighContrast,
                },
                large_text: text == TextArg::Large,
            };
            for path in
                crate::screenshot::render_all(&config, &out, size, (language, display), test_mode)?
            {
                println!("{}", path.display());
            }
        }
        Command::Simulate { count, seed, real } => {
            let test = !real;
            crate::simulate::simulate(&config, count, seed, test, &mut std::io::stdout().lock())?;
        }
        Command::PinHash | Command::Sync { .. } | Command::Status | Command::Export { .. } => {
            unreachable!("handled before the config is loaded")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `sync`, `status` and `export` reach what is already stored. A mistake in the rest of the
/// configuration (a broken survey file, say) keeps the kiosk from starting, but here it is
/// only a warning: it must not keep the answers taken from being uploaded or exported.
fn run_on_buffer(
    command: Command,
    config_file: &Path,
    data: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut config = match KioskConfig::load(config_file) {
        Ok(config) => config.buffer(),
        Err(whole) => {
            // Every problem is shown when the buffer's own fields are wrong too.
            let config = BufferConfig::load(config_file).map_err(|_| whole.clone())?;
            eprintln!(
                "hetki: warning: the kiosk will not start until this is mended (`hetki check` \
                 checks it); the answers already stored are not affected:"
            );
            for problem in &whole.problems {
                eprintln!("hetki: warning: {problem}");
            }
            config
        }
    };
    if let Some(data) = data {
        config.data_dir = data;
    }
    match command {
        Command::Sync {
            once: _,
            endpoint,
            token_file,
            retry_rejected,
        } => {
            let delivered = crate::sync::sync_once(&config, endpoint, token_file, retry_rejected)?;
            eprintln!("hetki: nothing pending ({delivered} delivered now)");
        }
        Command::Status => crate::sync::print_status(&config, &mut std::io::stdout().lock())?,
        Command::Export { format } => {
            let db = Database::open_for_reading(&config.database_path(), &StoreOptions::default())?;
            let count =
                crate::export::export(&db, format, config.time_zone, &mut std::io::stdout().lock())
                    .context("export failed")?;
            tracing::info!(count, "exported");
        }
        _ => unreachable!("only commands on the stored answers come here"),
    }
    Ok(ExitCode::SUCCESS)
}

/// The exit code for an error: 78 for a bad configuration, 1 for anything else.
pub fn exit_code(error: &anyhow::Error) -> ExitCode {
    if error.downcast_ref::<ConfigError>().is_some() {
        ExitCode::from(EXIT_CONFIG)
    } else {
        ExitCode::FAILURE
    }
}
