use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{NaiveDate, SecondsFormat, Utc};
use chrono_tz::Tz;
use clap::{Parser, Subcommand};
use hetki_collector::export::{Format, Selection, export};
use hetki_collector::names::Names;
use hetki_collector::period::{self, Days};
use hetki_collector::publish::{Publication, publish};
use hetki_collector::results::{self, GroupBy};
use hetki_collector::{SqliteStorage, Storage, token};
use hetki_protocol::{Language, SurveyDefinition};

#[derive(Parser, Debug)]
#[command(
    name = "hetki-collector",
    version,
    about = "Hetki's central endpoint for kiosk uploads"
)]
struct Cli {
    /// The collector's SQLite database.
    #[arg(
        long,
        global = true,
        default_value = "collector.sqlite3",
        env = "HETKI_COLLECTOR_DB"
    )]
    db: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the upload API; prints "listening on ADDR" once it accepts connections.
    Serve {
        /// An address and port (127.0.0.1:8080, [::1]:8080) or a host name and port
        /// (localhost:8080).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Seconds a client gets to send a request's headers before its connection is
        /// closed.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout: u64,
    },
    /// Register, list and revoke kiosks.
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// Write the stored responses to standard output, in the order received.
    Export {
        /// Only this survey's responses.
        #[arg(long)]
        survey: Option<String>,
        /// Test-mode answers too (left out by default: they never count in results).
        #[arg(long)]
        include_test: bool,
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        #[command(flatten)]
        days: Days,
        /// Where staff read the time: the CSV's local-time columns and the days of --from
        /// and --to (an IANA name).
        #[arg(long, default_value = "Europe/Helsinki", value_parser = parse_time_zone)]
        time_zone: Tz,
    },
    /// Each question's answers: how many respondents gave each, for all events together or
    /// per event, area or topic. Test-mode answers are left out.
    Results {
        #[arg(long)]
        survey: String,
        #[arg(long, value_enum, default_value_t = GroupBy::All)]
        by: GroupBy,
        /// The language of the results (question texts, answer labels and what is said
        /// around them): fi, sv or en.
        #[arg(long, default_value = "fi", value_parser = parse_language)]
        lang: Language,
        #[arg(long, value_enum, default_value_t = results::Format::Text)]
        format: results::Format,
        /// Leave out events of fewer respondents: in a small one a person's answers can be
        /// told apart (1 shows everything). They are left out of every group, areas, topics
        /// and the total too, so that no figure less another gives one back.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        smallest_group: u64,
        #[command(flatten)]
        days: Days,
        /// The clock the days of --from and --to are read on (an IANA name).
        #[arg(long, default_value = "Europe/Helsinki", value_parser = parse_time_zone)]
        time_zone: Tz,
        /// What areas and topics are called in Swedish and English (a TOML file, see
        /// deploy/server/names.toml); without it they show as the kiosks name them.
        #[arg(long, env = "HETKI_COLLECTOR_NAMES")]
        names: Option<PathBuf>,
    },
    /// Write every survey's results into a folder staff open (a network share), for a nightly
    /// timer: for all events together and per event, area and topic, each as a spreadsheet
    /// and as text, in a folder per survey, each file replaced whole. Whole days up to
    /// yesterday are counted, so that two runs never differ by a few answers of one evening.
    /// Only results, never a row per respondent.
    Publish {
        /// An existing folder; it is not created. Give one on the share itself (not its mount
        /// point), so that a share not mounted is an error.
        #[arg(long)]
        dir: PathBuf,
        /// The languages to publish in, each file named in its own (fi,sv,en).
        #[arg(long, default_value = "fi", value_delimiter = ',', value_parser = parse_language)]
        lang: Vec<Language>,
        /// As for `results`: events of fewer respondents are left out of every figure.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
        smallest_group: u64,
        /// The clock days are counted on (an IANA name).
        #[arg(long, default_value = "Europe/Helsinki", value_parser = parse_time_zone)]
        time_zone: Tz,
        /// As for `results`.
        #[arg(long, env = "HETKI_COLLECTOR_NAMES")]
        names: Option<PathBuf>,
    },
    /// Delete the responses given before a day, as the city's rules on keeping personal data
    /// say. Without --yes it only tells how many it would delete.
    #[command(group = clap::ArgGroup::new("cutoff").required(true).args(["before", "keep_days"]))]
    Purge {
        /// Delete those given before this day (YYYY-MM-DD, on the --time-zone clock).
        #[arg(long, value_parser = period::parse_day)]
        before: Option<NaiveDate>,
        /// Keep this many days, today included; delete those given before (for a timer).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        keep_days: Option<u32>,
        /// Delete them; without it, only tell how many there are.
        #[arg(long)]
        yes: bool,
        /// The clock days are read on (an IANA name).
        #[arg(long, default_value = "Europe/Helsinki", value_parser = parse_time_zone)]
        time_zone: Tz,
    },
}

fn parse_time_zone(name: &str) -> Result<Tz, String> {
    name.parse()
        .map_err(|_| format!("{name:?} is not a time zone name such as Europe/Helsinki"))
}

fn parse_language(code: &str) -> Result<Language, String> {
    Language::from_code(code).ok_or_else(|| format!("{code:?} is not one of fi, sv, en"))
}

#[derive(Subcommand, Debug)]
enum DeviceCommand {
    /// Register a kiosk (NAME is its device_id) and print its token, once.
    Add {
        name: String,
        /// Write the token to this new file, readable by its owner alone, instead of printing
        /// it. An existing file is left as it is: it may be another kiosk's token.
        #[arg(long)]
        token_file: Option<PathBuf>,
    },
    /// Every kiosk with its last health report.
    List,
    /// Refuse the kiosk's token from now on.
    Revoke { name: String },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // `export | head`: the reader had enough, which is no failure.
        Err(error) if hetki_protocol::errors::is_broken_pipe(error.as_ref()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!(
                "hetki-collector: {}",
                hetki_protocol::errors::one_line(error.as_ref())
            );
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    // Only serving and registering a kiosk start a database. Reading one that is not there
    // (a command run without the server's --db) must not answer from a new, empty one.
    let starts_one = matches!(
        cli.command,
        Command::Serve { .. }
            | Command::Device {
                command: DeviceCommand::Add { .. }
            }
    );
    anyhow::ensure!(
        starts_one || cli.db.exists(),
        "no collector database at {}: give the server's with --db or HETKI_COLLECTOR_DB",
        cli.db.display()
    );
    let storage = SqliteStorage::open(&cli.db)?;
    match cli.command {
        Command::Serve {
            listen,
            header_timeout,
        } => {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(listen.as_str())
                    .await
                    .with_context(|| format!("cannot listen on {listen}"))?;
                let address = listener.local_addr()?;
                println!("listening on {address}");
                if !address.ip().is_loopback() {
                    tracing::warn!(
                        %address,
                        "the collector speaks plain HTTP: on an address others reach, device \
                         tokens cross the network in clear; put nginx in front for TLS \
                         (deploy/server/README.md)"
                    );
                }
                tracing::info!(%address, db = %cli.db.display(), "serving");
                let header_timeout = std::time::Duration::from_secs(header_timeout);
                hetki_collector::api::serve(Arc::new(storage), listener, header_timeout).await?;
                anyhow::Ok(())
            })?;
        }
        Command::Device { command } => device(&storage, command)?,
        Command::Export {
            survey,
            include_test,
            format,
            days,
            time_zone,
        } => {
            if let Some(survey) = &survey {
                // A misspelt id would give a file with only its header.
                versions_of(&storage, survey)?;
            }
            let selection = Selection {
                survey: survey.as_deref(),
                include_test,
                period: days.period(time_zone)?,
            };
            let count = export(
                &storage,
                selection,
                format,
                time_zone,
                &mut std::io::stdout().lock(),
            )?;
            tracing::info!(count, "exported");
        }
        Command::Results {
            survey,
            by,
            lang,
            format,
            smallest_group,
            days,
            time_zone,
            names,
        } => {
            let names = load_names(names.as_deref())?;
            let versions = versions_of(&storage, &survey)?;
            let period = days.period(time_zone)?;
            let split = results::Split {
                by,
                language: lang,
                names: &names,
                smallest: smallest_group,
            };
            let tallied = results::tally(&storage, &survey, &versions, period, split)?;
            let versions = tallied.versions_in_use(&versions);
            let shown = results::Shown {
                language: lang,
                under_title: days.describe(time_zone, lang),
            };
            results::write(
                &tallied,
                &versions,
                &shown,
                format,
                &mut std::io::stdout().lock(),
            )?;
            // A table for a spreadsheet has no room for it: it is said beside.
            if format != results::Format::Text
                && let Some(note) = tallied.left_out.note(lang)
            {
                eprintln!("{note}");
            }
        }
        Command::Publish {
            dir,
            lang,
            smallest_group,
            time_zone,
            names,
        } => {
            let names = load_names(names.as_deref())?;
            let publication = Publication {
                dir: &dir,
                languages: &lang,
                names: &names,
                smallest: smallest_group,
                time_zone,
            };
            let written = publish(&storage, &publication, Utc::now())?;
            tracing::info!(files = written.len(), dir = %dir.display(), "published");
        }
        Command::Purge {
            before,
            keep_days,
            yes,
            time_zone,
        } => {
            let today = Utc::now().with_timezone(&time_zone).date_naive();
            let day = match keep_days {
                Some(keep) => today
                    .checked_sub_days(chrono::Days::new(u64::from(keep) - 1))
                    .with_context(|| format!("--keep-days {keep} reaches before any date"))?,
                None => before.context("give --before DAY or --keep-days N")?,
            };
            // A mistyped year (2062 for 2026) must not empty the database.
            anyhow::ensure!(
                day <= today,
                "--before {day} is after today ({today}): it would delete answers not yet given"
            );
            purge(&storage, day, time_zone, yes)?;
        }
    }
    Ok(())
}

/// The names of areas and topics in other languages, if a file gives them.
fn load_names(path: Option<&std::path::Path>) -> anyhow::Result<Names> {
    Ok(match path {
        Some(path) => Names::load(path)?,
        None => Names::default(),
    })
}

/// Deletes (with `yes`; counts, without) the responses given before `day` in `zone`.
fn purge(storage: &SqliteStorage, day: NaiveDate, zone: Tz, yes: bool) -> anyhow::Result<()> {
    let cutoff = period::start_of_day(day, zone)?;
    let responses = |n: u64| {
        let noun = if n == 1 { "response" } else { "responses" };
        format!("{n} {noun} given before {day} ({zone})")
    };
    if !yes {
        let count = storage.count_responses_before(cutoff)?;
        writeln!(
            std::io::stdout(),
            "{}; run again with --yes to delete them",
            responses(count)
        )?;
        return Ok(());
    }
    let deleted = storage.delete_responses_before(cutoff)?;
    tracing::info!(deleted, before = %day, "purged");
    writeln!(std::io::stdout(), "deleted {}", responses(deleted))?;
    Ok(())
}

/// The stored versions of `survey`, oldest first; an error naming the surveys there are if
/// it has none.
fn versions_of(storage: &SqliteStorage, survey: &str) -> anyhow::Result<Vec<SurveyDefinition>> {
    let mut surveys = results::surveys_by_id(storage)?;
    if let Some(at) = surveys.iter().position(|(id, _)| id == survey) {
        return Ok(surveys.swap_remove(at).1);
    }
    let mut known: Vec<String> = surveys.into_iter().map(|(id, _)| id).collect();
    known.sort();
    anyhow::bail!(
        "no survey {survey:?} has reached this collector (it has: {})",
        if known.is_empty() {
            "none yet".into()
        } else {
            known.join(", ")
        }
    );
}

/// A new file at `path` that only its owner can read: a token must not be left readable by
/// every user, nor written over one already there.
fn new_private_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    hetki_protocol::files::new_private(path).with_context(|| match path.exists() {
        true => format!(
            "{} is already there: it may be another kiosk's token, so it is left as it is",
            path.display()
        ),
        false => format!("cannot create {}", path.display()),
    })
}

fn device(storage: &SqliteStorage, command: DeviceCommand) -> anyhow::Result<()> {
    let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    match command {
        DeviceCommand::Add { name, token_file } => {
            // The kiosk's device_id follows the same rule.
            hetki_protocol::check_id(&name).map_err(anyhow::Error::msg)?;
            let token = token::generate().context("no randomness for a token")?;
            // The file first: one that cannot be made leaves no device behind.
            let mut file = token_file.as_deref().map(new_private_file).transpose()?;
            let forget_file = || {
                if let Some(path) = &token_file {
                    let _ = std::fs::remove_file(path);
                }
            };
            if let Err(error) = storage.add_device(&name, &token::hash(&token), Utc::now()) {
                forget_file();
                return Err(error.into());
            }
            let written = match &mut file {
                Some(file) => writeln!(file, "{token}").and_then(|()| file.sync_all()),
                None => {
                    eprintln!("device {name} added; its token follows, shown only this once");
                    let mut out = std::io::stdout();
                    writeln!(out, "{token}").and_then(|()| out.flush())
                }
            };
            if let Err(error) = written {
                // Nobody has the token: a device that no one can ever upload as is no use.
                forget_file();
                storage.revoke_device(&name, Utc::now())?;
                anyhow::bail!(
                    "cannot write the token ({error}), so device {name} is revoked again: run `device add {name}` once more"
                );
            }
            if let Some(path) = &token_file {
                eprintln!("device {name} added; its token is in {}", path.display());
            }
        }
        DeviceCommand::Revoke { name } => {
            storage.revoke_device(&name, Utc::now())?;
            eprintln!("device {name} revoked");
        }
        DeviceCommand::List => {
            let mut out = std::io::stdout().lock();
            for d in storage.devices()? {
                let state = match d.revoked_at {
                    Some(at) => format!("revoked {}", time(at)),
                    None => "active".into(),
                };
                let seen = d.last_seen_at.map(time).unwrap_or_else(|| "never".into());
                let tests = match d.test_responses {
                    0 => String::new(),
                    n => format!(" (+{n} test)"),
                };
                writeln!(
                    out,
                    "{}\t{state}\tresponses {}{tests}\tlast seen {seen}",
                    d.name, d.responses
                )?;
                if let Some(h) = d.health {
                    let oldest = h.oldest_pending.map(time).unwrap_or_else(|| "-".into());
                    let disk = h
                        .free_disk_bytes
                        .map(|b| format!("{} MiB free", b / (1024 * 1024)))
                        .unwrap_or_else(|| "disk unknown".into());
                    writeln!(
                        out,
                        "\tversion {}, pending {} (oldest {oldest}), rejected {}, clock {}, {disk}",
                        h.app_version,
                        h.pending,
                        h.rejected,
                        if h.clock_synchronized {
                            "synchronised"
                        } else {
                            "NOT synchronised"
                        },
                    )?;
                }
            }
        }
    }
    Ok(())
}
