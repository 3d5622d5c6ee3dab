//! A small HTTP/1.1 proxy the upload tests own, to put faults between the kiosk and the
//! collector: connections dropped before and after the collector answered, error statuses
//! with `Retry-After`, slow answers. One request per connection (`connection: close`).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the proxy does to one upload request (`POST /api/v1/responses`).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Close the connection without forwarding: the collector never sees it.
    DropBefore,
    /// Forward, wait for the collector's answer, then close without passing it on: the
    /// collector has stored the batch but the kiosk never hears so.
    DropAfter,
    /// Answer with this status (and `Retry-After` seconds) without forwarding.
    Status(u16, Option<u64>),
    /// Wait, then forward.
    Delay(Duration),
}

/// One request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub at: Instant,
    pub path: String,
    /// How many responses an upload carried.
    pub responses: usize,
    pub fault: Option<Fault>,
}

#[derive(Clone)]
pub struct Proxy {
    pub address: String,
    upstream: Arc<Mutex<String>>,
    faults: Arc<Mutex<VecDeque<Fault>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

struct Message {
    head: String,
    body: Vec<u8>,
}

fn read_message(reader: &mut BufReader<TcpStream>) -> std::io::Result<Message> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Message { head, body })
}

/// The head with `connection: close` in place of any connection header.
fn closing(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Proxy {
            address: listener.local_addr().unwrap().to_string(),
            upstream: Arc::new(Mutex::new(upstream.to_owned())),
            faults: Arc::default(),
            seen: Arc::default(),
        };
        let handler = proxy.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let handler = handler.clone();
                std::thread::spawn(move || {
                    let _ = handler.serve(stream);
                });
            }
        });
        proxy
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub fn set_upstream(&self, address: &str) {
        *self.upstream.lock().unwrap() = address.to_owned();
    }

    /// Faults for the next uploads, in order; later uploads pass.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.faults.lock().unwrap().extend(faults);
    }

    pub fn faults_left(&self) -> usize {
        self.faults.lock().unwrap().len()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn serve(&self, client: TcpStream) -> std::io::Result<()> {
        let mut reader = BufReader::new(client.try_clone()?);
        let request = read_message(&mut reader)?;
        let path = request
            .head
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_owned();
        let is_upload = path == hetki_protocol::RESPONSES_PATH;
        let responses = if is_upload {
            serde_json::from_slice::<serde_json::Value>(&request.body)
                .ok()
                .and_then(|v| v["responses"].as_array().map(Vec::len))
                .unwrap_or(0)
        } else {
            0
        };
        let fault = if is_upload {
            self.faults.lock().unwrap().pop_front()
        } else {
            None
        };
        self.seen.lock().unwrap().push(Seen {
            at: Instant::now(),
            path,
            responses,
            fault: fault.clone(),
        });
        let mut client = client;
        match fault {
            Some(Fault::DropBefore) => return client.shutdown(Shutdown::Both),
            Some(Fault::Status(status, retry_after)) => {
                let body = format!("{{\"error\":\"injected {status}\"}}");
                let retry = retry_after
                    .map(|s| format!("retry-after: {s}\r\n"))
                    .unwrap_or_default();
                write!(
                    client,
                    "HTTP/1.1 {status} Injected\r\ncontent-type: application/json\r\n{retry}content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )?;
                return client.flush();
            }
            Some(Fault::Delay(delay)) => std::thread::sleep(delay),
            Some(Fault::DropAfter) | None => {}
        }
        let upstream = self.upstream.lock().unwrap().clone();
        let Ok(mut server) = TcpStream::connect(&upstream) else {
            // The collector is down: the kiosk sees the connection close.
            return client.shutdown(Shutdown::Both);
        };
        server.write_all(closing(&request.head).as_bytes())?;
        server.write_all(&request.body)?;
        let answer = read_message(&mut BufReader::new(server))?;
        if fault == Some(Fault::DropAfter) {
            return client.shutdown(Shutdown::Both);
        }
        client.write_all(closing(&answer.head).as_bytes())?;
        client.write_all(&answer.body)?;
        client.flush()
    }
}
