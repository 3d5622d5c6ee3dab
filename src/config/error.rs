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
            write!(f, "{field}: ")?;
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
    let text = std::fs::read_to_string(file)
        .map_err(|e| ConfigError::one(file, None, format!("cannot read the file: {e}")))?;
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
    if let Some(line) = line {
        message = format!("{message} (line {line})");
    }
    ConfigError {
        problems: vec![ConfigProblem {
            file: file.to_owned(),
            field,
            message,
        }],
    }
}

/// Rust's words for types mean nothing to staff editing a file.
fn plain_types(message: &str) -> String {
    [
        ("unknown variant", "unknown value"),
        ("expected f64", "expected a number"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected u32", "expected a whole number, 0 or more"),
    ]
    .iter()
    .fold(message.to_owned(), |message, (rust, plain)| {
        message.replace(rust, plain)
    })
}
