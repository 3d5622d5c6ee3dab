//! Results put where staff open them: a folder on a network share that a nightly timer
//! refreshes. For every survey, its results for all events together and per event, area and
//! topic, each as a spreadsheet and as text that also says what was left out. Only results:
//! figures over events large enough to show, never a row per respondent (that export stays
//! with whoever runs the collector). Only whole days are counted, up to yesterday: files
//! refreshed during an evening would differ by the answers of an hour, which its host saw
//! given.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hetki_protocol::{Language, check_id};

use crate::names::Names;
use crate::period::{Days, PeriodError};
use crate::results::{self, Format, GroupBy, Shown, Split};
use crate::storage::{Storage, StorageError};
use crate::words::Words;

/// What to publish, and where.
pub struct Publication<'a> {
    /// An existing folder: each survey gets a folder of its own in it.
    pub dir: &'a Path,
    /// Each language's files sit side by side, named in that language.
    pub languages: &'a [Language],
    pub names: &'a Names,
    /// Events of fewer respondents are left out of every figure.
    pub smallest: u64,
    /// The clock days are counted on.
    pub time_zone: Tz,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "no folder at {0}: create it, or mount the share it is on (nothing is written to a \
         local folder in its place)"
    )]
    NoFolder(PathBuf),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Period(#[from] PeriodError),
    /// The rest were written: one file held open on a share must not stop the others.
    #[error("could not write (the rest was written): {}", .0.join("; "))]
    Unwritten(Vec<String>),
}

const SPLITS: [GroupBy; 4] = [GroupBy::All, GroupBy::Event, GroupBy::Area, GroupBy::Topic];
const FORMATS: [(Format, &str); 2] = [(Format::Spreadsheet, "csv"), (Format::Text, "txt")];

/// Writes every survey's results into `publication.dir`, each file replaced whole (a reader
/// never opens one half written); returns the files written.
pub fn publish(
    storage: &dyn Storage,
    publication: &Publication,
    now: DateTime<Utc>,
) -> Result<Vec<PathBuf>, PublishError> {
    if !publication.dir.is_dir() {
        return Err(PublishError::NoFolder(publication.dir.to_owned()));
    }
    let zone = publication.time_zone;
    let today = now.with_timezone(&zone).date_naive();
    let days = Days {
        from: None,
        to: today.pred_opt(),
    };
    let period = days.period(zone)?;
    let mut written = Vec::new();
    let mut unwritten = Vec::new();
    // The collector stores no id unfit for a folder name (ids are checked on arrival).
    let surveys = results::surveys_by_id(storage)?
        .into_iter()
        .filter(|(id, _)| check_id(id).is_ok());
    for (survey, versions) in surveys {
        let folder = publication.dir.join(&survey);
        if let Err(error) = std::fs::create_dir_all(&folder) {
            unwritten.push(format!("{}: {error}", folder.display()));
            continue;
        }
        for &language in publication.languages {
            let words = Words(language);
            let under_title = days
                .describe(zone, language)
                .into_iter()
                .chain([words.updated(now, zone)])
                .collect::<Vec<_>>()
                .join("\n");
            for by in SPLITS {
                let split = Split {
                    by,
                    language,
                    names: publication.names,
                    smallest: publication.smallest,
                };
                let tallied = results::tally(storage, &survey, &versions, period, split)?;
                let in_use = tallied.versions_in_use(&versions);
                let shown = Shown {
                    language,
                    under_title: Some(under_title.clone()),
                };
                for (format, extension) in FORMATS {
                    let path = split_path(&folder, language, by, extension);
                    match replace_whole(&path, |out| {
                        results::write(&tallied, &in_use, &shown, format, out)
                    }) {
                        Ok(()) => written.push(path),
                        Err(error) => unwritten.push(format!("{}: {error}", path.display())),
                    }
                }
            }
        }
        remove_unpublished(&folder, publication.languages, &mut unwritten);
    }
    match unwritten.is_empty() {
        true => Ok(written),
        false => Err(PublishError::Unwritten(unwritten)),
    }
}

/// Where a survey's `folder` holds its results split `by` in `language`, as `extension`.
fn split_path(folder: &Path, language: Language, by: GroupBy, extension: &str) -> PathBuf {
    folder.join(format!("{}.{extension}", Words(language).split_file(by)))
}

/// Removes from a survey's `folder` the files of the languages not among `published`: they
/// would hold older figures, which staff would take for today's. Only the files publishing
/// writes are removed; what cannot be is added to `unremoved`.
fn remove_unpublished(folder: &Path, published: &[Language], unremoved: &mut Vec<String>) {
    let dropped = Language::ALL.into_iter().filter(|l| !published.contains(l));
    for language in dropped {
        for by in SPLITS {
            for (_, extension) in FORMATS {
                let path = split_path(folder, language, by, extension);
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        tracing::info!(file = %path.display(), "removed: no longer published")
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => unremoved.push(format!(
                        "{} (no longer published, so it should have gone): {error}",
                        path.display()
                    )),
                }
            }
        }
    }
}

/// Writes `path` through a file beside it (hidden, but on Windows), synced, then renamed
/// over it.
fn replace_whole(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{file_name}.partial"));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        write(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&partial, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}
