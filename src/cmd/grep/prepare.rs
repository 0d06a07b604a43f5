//! How `grep` is prepared from its flags, once for every source: the pattern (by flag or
//! literal), its flags (`-S`, `-F`), what is printed of each file, and the flags that cannot
//! go together, refused with a message that says which prints what.

use anyhow::{Result, bail};

use super::stats::Stats;
use super::{Grep, Output};
use crate::cli::GrepArgs;
use crate::cli::bytes::parse_limit;
use crate::cmd::hints::Readings;
use crate::cmd::{record_format, warn_of_pattern};
use crate::output::Format;
use crate::search::Pattern;
use crate::search::dialect::RegexFlags;
use crate::search::template::count_groups;
use crate::settings::Settings;

/// The patterns of `-e` (any of them): one as it is, several as alternatives, each a group of
/// its own (`(?:A)|(?:B)`).
pub(super) fn pattern_of_flags(patterns: &[crate::cli::Raw]) -> Result<Vec<u8>> {
    match patterns {
        [] => bail!("--files lists files; it takes no PATTERN"),
        [one] => Ok(one.as_bytes().to_vec()),
        many => {
            let mut joined = Vec::new();
            for (i, pattern) in many.iter().enumerate() {
                if i > 0 {
                    joined.push(b'|');
                }
                joined.extend_from_slice(b"(?:");
                joined.extend_from_slice(pattern.as_bytes());
                joined.push(b')');
            }
            Ok(joined)
        }
    }
}

/// `--files` prints paths, not what a search finds: the flags that shape that are refused.
pub(super) fn refuse_beside_files(args: &GrepArgs) -> Result<()> {
    let searching = [
        (!args.regexp.is_empty(), "-e"),
        (args.count, "--count"),
        (args.count_lines, "-c/--count-lines"),
        (args.list.listing().is_some(), "-l/--files-without-match"),
        (args.group.is_some(), "--group"),
        (args.stats, "--stats"),
        (args.invert_match, "-v/--invert-match"),
    ];
    if let Some((_, flag)) = searching.iter().find(|(given, _)| *given) {
        bail!(
            "--files lists the files a search would look at, and searches nothing; {flag} shapes what a search prints: give one of them"
        );
    }
    Ok(())
}

pub(super) fn prepare(args: &GrepArgs, pattern: &[u8], settings: &Settings) -> Result<Grep> {
    let json = settings.style.json;
    let format = record_format(args.format.map(Format::from), json)?;
    if json {
        refuse_beside_json(args)?;
    }
    let lines = &args.lines;
    let whole_lines_flag = lines.whole_lines_flag();
    // Records (matches or groups) rather than lines: -o, or a flag that shapes records.
    let records_flag = [
        (args.only_matching, "-o/--only-matching"),
        (args.group.is_some(), "--group"),
        (args.fold, "--fold"),
        (args.format.is_some(), "--format"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag));
    let conflicts = [
        (records_flag, whole_lines_flag),
        (
            records_flag,
            args.invert_match.then_some("-v/--invert-match"),
        ),
        (records_flag, lines.vimgrep.then_some("--vimgrep")),
        (whole_lines_flag, lines.vimgrep.then_some("--vimgrep")),
        (
            args.count.then_some("--count"),
            args.count_lines.then_some("-c/--count-lines"),
        ),
        (
            args.count.then_some("--count"),
            args.invert_match
                .then_some("-v/--invert-match (count lines without a match with -c)"),
        ),
    ];
    for (one, other) in conflicts {
        if let (Some(one), Some(other)) = (one, other) {
            bail!("{one} and {other} ask for different output; give one of them");
        }
    }
    let counting = [
        (args.count, "--count"),
        (args.count_lines, "-c/--count-lines"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag));
    if let Some(counting) = counting {
        let shaping = [
            (records_flag.is_some(), records_flag.unwrap_or_default()),
            (
                whole_lines_flag.is_some(),
                whole_lines_flag.unwrap_or_default(),
            ),
            (lines.line_number, "-n/--line-number"),
            (lines.column, "--column"),
            (lines.vimgrep, "--vimgrep"),
            (args.byte_offset, "-b/--byte-offset"),
        ];
        if let Some((_, flag)) = shaping.iter().find(|(given, _)| *given) {
            bail!(
                "{counting} prints a number, and {flag} shapes what is printed of matches; give one of them"
            );
        }
    }
    let listing = crate::cmd::listing(
        &args.list,
        json,
        &[
            (args.count, "--count"),
            (args.count_lines, "-c/--count-lines"),
            (lines.line_number, "-n/--line-number"),
            (lines.column, "--column"),
            (lines.vimgrep, "--vimgrep"),
            (args.byte_offset, "-b/--byte-offset"),
            (records_flag.is_some(), records_flag.unwrap_or_default()),
            (args.max_count.is_some(), "--max-count"),
            (
                whole_lines_flag.is_some(),
                whole_lines_flag.unwrap_or_default(),
            ),
            (args.stats, "--stats"),
        ],
    )?;
    if (lines.line_number || lines.column) && format == Format::Hex {
        bail!(
            "-n/--line-number puts LINE: before text records, and --format hex prints a hex dump \
             with offsets of its own; give one of them"
        );
    }
    let output = if args.count {
        Output::CountMatches
    } else if args.count_lines {
        Output::CountLines
    } else if lines.vimgrep {
        Output::Vimgrep
    } else if whole_lines_flag.is_some()
        || args.invert_match
        || ((lines.line_number || lines.column) && records_flag.is_none())
    {
        let (before, after) = lines.context_lines();
        Output::Lines(before, after)
    } else {
        Output::Records
    };
    let flags = pattern_flags(args, pattern)?;
    let pattern = match args.fixed_strings {
        true => Pattern::new(&escaped(pattern), &flags)?,
        false => Pattern::new(pattern, &flags)?,
    };
    let readings = match args.fixed_strings {
        true => None,
        false => Readings::of(&pattern, flags),
    };
    warn_of_pattern(&pattern, settings);
    let group = match &args.group {
        Some(name) => group_index(&pattern, &name.0.to_string_lossy())?,
        None => 0,
    };
    Ok(Grep {
        pattern,
        group,
        max: parse_limit(
            args.max_count.as_ref().map(|m| m.as_os_str()),
            "--max-count",
        )?,
        format,
        output,
        byte_offset: args.byte_offset,
        fold: args.fold,
        line_number: lines.line_number || lines.column,
        column: lines.column,
        invert: args.invert_match,
        listing,
        readings,
        stats: args.stats.then(Stats::default),
    })
}

/// The pattern's flags: Python's, `-w`, and `-S` (case-insensitive unless the pattern has an
/// upper-case letter); with `-F`, only those that mean something for literal bytes.
fn pattern_flags(args: &GrepArgs, pattern: &[u8]) -> Result<RegexFlags> {
    let mut flags: RegexFlags = args.flags.into();
    flags.word = args.word_regexp;
    if args.fixed_strings {
        let regex_only = [
            (args.flags.dot_all, "--dot-all"),
            (args.flags.multi_line, "--multi-line"),
            (args.flags.extended, "--extended"),
            (args.flags.engine.is_some(), "--engine"),
            (args.flags.pcre2, "-P/--pcre2"),
        ];
        if let Some((_, flag)) = regex_only.iter().find(|(given, _)| *given) {
            bail!(
                "{flag} applies to a regular expression, and -F/--fixed-strings makes PATTERN literal bytes; give one of them"
            );
        }
    }
    if args.smart_case && !args.flags.ignore_case {
        flags.ignore_case = !has_upper_case(pattern, args.fixed_strings);
    }
    Ok(flags)
}

/// Whether a pattern has an upper-case letter of its own (`-S`): not one that is part of an
/// escape (`\W`, `\S`) or of a group's name.
fn has_upper_case(pattern: &[u8], literal: bool) -> bool {
    if literal {
        return pattern.iter().any(u8::is_ascii_uppercase);
    }
    let text = String::from_utf8_lossy(pattern);
    let mut chars = text.chars().peekable();
    let mut in_name = false;
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '<' if previous == 'P' => in_name = true,
            '=' if previous == 'P' => in_name = true,
            '>' | ')' if in_name => in_name = false,
            // The `P` of `(?P<name>` and `(?P=name)` is syntax, not a letter to match.
            'P' if previous == '?' => {}
            c if c.is_uppercase() && !in_name => return true,
            _ => {}
        }
        previous = c;
    }
    false
}

/// Literal bytes as a pattern of Python's dialect: every ASCII character that is not a letter or
/// a digit escaped (as `re.escape` does), other bytes as they are.
fn escaped(literal: &[u8]) -> Vec<u8> {
    let mut pattern = Vec::with_capacity(literal.len() * 2);
    for &byte in literal {
        if byte.is_ascii() && !byte.is_ascii_alphanumeric() && byte != b'_' {
            pattern.push(b'\\');
        }
        pattern.push(byte);
    }
    pattern
}

/// `--group G`: a number, or the name of a group the pattern has.
fn group_index(pattern: &Pattern, name: &str) -> Result<usize> {
    let groups = pattern.group_count();
    if let Ok(index) = name.parse::<usize>() {
        if index < groups {
            return Ok(index);
        }
        bail!(
            "--group {index}: the pattern has no group {index} (it has {})",
            count_groups(groups - 1)
        );
    }
    match pattern.group_index(name) {
        Some(index) => Ok(index),
        None => bail!("--group {name}: the pattern has no group named {name}"),
    }
}

/// `--json` prints every match with its offsets and all its groups; the flags that shape text
/// records would be ignored there, so they are refused.
fn refuse_beside_json(args: &GrepArgs) -> Result<()> {
    let text_only = [
        (args.group.is_some(), "--group"),
        (args.byte_offset, "-b/--byte-offset"),
        (args.fold, "--fold"),
    ];
    if let Some((_, flag)) = text_only.iter().find(|(given, _)| *given) {
        bail!(
            "{flag} shapes text records, and --json prints every match with its offsets and all \
             its groups; give one of them"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_case_of_its_own_is_not_in_an_escape_or_a_group_name() {
        assert!(!has_upper_case(b"abc", false));
        assert!(has_upper_case(b"aBc", false));
        assert!(!has_upper_case(br"\W\S\D", false));
        assert!(!has_upper_case(b"(?P<Name>x)", false));
        assert!(has_upper_case(b"(?P<name>X)", false));
        assert!(has_upper_case(b"(?P<Name>x)Y", false));
        assert!(!has_upper_case(b"(?P<n>x)(?P=Name)", false));
        // A `P`, a `<` or a `=` elsewhere is what it is.
        assert!(has_upper_case(b"aP", false));
        assert!(has_upper_case(b"a=B", false));
        assert!(has_upper_case(b"a<B", false));
        // Literal bytes: every upper-case letter counts, escapes are not escapes.
        assert!(has_upper_case(br"\W", true));
        assert!(!has_upper_case(b"w", true));
    }
}
