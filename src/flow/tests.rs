use std::sync::Arc;
use std::time::Duration;

use hetki_protocol::{
    AnswerValue, ChoiceOption, FaceOption, Language, Question, QuestionKind, SurveyDefinition,
    SurveyKind, Text, default_face_labels,
};

use super::*;

fn ms(n: u64) -> Now {
    Duration::from_millis(n)
}

fn survey(skippable_second: bool) -> Arc<SurveyDefinition> {
    let faces = default_face_labels(5)
        .unwrap()
        .into_iter()
        .zip(1..)
        .map(|(label, score)| FaceOption { score, label })
        .collect();
    let choice = |ids: &[&str]| QuestionKind::Choice {
        options: ids
            .iter()
            .map(|id| ChoiceOption {
                id: (*id).into(),
                label: Text::from(*id),
                image: None,
            })
            .collect(),
        multiple: false,
    };
    Arc::new(SurveyDefinition {
        id: "event-feedback".into(),
        kind: SurveyKind::Feedback,
        title: "Feedback".into(),
        languages: Language::ALL.to_vec(),
        results_minimum: None,
        follow_up_url: None,
        phone_url: None,
        questions: vec![
            Question {
                id: "overall".into(),
                text: "Overall?".into(),
                skippable: false,
                kind: QuestionKind::Faces { faces },
            },
            Question {
                id: "heard".into(),
                text: "Heard?".into(),
                skippable: skippable_second,
                kind: choice(&["yes", "partly", "no"]),
            },
            Question {
                id: "again".into(),
                text: "Again?".into(),
                skippable: false,
                kind: choice(&["yes", "maybe", "no"]),
            },
        ],
    })
}

fn settings(keep_partial: bool) -> FlowSettings {
    FlowSettings {
        languages: Language::ALL.to_vec(),
        default_language: Language::Fi,
        timing: Timing {
            idle_timeout: Duration::from_secs(30),
            cooldown: Duration::from_secs(2),
            thanks: Duration::from_secs(5),
            results: Duration::from_secs(10),
            highlight: Duration::from_millis(400),
            // Tested on its own (a_double_tap_that_changes_the_screen_acts_once).
            settle: Duration::ZERO,
        },
        keep_partial,
        pin: None,
        attract_rotate: None,
        attract_notes: 0,
    }
}

fn flow() -> Flow {
    Flow::new(survey(true), settings(true))
}

/// Taps option `index` at `at` and lets the highlight run out; returns what was submitted
/// (the last answer submits at its tap, not when its highlight ends).
fn answer(flow: &mut Flow, index: usize, at: u64) -> Option<Submission> {
    let submitted = flow.tap(Tap::Option(index), ms(at));
    assert_eq!(
        flow.tick(ms(at + 400)),
        None,
        "nothing when the highlight ends"
    );
    submitted
}

#[test]
fn a_full_survey_is_submitted_once_and_thanked() {
    let mut flow = flow();
    assert_eq!(flow.screen(), Screen::Attract);
    flow.tap(Tap::Start, ms(0));
    assert_eq!(flow.screen(), Screen::Question(0));
    assert_eq!(answer(&mut flow, 4, 1000), None);
    assert_eq!(flow.screen(), Screen::Question(1));
    assert_eq!(answer(&mut flow, 0, 2000), None);
    let submission = answer(&mut flow, 1, 3000).expect("the last answer submits");
    assert!(submission.complete);
    assert_eq!(submission.language, Language::Fi);
    let values: Vec<_> = submission
        .answers
        .iter()
        .map(|a| (a.question.as_str(), a.value.clone()))
        .collect();
    assert_eq!(
        values,
        [
            ("overall", AnswerValue::Face { score: 5 }),
            (
                "heard",
                AnswerValue::Choice {
                    option: "yes".into()
                }
            ),
            (
                "again",
                AnswerValue::Choice {
                    option: "maybe".into()
                }
            ),
        ]
    );
    assert_eq!(flow.screen(), Screen::Thanks);
    assert_eq!(flow.next_deadline(), Some(ms(3400 + 5000)));
    assert_eq!(flow.tick(ms(8399)), None);
    assert_eq!(flow.screen(), Screen::Thanks);
    flow.tick(ms(8400));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_second_tap_during_the_highlight_does_nothing() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Option(1), ms(100));
    assert_eq!(flow.view().selected, [1]);
    assert!(flow.view().highlighted);
    flow.tap(Tap::Option(3), ms(200));
    flow.tap(Tap::Back, ms(250));
    assert_eq!(flow.view().selected, [1], "the first tap stands");
    flow.tick(ms(499));
    assert_eq!(flow.screen(), Screen::Question(0), "still highlighting");
    flow.tick(ms(500));
    assert_eq!(flow.screen(), Screen::Question(1), "moved on exactly once");
}

#[test]
fn a_double_tap_that_changes_the_screen_acts_once() {
    let mut s = settings(true);
    s.timing.settle = ms(300);
    let mut flow = Flow::new(survey(true), s);
    // A bounced Start: the second touch lands where the first answer now is.
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Option(0), ms(120));
    assert!(
        flow.view().selected.is_empty(),
        "the bounce answered nothing"
    );
    answer(&mut flow, 1, 300);
    assert_eq!(flow.screen(), Screen::Question(1));
    // Back tapped twice goes back one question, not out of the survey.
    flow.tap(Tap::Back, ms(1000));
    flow.tap(Tap::Back, ms(1150));
    assert_eq!(
        flow.view(),
        View {
            selected: vec![1],
            ..View::new(Screen::Question(0), Language::Fi)
        }
    );
    // Once the screen has settled, a tap is meant.
    flow.tap(Tap::Back, ms(1300));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_second_tap_just_after_the_next_question_appears_answers_nothing() {
    let mut s = settings(true);
    s.timing.settle = ms(500);
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::Start, ms(0));
    // A slow double tap: the first answers, the second lands on the next question.
    flow.tap(Tap::Option(1), ms(1000));
    flow.tick(ms(1400));
    assert_eq!(flow.screen(), Screen::Question(1));
    flow.tap(Tap::Option(0), ms(1450));
    flow.tap(Tap::Option(0), ms(1899));
    assert!(
        flow.view().selected.is_empty(),
        "the double tap answered nothing"
    );
    // A moment later a tap is meant.
    flow.tap(Tap::Option(0), ms(1900));
    assert_eq!(flow.view().selected, [0]);
}

#[test]
fn a_bounced_pick_on_a_multiple_choice_stays_picked() {
    let mut s = settings(true);
    s.timing.settle = ms(500);
    let mut survey = (*survey(false)).clone();
    let QuestionKind::Choice { multiple, .. } = &mut survey.questions[1].kind else {
        unreachable!()
    };
    *multiple = true;
    let mut flow = Flow::new(Arc::new(survey), s);
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Option(0), ms(1000));
    flow.tick(ms(1400));
    assert_eq!(flow.screen(), Screen::Question(1));
    flow.tap(Tap::Option(1), ms(2000));
    flow.tap(Tap::Option(1), ms(2100));
    assert_eq!(
        flow.view().selected,
        [1],
        "one pick, not a pick and its undoing"
    );
    // Another option at once is another pick; the same one later takes it back.
    flow.tap(Tap::Option(2), ms(2150));
    assert_eq!(flow.view().selected, [1, 2]);
    flow.tap(Tap::Option(1), ms(2600));
    assert_eq!(flow.view().selected, [2]);
}

#[test]
fn idle_reset_keeps_the_partial_answer_flagged_incomplete() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 2, 1000);
    flow.tap(Tap::Language(Language::Sv), ms(2000));
    for second in 17..32 {
        assert_eq!(flow.tick(ms(second * 1000)), None, "warned, not reset");
    }
    assert_eq!(flow.next_deadline(), Some(ms(32_000)));
    assert_eq!(flow.tick(ms(31_999)), None);
    let partial = flow.tick(ms(32_000)).expect("kept");
    assert!(!partial.complete);
    assert_eq!(partial.language, Language::Sv);
    assert_eq!(partial.answers.len(), 1);
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(
        flow.language(),
        Language::Fi,
        "the next person starts in the default language"
    );
}

#[test]
fn idle_reset_drops_the_partial_answer_when_so_configured() {
    let mut flow = Flow::new(survey(true), settings(false));
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 2, 1000);
    assert_eq!(flow.tick(ms(60_000)), None);
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn the_last_answer_is_submitted_at_its_tap_and_not_again_at_shutdown() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 4, 1000);
    answer(&mut flow, 0, 2000);
    // A power cut while it is still highlighted must not lose this respondent.
    let finished = flow
        .tap(Tap::Option(2), ms(3000))
        .expect("the respondent has finished");
    assert!(finished.complete);
    assert_eq!(finished.answers.len(), 3);
    assert!(flow.view().highlighted, "the answer is still shown picked");
    assert_eq!(flow.shut_down(), None, "submitted once");
}

#[test]
fn shutdown_mid_survey_is_walking_away() {
    // An answer still highlighted on an earlier question counts among the partial answers.
    let mut keeping = flow();
    keeping.tap(Tap::Start, ms(0));
    answer(&mut keeping, 4, 1000);
    keeping.tap(Tap::Option(1), ms(2000));
    let partial = keeping.shut_down().expect("kept");
    assert!(!partial.complete);
    assert_eq!(partial.answers.len(), 2);
    assert_eq!(keeping.screen(), Screen::Attract);

    let mut dropping = Flow::new(survey(true), settings(false));
    dropping.tap(Tap::Start, ms(0));
    answer(&mut dropping, 4, 1000);
    assert_eq!(dropping.shut_down(), None);

    let mut idle = flow();
    assert_eq!(idle.shut_down(), None, "nobody answering");
}

#[test]
fn idle_reset_with_nothing_answered_records_nothing() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    assert_eq!(flow.tick(ms(30_000)), None);
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_respondent_left_alone_is_asked_whether_they_need_more_time_before_the_reset() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 2, 1000);
    // Idle from 1 s on: the reset is due at 31 s, the warning half the 30 s before it.
    assert_eq!(flow.next_deadline(), Some(ms(16_000)));
    flow.tick(ms(15_999));
    assert_eq!(flow.view().idle_warning, None, "not yet");
    flow.tick(ms(16_000));
    assert_eq!(flow.view().idle_warning, Some(15));
    // It counts down by whole seconds, each a deadline of its own.
    assert_eq!(flow.next_deadline(), Some(ms(17_000)));
    flow.tick(ms(17_000));
    assert_eq!(flow.view().idle_warning, Some(14));
    flow.tick(ms(30_500));
    assert_eq!(flow.view().idle_warning, Some(1));
    assert_eq!(flow.next_deadline(), Some(ms(31_000)));

    // One tap anywhere is enough: the survey goes on with its answer, the timer from the top.
    assert_eq!(flow.tap(Tap::Elsewhere, ms(30_600)), None);
    let view = flow.view();
    assert_eq!(
        (view.screen, view.idle_warning),
        (Screen::Question(1), None)
    );
    assert_eq!(flow.next_deadline(), Some(ms(45_600)));
    flow.tick(ms(45_600));
    assert_eq!(
        flow.view().idle_warning,
        Some(15),
        "asked again when left again"
    );
    assert!(
        flow.tick(ms(60_600)).is_some(),
        "the partial answer, at the reset"
    );
    assert_eq!(flow.view().idle_warning, None);
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_long_idle_timeout_warns_for_twenty_seconds_and_a_bounce_off_the_warning_answers_nothing() {
    let mut settings = settings(true);
    settings.timing.idle_timeout = Duration::from_secs(90);
    settings.timing.settle = Duration::from_millis(300);
    let mut flow = Flow::new(survey(true), settings);
    flow.tap(Tap::Start, ms(0));
    flow.tick(ms(69_999));
    assert_eq!(flow.view().idle_warning, None);
    flow.tick(ms(70_000));
    assert_eq!(flow.view().idle_warning, Some(20));
    flow.tap(Tap::Elsewhere, ms(75_000));
    assert_eq!(flow.tap(Tap::Option(2), ms(75_200)), None);
    assert_eq!(
        flow.view().selected,
        Vec::<usize>::new(),
        "the bounce answered nothing"
    );
    flow.tap(Tap::Option(2), ms(75_300));
    assert_eq!(
        flow.view().selected,
        vec![2],
        "a tap after the settle time answers"
    );
}

#[test]
fn every_touch_restarts_the_idle_timer() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Elsewhere, ms(25_000));
    flow.tick(ms(30_000));
    assert_eq!(flow.screen(), Screen::Question(0));
    flow.tick(ms(55_000));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_thank_you_with_qr_codes_stays_long_enough_to_scan_them() {
    let mut with_codes = (*survey(true)).clone();
    with_codes.follow_up_url = Some("https://example.fi/what-came-of-it".into());
    let mut flow = Flow::new(Arc::new(with_codes), settings(true));
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 0, 100);
    answer(&mut flow, 0, 600);
    assert!(answer(&mut flow, 0, 1100).is_some());
    // Submitted at 1500, thanked for 20 s instead of the configured 5.
    assert_eq!(flow.next_deadline(), Some(ms(1500) + QR_READING_TIME));
    flow.tick(ms(19_000));
    assert_eq!(flow.screen(), Screen::Thanks);
    flow.tap(Tap::Elsewhere, ms(19_000));
    assert_eq!(flow.screen(), Screen::Attract, "a tap still moves on");
}

#[test]
fn taps_during_the_cooldown_are_ignored() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 0, 100);
    answer(&mut flow, 0, 600);
    assert!(answer(&mut flow, 0, 1100).is_some());
    // Submitted at 1500: until 3500 nothing a tap does counts.
    flow.tap(Tap::Elsewhere, ms(1600));
    flow.tap(Tap::Start, ms(3499));
    assert_eq!(flow.screen(), Screen::Thanks);
    flow.tap(Tap::Elsewhere, ms(3500));
    assert_eq!(
        flow.screen(),
        Screen::Attract,
        "after the cooldown a tap leaves the thanks screen"
    );
}

#[test]
fn the_cooldown_outlasts_a_short_thanks_screen() {
    let mut s = settings(true);
    s.timing.thanks = Duration::from_secs(1);
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 0, 100);
    answer(&mut flow, 0, 600);
    answer(&mut flow, 0, 1100);
    flow.tick(ms(2500));
    assert_eq!(flow.screen(), Screen::Attract);
    flow.tap(Tap::Start, ms(3000));
    assert_eq!(flow.screen(), Screen::Attract, "still cooling down");
    flow.tap(Tap::Start, ms(3500));
    assert_eq!(flow.screen(), Screen::Question(0));
}

#[test]
fn switching_language_mid_survey_keeps_the_answers() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 3, 100);
    flow.tap(Tap::Language(Language::En), ms(600));
    assert_eq!(flow.screen(), Screen::Question(1));
    answer(&mut flow, 2, 700);
    let submission = answer(&mut flow, 2, 1200).unwrap();
    assert_eq!(submission.language, Language::En);
    assert_eq!(submission.answers.len(), 3);
    assert_eq!(submission.answers[0].value, AnswerValue::Face { score: 4 });
    assert_eq!(
        flow.language(),
        Language::En,
        "thanked in their own language"
    );
    flow.tick(ms(10_000));
    assert_eq!(
        flow.language(),
        Language::Fi,
        "the next person gets the default"
    );
}

#[test]
fn a_language_the_device_does_not_offer_is_ignored() {
    let mut s = settings(true);
    s.languages = vec![Language::Fi, Language::Sv];
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::Language(Language::En), ms(0));
    assert_eq!(flow.language(), Language::Fi);
}

#[test]
fn back_returns_to_the_previous_question_with_its_answer_shown() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 1, 100);
    flow.tap(Tap::Back, ms(600));
    assert_eq!(
        flow.view(),
        View {
            selected: vec![1],
            ..View::new(Screen::Question(0), Language::Fi)
        }
    );
    answer(&mut flow, 3, 700);
    flow.tap(Tap::Back, ms(1200));
    flow.tap(Tap::Back, ms(1300));
    assert_eq!(
        flow.screen(),
        Screen::Attract,
        "back from the first question cancels"
    );
    flow.tap(Tap::Start, ms(1400));
    assert!(flow.view().selected.is_empty(), "and nothing of it remains");
}

#[test]
fn skip_only_where_the_question_allows_it() {
    let mut flow = Flow::new(survey(true), settings(true));
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Skip, ms(100));
    assert_eq!(
        flow.screen(),
        Screen::Question(0),
        "the first question may not be skipped"
    );
    answer(&mut flow, 0, 200);
    flow.tap(Tap::Skip, ms(700));
    assert_eq!(flow.screen(), Screen::Question(2));
    let submission = answer(&mut flow, 0, 800).unwrap();
    assert_eq!(submission.answers[1].value, AnswerValue::Skipped);
}

#[test]
fn a_last_answer_still_highlighted_when_the_store_fails_is_not_submitted_twice() {
    // Even where partial answers are dropped: this respondent has finished.
    let mut flow = Flow::new(survey(true), settings(false));
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 4, 1000);
    answer(&mut flow, 0, 2000);
    let finished = flow.tap(Tap::Option(2), ms(3000)).expect("finished");
    assert!(finished.complete);
    assert_eq!(flow.store_failed(), None, "submitted at the tap");
    assert_eq!(flow.screen(), Screen::OutOfOrder);
    assert_eq!(flow.tick(ms(4000)), None, "submitted once");
}

#[test]
fn the_store_failing_takes_the_kiosk_out_of_order_until_it_recovers() {
    let mut flow = flow();
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 1, 100);
    let partial = flow.store_failed().expect("the interrupted answer is kept");
    assert!(!partial.complete);
    assert_eq!(partial.answers.len(), 1);
    assert_eq!(flow.screen(), Screen::OutOfOrder);
    flow.tap(Tap::Start, ms(1000));
    assert_eq!(flow.screen(), Screen::OutOfOrder, "taps do nothing");
    assert_eq!(flow.next_deadline(), None);
    flow.tap(Tap::Language(Language::Sv), ms(1100));
    assert_eq!(
        (flow.screen(), flow.language()),
        (Screen::OutOfOrder, Language::Sv),
        "but the notice can be read in another language"
    );
    assert_eq!(flow.next_deadline(), Some(ms(31_100)));
    flow.tick(ms(31_100));
    assert_eq!(
        (flow.screen(), flow.language()),
        (Screen::OutOfOrder, Language::Fi),
        "until it is left alone"
    );
    assert_eq!(flow.next_deadline(), None);
    flow.tap(Tap::Language(Language::Sv), ms(32_000));
    flow.store_recovered();
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(
        flow.language(),
        Language::Fi,
        "the next person starts afresh"
    );
    flow.tap(Tap::Start, ms(33_000));
    assert!(flow.view().selected.is_empty());
}

#[test]
fn the_out_of_order_notice_keeps_the_respondents_language_and_look_until_left_alone() {
    let mut flow = flow();
    flow.tap(Tap::Language(Language::Sv), ms(0));
    flow.tap(Tap::ToggleContrast, ms(400));
    flow.tap(Tap::Start, ms(800));
    answer(&mut flow, 1, 1200);
    let _partial = flow.store_failed();
    assert_eq!(flow.screen(), Screen::OutOfOrder);
    assert_eq!(flow.language(), Language::Sv);
    assert_eq!(flow.view().display.theme, DisplayTheme::HighContrast);
    assert_eq!(flow.next_deadline(), Some(ms(1200 + 30_000)));
    flow.tick(ms(1200 + 30_000));
    assert_eq!(flow.language(), Language::Fi);
    assert_eq!(flow.view().display, Display::default());
}

#[test]
fn the_attract_screen_returns_to_the_default_language_when_left_alone() {
    let mut flow = flow();
    flow.tap(Tap::Language(Language::Sv), ms(0));
    assert_eq!(
        flow.screen(),
        Screen::Attract,
        "a language button does not start the survey"
    );
    assert_eq!(flow.next_deadline(), Some(ms(30_000)));
    flow.tick(ms(30_000));
    assert_eq!(flow.language(), Language::Fi);
    assert_eq!(flow.next_deadline(), None);
}

#[test]
fn back_to_the_start_keeps_the_respondents_language_and_look_until_left_alone() {
    let mut flow = flow();
    flow.tap(Tap::Language(Language::Sv), ms(0));
    flow.tap(Tap::ToggleContrast, ms(400));
    flow.tap(Tap::ToggleLargeText, ms(800));
    flow.tap(Tap::Start, ms(1200));
    answer(&mut flow, 1, 1600);
    flow.tap(Tap::Back, ms(2500));
    flow.tap(Tap::Back, ms(3000));
    assert_eq!(flow.screen(), Screen::Attract);
    assert!(
        flow.answers.iter().all(Option::is_none),
        "the answers are gone"
    );
    let display = flow.view().display;
    assert_eq!(flow.language(), Language::Sv);
    assert_eq!(display.theme, DisplayTheme::HighContrast);
    assert!(display.large_text);
    flow.tick(ms(3000 + 30_000));
    assert_eq!(flow.language(), Language::Fi);
    assert_eq!(flow.view().display, Display::default());
}

#[test]
fn with_no_highlight_an_answer_moves_on_at_once() {
    let mut s = settings(true);
    s.timing.highlight = Duration::ZERO;
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::Start, ms(0));
    flow.tap(Tap::Option(0), ms(10));
    assert_eq!(flow.screen(), Screen::Question(1));
}

#[test]
fn a_multiple_choice_question_takes_picks_until_done() {
    let mut survey = (*survey(false)).clone();
    let QuestionKind::Choice { multiple, .. } = &mut survey.questions[2].kind else {
        unreachable!()
    };
    *multiple = true;
    let mut flow = Flow::new(Arc::new(survey), settings(false));
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 4, 100);
    answer(&mut flow, 0, 1000);
    assert_eq!(flow.screen(), Screen::Question(2));
    // Done with nothing picked does nothing.
    assert_eq!(flow.tap(Tap::Done, ms(2000)), None);
    assert_eq!(flow.screen(), Screen::Question(2));
    // Picks toggle at once, with no highlight and no moving on.
    for (i, at) in [(2, 2100), (0, 2200), (1, 2300), (1, 2400)] {
        assert_eq!(flow.tap(Tap::Option(i), ms(at)), None);
        assert!(!flow.view().highlighted);
    }
    assert_eq!(flow.tick(ms(5000)), None);
    assert_eq!(flow.view().selected, [0, 2]);
    // Back and forth keeps the picks.
    flow.tap(Tap::Back, ms(5100));
    answer(&mut flow, 0, 5200);
    assert_eq!(flow.view().selected, [0, 2]);
    let submission = flow.tap(Tap::Done, ms(6000)).expect("done submits");
    assert_eq!(
        submission.answers[2].value,
        AnswerValue::Choices {
            options: vec!["yes".into(), "no".into()]
        }
    );
    assert_eq!(flow.screen(), Screen::Thanks);
}

/// A poll whose idle start screen loops every 8 s, through `notes` notes among its slides.
fn looping_poll(notes: usize) -> Flow {
    let mut poll = (*survey(false)).clone();
    poll.kind = SurveyKind::Poll;
    let mut settings = settings(false);
    settings.attract_rotate = Some(Duration::from_secs(8));
    settings.attract_notes = notes;
    Flow::new(Arc::new(poll), settings)
}

#[test]
fn the_idle_start_screen_rotates_through_its_slides_and_starts_over_after_a_respondent() {
    let mut flow = looping_poll(2);
    let slide = |flow: &Flow| flow.view().attract_slide;
    // The first tick starts the clock.
    assert_eq!(flow.next_deadline(), Some(ms(0)));
    flow.tick(ms(0));
    let mut seen = vec![slide(&flow)];
    for step in 1..=6 {
        let at = ms(step * 8000);
        assert_eq!(flow.next_deadline(), Some(at));
        flow.tick(at);
        seen.push(slide(&flow));
    }
    use AttractSlide::*;
    assert_eq!(
        seen,
        [
            Invitation,
            Results(0),
            Results(1),
            Results(2),
            Note(0),
            Note(1),
            Invitation
        ],
        "each question's results on a slide of its own"
    );
    assert!(flow.view().attract_loops);
    // A tap on any slide starts the survey; back at the start, the loop starts over.
    flow.tick(ms(56_000));
    assert_eq!(slide(&flow), Results(0));
    flow.tap(Tap::Elsewhere, ms(57_000));
    assert_eq!(flow.screen(), Screen::Question(0));
    assert!(!flow.view().attract_loops, "not on a question");
    flow.tick(ms(57_000 + 30_000));
    assert_eq!(flow.screen(), Screen::Attract);
    assert_eq!(slide(&flow), Invitation);
}

#[test]
fn a_start_screen_with_one_slide_does_not_loop_whatever_the_device_file_says() {
    let mut settings = settings(false);
    settings.attract_rotate = Some(Duration::from_secs(8));
    let mut flow = Flow::new(survey(false), settings);
    flow.tick(ms(0));
    assert!(!flow.view().attract_loops, "a feedback survey, no notes");
    assert_eq!(flow.next_deadline(), None);
}

#[test]
fn a_slide_stays_its_full_time_after_a_language_or_look_is_chosen_on_it() {
    let mut flow = looping_poll(0);
    let slide = |flow: &Flow| flow.view().attract_slide;
    flow.tick(ms(0));
    flow.tick(ms(8000));
    assert_eq!(slide(&flow), AttractSlide::Results(0));
    // Someone reading the results switches to Swedish just before they would go: they stay
    // another 8 s, and each switch after that gives them another 8 s again.
    flow.tap(Tap::Language(Language::Sv), ms(15_500));
    assert_eq!(flow.next_deadline(), Some(ms(23_500)));
    flow.tick(ms(16_000));
    assert_eq!(slide(&flow), AttractSlide::Results(0));
    flow.tap(Tap::ToggleLargeText, ms(20_000));
    flow.tap(Tap::ToggleContrast, ms(21_000));
    flow.tick(ms(28_000));
    assert_eq!(slide(&flow), AttractSlide::Results(0));
    assert_eq!(flow.next_deadline(), Some(ms(29_000)));
    flow.tick(ms(29_000));
    assert_eq!(
        slide(&flow),
        AttractSlide::Results(1),
        "and then the loop goes on"
    );
}

/// A poll voted in, its last answer at 3 s: its results show until 3.4 s + 10 s.
fn voted_in_a_poll() -> Flow {
    let mut poll = (*survey(false)).clone();
    poll.kind = hetki_protocol::SurveyKind::Poll;
    let mut flow = Flow::new(Arc::new(poll), settings(true));
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 0, 1000);
    answer(&mut flow, 0, 2000);
    answer(&mut flow, 0, 3000).expect("the last answer submits");
    assert_eq!(flow.screen(), Screen::Results);
    assert_eq!(flow.next_deadline(), Some(ms(3400 + 10_000)));
    flow
}

#[test]
fn paging_through_a_polls_results_keeps_them_up_for_another_while() {
    let mut flow = voted_in_a_poll();
    // After the cooldown, 9 s in: another 10 s from then.
    flow.tap(Tap::ReadOn, ms(12_400));
    assert_eq!(flow.screen(), Screen::Results);
    assert_eq!(flow.next_deadline(), Some(ms(22_400)));
    flow.tick(ms(22_400));
    assert_eq!(flow.screen(), Screen::Attract);
    // Elsewhere it does nothing.
    flow.tap(Tap::ReadOn, ms(30_000));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_touch_on_a_polls_results_keeps_them_up_and_done_makes_way_for_the_next_person() {
    let mut flow = voted_in_a_poll();
    flow.tap(Tap::Elsewhere, ms(8000));
    assert_eq!(flow.screen(), Screen::Results, "a touch reads on");
    assert_eq!(flow.next_deadline(), Some(ms(18_000)));
    flow.tap(Tap::Done, ms(9000));
    assert_eq!(flow.screen(), Screen::Attract);
    assert!(flow.view().own.is_empty(), "nothing of theirs stays");
}

/// Types `pin` and OK at `at`; the kiosk then checks it.
fn type_pin(flow: &mut Flow, pin: &str, at: u64) {
    for digit in pin.bytes() {
        flow.tap(Tap::Digit(digit - b'0'), ms(at));
    }
    flow.tap(Tap::PinEnter, ms(at));
}

/// Types `pin` and OK at `at`, and checks it as the kiosk would.
fn enter_pin(flow: &mut Flow, pin: &str, at: u64) {
    type_pin(flow, pin, at);
    if let Some((hash, entered)) = flow.pin_to_check() {
        let matched = hash.matches(entered);
        flow.pin_checked(matched, ms(at));
    }
}

/// The PIN pad, opened at 0 s; the right PIN is 2468.
fn pin_pad() -> Flow {
    let mut s = settings(true);
    s.pin = Some(
        crate::pin::hash_with("2468", b"0123456789abcdef", 10_000)
            .parse()
            .unwrap(),
    );
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::PanelGesture, ms(0));
    flow
}

/// A PIN pad locked at 3 s by three wrong PINs.
fn locked_pin_pad() -> Flow {
    let mut flow = pin_pad();
    for (i, pin) in ["1111", "1234", "0000"].into_iter().enumerate() {
        enter_pin(&mut flow, pin, 1000 * (i as u64 + 1));
    }
    assert_eq!(
        flow.view().pin_message,
        Some(PinMessage::Locked { minutes: 1 })
    );
    flow
}

#[test]
fn a_locked_pin_pad_says_so_at_once_rests_its_keys_and_opens_when_the_lock_ends() {
    let mut flow = locked_pin_pad();
    flow.tap(Tap::Digit(2), ms(4000));
    assert_eq!(flow.view().pin_digits, 0, "the keys rest");
    // Cancelled and opened again: the lock is said at once.
    flow.tap(Tap::PanelClose, ms(5000));
    flow.tap(Tap::PanelGesture, ms(6000));
    assert_eq!(
        flow.view().pin_message,
        Some(PinMessage::Locked { minutes: 1 })
    );
    // Kept open past the lock's end: the pad takes a PIN again.
    for at in (10_000..=60_000).step_by(10_000) {
        flow.tap(Tap::Elsewhere, ms(at));
    }
    assert_eq!(flow.next_deadline(), Some(ms(63_000)));
    flow.tick(ms(62_999));
    assert!(matches!(
        flow.view().pin_message,
        Some(PinMessage::Locked { .. })
    ));
    flow.tick(ms(63_000));
    assert_eq!(flow.view().pin_message, None);
    enter_pin(&mut flow, "2468", 64_000);
    assert_eq!(flow.screen(), Screen::Panel);

    // A key at the lock's end, before any tick, is taken too.
    let mut keyed = locked_pin_pad();
    for at in (10_000..=60_000).step_by(10_000) {
        keyed.tap(Tap::Elsewhere, ms(at));
    }
    enter_pin(&mut keyed, "2468", 63_000);
    assert_eq!(keyed.screen(), Screen::Panel);
}

/// OK with no digits typed is a stray tap, not a wrong PIN: three of them must not lock the
/// pad for staff.
#[test]
fn ok_with_nothing_typed_is_not_a_try() {
    let mut flow = pin_pad();
    for at in [1000, 2000, 3000] {
        flow.tap(Tap::PinEnter, ms(at));
        assert_eq!(flow.pin_to_check(), None);
        assert_eq!(flow.view().pin_message, None);
    }
    assert_eq!(flow.wrong_tries(ms(3000)).wrong, 0);
    enter_pin(&mut flow, "2468", 4000);
    assert_eq!(flow.screen(), Screen::Panel);
}

/// The kiosk checks a PIN on a thread of its own: the pad waits for the result, saying so.
#[test]
fn the_pad_rests_while_a_pin_is_checked_and_closing_it_does_not_dodge_the_count() {
    let mut flow = pin_pad();
    type_pin(&mut flow, "2468", 1000);
    assert_eq!(flow.pin_to_check().map(|(_, pin)| pin), Some("2468"));
    flow.tap(Tap::Digit(1), ms(1100));
    flow.tap(Tap::PinErase, ms(1100));
    flow.tap(Tap::PinEnter, ms(1100));
    let view = flow.view();
    assert_eq!(
        (view.pin_digits, view.pin_message),
        (4, Some(PinMessage::Checking)),
        "the keys rest; the dots stay"
    );
    assert_eq!(flow.pin_to_check().map(|(_, pin)| pin), Some("2468"));
    flow.pin_checked(true, ms(1200));
    assert_eq!(flow.screen(), Screen::Panel);
    assert_eq!(flow.pin_to_check(), None);

    // A wrong PIN counts though the pad was closed before the check ended; the pad opened
    // again says nothing of it, and a right PIN checked after closing opens nothing.
    let mut flow = pin_pad();
    enter_pin(&mut flow, "1111", 1000);
    type_pin(&mut flow, "0", 2000);
    flow.tap(Tap::PanelClose, ms(2100));
    flow.pin_checked(false, ms(2200));
    assert_eq!(flow.wrong_tries(ms(2200)).wrong, 2);
    flow.tap(Tap::PanelGesture, ms(6000));
    assert_eq!(flow.view().pin_message, None);
    enter_pin(&mut flow, "2468", 7000);
    assert_eq!(flow.screen(), Screen::Panel);
    flow.tap(Tap::PanelClose, ms(8000));
    flow.tap(Tap::PanelGesture, ms(12_000));
    type_pin(&mut flow, "2468", 13_000);
    flow.tap(Tap::PanelClose, ms(13_100));
    flow.pin_checked(true, ms(13_200));
    assert_eq!(flow.screen(), Screen::Attract);
}

#[test]
fn a_double_tap_on_the_last_answer_does_not_close_the_thanks() {
    let mut s = settings(true);
    (s.timing.settle, s.timing.cooldown) = (ms(500), Duration::ZERO);
    let mut flow = Flow::new(survey(true), s);
    flow.tap(Tap::Start, ms(0));
    answer(&mut flow, 1, 1000);
    answer(&mut flow, 1, 2000);
    flow.tap(Tap::Option(1), ms(3000));
    flow.tick(ms(3400));
    assert_eq!(flow.screen(), Screen::Thanks);
    flow.tap(Tap::Elsewhere, ms(3899));
    assert_eq!(
        flow.screen(),
        Screen::Thanks,
        "the second tap of a double tap"
    );
    flow.tap(Tap::Elsewhere, ms(3900));
    assert_eq!(flow.screen(), Screen::Attract);
}
