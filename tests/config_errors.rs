//! Each kind of configuration mistake gets its own message naming the file and the field,
//! and `hetki check` exits 78 (EX_CONFIG) without starting anything.

mod util;

use util::Setup;

/// Loads the config expecting failure; returns the whole message.
fn error_of(setup: &Setup) -> String {
    let error =
        hetki::config::KioskConfig::load(&setup.config_path()).expect_err("the config is refused");
    error.to_string()
}

fn assert_mentions(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{part:?} missing from:\n{message}");
    }
}

/// `hetki check` passes and names the survey.
fn assert_check_passes(setup: &Setup, survey_id: &str) {
    let output = setup.hetki(&["check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("ok (survey {survey_id}")));
}

#[test]
fn the_demo_config_is_valid_and_check_says_so() {
    assert_check_passes(&Setup::demo(), "event-feedback");
}

#[test]
fn an_unknown_question_type_names_the_survey_file_and_field() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "type = \"choice\"",
        "type = \"slider\"",
    );
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &[
            "event-feedback.toml",
            "questions[1].type",
            "unknown value `slider`",
            "faces",
            "choice",
        ],
    );
}

#[test]
fn a_missing_translation_names_the_question_and_language() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        ", sv = \"Skulle du delta igen?\"",
        "",
    );
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &[
            "event-feedback.toml",
            "questions[2].text",
            "sv text is missing",
        ],
    );
}

#[test]
fn five_questions_are_too_many() {
    let setup = Setup::demo();
    let survey = std::fs::read_to_string(setup.path("surveys/event-feedback.toml")).unwrap();
    let extra: String = (4..=5)
        .map(|n| {
            format!(
                "\n[[questions]]\nid = \"extra{n}\"\ntype = \"faces\"\ntext = {{ fi = \"K\", sv = \"F\", en = \"Q\" }}\n"
            )
        })
        .collect();
    setup.write("surveys/event-feedback.toml", &(survey + &extra));
    assert_mentions(
        &error_of(&setup),
        &[
            "event-feedback.toml",
            "questions",
            "1 to 4 questions, this one has 5",
        ],
    );
}

#[test]
fn a_wrong_number_of_faces_is_refused() {
    let setup = Setup::demo();
    setup.edit("surveys/event-feedback.toml", "faces = 5", "faces = 7");
    assert_mentions(
        &error_of(&setup),
        &["questions[0].faces", "3, 4 or 5 faces, not 7"],
    );
}

#[test]
fn a_choice_with_one_option_is_refused() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "  { id = \"partly\", label = { fi = \"Osittain\", sv = \"Delvis\", en = \"Partly\" } },\n  { id = \"no\", label = { fi = \"Ei\", sv = \"Nej\", en = \"No\" } },\n",
        "",
    );
    assert_mentions(
        &error_of(&setup),
        &["questions[1].options", "2 to 6 options, not 1"],
    );
}

#[test]
fn duplicate_option_ids_are_refused() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "{ id = \"maybe\"",
        "{ id = \"yes\"",
    );
    assert_mentions(
        &error_of(&setup),
        &["questions[2].options[1].id", "used by an earlier option"],
    );
}

#[test]
fn a_misspelt_field_is_named() {
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "keep_partial = true", "keep_partials = true");
    assert_mentions(&error_of(&setup), &["kiosk.toml", "keep_partials"]);
}

#[test]
fn a_wrong_type_names_the_field_and_line() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "idle_timeout_seconds = 30",
        "idle_timeout_seconds = \"soon\"",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml",
            "timing.idle_timeout_seconds",
            "line",
            "\"soon\" is not a number",
        ],
    );
    setup.edit(
        "kiosk.toml",
        "idle_timeout_seconds = \"soon\"",
        "idle_timeout_seconds = 30",
    );
    setup.edit("surveys/event-feedback.toml", "faces = 5", "faces = -5");
    let message = error_of(&setup);
    assert_mentions(&message, &["questions[0].faces", "expected a whole number"]);
    assert!(!message.contains("usize"), "{message}");
}

#[test]
fn a_default_language_the_device_does_not_offer_is_refused() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "languages = [\"fi\", \"sv\", \"en\"]",
        "languages = [\"fi\", \"sv\"]",
    );
    setup.edit(
        "kiosk.toml",
        "default_language = \"fi\"",
        "default_language = \"en\"",
    );
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml", "default_language", "en is not among"],
    );
}

#[test]
fn an_out_of_range_timeout_is_refused() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "idle_timeout_seconds = 30",
        "idle_timeout_seconds = 1",
    );
    assert_mentions(
        &error_of(&setup),
        &["timing.idle_timeout_seconds", "out of range"],
    );
}

#[test]
fn a_broken_survey_does_not_bring_false_problems_with_it() {
    // Without `languages`, the device offers the survey's: none are known while it is broken.
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "languages = [\"fi\", \"sv\", \"en\"]\n", "");
    setup.edit("surveys/event-feedback.toml", "faces = 5", "faces = 7");
    let message = error_of(&setup);
    assert_mentions(&message, &["questions[0].faces"]);
    assert!(!message.contains("default_language"), "{message}");
}

#[test]
fn labels_on_a_choice_question_are_named() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "type = \"choice\"\n",
        "type = \"choice\"\nlabels = [{ fi = \"A\", sv = \"A\", en = \"A\" }]\n",
    );
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &[
            "questions[1].labels",
            "faces and labels are for faces questions",
        ],
    );
    assert!(!message.contains("questions[1].faces"), "{message}");
}

#[test]
fn follow_up_notes_without_a_loop_are_refused() {
    // They would never show.
    let setup = Setup::library_poll();
    setup.edit("kiosk.toml", "rotate_seconds = 8\n", "");
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &["kiosk.toml", "attract.notes", "set attract.rotate_seconds"],
    );
}

#[test]
fn a_missing_survey_file_is_named() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "surveys/event-feedback.toml",
        "surveys/nope.toml",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml: survey: there is no survey file at ",
            "surveys/nope.toml",
        ],
    );
    // Nor is a survey file a device file.
    let output = util::hetki_command(&setup.path("surveys/library-poll.toml"), &["check"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(78));
    assert_mentions(
        &String::from_utf8_lossy(&output.stderr),
        &["library-poll.toml: this is a survey file: give --config the device file"],
    );
}

#[test]
fn messages_count_from_one_and_speak_plainly() {
    let setup = Setup::demo();
    setup.edit("surveys/event-feedback.toml", "faces = 5", "faces = \"5\"");
    assert_mentions(
        &error_of(&setup),
        &["questions[0].faces (question 1): \"5\" is in quotes: write a whole number without them"],
    );
    setup.edit("surveys/event-feedback.toml", "faces = \"5\"", "faces = 5");
    setup.edit("kiosk.toml", "fullscreen = ", "fullscreen = \"no\"\n# ");
    assert_mentions(
        &error_of(&setup),
        &["fullscreen: \"no\" is not true or false"],
    );
    setup.edit("kiosk.toml", "fullscreen = \"no\"\n# ", "fullscreen = ");
    // Curly quotes from a word processor, and a key given twice.
    setup.edit(
        "kiosk.toml",
        "topic = \"Kaupunkisuunnittelu\"",
        "topic = “Kaupunkisuunnittelu”",
    );
    assert_mentions(
        &error_of(&setup),
        &["“ ” are not quotes here, type \" instead"],
    );
    setup.edit(
        "kiosk.toml",
        "topic = “Kaupunkisuunnittelu”",
        "topic = \"x\"\ntopic = \"y\"",
    );
    assert_mentions(&error_of(&setup), &["topic is given twice (line "]);
}

#[test]
fn broken_toml_syntax_gives_the_line() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "kind = \"feedback\"",
        "kind = \"feedback",
    );
    assert_mentions(&error_of(&setup), &["event-feedback.toml", "line 3"]);
}

/// The parser stops where a missing quote or brace confuses it, often further on and calling
/// it a missing comma: the message also points at the line that left it open.
#[test]
fn a_missing_quote_or_brace_is_traced_to_its_line() {
    let setup = Setup::demo();
    // The quotes after it then pair up wrongly, up to the end of the line.
    setup.edit(
        "kiosk.toml",
        "Espoon kaupunki.\", sv",
        "Espoon kaupunki., sv",
    );
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml", "(line 18): line 18 has a \" without its pair"],
    );
    setup.edit(
        "kiosk.toml",
        "Espoon kaupunki., sv",
        "Espoon kaupunki.\", sv",
    );
    // A `"` inside a literal string is text, not a quote left open.
    setup.edit(
        "kiosk.toml",
        "fullscreen = false",
        "fullscreen = false\nscreen = '10\" touch'\nbroken =",
    );
    let message = error_of(&setup);
    assert!(!message.contains("without its pair"), "{message}");
    setup.edit(
        "kiosk.toml",
        "fullscreen = false\nscreen = '10\" touch'\nbroken =",
        "fullscreen = false",
    );
    // Inline tables may span lines, so the parser reads on to the next key.
    setup.edit("kiosk.toml", "City of Espoo.\" }", "City of Espoo.\"");
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml", "is the { on line 18 closed with }?"],
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let setup = Setup::demo();
    setup.edit("surveys/event-feedback.toml", "faces = 5", "faces = 2");
    setup.edit(
        "surveys/event-feedback.toml",
        ", sv = \"Skulle du delta igen?\"",
        "",
    );
    let message = error_of(&setup);
    assert_mentions(&message, &["questions[0].faces", "questions[2].text"]);
}

#[test]
fn a_broken_survey_stops_the_kiosk_but_not_export_or_status() {
    let setup = Setup::demo();
    let simulated = setup.hetki(&["simulate", "--count", "3"]);
    assert!(
        simulated.status.success(),
        "{}",
        String::from_utf8_lossy(&simulated.stderr)
    );

    setup.edit(
        "surveys/event-feedback.toml",
        "type = \"faces\"",
        "type = \"stars\"",
    );
    for command in [&["check"][..], &["run"], &["simulate", "--count", "1"]] {
        let output = setup.hetki(command);
        assert_eq!(output.status.code(), Some(78), "{command:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("questions[0].type"), "{stderr}");
    }
    // What is stored can still be read out, with a warning that the kiosk will not start.
    let exported = setup.hetki(&["export", "--format", "jsonl"]);
    let stderr = String::from_utf8_lossy(&exported.stderr);
    assert!(exported.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&exported.stdout).lines().count(), 3);
    assert_mentions(&stderr, &["will not start", "questions[0].type"]);
    let status = setup.hetki(&["status"]);
    assert!(status.status.success());
    assert!(String::from_utf8_lossy(&status.stdout).contains("stored:          3"));
    // A token file not yet installed keeps the kiosk from starting, but reading out what is
    // stored needs no token; `sync` does, and says which file it lacks.
    let device = std::fs::read_to_string(setup.config_path()).unwrap();
    setup.write(
        "kiosk.toml",
        &format!("{device}\n[upload]\nendpoint = \"https://palaute.example.fi\"\ntoken_file = \"kiosk.token\"\n"),
    );
    let exported = setup.hetki(&["export"]);
    let stderr = String::from_utf8_lossy(&exported.stderr);
    assert!(exported.status.success(), "{stderr}");
    assert_mentions(
        &stderr,
        &["will not start", "upload.token_file", "no such file"],
    );
    assert!(setup.hetki(&["status"]).status.success());
    let synced = setup.hetki(&["sync", "--once"]);
    assert_eq!(synced.status.code(), Some(78));
    assert_mentions(
        &String::from_utf8_lossy(&synced.stderr),
        &["kiosk.token", "upload.token_file", "there is no such file"],
    );
    setup.write("kiosk.toml", &device);
    // Unless the buffer's own fields are wrong too: then every problem is shown.
    setup.edit("kiosk.toml", "Europe/Helsinki", "Europe/Hesa");
    let output = setup.hetki(&["export"]);
    assert_eq!(output.status.code(), Some(78));
    assert_mentions(
        &String::from_utf8_lossy(&output.stderr),
        &["time_zone", "questions[0].type"],
    );
    setup.edit("kiosk.toml", "Europe/Hesa", "Europe/Helsinki");

    setup.edit(
        "surveys/event-feedback.toml",
        "type = \"stars\"",
        "type = \"faces\"",
    );
    let db = hetki::store::Database::open(&setup.database(), &Default::default()).unwrap();
    assert_eq!(
        db.count().unwrap(),
        3,
        "a refused config loses nothing already stored"
    );
}

#[test]
fn a_usage_error_is_not_a_config_error() {
    let setup = Setup::demo();
    let output = setup.hetki(&["screenshot", "--out", "x", "--size", "huge"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn an_unknown_key_at_the_start_of_a_line_names_that_line() {
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "[event]\n", "[event]\nbogus = 1\n");
    let text = std::fs::read_to_string(setup.config_path()).unwrap();
    let line = text.lines().position(|l| l == "bogus = 1").unwrap() + 1;
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml", "bogus", &format!("(line {line})")],
    );
}

#[test]
fn a_picture_that_is_not_an_image_is_named_in_the_survey_file() {
    let setup = Setup::demo();
    setup.write("surveys/yes.png", "not a picture");
    setup.edit(
        "surveys/event-feedback.toml",
        "{ id = \"yes\", label",
        "{ id = \"yes\", image = \"yes.png\", label",
    );
    let output = setup.hetki(&["check"]);
    assert_eq!(output.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "event-feedback.toml: questions[1].options[0].image (question 2, option 1): "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("yes.png is not a picture: save it as PNG, JPEG or SVG")
            && !stderr.contains("Error loading image"),
        "{stderr}"
    );
}

#[test]
fn the_participation_symbols_must_be_images() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "fullscreen = false",
        "symbol = \"symbol.png\"\nsymbol_high_contrast = \"light.png\"\nfullscreen = false",
    );
    let output = setup.hetki(&["check"]);
    assert_eq!(output.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_mentions(
        &stderr,
        &[
            "kiosk.toml: symbol: no image file at",
            "kiosk.toml: symbol_high_contrast: no image file at",
        ],
    );

    let placeholder = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/ui/images/participation-symbol.png"
    );
    std::fs::copy(placeholder, setup.path("symbol.png")).unwrap();
    setup.write("light.png", "not a picture");
    let output = setup.hetki(&["check"]);
    assert_eq!(output.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_mentions(
        &stderr,
        &[
            "kiosk.toml: symbol_high_contrast: ",
            "light.png is not a picture",
        ],
    );

    std::fs::copy(placeholder, setup.path("light.png")).unwrap();
    assert_check_passes(&setup, "event-feedback");
}

#[test]
fn upload_settings_are_checked_with_the_token_file() {
    let setup = Setup::demo();
    let device = std::fs::read_to_string(setup.config_path()).unwrap();
    let with_upload = |table: &str| {
        setup.write("kiosk.toml", &format!("{device}\n[upload]\n{table}\n"));
        error_of(&setup)
    };
    assert_mentions(
        &with_upload("endpoint = \"ftp://collector\"\ntoken_file = \"kiosk.token\""),
        &["kiosk.toml: upload.endpoint: \"ftp://collector\" is not an http(s) URL"],
    );
    assert_mentions(
        &with_upload("endpoint = \"http://palaute.example.fi\"\ntoken_file = \"kiosk.token\""),
        &["upload.endpoint: \"http://palaute.example.fi\" would send the device token in clear"],
    );
    assert_mentions(
        &with_upload(
            "endpoint = \"https://palaute.example.fi/api/v1\"\ntoken_file = \"kiosk.token\"",
        ),
        &[
            "\"https://palaute.example.fi/api/v1\" goes too far: give the collector's own address, without /api/v1",
        ],
    );
    assert_mentions(
        &with_upload("endpoint = \"https://palaute.example.fi\"\ntoken_file = \"kiosk.token\""),
        &[
            "kiosk.toml: upload.token_file: ",
            "kiosk.token: there is no such file: `hetki-collector device add NAME`",
        ],
    );
    setup.write("kiosk.token", "  \n");
    assert_mentions(
        &with_upload("endpoint = \"https://palaute.example.fi\"\ntoken_file = \"kiosk.token\""),
        &[
            "upload.token_file: ",
            "kiosk.token: the file must hold one token",
        ],
    );
    assert_mentions(
        &with_upload("endpoint = \"https://palaute.example.fi\""),
        &["upload: give both endpoint and token_file, or neither"],
    );
    assert_mentions(
        &with_upload("batch_responses = 5000\nretry_cap_seconds = -1"),
        &[
            "upload.batch_responses: 5000 is out of range: use 1 to 1000",
            "upload.retry_cap_seconds: -1 is out of range",
        ],
    );
    assert_mentions(&with_upload("endpont = \"x\""), &["upload", "endpont"]);

    setup.write("kiosk.token", "0123abcd\n");
    setup.write(
        "kiosk.toml",
        &format!("{device}\n[upload]\nendpoint = \"https://palaute.example.fi\"\ntoken_file = \"kiosk.token\"\nprune_after_days = 7\n"),
    );
    let config = setup.config();
    assert_eq!(
        config.upload.prune_after,
        std::time::Duration::from_secs(7 * 86_400)
    );
    let token = hetki::config::Token::read(&setup.path("kiosk.token"), "t").unwrap();
    assert_eq!(token.secret(), "0123abcd");
    assert_eq!(
        format!("{token:?}"),
        "Token(..)",
        "a token never shows in a log"
    );
    assert!(!format!("{config:?}").contains("0123abcd"));

    // A token others can read passes, with a warning that says how to fix it.
    use std::os::unix::fs::PermissionsExt;
    let set_mode = |mode| {
        std::fs::set_permissions(
            setup.path("kiosk.token"),
            std::fs::Permissions::from_mode(mode),
        )
        .unwrap()
    };
    let warning = "the token file is readable by other users (mode 644): chmod 600 it";
    set_mode(0o644);
    let output = setup.hetki(&["check"]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_mentions(
        &stderr,
        &["hetki: warning: ", "upload.token_file: ", warning],
    );
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");
    // Reading what is stored needs no token, so it says nothing of it.
    let output = setup.hetki(&["status"]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains(warning));
    set_mode(0o600);
    let output = setup.hetki(&["check"]);
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains(warning));
}

#[test]
fn a_results_minimum_belongs_to_polls_only_and_stays_in_range() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "kind = \"feedback\"",
        "kind = \"feedback\"\nresults_minimum = 5",
    );
    assert_mentions(
        &error_of(&setup),
        &["event-feedback.toml: results_minimum: only a poll shows results"],
    );
    let poll = Setup::library_poll();
    poll.edit(
        "surveys/library-poll.toml",
        "results_minimum = 5",
        "results_minimum = 2",
    );
    assert_mentions(
        &error_of(&poll),
        &[
            "library-poll.toml: results_minimum: 2 is out of range: use 3 to 1000, or one person's vote",
        ],
    );
    // Nought, or too many, in the same words, once.
    poll.edit(
        "surveys/library-poll.toml",
        "results_minimum = 2",
        "results_minimum = 0",
    );
    let message = error_of(&poll);
    assert_mentions(
        &message,
        &["results_minimum: 0 is out of range: use 3 to 1000"],
    );
    assert_eq!(message.matches("results_minimum").count(), 1, "{message}");
    poll.edit(
        "surveys/library-poll.toml",
        "results_minimum = 0",
        "results_minimum = 5000",
    );
    let message = error_of(&poll);
    assert_mentions(
        &message,
        &["results_minimum: 5000 is out of range: use 3 to 1000"],
    );
    assert_eq!(message.matches("results_minimum").count(), 1, "{message}");
}

#[test]
fn the_library_poll_demo_is_valid() {
    assert_check_passes(&Setup::library_poll(), "library-poll");
}

#[test]
fn qr_addresses_must_be_web_addresses() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "follow_up_url = \"https://osallistu.example.fi/asukasillat/tulokset\"",
        "follow_up_url = \"osallistu.example.fi\"",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "event-feedback.toml: follow_up_url: \"osallistu.example.fi\" is not a secure web address: start it with https://",
        ],
    );
    // A phone must not be sent to a page anyone on the way could change.
    setup.edit(
        "surveys/event-feedback.toml",
        "follow_up_url = \"osallistu.example.fi\"",
        "follow_up_url = \"http://osallistu.example.fi/a b\"",
    );
    assert_mentions(&error_of(&setup), &["is not a secure web address"]);
    setup.edit("surveys/event-feedback.toml", "http://", "https://");
    assert_mentions(&error_of(&setup), &["has a space in it"]);
}

#[test]
fn a_poll_has_no_qr_addresses_it_would_never_show() {
    let setup = Setup::library_poll();
    setup.edit(
        "surveys/library-poll.toml",
        "id = \"library-poll\"",
        "id = \"library-poll\"\nphone_url = \"https://osallistu.example.fi/kysely\"",
    );
    assert_mentions(
        &error_of(&setup),
        &["library-poll.toml: phone_url: a poll thanks with its results, where no QR code shows"],
    );
}

#[test]
fn a_pin_hash_must_come_from_pin_hash() {
    let setup = Setup::demo();
    let device = std::fs::read_to_string(setup.config_path()).unwrap();
    let start = device.find("pin_hash = \"").unwrap();
    let end = start + device[start..].find('\n').unwrap();
    setup.write(
        "kiosk.toml",
        &format!("{}pin_hash = \"2468\"{}", &device[..start], &device[end..]),
    );
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml: panel.pin_hash: not a PIN hash: make one with `hetki pin-hash`"],
    );
    let hashed = std::process::Command::new(env!("CARGO_BIN_EXE_hetki"))
        .arg("pin-hash")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"13579\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(hashed.status.success());
    let hash = String::from_utf8(hashed.stdout).unwrap();
    let hash: hetki::pin::PinHash = hash.trim().parse().unwrap();
    assert!(hash.matches("13579") && !hash.matches("2468"));
}

#[test]
fn panel_choices_and_the_time_zone_are_checked() {
    let setup = Setup::demo();
    setup
        .edit(
            "kiosk.toml",
            "surveys = [\"surveys/library-poll.toml\"]",
            "surveys = [\"surveys/library-poll.toml\", \"surveys/event-feedback.toml\"]",
        )
        .edit(
            "kiosk.toml",
            "time_zone = \"Europe/Helsinki\"",
            "time_zone = \"Europe/Espoo\"",
        )
        .edit("kiosk.toml", "sv = \"Pop-up: Hagalunds gågata\", ", "");
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &[
            "kiosk.toml",
            "surveys/event-feedback.toml is listed twice",
            "time_zone: \"Europe/Espoo\" is not a time zone",
            "events[1].name ([[events]] number 2): the sv text is missing",
        ],
    );
}

#[test]
fn an_event_area_must_be_one_of_the_districts() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "area = \"Suur-Tapiola\"",
        "area = \"Suur-Tapiolaa\"",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml",
            "events[1].area ([[events]] number 2): \"Suur-Tapiolaa\" is not one of the districts: Suur-Leppävaara, Suur-Tapiola,",
        ],
    );
    // Without a list of districts any area goes.
    setup.edit("kiosk.toml", &list_in(&setup, "districts"), "");
    assert_check_passes(&setup, "event-feedback");
}

/// The demo device file's `key = [ … ]`, over its lines.
fn list_in(setup: &Setup, key: &str) -> String {
    let text = std::fs::read_to_string(setup.config_path()).unwrap();
    let start = text.find(&format!("\n{key} = [")).unwrap() + 1;
    let end = start + text[start..].find("\n]\n").unwrap() + 2;
    text[start..end].to_owned()
}

/// A district is one name, or one per language with the Finnish one that events use.
#[test]
fn a_district_named_per_language_has_a_finnish_name() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "{ fi = \"Pohjois-Espoo\", sv = \"Norra Esbo\", en = \"North Espoo\" }",
        "{ sv = \"Norra Esbo\", en = \"North Espoo\" }",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml",
            "districts[6] (district 7): has no Finnish name (fi): events name their area and topic by it",
        ],
    );
    // One name for every language.
    setup.edit(
        "kiosk.toml",
        "{ sv = \"Norra Esbo\", en = \"North Espoo\" }",
        "\"Pohjois-Espoo\"",
    );
    assert_check_passes(&setup, "event-feedback");
    // Events name their area by its Finnish name, not by another.
    setup.edit(
        "kiosk.toml",
        "area = \"Suur-Tapiola\"",
        "area = \"Stor-Hagalund\"",
    );
    assert_mentions(
        &error_of(&setup),
        &["\"Stor-Hagalund\" is not one of the districts: Suur-Leppävaara, Suur-Tapiola,"],
    );
}

#[test]
fn an_event_topic_must_be_one_of_the_topics() {
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "topic = \"Liikenne\"", "topic = \"Likenne\"");
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml",
            "events[1].topic ([[events]] number 2): \"Likenne\" is not one of the topics: Kaupunkisuunnittelu, Liikenne,",
        ],
    );
    setup.edit("kiosk.toml", &list_in(&setup, "topics"), "topics = []");
    assert_mentions(
        &error_of(&setup),
        &["topics: is empty: list the city's topics, or leave topics out"],
    );
    // Without a list of topics any topic goes.
    setup.edit("kiosk.toml", "topics = []", "");
    assert_check_passes(&setup, "event-feedback");
}

#[test]
fn an_event_date_is_a_day() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "date = 2027-01-21",
        "date = 2027-01-21T18:00:00",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "kiosk.toml",
            "events[0].date ([[events]] number 1): 2027-01-21T18:00:00 is not a day: write it as 2026-11-24",
        ],
    );
    // As Finns write it.
    setup.edit(
        "kiosk.toml",
        "date = 2027-01-21T18:00:00",
        "date = \"21.1.2027\"",
    );
    assert_mentions(
        &error_of(&setup),
        &["events[0].date ([[events]] number 1): \"21.1.2027\" is not a day"],
    );
    // A quoted day is taken.
    setup.edit(
        "kiosk.toml",
        "date = \"21.1.2027\"",
        "date = \"2027-01-21\"",
    );
    assert_check_passes(&setup, "event-feedback");
}

#[test]
fn a_multiple_choice_is_for_choice_questions_only() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "type = \"faces\"",
        "type = \"faces\"\nmultiple = true",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "event-feedback.toml",
            "questions[0].multiple",
            "only a choice question can take several answers",
        ],
    );
}

#[test]
fn a_wrong_language_code_is_named_with_the_right_ones() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "sv = \"Skulle du delta igen?\"",
        "se = \"Skulle du delta igen?\"",
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "event-feedback.toml",
            "questions[2].text",
            "unknown language `se`: use fi, sv or en",
        ],
    );
}

#[test]
fn a_misspelt_option_key_is_named() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "{ id = \"partly\",",
        "{ id = \"partly\", img = \"partly.png\",",
    );
    assert_mentions(
        &error_of(&setup),
        &["event-feedback.toml", "questions[1].options[1]", "img"],
    );
}

#[test]
fn a_language_listed_twice_on_the_device_is_refused() {
    let setup = Setup::demo();
    setup.edit(
        "kiosk.toml",
        "languages = [\"fi\", \"sv\", \"en\"]",
        "languages = [\"fi\", \"sv\", \"fi\", \"en\"]",
    );
    assert_mentions(
        &error_of(&setup),
        &["kiosk.toml", "languages", "fi is listed twice"],
    );
}

#[test]
fn a_text_the_kiosks_font_cannot_draw_is_a_warning_naming_its_field() {
    let setup = Setup::demo();
    setup.edit(
        "surveys/event-feedback.toml",
        "fi = \"Osittain\"",
        "fi = \"Osittain 🙂\"",
    );
    // A hash of staff's own: the demo's is warned of too.
    setup.edit("kiosk.toml", "2f75\"", "2f74\"");
    let output = setup.hetki(&["check"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_mentions(
        &stderr,
        &[
            "warning: ",
            "event-feedback.toml: questions[1].options[1].label.fi (question 2, option 2): '🙂' (U+1F642) is not in the kiosk's font",
        ],
    );
    // Finnish and Swedish letters, dashes and quotes are all in it.
    assert!(!stderr.contains("kiosk.toml"), "{stderr}");
    assert_eq!(stderr.matches("warning: ").count(), 1, "{stderr}");
}

/// `hetki check` tells of a data folder answers could not be kept in, before the first
/// answer is lost; the kiosk itself would start, out of order until it can write.
#[test]
fn check_refuses_a_data_folder_that_cannot_be_one() {
    let setup = Setup::demo();
    std::fs::write(setup.path("a-file"), "").unwrap();
    for (data_dir, message) in [
        ("a-file", "a-file is not a folder"),
        ("a-file/data", "a-file is not a folder"),
    ] {
        setup.edit(
            "kiosk.toml",
            "data_dir = \"data\"",
            &format!("data_dir = \"{data_dir}\""),
        );
        let output = setup.hetki(&["check"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(78), "{stderr}");
        assert_mentions(&stderr, &["kiosk.toml: data_dir: ", message]);
        setup.edit(
            "kiosk.toml",
            &format!("data_dir = \"{data_dir}\""),
            "data_dir = \"data\"",
        );
    }
    // A folder yet to be made, in one that can be written, is fine.
    setup.edit(
        "kiosk.toml",
        "data_dir = \"data\"",
        "data_dir = \"new/data\"",
    );
    assert_check_passes(&setup, "event-feedback");

    setup.edit("kiosk.toml", "data_dir = \"new/data\"", "data_dir = \"\"");
    assert_mentions(&error_of(&setup), &["kiosk.toml: data_dir: is empty"]);
}

/// A question too long to read at a glance would push the answers and Back off a small
/// screen: refused, naming the question and the language.
#[test]
fn a_question_too_long_for_the_screen_is_refused() {
    let setup = Setup::demo();
    let long = "Millainen tilaisuus oli kokonaisuutena? ".repeat(4);
    setup.edit(
        "surveys/event-feedback.toml",
        "fi = \"Millainen tilaisuus oli kokonaisuutena?\"",
        &format!("fi = \"{}\"", long.trim()),
    );
    assert_mentions(
        &error_of(&setup),
        &[
            "event-feedback.toml: questions[0].text (question 1): the fi text has 159 characters: keep a question under 120",
        ],
    );
}

#[test]
fn a_device_id_is_plain_like_the_collectors_device_names() {
    let setup = Setup::demo();
    setup.edit("kiosk.toml", "\"demo-kiosk-1\"", "\"Demo kiosk 1\"");
    assert_mentions(
        &error_of(&setup),
        &["device_id", "\"Demo kiosk 1\"", "lowercase letters a-z"],
    );
}

#[test]
fn check_warns_of_a_panel_nobody_can_open_or_everybody_can() {
    let setup = Setup::demo();
    let warnings = |setup: &Setup| {
        let output = setup.hetki(&["check"]);
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert_mentions(
        &warnings(&setup),
        &["warning: ", "kiosk.toml: panel.pin_hash: is the demo's"],
    );
    setup.edit("kiosk.toml", "pin_hash = ", "# pin_hash = ");
    assert_mentions(
        &warnings(&setup),
        &["kiosk.toml: panel.pin_hash: not set, so the staff panel cannot be opened"],
    );
}

#[test]
fn a_survey_id_in_two_files_and_blank_groupings_are_named() {
    let setup = Setup::demo();
    std::fs::copy(
        setup.path("surveys/library-poll.toml"),
        setup.path("surveys/copy.toml"),
    )
    .unwrap();
    setup
        .edit(
            "kiosk.toml",
            "surveys = [\"surveys/library-poll.toml\"]",
            "surveys = [\"surveys/library-poll.toml\", \"surveys/copy.toml\"]",
        )
        .edit("kiosk.toml", "topic = \"", "topic = \" ");
    setup.edit(
        "kiosk.toml",
        &list_in(&setup, "districts"),
        "districts = []",
    );
    let message = error_of(&setup);
    assert_mentions(
        &message,
        &[
            // Its place in the list, not just the list.
            "surveys[1] (other survey 2): ",
            "copy.toml has the id \"library-poll\" of ",
            "library-poll.toml too: give each survey its own id",
            "event.topic: \" ",
            "is blank or has spaces around it",
            "districts: is empty",
        ],
    );
}
