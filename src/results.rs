//! A poll's results as residents see them: bars with percentages, their own choice marked,
//! and nothing at all until a question has enough answers (see `SurveyDefinition::results_step`).

use std::collections::BTreeMap;

use hetki_protocol::{AnswerValue, Language, SurveyDefinition};

/// The tally value that counts a multiple-choice question's respondents (its options count
/// picks, which add up to more). No option id can be it: ids are lowercase letters and digits.
pub const RESPONDENTS: &str = "#";

/// Published counts per question and value (face score or option id, or [`RESPONDENTS`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollResults {
    counts: BTreeMap<String, BTreeMap<String, u64>>,
}

impl PollResults {
    pub fn add(&mut self, question: &str, value: &str, count: u64) {
        *self
            .counts
            .entry(question.to_owned())
            .or_default()
            .entry(value.to_owned())
            .or_default() += count;
    }

    /// How many respondents the published results of `question` count.
    pub fn total(&self, question: &str) -> u64 {
        self.counts
            .get(question)
            .map_or(0, |c| match c.get(RESPONDENTS) {
                Some(&respondents) => respondents,
                None => c.values().sum(),
            })
    }

    fn count(&self, question: &str, value: &str) -> u64 {
        self.counts
            .get(question)
            .and_then(|c| c.get(value))
            .copied()
            .unwrap_or(0)
    }
}

/// One option's bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    /// Whole percent of the published answers; the bars of a single-answer question add up
    /// to 100, a multiple-choice question's give each option's share of its respondents.
    pub percent: u32,
    /// The respondent looking at the screen chose this.
    pub mine: bool,
}

/// One question's results: `None` until they are published.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionResults {
    pub text: String,
    pub bars: Option<Vec<Bar>>,
    /// How many answered it, as published: the base of the percentages (0 until published).
    pub answered: u64,
}

/// What the results screen shows for `survey`, with `own` (the respondent's answers, one
/// per question) marked.
pub fn results_view(
    survey: &SurveyDefinition,
    results: &PollResults,
    language: Language,
    own: &[Option<AnswerValue>],
) -> Vec<QuestionResults> {
    let least = u64::from(survey.results_step().unwrap_or(1).max(1));
    survey
        .questions
        .iter()
        .enumerate()
        .map(|(q, question)| {
            let options = question.answer_labels(language);
            let counts: Vec<u64> = options
                .iter()
                .map(|(value, _)| results.count(&question.id, value))
                .collect();
            // A single answer counts if this version offers it: votes for an option an
            // earlier version had would leave bars that do not add up to the count.
            let total = if question.is_multiple() {
                results.total(&question.id)
            } else {
                counts.iter().sum()
            };
            let mine = own
                .get(q)
                .and_then(|a| a.as_ref())
                .map(|a| question.indexes_of(a))
                .unwrap_or_default();
            let bars = (total >= least).then(|| {
                let shares = if question.is_multiple() {
                    counts
                        .iter()
                        .map(|&c| ((c * 100 + total / 2) / total).min(100) as u32)
                        .collect()
                } else {
                    percentages(&counts)
                };
                options
                    .iter()
                    .zip(shares)
                    .enumerate()
                    .map(|(i, ((_, label), percent))| Bar {
                        label: label.clone(),
                        percent,
                        mine: mine.contains(&i),
                    })
                    .collect()
            });
            QuestionResults {
                text: question.text.get(language).to_owned(),
                answered: if bars.is_some() { total } else { 0 },
                bars,
            }
        })
        .collect()
}

/// Whole percentages that add up to 100 (largest remainders get the rounding).
pub fn percentages(counts: &[u64]) -> Vec<u32> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let mut shares: Vec<(u32, u64, usize)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| ((c * 100 / total) as u32, (c * 100) % total, i))
        .collect();
    let missing = 100 - shares.iter().map(|s| s.0).sum::<u32>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| shares[b].1.cmp(&shares[a].1).then(a.cmp(&b)));
    for &i in order.iter().take(missing as usize) {
        shares[i].0 += 1;
    }
    shares.sort_by_key(|s| s.2);
    shares.into_iter().map(|s| s.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hetki_protocol::{ChoiceOption, Question, QuestionKind};

    /// A poll of one question, "add", with these options.
    fn poll(options: &[&str], multiple: bool) -> SurveyDefinition {
        SurveyDefinition {
            id: "p".into(),
            kind: hetki_protocol::SurveyKind::Poll,
            title: "P".into(),
            languages: vec![Language::En],
            results_minimum: None,
            follow_up_url: None,
            phone_url: None,
            questions: vec![Question {
                id: "add".into(),
                text: "Add?".into(),
                skippable: false,
                kind: QuestionKind::Choice {
                    options: options
                        .iter()
                        .map(|&id| ChoiceOption {
                            id: id.into(),
                            label: id.into(),
                            image: None,
                        })
                        .collect(),
                    multiple,
                },
            }],
        }
    }

    fn shares(view: &[QuestionResults]) -> Option<Vec<u32>> {
        Some(view[0].bars.as_ref()?.iter().map(|b| b.percent).collect())
    }

    #[test]
    fn an_option_a_new_version_dropped_is_not_counted() {
        // Version 1 offered a, b and c; five voted a and five c. Version 2 offers a, b and d.
        let mut results = PollResults::default();
        results.add("add", "a", 5);
        results.add("add", "c", 5);
        let view = results_view(&poll(&["a", "b", "d"], false), &results, Language::En, &[]);
        assert_eq!(shares(&view), Some(vec![100, 0, 0]));
        assert_eq!(view[0].answered, 5, "the count the bars are shares of");
        // Too few for the options offered now: nothing shows until there are enough.
        let view = results_view(&poll(&["b", "d"], false), &results, Language::En, &[]);
        assert_eq!((shares(&view), view[0].answered), (None, 0));
    }

    #[test]
    fn a_multiple_choice_bar_is_its_share_of_respondents() {
        let survey = poll(&["a", "b", "c"], true);
        let mut results = PollResults::default();
        // Ten respondents: eight picked a, five b, none c.
        results.add("add", RESPONDENTS, 10);
        results.add("add", "a", 8);
        results.add("add", "b", 5);
        let own = [Some(AnswerValue::Choices {
            options: vec!["a".into(), "c".into()],
        })];
        let view = results_view(&survey, &results, Language::En, &own);
        let bars = view[0].bars.as_ref().unwrap();
        let shown: Vec<_> = bars.iter().map(|b| (b.percent, b.mine)).collect();
        assert_eq!(shown, [(80, true), (50, false), (0, true)]);
        assert_eq!(view[0].answered, 10, "the respondents, not the 13 picks");
    }

    #[test]
    fn percentages_add_up_to_a_hundred() {
        assert_eq!(percentages(&[1, 1, 1]), [34, 33, 33]);
        assert_eq!(percentages(&[5, 0, 5]), [50, 0, 50]);
        assert_eq!(percentages(&[2, 1, 1, 3]), [29, 14, 14, 43]);
        assert_eq!(percentages(&[0, 0]), [0, 0]);
        assert_eq!(percentages(&[7]), [100]);
    }
}
