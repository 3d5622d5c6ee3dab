use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    pub file: PathBuf,
    /// The field, as a path like `questions[1].text`; `None` when the file as a whole is wrong.
    pub field: Option<String>,
    pub message: String,
}

/// Why a configuration was refused: every problem found, so one run shows them all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub problems: Vec<ConfigProblem>,
}

impl ConfigError {
    pub fn one(file: &Path, field: Option<&str>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            problems: vec![ConfigProblem {
                file: file.to_owned(),
                field: field.map(str::to_owned),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file.display())?;
        if let Some(field) = &self.field {
            write!(f, "{field}")?;
            if let Some(counted) = counted(field) {
                write!(f, " ({counted})")?;
            }
            f.write_str(": ")?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// `value` when it lies within `range` (ends included). A value outside is reported as a
/// problem of `field` (`unit` follows the range in the message, e.g. " seconds") and gives
/// `None`, as does no value: callers fall back to their default either way.
pub(super) fn in_range<T: PartialOrd + fmt::Display + Copy>(
    problem: &mut dyn FnMut(&str, String),
    field: &str,
    value: Option<T>,
    (low, high): (T, T),
    unit: &str,
) -> Option<T> {
    let value = value?;
    if value >= low && value <= high {
        return Some(value);
    }
    problem(
        field,
        format!("{value} is out of range: use {low} to {high}{unit}"),
    );
    None
}

/// Parses a TOML file into `T`, naming the field a type error is in.
pub(super) fn parse_toml<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T, ConfigError> {
    let text =
        std::fs::read_to_string(file).map_err(|e| ConfigError::one(file, None, unreadable(&e)))?;
    let deserializer =
        toml::Deserializer::parse(&text).map_err(|e| toml_problem(file, &text, &e, None))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        let field = (field != ".").then_some(field);
        toml_problem(file, &text, e.inner(), field)
    })
}

fn toml_problem(
    file: &Path,
    text: &str,
    error: &toml::de::Error,
    field: Option<String>,
) -> ConfigError {
    let line = error
        .span()
        .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
    let mut message = plain_types(error.message().trim());
    if let Some(span) = error.span() {
        let start = span.start.min(text.len());
        let (before, after) = (
            text.get(..start).unwrap_or_default(),
            text.get(start..).unwrap_or_default(),
        );
        let line_text = before.rsplit('\n').next().unwrap_or_default().to_owned()
            + after.split('\n').next().unwrap_or_default();
        // Only where the file does not parse: Finnish writes ”…” inside a proper string.
        if field.is_none() && line_text.contains(['“', '”', '„', '‘', '’']) {
            message.push_str(": “ ” are not quotes here, type \" instead");
        }
        if message.starts_with("duplicate key")
            && let Some(key) = text.get(span.start..span.end)
        {
            message = format!("{key} is given twice");
        }
    }
    if let Some(line) = line {
        message = format!("{message} (line {line})");
        if field.is_none()
            && let Some(cause) = first_unclosed(text, line)
        {
            message = format!("{message}: {cause}");
        }
    }
    ConfigError {
        problems: vec![ConfigProblem {
            file: file.to_owned(),
            field,
            message,
        }],
    }
}

/// A guess at the cause where the parser stopped later than the mistake: the first line, up to
/// the one it stopped at, with a quote mark without its pair, or an inline table still open
/// there. A missing closing quote reads to the parser as a missing comma further on, where the
/// next quote mark begins a string by mistake.
fn first_unclosed(text: &str, up_to_line: usize) -> Option<String> {
    let mut open_table = None;
    for (number, line) in (1..=up_to_line).zip(text.lines()) {
        // Multi-line strings span lines by design; say nothing rather than guess.
        if line.contains("\"\"\"") || line.contains("'''") {
            return None;
        }
        let (mut unpaired, braces) = unpaired_quote_and_braces(line, &['"', '\'']);
        // A `'` left open may be an apostrophe in text whose `"` went missing before it.
        if unpaired == Some('\'') && unpaired_quote_and_braces(line, &['"']).0.is_some() {
            unpaired = Some('"');
        }
        if let Some(quote) = unpaired {
            return Some(format!("line {number} has a {quote} without its pair"));
        }
        // Inline tables may span lines (TOML 1.1): only the outermost opening is news.
        let depth = open_table.map_or(0, |(_, depth)| depth) + braces;
        open_table = match open_table {
            _ if depth <= 0 => None,
            Some((opened, _)) => Some((opened, depth)),
            None => Some((number, depth)),
        };
    }
    open_table.map(|(opened, _)| format!("is the {{ on line {opened} closed with }}?"))
}

/// The quote mark a line leaves open, if any, and how many more `{` than `}` it has outside
/// strings and comments.
fn unpaired_quote_and_braces(line: &str, quotes: &[char]) -> (Option<char>, i32) {
    let (mut open, mut escaped, mut braces) = (None, false, 0);
    for c in line.chars() {
        match open {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(quote) if c == quote => open = None,
            Some(_) => {}
            None if quotes.contains(&c) => open = Some(c),
            None if c == '{' => braces += 1,
            None if c == '}' => braces -= 1,
            None if c == '#' => break,
            None => {}
        }
    }
    (open, braces)
}

/// Rust's words for types mean nothing to staff editing a file.
fn plain_types(message: &str) -> String {
    let message = [
        ("unknown variant", "unknown value"),
        ("expected f64", "expected a number"),
        ("expected usize", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
    ]
    .iter()
    .fold(message.to_owned(), |message, (rust, plain)| {
        message.replace(rust, plain)
    });
    // `timeout = "30"`: the value may be right but for its quotes.
    if let Some((value, expected)) = message
        .strip_prefix("invalid type: string ")
        .and_then(|rest| rest.split_once(", expected "))
        && matches!(expected, "a number" | "a whole number" | "true or false")
    {
        let unquoted = value.trim_matches('"');
        return if unquoted.parse::<f64>().is_ok() || matches!(unquoted, "true" | "false") {
            format!("{value} is in quotes: write {expected} without them")
        } else {
            format!("{value} is not {expected}")
        };
    }
    message
}

/// Why a file could not be read, in plain words where the reason is a common one.
pub(super) fn unreadable(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "there is no such file".into(),
        std::io::ErrorKind::PermissionDenied => "this user may not read the file".into(),
        _ => format!("cannot read the file: {error}"),
    }
}

/// The places of a field path counted as people count: `questions[2].options[0].image` is
/// "question 3, option 1". The path itself counts from 0, as TOML tools do.
fn counted(field: &str) -> Option<String> {
    let places: Vec<String> = field
        .split('.')
        .filter_map(|part| {
            let (name, index) = part.strip_suffix(']')?.split_once('[')?;
            let n: usize = index.parse().ok()?;
            let name = match name {
                // `[event]` is the first event: `[[events]]` are the others.
                "events" => return Some(format!("[[events]] number {}", n + 1)),
                // `survey` is the first survey: `surveys` lists the others.
                "surveys" => return Some(format!("other survey {}", n + 1)),
                plural => plural.strip_suffix('s').unwrap_or(plural),
            };
            Some(format!("{name} {}", n + 1))
        })
        .collect();
    (!places.is_empty()).then(|| places.join(", "))
}
