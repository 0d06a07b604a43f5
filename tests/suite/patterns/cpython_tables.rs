//! CPython's own table of regular-expression tests (`test/re_tests.py`, 403 cases, the
//! reference of CPython's `test_re`), through the binary: each pattern searched for in its string
//! by `mmt grep --max-count 1`, against what Python's `re.search` finds there (its span and its
//! groups), or Python's refusal. Patterns and strings that are ASCII are bytes patterns, as
//! CPython's test also runs them; the rest run as str patterns (`--unicode`), their offsets in
//! UTF-8.
//!
//! A case mmt refuses although Python runs it is "unsupported"; one where both run and differ,
//! or one refuses and the other does not with Python's own error, "failed". The test prints both
//! lists and holds their sizes to the goals.

use std::process::Command;

use serde_json::Value;

use super::grep_python::python3;
use super::util::Sandbox;

/// Python's answer for every case of the table: `{"pattern", "string" (hex), "unicode",
/// "search": null | [[start, end] | null, ...] | {"error": ...}}`.
const TABLE: &str = r#"
import json, re, warnings
warnings.simplefilter("ignore")
from test.re_tests import tests
out = []
for case in tests:
    pattern, string = case[0], case[1]
    try:
        bpattern, bstring, unicode = pattern.encode("ascii"), string.encode("ascii"), False
    except UnicodeEncodeError:
        bpattern, bstring, unicode = pattern.encode(), string.encode(), True
    try:
        compiled = re.compile(pattern if unicode else bpattern)
        m = compiled.search(string if unicode else bstring)
        if m is None:
            search = None
        else:
            def at(i):
                # In UTF-8 offsets, as mmt gives them.
                return len(string[:i].encode()) if unicode else i
            search = [[at(m.start(g)), at(m.end(g))] if m.start(g) >= 0 else None
                      for g in range(compiled.groups + 1)]
    except (re.error, OverflowError, RecursionError) as err:
        search = {"error": str(err)}
    out.append({"pattern": bpattern.hex(), "string": bstring.hex(), "unicode": unicode, "search": search})
print(json.dumps(out))
"#;

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// What mmt finds: the first match's spans, none, or its refusal.
enum Found {
    Spans(Vec<Option<(u64, u64)>>),
    Nothing,
    Refused(String),
}

fn mmt_search(sb: &Sandbox, pattern: &[u8], unicode: bool) -> Found {
    use std::os::unix::ffi::OsStrExt;
    let mut cmd = sb.mmt(["--json", "grep", "f", "--max-count", "1"]);
    if unicode {
        cmd.arg("--unicode");
    }
    cmd.arg("--").arg(std::ffi::OsStr::from_bytes(pattern));
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    match out.status.code() {
        Some(1) => Found::Nothing,
        Some(0) => {
            let line = String::from_utf8(out.stdout).unwrap();
            let m: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
            let whole = Some((m["offset"].as_u64().unwrap(), m["end"].as_u64().unwrap()));
            let groups = m["groups"].as_array().unwrap().iter().map(|g| {
                (!g.is_null()).then(|| (g["offset"].as_u64().unwrap(), g["end"].as_u64().unwrap()))
            });
            Found::Spans(std::iter::once(whole).chain(groups).collect())
        }
        _ => Found::Refused(stderr.trim().to_owned()),
    }
}

/// How many of the table's cases mmt refuses though Python runs them, and how many differ, at
/// most (the goals of the second engine).
const UNSUPPORTED_AT_MOST: usize = 40;
const FAILED_AT_MOST: usize = 15;

#[test]
fn cpython_re_tests_through_the_binary() {
    let python = python3().expect("python3 is this test's reference");
    let out = Command::new(python).args(["-c", TABLE]).output().unwrap();
    assert!(
        out.status.success(),
        "CPython's test/re_tests.py could not be read (the test package of Python 3.11): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(table.len(), 403, "CPython 3.11's re_tests has 403 cases");
    let sb = Sandbox::new();
    let (mut passed, mut unsupported, mut failed) = (0, Vec::new(), Vec::new());
    for case in &table {
        let pattern = unhex(case["pattern"].as_str().unwrap());
        let unicode = case["unicode"].as_bool().unwrap();
        let shown = String::from_utf8_lossy(&pattern).into_owned();
        if pattern.contains(&0) {
            // A pattern with a NUL byte cannot be a command-line argument.
            unsupported.push(format!("{shown:?}: a NUL byte in the pattern"));
            continue;
        }
        sb.write("f", &unhex(case["string"].as_str().unwrap()));
        let expected = &case["search"];
        let python_error = expected.get("error").and_then(Value::as_str);
        let found = mmt_search(&sb, &pattern, unicode);
        let verdict = match (python_error, found) {
            (Some(_), Found::Refused(_)) => Ok(()),
            (Some(error), _) => Err(format!("Python refuses ({error}), mmt runs it")),
            (None, Found::Refused(why))
                if why.contains("not supported") || why.contains("need the backtracking") =>
            {
                unsupported.push(format!("{shown:?}: {why}"));
                continue;
            }
            (None, Found::Refused(why)) => Err(format!("mmt refuses: {why}")),
            (None, Found::Nothing) if expected.is_null() => Ok(()),
            (None, Found::Spans(spans)) => {
                let want: Vec<Option<(u64, u64)>> = expected
                    .as_array()
                    .map(|groups| {
                        groups
                            .iter()
                            .map(|g| {
                                g.as_array()
                                    .map(|s| (s[0].as_u64().unwrap(), s[1].as_u64().unwrap()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if spans == want {
                    Ok(())
                } else {
                    Err(format!("mmt finds {spans:?}, Python {want:?}"))
                }
            }
            (None, Found::Nothing) => Err(format!("mmt finds nothing, Python {expected}")),
        };
        match verdict {
            Ok(()) => passed += 1,
            Err(why) => failed.push(format!("{shown:?}: {why}")),
        }
    }
    println!(
        "CPython re_tests: {} cases, {passed} agree, {} unsupported, {} failed",
        table.len(),
        unsupported.len(),
        failed.len()
    );
    for case in &unsupported {
        println!("unsupported: {case}");
    }
    for case in &failed {
        println!("failed: {case}");
    }
    assert!(
        unsupported.len() <= UNSUPPORTED_AT_MOST,
        "{} unsupported: {unsupported:#?}",
        unsupported.len()
    );
    assert!(
        failed.len() <= FAILED_AT_MOST,
        "{} failed: {failed:#?}",
        failed.len()
    );
}
