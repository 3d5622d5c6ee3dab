//! Writes a view of the flow into the UI's globals, changing only what changed.

use hetki_protocol::{DisplayTheme, Language, Question, QuestionKind};
use slint::{ComponentHandle, Image, Model, ModelRc, VecModel};

use super::scenery::{Scenery, SurveyPictures};
use crate::flow::{AttractSlide, PinMessage, Screen, View};
use crate::picture::AnswerPicture;
use crate::results::{PollResults, results_view};
use crate::session::Session;
use crate::ui::{
    AnswerOption, AppWindow, KioskState, LanguageButton, ResultBar, ResultPair, ResultQuestion,
    Screen as UiScreen, Theme,
};

/// Writes a view of the flow into the UI's globals; `results` are a poll's published results.
pub fn present(
    ui: &AppWindow,
    scenery: &Scenery,
    session: &Session,
    view: &View,
    results: Option<&PollResults>,
) {
    let survey = &*session.survey;
    let no_pictures = SurveyPictures::default();
    let pictures = scenery.surveys.get(&survey.id).unwrap_or(&no_pictures);
    let language = view.language;
    let state = ui.global::<KioskState>();
    // The chrome strings (buttons, thanks) follow the respondent's language; "en" is the source.
    // Switching retranslates every string on screen, so only on a change.
    if state.get_language() != language.code() {
        if let Err(error) = slint::select_bundled_translation(language.code()) {
            tracing::warn!(%error, language = language.code(), "no UI translation");
        }
        state.set_language(language.code().into());
    }
    // Set only on a change: every colour and size depends on these.
    let theme = ui.global::<Theme>();
    let high_contrast = view.display.theme == DisplayTheme::HighContrast;
    if theme.get_high_contrast() != high_contrast {
        theme.set_high_contrast(high_contrast);
    }
    if theme.get_large_text() != view.display.large_text {
        theme.set_large_text(view.display.large_text);
    }
    state.set_screen(match view.screen {
        Screen::Attract => UiScreen::Attract,
        Screen::Question(_) => UiScreen::Question,
        Screen::Thanks => UiScreen::Thanks,
        Screen::Results => UiScreen::Results,
        Screen::OutOfOrder => UiScreen::OutOfOrder,
        Screen::Pin => UiScreen::Pin,
        Screen::Panel => UiScreen::Panel,
    });
    state.set_pin_digits(view.pin_digits as i32);
    state.set_pin_tries_left(match view.pin_message {
        Some(PinMessage::Wrong { left }) => left as i32,
        _ => -1,
    });
    let lock_minutes = match view.pin_message {
        Some(PinMessage::Locked { minutes }) => i32::try_from(minutes).unwrap_or(i32::MAX),
        _ => 0,
    };
    state.set_pin_lock_minutes(lock_minutes);
    state.set_pin_checking(view.pin_message == Some(PinMessage::Checking));
    state.set_event_name(session.event.name.get(language).into());
    state.set_event_place(session.event.place.get(language).into());
    state.set_test_mode(session.test_mode());
    state.set_privacy_note(scenery.privacy_note.get(language).into());
    state.set_survey_title(survey.title.get(language).into());
    if let Some(symbol) = &scenery.symbol {
        state.set_symbol(symbol.clone());
    }
    if let Some(symbol) = &scenery.symbol_high_contrast {
        state.set_symbol_high_contrast(symbol.clone());
    }
    state.set_question_count(survey.questions.len() as i32);
    if view.screen == Screen::Thanks {
        state.set_follow_up_qr(pictures.follow_up_qr.clone().unwrap_or_default());
        state.set_phone_qr(pictures.phone_qr.clone().unwrap_or_default());
    }
    update_rows(
        state.get_languages(),
        |m| state.set_languages(m),
        scenery.languages.iter().map(|&l| LanguageButton {
            code: l.code().to_uppercase().into(),
            name: l.native_name().into(),
            current: l == language,
        }),
        PartialEq::eq,
    );

    state.set_idle_seconds_left(view.idle_warning.map_or(0, |s| s as i32));
    if let Screen::Question(q) = view.screen {
        let question = &survey.questions[q];
        // A new question gets new buttons: the last question's, reused, would fade its pick
        // out on the new answers.
        let new_question = state.get_question_number() != q as i32 + 1;
        state.set_question_number(q as i32 + 1);
        state.set_question_text(last_words_together(question.text.get(language)).into());
        state.set_can_skip(question.skippable);
        state.set_highlighting(view.highlighted);
        let multiple = question.is_multiple();
        state.set_multiple(multiple);
        state.set_picked_count(if multiple {
            view.selected.len() as i32
        } else {
            0
        });
        let options: Vec<AnswerOption> = match &question.kind {
            QuestionKind::Faces { faces } => faces
                .iter()
                .enumerate()
                .map(|(i, face)| AnswerOption {
                    label: face.label.get(language).into(),
                    face: face_picture(faces.len(), i),
                    image: Image::default(),
                    image_medium: Image::default(),
                    image_small: Image::default(),
                    picked: view.selected.contains(&i),
                })
                .collect(),
            QuestionKind::Choice { options, .. } => options
                .iter()
                .enumerate()
                .map(|(i, option)| {
                    let AnswerPicture {
                        full,
                        medium,
                        small,
                    } = pictures
                        .option_images
                        .get(q)
                        .and_then(|images| images.get(i))
                        .cloned()
                        .flatten()
                        .unwrap_or_default();
                    AnswerOption {
                        label: option.label.get(language).into(),
                        face: 0,
                        image: full,
                        image_medium: medium,
                        image_small: small,
                        picked: view.selected.contains(&i),
                    }
                })
                .collect(),
        };
        state.set_longest_word(longest_word(question, &[language]).into());
        // The layout holds whichever language is chosen: a switch must not turn a scale
        // from a column to a row under the respondent's eyes.
        state.set_longest_word_any_language(longest_word(question, &scenery.languages).into());
        state.set_longest_label_any_language(longest_label(question, &scenery.languages).into());
        state.set_options_are_faces(options.first().is_some_and(|o| o.face > 0));
        state.set_options_have_pictures(options.first().is_some_and(|o| o.image.size().width > 0));
        let mut first_half = options;
        let second_half = first_half.split_off(first_half.len().div_ceil(2));
        let shown = |half: ModelRc<AnswerOption>| {
            if new_question {
                ModelRc::default()
            } else {
                half
            }
        };
        update_rows(
            shown(state.get_options_first_half()),
            |m| state.set_options_first_half(m),
            first_half,
            same_option,
        );
        update_rows(
            shown(state.get_options_second_half()),
            |m| state.set_options_second_half(m),
            second_half,
            same_option,
        );
    }

    let attract_slide = match view.attract_slide {
        AttractSlide::Invitation => 0,
        AttractSlide::Results(_) => 1,
        AttractSlide::Note(i) => {
            if let Some(note) = scenery.notes.get(i) {
                state.set_note_said(note.said.get(language).into());
                state.set_note_did(note.did.get(language).into());
            }
            2
        }
    };
    state.set_attract_slide(attract_slide);
    state.set_attract_loops(view.attract_loops);
    // A poll invites with its question; a feedback survey with its title.
    state.set_attract_headline(match survey.results_step() {
        Some(_) => last_words_together(survey.questions[0].text.get(language)).into(),
        None => survey.title.get(language).into(),
    });
    let slide_question = match view.attract_slide {
        AttractSlide::Results(q) if view.screen == Screen::Attract => Some(q),
        _ => None,
    };
    if view.screen == Screen::Results || slide_question.is_some() {
        state.set_results_minimum(survey.results_step().unwrap_or(0) as i32);
        let empty = PollResults::default();
        let rows = results_view(survey, results.unwrap_or(&empty), language, &view.own)
            .into_iter()
            .map(|q| ResultQuestion {
                text: last_words_together(&q.text).into(),
                shown: q.bars.is_some(),
                answered: q.answered.min(i32::MAX as u64) as i32,
                bars: ModelRc::new(VecModel::from(
                    q.bars
                        .unwrap_or_default()
                        .into_iter()
                        .map(|b| ResultBar {
                            label: b.label.into(),
                            percent: b.percent as i32,
                            mine: b.mine,
                        })
                        .collect::<Vec<_>>(),
                )),
            });
        // The results screen shows every question, in rows of two on a landscape screen; a
        // start screen slide shows one question.
        let (questions, pairs) = match slide_question {
            Some(q) => (rows.skip(q).take(1).collect(), Vec::new()),
            None => {
                let questions: Vec<ResultQuestion> = rows.collect();
                let pairs = questions
                    .chunks(2)
                    .map(|pair| ResultPair {
                        first: pair[0].clone(),
                        second: pair.get(1).cloned().unwrap_or_default(),
                        paired: pair.len() == 2,
                    })
                    .collect();
                (questions, pairs)
            }
        };
        let any_shown = questions.iter().any(|q| q.shown);
        if state.get_results_any_shown() != any_shown {
            state.set_results_any_shown(any_shown);
        }
        update_rows(
            state.get_results(),
            |m| state.set_results(m),
            questions,
            same_result,
        );
        update_rows(
            state.get_result_pairs(),
            |m| state.set_result_pairs(m),
            pairs,
            |a, b| {
                a.paired == b.paired
                    && same_result(&a.first, &b.first)
                    && same_result(&a.second, &b.second)
            },
        );
    }
}

/// Which of the five face pictures (1 = unhappiest) shows option `index` of `count` faces:
/// three faces are the extremes and the middle, four leave the middle out.
fn face_picture(count: usize, index: usize) -> i32 {
    let pictures: &[i32] = match count {
        3 => &[1, 3, 5],
        4 => &[1, 2, 4, 5],
        _ => &[1, 2, 3, 4, 5],
    };
    pictures.get(index).copied().unwrap_or(3)
}

/// Slint's `Image` equality says two empty images differ, which would redraw every face on
/// every update: an option is the same if its text, face and pick are, and its picture is
/// (its smaller copies come with it).
fn same_option(a: &AnswerOption, b: &AnswerOption) -> bool {
    let no_picture = |o: &AnswerOption| o.image.size().width == 0;
    (&a.label, a.face, a.picked) == (&b.label, b.face, b.picked)
        && (a.image == b.image || (no_picture(a) && no_picture(b)))
}

/// A question's results are the same if their text and bars are (each bar list is a model of
/// its own, which compares by identity).
fn same_result(a: &ResultQuestion, b: &ResultQuestion) -> bool {
    (&a.text, a.shown, a.answered) == (&b.text, b.shown, b.answered)
        && a.bars.iter().eq(b.bars.iter())
}

/// Puts `rows` into a model property, changing only the rows that differ (by `same`): a tap
/// that highlights one answer then redraws that answer, not the whole row of them.
pub(super) fn update_rows<T: Clone + 'static>(
    current: ModelRc<T>,
    set: impl FnOnce(ModelRc<T>),
    rows: impl IntoIterator<Item = T>,
    same: impl Fn(&T, &T) -> bool,
) {
    let rows: Vec<T> = rows.into_iter().collect();
    match current.as_any().downcast_ref::<VecModel<T>>() {
        Some(model) if model.row_count() == rows.len() => {
            for (i, row) in rows.into_iter().enumerate() {
                if !model.row_data(i).is_some_and(|old| same(&old, &row)) {
                    model.set_row_data(i, row);
                }
            }
        }
        _ => set(ModelRc::new(VecModel::from(rows))),
    }
}

/// `text` with its last two words joined by a no-break space where they are short, so a
/// heading that wraps never leaves its last word alone on a line ("…satsa mer / på?").
/// Only in four words or more: of three, the first would be left alone instead. Screen
/// readers read the space as any other.
pub fn last_words_together(text: &str) -> String {
    let text = text.trim_end();
    if text.split(' ').filter(|w| !w.is_empty()).count() < 4 {
        return text.to_owned();
    }
    let mut words = text.rsplitn(3, ' ');
    let (Some(last), Some(before)) = (words.next(), words.next()) else {
        return text.to_owned();
    };
    if last.is_empty() || before.is_empty() || last.chars().count() + before.chars().count() > 16 {
        return text.to_owned();
    }
    let cut = text.len() - last.len() - 1;
    format!("{}\u{a0}{last}", &text[..cut])
}

/// `question`'s answer labels in each of `languages`.
fn labels(question: &Question, languages: &[Language]) -> Vec<String> {
    languages
        .iter()
        .flat_map(|&language| question.answer_labels(language))
        .map(|(_, label)| label)
        .collect()
}

/// The longest (in characters) of `texts`.
fn longest<'a>(texts: impl Iterator<Item = &'a str>) -> String {
    texts
        .max_by_key(|text| text.chars().count())
        .unwrap_or_default()
        .to_owned()
}

/// The longest word of `question`'s answers in any of `languages`.
fn longest_word(question: &Question, languages: &[Language]) -> String {
    longest(
        labels(question, languages)
            .iter()
            .flat_map(|l| l.split_whitespace()),
    )
}

/// The longest whole label of `question`'s answers in any of `languages`.
fn longest_label(question: &Question, languages: &[Language]) -> String {
    longest(labels(question, languages).iter().map(String::as_str))
}

/// The answers the question screen shows, in order.
pub fn shown_options(state: &KioskState) -> Vec<AnswerOption> {
    let first_half = state.get_options_first_half();
    let second_half = state.get_options_second_half();
    first_half.iter().chain(second_half.iter()).collect()
}

#[cfg(test)]
mod tests {
    use super::last_words_together;

    #[test]
    fn a_heading_keeps_its_last_two_short_words_together() {
        assert_eq!(
            last_words_together("Vad borde biblioteket satsa mer på?"),
            "Vad borde biblioteket satsa mer\u{a0}på?"
        );
        assert_eq!(
            last_words_together("When do you visit the library? "),
            "When do you visit the\u{a0}library?"
        );
        // Three words or fewer keep their breaks ("Tuliko / äänesi kuulluksi?" would leave
        // the first alone); long ones need theirs on a narrow screen.
        assert_eq!(
            last_words_together("Tuliko äänesi kuulluksi?"),
            "Tuliko äänesi kuulluksi?"
        );
        assert_eq!(last_words_together("Blev hörd?"), "Blev hörd?");
        assert_eq!(
            last_words_together("Mitä pitäisi kaupunkisuunnittelussa huomioida?"),
            "Mitä pitäisi kaupunkisuunnittelussa huomioida?"
        );
        assert_eq!(last_words_together("A  b c d"), "A  b c\u{a0}d");
        assert_eq!(last_words_together(""), "");
    }
}
