use super::*;

fn repr(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    write_repr(&mut out, bytes).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn repr_matches_python() {
    assert_eq!(repr(b"Lorem ipsu"), "b'Lorem ipsu'");
    assert_eq!(repr(b"it's"), "b\"it's\"");
    assert_eq!(repr(b"'\""), "b'\\'\"'");
    assert_eq!(
        repr(b"\x00\n\t\r\\\x7f\xff "),
        "b'\\x00\\n\\t\\r\\\\\\x7f\\xff '"
    );
    assert_eq!(repr(b""), "b''");
}

/// The bytes a hex diff marks are those inside the changed ranges, byte for byte, across
/// line ends, on the first line and the last, however many ranges there are.
#[test]
fn a_hex_diff_marks_exactly_the_changed_bytes() {
    let bytes: Vec<u8> = (0..77u8).collect();
    let changed = [0..1, 3..5, 15..18, 31..33, 40..41, 47..48, 60..70, 76..77];
    let mut printer = Printer::buffered(Style {
        color: true,
        ..Style::default()
    });
    printer
        .hex_diff_side(0, &bytes, b'+', Paint::Added, &changed)
        .unwrap();
    let (out, _) = printer.into_buffers();
    let mut expected = Vec::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        let mut line = vec![b'+'];
        let is_changed = |j: usize| changed.iter().any(|r| r.contains(&(16 * i + j)));
        write_hex_line(&mut line, 16 * i as u64, chunk, is_changed, HIGHLIGHT).unwrap();
        let style = Paint::Added.style();
        expected.extend_from_slice(format!("{style}").as_bytes());
        expected.extend_from_slice(&line);
        expected.extend_from_slice(format!("{style:#}\n").as_bytes());
    }
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&expected)
    );
    // Every range is marked, in the hex and in the text.
    let marked = String::from_utf8_lossy(&out).matches(HIGHLIGHT.0).count();
    assert!(marked >= 2 * changed.len(), "{marked}");
}

#[test]
fn hex_lines_match_xxd() {
    let mut line = Vec::new();
    write_hex_line(&mut line, 28, b"consectetuer adi", |_| false, ("", "")).unwrap();
    assert_eq!(
        String::from_utf8(line).unwrap(),
        "0000001c: 636f 6e73 6563 7465 7475 6572 2061 6469  consectetuer adi"
    );
    let mut short = Vec::new();
    write_hex_line(
        &mut short,
        0x1_0000_0000,
        b"\x00a\xff",
        |i| i == 1,
        ("[", "]"),
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(short).unwrap(),
        "100000000: 00[61] ff                                  .[a]."
    );
}

#[test]
fn json_bytes_follow_ripgrep() {
    assert_eq!(json_bytes(b"hi"), json!({"text": "hi"}));
    assert_eq!(json_bytes(b"\xff"), json!({"base64": "/w=="}));
}
