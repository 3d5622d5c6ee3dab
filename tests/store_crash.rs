//! Crash safety: a child process records responses in a loop and is killed with SIGKILL at
//! random moments, many times over the same buffer. (A kill keeps the OS's page cache; that
//! commits reach the disk itself rests on `synchronous=FULL`, checked in tests/store.rs.) After each kill, every id it printed
//! as committed must be in the database, and SQLite must find the file sound.

mod util;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use hetki::store::Database;
use util::{Setup, hetki_command, stored_rows};

const KILLS: usize = 50;

#[test]
fn every_committed_response_survives_sigkill() {
    let setup = Setup::demo();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut random = seed | 1;
    let mut next = move || {
        // xorshift64: the kill moments only need to vary.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut committed = Vec::new();
    for round in 0..KILLS {
        let mut child = hetki_command(
            &setup.config_path(),
            &[
                "simulate",
                // Counted in the tallies, which the check below holds to the rows.
                "--real",
                "--count",
                "100000",
                "--seed",
                &round.to_string(),
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hetki starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        // Let it commit a few (0 to 20) responses, then kill it mid-stride after a random pause.
        let wanted = next() % 21;
        let mut line = Vec::new();
        for _ in 0..wanted {
            line.clear();
            if stdout.read_until(b'\n', &mut line).unwrap() == 0 {
                break;
            }
            committed.push(parse_id(&line));
        }
        std::thread::sleep(Duration::from_micros(next() % 20_000));
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        // Ids printed before the kill are still in the pipe: they were committed too.
        loop {
            line.clear();
            if stdout.read_until(b'\n', &mut line).unwrap() == 0 || !line.ends_with(b"\n") {
                break;
            }
            committed.push(parse_id(&line));
        }

        let db = Database::open(&setup.database(), &Default::default())
            .expect("the buffer opens after a kill");
        assert_eq!(
            db.integrity_check().unwrap(),
            "ok",
            "round {round}, seed {seed}"
        );
        let stored: std::collections::HashSet<String> = stored_rows(&db)
            .iter()
            .map(|r| r.response.id.to_string())
            .collect();
        for id in &committed {
            assert!(
                stored.contains(id),
                "round {round} (seed {seed}): {id} was printed as committed but is not stored"
            );
        }
    }
    assert!(
        committed.len() > KILLS,
        "the children committed too little to test anything: {}",
        committed.len()
    );
    let started = Instant::now();
    let db = Database::open(&setup.database(), &Default::default()).unwrap();
    let rows = stored_rows(&db);
    // A kill that tore a commit, keeping a response without its counts or the counts
    // without it, would show here: the running tallies count exactly the answers stored.
    let survey = setup.config().survey().clone();
    for question in &survey.questions {
        let mut counted: BTreeMap<Option<String>, u64> = BTreeMap::new();
        for answer in rows.iter().flat_map(|r| &r.response.answers) {
            if answer.question == question.id {
                *counted.entry(answer.value.as_cell()).or_default() += 1;
            }
        }
        let tallied: BTreeMap<Option<String>, u64> = db
            .tally(&survey.id, &question.id)
            .unwrap()
            .into_iter()
            .map(|t| (t.value, t.count))
            .collect();
        assert_eq!(tallied, counted, "{}: seed {seed}", question.id);
    }
    eprintln!(
        "{} committed ids checked over {KILLS} kills ({:?})",
        committed.len(),
        started.elapsed()
    );
}

fn parse_id(line: &[u8]) -> String {
    let id = std::str::from_utf8(line).unwrap().trim().to_owned();
    uuid::Uuid::parse_str(&id).unwrap_or_else(|_| panic!("not a response id: {id:?}"));
    id
}
