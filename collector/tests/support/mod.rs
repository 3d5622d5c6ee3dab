//! A real collector process on loopback for tests, on its own database in a temporary
//! directory. Shared by the collector's tests and the kiosk's upload tests.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// reqwest is built with rustls and no default crypto provider (the kiosk installs ring);
/// tests that make their own clients install it too.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub struct Collector {
    bin: PathBuf,
    pub db: PathBuf,
    pub address: String,
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

impl Collector {
    /// Starts `bin serve` on a free port with a fresh database.
    pub fn start(bin: &Path) -> Collector {
        install_tls_provider();
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("collector.sqlite3");
        let mut collector = Collector::serve(bin, &db, "127.0.0.1:0");
        collector._dir = Some(dir);
        collector
    }

    /// Starts `bin serve` on `db` at `listen`, waiting until it accepts connections.
    pub fn serve(bin: &Path, db: &Path, listen: &str) -> Collector {
        Collector::serve_with(bin, db, &["--listen", listen])
    }

    /// Starts `bin serve` on `db` with `args`, waiting until it accepts connections.
    pub fn serve_with(bin: &Path, db: &Path, args: &[&str]) -> Collector {
        let mut child = Command::new(bin)
            .args(["--db", db.to_str().unwrap(), "serve"])
            .args(args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("the collector starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Collector {
            bin: bin.to_owned(),
            db: db.to_owned(),
            address,
            child,
            _dir: None,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the server to exit by itself, for at most `limit`: whether it did.
    pub fn exits_within(&mut self, limit: std::time::Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if self.child.try_wait().unwrap().is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        false
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs the collector's command line on the same database.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(&self.bin)
            .args(["--db", self.db.to_str().unwrap()])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    }

    /// Registers a device and returns its token.
    pub fn add_device(&self, name: &str) -> String {
        let output = self.cli(&["device", "add", name]);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    /// Every stored response as JSON, test answers too, in the order received.
    pub fn export(&self) -> Vec<serde_json::Value> {
        let output = self.cli(&["export", "--format", "jsonl", "--include-test"]);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The ids of every stored response, in the order received.
    pub fn exported_ids(&self) -> Vec<String> {
        self.export()
            .iter()
            .map(|r| r["response"]["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.kill();
    }
}
