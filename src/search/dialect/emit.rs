//! Writing units and classes in a spelling the regex crate reads exactly as Python does.

use std::fmt::Write as _;

/// A class escape (`\d`, `\W`, ...) or a single unit, inside or outside a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ClassItem {
    Unit(u32),
    Category(u8),
}

/// The unit as an ASCII byte, if it is one.
pub(super) fn ascii(unit: u32) -> Option<u8> {
    u8::try_from(unit).ok().filter(u8::is_ascii)
}

/// A unit in a spelling the regex crate reads as exactly that unit, in or out of a class:
/// ASCII letters and digits as themselves, anything else as a hex escape (a byte in a bytes
/// pattern, a code point in a str pattern), so no unit can start Rust-only syntax such as a
/// nested class or a class operator (`[[`, `&&`, `--`, `~~`).
pub(super) fn write_unit(out: &mut String, unit: u32, unicode: bool) {
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
pub(super) fn ascii_category(letter: u8) -> Option<&'static str> {
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

pub(super) fn write_category(out: &mut String, letter: u8) {
    let _ = write!(out, "\\{}", char::from(letter));
}

pub(super) fn write_class_item(
    out: &mut String,
    item: ClassItem,
    unicode: bool,
    ascii_scope: bool,
) {
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
