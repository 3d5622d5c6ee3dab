//! Errors as both command-line tools report them.

use std::error::Error;

/// The error, then its cause, that one's cause, and so on.
pub fn causes<'a>(
    error: &'a (dyn Error + 'static),
) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(Some(error), |&error| error.source())
}

/// An error and its causes on one line, "a: b: c". A cause is left out where the message
/// before it already ends with it: many messages quote their cause.
pub fn one_line(error: &(dyn Error + 'static)) -> String {
    let mut said = causes(error).map(|error| error.to_string());
    let first = said.next().unwrap_or_default();
    said.fold(first, |line, cause| {
        if line.ends_with(&cause) {
            line
        } else {
            format!("{line}: {cause}")
        }
    })
}

/// Whether writing out stopped because the reader went away (`export | head`): an io error
/// of that kind anywhere in the chain of causes.
pub fn is_broken_pipe(error: &(dyn Error + 'static)) -> bool {
    causes(error).any(|error| {
        error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot write: {0}")]
    struct Quoting(#[source] std::io::Error);

    #[test]
    fn a_cause_already_quoted_is_said_once() {
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let said = pipe.to_string();
        let error = Quoting(pipe);
        assert_eq!(one_line(&error), format!("cannot write: {said}"));
        assert!(is_broken_pipe(&error));
        assert!(!is_broken_pipe(&Quoting(std::io::Error::other("full"))));
    }
}
