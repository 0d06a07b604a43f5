//! The one place that writes what mmt prints: raw bytes, Python `repr`, `xxd`-style dumps, JSON
//! Lines and coloured text, straight to standard output through a large buffer, or into a buffer
//! of its own for one file of many (so that the files' outputs can be put in a fixed order
//! whatever thread finished first).
//!
//! Raw file bytes never pass through a colour-stripping stream (it would eat escape sequences
//! that are part of the data): colour is decided once, and styles are written only when on.
//!
//! The subsystem owns what reaches standard output and standard error: the printer (raw, repr,
//! hex, JSON, colour) and the previews of `--copy` (`preview`: regions, unified and hex diffs).
//! It reads no file and writes none.

pub mod preview;
mod printer;

pub use printer::Printer;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style as AnsiStyle};
use base64::Engine;
use serde_json::{Value, json};

/// How a record of bytes is printed (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The exact bytes, nothing added.
    Raw,
    /// One Python bytes literal per record, per line.
    Repr,
    /// An xxd-style dump with absolute file offsets.
    Hex,
}

impl Format {
    /// The name as typed after `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Repr => "repr",
            Format::Hex => "hex",
        }
    }
}

/// How output looks, decided once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// JSON Lines instead of text.
    pub json: bool,
    /// Colour in diffs and highlights.
    pub color: bool,
    /// Nothing on standard output and no summaries (errors still go to standard error).
    pub quiet: bool,
    /// Read on a terminal whatever standard output is (the review's): names and the text of
    /// lines shown escaped where they could talk to the terminal (see `files::name`).
    pub terminal: bool,
    /// Each file's name on a line of its own above its records, not before each (rg's
    /// `--heading`).
    pub heading: bool,
}

/// The line between groups of lines with context, as grep and rg print it.
const GROUP_SEPARATOR: &[u8] = b"--\n";

impl Style {
    /// What separates a group of lines with context from the group before it, decided here
    /// alone: `--` between the groups of a file, and between files' groups unless headings part
    /// them already (a blank line and the next name); nothing in JSON, whose records say it.
    pub fn group_separator(&self, between_files: bool) -> Option<&'static [u8]> {
        let parted = self.json || (between_files && self.heading);
        (!parted).then_some(GROUP_SEPARATOR)
    }
}

/// The styles of the things mmt colours.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Removed,
    Added,
    HunkHeader,
    FileHeader,
    Offset,
    Match,
    /// A file's name before its records (rg's magenta).
    Path,
    /// A line number (rg's green).
    LineNumber,
}

impl Paint {
    fn style(self) -> AnsiStyle {
        match self {
            Paint::Removed => AnsiColor::Red.on_default(),
            Paint::Added => AnsiColor::Green.on_default(),
            Paint::HunkHeader => AnsiColor::Cyan.on_default(),
            Paint::FileHeader => AnsiStyle::new().bold(),
            Paint::Offset => AnsiColor::Green.on_default(),
            Paint::Match => AnsiColor::Red.on_default().bold(),
            Paint::Path => AnsiColor::Magenta.on_default(),
            Paint::LineNumber => AnsiColor::Green.on_default(),
        }
    }
}

/// Writes `line` and a newline to standard error, with what could talk to a terminal escaped
/// when standard error is one: the last guard for a name that reached a message without going
/// through `files::name::Name` (see `say!`).
pub fn say(line: &str) {
    eprintln!("{}", crate::files::name::for_stderr(line));
}

/// Whether `--color auto` colours standard output: anstream looks for a terminal and honours
/// `NO_COLOR`, `CLICOLOR_FORCE` and `TERM=dumb`.
pub fn stdout_wants_color() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
}

/// `word`, with an `s` unless `count` is 1: `1 file`, `2 files`.
pub fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

/// Writes `bytes` as Python's `repr(bytes)` does: `b'...'`, switching to double quotes when the
/// data holds a single quote and no double quote; `\t \n \r \\` and the quote escaped, other
/// bytes outside printable ASCII as `\xNN` in lower case.
pub fn write_repr(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut buf = Vec::with_capacity(bytes.len() + 3);
    buf.push(b'b');
    buf.push(quote);
    for &byte in bytes {
        match byte {
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            _ if byte == quote => buf.extend_from_slice(&[b'\\', quote]),
            0x20..=0x7e => buf.push(byte),
            _ => write!(buf, "\\x{byte:02x}")?,
        }
    }
    buf.push(quote);
    out.write_all(&buf)
}

/// Reverse video on and off: marks changed bytes without touching the line's colour.
const HIGHLIGHT: (&str, &str) = ("\x1b[7m", "\x1b[27m");

/// One line of `xxd`: offset, eight groups of two bytes, two spaces, the printable text. Bytes
/// for which `marked` is true are wrapped in `marks` (empty strings when colour is off).
fn write_hex_line(
    line: &mut Vec<u8>,
    offset: u64,
    chunk: &[u8],
    marked: impl Fn(usize) -> bool,
    (on, off): (&str, &str),
) -> io::Result<()> {
    write!(line, "{offset:08x}:")?;
    for i in 0..16 {
        if i % 2 == 0 {
            line.push(b' ');
        }
        match chunk.get(i) {
            Some(byte) if marked(i) => write!(line, "{on}{byte:02x}{off}")?,
            Some(byte) => write!(line, "{byte:02x}")?,
            None => line.extend_from_slice(b"  "),
        }
    }
    line.extend_from_slice(b"  ");
    for (i, &byte) in chunk.iter().enumerate() {
        let shown = if (0x20..=0x7e).contains(&byte) {
            byte
        } else {
            b'.'
        };
        if marked(i) {
            write!(line, "{on}{}{off}", char::from(shown))?;
        } else {
            line.push(shown);
        }
    }
    Ok(())
}

/// Bytes as ripgrep's JSON does: `{"text": ...}` when valid UTF-8, else `{"base64": ...}`.
pub fn json_bytes(bytes: &[u8]) -> Value {
    match std::str::from_utf8(bytes) {
        Ok(text) => json!({ "text": text }),
        Err(_) => json!({ "base64": base64::engine::general_purpose::STANDARD.encode(bytes) }),
    }
}

/// A path as JSON: `{"text": ...}` or, for a name that is not UTF-8, `{"base64": ...}`.
pub fn json_path(path: &std::path::Path) -> Value {
    use std::os::unix::ffi::OsStrExt;
    json_bytes(path.as_os_str().as_bytes())
}

#[cfg(test)]
mod name_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
