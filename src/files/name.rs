//! A file's name as mmt shows it: the name's own bytes, carried as they are and escaped once,
//! when printed, for the stream it goes to.
//!
//! Everywhere a name is escaped so that a record stays on one line and a name cannot forge
//! another: a newline, a carriage return, a tab and a backslash are written `\n`, `\r`, `\t`
//! and `\\`. Where the stream is a terminal, a name cannot talk to the terminal either (fd's
//! rule, its `src/sanitize.rs`): other control characters (ESC, BEL, ...), DEL, C1 controls,
//! bytes that are not UTF-8 and the invisible and bidirectional format characters (U+202E,
//! U+200B, ...) are shown as `\xNN` or `\u{XXXX}`. Pipes and files get the name's bytes with
//! the line escapes only, and `-0` and `--json` the name as it is.

use std::fmt;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A file's name, or `<stdin>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(Vec<u8>);

impl Name {
    pub fn of(path: &Path) -> Name {
        Name(path.as_os_str().as_bytes().to_vec())
    }

    /// The name of standard input in messages and labels.
    pub fn stdin() -> Name {
        Name(b"<stdin>".to_vec())
    }

    /// A name known only as text (a walk's error names its path so).
    pub fn of_text(text: &str) -> Name {
        Name(text.as_bytes().to_vec())
    }

    pub fn of_bytes(bytes: &[u8]) -> Name {
        Name(bytes.to_vec())
    }

    /// The name's own bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// As printed on standard output (a record's `PATH:`, a file listed by `-l`).
    pub fn on_stdout(&self) -> Vec<u8> {
        escaped(&self.0, crate::sys::stdout_is_terminal())
    }

    /// As shown on a terminal, whatever standard output is (the review's `/dev/tty`).
    pub fn on_terminal(&self) -> String {
        String::from_utf8_lossy(&escaped(&self.0, true)).into_owned()
    }
}

/// As written in a message on standard error: text (a byte that is not UTF-8 becomes U+FFFD,
/// or `\xNN` on a terminal).
impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&escaped(
            &self.0,
            crate::sys::stderr_is_terminal(),
        )))
    }
}

/// `name` escaped: the line escapes always, and for a `terminal` what could talk to it.
pub fn escaped(name: &[u8], terminal: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len() + 2);
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\\' => out.extend_from_slice(b"\\\\"),
                _ if terminal && talks_to_a_terminal(c) => escape_char(&mut out, c),
                _ => {
                    let mut utf8 = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
        if terminal {
            for byte in chunk.invalid() {
                out.extend_from_slice(format!("\\x{byte:02X}").as_bytes());
            }
        } else {
            out.extend_from_slice(chunk.invalid());
        }
    }
    out
}

/// Text for a terminal: control characters but newline and tab, and the format characters of
/// [`talks_to_a_terminal`], escaped. The last guard of a message on standard error, for a name
/// that reached it without going through [`Name`].
pub fn for_terminal(text: &str) -> String {
    if !text
        .chars()
        .any(|c| c != '\n' && c != '\t' && talks_to_a_terminal(c))
    {
        return text.to_owned();
    }
    let mut out = Vec::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c != '\n' && c != '\t' && talks_to_a_terminal(c) {
            escape_char(&mut out, c);
        } else {
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Bytes of a file shown on a terminal (a line of the review's hunks): what [`for_terminal`]
/// escapes, and bytes that are not UTF-8 as `\xNN`.
pub fn bytes_for_terminal(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for chunk in text.utf8_chunks() {
        out.extend_from_slice(for_terminal(chunk.valid()).as_bytes());
        for byte in chunk.invalid() {
            out.extend_from_slice(format!("\\x{byte:02X}").as_bytes());
        }
    }
    out
}

/// `text` for standard error: [`for_terminal`] when it is one.
pub fn for_stderr(text: &str) -> std::borrow::Cow<'_, str> {
    if crate::sys::stderr_is_terminal() {
        std::borrow::Cow::Owned(for_terminal(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn escape_char(out: &mut Vec<u8>, c: char) {
    let code = u32::from(c);
    let text = if code <= 0xFF {
        format!("\\x{code:02X}")
    } else {
        format!("\\u{{{code:04X}}}")
    };
    out.extend_from_slice(text.as_bytes());
}

/// Whether a character can change what a terminal shows beyond itself: a control character
/// (C0, DEL, C1: escape sequences, a bell, a title), or an invisible or bidirectional format
/// character (text shown in another order, or not at all).
fn talks_to_a_terminal(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}'                  // soft hyphen
            | '\u{061C}'                // Arabic letter mark
            | '\u{180E}'                // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}'   // zero width, left-to-right and right-to-left marks
            | '\u{202A}'..='\u{202E}'   // bidirectional embeddings and overrides
            | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, isolates
            | '\u{FEFF}'                // byte order mark
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotations
            | '\u{E0000}'..='\u{E007F}' // tags
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(name: &[u8], terminal: bool) -> String {
        String::from_utf8_lossy(&escaped(name, terminal)).into_owned()
    }

    #[test]
    fn off_a_terminal_only_line_breaks_tabs_and_backslashes_are_escaped() {
        assert_eq!(
            escaped(b"a\nb\rc\td\\e\xff\x1b]0;x\x07.txt", false),
            b"a\\nb\\rc\\td\\\\e\xff\x1b]0;x\x07.txt"
        );
        assert_eq!(
            escaped("r\u{202E}txt.exe".as_bytes(), false),
            "r\u{202E}txt.exe".as_bytes()
        );
    }

    #[test]
    fn on_a_terminal_nothing_in_a_name_talks_to_it() {
        // A title set by OSC, a bell, DEL, C1 controls (CSI, OSC), bytes that are not UTF-8.
        assert_eq!(
            shown(b"evil\x1b]0;owned\x07.txt", true),
            "evil\\x1B]0;owned\\x07.txt"
        );
        assert_eq!(shown(b"a\x7fb\x00", true), "a\\x7Fb\\x00");
        assert_eq!(shown("\u{9b}31m\u{9d}".as_bytes(), true), "\\x9B31m\\x9D");
        assert_eq!(shown(b"caf\xe9 \xff", true), "caf\\xE9 \\xFF");
        // Text shown in another order, or not at all.
        assert_eq!(
            shown("gnp\u{202E}exe.txt".as_bytes(), true),
            "gnp\\u{202E}exe.txt"
        );
        assert_eq!(
            shown("a\u{200B}b\u{FEFF}c\u{2066}".as_bytes(), true),
            "a\\u{200B}b\\u{FEFF}c\\u{2066}"
        );
        // Still one line, and what is plain stays plain: accents, CJK, emoji, a space.
        assert_eq!(shown(b"a\nb\tc\\", true), "a\\nb\\tc\\\\");
        for plain in [
            "r\u{e9}sum\u{e9}.pdf",
            "\u{6587}\u{6863}.txt",
            "\u{1F980}.rs",
            "a b",
            "heart\u{2764}\u{FE0F}",
        ] {
            assert_eq!(shown(plain.as_bytes(), true), plain);
        }
    }

    #[test]
    fn a_message_for_a_terminal_keeps_its_lines_and_loses_its_escapes() {
        assert_eq!(
            for_terminal("mmt: a\x1b[2Jb: gone\n"),
            "mmt: a\\x1B[2Jb: gone\n"
        );
        assert_eq!(for_terminal("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(for_terminal("x\u{202E}y"), "x\\u{202E}y");
    }
}
