//! The replacement of `replace --regex`, parsed once against the pattern's groups: Python's
//! `re.sub` template for bytes (`\1`..`\99`, `\g<1>`, `\g<name>`, `\\`, `\n` and Python's
//! other escapes), and beside it the `$1`, `${1}`, `$name`, `${name}`, `$0`, `$$` that sd and rg
//! users write.
//!
//! Python's spellings keep Python's errors, in Python's words: "invalid group reference 3",
//! "unknown group name 'x'", "bad escape \q". The `$` spellings are refused where the regex
//! crate's own `expand` would silently put nothing (a group the pattern lacks), or read `$1a` as a
//! group named `1a` (so a typo would delete text from every match): refused before anything is
//! read or written, with the spelling that says what was meant (`${1}a`), as sd does.

use std::fmt;

use crate::search::{Captures, Pattern};

/// A parsed template: literal runs and group references, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(Vec<u8>),
    Group(usize),
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

fn is_name_byte(byte: u8) -> bool {
    byte == b'_' || byte.is_ascii_alphanumeric()
}

/// Python's limit on group numbers (`_sre.MAXGROUPS` on a 64-bit build).
const MAX_GROUPS: usize = 1_073_741_823;

/// An error of Python's template parser, in its words, at `at` in the template.
fn python_error(message: impl fmt::Display, at: usize) -> TemplateError {
    TemplateError(format!(
        "NEW: {message} at position {at} (as Python's re.sub reads it)"
    ))
}

/// A template being parsed: the parts so far and the literal run being gathered.
#[derive(Default)]
struct Parts {
    parts: Vec<Part>,
    literal: Vec<u8>,
}

impl Parts {
    fn group(&mut self, index: usize) {
        if !self.literal.is_empty() {
            self.parts
                .push(Part::Literal(std::mem::take(&mut self.literal)));
        }
        self.parts.push(Part::Group(index));
    }

    fn finish(mut self) -> Template {
        if !self.literal.is_empty() {
            self.parts.push(Part::Literal(self.literal));
        }
        Template { parts: self.parts }
    }
}

impl Template {
    /// A template of literal bytes, no group in it: what a literal NEW becomes when OLD is
    /// searched as a pattern (`replace -w` of a literal).
    pub fn literal(bytes: &[u8]) -> Template {
        Template {
            parts: vec![Part::Literal(bytes.to_vec())],
        }
    }

    /// Parses `template` for the groups of `pattern`. A backslash starts one of Python's
    /// escapes; a `$` that is followed by neither a name, a brace nor another `$` stands for
    /// itself (`USD$`, `$.`), as in the regex crate and sd.
    pub fn parse(template: &[u8], pattern: &Pattern) -> Result<Template, TemplateError> {
        let mut parts = Parts::default();
        let mut at = 0;
        while at < template.len() {
            at = match template[at] {
                b'\\' => python_escape(template, at, pattern, &mut parts)?,
                b'$' => dollar(template, at, pattern, &mut parts)?,
                byte => {
                    parts.literal.push(byte);
                    at + 1
                }
            };
        }
        Ok(parts.finish())
    }

    /// Appends the replacement for a match `whole` of a pattern without groups (so the template
    /// can name only `$0`).
    pub fn expand_whole(&self, whole: &[u8], out: &mut Vec<u8>) {
        for part in &self.parts {
            match part {
                Part::Literal(bytes) => out.extend_from_slice(bytes),
                Part::Group(_) => out.extend_from_slice(whole),
            }
        }
    }

    /// Appends the replacement for one match, whose groups are in `caps`, of `hay`. A group
    /// that did not take part in the match puts in nothing, as in Python 3.5+.
    pub fn expand(&self, hay: &[u8], caps: &Captures, out: &mut Vec<u8>) {
        for part in &self.parts {
            match part {
                Part::Literal(bytes) => out.extend_from_slice(bytes),
                Part::Group(index) => {
                    if let Some(group) = caps.get(*index) {
                        out.extend_from_slice(&hay[group]);
                    }
                }
            }
        }
    }
}

/// Python's escape at `template[at]` (a backslash), into `parts`; where the template goes on.
/// As `re._parser.parse_template` reads it.
fn python_escape(
    template: &[u8],
    at: usize,
    pattern: &Pattern,
    parts: &mut Parts,
) -> Result<usize, TemplateError> {
    let groups = pattern.group_count() - 1;
    let Some(&c) = template.get(at + 1) else {
        // A lone backslash at the end: Python's tokenizer refuses it.
        return Err(python_error("bad escape (end of pattern)", at));
    };
    let is_octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    let is_digit = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
    match c {
        b'g' => {
            let open = at + 2;
            if template.get(open) != Some(&b'<') {
                return Err(python_error("missing <", open));
            }
            let start = open + 1;
            let Some(len) = template[start..].iter().position(|&b| b == b'>') else {
                return Err(match template.len() - start {
                    0 => python_error("missing group name", start),
                    _ => python_error("missing >, unterminated name", start),
                });
            };
            let name = &template[start..start + len];
            let shown = String::from_utf8_lossy(name);
            if name.is_empty() {
                return Err(python_error("missing group name", start));
            }
            let identifier = (name[0] == b'_' || name[0].is_ascii_alphabetic())
                && name.iter().all(|&b| is_name_byte(b));
            let index = if identifier {
                match pattern.group_index(&shown) {
                    Some(index) => index,
                    // Python raises an IndexError here, without a position.
                    None => {
                        return Err(TemplateError(format!(
                            "NEW: unknown group name '{shown}' (as Python's re.sub reads it)"
                        )));
                    }
                }
            } else {
                let number = name
                    .iter()
                    .all(u8::is_ascii_digit)
                    .then(|| shown.parse::<usize>().ok())
                    .flatten();
                match number {
                    None => {
                        return Err(python_error(
                            format!("bad character in group name '{shown}'"),
                            start,
                        ));
                    }
                    Some(index) if index >= MAX_GROUPS || index > groups => {
                        return Err(python_error(
                            format!("invalid group reference {index}"),
                            start,
                        ));
                    }
                    Some(index) => index,
                }
            };
            parts.group(index);
            Ok(start + len + 1)
        }
        b'0' => {
            let mut end = at + 2;
            while end < at + 4 && is_octal(template.get(end)) {
                end += 1;
            }
            parts.literal.push(octal(&template[at + 1..end]) as u8);
            Ok(end)
        }
        b'1'..=b'9' => {
            let mut end = at + 2;
            if is_digit(template.get(end)) {
                end += 1;
                if is_octal(Some(&c))
                    && is_octal(template.get(at + 2))
                    && is_octal(template.get(end))
                {
                    let value = octal(&template[at + 1..end + 1]);
                    if value > 0o377 {
                        let shown = String::from_utf8_lossy(&template[at..end + 1]);
                        return Err(python_error(
                            format!("octal escape value {shown} outside of range 0-0o377"),
                            at,
                        ));
                    }
                    parts.literal.push(value as u8);
                    return Ok(end + 1);
                }
            }
            let digits = String::from_utf8_lossy(&template[at + 1..end]);
            let index: usize = digits.parse().unwrap_or(usize::MAX);
            if index > groups {
                return Err(python_error(
                    format!("invalid group reference {index}"),
                    at + 1,
                ));
            }
            parts.group(index);
            Ok(end)
        }
        b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'\\' => {
            parts.literal.push(match c {
                b'a' => 0x07,
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                _ => b'\\',
            });
            Ok(at + 2)
        }
        _ if c.is_ascii_alphabetic() => {
            Err(python_error(format!("bad escape \\{}", char::from(c)), at))
        }
        // Any other escape stands for itself, backslash and all, as in Python (`\-`, `\$`).
        _ => {
            parts.literal.extend_from_slice(&template[at..at + 2]);
            Ok(at + 2)
        }
    }
}

/// The value of octal digits.
fn octal(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, &d| acc * 8 + u32::from(d - b'0'))
}

/// A `$` reference at `template[at]`, into `parts`; where the template goes on.
fn dollar(
    template: &[u8],
    at: usize,
    pattern: &Pattern,
    parts: &mut Parts,
) -> Result<usize, TemplateError> {
    let rest = &template[at + 1..];
    let (name, braced, after) = match rest.first() {
        Some(b'$') => {
            parts.literal.push(b'$');
            return Ok(at + 2);
        }
        Some(b'{') => {
            let Some(close) = memchr::memchr(b'}', rest) else {
                return Err(TemplateError(
                    "NEW has a ${ without its closing }; write $$ for a literal dollar".to_owned(),
                ));
            };
            (&rest[1..close], true, at + 1 + close + 1)
        }
        Some(&byte) if is_name_byte(byte) => {
            let len = rest
                .iter()
                .position(|&b| !is_name_byte(b))
                .unwrap_or(rest.len());
            (&rest[..len], false, at + 1 + len)
        }
        _ => {
            parts.literal.push(b'$');
            return Ok(at + 1);
        }
    };
    parts.group(group_index(name, braced, pattern)?);
    Ok(after)
}

/// The group a reference names: a number, or the name of a group the pattern has.
fn group_index(name: &[u8], braced: bool, pattern: &Pattern) -> Result<usize, TemplateError> {
    let shown = String::from_utf8_lossy(name);
    let spelled = if braced {
        format!("${{{shown}}}")
    } else {
        format!("${shown}")
    };
    if name.is_empty() || !name.iter().all(|&b| is_name_byte(b)) {
        return Err(TemplateError(format!(
            "NEW refers to {spelled}, which is not a group number or name; write $$ for a \
             literal dollar"
        )));
    }
    let groups = pattern.group_count() - 1;
    if name.iter().all(u8::is_ascii_digit) {
        return match shown.parse::<usize>() {
            Ok(index) if index <= groups => Ok(index),
            _ => Err(TemplateError(format!(
                "NEW refers to group {shown}, but the pattern has {}",
                count_groups(groups)
            ))),
        };
    }
    if let Some(index) = std::str::from_utf8(name)
        .ok()
        .and_then(|name| pattern.group_index(name))
    {
        return Ok(index);
    }
    let digits = name.iter().take_while(|b| b.is_ascii_digit()).count();
    let hint = if digits > 0 && !braced {
        let (number, tail) = shown.split_at(digits);
        format!("; to follow group {number} with \"{tail}\", write ${{{number}}}{tail}")
    } else {
        String::new()
    };
    Err(TemplateError(format!(
        "NEW refers to {spelled}, a group named \"{shown}\" that the pattern does not have{hint}"
    )))
}

/// "no groups", "1 group", "2 groups".
pub fn count_groups(groups: usize) -> String {
    match groups {
        0 => "no groups".to_owned(),
        1 => "1 group".to_owned(),
        n => format!("{n} groups"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(pattern: &str, template: &str, hay: &str) -> Result<String, TemplateError> {
        let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
        let template = Template::parse(template.as_bytes(), &pattern)?;
        let mut caps = pattern.captures();
        pattern.captures_at(hay.as_bytes(), 0, &mut caps).unwrap();
        let mut out = Vec::new();
        template.expand(hay.as_bytes(), &caps, &mut out);
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn references_by_number_and_name() {
        assert_eq!(expand(r"(\w)(\d)", "$2$1", "a1").unwrap(), "1a");
        assert_eq!(expand(r"(\w)(\d)", "${2}x$0", "a1").unwrap(), "1xa1");
        assert_eq!(
            expand(r"(?P<k>\w)=(?P<v>\w)", "$v=${k}", "a=b").unwrap(),
            "b=a"
        );
        assert_eq!(expand(r"(a)", "$$1 costs $", "a").unwrap(), "$1 costs $");
        assert_eq!(expand(r"(a)", "USD$.", "a").unwrap(), "USD$.");
    }

    #[test]
    fn a_group_outside_the_match_puts_in_nothing() {
        assert_eq!(expand(r"(a)|(b)", "[$1$2]", "b").unwrap(), "[b]");
    }

    #[test]
    fn a_name_that_runs_on_is_refused_with_the_braced_fix() {
        let err = expand(r"(cons)ectetuer", "$1X", "consectetuer").unwrap_err();
        assert!(err.0.contains("write ${1}X"), "{err}");
        let err = expand(r"(\w)(\d)", "$2$3", "a1").unwrap_err();
        assert_eq!(err.0, "NEW refers to group 3, but the pattern has 2 groups");
        let err = expand(r"abc", "$1", "abc").unwrap_err();
        assert!(err.0.ends_with("has no groups"), "{err}");
        let err = expand(r"(?P<a>x)", "${b}", "x").unwrap_err();
        assert!(err.0.contains("named \"b\""), "{err}");
        assert!(!err.0.contains("write ${"), "{err}");
        // The braced fix is offered only where digits run into a name, unbraced.
        let err = expand(r"(?P<a>x)", "$word", "x").unwrap_err();
        assert_eq!(
            err.0,
            "NEW refers to $word, a group named \"word\" that the pattern does not have"
        );
        let err = expand(r"(a)", "${1x}", "a").unwrap_err();
        assert!(!err.0.contains("write ${"), "{err}");
    }

    #[test]
    fn python_s_template_spellings_work_beside_the_dollar_ones() {
        assert_eq!(expand(r"(\w)(\d)", r"\2\1", "a1").unwrap(), "1a");
        assert_eq!(
            expand(r"(\w)(\d)", r"\g<2>-\g<0>-$1", "a1").unwrap(),
            "1-a1-a"
        );
        assert_eq!(
            expand(r"(?P<k>\w)=(?P<v>\w)", r"\g<v>=\g<k>", "a=b").unwrap(),
            "b=a"
        );
        // Escapes: Python's named ones, octal, a backslash; others stand for themselves.
        assert_eq!(
            expand("(a)", r"\n\t\\\0\012\141", "a").unwrap(),
            "\n\t\\\0\na"
        );
        assert_eq!(expand("(a)", r"\-\$1\.", "a").unwrap(), r"\-\$1\.");
        // Three octal digits are a byte; two digits a group.
        assert_eq!(expand("(a)", r"\1011", "a").unwrap(), "A1");
        assert_eq!(
            expand(
                "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)",
                r"\12",
                "abcdefghijkl"
            )
            .unwrap(),
            "l"
        );
    }

    #[test]
    fn python_s_template_errors_in_python_s_words() {
        let err = |pattern: &str, template: &str| expand(pattern, template, "a").unwrap_err().0;
        assert_eq!(
            err("(a)", r"x\2"),
            "NEW: invalid group reference 2 at position 2 (as Python's re.sub reads it)"
        );
        assert!(err("(a)", r"\g<2>").contains("invalid group reference 2 at position 3"));
        assert!(err("(a)", r"\g<x>").contains("unknown group name 'x'"));
        assert!(err("(a)", r"\g<1a>").contains("bad character in group name '1a' at position 3"));
        assert!(err("(a)", r"\g1").contains("missing < at position 2"));
        assert!(err("(a)", r"\g<").contains("missing group name at position 3"));
        assert!(err("(a)", r"\g<>").contains("missing group name at position 3"));
        assert!(err("(a)", r"\g<1").contains("missing >, unterminated name at position 3"));
        assert!(err("(a)", r"ab\q").contains(r"bad escape \q at position 2"));
        assert!(err("(a)", r"\777").contains(r"octal escape value \777 outside of range 0-0o377"));
        assert!(err("(a)", "x\\").contains("bad escape (end of pattern) at position 1"));
    }

    #[test]
    fn malformed_braces_are_refused() {
        assert!(
            expand(r"(a)", "${1", "a")
                .unwrap_err()
                .0
                .contains("closing }")
        );
        for template in ["${}", "${1-}", "${a b}"] {
            let err = expand(r"(a)", template, "a").unwrap_err();
            assert!(
                err.0.contains("is not a group number or name"),
                "{template}: {err}"
            );
        }
        assert!(expand(r"(a)", "${99999999999999999999999}", "a").is_err());
    }
}
