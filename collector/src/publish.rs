//! Results put where staff open them: a folder on a network share that a timer refreshes.
//! For every survey, its results for all events together and per event, area and topic, each
//! as a spreadsheet and as text that also says what was left out. Only results: figures over
//! events large enough to show, never a row per respondent (that export stays with whoever
//! runs the collector).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use hetki_protocol::{Language, SurveyDefinition, check_id};

use crate::names::Names;
use crate::period::Period;
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
    /// The clock the files' "updated" line is read on.
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
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

const SPLITS: [GroupBy; 4] = [GroupBy::All, GroupBy::Event, GroupBy::Area, GroupBy::Topic];

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
    let mut written = Vec::new();
    for (survey, versions) in surveys(storage)? {
        let folder = publication.dir.join(&survey);
        std::fs::create_dir_all(&folder).map_err(|source| PublishError::Write {
            path: folder.clone(),
            source,
        })?;
        for &language in publication.languages {
            let words = Words(language);
            for by in SPLITS {
                let split = Split {
                    by,
                    language,
                    names: publication.names,
                    smallest: publication.smallest,
                };
                let tallied =
                    results::tally(storage, &survey, &versions, Period::default(), split)?;
                let in_use = tallied.versions_in_use(&versions);
                let shown = Shown {
                    language,
                    under_title: Some(words.updated(now, publication.time_zone)),
                };
                let name = words.split_file(by);
                for (format, extension) in [(Format::Spreadsheet, "csv"), (Format::Text, "txt")] {
                    let path = folder.join(format!("{name}.{extension}"));
                    replace_whole(&path, |out| {
                        results::write(&tallied, &in_use, &shown, format, out)
                    })?;
                    written.push(path);
                }
            }
        }
    }
    Ok(written)
}

/// Each survey's id with its stored versions, oldest first. An id that could not be a folder
/// name is passed over (the collector stores none: survey ids are checked on arrival).
fn surveys(storage: &dyn Storage) -> Result<Vec<(String, Vec<SurveyDefinition>)>, StorageError> {
    let mut surveys: Vec<(String, Vec<SurveyDefinition>)> = Vec::new();
    for version in storage.surveys()? {
        if check_id(&version.id).is_err() {
            tracing::warn!(id = version.id, "a survey id unfit for a folder name");
            continue;
        }
        match surveys.iter_mut().find(|(id, _)| *id == version.id) {
            Some((_, versions)) => versions.push(version),
            None => surveys.push((version.id.clone(), vec![version])),
        }
    }
    Ok(surveys)
}

/// Writes `path` through a hidden file beside it, synced, then renamed over it.
fn replace_whole(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), PublishError> {
    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{file_name}.partial"));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&partial)?);
        write(&mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&partial, path)
    })();
    result.map_err(|source| {
        let _ = std::fs::remove_file(&partial);
        PublishError::Write {
            path: path.to_owned(),
            source,
        }
    })
}
