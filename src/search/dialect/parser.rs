//! The parser: Python's `sre_parse`, item by item, writing each item in the regex crate's
//! syntax as it goes (see the module above).

use std::collections::HashMap;
use std::fmt::Write as _;

use super::emit::{ClassItem, ascii, ascii_category, write_category, write_class_item, write_unit};
use super::{Engine, Literals, MAX_REPEAT, Refusal, RegexFlags, Translation};

/// Why parsing stopped: a real error, a construct the engine written for cannot run, or a
/// global `(?x)` that asks for a second reading.
pub(super) enum Restart {
    Verbose,
    Error(String),
    /// What needs backtracking, and where (`look-ahead assertions`, 3).
    NeedsBacktracking(String, usize),
}

impl Restart {
    pub(super) fn into_refusal(self) -> Refusal {
        match self {
            Restart::Error(message) => Refusal::Invalid(message),
            Restart::Verbose => Refusal::Invalid("verbose flag turned on twice".to_owned()),
            Restart::NeedsBacktracking(what, at) => Refusal::NeedsBacktracking { what, at },
        }
    }
}

/// How wide the matches of a part of a pattern can be, in units (Python's `getwidth`): a
/// look-behind must be of one width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Width {
    lo: u64,
    hi: u64,
}

impl Width {
    const ZERO: Width = Width { lo: 0, hi: 0 };
    const ONE: Width = Width { lo: 1, hi: 1 };

    /// This, then `next`.
    fn then(self, next: Width) -> Width {
        Width {
            lo: self.lo.saturating_add(next.lo),
            hi: self.hi.saturating_add(next.hi),
        }
    }

    /// This, or `other`.
    fn or(self, other: Width) -> Width {
        Width {
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }

    /// Repeated `min` to `max` times (`None`: without bound).
    fn repeated(self, min: u64, max: Option<u64>) -> Width {
        Width {
            lo: self.lo.saturating_mul(min),
            hi: match max {
                None if self.hi > 0 => u64::MAX,
                None => 0,
                Some(max) => self.hi.saturating_mul(max),
            },
        }
    }
}

/// The most repeats the backtracking engine takes in `{m,n}` (PCRE2's limit).
const BACKTRACK_MAX_REPEAT: u64 = 65_535;

/// Python's limit on the number of groups (`_sre.MAXGROUPS` on a 64-bit build).
const MAX_GROUPS: usize = 1_073_741_823;

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

/// Inline flags of a scope that matter to the translation itself.
#[derive(Debug, Clone, Copy)]
struct Scope {
    verbose: bool,
    /// `(?a)`: ASCII classes in a str pattern (a no-op in a bytes pattern).
    ascii: bool,
}

pub(super) struct Parser<'p> {
    src: &'p [u32],
    pos: usize,
    flags: RegexFlags,
    engine: Engine,
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
    /// Each group's width once it is closed (`group_widths[0]` is group 1).
    group_widths: Vec<Option<Width>>,
    /// Inside a look-behind: the groups there were when it opened (Python's
    /// `lookbehindgroups`, less one).
    lookbehind_groups: Option<usize>,
    /// Groups named by a conditional, and where: each must exist by the end.
    condition_refs: Vec<(usize, usize)>,
    /// What Python's compiler refuses once the pattern is read: a look-behind of no one width.
    compile_error: Option<String>,
    /// Whether `^` or `$` was read (outside a class).
    line_anchors: bool,
    /// Python's FutureWarnings about the pattern, as it words them.
    warnings: Vec<String>,
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

fn needs_backtracking(what: &str, at: usize) -> Restart {
    Restart::NeedsBacktracking(what.to_owned(), at)
}

impl<'p> Parser<'p> {
    pub(super) fn new(src: &'p [u32], flags: RegexFlags, verbose: bool, engine: Engine) -> Self {
        Self {
            src,
            pos: 0,
            flags,
            engine,
            verbose_from_start: verbose,
            out: String::new(),
            non_boundaries: Vec::new(),
            global: String::new(),
            global_ascii: false,
            literals: Some(vec![Vec::new()]),
            global_ignore_case: false,
            groups: 0,
            names: HashMap::new(),
            group_widths: Vec::new(),
            lookbehind_groups: None,
            condition_refs: Vec::new(),
            compile_error: None,
            line_anchors: false,
            warnings: Vec::new(),
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

    pub(super) fn parse(&mut self) -> Parsed<()> {
        let scope = Scope {
            verbose: self.verbose_from_start,
            ascii: false,
        };
        self.parse_alternation(scope, 0)?;
        if self.peek()?.is_some() {
            return self.error("unbalanced parenthesis", self.pos);
        }
        if let Some(&(group, at)) = self.condition_refs.iter().find(|(g, _)| *g > self.groups) {
            return self.error(format!("invalid group reference {group}"), at);
        }
        match self.compile_error.take() {
            Some(message) => Err(Restart::Error(message)),
            None => Ok(()),
        }
    }

    /// Whether the pattern is written for the backtracking engine, which has what the linear
    /// one lacks.
    fn backtracks(&self) -> bool {
        self.engine == Engine::Backtrack
    }

    /// Refuses `what` for the linear engine, which cannot run it.
    fn backtracking(&self, what: &str, at: usize) -> Parsed<()> {
        if self.backtracks() {
            Ok(())
        } else {
            Err(needs_backtracking(what, at))
        }
    }

    pub(super) fn finish(self) -> Translation {
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
            warnings: self.warnings,
            line_anchors: self.line_anchors,
        }
    }

    /// Something other than literal text was read.
    fn not_literal(&mut self) {
        self.literals = None;
    }

    /// Alternatives separated by `|`, up to a `)` or the end; their width.
    fn parse_alternation(&mut self, scope: Scope, nested: usize) -> Parsed<Width> {
        let mut first = nested == 0;
        let mut width: Option<Width> = None;
        loop {
            let this = self.parse_sequence(scope, nested, first)?;
            width = Some(width.map_or(this, |w| w.or(this)));
            first = false;
            if !self.take(b'|')? {
                return Ok(width.unwrap_or(Width::ZERO));
            }
            if nested == 0
                && let Some(alternatives) = &mut self.literals
            {
                alternatives.push(Vec::new());
            }
            self.out.push('|');
        }
    }

    /// One alternative: items up to a `|`, a `)` or the end; its width.
    fn parse_sequence(&mut self, scope: Scope, nested: usize, first: bool) -> Parsed<Width> {
        let mut last = Last::Nothing;
        let mut emitted_any = false;
        // The width of the items before the last one, and of the last one (which a repeat
        // repeats).
        let (mut before_last, mut last_width) = (Width::ZERO, Width::ZERO);
        loop {
            let Some(token) = self.peek()? else {
                return Ok(before_last.then(last_width));
            };
            if token == Token::Plain(u32::from(b'|')) || token == Token::Plain(u32::from(b')')) {
                return Ok(before_last.then(last_width));
            }
            let at = self.pos;
            self.get()?;
            if scope.verbose && self.skip_verbose(token)? {
                continue;
            }
            let mut item = |width: Width| {
                before_last = before_last.then(last_width);
                last_width = width;
            };
            let unit = match token {
                Token::Escape(code) => {
                    let (kind, width) = self.escape(code, at, scope)?;
                    last = kind;
                    item(width);
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
                    item(Width::ONE);
                }
                Some(b'*' | b'+' | b'?' | b'{') => match self.repeat(unit, at, last)? {
                    Repeated::Literal => {
                        last = Last::Item;
                        item(Width::ONE);
                    }
                    Repeated::Times(min, max) => {
                        last = Last::Repeat;
                        last_width = last_width.repeated(min, max);
                    }
                },
                Some(b'.') => {
                    self.out.push('.');
                    self.not_literal();
                    last = Last::Item;
                    item(Width::ONE);
                }
                Some(b'^') => {
                    self.line_anchors = true;
                    self.out.push('^');
                    self.not_literal();
                    last = Last::Anchor;
                    item(Width::ZERO);
                }
                Some(b'$') => {
                    self.line_anchors = true;
                    self.out.push('$');
                    self.not_literal();
                    last = Last::Anchor;
                    item(Width::ZERO);
                }
                Some(b'(') => {
                    let at_start = first && !emitted_any && last == Last::Nothing;
                    match self.group(at, scope, nested, at_start)? {
                        Some((kind, width)) => {
                            self.not_literal();
                            last = kind;
                            item(width);
                        }
                        // A comment or global flags: no item.
                        None => continue,
                    }
                }
                _ => {
                    self.literal(unit);
                    last = Last::Item;
                    item(Width::ONE);
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

    /// An escape outside a class (Python's `_escape`), and its width.
    fn escape(&mut self, code: u32, at: usize, scope: Scope) -> Parsed<(Last, Width)> {
        let Some(letter) = ascii(code) else {
            self.literal(code);
            return Ok((Last::Item, Width::ONE));
        };
        match letter {
            b'1'..=b'9' => {
                return match self.digits_escape(code, at)? {
                    Digits::Octal(unit) => {
                        self.literal(unit);
                        Ok((Last::Item, Width::ONE))
                    }
                    Digits::Group(group) => {
                        let spelled = format!("\\{group}");
                        let width = self.backreference(group, &spelled, at)?;
                        Ok((Last::Item, width))
                    }
                };
            }
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
                return Ok((Last::Item, Width::ONE));
            }
        }
        self.not_literal();
        Ok((Last::Anchor, Width::ZERO))
    }

    /// A reference to group `group` (`\1`, `(?P=name)`, spelled so in messages): the
    /// backtracking engine's `\g{N}`, with Python's checks. Its width is the group's.
    fn backreference(&mut self, group: usize, spelled: &str, at: usize) -> Parsed<Width> {
        let Some(width) = self.group_widths.get(group - 1).copied().flatten() else {
            return self.error("cannot refer to an open group", at);
        };
        self.check_lookbehind_group(group)?;
        self.backtracking(&format!("backreferences ({spelled})"), at)?;
        self.not_literal();
        let _ = write!(self.out, "\\g{{{group}}}");
        Ok(width)
    }

    /// Python's `checklookbehindgroup`: inside a look-behind, a group named must be closed and
    /// defined before the look-behind.
    fn check_lookbehind_group(&self, group: usize) -> Parsed<()> {
        let Some(before) = self.lookbehind_groups else {
            return Ok(());
        };
        if self
            .group_widths
            .get(group - 1)
            .copied()
            .flatten()
            .is_none()
        {
            return self.error("cannot refer to an open group", self.pos);
        }
        if group > before {
            return self.error(
                "cannot refer to group defined in the same lookbehind subpattern",
                self.pos,
            );
        }
        Ok(())
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
            b'N' if self.flags.unicode => Err(Restart::Error(format!(
                "named characters (\\N{{...}}) at position {at} are not supported: write the \
                 character, or \\u with its code"
            ))),
            // `\0` and at most two more octal digits, in a class or not: at most 0o077.
            b'0' => {
                let digits = self.take_while(2, is_octal)?;
                Ok(ClassItem::Unit(octal_value(&digits)))
            }
            b'1'..=b'7' if in_class => {
                let mut digits = vec![code];
                digits.extend(self.take_while(2, is_octal)?);
                self.octal(&digits, at).map(ClassItem::Unit)
            }
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
    /// backslash, otherwise a reference to a group.
    fn digits_escape(&mut self, code: u32, at: usize) -> Parsed<Digits> {
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
                return self.octal(&digits, at).map(Digits::Octal);
            }
        }
        let group: usize = digits
            .iter()
            .map(|&d| shown(d))
            .collect::<String>()
            .parse()
            .unwrap_or(0);
        if group >= 1 && group <= self.groups {
            return Ok(Digits::Group(group));
        }
        self.error(format!("invalid group reference {group}"), at + 1)
    }

    fn octal(&self, digits: &[u32], at: usize) -> Parsed<u32> {
        let value = octal_value(digits);
        if value > 0o377 {
            let text: String = digits.iter().map(|&d| shown(d)).collect();
            return self.error(
                format!("octal escape value \\{text} outside of range 0-0o377"),
                at,
            );
        }
        Ok(value)
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
        // Python warns of a set that opens with `[`, which a later Python may read as a nested
        // set (`[[:digit:]]` is read today as the set `[:digt` followed by `]`).
        if self.peek()? == Some(Token::Plain(u32::from(b'['))) {
            self.warnings
                .push(format!("Possible nested set at position {}", self.pos));
        }
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
    fn repeat(&mut self, unit: u32, at: usize, last: Last) -> Parsed<Repeated> {
        let bounds = if is(unit, b'{') {
            match self.braces(at)? {
                Some(bounds) => Some(bounds),
                None => {
                    // Not `{m,n}`: Python takes the brace as a literal.
                    self.literal(unit);
                    return Ok(Repeated::Literal);
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
        let (min, max) = match bounds {
            Some(bounds) => bounds,
            None if is(unit, b'*') => (0, None),
            None if is(unit, b'+') => (1, None),
            None => (0, Some(1)),
        };
        if self.backtracks() && bounds.is_some() {
            let most = max.unwrap_or(min).max(min);
            if most > BACKTRACK_MAX_REPEAT {
                return Err(Restart::Error(format!(
                    "the repetition number {most} at position {at} is too large for the \
                     backtracking engine (at most {BACKTRACK_MAX_REPEAT})"
                )));
            }
        }
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
            self.backtracking("possessive quantifiers (*+, ++, ?+, {m,n}+)", at)?;
            self.out.push('+');
        }
        Ok(Repeated::Times(min, max))
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
    ) -> Parsed<Option<(Last, Width)>> {
        let mut inner = scope;
        let mut opening = String::from("(");
        // The capture group this opens, if any.
        let mut captures = None;
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
                        captures = Some(self.open_group(Some(name), open)?);
                    } else if self.take(b'=')? {
                        let name = self.group_name(b')')?;
                        let Some(&group) = self.names.get(&name) else {
                            return self.error(format!("unknown group name '{name}'"), open + 4);
                        };
                        let width = self.backreference(group, &format!("(?P={name})"), open + 4)?;
                        return Ok(Some((Last::Item, width)));
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
                Some(b'=' | b'!') => {
                    self.backtracking("look-ahead assertions", open)?;
                    opening = format!("(?{}", shown(kind));
                    return self.assertion(&opening, open, inner, nested, false);
                }
                Some(b'<') => {
                    return match self.get()? {
                        Some(Token::Plain(u)) if is(u, b'=') || is(u, b'!') => {
                            self.backtracking("look-behind assertions", open)?;
                            let opening = format!("(?<{}", shown(u));
                            self.assertion(&opening, open, inner, nested, true)
                        }
                        Some(t) => {
                            self.error(format!("unknown extension ?<{}", shown_token(t)), open + 1)
                        }
                        None => self.error("unexpected end of pattern", self.pos),
                    };
                }
                Some(b'(') => return self.conditional(open, inner, nested).map(Some),
                Some(b'>') => {
                    self.backtracking("atomic groups ((?>...))", open)?;
                    opening = String::from("(?>");
                }
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
            captures = Some(self.open_group(None, open)?);
        }
        self.out.push_str(&opening);
        let width = self.parse_alternation(inner, nested + 1)?;
        if !self.take(b')')? {
            return self.error("missing ), unterminated subpattern", open);
        }
        self.out.push(')');
        if let Some(group) = captures {
            self.group_widths[group - 1] = Some(width);
        }
        Ok(Some((Last::Item, width)))
    }

    /// A look-ahead or look-behind (`behind`) from just after its opening: it matches no
    /// bytes. A look-behind must be of one width, as Python's compiler has it.
    fn assertion(
        &mut self,
        opening: &str,
        open: usize,
        scope: Scope,
        nested: usize,
        behind: bool,
    ) -> Parsed<Option<(Last, Width)>> {
        self.out.push_str(opening);
        let outer = self.lookbehind_groups;
        if behind && outer.is_none() {
            self.lookbehind_groups = Some(self.groups);
        }
        let width = self.parse_alternation(scope, nested + 1)?;
        self.lookbehind_groups = outer;
        if !self.take(b')')? {
            return self.error("missing ), unterminated subpattern", open);
        }
        self.out.push(')');
        if behind && self.compile_error.is_none() {
            if width.lo > u64::from(u32::MAX) {
                self.compile_error = Some("looks too much behind".to_owned());
            } else if width.lo != width.hi {
                self.compile_error = Some("look-behind requires fixed-width pattern".to_owned());
            }
        }
        Ok(Some((Last::Item, Width::ZERO)))
    }

    /// `(?(group)yes|no)` from just after `(?(`: Python's conditional backreference group.
    fn conditional(&mut self, open: usize, scope: Scope, nested: usize) -> Parsed<(Last, Width)> {
        let start = self.pos;
        let mut name = String::new();
        loop {
            match self.src.get(self.pos) {
                None if name.is_empty() => return self.error("missing group name", start),
                None => return self.error("missing ), unterminated name", start),
                Some(&unit) if is(unit, b')') => {
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
        let identifier = name
            .chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
        let group = if identifier {
            match self.names.get(&name) {
                Some(&group) => group,
                None => return self.error(format!("unknown group name '{name}'"), start),
            }
        } else {
            let group = name
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| name.parse::<usize>().ok())
                .flatten();
            match group {
                None => return self.error(format!("bad character in group name '{name}'"), start),
                Some(0) => return self.error("bad group number", start),
                Some(group) if group >= MAX_GROUPS => {
                    return self.error(format!("invalid group reference {group}"), start);
                }
                Some(group) => {
                    self.condition_refs.push((group, start));
                    group
                }
            }
        };
        if group <= self.groups {
            self.check_lookbehind_group(group)?;
        } else if self.lookbehind_groups.is_some() {
            return self.error("cannot refer to an open group", self.pos);
        }
        self.backtracking("conditional groups ((?(1)yes|no))", open)?;
        let _ = write!(self.out, "(?({group})");
        let yes = self.parse_sequence(scope, nested + 1, false)?;
        let width = if self.take(b'|')? {
            self.out.push('|');
            let no = self.parse_sequence(scope, nested + 1, false)?;
            if self.peek()? == Some(Token::Plain(u32::from(b'|'))) {
                return self.error("conditional backref with more than two branches", self.pos);
            }
            yes.or(no)
        } else {
            Width { lo: 0, hi: yes.hi }
        };
        if !self.take(b')')? {
            return self.error("missing ), unterminated subpattern", open);
        }
        self.out.push(')');
        Ok((Last::Item, width))
    }

    /// Opens capture group `self.groups + 1`, and gives its number.
    fn open_group(&mut self, name: Option<String>, open: usize) -> Parsed<usize> {
        self.groups += 1;
        self.group_widths.push(None);
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
        Ok(self.groups)
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
                    // Python gives no length here: the position is just past the flag.
                    return self.error(
                        "bad inline flags: cannot turn off flags 'a', 'u' and 'L'",
                        self.pos,
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

/// `\1`..`\99`: an octal escape, or a reference to a group.
enum Digits {
    Octal(u32),
    Group(usize),
}

/// What `*`, `+`, `?` or `{` turned out to be.
enum Repeated {
    /// A `{` that opens no repeat: a literal.
    Literal,
    /// A repeat, `min` to `max` times (`None`: without bound).
    Times(u64, Option<u64>),
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
