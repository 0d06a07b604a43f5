//! The exit status, decided in one place.
//!
//! Commands return an [`Outcome`]; errors become [`ExitCode::Error`] in `main`. Scripts depend on
//! these numbers (`SPEC.md`), so they are spelled out once here and nowhere else.

/// What a command that ran to the end achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Something was found, printed or changed.
    Done,
    /// Nothing matched, so nothing was printed or changed.
    NothingMatched,
}

impl Outcome {
    /// `Done` when `found` is true, else `NothingMatched`.
    pub fn found(found: bool) -> Self {
        if found {
            Self::Done
        } else {
            Self::NothingMatched
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    NoMatch = 1,
    Error = 2,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Done => Self::Success,
            Outcome::NothingMatched => Self::NoMatch,
        }
    }
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(code: ExitCode) -> Self {
        std::process::ExitCode::from(code as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_the_documented_numbers() {
        assert_eq!(ExitCode::from(Outcome::Done) as u8, 0);
        assert_eq!(ExitCode::from(Outcome::NothingMatched) as u8, 1);
        assert_eq!(ExitCode::Error as u8, 2);
        assert_eq!(Outcome::found(true), Outcome::Done);
        assert_eq!(Outcome::found(false), Outcome::NothingMatched);
    }
}
