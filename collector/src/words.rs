//! What the text results say around the survey's own words, in the staff's language (the
//! language of `results --lang`). A spreadsheet's column names stay as they are: programs
//! read those.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use hetki_protocol::Language;

use crate::results::GroupBy;

/// The phrases of one language.
#[derive(Clone, Copy, Debug)]
pub struct Words(pub Language);

impl Words {
    fn pick<T>(self, fi: T, sv: T, en: T) -> T {
        match self.0 {
            Language::Fi => fi,
            Language::Sv => sv,
            Language::En => en,
        }
    }

    /// A published file's name, without its extension: "alueittain" for results per area.
    pub fn split_file(self, by: GroupBy) -> &'static str {
        match by {
            GroupBy::All => self.pick("kaikki", "alla", "all"),
            GroupBy::Event => self.pick("tapahtumittain", "per evenemang", "by event"),
            GroupBy::Area => self.pick("alueittain", "per område", "by area"),
            GroupBy::Topic => self.pick("teemoittain", "per tema", "by topic"),
        }
    }

    /// When published results were made: "Päivitetty 24.11.2026 klo 18.05 (Europe/Helsinki)".
    pub fn updated(self, at: DateTime<Utc>, zone: Tz) -> String {
        let local = at.with_timezone(&zone);
        let zone = zone.name();
        self.pick(
            format!(
                "Päivitetty {} ({zone})",
                local.format("%-d.%-m.%Y klo %-H.%M")
            ),
            format!(
                "Uppdaterad {} ({zone})",
                local.format("%-d.%-m.%Y kl. %-H.%M")
            ),
            format!("Updated {} ({zone})", local.format("%Y-%m-%d %H:%M")),
        )
    }

    /// The heading of the responses of every event together.
    pub fn all_responses(self) -> &'static str {
        self.pick("Kaikki vastaukset", "Alla svar", "All responses")
    }

    /// "2 respondents".
    pub fn respondents(self, n: u64) -> String {
        match (self.0, n) {
            (Language::Fi, 1) => "1 vastaaja".into(),
            (Language::Fi, n) => format!("{n} vastaajaa"),
            (Language::Sv, n) => format!("{n} svarande"),
            (Language::En, 1) => "1 respondent".into(),
            (Language::En, n) => format!("{n} respondents"),
        }
    }

    /// Of respondents who did not answer every question.
    pub fn left_before_the_end(self, n: u64) -> String {
        self.pick(
            format!("{n} jätti kesken"),
            format!("{n} avbröt"),
            format!("{n} left before the end"),
        )
    }

    pub fn versions_counted_together(self, n: usize) -> String {
        self.pick(
            format!("{n} kyselyn versiota laskettu yhteen; sanamuodot viimeksi vastatusta versiosta"),
            format!(
                "{n} versioner av enkäten räknade tillsammans, med ordalydelsen i den senast besvarade versionen"
            ),
            format!(
                "{n} versions of the survey counted together, in the words of the one answered last"
            ),
        )
    }

    pub fn several_answers_allowed(self) -> &'static str {
        self.pick(
            "useita vastauksia sallittu",
            "flera svar tillåtna",
            "several answers allowed",
        )
    }

    /// A share of fewer than all respondents: those whose version of the survey had the option.
    pub fn of_those_offered_it(self, n: u64) -> String {
        self.pick(
            format!("{n} vastaajasta, joille se näytettiin"),
            format!("av de {n} som fick den"),
            format!("of the {n} who were offered it"),
        )
    }

    /// The label of a question's skips.
    pub fn skipped(self) -> &'static str {
        self.pick("(ohitettu)", "(hoppade över)", "(skipped)")
    }

    /// Tells apart two scales of one question: "5 faces".
    pub fn faces(self, n: usize) -> String {
        self.pick(
            format!("{n} kasvoa"),
            format!("{n} ansikten"),
            format!("{n} faces"),
        )
    }

    pub fn no_answers(self) -> &'static str {
        self.pick(
            "Ei näytettäviä vastauksia.",
            "Inga svar att visa.",
            "No answers to show.",
        )
    }

    /// The responses counted: "Responses given on or after 2026-10-01 (Europe/Helsinki)".
    pub fn responses_given(
        self,
        (from, to): (Option<NaiveDate>, Option<NaiveDate>),
        zone: &str,
    ) -> Option<String> {
        let span = match (from, to) {
            (None, None) => return None,
            (Some(from), Some(to)) if from == to => {
                self.pick(format!("{from}"), format!("{from}"), format!("on {from}"))
            }
            (Some(from), Some(to)) => self.pick(
                format!("{from} – {to}"),
                format!("{from} – {to}"),
                format!("{from} to {to}"),
            ),
            (Some(from), None) => self.pick(
                format!("{from} tai myöhemmin"),
                format!("{from} eller senare"),
                format!("on or after {from}"),
            ),
            (None, Some(to)) => self.pick(
                format!("{to} tai aiemmin"),
                format!("{to} eller tidigare"),
                format!("on or before {to}"),
            ),
        };
        Some(self.pick(
            format!("Vastaukset annettu {span} ({zone})"),
            format!("Svar som getts {span} ({zone})"),
            format!("Responses given {span} ({zone})"),
        ))
    }

    /// The `answers` left out of every figure for being given to a question that fewer than
    /// `smallest` of an event's respondents answered.
    pub fn answers_not_shown(self, answers: u64, smallest: u64) -> String {
        let one = answers == 1;
        match self.0 {
            Language::Fi => format!(
                "Ei näytetty: {answers} {} kysymyksiin, joihin alle {smallest} tapahtuman \
                 vastaajaa vastasi, koska vastaajat voisi tunnistaa. {} kaikista luvuista, \
                 myös kokonaismääristä; --smallest-group 1 näyttää ne.",
                if one { "vastaus" } else { "vastausta" },
                if one { "Se puuttuu" } else { "Ne puuttuvat" },
            ),
            Language::Sv => format!(
                "Visas inte: {answers} svar på frågor som färre än {smallest} av ett evenemangs \
                 svarande besvarade, eftersom de svarande skulle kunna identifieras. {} ingår \
                 inte i någon siffra, inte heller i totalerna; --smallest-group 1 visar dem.",
                if one { "Det" } else { "De" },
            ),
            Language::En => format!(
                "Not shown: {answers} {} to questions that fewer than {smallest} of an event's \
                 respondents answered, which could be told apart. {} left out of every figure, \
                 totals included; --smallest-group 1 shows them.",
                if one { "answer" } else { "answers" },
                if one { "It is" } else { "They are" },
            ),
        }
    }

    /// The events left out of every figure for having fewer than `smallest` respondents
    /// each; `respondents` in them all.
    pub fn not_shown(self, events: usize, smallest: u64, respondents: u64) -> String {
        let one = events == 1;
        match self.0 {
            Language::Fi => format!(
                "Ei näytetty: {events} {} oli alle {smallest} vastaajaa ({respondents} \
                 yhteensä), koska vastaajat voisi tunnistaa. {} kaikista luvuista, myös \
                 kokonaismääristä, jottei {} vastauksia voi laskea muista; --smallest-group 1 \
                 näyttää ne.",
                if one {
                    "tapahtuma, jossa"
                } else {
                    "tapahtumaa, joissa"
                },
                if one { "Se puuttuu" } else { "Ne puuttuvat" },
                if one { "sen" } else { "niiden" },
            ),
            Language::Sv => format!(
                "Visas inte: {events} evenemang med färre än {smallest} svarande \
                 ({respondents} sammanlagt), eftersom de svarande skulle kunna identifieras. \
                 {} ingår inte i någon siffra, inte heller i totalerna, så att {} svar inte kan \
                 räknas fram ur andra; --smallest-group 1 visar dem.",
                if one { "Det" } else { "De" },
                if one { "dess" } else { "deras" },
            ),
            Language::En => format!(
                "Not shown: {events} {} of fewer than {smallest} respondents ({respondents} in \
                 all), whose answers could be told apart. {} left out of every figure, totals \
                 included, so that {} answers cannot be worked out from others; \
                 --smallest-group 1 shows them.",
                if one { "event" } else { "events" },
                if one { "It is" } else { "They are" },
                if one { "its" } else { "their" },
            ),
        }
    }
}
