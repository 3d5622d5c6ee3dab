//! Helpers shared by the integration tests: a copy of the demo configuration in a temporary
//! folder (so each test has its own buffer), and the `hetki` binary.
#![allow(dead_code)]

pub mod proxy;
pub mod sources;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hetki::config::KioskConfig;
use hetki::store::{Database, StoredResponse};

pub struct Setup {
    pub dir: tempfile::TempDir,
}

/// A demo device file of `config/` as it is in the project, e.g. "kiosk.toml" (for tests
/// that only read it: its buffer is the project's).
pub fn demo_config(file: &str) -> KioskConfig {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(file);
    KioskConfig::load(&path).expect("the demo config loads")
}

impl Setup {
    /// The demo device file and every survey file, copied with the buffer pointed into the folder.
    pub fn demo() -> Setup {
        Setup::copy_of("kiosk.toml")
    }

    /// The library quick-poll demo (`config/library-poll.toml`), pictures and all.
    pub fn library_poll() -> Setup {
        Setup::copy_of("library-poll.toml")
    }

    /// A demo device file of `config/` (as `kiosk.toml`, its buffer in the folder's `data`)
    /// with the survey files and their pictures.
    fn copy_of(device_file: &str) -> Setup {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        std::fs::create_dir_all(dir.path().join("surveys/images")).unwrap();
        let device = std::fs::read_to_string(root.join(device_file)).unwrap();
        let data_dir = device
            .lines()
            .find(|l| l.starts_with("data_dir = "))
            .expect("the device file names its data_dir");
        let device = device.replacen(data_dir, "data_dir = \"data\"", 1);
        std::fs::write(dir.path().join("kiosk.toml"), device).unwrap();
        for folder in ["surveys", "surveys/images"] {
            for entry in std::fs::read_dir(root.join(folder)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                if name.ends_with(".toml") || name.ends_with(".png") {
                    let file = format!("{folder}/{name}");
                    std::fs::copy(root.join(&file), dir.path().join(&file)).unwrap();
                }
            }
        }
        Setup { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("kiosk.toml")
    }

    /// Replaces `from` with `to` in one of the config files; panics if `from` is not there,
    /// so a test cannot silently stop testing what it meant to.
    pub fn edit(&self, file: &str, from: &str, to: &str) -> &Self {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    pub fn write(&self, file: &str, text: &str) -> &Self {
        std::fs::write(self.path(file), text).unwrap();
        self
    }

    pub fn config(&self) -> KioskConfig {
        KioskConfig::load(&self.config_path()).expect("the demo config is valid")
    }

    pub fn database(&self) -> PathBuf {
        self.config().database_path()
    }

    /// Runs `hetki --config <this config> ARGS`.
    pub fn hetki(&self, args: &[&str]) -> Output {
        hetki_command(&self.config_path(), args)
            .output()
            .expect("hetki runs")
    }
}

pub fn hetki_command(config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hetki"));
    command
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "warn");
    command
}

/// Polls `condition` in real time (the store thread runs in real time) until it holds.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The collector binary beside `hetki` (`cargo test --workspace` builds both).
pub fn collector_bin() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_hetki")).with_file_name("hetki-collector");
    assert!(
        bin.is_file(),
        "{} is missing: run the tests with `cargo test --workspace`, which builds it",
        bin.display()
    );
    bin
}

/// Every response in the buffer, oldest first.
pub fn stored_rows(db: &Database) -> Vec<StoredResponse> {
    let mut rows = Vec::new();
    db.for_each_response(|r| {
        rows.push(r);
        Ok(())
    })
    .unwrap();
    rows
}

/// Whether a screen reader announces an element with `role` as something to tap: a button, a
/// radio button (one of a set), a check box (one of several to pick), a switch or a tab.
pub fn is_control(role: Option<i_slint_backend_testing::AccessibleRole>) -> bool {
    use i_slint_backend_testing::AccessibleRole::*;
    matches!(role, Some(Button | RadioButton | Checkbox | Switch | Tab))
}
