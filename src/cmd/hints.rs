//! One line on standard error when a search found nothing and a likely cause is plain: OLD
//! typed as a pattern without `--regex`, or `^`/`$` without `--multi-line` (as sed and sd read
//! them). The count of what the other reading finds is given for one small file; over a tree or
//! a large file it would cost a second pass, so it is left out.

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

/// Whether a pattern has `^` or `$` outside a class (roughly: not after a backslash or an
/// opening bracket).
pub fn has_anchors(pattern: &[u8]) -> bool {
    let mut in_class = false;
    let mut escaped = false;
    for &byte in pattern {
        match byte {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'[' if !in_class => in_class = true,
            b']' if in_class => in_class = false,
            b'^' | b'$' if !in_class => return true,
            _ => {}
        }
    }
    false
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
    let find_at = |pos| pattern.find_at(&hay, pos);
    let count = crate::search::python_matches(hay.len(), find_at, Clone::clone).count();
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

/// A pattern with `^` or `$` found nothing without `--multi-line`.
pub fn anchors_without_multi_line(
    pattern: &[u8],
    flags: RegexFlags,
    paths: &[std::path::PathBuf],
    settings: &Settings,
) {
    if flags.multi_line || !has_anchors(pattern) {
        return;
    }
    let multi_line = RegexFlags {
        multi_line: true,
        ..flags
    };
    let Ok(pattern) = Pattern::new(pattern, &multi_line) else {
        return;
    };
    let found = match count_in(paths, &pattern) {
        Some(0) => return,
        Some(n) => format!("with --multi-line it finds {n}"),
        None => "add --multi-line for that".to_owned(),
    };
    say(
        settings,
        format!(
            "mmt: note: without --multi-line, ^ and $ match only at the start and end of the whole file, not of each line (as sed and sd read them); {found}"
        ),
    );
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

    #[test]
    fn anchors_outside_classes() {
        for pattern in ["^a", "a$", "(^x)", r"a\\$"] {
            assert!(has_anchors(pattern.as_bytes()), "{pattern}");
        }
        for pattern in ["[^a]", r"\^a", r"a\$", "[$]", "abc"] {
            assert!(!has_anchors(pattern.as_bytes()), "{pattern}");
        }
    }
}
