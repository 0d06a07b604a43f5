//! The second engine through every command: what needs backtracking runs on PCRE2 in `grep`
//! (with lines, context, `-w`, groups, JSON) and `replace` (templates from its groups), the
//! same on every core count over a large file, and a runaway pattern is an error, never a hang.

use super::util::{Sandbox, assert_error};

#[test]
fn grep_with_lines_context_words_groups_and_json() {
    let sb = Sandbox::new();
    sb.write("f", b"let x = 1;\nlet yy = 22;\nconst z = 3;\nlet x = x;\n");
    // A look-behind, with -n and context.
    sb.mmt(["grep", "f", r"(?<=let )\w+", "-n", "-C", "0"])
        .assert()
        .success()
        .stdout("1:let x = 1;\n2:let yy = 22;\n4:let x = x;\n");
    // A backreference: a name assigned to itself.
    sb.mmt(["grep", "f", r"(\w+) = \1;", "-b"])
        .assert()
        .success()
        .stdout("41:x = x;\n");
    // -w around a look-ahead.
    sb.mmt(["grep", "f", r"\d(?=\d)", "-w"]).assert().code(1);
    sb.mmt(["grep", "f", r"\d+(?=;)", "-w", "--count"])
        .assert()
        .success()
        .stdout("3\n");
    // Groups by name in JSON.
    let out = sb
        .mmt(["--json", "grep", "f", r"(?P<name>\w+)(?= = 2)"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "{\"offset\":15,\"end\":17,\"match\":{\"text\":\"yy\"},\"groups\":[{\"offset\":15,\"end\":17,\"data\":{\"text\":\"yy\"},\"name\":\"name\"}]}\n"
    );
    // --group by name.
    sb.mmt(["grep", "f", r"(?P<v>\d+)(?=;)", "--group", "v"])
        .assert()
        .success()
        .stdout("1\n22\n3\n");
}

#[test]
fn replace_expands_templates_from_the_backtracking_engine_s_groups() {
    let sb = Sandbox::new();
    sb.write("f", b"aa bb ab\n");
    sb.mmt(["replace", "f", r"(\w)\1", "<$1>", "--regex"])
        .assert()
        .success();
    assert_eq!(sb.read("f"), b"<a> <b> ab\n");
    sb.mmt([
        "replace",
        "f",
        r"(?<=<)(?P<c>\w)(?=>)",
        "${c}${c}",
        "--regex",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("f"), b"<aa> <bb> ab\n");
    // A template naming a group the pattern lacks is refused, as on the other engine.
    let out = sb
        .mmt(["replace", "f", r"(?<=<)\w+", "$1", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "NEW refers to group 1, but the pattern has no groups");
}

#[test]
fn a_large_file_is_searched_on_every_core_with_the_same_results() {
    let sb = Sandbox::new();
    // 24 MiB: more than the size at which a search is shared among threads.
    let mut text = Vec::new();
    let mut i = 0u64;
    while text.len() < 24 << 20 {
        text.extend_from_slice(format!("id={i} ref={} ", i % 7).as_bytes());
        if i.is_multiple_of(5) {
            text.push(b'\n');
        }
        i += 1;
    }
    sb.write("big", &text);
    let pattern = r"(?<=ref=)(\d)(?= id=\d*\1\b)";
    let counted = |threads: &str| {
        let out = sb
            .mmt(["-j", threads, "grep", "big", pattern, "--count"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let one = counted("1");
    assert_ne!(one, "0\n");
    for threads in ["2", "3", "8"] {
        assert_eq!(counted(threads), one, "-j{threads}");
    }
    let listed = |threads: &str| {
        sb.mmt(["-j", threads, "grep", "big", pattern, "-b"])
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(listed("4"), listed("1"));
}

#[test]
fn runaway_backtracking_is_an_error_naming_the_file_and_the_way_out() {
    let sb = Sandbox::new();
    sb.write("f", &[b'a'; 60]);
    let out = sb.mmt(["grep", "f", "(a|aa)+[^a]", "-P"]).output().unwrap();
    assert_error(
        &out,
        "f: the pattern needs more backtracking than the limit",
    );
    assert_error(&out, "atomic group");
    // -P was not needed: the way out names the linear engine, which finds nothing, at once.
    assert_error(&out, "leave out -P");
    sb.mmt(["grep", "f", "(a|aa)+[^a]"]).assert().code(1);
    // A write writes nothing.
    let out = sb
        .mmt(["replace", "f", "(?<=a)(a|aa)+[^a]", "x", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "the pattern needs more backtracking than the limit");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("leave out -P"));
    assert_eq!(sb.read("f"), [b'a'; 60]);
    // Over many files, the one that gave up is named and the others are searched.
    sb.write("ok", b"abab");
    let out = sb
        .mmt(["grep", "ok", "f", "(?<=a)b", "--count", "-H"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok:2\n");
}

#[test]
fn the_engine_flags_need_regex_and_agree_with_each_other() {
    let sb = Sandbox::new();
    sb.write("f", b"abc");
    let out = sb.mmt(["replace", "f", "b", "x", "-P"]).output().unwrap();
    assert_error(&out, "-P/--pcre2 applies to a regular expression");
    let out = sb
        .mmt(["grep", "f", "b", "-P", "--engine", "linear"])
        .output()
        .unwrap();
    assert_error(&out, "cannot be used with");
    sb.mmt(["grep", "f", "b", "--engine", "backtrack"])
        .assert()
        .success()
        .stdout("b\n");
}
