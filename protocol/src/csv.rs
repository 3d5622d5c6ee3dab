//! The CSV form of responses, the same from the kiosk and from the collector: fixed columns,
//! then one column per question.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::{Language, Response, SurveyDefinition};

/// The columns every export starts with.
pub const RESPONSE_COLUMNS: [&str; 20] = [
    "id",
    "seq",
    "device_id",
    "survey_id",
    "survey_hash",
    "event_name",
    "event_place",
    "event_area",
    "event_topic",
    "event_date",
    "language",
    "complete",
    "recorded_at",
    "recorded_local",
    "boot_id",
    "monotonic_ms",
    "clock_synchronized",
    "display_theme",
    "large_text",
    "test",
];

/// The cells of `RESPONSE_COLUMNS` for one response; `zone` is where staff read the time.
pub fn response_cells(device_id: &str, r: &Response, zone: Tz) -> Vec<String> {
    // Event names are the same for every respondent: the first language keeps columns stable.
    vec![
        r.id.to_string(),
        r.seq.to_string(),
        device_id.to_owned(),
        r.survey.id.clone(),
        r.survey.hash.clone(),
        r.event.name.get(Language::Fi).to_owned(),
        r.event.place.get(Language::Fi).to_owned(),
        r.event.area.clone().unwrap_or_default(),
        r.event.topic.clone().unwrap_or_default(),
        event_date(r),
        r.language.code().to_owned(),
        r.complete.to_string(),
        r.recorded_at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        local_time(r.recorded_at, zone),
        r.clock.boot_id.clone(),
        r.clock.monotonic_ms.to_string(),
        r.clock.synchronized.to_string(),
        r.display.theme.code().to_owned(),
        r.display.large_text.to_string(),
        r.test.to_string(),
    ]
}

/// The columns of an export staff take away (a USB stick, a shared folder): no ids, sequence
/// numbers, device or clock readings, and each response's time to the hour, so that whoever
/// saw who answered when cannot find their rows. The ids and readings stay in the full export
/// for those who run the devices.
const STAFF_COLUMNS: [&str; 12] = [
    "survey_id",
    "event_name",
    "event_place",
    "event_area",
    "event_topic",
    "event_date",
    "hour_local",
    "language",
    "complete",
    "display_theme",
    "large_text",
    "test",
];

/// The cells of `STAFF_COLUMNS` for one response given in `hour` (see [`local_hour`]).
fn staff_cells(r: &Response, hour: String) -> Vec<String> {
    vec![
        r.survey.id.clone(),
        r.event.name.get(Language::Fi).to_owned(),
        r.event.place.get(Language::Fi).to_owned(),
        r.event.area.clone().unwrap_or_default(),
        r.event.topic.clone().unwrap_or_default(),
        event_date(r),
        hour,
        r.language.code().to_owned(),
        r.complete.to_string(),
        r.display.theme.code().to_owned(),
        r.display.large_text.to_string(),
        r.test.to_string(),
    ]
}

/// The event's day, `2026-11-24`: it sorts as text, and reads the same in every locale.
fn event_date(r: &Response) -> String {
    r.event.date.map(|d| d.to_string()).unwrap_or_default()
}

/// The hour a moment falls in on staff's clock: `2026-11-24 18:00 +02:00`.
fn local_hour(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:00 %:z")
        .to_string()
}

/// Staff rows, written an hour at a time with each hour's rows sorted by their cells: in the
/// order given, the rows of an hour would still tell who came first.
pub struct StaffRows {
    dialect: Dialect,
    hour: String,
    rows: Vec<Vec<String>>,
}

impl StaffRows {
    /// Starts the file: the byte-order mark of `dialect` and the header, `STAFF_COLUMNS`
    /// then `questions`.
    pub fn start(
        out: &mut (impl Write + ?Sized),
        dialect: Dialect,
        questions: &[QuestionColumn],
    ) -> std::io::Result<StaffRows> {
        dialect.start(out)?;
        let header = STAFF_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(questions.iter().map(|c| c.header.clone()));
        write_row(out, dialect, header)?;
        Ok(StaffRows {
            dialect,
            hour: String::new(),
            rows: Vec::new(),
        })
    }

    /// Adds the row of `r`, given at `given`, with its `questions` cells.
    pub fn push(
        &mut self,
        out: &mut (impl Write + ?Sized),
        (r, given, zone): (&Response, DateTime<Utc>, Tz),
        questions: &[QuestionColumn],
    ) -> std::io::Result<()> {
        let hour = local_hour(given, zone);
        if hour != self.hour {
            self.write_hour(out)?;
            self.hour = hour.clone();
        }
        let cells = staff_cells(r, hour)
            .into_iter()
            .chain(answer_cells(r, questions))
            .collect();
        self.rows.push(cells);
        Ok(())
    }

    /// Writes the last hour's rows.
    pub fn finish(mut self, out: &mut (impl Write + ?Sized)) -> std::io::Result<()> {
        self.write_hour(out)
    }

    fn write_hour(&mut self, out: &mut (impl Write + ?Sized)) -> std::io::Result<()> {
        self.rows.sort_unstable();
        for row in self.rows.drain(..) {
            write_row(out, self.dialect, row.into_iter())?;
        }
        Ok(())
    }
}

/// A moment as staff read it on their own clock: `2026-11-24 18:05:09 +02:00`. It sorts
/// as text, and the offset tells apart the hour that repeats when summer time ends.
pub fn local_time(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

/// An answer column: one question of one survey, all its versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionColumn {
    pub survey: String,
    pub question: String,
    /// The question id, or `survey.question` where two surveys use the same question id
    /// (their answers mean different things, so they never share a column).
    pub header: String,
}

/// The answer columns of `surveys`, in order of first appearance.
pub fn question_columns<'a>(
    surveys: impl IntoIterator<Item = &'a SurveyDefinition>,
) -> Vec<QuestionColumn> {
    let mut columns: Vec<QuestionColumn> = Vec::new();
    for survey in surveys {
        for question in &survey.questions {
            if !columns
                .iter()
                .any(|c| c.survey == survey.id && c.question == question.id)
            {
                columns.push(QuestionColumn {
                    survey: survey.id.clone(),
                    question: question.id.clone(),
                    header: question.id.clone(),
                });
            }
        }
    }
    let shared: Vec<bool> = columns
        .iter()
        .map(|c| {
            columns
                .iter()
                .any(|o| o.question == c.question && o.survey != c.survey)
        })
        .collect();
    for (column, shared) in columns.iter_mut().zip(shared) {
        if shared {
            column.header = format!("{}.{}", column.survey, column.question);
        }
    }
    columns
}

/// One cell per answer column: the face score or option id, "skipped", or empty when the
/// column belongs to another survey.
pub fn answer_cells<'a>(
    r: &'a Response,
    columns: &'a [QuestionColumn],
) -> impl Iterator<Item = String> + 'a {
    columns.iter().map(|c| {
        r.answers
            .iter()
            .find(|a| c.survey == r.survey.id && a.question == c.question)
            .map(|a| a.value.as_cell().unwrap_or_else(|| "skipped".to_owned()))
            .unwrap_or_default()
    })
}

/// How a CSV file is laid out: for programs, or for a Finnish-locale spreadsheet, which
/// needs a byte-order mark to read UTF-8, `;` between cells and decimal commas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Plain,
    Spreadsheet,
}

impl Dialect {
    pub fn separator(self) -> char {
        match self {
            Dialect::Plain => ',',
            Dialect::Spreadsheet => ';',
        }
    }

    /// Writes what a file in this dialect begins with.
    pub fn start(self, out: &mut (impl Write + ?Sized)) -> std::io::Result<()> {
        match self {
            Dialect::Plain => Ok(()),
            Dialect::Spreadsheet => out.write_all("\u{feff}".as_bytes()),
        }
    }

    /// `value` with one decimal, written the way this dialect reads numbers.
    pub fn decimal(self, value: f64) -> String {
        let text = format!("{value:.1}");
        match self {
            Dialect::Plain => text,
            Dialect::Spreadsheet => text.replace('.', ","),
        }
    }
}

/// One CSV record (RFC 4180 quoting). A cell a spreadsheet would run as a formula (event
/// names come from device configs, which a stolen token can fake) is kept as text with a
/// leading `'`, as OWASP advises; JSON Lines carries every value as it is. In the spreadsheet
/// dialect, text a spreadsheet would turn into a number or a date (an option id `7-12`
/// becomes 7 December) is written as the formula `="7-12"`, which shows the text itself.
pub fn write_row(
    out: &mut (impl Write + ?Sized),
    dialect: Dialect,
    cells: impl Iterator<Item = String>,
) -> std::io::Result<()> {
    let separator = dialect.separator();
    for (i, mut cell) in cells.enumerate() {
        if i > 0 {
            write!(out, "{separator}")?;
        }
        if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            cell.insert(0, '\'');
        } else if dialect == Dialect::Spreadsheet && spreadsheet_would_convert(&cell) {
            cell = format!("=\"{cell}\"");
        }
        if cell.contains([separator, '"', '\n', '\r']) {
            write!(out, "\"{}\"", cell.replace('"', "\"\""))?;
        } else {
            out.write_all(cell.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

/// Whether a spreadsheet would read this text as some other value: a date or time (`7-12`,
/// `3.4`, `1/2`, `12:30`), a number in exponent form (`1e5`, a survey hash), a number that
/// loses its leading zeros (`007`) or its last digits (more than 15). Whole numbers and
/// decimal-comma numbers (`12,5`) are numbers and stay as they are.
fn spreadsheet_would_convert(cell: &str) -> bool {
    let numeric_looking = cell.bytes().any(|b| b.is_ascii_digit())
        && cell
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-/.:eE ".contains(&b));
    let whole_number = cell.bytes().all(|b| b.is_ascii_digit())
        && cell.len() <= 15
        && (cell == "0" || !cell.starts_with('0'));
    numeric_looking && !whole_number
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_in(dialect: Dialect, cells: &[&str]) -> String {
        let mut out = Vec::new();
        write_row(&mut out, dialect, cells.iter().map(|c| c.to_string())).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn local_time_tells_apart_the_hour_summer_time_repeats() {
        let at = |text: &str| text.parse::<DateTime<Utc>>().unwrap();
        let helsinki = chrono_tz::Europe::Helsinki;
        assert_eq!(
            local_time(at("2026-11-24T16:05:09.500Z"), helsinki),
            "2026-11-24 18:05:09 +02:00"
        );
        // Summer time ends at 04:00 on 25 October 2026: 03:30 comes twice.
        assert_eq!(
            local_time(at("2026-10-25T00:30:00Z"), helsinki),
            "2026-10-25 03:30:00 +03:00"
        );
        assert_eq!(
            local_time(at("2026-10-25T01:30:00Z"), helsinki),
            "2026-10-25 03:30:00 +02:00"
        );
        // A spreadsheet keeps it as it is: the offset makes it text.
        assert_eq!(
            row_in(Dialect::Spreadsheet, &["2026-11-24 18:05:09 +02:00"]),
            "2026-11-24 18:05:09 +02:00\r\n"
        );
    }

    fn row(cells: &[&str]) -> String {
        row_in(Dialect::Spreadsheet, cells)
    }

    #[test]
    fn cells_are_quoted_and_formulas_kept_as_text() {
        assert_eq!(
            row(&["a", "b;c", "say \"hi\"", "x\ny"]),
            "a;\"b;c\";\"say \"\"hi\"\"\";\"x\ny\"\r\n"
        );
        assert_eq!(
            row(&[
                "=HYPERLINK(\"http://x\")",
                "+1",
                "-1",
                "@SUM(A1)",
                "Suur-Leppävaara"
            ]),
            "\"'=HYPERLINK(\"\"http://x\"\")\";'+1;'-1;'@SUM(A1);Suur-Leppävaara\r\n"
        );
    }

    #[test]
    fn text_a_spreadsheet_would_turn_into_a_date_or_number_stays_text() {
        assert_eq!(
            row(&[
                "7-12",
                "3.4",
                "1/2",
                "12:30",
                "1e5",
                "007",
                "1234567890123456"
            ]),
            "\"=\"\"7-12\"\"\";\"=\"\"3.4\"\"\";\"=\"\"1/2\"\"\";\"=\"\"12:30\"\"\";\
             \"=\"\"1e5\"\"\";\"=\"\"007\"\"\";\"=\"\"1234567890123456\"\"\"\r\n"
        );
        // Numbers stay numbers, and text with letters stays as it is.
        assert_eq!(
            row(&[
                "0",
                "42",
                "12,5",
                "yes",
                "7-12 v.",
                "2026-11-23T10:00:00.000Z"
            ]),
            "0;42;12,5;yes;7-12 v.;2026-11-23T10:00:00.000Z\r\n"
        );
        // Programs read text as text.
        assert_eq!(row_in(Dialect::Plain, &["7-12", "007"]), "7-12,007\r\n");
    }

    #[test]
    fn two_surveys_asking_the_same_question_id_get_a_column_each() {
        let poll = crate::survey::tests::survey();
        let mut new_version = poll.clone();
        new_version.title = "Poll, corrected".into();
        let mut other = poll.clone();
        other.id = "other".into();
        other.questions.truncate(1);
        let columns = question_columns([&poll, &new_version, &other]);
        let headers: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(headers, ["poll.mood", "add", "other.mood"]);

        let mut response: Response = serde_json::from_value(serde_json::json!({
            "id": "01936a4e-0000-7000-8000-000000000001", "seq": 1,
            "survey": {"id": "other", "hash": "x"},
            "event": {"name": "Ilta", "place": "Sali"},
            "language": "fi", "complete": true,
            "recorded_at": "2026-11-23T10:00:00Z",
            "clock": {"boot_id": "b", "monotonic_ms": 1, "synchronized": true},
            "answers": [{"question": "mood", "value": {"kind": "face", "score": 2}}]
        }))
        .unwrap();
        let cells: Vec<String> = answer_cells(&response, &columns).collect();
        assert_eq!(cells, ["", "", "2"]);
        response.survey.id = "poll".into();
        let cells: Vec<String> = answer_cells(&response, &columns).collect();
        assert_eq!(cells, ["2", "", ""]);
    }

    #[test]
    fn staff_rows_hold_no_ids_or_clock_readings_and_an_hours_rows_are_in_no_telling_order() {
        let poll = crate::survey::tests::survey();
        let columns = question_columns([&poll]);
        let response = |n: u8, at: &str, score: u8| -> Response {
            serde_json::from_value(serde_json::json!({
                "id": format!("01936a4e-0000-7000-8000-0000000000{n:02}"), "seq": n,
                "survey": {"id": "poll", "hash": "x"},
                "event": {"name": "Ilta", "place": "Sali", "date": "2026-11-24"},
                "language": "fi", "complete": true,
                "recorded_at": at,
                "clock": {"boot_id": "boot-7", "monotonic_ms": 123_456, "synchronized": true},
                "answers": [{"question": "mood", "value": {"kind": "face", "score": score}}]
            }))
            .unwrap()
        };
        // In the order given: 18:05 a 3, 18:40 a 1, 19:10 a 2, 18:55 a 2 (a clock set back).
        let given = [
            response(1, "2026-11-24T16:05:09Z", 3),
            response(2, "2026-11-24T16:40:00Z", 1),
            response(3, "2026-11-24T17:10:00Z", 2),
            response(4, "2026-11-24T16:55:00Z", 2),
        ];
        let mut out = Vec::new();
        let mut rows = StaffRows::start(&mut out, Dialect::Plain, &columns).unwrap();
        for r in &given {
            let at = (r, r.recorded_at, chrono_tz::Europe::Helsinki);
            rows.push(&mut out, at, &columns).unwrap();
        }
        rows.finish(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "survey_id,event_name,event_place,event_area,event_topic,event_date,hour_local,language,\
             complete,display_theme,large_text,test,mood,add"
        );
        let row = |hour: &str, score: u8| {
            format!(
                "poll,Ilta,Sali,,,2026-11-24,2026-11-24 {hour}:00 +02:00,fi,true,default,false,false,{score},"
            )
        };
        assert_eq!(
            lines[1..],
            [row("18", 1), row("18", 3), row("19", 2), row("18", 2)],
            "18:05's 3 after 18:40's 1"
        );
        for reading in ["01936a4e", "boot-7", "123456", "05:09"] {
            assert!(!text.contains(reading), "{reading} in {text}");
        }
    }
}
