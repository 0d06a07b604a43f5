//! The linear engine: the regex crate (and Aho-Corasick for long lists of literal text), with
//! Python's reading of an empty haystack and the span searches that cut a large one.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{Result, anyhow};
use std::sync::OnceLock;

use regex::bytes::{Regex, RegexBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;

use crate::search::dialect::{Literals, RegexFlags, Translation};

use super::*;

/// The pattern for the regex crate.
#[derive(Debug, Clone)]
pub(super) struct Linear {
    pub(super) regex: Regex,
    /// The same pattern for an empty haystack, where Python reads it differently (`\B`).
    pub(super) on_empty: Option<Regex>,
    /// For a pattern of literal text (or alternatives of it) that the regex engines would
    /// search slowly: a searcher that is linear in the input whatever the literals' length.
    pub(super) literals: Option<LiteralSearch>,
    /// How the regex crate was configured for it, to build the same regex for span searches.
    pub(super) syntax: syntax::Config,
    /// The same pattern for searching spans of a large haystack on several threads (built when
    /// first asked for).
    pub(super) spans: OnceLock<Option<SpanSearch>>,
}

/// Above this many bytes of alternatives (or of one case-folded literal), the regex engines'
/// lazy DFA thrashes and falls back to a slow engine; below it their own literal prefilters
/// (Teddy) are faster than a general Aho-Corasick automaton.
pub(super) const LONG_LITERALS: usize = 1024;

#[derive(Debug, Clone)]
pub(super) enum LiteralSearch {
    /// One literal, matched exactly: memchr's memmem.
    One(Box<Needle<'static>>),
    /// Alternatives, or a case-folded literal: leftmost-first, as Python tries alternatives.
    Many(AhoCorasick),
}

impl LiteralSearch {
    /// The searcher for `literals`, when one should replace the regex engine.
    pub(super) fn for_literals(literals: Literals) -> Result<Option<LiteralSearch>> {
        if let [only] = literals.alternatives.as_slice()
            && !literals.ascii_case_insensitive
        {
            return Ok(Some(LiteralSearch::One(Box::new(Needle::owned(only)))));
        }
        let total: usize = literals.alternatives.iter().map(Vec::len).sum();
        if total <= LONG_LITERALS {
            return Ok(None);
        }
        // A contiguous NFA builds in time linear in the literals' length; a DFA of a
        // 10,000-byte literal alone takes a second to build.
        let searcher = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::LeftmostFirst)
            .ascii_case_insensitive(literals.ascii_case_insensitive)
            .build(&literals.alternatives)
            .map_err(|err| anyhow!("invalid pattern: {err}"))?;
        Ok(Some(LiteralSearch::Many(searcher)))
    }
}

impl Linear {
    pub(super) fn new(translation: &Translation, flags: &RegexFlags) -> Result<Linear> {
        let build = |source: &str| {
            RegexBuilder::new(source)
                .unicode(flags.unicode)
                .case_insensitive(flags.ignore_case)
                .dot_matches_new_line(flags.dot_all)
                .multi_line(flags.multi_line)
                .build()
                .map_err(|err| anyhow!("invalid pattern: {err}"))
        };
        // `-w`: a word boundary on each side, as rg has it (half boundaries: the side outside
        // the match is not a word character), ASCII unless the pattern is Unicode-aware. The
        // literal searchers know no boundaries.
        let worded = |source: &str| match (flags.word, flags.unicode) {
            (false, _) => source.to_owned(),
            (true, true) => format!(r"\b{{start-half}}(?:{source})\b{{end-half}}"),
            (true, false) => format!(r"(?-u:\b{{start-half}})(?:{source})(?-u:\b{{end-half}})"),
        };
        let literals = match &translation.literals {
            Some(literals) if !flags.word => LiteralSearch::for_literals(literals.clone())?,
            _ => None,
        };
        Ok(Linear {
            regex: build(&worded(&translation.pattern))?,
            on_empty: translation
                .on_empty
                .as_deref()
                .map(|source| build(&worded(source)))
                .transpose()?,
            literals,
            syntax: syntax::Config::new()
                .utf8(false)
                .unicode(flags.unicode)
                .case_insensitive(flags.ignore_case)
                .dot_matches_new_line(flags.dot_all)
                .multi_line(flags.multi_line),
            spans: OnceLock::new(),
        })
    }

    pub(super) fn span_search(&self) -> Option<&SpanSearch> {
        self.spans
            .get_or_init(|| {
                if matches!(self.literals, Some(LiteralSearch::Many(_))) {
                    return None;
                }
                let source = self.regex.as_str();
                let hir = syntax::parse_with(source, &self.syntax).ok()?;
                // As the regex crate builds a bytes regex (its `build_one_bytes`).
                let config = meta::Config::new()
                    .nfa_size_limit(Some(10 * (1 << 20)))
                    .hybrid_cache_capacity(2 * (1 << 20))
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .utf8_empty(false);
                let regex = meta::Builder::new()
                    .configure(config)
                    .syntax(self.syntax)
                    .build(source)
                    .ok()?;
                Some(SpanSearch {
                    regex,
                    shape: Shape::of(&hir),
                })
            })
            .as_ref()
    }

    pub(super) fn find_at(&self, hay: &[u8], pos: usize) -> Option<Range<usize>> {
        match &self.literals {
            Some(LiteralSearch::One(needle)) => {
                let at = needle.first_in(hay, pos..hay.len())?;
                Some(at..at + needle.len())
            }
            Some(LiteralSearch::Many(searcher)) => searcher
                .find(aho_corasick::Input::new(hay).range(pos..))
                .map(|m| m.range()),
            None => {
                let (start, near) = near(hay, pos);
                let found = self.regex_for(hay).find_at(near, pos - start)?;
                Some(start + found.start()..start + found.end())
            }
        }
    }

    /// The compiled regex to run over `hay`.
    pub(super) fn regex_for(&self, hay: &[u8]) -> &Regex {
        match &self.on_empty {
            Some(on_empty) if hay.is_empty() => on_empty,
            _ => &self.regex,
        }
    }
}
