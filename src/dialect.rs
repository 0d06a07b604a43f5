//! Python's `re` dialect, read the way CPython's `sre_parse` reads it and written out in the regex
//! crate's syntax.
//!
//! The regex crate's own syntax is close to Python's but not the same, and the differences are
//! silent: `e*+` is a possessive quantifier in Python and a nested repeat in Rust, `x{}` is
//! literal text in Python and an error in Rust, `\u0061` is an error in a bytes pattern and the
//! letter `a` in Rust. So a pattern is never handed to the regex crate as typed: it is parsed here
//! by Python's grammar (the structure of CPython 3.11's `sre_parse`, the reference this project is
//! tested against), every construct is written out in a spelling that means exactly the same to
//! the regex crate, and a construct the linear-time engine lacks is refused by name.
//!
//! A pattern is bytes, as a Python bytes pattern is (`pattern.encode()`): every non-ASCII byte is
//! one unit, in a class too. With `unicode` (mmt's `--unicode`), the pattern is a str pattern over
//! the UTF-8 text of the haystack: units are characters, and `\u`, `\U` are allowed.

use std::collections::HashMap;
use std::fmt::Write as _;

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

/// Reads `pattern` as Python's `re.compile(pattern, flags)` would, and writes it for the regex
/// crate (to be built with `unicode(flags.unicode)` and the case, dot and line flags; verbose
/// mode is resolved here). The error reads like Python's, with its position.
pub fn translate(pattern: &[u8], flags: &RegexFlags) -> Result<Translation, String> {
    let units: Vec<u32> = if flags.unicode {
        let text = std::str::from_utf8(pattern)
            .map_err(|_| "a --unicode pattern must be valid UTF-8".to_owned())?;
        text.chars().map(u32::from).collect()
    } else {
        pattern.iter().map(|&b| u32::from(b)).collect()
    };
    let mut parser = Parser::new(&units, *flags, flags.verbose);
    match parser.parse() {
        // An inline `(?x)` at the start turns verbose mode on for the whole pattern, the part
        // already read included: read it again, as Python does.
        Err(Restart::Verbose) => {
            parser = Parser::new(&units, *flags, true);
            parser.parse().map_err(Restart::into_message)?;
        }
        other => other.map_err(Restart::into_message)?,
    }
    Ok(parser.finish())
}

/// Why parsing stopped: a real error, or a global `(?x)` that asks for a second reading.
enum Restart {
    Verbose,
    Error(String),
}

impl Restart {
    fn into_message(self) -> String {
        match self {
            Restart::Error(message) => message,
            Restart::Verbose => "verbose flag turned on twice".to_owned(),
        }
    }
}

type Parsed<T> = Result<T, Restart>;

/// One token, as Python's tokenizer gives them: a unit, or a backslash and the unit after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Plain(u32),
    Escape(u32),
}

/// What the last item of a sequence was, which decides whether a repeat may follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Start of a sequence (or only comments and flags so far): "nothing to repeat".
    Nothing,
    /// `^`, `$`, `\A`, `\Z`, `\b`, `\B`: "nothing to repeat".
    Anchor,
    /// A repeat: another one is "multiple repeat".
    Repeat,
    /// Anything a repeat may follow.
    Item,
}

/// A class escape (`\d`, `\W`, ...) or a single unit, inside or outside a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ClassItem {
    Unit(u32),
    Category(u8),
}

/// Inline flags of a scope that matter to the translation itself.
#[derive(Debug, Clone, Copy)]
struct Scope {
    verbose: bool,
    /// `(?a)`: ASCII classes in a str pattern (a no-op in a bytes pattern).
    ascii: bool,
}

struct Parser<'p> {
    src: &'p [u32],
    pos: usize,
    flags: RegexFlags,
    verbose_from_start: bool,
    out: String,
    /// Where `\B` was written into `out`, for the empty-haystack variant.
    non_boundaries: Vec<usize>,
    /// Global inline flags, written at the front of the result.
    global: String,
    global_ascii: bool,
    /// The literal text of each top-level alternative so far; `None` once anything but literal
    /// text was read.
    literals: Option<Vec<Vec<u8>>>,
    /// `(?i)` at the start.
    global_ignore_case: bool,
    /// Capture groups opened so far (Python's `state.groups - 1`).
    groups: usize,
    names: HashMap<String, usize>,
}

const WHITESPACE: [u32; 6] = [0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c];

fn is_digit(unit: u32) -> bool {
    (u32::from(b'0')..=u32::from(b'9')).contains(&unit)
}

fn is_octal(unit: u32) -> bool {
    (u32::from(b'0')..=u32::from(b'7')).contains(&unit)
}

fn is_hex(unit: u32) -> bool {
    char::from_u32(unit).is_some_and(|c| c.is_ascii_hexdigit())
}

fn ascii(unit: u32) -> Option<u8> {
    u8::try_from(unit).ok().filter(u8::is_ascii)
}

fn is(unit: u32, c: u8) -> bool {
    unit == u32::from(c)
}

/// A unit as Python shows it in a message.
fn shown(unit: u32) -> String {
    char::from_u32(unit).map_or_else(|| format!("\\x{unit:02x}"), |c| c.to_string())
}

fn shown_token(token: Token) -> String {
    match token {
        Token::Plain(unit) => shown(unit),
        Token::Escape(unit) => format!("\\{}", shown(unit)),
    }
}

fn unsupported(what: &str, at: usize) -> Restart {
    Restart::Error(format!(
        "{what} at position {at} are not supported: mmt's regex engine runs in linear time and has \
         no backtracking"
    ))
}

impl<'p> Parser<'p> {
    fn new(src: &'p [u32], flags: RegexFlags, verbose: bool) -> Self {
        Self {
            src,
            pos: 0,
            flags,
            verbose_from_start: verbose,
            out: String::new(),
            non_boundaries: Vec::new(),
            global: String::new(),
            global_ascii: false,
            literals: Some(vec![Vec::new()]),
            global_ignore_case: false,
            groups: 0,
            names: HashMap::new(),
        }
    }

    fn error<T>(&self, message: impl std::fmt::Display, at: usize) -> Parsed<T> {
        Err(Restart::Error(format!("{message} at position {at}")))
    }

    fn peek(&self) -> Parsed<Option<Token>> {
        let Some(&unit) = self.src.get(self.pos) else {
            return Ok(None);
        };
        if !is(unit, b'\\') {
            return Ok(Some(Token::Plain(unit)));
        }
        match self.src.get(self.pos + 1) {
            Some(&next) => Ok(Some(Token::Escape(next))),
            None => self.error("bad escape (end of pattern)", self.pos),
        }
    }

    fn get(&mut self) -> Parsed<Option<Token>> {
        let token = self.peek()?;
        self.pos += match token {
            Some(Token::Plain(_)) => 1,
            Some(Token::Escape(_)) => 2,
            None => 0,
        };
        Ok(token)
    }

    /// Takes the next token when it is the plain unit `c`.
    fn take(&mut self, c: u8) -> Parsed<bool> {
        if self.peek()? == Some(Token::Plain(u32::from(c))) {
            self.pos += 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// Plain units while `accept` holds, at most `max`.
    fn take_while(&mut self, max: usize, accept: impl Fn(u32) -> bool) -> Parsed<Vec<u32>> {
        let mut taken = Vec::new();
        while taken.len() < max {
            match self.peek()? {
                Some(Token::Plain(unit)) if accept(unit) => {
                    taken.push(unit);
                    self.pos += 1;
                }
                _ => break,
            }
        }
        Ok(taken)
    }

    fn parse(&mut self) -> Parsed<()> {
        let scope = Scope {
            verbose: self.verbose_from_start,
            ascii: false,
        };
        self.parse_alternation(scope, 0)?;
        if self.peek()?.is_some() {
            return self.error("unbalanced parenthesis", self.pos);
        }
        Ok(())
    }

    fn finish(self) -> Translation {
        let pattern = format!("{}{}", self.global, self.out);
        let on_empty = (!self.non_boundaries.is_empty()).then(|| {
            // `\b\B` can never hold: in an empty haystack it fails as Python's `\B` does.
            let mut variant = self.out.clone();
            for &at in self.non_boundaries.iter().rev() {
                variant.replace_range(at..at + 2, r"\b\B");
            }
            format!("{}{variant}", self.global)
        });
        let ignore_case = self.flags.ignore_case || self.global_ignore_case;
        let literals = self
            .literals
            .filter(|alternatives| alternatives.iter().all(|a| !a.is_empty()))
            // Unicode case folding is more than a literal searcher does.
            .filter(|_| !(ignore_case && self.flags.unicode))
            .map(|alternatives| Literals {
                alternatives,
                ascii_case_insensitive: ignore_case,
            });
        Translation {
            pattern,
            on_empty,
            literals,
        }
    }

    /// Something other than literal text was read.
    fn not_literal(&mut self) {
        self.literals = None;
    }

    /// Alternatives separated by `|`, up to a `)` or the end.
    fn parse_alternation(&mut self, scope: Scope, nested: usize) -> Parsed<()> {
        let mut first = nested == 0;
        loop {
            self.parse_sequence(scope, nested, first)?;
            first = false;
            if !self.take(b'|')? {
                return Ok(());
            }
            if nested == 0
                && let Some(alternatives) = &mut self.literals
            {
                alternatives.push(Vec::new());
            }
            self.out.push('|');
        }
    }

    /// One alternative: items up to a `|`, a `)` or the end.
    fn parse_sequence(&mut self, scope: Scope, nested: usize, first: bool) -> Parsed<()> {
        let mut last = Last::Nothing;
        let mut emitted_any = false;
        loop {
            let Some(token) = self.peek()? else {
                return Ok(());
            };
            if token == Token::Plain(u32::from(b'|')) || token == Token::Plain(u32::from(b')')) {
                return Ok(());
            }
            let at = self.pos;
            self.get()?;
            if scope.verbose && self.skip_verbose(token)? {
                continue;
            }
            let unit = match token {
                Token::Escape(code) => {
                    last = self.escape(code, at, scope)?;
                    emitted_any = true;
                    continue;
                }
                Token::Plain(unit) => unit,
            };
            match ascii(unit) {
                Some(b'[') => {
                    self.class(at, scope)?;
                    self.not_literal();
                    last = Last::Item;
                }
                Some(b'*' | b'+' | b'?' | b'{') => {
                    last = self.repeat(unit, at, last)?;
                }
                Some(b'.') => {
                    self.out.push('.');
                    self.not_literal();
                    last = Last::Item;
                }
                Some(b'^') => {
                    self.out.push('^');
                    self.not_literal();
                    last = Last::Anchor;
                }
                Some(b'$') => {
                    self.out.push('$');
                    self.not_literal();
                    last = Last::Anchor;
                }
                Some(b'(') => {
                    let at_start = first && !emitted_any && last == Last::Nothing;
                    match self.group(at, scope, nested, at_start)? {
                        Some(kind) => {
                            self.not_literal();
                            last = kind;
                        }
                        // A comment or global flags: no item.
                        None => continue,
                    }
                }
                _ => {
                    self.literal(unit);
                    last = Last::Item;
                }
            }
            emitted_any = true;
        }
    }

    /// Verbose mode: whitespace and a `#` comment up to the end of the line are not part of
    /// the pattern. True when `token` was one of those.
    fn skip_verbose(&mut self, token: Token) -> Parsed<bool> {
        let Token::Plain(unit) = token else {
            return Ok(false);
        };
        if WHITESPACE.contains(&unit) {
            return Ok(true);
        }
        if !is(unit, b'#') {
            return Ok(false);
        }
        while let Some(token) = self.get()? {
            if token == Token::Plain(u32::from(b'\n')) {
                break;
            }
        }
        Ok(true)
    }

    /// A unit that stands for itself.
    fn literal(&mut self, unit: u32) {
        write_unit(&mut self.out, unit, self.flags.unicode);
        if let Some(current) = self.literals.as_mut().and_then(|a| a.last_mut()) {
            if self.flags.unicode {
                let c = char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER);
                current.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            } else {
                current.push(u8::try_from(unit).unwrap_or(0));
            }
        }
    }

    /// Whether `\w`, `\d`, `\s` and `\b` are ASCII-only in a str pattern, by `(?a)`.
    fn ascii_scope(&self, scope: Scope) -> bool {
        self.flags.unicode && (scope.ascii || self.global_ascii)
    }

    /// An escape outside a class (Python's `_escape`).
    fn escape(&mut self, code: u32, at: usize, scope: Scope) -> Parsed<Last> {
        let Some(letter) = ascii(code) else {
            self.literal(code);
            return Ok(Last::Item);
        };
        match letter {
            b'A' => self.out.push_str(r"\A"),
            b'Z' => self.out.push_str(r"\z"),
            b'b' => self.out.push_str(self.boundary(scope, false)),
            b'B' => {
                let spelling = self.boundary(scope, true);
                if spelling == r"\B" {
                    self.non_boundaries.push(self.out.len());
                }
                self.out.push_str(spelling);
            }
            _ => {
                let item = self.escaped_item(code, at, false)?;
                self.class_item(item, scope);
                return Ok(Last::Item);
            }
        }
        self.not_literal();
        Ok(Last::Anchor)
    }

    /// `\b` or `\B` in the current scope's word sense.
    fn boundary(&self, scope: Scope, negated: bool) -> &'static str {
        match (self.ascii_scope(scope), negated) {
            (true, false) => r"(?-u:\b)",
            (true, true) => r"(?-u:\B)",
            (false, false) => r"\b",
            (false, true) => r"\B",
        }
    }

    /// An escape that stands for a unit or a category, outside a class (`in_class` false) or
    /// inside one (Python's `_escape` and `_class_escape`).
    fn escaped_item(&mut self, code: u32, at: usize, in_class: bool) -> Parsed<ClassItem> {
        let Some(letter) = ascii(code) else {
            return Ok(ClassItem::Unit(code));
        };
        let unit = |c: u8| Ok(ClassItem::Unit(u32::from(c)));
        match letter {
            b'd' | b'D' | b's' | b'S' | b'w' | b'W' => Ok(ClassItem::Category(letter)),
            b'a' => unit(0x07),
            b'b' => unit(0x08), // in a class only: outside, `\b` is a boundary
            b'f' => unit(0x0c),
            b'n' => unit(b'\n'),
            b'r' => unit(b'\r'),
            b't' => unit(b'\t'),
            b'v' => unit(0x0b),
            b'x' => {
                let digits = self.take_while(2, is_hex)?;
                if digits.len() != 2 {
                    let text: String = digits.iter().map(|&d| shown(d)).collect();
                    return self.error(format!("incomplete escape \\x{text}"), at);
                }
                Ok(ClassItem::Unit(hex_value(&digits)))
            }
            b'u' | b'U' if self.flags.unicode => {
                let want = if letter == b'u' { 4 } else { 8 };
                let digits = self.take_while(want, is_hex)?;
                let value = hex_value(&digits);
                if digits.len() != want || char::from_u32(value).is_none() {
                    let text: String = digits.iter().map(|&d| shown(d)).collect();
                    let kind = if digits.len() == want {
                        "bad escape"
                    } else {
                        "incomplete escape"
                    };
                    return self.error(format!("{kind} \\{}{text}", shown(code)), at);
                }
                Ok(ClassItem::Unit(value))
            }
            b'N' if self.flags.unicode => Err(unsupported("named characters (\\N{...})", at)),
            b'0' if !in_class => {
                let digits = self.take_while(2, is_octal)?;
                Ok(ClassItem::Unit(octal_value(&digits)))
            }
            b'0'..=b'7' if in_class => {
                let mut digits = vec![code];
                digits.extend(self.take_while(2, is_octal)?);
                self.octal(&digits, at)
            }
            b'1'..=b'9' if !in_class => self.digits_escape(code, at),
            b'8' | b'9' => self.error(format!("bad escape \\{}", shown(code)), at),
            b'z' => Err(Restart::Error(format!(
                "bad escape \\z at position {at} (the end of the input is \\Z in Python's re)"
            ))),
            _ if letter.is_ascii_alphanumeric() => {
                self.error(format!("bad escape \\{}", shown(code)), at)
            }
            _ => Ok(ClassItem::Unit(code)),
        }
    }

    /// `\1`..`\99` outside a class: an octal escape when three octal digits follow the
    /// backslash, otherwise a backreference, which the engine cannot do.
    fn digits_escape(&mut self, code: u32, at: usize) -> Parsed<ClassItem> {
        let mut digits = vec![code];
        if let Some(Token::Plain(second)) = self.peek()?
            && is_digit(second)
        {
            self.pos += 1;
            digits.push(second);
            if let Some(Token::Plain(third)) = self.peek()?
                && is_octal(code)
                && is_octal(second)
                && is_octal(third)
            {
                self.pos += 1;
                digits.push(third);
                return self.octal(&digits, at);
            }
        }
        let group: usize = digits
            .iter()
            .map(|&d| shown(d))
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        if group <= self.groups {
            return Err(unsupported(&format!("backreferences (\\{group})"), at));
        }
        self.error(format!("invalid group reference {group}"), at + 1)
    }

    fn octal(&self, digits: &[u32], at: usize) -> Parsed<ClassItem> {
        let value = octal_value(digits);
        if value > 0o377 {
            let text: String = digits.iter().map(|&d| shown(d)).collect();
            return self.error(
                format!("octal escape value \\{text} outside of range 0-0o377"),
                at,
            );
        }
        Ok(ClassItem::Unit(value))
    }

    /// Writes a unit or a category outside a class.
    fn class_item(&mut self, item: ClassItem, scope: Scope) {
        match item {
            ClassItem::Unit(unit) => self.literal(unit),
            ClassItem::Category(letter) => {
                self.not_literal();
                match ascii_category(letter).filter(|_| self.ascii_scope(scope)) {
                    Some(class) => {
                        let _ = write!(self.out, "[{class}]");
                    }
                    None => write_category(&mut self.out, letter),
                }
            }
        }
    }

    /// A character class, from just after its `[` (Python's set parsing).
    fn class(&mut self, open: usize, scope: Scope) -> Parsed<()> {
        let negated = self.take(b'^')?;
        let mut body = String::new();
        let mut items = 0;
        let ascii_scope = self.ascii_scope(scope);
        loop {
            let Some(token) = self.get()? else {
                return self.error("unterminated character set", open);
            };
            if token == Token::Plain(u32::from(b']')) && items > 0 {
                break;
            }
            let at = self.pos
                - if matches!(token, Token::Escape(_)) {
                    2
                } else {
                    1
                };
            let first = self.class_token(token, at)?;
            items += 1;
            if !self.take(b'-')? {
                write_class_item(&mut body, first, self.flags.unicode, ascii_scope);
                continue;
            }
            let Some(second_token) = self.get()? else {
                return self.error("unterminated character set", open);
            };
            if second_token == Token::Plain(u32::from(b']')) {
                write_class_item(&mut body, first, self.flags.unicode, ascii_scope);
                write_unit(&mut body, u32::from(b'-'), self.flags.unicode);
                break;
            }
            let second = self.class_token(second_token, self.pos)?;
            let bad_range = || {
                format!(
                    "bad character range {}-{}",
                    shown_token(token),
                    shown_token(second_token)
                )
            };
            let (ClassItem::Unit(lo), ClassItem::Unit(hi)) = (first, second) else {
                return self.error(bad_range(), at);
            };
            if hi < lo {
                return self.error(bad_range(), at);
            }
            write_unit(&mut body, lo, self.flags.unicode);
            body.push('-');
            write_unit(&mut body, hi, self.flags.unicode);
        }
        self.out.push('[');
        if negated {
            self.out.push('^');
        }
        self.out.push_str(&body);
        self.out.push(']');
        Ok(())
    }

    fn class_token(&mut self, token: Token, at: usize) -> Parsed<ClassItem> {
        match token {
            Token::Plain(unit) => Ok(ClassItem::Unit(unit)),
            Token::Escape(code) => {
                if matches!(ascii(code), Some(b'A' | b'B' | b'Z')) {
                    return self.error(format!("bad escape \\{}", shown(code)), at);
                }
                self.escaped_item(code, at, true)
            }
        }
    }

    /// `*`, `+`, `?` or `{m,n}` after the last item, with a lazy `?` or a possessive `+`.
    fn repeat(&mut self, unit: u32, at: usize, last: Last) -> Parsed<Last> {
        let bounds = if is(unit, b'{') {
            match self.braces(at)? {
                Some(bounds) => Some(bounds),
                None => {
                    // Not `{m,n}`: Python takes the brace as a literal.
                    self.literal(unit);
                    return Ok(Last::Item);
                }
            }
        } else {
            None
        };
        match last {
            Last::Nothing | Last::Anchor => return self.error("nothing to repeat", at),
            Last::Repeat => return self.error("multiple repeat", at),
            Last::Item => {}
        }
        self.not_literal();
        match bounds {
            Some((min, Some(max))) if min == max => write!(self.out, "{{{min}}}"),
            Some((min, Some(max))) => write!(self.out, "{{{min},{max}}}"),
            Some((min, None)) => write!(self.out, "{{{min},}}"),
            None => write!(self.out, "{}", shown(unit)),
        }
        .map_err(|_| Restart::Error("out of memory".to_owned()))?;
        if self.take(b'?')? {
            self.out.push('?');
        } else if self.take(b'+')? {
            return Err(unsupported(
                "possessive quantifiers (*+, ++, ?+, {m,n}+)",
                at,
            ));
        }
        Ok(Last::Repeat)
    }

    /// The inside of `{m,n}`, `{m}`, `{m,}` or `{,n}` after its `{`; `None` (and nothing taken)
    /// when the brace does not open a repeat.
    fn braces(&mut self, at: usize) -> Parsed<Option<(u64, Option<u64>)>> {
        let here = self.pos;
        if self.peek()? == Some(Token::Plain(u32::from(b'}'))) {
            return Ok(None); // `{}` is literal text
        }
        let low = self.take_while(usize::MAX, is_digit)?;
        let high = if self.take(b',')? {
            Some(self.take_while(usize::MAX, is_digit)?)
        } else {
            None
        };
        if !self.take(b'}')? {
            self.pos = here;
            return Ok(None);
        }
        let number = |digits: &[u32]| -> Parsed<Option<u64>> {
            if digits.is_empty() {
                return Ok(None);
            }
            let text: String = digits.iter().map(|&d| shown(d)).collect();
            match text.parse::<u64>() {
                Ok(n) if n < MAX_REPEAT => Ok(Some(n)),
                _ => Err(Restart::Error(format!(
                    "the repetition number is too large at position {at}"
                ))),
            }
        };
        let min = number(&low)?.unwrap_or(0);
        let max = match &high {
            None => Some(min),
            Some(high) => number(high)?,
        };
        if max.is_some_and(|max| max < min) {
            return self.error("min repeat greater than max repeat", at);
        }
        Ok(Some((min, max)))
    }

    /// A group from just after its `(`. `None` for global flags, which add no item.
    fn group(
        &mut self,
        open: usize,
        scope: Scope,
        nested: usize,
        at_start: bool,
    ) -> Parsed<Option<Last>> {
        let mut inner = scope;
        let mut opening = String::from("(");
        if self.take(b'?')? {
            let Some(token) = self.get()? else {
                return self.error("unexpected end of pattern", self.pos);
            };
            let Token::Plain(kind) = token else {
                return self.error(
                    format!("unknown extension ?{}", shown_token(token)),
                    open + 1,
                );
            };
            match ascii(kind) {
                Some(b'P') => {
                    if self.take(b'<')? {
                        let name = self.group_name(b'>')?;
                        opening = format!("(?P<{name}>");
                        self.open_group(Some(name), open)?;
                    } else if self.take(b'=')? {
                        let name = self.group_name(b')')?;
                        if !self.names.contains_key(&name) {
                            return self.error(format!("unknown group name '{name}'"), open + 4);
                        }
                        return Err(unsupported(&format!("backreferences ((?P={name}))"), open));
                    } else {
                        return match self.get()? {
                            Some(t) => self
                                .error(format!("unknown extension ?P{}", shown_token(t)), open + 1),
                            None => self.error("unexpected end of pattern", self.pos),
                        };
                    }
                }
                Some(b':') => opening = String::from("(?:"),
                Some(b'#') => {
                    loop {
                        match self.get()? {
                            None => return self.error("missing ), unterminated comment", open),
                            Some(Token::Plain(u)) if is(u, b')') => break,
                            Some(_) => {}
                        }
                    }
                    // A comment adds no item: a repeat after it repeats what came before.
                    return Ok(None);
                }
                Some(b'=' | b'!') => return Err(unsupported("look-ahead assertions", open)),
                Some(b'<') => {
                    return match self.get()? {
                        Some(Token::Plain(u)) if is(u, b'=') || is(u, b'!') => {
                            Err(unsupported("look-behind assertions", open))
                        }
                        Some(t) => {
                            self.error(format!("unknown extension ?<{}", shown_token(t)), open + 1)
                        }
                        None => self.error("unexpected end of pattern", self.pos),
                    };
                }
                Some(b'(') => return Err(unsupported("conditional groups ((?(1)yes|no))", open)),
                Some(b'>') => return Err(unsupported("atomic groups ((?>...))", open)),
                Some(b'a' | b'i' | b'L' | b'm' | b's' | b'x' | b'u' | b'-') => {
                    match self.inline_flags(kind, open)? {
                        InlineFlags::Global(flags) => {
                            if !at_start {
                                return self.error(
                                    "global flags not at the start of the expression",
                                    open,
                                );
                            }
                            return self.apply_global(flags, scope).map(|()| None);
                        }
                        InlineFlags::Scoped { on, off } => {
                            opening = self.scoped_opening(on, off, &mut inner);
                        }
                    }
                }
                _ => {
                    return self.error(format!("unknown extension ?{}", shown(kind)), open + 1);
                }
            }
        } else {
            self.open_group(None, open)?;
        }
        self.out.push_str(&opening);
        self.parse_alternation(inner, nested + 1)?;
        if !self.take(b')')? {
            return self.error("missing ), unterminated subpattern", open);
        }
        self.out.push(')');
        Ok(Some(Last::Item))
    }

    fn open_group(&mut self, name: Option<String>, open: usize) -> Parsed<()> {
        self.groups += 1;
        if let Some(name) = name
            && let Some(earlier) = self.names.insert(name.clone(), self.groups)
        {
            return self.error(
                format!(
                    "redefinition of group name '{name}' as group {}; was group {earlier}",
                    self.groups
                ),
                open,
            );
        }
        Ok(())
    }

    /// A group name up to `end`; Python wants an identifier, and a bytes pattern an ASCII one.
    fn group_name(&mut self, end: u8) -> Parsed<String> {
        let start = self.pos;
        let mut name = String::new();
        loop {
            match self.src.get(self.pos) {
                None => {
                    return self.error(
                        format!("missing {}, unterminated name", char::from(end)),
                        start,
                    );
                }
                Some(&unit) if is(unit, end) => {
                    self.pos += 1;
                    break;
                }
                Some(&unit) => {
                    name.push_str(&shown(unit));
                    self.pos += 1;
                }
            }
        }
        if name.is_empty() {
            return self.error("missing group name", start);
        }
        let mut chars = name.chars();
        let identifier = chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !identifier {
            return self.error(format!("bad character in group name '{name}'"), start);
        }
        Ok(name)
    }

    /// The flags of `(?flags)` or `(?on-off:`, from its first flag letter (Python's
    /// `_parse_flags`).
    fn inline_flags(&mut self, first: u32, open: usize) -> Parsed<InlineFlags> {
        let mut on = String::new();
        let mut off = String::new();
        let mut unit = first;
        if !is(unit, b'-') {
            loop {
                self.check_flag(unit, open)?;
                on.push(char::from(ascii(unit).unwrap_or(b'?')));
                if on.contains('a') && on.contains('L') {
                    return self.error(
                        "bad inline flags: flags 'a', 'u' and 'L' are incompatible",
                        open,
                    );
                }
                unit = match self.get()? {
                    Some(Token::Plain(u)) => u,
                    _ => return self.error("missing -, : or )", self.pos),
                };
                if is(unit, b')') || is(unit, b'-') || is(unit, b':') {
                    break;
                }
                if !is_flag(unit) {
                    let message = if char::from_u32(unit).is_some_and(char::is_alphabetic) {
                        "unknown flag"
                    } else {
                        "missing -, : or )"
                    };
                    return self.error(message, self.pos - 1);
                }
            }
        }
        if is(unit, b')') {
            return Ok(InlineFlags::Global(on));
        }
        if is(unit, b'-') {
            loop {
                unit = match self.get()? {
                    Some(Token::Plain(u)) => u,
                    _ => {
                        return self.error(
                            if off.is_empty() {
                                "missing flag"
                            } else {
                                "missing :"
                            },
                            self.pos,
                        );
                    }
                };
                if is(unit, b':') && !off.is_empty() {
                    break;
                }
                if !is_flag(unit) {
                    let message = if char::from_u32(unit).is_some_and(char::is_alphabetic) {
                        "unknown flag"
                    } else if off.is_empty() {
                        "missing flag"
                    } else {
                        "missing :"
                    };
                    return self.error(message, self.pos - 1);
                }
                if matches!(ascii(unit), Some(b'a' | b'u' | b'L')) {
                    return self.error(
                        "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                        self.pos - 1,
                    );
                }
                off.push(char::from(ascii(unit).unwrap_or(b'?')));
            }
        }
        if on.chars().any(|c| off.contains(c)) {
            return self.error("bad inline flags: flag turned on and off", self.pos - 1);
        }
        Ok(InlineFlags::Scoped { on, off })
    }

    /// Refuses the flags a pattern of this kind cannot carry.
    fn check_flag(&self, unit: u32, open: usize) -> Parsed<()> {
        match ascii(unit) {
            Some(b'u') if !self.flags.unicode => self.error(
                "bad inline flags: cannot use 'u' flag with a bytes pattern (give --unicode for a \
                 str pattern)",
                open,
            ),
            Some(b'L') if self.flags.unicode => self.error(
                "bad inline flags: cannot use 'L' flag with a str pattern",
                open,
            ),
            Some(b'L') => Err(Restart::Error(format!(
                "the locale flag (?L) at position {open} is not supported: matching would depend \
                 on the locale; a bytes pattern is ASCII without it"
            ))),
            _ => Ok(()),
        }
    }

    fn apply_global(&mut self, flags: String, scope: Scope) -> Parsed<()> {
        for flag in flags.chars() {
            match flag {
                'i' | 'm' | 's' if !self.global.contains(flag) => {
                    self.global = format!("(?{flag}){}", self.global);
                    self.global_ignore_case |= flag == 'i';
                }
                'x' if !scope.verbose => return Err(Restart::Verbose),
                'a' => self.global_ascii = true,
                _ => {} // 'x' already on, 'u' in a str pattern: nothing changes
            }
        }
        Ok(())
    }

    /// The opening of a scoped-flags group in the regex crate's syntax; verbose and ASCII are
    /// resolved here and change `inner`.
    fn scoped_opening(&self, on: String, off: String, inner: &mut Scope) -> String {
        let keep =
            |flags: &str| -> String { flags.chars().filter(|c| "ims".contains(*c)).collect() };
        if on.contains('x') {
            inner.verbose = true;
        }
        if off.contains('x') {
            inner.verbose = false;
        }
        if on.contains('a') {
            inner.ascii = true;
        }
        let (on, off) = (keep(&on), keep(&off));
        match (on.is_empty(), off.is_empty()) {
            (true, true) => "(?:".to_owned(),
            (false, true) => format!("(?{on}:"),
            _ => format!("(?{on}-{off}:"),
        }
    }
}

enum InlineFlags {
    /// `(?flags)`: for the whole pattern.
    Global(String),
    /// `(?on-off:...)`.
    Scoped { on: String, off: String },
}

fn is_flag(unit: u32) -> bool {
    matches!(
        ascii(unit),
        Some(b'a' | b'i' | b'L' | b'm' | b's' | b'x' | b'u')
    )
}

fn hex_value(digits: &[u32]) -> u32 {
    digits.iter().fold(0, |acc, &d| {
        acc * 16 + char::from_u32(d).and_then(|c| c.to_digit(16)).unwrap_or(0)
    })
}

fn octal_value(digits: &[u32]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 8 + (d - u32::from(b'0')))
}

/// A unit in a spelling the regex crate reads as exactly that unit, in or out of a class:
/// ASCII letters and digits as themselves, anything else as a hex escape (a byte in a bytes
/// pattern, a code point in a str pattern), so no unit can start Rust-only syntax such as a
/// nested class or a class operator (`[[`, `&&`, `--`, `~~`).
fn write_unit(out: &mut String, unit: u32, unicode: bool) {
    match ascii(unit) {
        Some(c) if c.is_ascii_alphanumeric() => out.push(char::from(c)),
        _ if unicode => {
            let _ = write!(out, "\\x{{{unit:x}}}");
        }
        _ => {
            let _ = write!(out, "\\x{unit:02x}");
        }
    }
}

/// The ASCII spelling of a category, for `(?a)` in a str pattern.
fn ascii_category(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'd' => "0-9",
        b'D' => "^0-9",
        b's' => r" \t\n\r\x0b\x0c",
        b'S' => r"^ \t\n\r\x0b\x0c",
        b'w' => "0-9A-Za-z_",
        b'W' => "^0-9A-Za-z_",
        _ => return None,
    })
}

fn write_category(out: &mut String, letter: u8) {
    let _ = write!(out, "\\{}", char::from(letter));
}

fn write_class_item(out: &mut String, item: ClassItem, unicode: bool, ascii_scope: bool) {
    match item {
        ClassItem::Unit(unit) => write_unit(out, unit, unicode),
        // Negated ASCII categories cannot be nested inside a class in a str pattern; the
        // regex crate's own `\D` etc. are close enough there, and exact in a bytes pattern.
        ClassItem::Category(letter) => match ascii_category(letter) {
            Some(class) if ascii_scope && !class.starts_with('^') => out.push_str(class),
            _ => write_category(out, letter),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_mode(pattern: &str) -> Result<String, String> {
        translate(pattern.as_bytes(), &RegexFlags::default()).map(|t| t.pattern)
    }

    fn str_mode(pattern: &str) -> Result<String, String> {
        let flags = RegexFlags {
            unicode: true,
            ..RegexFlags::default()
        };
        translate(pattern.as_bytes(), &flags).map(|t| t.pattern)
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
            bytes_mode("a{,3}b{2}c{1,}d{,}?").unwrap(),
            "a{0,3}b{2}c{1,}d{0,}?"
        );
        assert_eq!(bytes_mode("(?a)(?a:a)").unwrap(), "(?:a)");
        assert_eq!(bytes_mode("(?i)(?s)a").unwrap(), "(?s)(?i)a");
        assert_eq!(bytes_mode("(?i-s:a)(?-m:b)").unwrap(), "(?i-s:a)(?-m:b)");
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
        let t = |p: &str| translate(p.as_bytes(), &verbose).map(|t| t.pattern);
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
        let t = translate(br"a|\B(\B)", &RegexFlags::default()).unwrap();
        assert_eq!(t.pattern, r"a|\B(\B)");
        assert_eq!(t.on_empty.as_deref(), Some(r"a|\b\B(\b\B)"));
        assert_eq!(
            translate(br"\b", &RegexFlags::default()).unwrap().on_empty,
            None
        );
    }

    #[test]
    fn str_patterns_have_unicode_escapes_and_ascii_scopes() {
        assert_eq!(str_mode(r"\u00e9\U0001F600").unwrap(), r"\x{e9}\x{1f600}");
        assert_eq!(str_mode(r"(?a)\w\b").unwrap(), r"[0-9A-Za-z_](?-u:\b)");
        assert_eq!(str_mode(r"(?a:\d)\d").unwrap(), r"(?:[0-9])\d");
        assert_eq!(str_mode(r"(?u)a").unwrap(), "a");
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
            ("(?i-i:a)", "bad inline flags: flag turned on and off"),
            (
                "(?-a:a)",
                "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
            ),
            (
                "(?u)a",
                "bad inline flags: cannot use 'u' flag with a bytes pattern",
            ),
            ("(?aL)a", "the locale flag (?L)"),
            ("(?L)a", "the locale flag (?L)"),
            ("(?iq)a", "unknown flag at position 3"),
            ("(?i", "missing -, : or )"),
            ("(?-)", "missing flag"),
            ("(?-i)", "missing :"),
            ("(?>a)", "atomic groups"),
            ("(?(1)a)", "conditional groups"),
            ("(?=a)", "look-ahead assertions"),
            ("(?!a)", "look-ahead assertions"),
            ("(?<=a)", "look-behind assertions"),
            ("(?<!a)", "look-behind assertions"),
            ("(a)\\1", r"backreferences (\1) at position 3"),
            ("(?P<a>x)(?P=a)", "backreferences ((?P=a))"),
            ("(?P=a)", "unknown group name 'a'"),
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
    fn a_global_verbose_flag_rereads_what_came_before() {
        assert_eq!(
            bytes_mode(" (?x) a").unwrap_err(),
            "global flags not at the start of the expression at position 1"
        );
        let verbose = RegexFlags {
            verbose: true,
            ..RegexFlags::default()
        };
        assert_eq!(translate(b" (?x) a", &verbose).unwrap().pattern, "a");
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
                if let Ok(t) = translate(input, &flags) {
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
