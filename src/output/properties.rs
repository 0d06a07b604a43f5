use super::*;
use proptest::prelude::*;

/// Reads a Python bytes literal back, by the escaping rules of `repr(bytes)`.
fn parse_literal(text: &str) -> Vec<u8> {
    let body = &text[2..text.len() - 1];
    let raw = body.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] != b'\\' {
            out.push(raw[i]);
            i += 1;
            continue;
        }
        match raw[i + 1] {
            b'x' => {
                out.push(u8::from_str_radix(&body[i + 2..i + 4], 16).unwrap());
                i += 4;
            }
            code => {
                out.push(match code {
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    other => other,
                });
                i += 2;
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(crate::property_config(2000))]

    #[test]
    fn repr_follows_the_documented_rules(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut out = Vec::new();
        write_repr(&mut out, &bytes).unwrap();
        let text = String::from_utf8(out).unwrap();
        // Printable ASCII only, quoted as Python quotes.
        prop_assert!(text.bytes().all(|b| (0x20..=0x7e).contains(&b)));
        let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') { '"' } else { '\'' };
        let opening = format!("b{quote}");
        prop_assert!(text.starts_with(&opening) && text.ends_with(quote));
        prop_assert_eq!(parse_literal(&text), bytes.clone());
        // Byte by byte, as the rules say: named escapes, the quote escaped, printable ASCII
        // as itself, anything else as a lower-case \xNN.
        let body: String = bytes
            .iter()
            .map(|&b| match b {
                b'\t' => "\\t".to_owned(),
                b'\n' => "\\n".to_owned(),
                b'\r' => "\\r".to_owned(),
                b'\\' => "\\\\".to_owned(),
                _ if char::from(b) == quote => format!("\\{quote}"),
                0x20..=0x7e => char::from(b).to_string(),
                _ => format!("\\x{b:02x}"),
            })
            .collect();
        prop_assert_eq!(text, format!("b{quote}{body}{quote}"));
    }
}
