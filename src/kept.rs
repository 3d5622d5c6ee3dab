//! Small JSON files in the data directory that a restart must find (what staff set in the
//! panel, the wrong PINs typed): written so that a power cut leaves the old file or the new.

use std::io::Write;
use std::path::Path;

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

/// Writes `value` to `path` through a new file renamed over it, each synced.
pub fn save<T: Serialize>(value: &T, path: &Path) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let temporary = path.with_extension("json.tmp");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    std::fs::File::open(dir)?.sync_all()
}
