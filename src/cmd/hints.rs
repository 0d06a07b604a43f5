//! What mmt says when a habit from another tool may mean something else here: OLD typed as a
//! pattern without `--regex` (one line on standard error when nothing was found; the count of
//! what the other reading finds is given for one small file), and `^`/`$` without
//! `--multi-line`, which Python reads as the whole file's start and end and sed, sd and rg read
//! per line ([`Readings`]: both are counted as the files are searched; a write refuses when they
//! differ, a read says so).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::search::Pattern;
use crate::search::dialect::RegexFlags;
use crate::settings::Settings;

/// Up to this size, a file is searched once more to say how many the other reading finds.
const COUNTED_UP_TO: u64 = 64 << 20;

/// Whether a literal OLD looks like a regular expression: an escape of a class (`\d`, `\w`,
/// `\s`, `\b`), an escaped dot, a repeat after a class or a dot, a bracketed class, or an
/// anchor at either end.
pub fn looks_like_a_pattern(old: &[u8]) -> bool {
    let text = String::from_utf8_lossy(old);
    let signs = [
        r"\d", r"\w", r"\s", r"\b", r"\D", r"\W", r"\S", r"\.", ".*", ".+", "]+", "]*", ")+", ")*",
        "+?", "*?", r"\(",
    ];
    signs.iter().any(|sign| text.contains(sign))
        || (text.starts_with('^') && text.len() > 1)
        || (text.ends_with('$') && text.len() > 1 && !text.ends_with(r"\$"))
        || (text.contains('[') && text.contains(']') && text.find('[') < text.rfind(']'))
}

/// How many matches `pattern` has in the one file `paths` names, when it is small enough to
/// search again.
fn count_in(paths: &[std::path::PathBuf], pattern: &Pattern) -> Option<usize> {
    let [path] = paths else { return None };
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > COUNTED_UP_TO {
        return None;
    }
    // Through the read policy every command uses (a map), not onto the heap: 64 MiB read
    // whole would be all the anonymous memory a command may take.
    let hay = crate::map::open_view(path, crate::map::ReadPlan::default()).ok()?;
    let count = pattern.count(&hay);
    // A count of a search that gave up is no count.
    crate::search::backtrack::gave_up().ok().map(|()| count)
}

fn say(settings: &Settings, line: String) {
    if !settings.style.quiet && !settings.style.json {
        say!("{line}");
    }
}

/// `replace` without `--regex` found nothing, and OLD looks like a pattern.
pub fn literal_looks_like_a_pattern(old: &[u8], paths: &[std::path::PathBuf], settings: &Settings) {
    if !looks_like_a_pattern(old) {
        return;
    }
    let Ok(pattern) = Pattern::new(old, &RegexFlags::default()) else {
        return;
    };
    let shown = String::from_utf8_lossy(old);
    let found = match count_in(paths, &pattern) {
        Some(n) => format!("; with --regex it would find {n}"),
        None => "; add --regex to read it as one".to_owned(),
    };
    say(
        settings,
        format!(
            "mmt: note: OLD {shown} looks like a regular expression, and was looked for as literal bytes (no --regex){found}"
        ),
    );
}

/// The two readings of a pattern with `^` or `$` and no `--multi-line`: Python's (the whole
/// file's start and end, as mmt reads it) and sd's, sed's and rg's (each line's), counted over
/// every file searched.
pub struct Readings {
    per_line: Pattern,
    whole: AtomicUsize,
    lines: AtomicUsize,
}

impl Readings {
    /// The readings of `pattern` (read with `flags`), when they may differ: it has `^` or `$`
    /// and `--multi-line` was not given.
    pub fn of(pattern: &Pattern, flags: RegexFlags) -> Option<Readings> {
        if flags.multi_line || !pattern.has_line_anchors() {
            return None;
        }
        let multi_line = RegexFlags {
            multi_line: true,
            ..flags
        };
        Some(Readings {
            per_line: Pattern::new(pattern.source(), &multi_line).ok()?,
            whole: AtomicUsize::new(0),
            lines: AtomicUsize::new(0),
        })
    }

    /// Counts the matches of both readings in one more haystack.
    pub fn count(&self, pattern: &Pattern, hay: &[u8]) {
        self.whole.fetch_add(pattern.count(hay), Ordering::Relaxed);
        self.lines
            .fetch_add(self.per_line.count(hay), Ordering::Relaxed);
    }

    /// The counts (whole file, per line), when they differ.
    fn differ(&self) -> Option<(usize, usize)> {
        let counts = (
            self.whole.load(Ordering::Relaxed),
            self.lines.load(Ordering::Relaxed),
        );
        (counts.0 != counts.1).then_some(counts)
    }

    /// A write guesses nothing: refused when the two readings find different numbers, with
    /// both numbers and both ways to say which is meant.
    pub fn refuse_if_they_differ(&self) -> anyhow::Result<()> {
        let Some((whole, lines)) = self.differ() else {
            return Ok(());
        };
        anyhow::bail!(
            "OLD has ^ or $, which without --multi-line match only at the start and end of the \
             whole file, as Python's re reads them ({} here), not at each line as sd, sed and \
             rg read them ({}); nothing written. Say which: add --multi-line to replace at each \
             line, or write \\A and \\Z for the start and end of the file",
            matches(whole),
            matches(lines)
        )
    }

    /// A read says when the two readings find different numbers.
    pub fn note_if_they_differ(&self, settings: &Settings) {
        let Some((whole, lines)) = self.differ() else {
            return;
        };
        say(
            settings,
            format!(
                "mmt: note: without --multi-line, ^ and $ match only at the start and end of the \
                 whole file, as Python's re reads them ({}); read at each line, as sd, sed and rg \
                 read them, there are {}: add --multi-line for that, or write \\A and \\Z to say \
                 the whole file",
                matches(whole),
                matches(lines)
            ),
        );
    }
}

/// `1 match`, `2 matches`.
fn matches(count: usize) -> String {
    match count {
        1 => "1 match".to_owned(),
        n => format!("{n} matches"),
    }
}

/// Python's FutureWarnings about a pattern, on standard error (unless `-q`), each with the way
/// to say what was probably meant.
pub fn warn_of_pattern(pattern: &Pattern, settings: &Settings) {
    if settings.style.quiet {
        return;
    }
    for warning in &pattern.warnings {
        say!(
            "mmt: FutureWarning: {warning}{}",
            nested_set_hint(pattern.source())
        );
    }
}

/// What a set that opens with `[` was probably meant to be: a POSIX class such as
/// `[[:digit:]]`, which Python reads as the set of the characters `[:digt` followed by `]`.
fn nested_set_hint(pattern: &[u8]) -> String {
    const CLASSES: [(&str, &str); 10] = [
        ("digit", r"\d"),
        ("space", r"\s"),
        ("alnum", "[a-zA-Z0-9]"),
        ("alpha", "[a-zA-Z]"),
        ("upper", "[A-Z]"),
        ("lower", "[a-z]"),
        ("xdigit", "[0-9a-fA-F]"),
        ("punct", r"[!-/:-@\[-`{-~]"),
        ("blank", r"[ \t]"),
        ("word", r"\w"),
    ];
    let text = String::from_utf8_lossy(pattern);
    for (name, meant) in CLASSES {
        let posix = format!("[[:{name}:]]");
        if text.contains(&posix) {
            return format!(
                " ({posix} is read as a set of the characters in [:{name}: followed by ], not \
                 as a POSIX class; Python has none: write {meant})"
            );
        }
    }
    " (a set that opens with [ holds the character [; a later Python may read it as a nested \
     set: write \\[ to mean [)"
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_looks_like_a_pattern() {
        for old in [
            r"\d+\.\d+",
            "^foo",
            "foo$",
            "a.*b",
            "[abc]",
            r"\bword",
            "x+?",
        ] {
            assert!(looks_like_a_pattern(old.as_bytes()), "{old}");
        }
        for old in ["2.0", "foo", "a+b", "$", "^", r"cost\$", "][", "C++"] {
            assert!(!looks_like_a_pattern(old.as_bytes()), "{old}");
        }
    }
}
