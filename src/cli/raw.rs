//! Values that start with `-` (`-20:`, `--seek -10`, a needle `-x`) reach mmt as typed.
//!
//! clap takes an argument that starts with `-` for a flag, and its `allow_hyphen_values` on a
//! positional that takes many values would swallow the real flags after it too. So before
//! parsing, an argument that starts with `-` but is no flag of mmt's (`-20:`, `-x`) is marked
//! with a NUL byte, which cannot occur in a real argument (argv holds C strings), and clap takes
//! it as a value. Every free-form value is a [`Raw`], whose value parser removes the mark, so a
//! new argument needs no list to be kept: its type does it.
//!
//! What counts as a flag: a `--name` is always left to clap (an unknown one gets clap's "did you
//! mean" tip), and so is `-` and a letter, a short flag of mmt's or an unknown one (clap says
//! so, with the tip to write `-- -x`). Anything else that starts with `-` (a number, a range,
//! `-[a-z]`) is a value. A value that is spelled like a flag (a needle `-q`) goes after `--`, as
//! with every command-line tool.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use clap::builder::{TypedValueParser, ValueParserFactory};

/// The mark put before a value that starts with `-`.
const MARK: u8 = 0;

/// A value exactly as typed (the mark removed), parsed later by the core so that a bad value is
/// reported like every other error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw(pub OsString);

impl Raw {
    pub fn as_os_str(&self) -> &OsStr {
        &self.0
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    pub fn to_path(&self) -> PathBuf {
        PathBuf::from(&self.0)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RawParser;

impl TypedValueParser for RawParser {
    type Value = Raw;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Raw, clap::Error> {
        let bytes = value.as_bytes();
        let unmarked = bytes.strip_prefix(&[MARK]).unwrap_or(bytes);
        Ok(Raw(OsString::from_vec(unmarked.to_vec())))
    }
}

impl ValueParserFactory for Raw {
    type Parser = RawParser;

    fn value_parser() -> RawParser {
        RawParser
    }
}

/// The short flags of every command of `cmd`, `-h` and `-V` included.
fn short_flags(cmd: &mut clap::Command) -> HashSet<char> {
    cmd.build();
    let mut shorts = HashSet::new();
    let mut stack = vec![&*cmd];
    while let Some(cmd) = stack.pop() {
        shorts.extend(cmd.get_arguments().filter_map(clap::Arg::get_short));
        stack.extend(cmd.get_subcommands());
    }
    shorts
}

/// Marks the arguments that start with `-` but are not flags of `cmd`, so that clap takes them
/// as values. The first argument (the program's name) is left alone.
pub fn mark_values(cmd: &mut clap::Command, args: Vec<OsString>) -> Vec<OsString> {
    let shorts = short_flags(cmd);
    args.into_iter()
        .enumerate()
        .map(|(i, arg)| {
            if i > 0 && is_value_like(arg.as_bytes(), &shorts) {
                let mut marked = vec![MARK];
                marked.extend_from_slice(arg.as_bytes());
                OsString::from_vec(marked)
            } else {
                arg
            }
        })
        .collect()
}

/// `-20:`, `-10`, `-3+5`, `-[a-z]`: a value. `-`, `--`, `--name`, `-i`, `-j4`, `-bi`, `-0`
/// (`--null`), and
/// every other `-` and a letter: left to clap, which reports an unknown one as unknown, with
/// the tip to write `-- -l` for a value spelled like a flag. (Taken as a value, a mistyped or
/// not yet known flag, `grep TREE PAT -l`, pushed the pattern into the PATHs.)
fn is_value_like(arg: &[u8], shorts: &HashSet<char>) -> bool {
    match arg {
        [b'-', b'-', ..] | [b'-'] | [] => false,
        // `-0` is rg's `--null`; the number it would be is written 0.
        [b'-', b'0'] if shorts.contains(&'0') => false,
        [b'-', first, ..] => {
            first.is_ascii_digit()
                || !(first.is_ascii_alphabetic()
                    || char::from_u32(u32::from(*first)).is_some_and(|c| shorts.contains(&c)))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_start_with_a_dash_are_told_from_flags() {
        let shorts: HashSet<char> = ['i', 'j', 'b', 'q', 'h'].into_iter().collect();
        for value in ["-20:", "-10", "-3+5", "-[a-z]", "-é", "-\u{0}", "-.", "-$"] {
            assert!(is_value_like(value.as_bytes(), &shorts), "{value}");
        }
        for flag in [
            "-", "--", "--regex", "--regx", "-i", "-j4", "-bi", "-h", "plain", "", "-x", "-l", "-Z",
        ] {
            assert!(!is_value_like(flag.as_bytes(), &shorts), "{flag}");
        }
        assert!(is_value_like(b"-\xff", &shorts));
        // `-0` is a flag where one is defined (`--null`), a number elsewhere; `-0:` a value.
        assert!(is_value_like(b"-0", &shorts));
        let with_null: HashSet<char> = ['0'].into_iter().collect();
        assert!(!is_value_like(b"-0", &with_null));
        assert!(is_value_like(b"-0:", &with_null));
        assert!(is_value_like(b"-01", &with_null));
    }

    #[test]
    fn the_mark_is_removed_by_the_value_parser() {
        let cmd = clap::Command::new("t");
        let raw = RawParser
            .parse_ref(&cmd, None, OsStr::from_bytes(b"\0-20:"))
            .unwrap();
        assert_eq!(raw, Raw(OsString::from("-20:")));
        let raw = RawParser.parse_ref(&cmd, None, OsStr::new("x")).unwrap();
        assert_eq!(raw.as_bytes(), b"x");
    }
}
