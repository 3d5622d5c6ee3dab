//! `hetki screenshot` renders every screen with the software renderer, no display needed.

mod util;

use util::Setup;

const SCREENS: [&str; 12] = [
    "attract",
    "question-1",
    "question-2",
    "question-3",
    "idle-warning",
    "question-1-keyboard",
    "thanks",
    "out-of-order",
    "pin",
    "pin-checking",
    "pin-locked",
    "panel",
];

fn read_png(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).unwrap();
    (info.width, info.height, pixels)
}

#[test]
fn every_screen_is_rendered_in_every_language_at_the_asked_size() {
    let setup = Setup::demo();
    // Finnish twice: at 800x480 it is set beside the Swedish.
    let runs = [
        ("fi", "1280x800"),
        ("sv", "800x480"),
        ("en", "1920x1080"),
        ("fi", "800x480"),
    ];
    for (lang, size) in runs {
        let out = setup.path(&format!("shots-{lang}-{size}"));
        let output = setup.hetki(&[
            "screenshot",
            "--out",
            out.to_str().unwrap(),
            "--size",
            size,
            "--lang",
            lang,
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let (w, h) = size.split_once('x').unwrap();
        let mut frames = Vec::new();
        for screen in SCREENS {
            let (width, height, pixels) = read_png(&out.join(format!("{screen}.png")));
            assert_eq!(
                (width.to_string(), height.to_string()),
                (w.to_owned(), h.to_owned()),
                "{screen}"
            );
            let distinct: std::collections::HashSet<_> = pixels.chunks(3).collect();
            assert!(distinct.len() > 20, "{lang} {screen} looks blank");
            frames.push(pixels);
        }
        for (i, a) in frames.iter().enumerate() {
            for b in &frames[i + 1..] {
                assert_ne!(a, b, "two screens rendered alike in {lang}");
            }
        }
    }
    // The language asked for is the one shown.
    for screen in SCREENS {
        let shot =
            |lang: &str| read_png(&setup.path(&format!("shots-{lang}-800x480/{screen}.png")));
        assert_ne!(shot("fi"), shot("sv"), "{screen} alike in fi and sv");
    }
}

#[test]
fn choice_options_show_their_pictures_and_a_missing_picture_is_a_config_error() {
    let setup = Setup::demo();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/ui/images/check.png"),
        setup.path("surveys/yes.png"),
    )
    .unwrap();
    setup.edit(
        "surveys/event-feedback.toml",
        "{ id = \"yes\", label",
        "{ id = \"yes\", image = \"yes.png\", label",
    );
    let without = setup.path("without");
    let with = setup.path("with");
    let shoot =
        |out: &std::path::Path| setup.hetki(&["screenshot", "--out", out.to_str().unwrap()]);
    let output = shoot(&with);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    setup.edit("surveys/event-feedback.toml", "image = \"yes.png\", ", "");
    assert!(shoot(&without).status.success());
    let (_, _, pictured) = read_png(&with.join("question-2.png"));
    let (_, _, plain) = read_png(&without.join("question-2.png"));
    assert_ne!(pictured, plain, "the picture shows");

    setup.edit(
        "surveys/event-feedback.toml",
        "{ id = \"yes\", label",
        "{ id = \"yes\", image = \"gone.png\", label",
    );
    let output = setup.hetki(&["check"]);
    assert_eq!(output.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&output.stderr).contains(
        "questions[1].options[0].image (question 2, option 1): no image file \"gone.png\""
    ));
}

#[test]
fn a_poll_renders_its_results_screen_with_bars_and_before_it_has_enough_answers() {
    let setup = Setup::library_poll();
    let out = setup.path("shots");
    let output = setup.hetki(&["screenshot", "--out", out.to_str().unwrap(), "--lang", "en"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let names: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            std::path::Path::new(l)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "attract.png",
            "attract-results.png",
            "attract-results-2.png",
            "attract-note.png",
            "question-1.png",
            "question-2.png",
            "question-2-unpicked.png",
            "idle-warning.png",
            "question-1-keyboard.png",
            "results.png",
            "results-too-few.png",
            "out-of-order.png",
            "pin.png",
            "pin-checking.png",
            "pin-locked.png",
            "panel.png",
            "panel-session.png"
        ]
    );
    let (_, _, with_bars) = read_png(&out.join("results.png"));
    let (_, _, too_few) = read_png(&out.join("results-too-few.png"));
    // The accent is the own choice's bars and the "Done" button, which both screens have.
    let accent = [0x1d_u8, 0x4f, 0x91];
    let accented = |pixels: &[u8]| pixels.chunks(3).filter(|p| *p == accent).count();
    assert!(accented(&too_few) > 0, "the button");
    assert!(
        accented(&with_bars) > accented(&too_few) + 1000,
        "and the bars"
    );
}

#[test]
fn the_thank_you_screen_shows_qr_codes_a_phone_can_read() {
    let setup = Setup::demo();
    for size in ["1280x800", "800x480"] {
        let out = setup.path(&format!("qr-{size}"));
        let output = setup.hetki(&["screenshot", "--out", out.to_str().unwrap(), "--size", size]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let (width, height, pixels) = read_png(&out.join("thanks.png"));
        let luma = |x: usize, y: usize| {
            let p = &pixels[(y * width as usize + x) * 3..][..3];
            ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8
        };
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, luma);
        let mut read: Vec<String> = image
            .detect_grids()
            .iter()
            .map(|grid| grid.decode().expect("the code decodes").1)
            .collect();
        read.sort();
        assert_eq!(
            read,
            [
                "https://osallistu.example.fi/asukasillat/tulokset",
                "https://osallistu.example.fi/kysely/event-feedback"
            ],
            "at {size}"
        );
    }
    // Without addresses in the survey, no codes.
    setup.edit(
        "surveys/event-feedback.toml",
        "follow_up_url = \"https://osallistu.example.fi/asukasillat/tulokset\"",
        "",
    );
    setup.edit(
        "surveys/event-feedback.toml",
        "phone_url = \"https://osallistu.example.fi/kysely/event-feedback\"",
        "",
    );
    let out = setup.path("no-qr");
    assert!(
        setup
            .hetki(&["screenshot", "--out", out.to_str().unwrap()])
            .status
            .success()
    );
    let (width, height, pixels) = read_png(&out.join("thanks.png"));
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            pixels[(y * width as usize + x) * 3]
        });
    assert!(image.detect_grids().is_empty());
}

#[test]
fn the_high_contrast_theme_large_text_and_test_mode_render_differently() {
    let setup = Setup::demo();
    let mut frames = Vec::new();
    for (name, args) in [
        ("default", vec![]),
        ("contrast", vec!["--theme", "high-contrast"]),
        ("large", vec!["--text", "large"]),
        ("test mode", vec!["--test-mode"]),
    ] {
        let out = setup.path(name);
        let mut command = vec![
            "screenshot",
            "--out",
            out.to_str().unwrap(),
            "--size",
            "800x480",
        ];
        command.extend(args);
        let output = setup.hetki(&command);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        frames.push(read_png(&out.join("question-1.png")).2);
    }
    assert_ne!(frames[0], frames[1]);
    assert_ne!(frames[0], frames[2]);
    // Test mode's banner, in the alert red, across the top.
    let red = |frame: &Vec<u8>| frame.chunks(3).filter(|p| p == &[0x9b, 0x1c, 0x1c]).count();
    assert_eq!(red(&frames[0]), 0);
    assert!(red(&frames[3]) > 5_000, "{}", red(&frames[3]));
    // High contrast is mostly black.
    let black = frames[1].chunks(3).filter(|p| p == &[0, 0, 0]).count();
    assert!(black > frames[1].len() / 3 / 2, "{black}");
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_hetki"))
        .args([
            "--config",
            setup.config_path().to_str().unwrap(),
            "screenshot",
            "--out",
            "x",
            "--theme",
            "dark",
        ])
        .output()
        .unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown theme is a usage error"
    );
}
