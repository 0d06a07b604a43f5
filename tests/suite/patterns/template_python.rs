//! NEW under `--regex` follows Python's `re.sub` template for bytes: random templates of
//! Python's spellings (group references, escapes, and what Python refuses) held against
//! `python3`'s `re.sub` through `mmt replace -`: the same bytes out, or both refused.

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;

use super::grep_python::python3;
use super::util::Sandbox;

fn case() -> impl Strategy<Value = (String, String, Vec<u8>)> {
    let pattern = prop::sample::select(vec![
        "(a)(b)?",
        "(?P<n>a|b)(c)?",
        "a",
        "(a)|(b)",
        "(?P<x>[ab])(?P<y>[ab])",
        "((a)(b))",
        "(?<=a)(b)",
    ]);
    let piece = prop::sample::select(vec![
        "x", "-", " ", "\\1", "\\2", "\\3", "\\g<0>", "\\g<1>", "\\g<2>", "\\g<n>", "\\g<x>",
        "\\g<y>", "\\g<z>", "\\\\", "\\n", "\\t", "\\a", "\\0", "\\012", "\\141", "\\-", "\\.",
        "\\q", "\\g", "\\g<", "\\g<1a>", "\\777", "\\10", "\\", "é",
    ]);
    let template = prop::collection::vec(piece, 0..5).prop_map(|p| p.concat());
    let hay = prop::collection::vec(prop::sample::select(vec![b'a', b'b', b'c', b'\n']), 0..12);
    (pattern.prop_map(str::to_owned), template, hay)
}

/// Python's `re.sub(pattern, template, hay)`, or `None` when it refuses the template.
fn python_sub(pattern: &str, template: &str, hay: &[u8]) -> Option<Vec<u8>> {
    let script = "import re,sys\np,t=sys.argv[1].encode(),sys.argv[2].encode()\n\
        try: sys.stdout.buffer.write(re.sub(p,t,sys.stdin.buffer.read()))\n\
        except (re.error, IndexError): sys.exit(3)";
    let mut child = Command::new(python3().expect("checked by the caller"))
        .args(["-c", script, pattern, template])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(hay).unwrap();
    let out = child.wait_with_output().unwrap();
    match out.status.code() {
        Some(0) => Some(out.stdout),
        Some(3) => None,
        other => panic!("python ended with {other:?}"),
    }
}

proptest! {
    #![proptest_config(super::properties::config(64))]

    #[test]
    fn new_follows_python_s_template((pattern, template, hay) in case()) {
        prop_assert!(python3().is_some(), "python3 is this test's reference");
        let sb = Sandbox::new();
        let out = sb
            .mmt(["replace", "-", "--regex", "--", &pattern, &template])
            .write_stdin(hay.clone())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        let mmt = match out.status.code() {
            Some(0 | 1) => Some(out.stdout),
            _ => None,
        };
        let python = python_sub(&pattern, &template, &hay);
        prop_assert_eq!(
            &mmt,
            &python,
            "pattern {:?} template {:?} hay {:?}: {}",
            pattern,
            template,
            hay,
            stderr
        );
    }
}
