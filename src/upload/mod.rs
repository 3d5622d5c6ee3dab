//! The uploader: a tokio task on its own thread that sends the buffer to the collector,
//! oldest first, and marks a response delivered only from the collector's receipt.

mod backoff;
mod client;
mod engine;

use std::path::PathBuf;
use std::thread::JoinHandle;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

pub use backoff::{full_jitter, parse_retry_after};
pub use engine::{Failure, Progress, Signal, Uploader};

use crate::clock::ClockSource;
use crate::config::{Token, UploadConfig};

/// The way to a running uploader. Dropping it stops the uploader after its current request
/// (nothing is lost: what was not acknowledged stays pending in the buffer).
pub struct UploaderHandle {
    signals: UnboundedSender<Signal>,
    _thread: JoinHandle<()>,
}

impl UploaderHandle {
    /// A response was just committed: upload soon, cutting any retry wait to at most 10 s.
    pub fn nudge(&self) {
        let _ = self.signals.send(Signal::Committed);
    }

    /// Staff asked for an upload: try now, whatever the wait. Returns the moment asked,
    /// read before the uploader is told: whatever the buffer records after it answers this
    /// request. (Read after, a failure could be recorded first, and pass for an older one.)
    pub fn upload_now(&self) -> DateTime<Utc> {
        let asked = Utc::now();
        let _ = self.signals.send(Signal::StaffAsked);
        asked
    }
}

/// Starts the uploader on the buffer at `database` on its own thread.
pub fn spawn(
    database: PathBuf,
    endpoint: String,
    token: Token,
    device_id: Option<String>,
    settings: UploadConfig,
    clock: Box<dyn ClockSource>,
) -> std::io::Result<UploaderHandle> {
    // Set up here, so a mistake in it stops the kiosk's start where it can be seen.
    let uploader = Uploader::new(database, &endpoint, &token, device_id, settings, clock)
        .map_err(std::io::Error::other)?;
    let (signals, inbox) = unbounded_channel();
    let thread = std::thread::Builder::new()
        .name("hetki-upload".into())
        .spawn(move || {
            // Should it fail, the panic ends the kiosk, which is restarted (see main.rs).
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("the uploader's runtime starts");
            runtime.block_on(uploader.run(inbox));
        })?;
    Ok(UploaderHandle {
        signals,
        _thread: thread,
    })
}
