//! The nginx configuration shipped in `deploy/server`, run by a real nginx in front of a real
//! collector: what nginx refuses itself gets a JSON reason too, with nginx's status, and what
//! it passes on reaches the collector. Only TLS, the ports and the logs are changed for the
//! test; nginx comes from `.ci/deps.sh`.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::Collector;

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/server/nginx-hetki-collector.conf"
);

/// A reply as it came over the wire.
struct Reply {
    status: u16,
    /// Header lines, names in lower case.
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON reason, after checking that it is one.
    fn reason(&self) -> String {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "status {}: {}",
            self.status,
            self.body
        );
        let json: serde_json::Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body));
        json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error: {}", self.body))
            .to_owned()
    }
}

/// nginx in the foreground on `config`, stopped when dropped.
struct Nginx {
    child: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    /// The shipped server block, without TLS, listening on a free loopback port and passing
    /// requests to `upstream`.
    fn in_front_of(upstream: &str) -> Nginx {
        let dir = tempfile::tempdir().unwrap();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let shipped = std::fs::read_to_string(SHIPPED).unwrap();
        let mut server = String::new();
        for line in shipped.lines() {
            let code = line.trim();
            if code.starts_with("ssl_") || code.starts_with("listen [::]:443") {
                continue;
            }
            server.push_str(
                &line
                    .replace("listen 443 ssl;", &format!("listen {address};"))
                    .replace("127.0.0.1:8080", upstream)
                    .replace("error_log /dev/null;", ""),
            );
            server.push('\n');
        }
        // Each change must have found what it changes, or the test would test something else.
        assert!(server.contains(&format!("listen {address};")), "{server}");
        assert!(
            !server.contains("ssl") && !server.contains("8080"),
            "{server}"
        );
        assert!(server.contains(upstream));

        // Everything nginx writes goes to the temporary directory, so that it runs as any user
        // (the packaged defaults are under /var, for root).
        let root = dir.path();
        let config = format!(
            "daemon off;\nmaster_process off;\npid {pid};\nerror_log {log};\nevents {{}}\n\
             http {{\n  access_log off;\n  client_body_temp_path {root}/body;\n\
             proxy_temp_path {root}/proxy;\n{server}}}\n",
            pid = root.join("nginx.pid").display(),
            log = root.join("error.log").display(),
            root = root.display(),
        );
        std::fs::write(root.join("nginx.conf"), config).unwrap();
        let child = Command::new(nginx_binary())
            .arg("-p")
            .arg(root)
            .arg("-e")
            .arg(root.join("error.log"))
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .stdin(Stdio::null())
            .spawn()
            .expect("nginx starts");
        let nginx = Nginx {
            child,
            address,
            _dir: dir,
        };
        let started = Instant::now();
        while TcpStream::connect(&nginx.address).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx does not listen: {}",
                std::fs::read_to_string(nginx._dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    /// Sends `request` as it is and reads the reply until the server closes or goes quiet.
    fn send(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        // nginx may answer and close before it has read a body it refuses.
        let _ = stream.write_all(request);
        let mut raw = Vec::new();
        let mut chunk = [0; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&chunk[..n]),
            }
            if let Some(reply) = parse(&raw) {
                return reply;
            }
        }
        parse(&raw).unwrap_or_else(|| panic!("no whole reply: {:?}", String::from_utf8_lossy(&raw)))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where nginx is: on PATH, or in /usr/sbin, which a user's PATH may lack.
fn nginx_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file());
    on_path.expect("this test needs nginx: `bash .ci/deps.sh` installs it")
}

/// A whole reply (its body as long as Content-Length says), or `None` if more is to come.
fn parse(raw: &[u8]) -> Option<Reply> {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")?
        .1
        .parse()
        .ok()?;
    (body.len() >= length).then(|| Reply {
        status,
        headers,
        body: body[..length].to_owned(),
    })
}

#[test]
fn what_the_proxy_refuses_itself_gets_a_json_reason_with_its_status() {
    let collector = Collector::start(env!("CARGO_BIN_EXE_hetki-collector").as_ref());
    let nginx = Nginx::in_front_of(&collector.address);
    // Well-formed, but with no token: the collector's to refuse.
    let without_token =
        b"POST /api/v1/responses HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 2\r\n\r\n{}";

    // Passed on: the collector's own refusal comes back as it gave it.
    let passed = nginx.send(without_token);
    assert_eq!(passed.status, 401);
    assert!(passed.reason().contains("Bearer"), "{}", passed.body);
    let unknown = nginx.send(b"GET /nothing-here HTTP/1.1\r\nHost: kiosk\r\n\r\n");
    assert_eq!(
        (unknown.status, unknown.reason().as_str()),
        (404, "no such endpoint")
    );

    let long_header = [
        b"GET / HTTP/1.1\r\nHost: kiosk\r\nX-Long: ".as_slice(),
        &[b'a'; 100_000],
        b"\r\n\r\n",
    ]
    .concat();
    let too_large = format!(
        "POST /api/v1/responses HTTP/1.1\r\nHost: kiosk\r\nAuthorization: Bearer {}\r\n\
         Content-Length: {}\r\n\r\n",
        "0".repeat(64),
        6 * 1024 * 1024
    );
    let refused: [(&str, &[u8], u16); 7] = [
        ("no request line", b"GARBAGE\r\n\r\n", 400),
        (
            "a header without a colon",
            b"GET / HTTP/1.1\r\nHost: kiosk\r\nNo colon here\r\n\r\n",
            400,
        ),
        (
            "two lengths",
            b"POST /api/v1/responses HTTP/1.1\r\nHost: kiosk\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}",
            400,
        ),
        ("a header of 100 kB", &long_header, 400),
        ("HTTP/2 in an HTTP/1 line", b"GET / HTTP/2.0\r\nHost: kiosk\r\n\r\n", 505),
        ("a body over 5 MiB", too_large.as_bytes(), 413),
        (
            "the proxy's own error path",
            b"GET /hetki-refused/malformed HTTP/1.1\r\nHost: kiosk\r\n\r\n",
            404,
        ),
    ];
    for (what, request, status) in refused {
        let reply = nginx.send(request);
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        assert!(!reply.reason().is_empty(), "{what}");
    }
    assert!(collector.export().is_empty(), "nothing reached the store");

    // The collector gone: a JSON reason, and when to try again.
    let mut collector = collector;
    collector.kill();
    let down = nginx.send(without_token);
    assert_eq!(down.status, 503);
    assert_eq!(down.header("retry-after"), Some("30"));
    assert!(down.reason().contains("try again later"), "{}", down.body);
}
