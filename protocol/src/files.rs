//! Files of answers, readable by their owner only.

use std::fs::File;
use std::io::ErrorKind;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// A new, empty file at `path` with mode 0600 whatever the umask; an error if one is there.
pub fn new_private(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// Creates `path` empty with mode 0600 unless it exists, so SQLite, which gives its WAL and
/// shared-memory files the database's mode, opens a private file whatever the umask: answers
/// with their times are not for every user of the machine. An existing file is left as it is.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    match new_private(path) {
        Err(error) if error.kind() != ErrorKind::AlreadyExists => Err(error),
        _ => Ok(()),
    }
}
