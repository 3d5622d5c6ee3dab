//! Hetki's collector: the central endpoint every kiosk uploads to. The HTTP layer (`api`)
//! knows nothing of SQL; it talks to a `Storage`, of which SQLite is the first back-end.

pub mod api;
pub mod export;
pub mod ingest;
pub mod names;
pub mod period;
pub mod publish;
pub mod results;
pub mod sqlite;
pub mod storage;
pub mod token;
pub mod words;

pub use period::Period;
pub use sqlite::SqliteStorage;
pub use storage::{DeviceRecord, Storage, StorageError, StoredResponse};
