//! Python's `re` dialect, read the way CPython's `sre_parse` reads it and written out in the regex
//! crate's syntax.
//!
//! The regex crate's own syntax is close to Python's but not the same, and the differences are
//! silent: `e*+` is a possessive quantifier in Python and a nested repeat in Rust, `x{}` is
//! literal text in Python and an error in Rust, `\u0061` is an error in a bytes pattern and the
//! letter `a` in Rust. So a pattern is never handed to the regex crate as typed: it is parsed here
//! by Python's grammar (the structure of CPython 3.11's `sre_parse`, the reference this project is
//! tested against), every construct is written out in a spelling that means exactly the same to
//! the engine it is written for: the regex crate (linear time), or PCRE2 (backtracking), which
//! alone has look-around, backreferences, conditionals, atomic groups and possessive
//! quantifiers. For the linear engine such a construct is refused by name, so that the caller
//! can write the pattern for the other; Python's own errors are refused for both.
//!
//! A pattern is bytes, as a Python bytes pattern is (`pattern.encode()`): every non-ASCII byte is
//! one unit, in a class too. With `unicode` (mmt's `--unicode`), the pattern is a str pattern over
//! the UTF-8 text of the haystack: units are characters, and `\u`, `\U` are allowed.

mod emit;
mod parser;

use parser::{Parser, Restart};

/// The engine a pattern is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// The regex crate: linear time in the input.
    Linear,
    /// PCRE2: backtracking, for the constructs that need it.
    Backtrack,
}

/// Why a pattern was not translated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Python refuses it too: its message, in Python's words.
    Invalid(String),
    /// It needs backtracking (`what`, at position `at`), and was written for the linear engine.
    NeedsBacktracking { what: String, at: usize },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Invalid(message) => f.write_str(message),
            Refusal::NeedsBacktracking { what, at } => write!(
                f,
                "{what} at position {at} need the backtracking engine, and --engine linear \
                 asks for the linear one (leave --engine to choose, or give -P)"
            ),
        }
    }
}

/// Python's `re` flags as given on the command line (inline flags add to them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegexFlags {
    /// IGNORECASE: ASCII case folding in a bytes pattern.
    pub ignore_case: bool,
    /// DOTALL: `.` matches a newline too.
    pub dot_all: bool,
    /// MULTILINE: `^` and `$` match at line boundaries.
    pub multi_line: bool,
    /// VERBOSE: whitespace and `#` comments outside classes are ignored.
    pub verbose: bool,
    /// A str pattern over UTF-8 text instead of a bytes pattern.
    pub unicode: bool,
    /// Matches must have a word boundary on each side (`-w`, as rg has it; not Python's).
    pub word: bool,
    /// Which engine runs the pattern (`--engine`, `-P`; not Python's).
    pub engine: crate::search::EngineChoice,
}

/// A pattern in the regex crate's syntax, and the same pattern for an empty haystack where that
/// differs: Python's `\B` never matches in an empty string (before 3.14), the regex crate's does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub pattern: String,
    pub on_empty: Option<String>,
    /// The pattern is nothing but literal text, or alternatives of it: a literal searcher finds
    /// what the regex would, in time linear in the input whatever the literal's length (the
    /// regex engines are not, for a literal of thousands of bytes).
    pub literals: Option<Literals>,
    /// What Python warns of (a FutureWarning) as it compiles the pattern, in its words.
    pub warnings: Vec<String>,
    /// The pattern has `^` or `$` (outside a class), which read the whole haystack as one line
    /// unless multi-line: sd and rg users read them per line.
    pub line_anchors: bool,
}

/// Alternatives of literal bytes, leftmost-first as Python tries them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literals {
    pub alternatives: Vec<Vec<u8>>,
    /// IGNORECASE in a bytes pattern: ASCII case folding.
    pub ascii_case_insensitive: bool,
}

/// Python's repeat counts must stay below this (`sre_constants.MAXREPEAT`).
const MAX_REPEAT: u64 = 4_294_967_295;

/// Reads `pattern` as Python's `re.compile(pattern, flags)` would, and writes it for `engine`
/// (to be built with `unicode(flags.unicode)` and the case, dot and line flags; verbose mode
/// is resolved here). The error reads like Python's, with its position.
pub fn translate(
    pattern: &[u8],
    flags: &RegexFlags,
    engine: Engine,
) -> Result<Translation, Refusal> {
    let units: Vec<u32> = if flags.unicode {
        let text = std::str::from_utf8(pattern)
            .map_err(|_| Refusal::Invalid("a --unicode pattern must be valid UTF-8".to_owned()))?;
        text.chars().map(u32::from).collect()
    } else {
        pattern.iter().map(|&b| u32::from(b)).collect()
    };
    let mut parser = Parser::new(&units, *flags, flags.verbose, engine);
    match parser.parse() {
        // An inline `(?x)` at the start turns verbose mode on for the whole pattern, the part
        // already read included: read it again, as Python does.
        Err(Restart::Verbose) => {
            parser = Parser::new(&units, *flags, true, engine);
            parser.parse().map_err(Restart::into_refusal)?;
        }
        other => other.map_err(Restart::into_refusal)?,
    }
    Ok(parser.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_mode(pattern: &str) -> Result<String, String> {
        translate(pattern.as_bytes(), &RegexFlags::default(), Engine::Linear)
            .map(|t| t.pattern)
            .map_err(|refusal| refusal.to_string())
    }

    fn str_mode(pattern: &str) -> Result<String, String> {
        let flags = RegexFlags {
            unicode: true,
            ..RegexFlags::default()
        };
        translate(pattern.as_bytes(), &flags, Engine::Linear)
            .map(|t| t.pattern)
            .map_err(|refusal| refusal.to_string())
    }

    #[test]
    fn literals_are_written_so_rust_cannot_misread_them() {
        assert_eq!(bytes_mode("ab1").unwrap(), "ab1");
        assert_eq!(bytes_mode("x{}").unwrap(), r"x\x7b\x7d");
        assert_eq!(bytes_mode("{").unwrap(), r"\x7b");
        assert_eq!(
            bytes_mode("[[a&&b~~]").unwrap(),
            r"[\x5ba\x26\x26b\x7e\x7e]"
        );
        assert!(
            bytes_mode("[b--]")
                .unwrap_err()
                .contains("bad character range b--")
        );
        assert_eq!(bytes_mode("é").unwrap(), r"\xc3\xa9");
        assert_eq!(bytes_mode("[é]").unwrap(), r"[\xc3\xa9]");
        assert_eq!(str_mode("[é]").unwrap(), r"[\x{e9}]");
        assert_eq!(bytes_mode(r"\-\ \#").unwrap(), r"\x2d\x20\x23");
    }

    #[test]
    fn python_spellings_become_rust_spellings() {
        assert_eq!(bytes_mode(r"\Z").unwrap(), r"\z");
        assert_eq!(bytes_mode(r"\A\b\B").unwrap(), r"\A\b\B");
        assert_eq!(bytes_mode(r"[\b]").unwrap(), r"[\x08]");
        assert_eq!(
            bytes_mode(r"\a\f\v\0\012\101").unwrap(),
            r"\x07\x0c\x0b\x00\x0aA"
        );
        assert_eq!(bytes_mode(r"[\1\08]").unwrap(), r"[\x01\x008]");
        assert_eq!(bytes_mode("(?#note)a(?#x)*").unwrap(), "a*");
        // Escapes take exactly as many digits as Python's: two hex, up to three octal.
        assert_eq!(bytes_mode(r"\x414").unwrap(), "A4");
        assert_eq!(bytes_mode(r"\01234").unwrap(), r"\x0a34");
        assert_eq!(
            bytes_mode(r"\x4z").unwrap_err(),
            r"incomplete escape \x4 at position 0"
        );
        assert_eq!(
            bytes_mode(r"\r\t\377[\0\07]").unwrap(),
            r"\x0d\x09\xff[\x00\x07]"
        );
        assert_eq!(bytes_mode("[a-a]").unwrap(), "[a-a]");
        assert_eq!(
            bytes_mode(r"\z").unwrap_err(),
            r"bad escape \z at position 0 (the end of the input is \Z in Python's re)"
        );
        assert_eq!(
            bytes_mode("a{,3}b{2}c{1,}d{,}?").unwrap(),
            "a{0,3}b{2}c{1,}d{0,}?"
        );
        assert_eq!(bytes_mode("(?a)(?a:a)").unwrap(), "(?:a)");
        assert_eq!(bytes_mode("(?i)(?s)a").unwrap(), "(?s)(?i)a");
        assert_eq!(bytes_mode("(?i-s:a)(?-m:b)").unwrap(), "(?i-s:a)(?-m:b)");
        assert_eq!(bytes_mode("(?i:a)(?ms:b)").unwrap(), "(?i:a)(?ms:b)");
        assert_eq!(bytes_mode("(?i)(?i)a").unwrap(), "(?i)a");
        assert_eq!(bytes_mode("(?P<a_b1>x)").unwrap(), "(?P<a_b1>x)");
        assert_eq!(bytes_mode("(?P<n>a)(b)").unwrap(), "(?P<n>a)(b)");
        assert_eq!(bytes_mode("[^]a-c]").unwrap(), r"[^\x5da-c]");
        assert_eq!(bytes_mode("[a-]").unwrap(), r"[a\x2d]");
    }

    #[test]
    fn verbose_mode_is_resolved_here() {
        let verbose = RegexFlags {
            verbose: true,
            ..RegexFlags::default()
        };
        let t = |p: &str| translate(p.as_bytes(), &verbose, Engine::Linear).map(|t| t.pattern);
        assert_eq!(t("a b # note\n c").unwrap(), "abc");
        assert_eq!(t(r"[ #]\ ").unwrap(), r"[\x20\x23]\x20");
        assert_eq!(t("a{1, 2}").unwrap(), r"a\x7b1\x2c2\x7d");
        assert_eq!(bytes_mode("(?x) a b").unwrap(), "ab");
        assert_eq!(
            bytes_mode("a(?x: b c)(?-x: d)").unwrap(),
            r"a(?:bc)(?:\x20d)"
        );
        assert_eq!(t("(?-x: d)").unwrap(), r"(?:\x20d)");
    }

    #[test]
    fn an_empty_haystack_gets_a_variant_only_for_non_boundaries() {
        let t = translate(br"a|\B(\B)", &RegexFlags::default(), Engine::Linear).unwrap();
        assert_eq!(t.pattern, r"a|\B(\B)");
        assert_eq!(t.on_empty.as_deref(), Some(r"a|\b\B(\b\B)"));
        assert_eq!(
            translate(br"\b", &RegexFlags::default(), Engine::Linear)
                .unwrap()
                .on_empty,
            None
        );
    }

    #[test]
    fn str_patterns_have_unicode_escapes_and_ascii_scopes() {
        assert_eq!(str_mode(r"\u00e9\U0001F600").unwrap(), r"\x{e9}\x{1f600}");
        assert_eq!(str_mode(r"(?a)\w\b").unwrap(), r"[0-9A-Za-z_](?-u:\b)");
        assert_eq!(str_mode(r"(?a:\d)\d").unwrap(), r"(?:[0-9])\d");
        assert_eq!(str_mode(r"(?u)a").unwrap(), "a");
        assert_eq!(
            str_mode(r"(?a)\D\s\S\W").unwrap(),
            r"[^0-9][ \t\n\r\x0b\x0c][^ \t\n\r\x0b\x0c][^0-9A-Za-z_]"
        );
        // In a class: the ASCII sets where they can be members; a negated one keeps the
        // regex crate's own (Unicode) meaning, a documented difference of --unicode.
        assert_eq!(
            str_mode(r"(?a)[\w\s]").unwrap(),
            r"[0-9A-Za-z_ \t\n\r\x0b\x0c]"
        );
        assert_eq!(str_mode(r"(?a)[\W]").unwrap(), r"[\W]");
        assert_eq!(str_mode(r"[\w]").unwrap(), r"[\w]");
        assert_eq!(bytes_mode(r"(?a)[\w]").unwrap(), r"[\w]");
        assert!(
            str_mode(r"\u00e")
                .unwrap_err()
                .starts_with(r"incomplete escape \u00e")
        );
        assert!(
            str_mode(r"\U00110000")
                .unwrap_err()
                .starts_with("bad escape")
        );
        assert!(
            str_mode(r"\N{DIGIT ONE}")
                .unwrap_err()
                .contains("named characters")
        );
        assert!(
            str_mode("(?L)a")
                .unwrap_err()
                .contains("with a str pattern")
        );
    }

    #[test]
    fn errors_read_like_pythons() {
        let cases = [
            ("a**", "multiple repeat at position 2"),
            ("a*?+", "multiple repeat at position 3"),
            ("^*", "nothing to repeat at position 1"),
            ("*", "nothing to repeat at position 0"),
            ("a|*", "nothing to repeat at position 2"),
            (r"\b+", "nothing to repeat at position 2"),
            ("(?i)*", "nothing to repeat at position 4"),
            ("a{3,1}", "min repeat greater than max repeat at position 1"),
            ("a{4294967295}", "the repetition number is too large"),
            (r"\u0061", r"bad escape \u at position 0"),
            (r"\q", r"bad escape \q at position 0"),
            (r"\x4", r"incomplete escape \x4 at position 0"),
            (r"\777", r"octal escape value \777 outside of range 0-0o377"),
            (r"[\8]", r"bad escape \8 at position 1"),
            (r"[\A]", r"bad escape \A at position 1"),
            (r"[\d-z]", r"bad character range \d-z at position 1"),
            ("[z-a]", "bad character range z-a at position 1"),
            ("[]", "unterminated character set at position 0"),
            ("[a", "unterminated character set at position 0"),
            ("(a", "missing ), unterminated subpattern at position 0"),
            ("a)", "unbalanced parenthesis at position 1"),
            ("(?#a", "missing ), unterminated comment at position 0"),
            ("a\\", "bad escape (end of pattern) at position 1"),
            ("(?", "unexpected end of pattern"),
            ("(?<n>a)", "unknown extension ?<n at position 1"),
            ("(?P>a)", "unknown extension ?P> at position 1"),
            ("(?Q)", "unknown extension ?Q at position 1"),
            (r"(?\x)", r"unknown extension ?\x at position 1"),
            (r"\N{DIGIT ONE}", r"bad escape \N at position 0"),
            ("(?P<1n>a)", "bad character in group name '1n'"),
            ("(?P<>a)", "missing group name"),
            (
                "(?P<n>a)(?P<n>b)",
                "redefinition of group name 'n' as group 2; was group 1",
            ),
            (
                "a|(?i)b",
                "global flags not at the start of the expression at position 2",
            ),
            (
                "((?i)b)",
                "global flags not at the start of the expression at position 1",
            ),
            (
                "(?i-i:a)",
                "bad inline flags: flag turned on and off at position 5",
            ),
            ("(?-iq:a)", "unknown flag at position 4"),
            (
                "(?-a:a)",
                "bad inline flags: cannot turn off flags 'a', 'u' and 'L' at position 4",
            ),
            (
                "(?u)a",
                "bad inline flags: cannot use 'u' flag with a bytes pattern",
            ),
            ("(?aL)a", "the locale flag (?L)"),
            ("(?L)a", "the locale flag (?L)"),
            ("(?iq)a", "unknown flag at position 3"),
            ("(?i", "missing -, : or )"),
            ("(?-)", "missing flag at position 3"),
            ("(?-i)", "missing : at position 4"),
            ("(?>a)", "atomic groups"),
            ("(?(1)a)", "conditional groups"),
            ("(?=a)", "look-ahead assertions"),
            ("(?!a)", "look-ahead assertions"),
            ("(?<=a)", "look-behind assertions"),
            ("(?<!a)", "look-behind assertions"),
            ("(a)\\1", r"backreferences (\1) at position 3"),
            ("(?P<a>x)(?P=a)", "backreferences ((?P=a))"),
            ("(?P=a)", "unknown group name 'a' at position 4"),
            ("(a)(?P=x)", "unknown group name 'x' at position 7"),
            (r"\1", "invalid group reference 1 at position 1"),
        ];
        for (pattern, expected) in cases {
            let err = bytes_mode(pattern).expect_err(pattern);
            assert!(
                err.contains(expected),
                "{pattern:?}: {err:?} lacks {expected:?}"
            );
        }
    }

    #[test]
    fn line_anchors_are_those_outside_classes() {
        let anchored = |pattern: &str| {
            translate(
                pattern.as_bytes(),
                &RegexFlags::default(),
                Engine::Backtrack,
            )
            .unwrap()
            .line_anchors
        };
        for pattern in ["^a", "a$", "(^x)", r"a\\$", "(?=^)b"] {
            assert!(anchored(pattern), "{pattern}");
        }
        for pattern in ["[^a]", r"\^a", r"a\$", "[$]", "abc", r"\A\Z"] {
            assert!(!anchored(pattern), "{pattern}");
        }
    }

    #[test]
    fn a_global_verbose_flag_rereads_what_came_before() {
        assert_eq!(
            bytes_mode(" (?x) a").unwrap_err(),
            "global flags not at the start of the expression at position 1"
        );
        let verbose = RegexFlags {
            verbose: true,
            ..RegexFlags::default()
        };
        assert_eq!(
            translate(b" (?x) a", &verbose, Engine::Linear)
                .unwrap()
                .pattern,
            "a"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn pattern_bytes() -> impl Strategy<Value = Vec<u8>> {
        let pieces = prop::sample::select(vec![
            "a", "\\", "(", ")", "[", "]", "{", "}", ",", "1", "0", "*", "+", "?", "|", "^", "$",
            ".", "-", "?P<", ">", "=", "#", " ", "\n", "x", "u", "i", "-", ":", "<", "!", "B", "b",
            "d", "Z", "é", "\u{ff}",
        ]);
        prop::collection::vec(pieces, 0..16).prop_map(|p| p.concat().into_bytes())
    }

    proptest! {
        #![proptest_config(crate::property_config(3000))]

        /// Any input translates or is refused with a message, never a panic; and whatever is
        /// accepted is a pattern the regex crate builds (or refuses only for its size limit).
        #[test]
        fn any_pattern_translates_to_a_regex_or_fails_cleanly(
            pattern in pattern_bytes(),
            unicode in any::<bool>(),
            verbose in any::<bool>(),
            random in prop::collection::vec(any::<u8>(), 0..12),
        ) {
            let flags = RegexFlags { unicode, verbose, ..RegexFlags::default() };
            for input in [&pattern, &random] {
                if let Ok(t) = translate(input, &flags, Engine::Linear) {
                    for source in std::iter::once(&t.pattern).chain(t.on_empty.as_ref()) {
                        let built = regex::bytes::RegexBuilder::new(source).unicode(unicode).build();
                        if let Err(err) = built {
                            prop_assert!(
                                err.to_string().contains("size limit"),
                                "{:?} became {:?}: {}", String::from_utf8_lossy(input), source, err
                            );
                        }
                    }
                }
            }
        }
    }
}
