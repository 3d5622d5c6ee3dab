//! Work the UI thread hands to a thread of its own and picks up from a timer: the screen never
//! waits on a slow USB stick or a season's answers, and a timer also fires under the testing
//! backend's mock time, where `invoke_from_event_loop` does not.

use std::cell::RefCell;
use std::sync::mpsc::{self, Receiver, TryRecvError};

/// One piece of background work of a kind at a time, and its result once it is done.
pub struct Background<T> {
    running: RefCell<Option<Receiver<T>>>,
}

/// How background work ended.
pub enum Finished<T> {
    Done(T),
    /// Its thread ended without a result (it panicked).
    Lost,
}

impl<T> Default for Background<T> {
    fn default() -> Self {
        Background {
            running: RefCell::new(None),
        }
    }
}

impl<T: Send + 'static> Background<T> {
    pub fn is_running(&self) -> bool {
        self.running.borrow().is_some()
    }

    /// Starts `work` on a thread named `name`. What earlier work still brings is dropped.
    pub fn start(
        &self,
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<()> {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let _ = sender.send(work());
            })?;
        self.running.replace(Some(receiver));
        Ok(())
    }

    /// How the work ended, once it has; `None` while it runs, or when none was started.
    pub fn take_finished(&self) -> Option<Finished<T>> {
        let finished = match self.running.borrow().as_ref()?.try_recv() {
            Ok(result) => Finished::Done(result),
            Err(TryRecvError::Disconnected) => Finished::Lost,
            Err(TryRecvError::Empty) => return None,
        };
        self.running.replace(None);
        Some(finished)
    }
}
