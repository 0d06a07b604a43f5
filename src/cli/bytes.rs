//! Command-line values: byte strings (literal, `--hex`, `--escapes`) and numbers (decimal or
//! `0x` hex, with an optional sign).
//!
//! Pure functions over the raw argument bytes, so invalid UTF-8 in an argument is just more bytes.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use anyhow::Result;

/// How a byte string is spelled on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    Literal,
    Hex,
    Escapes,
}

/// The bytes an argument stands for. `what` names the argument in errors ("NEEDLE").
pub fn parse_byte_string(arg: &OsStr, spelling: Spelling, what: &str) -> Result<Vec<u8>> {
    let raw = arg.as_bytes();
    let parsed = match spelling {
        Spelling::Literal => Ok(raw.to_vec()),
        Spelling::Hex => decode_hex(raw),
        Spelling::Escapes => decode_escapes(raw),
    };
    parsed.map_err(|reason| anyhow::anyhow!("invalid {what} {}: {reason}", quoted(raw)))
}

/// Hex digits, optionally separated by spaces, tabs or colons, with an optional `0x` prefix.
pub fn decode_hex(text: &[u8]) -> Result<Vec<u8>, String> {
    let text = text.strip_prefix(b"0x").unwrap_or(text);
    let digits: Vec<u8> = text
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b':'))
        .collect();
    if let Some(bad) = digits.iter().find(|b| !b.is_ascii_hexdigit()) {
        return Err(format!("{} is not a hex digit", quoted(&[*bad])));
    }
    if digits.len() % 2 == 1 {
        return Err("odd number of hex digits".to_owned());
    }
    Ok(digits
        .chunks_exact(2)
        .map(|pair| hex_value(pair[0]) << 4 | hex_value(pair[1]))
        .collect())
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

/// Backslash escapes: `\n \r \t \0 \\ \xNN`; any other byte stands for itself.
pub fn decode_escapes(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let Some((&code, tail)) = rest.split_first() else {
            return Err("a trailing backslash escapes nothing (write \\\\ for a backslash)".into());
        };
        rest = tail;
        out.push(match code {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'0' => 0,
            b'\\' => b'\\',
            b'x' => {
                let pair = rest
                    .get(..2)
                    .filter(|p| p.iter().all(u8::is_ascii_hexdigit));
                let Some(pair) = pair else {
                    return Err("\\x takes exactly two hex digits".into());
                };
                rest = &rest[2..];
                hex_value(pair[0]) << 4 | hex_value(pair[1])
            }
            other => {
                return Err(format!(
                    "unknown escape \\{} (known: \\n \\r \\t \\0 \\\\ \\xNN)",
                    String::from_utf8_lossy(&[other])
                ));
            }
        });
    }
    Ok(out)
}

/// A signed number: decimal or `0x` hex, with an optional leading `-` or `+`.
/// `what` names the value in errors ("offset", "--seek").
pub fn parse_signed(arg: &OsStr, what: &str) -> Result<i64> {
    parse_signed_bytes(arg.as_bytes())
        .map_err(|reason| anyhow::anyhow!("invalid {what} {}: {reason}", quoted(arg.as_bytes())))
}

/// A number that may not be negative, such as a count.
pub fn parse_unsigned(arg: &OsStr, what: &str) -> Result<u64> {
    let invalid =
        |reason: &str| anyhow::anyhow!("invalid {what} {}: {reason}", quoted(arg.as_bytes()));
    let value = parse_number(arg.as_bytes()).map_err(|reason| invalid(&reason))?;
    if value < 0 {
        return Err(invalid("must not be negative"));
    }
    u64::try_from(value).map_err(|_| invalid(TOO_LARGE))
}

/// A cap on a count (`--max`, `--max-count`): none given, or a negative one, means no cap, as
/// Python's `bytes.replace(old, new, -1)` and GNU grep's `-m -1` have it.
pub fn parse_limit(arg: Option<&OsStr>, what: &str) -> Result<usize> {
    let Some(arg) = arg else {
        return Ok(usize::MAX);
    };
    let invalid =
        |reason: &str| anyhow::anyhow!("invalid {what} {}: {reason}", quoted(arg.as_bytes()));
    let value = parse_number(arg.as_bytes()).map_err(|reason| invalid(&reason))?;
    // A cap past the address space caps nothing.
    Ok(usize::try_from(value).unwrap_or(usize::MAX))
}

const TOO_LARGE: &str = "number is too large (more than 64 bits)";

pub fn parse_signed_bytes(text: &[u8]) -> Result<i64, String> {
    i64::try_from(parse_number(text)?).map_err(|_| TOO_LARGE.into())
}

/// Any number from -(2^64 - 1) to 2^64 - 1, for the callers to narrow.
fn parse_number(text: &[u8]) -> Result<i128, String> {
    let (negative, magnitude) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let (radix, digits) = match magnitude
        .strip_prefix(b"0x")
        .or_else(|| magnitude.strip_prefix(b"0X"))
    {
        Some(hex) => (16, hex),
        None => (10, magnitude),
    };
    if digits.is_empty() {
        return Err("expected a decimal or 0x hex number".into());
    }
    let mut value: i128 = 0;
    for &digit in digits {
        let Some(d) = char::from(digit).to_digit(radix) else {
            return Err(format!(
                "expected a decimal or 0x hex number, found {}",
                quoted(&[digit])
            ));
        };
        value = value * i128::from(radix) + i128::from(d);
        if value > i128::from(u64::MAX) {
            return Err(TOO_LARGE.into());
        }
    }
    Ok(if negative { -value } else { value })
}

/// An argument as the user typed it, for error messages: quoted, invalid UTF-8 shown as `\xNN`.
pub fn quoted(raw: &[u8]) -> String {
    // As typed: printable ASCII as it is (a backslash stays one backslash), anything else as
    // \xNN, so the message shows what the shell passed.
    let mut shown = String::with_capacity(raw.len() + 2);
    shown.push('\'');
    for &byte in raw {
        match byte {
            0x20..=0x7e => shown.push(char::from(byte)),
            _ => shown.push_str(&format!("\\x{byte:02x}")),
        }
    }
    shown.push('\'');
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_accepts_the_spec_spellings() {
        for text in ["deadbeef", "de ad be ef", "de:ad:be:ef", "0xDEADBEEF"] {
            assert_eq!(
                decode_hex(text.as_bytes()).unwrap(),
                [0xde, 0xad, 0xbe, 0xef]
            );
        }
        assert_eq!(decode_hex(b"").unwrap(), b"");
    }

    #[test]
    fn hex_rejects_odd_and_foreign_digits() {
        assert_eq!(decode_hex(b"abc").unwrap_err(), "odd number of hex digits");
        assert_eq!(decode_hex(b"zz").unwrap_err(), "'z' is not a hex digit");
    }

    #[test]
    fn escapes_decode_the_documented_set() {
        let decoded = decode_escapes(br"a\n\r\t\0\\\x41\xff").unwrap();
        assert_eq!(decoded, b"a\n\r\t\0\\A\xff");
    }

    #[test]
    fn escapes_reject_what_they_do_not_know() {
        assert!(
            decode_escapes(br"\q")
                .unwrap_err()
                .contains("unknown escape \\q")
        );
        assert!(decode_escapes(br"\x4").is_err());
        assert!(decode_escapes(br"\xzz").is_err());
        assert!(
            decode_escapes(b"ab\\")
                .unwrap_err()
                .contains("trailing backslash")
        );
    }

    #[test]
    fn numbers_take_decimal_hex_and_signs() {
        assert_eq!(parse_signed_bytes(b"10"), Ok(10));
        assert_eq!(parse_signed_bytes(b"-10"), Ok(-10));
        assert_eq!(parse_signed_bytes(b"+0x1F"), Ok(31));
        assert_eq!(parse_signed_bytes(b"-0x10"), Ok(-16));
        assert_eq!(parse_signed_bytes(b"9223372036854775807"), Ok(i64::MAX));
        assert_eq!(parse_signed_bytes(b"-9223372036854775808"), Ok(i64::MIN));
    }

    #[test]
    fn numbers_past_64_bits_are_refused() {
        let err = parse_signed_bytes(b"9223372036854775808").unwrap_err();
        assert!(err.contains("too large"));
        assert!(parse_signed_bytes(b"99999999999999999999999999999999999").is_err());
        assert!(parse_signed_bytes(b"0xffffffffffffffffff").is_err());
    }

    #[test]
    fn numbers_refuse_junk() {
        for junk in ["", "-", "0x", "12x", "1.5", " 1", "--1"] {
            assert!(parse_signed_bytes(junk.as_bytes()).is_err(), "{junk:?}");
        }
    }

    #[test]
    fn limits_take_negatives_as_no_limit() {
        let limit = |text: &str| parse_limit(Some(OsStr::new(text)), "--max");
        assert_eq!(limit("3").unwrap(), 3);
        assert_eq!(limit("0").unwrap(), 0);
        assert_eq!(limit("-1").unwrap(), usize::MAX);
        assert_eq!(limit("-0x10").unwrap(), usize::MAX);
        assert_eq!(limit("18446744073709551615").unwrap(), usize::MAX);
        assert_eq!(parse_limit(None, "--max").unwrap(), usize::MAX);
        let err = limit("x").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid --max 'x': expected a decimal or 0x hex number, found 'x'"
        );
    }

    #[test]
    fn quoting_shows_invalid_utf8_as_escapes() {
        assert_eq!(quoted(b"a\xffb"), "'a\\xffb'");
        assert_eq!(quoted(br"a\qb"), r"'a\qb'");
        assert_eq!(quoted(b"it's\n"), "'it's\\x0a'");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::property_config(2000))]

        #[test]
        fn every_i64_round_trips_in_decimal_and_hex(value in any::<i64>()) {
            prop_assert_eq!(parse_signed_bytes(value.to_string().as_bytes()), Ok(value));
            let sign = if value < 0 { "-" } else { "" };
            let hex = format!("{sign}0x{:x}", value.unsigned_abs());
            prop_assert_eq!(parse_signed_bytes(hex.as_bytes()), Ok(value));
        }

        #[test]
        fn numbers_agree_with_the_standard_parser(text in "[-+]?(0x)?[0-9a-fA-F]{0,22}") {
            let (negative, body) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.strip_prefix('+').unwrap_or(&text)),
            };
            let reference = match body.strip_prefix("0x") {
                Some(hex) => i128::from_str_radix(hex, 16),
                None => body.parse::<i128>(),
            }
            .ok()
            .map(|v| if negative { -v } else { v })
            .and_then(|v| i64::try_from(v).ok());
            prop_assert_eq!(parse_signed_bytes(text.as_bytes()).ok(), reference);
        }

        #[test]
        fn any_bytes_parse_or_fail_cleanly(text in prop::collection::vec(any::<u8>(), 0..40)) {
            let _ = parse_signed_bytes(&text);
            let _ = decode_hex(&text);
            let _ = decode_escapes(&text);
        }

        #[test]
        fn hex_and_escape_spellings_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            let hex: String = bytes.iter().map(|b| format!("{b:02x} ")).collect();
            prop_assert_eq!(decode_hex(hex.as_bytes()).unwrap(), bytes.clone());
            let escaped: String = bytes.iter().map(|b| format!("\\x{b:02X}")).collect();
            prop_assert_eq!(decode_escapes(escaped.as_bytes()).unwrap(), bytes.clone());
            // Bytes other than backslash stand for themselves.
            let plain: Vec<u8> = bytes.iter().copied().filter(|&b| b != b'\\').collect();
            prop_assert_eq!(decode_escapes(&plain).unwrap(), plain);
        }
    }
}
