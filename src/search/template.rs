//! The replacement of `replace --regex`: `$1`, `${1}`, `$name`, `${name}`, `$0` and `$$`, parsed
//! once against the pattern's groups.
//!
//! The regex crate's own `expand` puts nothing where a template names a group the pattern does
//! not have, and reads `$1a` as a group named `1a`, so a typo silently deletes text from every
//! match. Here such a template is refused before anything is read or written, with the spelling
//! that says what was meant (`${1}a`), as Python's "invalid group reference" and sd do.

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

impl Template {
    /// A template of literal bytes, no group in it: what a literal NEW becomes when OLD is
    /// searched as a pattern (`replace -w` of a literal).
    pub fn literal(bytes: &[u8]) -> Template {
        Template {
            parts: vec![Part::Literal(bytes.to_vec())],
        }
    }

    /// Parses `template` for the groups of `pattern`. A `$` that is followed by neither a name, a
    /// brace nor another `$` stands for itself (`USD$`, `$.`), as in the regex crate and sd.
    pub fn parse(template: &[u8], pattern: &Pattern) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = Vec::new();
        let mut rest = template;
        while let Some(dollar) = memchr::memchr(b'$', rest) {
            literal.extend_from_slice(&rest[..dollar]);
            rest = &rest[dollar + 1..];
            let (name, braced, after) = match rest.first() {
                Some(b'$') => {
                    literal.push(b'$');
                    rest = &rest[1..];
                    continue;
                }
                Some(b'{') => {
                    let Some(close) = memchr::memchr(b'}', rest) else {
                        return Err(TemplateError(
                            "NEW has a ${ without its closing }; write $$ for a literal dollar"
                                .to_owned(),
                        ));
                    };
                    (&rest[1..close], true, &rest[close + 1..])
                }
                Some(&byte) if is_name_byte(byte) => {
                    let len = rest
                        .iter()
                        .position(|&b| !is_name_byte(b))
                        .unwrap_or(rest.len());
                    (&rest[..len], false, &rest[len..])
                }
                _ => {
                    literal.push(b'$');
                    continue;
                }
            };
            let index = group_index(name, braced, pattern)?;
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            parts.push(Part::Group(index));
            rest = after;
        }
        literal.extend_from_slice(rest);
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { parts })
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
