//! The review of `replace --interactive`: what each key asks for, the decisions made so far
//! (a key may decide the rest of a file, or of the run), and which changes of a file were
//! accepted. Pure: the terminal the keys come from is [`terminal`]'s, and showing a change is
//! the command's.

pub mod terminal;

use std::ops::Range;

/// What a key pressed during the review asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `y`: accept this change.
    Yes,
    /// `n`: skip it.
    No,
    /// `a`: accept it and the rest of this file.
    RestOfFile,
    /// `d`: skip it and the rest of this file.
    SkipFile,
    /// `A`: accept it and all the rest.
    All,
    /// `q`: skip it, stop asking, and write what was accepted.
    Quit,
    /// `?`: the keys' meanings.
    Help,
    /// Ctrl-C (or Ctrl-\): abort the review, writing nothing. The terminal's own signal keys
    /// are off while it asks, so these arrive as keys.
    Interrupt,
    /// Ctrl-D, or the terminal went away: abort the review, writing nothing.
    EndOfInput,
    /// Anything else: the help is shown, and the question asked again.
    Other,
}

impl Key {
    pub fn of(byte: u8) -> Key {
        match byte {
            b'y' => Key::Yes,
            b'n' => Key::No,
            b'a' => Key::RestOfFile,
            b'd' => Key::SkipFile,
            b'A' => Key::All,
            b'q' => Key::Quit,
            b'?' => Key::Help,
            0x03 | 0x1c => Key::Interrupt,
            0x04 => Key::EndOfInput,
            _ => Key::Other,
        }
    }

    /// The key as it is echoed after the prompt.
    pub fn echo(self) -> &'static str {
        match self {
            Key::Yes => "y",
            Key::No => "n",
            Key::RestOfFile => "a",
            Key::SkipFile => "d",
            Key::All => "A",
            Key::Quit => "q",
            Key::Help => "?",
            Key::Interrupt => "^C",
            Key::EndOfInput => "^D",
            Key::Other => "",
        }
    }
}

/// The keys in what one read from a terminal gave. An escape sequence (an arrow or function
/// key) or a character that is not ASCII is one key that answers nothing, and the rest of the
/// read goes with it: the `A` of an arrow key's `ESC [ A` must not accept every change.
pub fn keys_of(typed: &[u8]) -> Vec<Key> {
    let mut keys = Vec::with_capacity(typed.len());
    for &byte in typed {
        if byte == 0x1b || !byte.is_ascii() {
            keys.push(Key::Other);
            break;
        }
        keys.push(Key::of(byte));
    }
    keys
}

/// The one-line prompt's choices, and the help that `?` shows.
pub const CHOICES: &str = "[y,n,a,d,A,q,?]";
pub const HELP: &str = "\
y - accept this change
n - skip this change
a - accept this change and the rest of this file
d - skip this change and the rest of this file
A - accept this change and all the rest
q - stop asking; write the changes accepted so far
? - show this help
Ctrl-C or Ctrl-D - stop; write nothing
";

/// Why a review ended without writing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    Interrupted,
    EndOfInput,
}

impl std::fmt::Display for Abort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Abort::Interrupted => "review interrupted (Ctrl-C); nothing written",
            Abort::EndOfInput => "end of input during the review; nothing written",
        })
    }
}

impl std::error::Error for Abort {}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The change is accepted (true) or skipped (false).
    Decided(bool),
    /// No decision (help, or a key that means nothing): show the help and ask again.
    AskAgain,
    Abort(Abort),
}

/// The decisions of a review so far.
#[derive(Debug, Default)]
pub struct Review {
    /// Decided for the rest of the current file (`a`, `d`).
    this_file: Option<bool>,
    /// Decided for every change from here on (`A` accepts, `q` skips).
    every: Option<bool>,
    accepted: u64,
    skipped: u64,
}

impl Review {
    /// The next file's changes come: `a` and `d` held for the one before.
    pub fn next_file(&mut self) {
        self.this_file = None;
    }

    /// When the next `left` changes of this file are decided already (by `a`, `d`, `A` or `q`),
    /// the decision, with the changes counted.
    pub fn decide_rest(&mut self, left: usize) -> Option<bool> {
        let decision = self.every.or(self.this_file)?;
        self.count(decision, left as u64);
        Some(decision)
    }

    /// Takes the answer to the question about one change.
    pub fn answer(&mut self, key: Key) -> Step {
        let decision = match key {
            Key::Yes => true,
            Key::No => false,
            Key::RestOfFile | Key::SkipFile => {
                let accept = key == Key::RestOfFile;
                self.this_file = Some(accept);
                accept
            }
            Key::All | Key::Quit => {
                let accept = key == Key::All;
                self.every = Some(accept);
                accept
            }
            Key::Help | Key::Other => return Step::AskAgain,
            Key::Interrupt => return Step::Abort(Abort::Interrupted),
            Key::EndOfInput => return Step::Abort(Abort::EndOfInput),
        };
        self.count(decision, 1);
        Step::Decided(decision)
    }

    fn count(&mut self, accept: bool, changes: u64) {
        if accept {
            self.accepted += changes;
        } else {
            self.skipped += changes;
        }
    }

    /// Whether a later change may still be asked about: not after `A` or `q`.
    pub fn asks_again(&self) -> bool {
        self.every.is_none()
    }

    /// Whether `q` ended the review: nothing after it is looked at.
    pub fn quit(&self) -> bool {
        self.every == Some(false)
    }

    pub fn accepted(&self) -> u64 {
        self.accepted
    }

    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}

/// The accepted changes of one file, by their index in its plan: runs of indices, so that a
/// file accepted whole by `a` or `A` costs one range however many changes it has.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Accepted {
    runs: Vec<Range<usize>>,
}

impl Accepted {
    /// Accepts the changes `indices`, which come after every change accepted so far.
    pub fn accept(&mut self, indices: Range<usize>) {
        if indices.is_empty() {
            return;
        }
        match self.runs.last_mut() {
            Some(last) if last.end == indices.start => last.end = indices.end,
            _ => self.runs.push(indices),
        }
    }

    pub fn contains(&self, index: usize) -> bool {
        let after = self.runs.partition_point(|run| run.start <= index);
        after > 0 && index < self.runs[after - 1].end
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_answer_key_means_what_the_help_says() {
        let keys: Vec<Key> = b"ynadAq?".iter().map(|&b| Key::of(b)).collect();
        use Key::*;
        assert_eq!(keys, [Yes, No, RestOfFile, SkipFile, All, Quit, Help]);
        assert_eq!(Key::of(3), Interrupt);
        assert_eq!(Key::of(0x1c), Interrupt);
        assert_eq!(Key::of(4), EndOfInput);
        for other in [b'Y', b'N', b'D', b'Q', b'\r', b'\n', b' ', 0, 0x1a] {
            assert_eq!(Key::of(other), Other, "{other:#x}");
        }
        for (line, key) in HELP.lines().zip(b"ynadAq?") {
            assert!(line.starts_with(&format!("{} - ", *key as char)), "{line}");
            assert_eq!(Key::of(*key).echo().as_bytes(), [*key]);
        }
        assert_eq!(
            (Interrupt.echo(), EndOfInput.echo(), Other.echo()),
            ("^C", "^D", "")
        );
    }

    #[test]
    fn an_escape_sequence_or_a_character_beyond_ascii_is_one_key_that_answers_nothing() {
        use Key::*;
        assert_eq!(keys_of(b"yn"), [Yes, No]);
        assert_eq!(keys_of(b"\x1b[A"), [Other]);
        assert_eq!(keys_of(b"y\x1b[A"), [Yes, Other]);
        assert_eq!(keys_of("éA".as_bytes()), [Other]);
        assert_eq!(keys_of(b""), []);
    }

    /// Feeds `keys` to a review of files of the given sizes, as the command does, and gives
    /// the accepted indices of each file and whether it was asked about each change.
    fn run_review(files: &[usize], keys: &str) -> (Vec<Accepted>, Review, usize) {
        let mut keys = keys.bytes().map(Key::of);
        let mut review = Review::default();
        let mut asked = 0;
        let mut all = Vec::new();
        for &len in files {
            review.next_file();
            let mut kept = Accepted::default();
            for index in 0..len {
                if let Some(accept) = review.decide_rest(len - index) {
                    if accept {
                        kept.accept(index..len);
                    }
                    break;
                }
                asked += 1;
                loop {
                    match review.answer(keys.next().expect("a key for each question")) {
                        Step::Decided(accept) => {
                            if accept {
                                kept.accept(index..index + 1);
                            }
                            break;
                        }
                        Step::AskAgain => continue,
                        Step::Abort(why) => panic!("{why}"),
                    }
                }
            }
            all.push(kept);
        }
        (all, review, asked)
    }

    fn indices(kept: &Accepted, len: usize) -> Vec<usize> {
        (0..len).filter(|&i| kept.contains(i)).collect()
    }

    #[test]
    fn y_and_n_decide_one_change_each() {
        let (kept, review, asked) = run_review(&[3, 2], "yn?yxyy");
        assert_eq!(indices(&kept[0], 3), [0, 2]);
        assert_eq!(indices(&kept[1], 2), [0, 1]);
        assert_eq!((review.accepted(), review.skipped(), asked), (4, 1, 5));
        assert!(review.asks_again());
    }

    #[test]
    fn a_and_d_decide_the_rest_of_one_file_only() {
        let (kept, review, asked) = run_review(&[4, 3, 2], "nayndny");
        assert_eq!(indices(&kept[0], 4), [1, 2, 3]);
        assert_eq!(indices(&kept[1], 3), [0]);
        assert_eq!(indices(&kept[2], 2), [1]);
        assert_eq!((review.accepted(), review.skipped(), asked), (5, 4, 7));
    }

    #[test]
    fn capital_a_accepts_everything_left_and_q_skips_it() {
        let (kept, review, asked) = run_review(&[3, 2, 5], "nA");
        assert_eq!(indices(&kept[0], 3), [1, 2]);
        assert_eq!(indices(&kept[1], 2), [0, 1]);
        assert_eq!(indices(&kept[2], 5), [0, 1, 2, 3, 4]);
        assert_eq!((review.accepted(), review.skipped(), asked), (9, 1, 2));
        assert!(!review.asks_again() && !review.quit());

        let (kept, review, asked) = run_review(&[3, 2], "yq");
        assert_eq!(indices(&kept[0], 3), [0]);
        assert!(kept[1].is_empty());
        assert_eq!((review.accepted(), review.skipped(), asked), (1, 4, 2));
        assert!(!review.asks_again() && review.quit());
    }

    #[test]
    fn interrupt_and_end_of_input_abort() {
        let mut review = Review::default();
        assert_eq!(
            review.answer(Key::Interrupt),
            Step::Abort(Abort::Interrupted)
        );
        assert_eq!(
            review.answer(Key::EndOfInput),
            Step::Abort(Abort::EndOfInput)
        );
        assert_eq!(review.answer(Key::Help), Step::AskAgain);
        assert_eq!((review.accepted(), review.skipped()), (0, 0));
        assert!(review.asks_again());
        // What mmt says as it exits 2.
        assert_eq!(
            Abort::Interrupted.to_string(),
            "review interrupted (Ctrl-C); nothing written"
        );
        assert_eq!(
            Abort::EndOfInput.to_string(),
            "end of input during the review; nothing written"
        );
    }

    proptest::proptest! {
        #![proptest_config(crate::property_config(2000))]

        /// Runs of accepted indices hold exactly the indices accepted, one by one or many at
        /// once, in order.
        #[test]
        fn kept_holds_what_was_accepted(
            steps in proptest::collection::vec((0usize..4, 0usize..4), 0..20),
        ) {
            let mut kept = Accepted::default();
            let mut reference = std::collections::BTreeSet::new();
            let mut at = 0;
            for (gap, len) in steps {
                let start = at + gap;
                kept.accept(start..start + len);
                reference.extend(start..start + len);
                at = start + len;
            }
            for index in 0..at + 2 {
                proptest::prop_assert_eq!(kept.contains(index), reference.contains(&index));
            }
            proptest::prop_assert_eq!(kept.is_empty(), reference.is_empty());
            // Runs that touch are one run.
            proptest::prop_assert!(kept.runs.windows(2).all(|w| w[0].end < w[1].start));
        }
    }

    #[test]
    fn kept_runs_join_and_answer_membership() {
        let mut kept = Accepted::default();
        assert!(kept.is_empty() && !kept.contains(0));
        kept.accept(2..2);
        assert!(kept.is_empty());
        kept.accept(1..3);
        kept.accept(3..4);
        kept.accept(6..9);
        assert_eq!(kept.runs, [1..4, 6..9]);
        let members: Vec<usize> = (0..10).filter(|&i| kept.contains(i)).collect();
        assert_eq!(members, [1, 2, 3, 6, 7, 8]);
    }
}
