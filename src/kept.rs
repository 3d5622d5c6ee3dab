//! Small JSON files in the data directory that a restart must find (what staff set in the
//! panel, the wrong PINs typed): written so that a power cut leaves the old file or the new,
//! and by a thread of their own, as the screen must not wait for a slow card's fsync.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// What `path` keeps; the default when there is no file. A file that cannot be read is
/// logged, naming `what` it holds, and taken as the default.
pub fn load<T: DeserializeOwned + Default>(path: &Path, what: &str) -> T {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            tracing::warn!(%error, path = %path.display(), "ignoring unreadable {what}");
            T::default()
        }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => T::default(),
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "cannot read the {what}");
            T::default()
        }
    }
}

/// Writes `bytes` to `path` through a new file renamed over it, each synced.
fn save(bytes: &[u8], path: &Path) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = path.with_extension("json.tmp");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    std::fs::File::open(dir)?.sync_all()
}

/// A write that failed; the keeper has logged it.
#[derive(Debug)]
pub struct NotKept {
    pub path: PathBuf,
    pub error: std::io::Error,
}

struct Job {
    path: PathBuf,
    what: &'static str,
    bytes: Vec<u8>,
}

/// The thread that writes kept files. Writes to a file land in the order given; of several
/// waiting for the same file only the newest is written. Dropping the keeper waits for what
/// it was given, as the process may end right after.
pub struct Keeper {
    jobs: Option<Sender<Job>>,
    failures: Receiver<NotKept>,
    thread: Option<JoinHandle<()>>,
}

impl Keeper {
    pub fn spawn() -> Keeper {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (failed, failures) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hetki-keeper".into())
            .spawn(move || {
                while let Ok(first) = inbox.recv() {
                    let mut waiting: Vec<Job> = Vec::new();
                    for job in std::iter::once(first).chain(inbox.try_iter()) {
                        waiting.retain(|w| w.path != job.path);
                        waiting.push(job);
                    }
                    for job in waiting {
                        if let Err(error) = save(&job.bytes, &job.path) {
                            tracing::error!(%error, path = %job.path.display(), "cannot keep the {}", job.what);
                            let _ = failed.send(NotKept {
                                path: job.path,
                                error,
                            });
                        }
                    }
                }
            })
            .expect("the keeper thread starts");
        Keeper {
            jobs: Some(jobs),
            failures,
            thread: Some(thread),
        }
    }

    /// Hands `value`, which is the `what` of the file at `path`, to the thread to write.
    pub fn keep<T: Serialize>(&self, value: &T, path: &Path, what: &'static str) {
        let job = serde_json::to_vec_pretty(value).map(|bytes| Job {
            path: path.to_owned(),
            what,
            bytes,
        });
        match job {
            Ok(job) => {
                if let Some(jobs) = &self.jobs {
                    let _ = jobs.send(job);
                }
            }
            Err(error) => tracing::error!(%error, "cannot write out the {what}"),
        }
    }

    /// The writes that failed since the last call, oldest first.
    pub fn failures(&self) -> Vec<NotKept> {
        self.failures.try_iter().collect()
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fifo(path: &Path) {
        let made = std::process::Command::new("mkfifo").arg(path).status();
        assert!(made.unwrap().success());
    }

    #[test]
    fn keeping_returns_while_the_disk_hangs_and_only_the_newest_waiting_value_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let temporary = path.with_extension("json.tmp");
        // Opening a FIFO for writing blocks until someone reads it: a disk that hangs.
        fifo(&temporary);
        let keeper = Keeper::spawn();
        for value in 1..=3 {
            keeper.keep(&value, &path, "number");
        }
        // Each write opens the FIFO once; a FIFO cannot be synced, so each then fails.
        let mut written = Vec::new();
        while written.last().map(String::as_str) != Some("3") {
            written.push(std::fs::read_to_string(&temporary).unwrap());
        }
        assert!(
            !written.contains(&"2".to_owned()),
            "2 waited behind 1 with 3 after it: {written:?}"
        );
        let mut failed = Vec::new();
        while failed.len() < written.len() {
            failed.extend(keeper.failures());
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(failed.iter().all(|f| f.path == path), "{failed:?}");

        std::fs::remove_file(&temporary).unwrap();
        keeper.keep(&4, &path, "number");
        drop(keeper);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "4");
    }
}
