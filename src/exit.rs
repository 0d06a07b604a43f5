//! The exit status, decided in one place.
//!
//! Commands return an [`Outcome`]; errors become [`ExitCode::Error`] in `main`. Scripts depend on
//! these numbers (the README's exit status table), so they are spelled out once here and nowhere
//! else.

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

/// What a run over one or many files achieved, merged file by file (as fd's `merge_exitcodes`):
/// an error anywhere is exit 2 (the other files are still done), else anything found is exit 0,
/// else exit 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    found: bool,
    failed: bool,
}

impl Tally {
    pub fn add(&mut self, outcome: Outcome) {
        self.found |= outcome == Outcome::Done;
    }

    pub fn add_failure(&mut self) {
        self.failed = true;
    }

    pub fn failed(&self) -> bool {
        self.failed
    }

    pub fn exit_code(&self) -> ExitCode {
        if self.failed {
            ExitCode::Error
        } else if self.found {
            ExitCode::Success
        } else {
            ExitCode::NoMatch
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

    fn tally(outcomes: &[Option<Outcome>]) -> ExitCode {
        let mut tally = Tally::default();
        for outcome in outcomes {
            match outcome {
                Some(outcome) => tally.add(*outcome),
                None => tally.add_failure(),
            }
        }
        tally.exit_code()
    }

    #[test]
    fn outcomes_of_many_files_merge_error_over_found_over_nothing() {
        use Outcome::{Done, NothingMatched};
        assert_eq!(tally(&[]), ExitCode::NoMatch);
        assert_eq!(tally(&[Some(NothingMatched)]), ExitCode::NoMatch);
        assert_eq!(
            tally(&[Some(NothingMatched), Some(Done)]),
            ExitCode::Success
        );
        assert_eq!(
            tally(&[Some(Done), Some(NothingMatched)]),
            ExitCode::Success
        );
        assert_eq!(tally(&[Some(Done), None]), ExitCode::Error);
        assert_eq!(tally(&[None, Some(Done)]), ExitCode::Error);
        assert_eq!(tally(&[Some(NothingMatched), None]), ExitCode::Error);
        let mut failed = Tally::default();
        assert!(!failed.failed());
        failed.add_failure();
        assert!(failed.failed());
    }
}
