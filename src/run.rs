//! `hetki run`: the kiosk window.

use std::rc::Rc;
use std::time::Instant;

use slint::ComponentHandle;

use crate::clock::SystemClock;
use crate::config::{KioskConfig, Token};
use crate::kiosk::Kiosk;
use crate::store::StoreOptions;
use crate::ui::AppWindow;
use crate::ui_adapter::{KioskUi, Scenery};

/// Gives the kiosk the uploader its device file asks for, if it names a collector.
pub fn start_uploader(kiosk: &mut Kiosk, config: &KioskConfig) -> anyhow::Result<()> {
    match (&config.upload.endpoint, &config.upload.token_file) {
        (Some(endpoint), Some(token_file)) => {
            let token = Token::read(token_file, "upload.token_file")?;
            kiosk.set_uploader(crate::upload::spawn(
                config.database_path(),
                endpoint.clone(),
                token,
                Some(config.device_id.clone()),
                config.upload.clone(),
                Box::new(SystemClock::new()),
            )?);
            tracing::info!(endpoint, "uploading to the collector");
        }
        _ => tracing::info!("no collector configured: answers stay on this device"),
    }
    Ok(())
}

pub fn run(config: &KioskConfig) -> anyhow::Result<()> {
    let started = Instant::now();
    // Before any thread starts: they all inherit the blocked signals.
    quit_on_termination()?;
    let scenery = Scenery::load(config)?;
    for problem in config.warnings() {
        tracing::warn!(%problem, "configuration");
    }
    let ui = AppWindow::new()?;
    if config.fullscreen {
        ui.window().set_fullscreen(true);
    }
    log_first_frame(&ui, started);
    let mut kiosk = Kiosk::start(
        config,
        Box::new(SystemClock::new()),
        StoreOptions::default(),
    );
    start_uploader(&mut kiosk, config)?;
    let origin = Instant::now();
    let attached = KioskUi::attach(&ui, kiosk, scenery, Rc::new(move || origin.elapsed()));
    tracing::info!(
        device = %config.device_id,
        survey = %config.survey().id,
        version = %config.survey().content_hash(),
        data = %config.data_dir.display(),
        "kiosk starting"
    );
    let shown = ui.run();
    // A respondent who had just given their last answer is recorded, and the store writes
    // what it still holds before its thread ends, even if the event loop failed.
    if let Some(id) = attached.shut_down() {
        tracing::info!(%id, "recorded the answers on screen");
    }
    shown?;
    tracing::info!("kiosk stopped");
    Ok(())
}

/// A desktop window's keyboard support (xkbcommon, and Xlib's input method under X11) reads
/// the locale's whole compose table when it starts: thousands of sequences for typing "ä" or
/// "€" with a compose key, a fifth of the kiosk's start-up (about 20 of 90 ms under Xvfb on
/// the development machine). Nothing in the kiosk takes typed text, so it points them to a
/// table with no sequences, unless whoever starts it has chosen one.
///
/// # Safety
/// It changes the process's environment, which is sound only while no other thread runs:
/// call it first thing in `main`.
pub unsafe fn skip_compose_table() {
    if std::env::var_os("XCOMPOSEFILE").is_some() {
        return;
    }
    // Without it (no memfd, say) the locale's table is read: slower, nothing worse.
    if let Ok(path) = compose_table_without_sequences() {
        // SAFETY: the caller makes sure no other thread runs.
        unsafe { std::env::set_var("XCOMPOSEFILE", path) };
    }
}

/// A compose table of one comment, as a file in memory that stays open for the process's
/// life; its path. Not `/dev/null`: xkbcommon maps the file, cannot map that (nor an empty
/// file), and logs an ERROR at every start. Not a file on disk: nothing to leave behind or to
/// race for in /tmp.
fn compose_table_without_sequences() -> std::io::Result<String> {
    use std::io::Write;
    use std::os::fd::{FromRawFd, IntoRawFd, OwnedFd};
    // SAFETY: a plain call with a NUL-terminated name; the result is checked.
    let fd = unsafe { libc::memfd_create(c"hetki-compose".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: a new descriptor that nothing else owns.
    let mut table = std::fs::File::from(unsafe { OwnedFd::from_raw_fd(fd) });
    table.write_all(b"# The kiosk takes no typed text: no compose sequences.\n")?;
    Ok(format!("/proc/self/fd/{}", table.into_raw_fd()))
}

/// Ends the event loop on SIGTERM (systemd stopping the kiosk, a shutdown) or SIGINT, so
/// that an answer just given, or held while the disk could not take it, is written before
/// the process goes instead of being cut off with it. The signals are blocked and waited
/// for on a thread of their own: no work in a signal handler.
fn quit_on_termination() -> std::io::Result<()> {
    // SAFETY: plain libc calls on a zeroed, then initialised, signal set owned here.
    let signals = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        let blocked = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if blocked != 0 {
            return Err(std::io::Error::from_raw_os_error(blocked));
        }
        set
    };
    std::thread::Builder::new()
        .name("hetki-signals".into())
        .spawn(move || {
            let mut signal = 0;
            // SAFETY: waits for one of the signals blocked above.
            if unsafe { libc::sigwait(&signals, &mut signal) } != 0 {
                return;
            }
            tracing::info!(signal, "stopping");
            if slint::invoke_from_event_loop(|| {
                let _ = slint::quit_event_loop();
            })
            .is_err()
            {
                // No event loop (yet, or any more): nothing is being answered.
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Logs when the first frame has been drawn and handed to the display, for the start-up
/// benchmark: the software renderer has no rendering notifier, so this watches for winit's
/// first redraw and logs from the event loop right after Slint has handled it.
fn log_first_frame(ui: &AppWindow, started: Instant) {
    use slint::winit_030::{EventResult, WinitWindowAccessor, winit::event::WindowEvent};
    let mut seen = false;
    ui.window().on_winit_window_event(move |_, event| {
        if !seen && matches!(event, WindowEvent::RedrawRequested) {
            seen = true;
            slint::Timer::single_shot(std::time::Duration::ZERO, move || {
                let unix = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                tracing::info!(
                    since_main_ms = started.elapsed().as_secs_f64() * 1000.0,
                    unix = format!("{}.{:09}", unix.as_secs(), unix.subsec_nanos()),
                    "first frame"
                );
            });
        }
        EventResult::Propagate
    });
}
