//! `hetki run`, the real binary in a real window on a virtual X display (Xvfb): it starts with
//! the demo configuration, and a SIGTERM (systemd stopping it) ends it in order, the store
//! finishing its work, instead of killing it mid-write.

mod util;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use util::{Setup, hetki_command, wait_until};

/// An Xvfb server on a display of its own; stopped when dropped.
struct VirtualDisplay {
    server: Child,
    name: String,
}

impl VirtualDisplay {
    fn start() -> VirtualDisplay {
        // Display numbers from the process id, so parallel test runs do not collide.
        let first = 100 + std::process::id() % 400;
        for number in first..first + 20 {
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                continue;
            }
            let mut server = Command::new("Xvfb")
                .args([
                    &format!(":{number}"),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("Xvfb runs (bash .ci/deps.sh installs it)");
            let socket = format!("/tmp/.X11-unix/X{number}");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if server.try_wait().unwrap().is_some() {
                    break;
                }
                if Path::new(&socket).exists() {
                    return VirtualDisplay {
                        server,
                        name: format!(":{number}"),
                    };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = server.kill();
            let _ = server.wait();
        }
        panic!("no free X display for Xvfb");
    }
}

impl Drop for VirtualDisplay {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

#[test]
fn the_kiosk_starts_in_a_window_and_stops_in_order_on_sigterm() {
    let setup = Setup::demo();
    let display = VirtualDisplay::start();
    let log = setup.path("kiosk.log");
    let mut kiosk = hetki_command(&setup.config_path(), &["run"])
        .env("DISPLAY", &display.name)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let logged = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_until("the kiosk draws its first frame", || {
        assert!(
            kiosk.try_wait().unwrap().is_none(),
            "the kiosk ended: {}",
            logged()
        );
        logged().contains("first frame")
    });
    assert!(
        setup.database().is_file(),
        "the store has opened the buffer"
    );
    // The compose table the kiosk skips (see run::skip_compose_table) is one xkbcommon can
    // read: /dev/null made it log an ERROR at every start.
    assert!(!logged().contains("xkbcommon: ERROR"), "{}", logged());

    // SAFETY: a signal to the child this test started and has not yet waited for.
    assert_eq!(unsafe { libc::kill(kiosk.id() as i32, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = kiosk.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = kiosk.kill();
            panic!("still running 10 s after SIGTERM: {}", logged());
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}: {}", logged());
    assert!(logged().contains("kiosk stopped"), "{}", logged());
}
