//! `hetki screenshot`: every screen rendered to PNG, no display needed, through the same
//! `present` the running kiosk uses.

use std::path::{Path, PathBuf};

use anyhow::Context;
use hetki_protocol::Language;
use slint::ComponentHandle;

use crate::config::KioskConfig;
use crate::flow::{Screen, View};
use crate::headless::HeadlessWindow;
use crate::ui::AppWindow;
use crate::ui_adapter::{Scenery, present};

/// Renders each screen at `width`×`height` in `language` into `out`; returns the files written.
pub fn render_all(
    config: &KioskConfig,
    out: &Path,
    (width, height): (u32, u32),
    language: Language,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let headless = crate::headless::install(width, height)?;
    let ui = AppWindow::new()?;
    let mut window = HeadlessWindow::take(&headless).expect("the window was just made");
    ui.show()?;
    let scenery = Scenery::load(config)?;
    let mut written = Vec::new();
    for (name, view) in screens(config, language) {
        present(&ui, &scenery, &config.survey, &view);
        window.render_full();
        let path = out.join(format!("{name}.png"));
        window
            .save_png(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Every screen a resident can meet, named as its file is. Questions show an answer chosen
/// (the first question with its middle option highlighted) so the selected look is seen too.
pub fn screens(config: &KioskConfig, language: Language) -> Vec<(String, View)> {
    let view = |screen, selected, highlighted| View {
        screen,
        language,
        selected,
        highlighted,
    };
    let mut screens = vec![("attract".to_owned(), view(Screen::Attract, None, false))];
    for (q, question) in config.survey.questions.iter().enumerate() {
        let selected = (q == 0).then_some(question.option_count() / 2);
        screens.push((
            format!("question-{}", q + 1),
            view(Screen::Question(q), selected, selected.is_some()),
        ));
    }
    screens.push(("thanks".to_owned(), view(Screen::Thanks, None, false)));
    screens.push((
        "out-of-order".to_owned(),
        view(Screen::OutOfOrder, None, false),
    ));
    screens
}
