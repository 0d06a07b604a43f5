//! The second engine: PCRE2 (the `pcre2` crate, as ripgrep's `-P` uses it), for the patterns
//! that need backtracking (look-around, backreferences, conditionals, atomic groups and
//! possessive quantifiers). The pattern it is given was read by mmt's own Python parser and
//! written out in PCRE2's syntax (`dialect`), so it has Python's meaning and Python's errors.
//!
//! Backtracking can take time exponential in the input. Its limits are set here, not left at the
//! library's defaults, and a search that reaches one gives up with an error, never a hang or a
//! silent miss: the search reports no more matches, and the command asks [`gave_up`] after each
//! file.

use std::cell::RefCell;
use std::ops::Range;

use anyhow::{Result, anyhow};
use pcre2::bytes::{CaptureLocations, Regex, RegexBuilder};

use crate::search::dialect::RegexFlags;

/// The steps one match attempt (at one position) may take: a benign pattern takes a few
/// hundred; `(a+)+b` on 30 `a`s would take a billion.
pub const MATCH_LIMIT: u32 = 10_000_000;
/// How deep the interpreter's backtracking may nest (where JIT is not available).
const DEPTH_LIMIT: u32 = 10_000_000;
/// The heap the interpreter's backtracking may use, in KiB.
const HEAP_LIMIT_KIB: u32 = 256 << 10;
/// The JIT's stack, which ripgrep found it needs at this size (its default of 32 KiB fails on
/// ordinary patterns over long lines).
const JIT_STACK: usize = 10 << 20;

/// A pattern compiled for PCRE2, and the same pattern for an empty haystack where that differs
/// (see `dialect::Translation::on_empty`).
#[derive(Debug, Clone)]
pub struct Backtrack {
    regex: Regex,
    on_empty: Option<Regex>,
    /// The pattern needs no backtracking: the linear engine could run it (it was asked for).
    linear_would_do: bool,
}

/// PCRE2's error codes for a limit reached (`pcre2.h`), and the limit in words.
const LIMITS: [(i32, &str); 4] = [
    (-47, "10,000,000 steps at one position"),
    (-53, "a backtracking depth of 10,000,000"),
    (-63, "256 MiB of backtracking memory"),
    (-46, "10 MiB of JIT stack"),
];

thread_local! {
    /// Why this thread's last search gave up, until a command asks (see [`gave_up`]).
    static GAVE_UP: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Fails when a search on this thread gave up since it was last asked (a backtracking limit,
/// or a file the engine could not read), saying why and the way out.
pub fn gave_up() -> Result<()> {
    match GAVE_UP.with(|cell| cell.borrow_mut().take()) {
        Some(why) => Err(anyhow!(why)),
        None => Ok(()),
    }
}

/// Keeps why a search gave up, for [`gave_up`] on this thread (the first reason stays).
pub fn give_up(why: String) {
    GAVE_UP.with(|cell| {
        cell.borrow_mut().get_or_insert(why);
    });
}

/// What a search that gave up says; `linear_would_do` names the other engine as a way out.
fn why(err: &pcre2::Error, linear_would_do: bool) -> String {
    let way_out = if linear_would_do {
        "; or leave out -P/--engine backtrack: this pattern needs no backtracking, and the \
         linear engine takes time linear in the input"
    } else {
        ""
    };
    match LIMITS.iter().find(|(code, _)| *code == err.code()) {
        Some((_, limit)) => format!(
            "the pattern needs more backtracking than the limit ({limit}); nothing more was \
             searched. Make it less ambiguous: an atomic group (?>...) or a possessive \
             quantifier (*+, ++) keeps it from trying the same bytes again, and a repeat of a \
             repeat ((a+)+) is the usual cause{way_out}"
        ),
        None => format!("the backtracking engine could not search this file: {err}"),
    }
}

impl Backtrack {
    /// Builds `source` (and `on_empty`), written for PCRE2 by the dialect, with `flags`;
    /// `linear_would_do` when the linear engine could run the pattern too.
    pub fn new(
        source: &str,
        on_empty: Option<&str>,
        flags: &RegexFlags,
        linear_would_do: bool,
    ) -> Result<Backtrack> {
        let build = |source: &str| {
            let limited = format!(
                "(*LIMIT_MATCH={MATCH_LIMIT})(*LIMIT_DEPTH={DEPTH_LIMIT})\
                 (*LIMIT_HEAP={HEAP_LIMIT_KIB}){source}"
            );
            RegexBuilder::new()
                // Bytes, as a Python bytes pattern; a str pattern (`--unicode`) over UTF-8.
                .utf(flags.unicode)
                .ucp(flags.unicode)
                .caseless(flags.ignore_case)
                .dotall(flags.dot_all)
                .multi_line(flags.multi_line)
                .jit_if_available(true)
                .max_jit_stack_size(Some(JIT_STACK))
                .build(&limited)
                .map_err(|err| anyhow!("invalid pattern: the backtracking engine: {err}"))
        };
        Ok(Backtrack {
            regex: build(source)?,
            on_empty: on_empty.map(build).transpose()?,
            linear_would_do,
        })
    }

    fn regex_for(&self, hay: &[u8]) -> &Regex {
        match &self.on_empty {
            Some(on_empty) if hay.is_empty() => on_empty,
            _ => &self.regex,
        }
    }

    /// The leftmost-first match that starts at `pos` or later. The whole haystack is given, so
    /// that a look-behind sees the bytes before `pos`. `None` too when the search gave up.
    pub fn find_at(&self, hay: &[u8], pos: usize) -> Option<Range<usize>> {
        match self.regex_for(hay).find_at(hay, pos.min(hay.len())) {
            Ok(found) => found.map(|m| m.start()..m.end()),
            Err(err) => {
                give_up(why(&err, self.linear_would_do));
                None
            }
        }
    }

    /// Slots for the groups of [`Backtrack::captures_read_at`].
    pub fn capture_locations(&self) -> CaptureLocations {
        self.regex.capture_locations()
    }

    /// As [`Backtrack::find_at`], the groups of the match read into `locs`.
    pub fn captures_read_at(
        &self,
        locs: &mut CaptureLocations,
        hay: &[u8],
        pos: usize,
    ) -> Option<Range<usize>> {
        match self
            .regex_for(hay)
            .captures_read_at(locs, hay, pos.min(hay.len()))
        {
            Ok(found) => found.map(|m| m.start()..m.end()),
            Err(err) => {
                give_up(why(&err, self.linear_would_do));
                None
            }
        }
    }

    /// The number of groups, the whole match included.
    pub fn captures_len(&self) -> usize {
        self.regex.captures_len()
    }

    /// Each group's name, the whole match's (none) first.
    pub fn capture_names(&self) -> &[Option<String>] {
        self.regex.capture_names()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runaway_pattern_gives_up_with_the_way_out() {
        // (`(a+)+b` is the textbook case, but PCRE2 first checks that a `b` is there at all.)
        let re = Backtrack::new("(a|aa)+[^a]", None, &RegexFlags::default(), true).unwrap();
        let hay = vec![b'a'; 40];
        assert!(gave_up().is_ok());
        assert_eq!(re.find_at(&hay, 0), None);
        let err = gave_up().unwrap_err().to_string();
        assert!(
            err.contains("needs more backtracking than the limit"),
            "{err}"
        );
        assert!(err.contains("atomic group"), "{err}");
        assert!(err.contains("leave out -P"), "{err}");
        // Asked once: the next ask finds nothing.
        assert!(gave_up().is_ok());
        assert_eq!(re.find_at(b"aab", 0), Some(0..3));
        assert!(gave_up().is_ok());
    }

    #[test]
    fn a_look_behind_sees_the_bytes_before_the_start() {
        let re = Backtrack::new("(?<=a)b", None, &RegexFlags::default(), false).unwrap();
        assert_eq!(re.find_at(b"abab", 1), Some(1..2));
        assert_eq!(re.find_at(b"abab", 2), Some(3..4));
        assert_eq!(re.find_at(b"abab", 4), None);
    }
}
