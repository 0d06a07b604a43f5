//! The second engine against Python's `re`: random patterns built from what needs backtracking
//! (look-ahead and look-behind, backreferences by number and by name, conditionals, atomic
//! groups, possessive quantifiers), over random bytes: the matches and their groups as `mmt grep`
//! finds them, and `re.sub` as `mmt replace -` writes it.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;

use super::grep_python::{agree, mmt_matches, python_matches, python3};
use super::util::Sandbox;

/// A piece a construct wraps: literal text, a class, a group.
fn piece() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "ab", "ba", "[ab]", ".", r"\w", r"\W", "a|b", "(a)", "(b|ab)", "a+", "b?", "a*",
    ])
    .prop_map(str::to_owned)
}

/// A piece of one width, for a look-behind (Python refuses any other, and so must mmt).
fn fixed() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "ab", "[ab]", ".", r"\w", "a|b", "(a)", "ab|ba", "a{2}",
    ])
    .prop_map(str::to_owned)
}

/// One item of a pattern: a construct that needs backtracking, or plain text.
fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        piece(),
        piece().prop_map(|p| format!("(?={p})")),
        piece().prop_map(|p| format!("(?!{p})")),
        fixed().prop_map(|p| format!("(?<={p})")),
        fixed().prop_map(|p| format!("(?<!{p})")),
        // A look-behind of no one width: refused by Python and by mmt.
        Just("(?<=a+)".to_owned()),
        piece().prop_map(|p| format!("({p})\\1")),
        piece().prop_map(|p| format!("(?P<g>{p})x?(?P=g)")),
        (piece(), piece(), piece()).prop_map(|(a, b, c)| format!("({a})?(?(1){b}|{c})")),
        (piece(), piece()).prop_map(|(a, b)| format!("(?P<c>{a})?(?(c){b})")),
        piece().prop_map(|p| format!("(?>{p})")),
        (
            prop::sample::select(vec!["a", "b", "[ab]", "."]),
            prop::sample::select(vec!["*+", "++", "?+", "{1,2}+"])
        )
            .prop_map(|(a, q)| format!("{a}{q}")),
    ]
}

fn case() -> impl Strategy<Value = (String, Vec<&'static str>, Vec<u8>)> {
    let pattern = prop::collection::vec(item(), 1..4).prop_map(|items| items.concat());
    let flags = prop::sample::select(vec![vec![], vec!["i"], vec!["s"], vec!["m"]]);
    let hay = prop::collection::vec(
        prop::sample::select(vec![b'a', b'b', b'A', b'x', b'\n', b' ', 0xff]),
        0..40,
    );
    (pattern, flags, hay)
}

/// Python's `re.sub(pattern, rb'<\g<0>>', hay)`, or `None` when it refuses the pattern.
fn python_sub(pattern: &str, flags: &[&str], hay: &[u8]) -> Option<Vec<u8>> {
    let script = format!(
        "import re,sys; f=0\nfor n in {flags:?}: f|={{'i':re.I,'s':re.S,'m':re.M}}[n]\n\
         try: sys.stdout.buffer.write(re.sub({pattern:?}.encode(), rb'<\\g<0>>', sys.stdin.buffer.read(), flags=f))\n\
         except re.error: sys.exit(3)"
    );
    let mut child = Command::new(python3().expect("checked by the caller"))
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(hay).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code() == Some(0)).then_some(out.stdout)
}

/// `mmt replace - PATTERN '<$0>' --regex` over `hay`.
fn mmt_sub(sb: &Sandbox, pattern: &str, flags: &[&str], hay: &[u8]) -> Option<Vec<u8>> {
    let mut args = vec!["replace", "-", "--regex"];
    for flag in flags {
        args.push(match *flag {
            "i" => "-i",
            "s" => "--dot-all",
            _ => "--multi-line",
        });
    }
    args.extend(["--", pattern, "<$0>"]);
    let out = sb.mmt(&args).write_stdin(hay.to_vec()).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    matches!(out.status.code(), Some(0 | 1)).then_some(out.stdout)
}

proptest! {
    #![proptest_config(super::properties::config(48))]

    #[test]
    fn the_backtracking_engine_matches_python_re((pattern, flags, hay) in case()) {
        prop_assert!(
            python3().is_some(),
            "python3 is not on PATH, and Python's re is this test's reference"
        );
        let sb = Sandbox::new();
        sb.write("f", &hay);
        let expected = python_matches(&pattern, &flags, &hay);
        let got = mmt_matches(&sb, &pattern, &flags);
        agree(&pattern, &flags, &hay, &expected, &got)?;
        // re.sub, where no match is empty (see `agree`).
        if let Ok(matches) = &expected
            && matches.iter().all(|m| matches!(m[0], Some((s, e)) if s < e))
        {
            prop_assert_eq!(
                mmt_sub(&sb, &pattern, &flags, &hay),
                python_sub(&pattern, &flags, &hay),
                "sub: pattern {:?} flags {:?} hay {:?}",
                pattern,
                flags,
                hay
            );
        }
    }
}
