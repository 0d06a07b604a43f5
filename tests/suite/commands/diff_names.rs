//! A preview names its files as git does: `git apply` and GNU `patch -p1` both take
//! it, whatever bytes the names hold, and leave each file as the real run leaves it.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::util::{Sandbox, require};

/// A name of every kind a header treats apart: plain, a space (git's trailing TAB), a quote, a
/// backslash, a newline, a tab, control bytes, UTF-8 and bytes that are not UTF-8 (git's
/// octal quoting), a space at either end, and a directory with a space.
const NAMES: [&[u8]; 14] = [
    b"plain.txt",
    b"with space.txt",
    b"new\nline.txt",
    b"sp ace\nnl",
    b"q\"uote",
    b"back\\slash",
    b"tab\there",
    b"c\x01\x7f\x1b",
    "\u{e9}t\u{e9}.txt".as_bytes(),
    b"\xff\xfe latin1 \xe9",
    b"trailing ",
    b" leading",
    b"dir with space/f",
    b"deep/er/\"both\" \n",
];

fn at(root: &Path, name: &[u8]) -> PathBuf {
    root.join(OsStr::from_bytes(name))
}

/// The tree under `root/t`, each file with a line to change amid lines of context.
fn plant(root: &Path) {
    for name in NAMES {
        let path = at(&root.join("t"), name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, b"one\ntwo\nthree\nold here\nfour\nold again\n").unwrap();
    }
}

fn applied_by(tool: &str, args: &[&str], diff: &[u8]) -> Sandbox {
    let copy = Sandbox::new();
    plant(copy.dir());
    fs::write(copy.path("preview.diff"), diff).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg("preview.diff")
        .current_dir(copy.dir())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    copy
}

#[test]
fn git_apply_and_patch_take_a_preview_whatever_the_names_hold() {
    require("git", "git apply is this test's reference");
    require("patch", "GNU patch is this test's reference");
    let sb = Sandbox::new();
    plant(sb.dir());
    let preview = sb
        .mmt(["--copy", "replace", "t", "old", "new"])
        .output()
        .unwrap();
    assert_eq!(preview.status.code(), Some(0), "{preview:?}");
    let diff = preview.stdout;
    // Each file once, and no name spelled with U+FFFD.
    let headers = diff
        .split(|&b| b == b'\n')
        .filter(|l| l.starts_with(b"--- "));
    assert_eq!(headers.count(), NAMES.len());
    assert!(!diff.windows(3).any(|w| w == "\u{fffd}".as_bytes()));

    let by_git = applied_by("git", &["apply"], &diff);
    let by_patch = applied_by("patch", &["-p1", "--batch", "-i"], &diff);
    sb.mmt(["replace", "t", "old", "new"]).assert().success();
    for name in NAMES {
        let real = fs::read(at(&sb.path("t"), name)).unwrap();
        assert_eq!(real, b"one\ntwo\nthree\nnew here\nfour\nnew again\n");
        for (tool, copy) in [("git apply", &by_git), ("patch -p1", &by_patch)] {
            let file = at(&copy.path("t"), name);
            assert_eq!(fs::read(&file).unwrap(), real, "{tool}: {name:?}");
        }
    }
    // Nothing else made, by a tool that could not find a file by its name.
    for copy in [&by_git, &by_patch] {
        let made = Command::new("find")
            .args(["t", "-type", "f", "-print0"])
            .current_dir(copy.dir())
            .output()
            .unwrap();
        let files = made.stdout.iter().filter(|&&b| b == 0).count();
        assert_eq!(
            files,
            NAMES.len(),
            "{}",
            String::from_utf8_lossy(&made.stdout)
        );
    }
}

#[test]
fn a_header_with_a_space_ends_in_a_tab_and_other_names_are_quoted_as_git_quotes_them() {
    let sb = Sandbox::new();
    plant(sb.dir());
    let out = sb
        .mmt(["--copy", "replace", "t", "old", "new"])
        .output()
        .unwrap();
    let diff = out.stdout;
    let has = |line: &[u8]| diff.windows(line.len()).any(|w| w == line);
    for line in [
        &b"--- a/t/with space.txt\t\n+++ b/t/with space.txt\t\n"[..],
        b"--- \"a/t/new\\nline.txt\"\n+++ \"b/t/new\\nline.txt\"\n",
        b"--- \"a/t/c\\001\\177\\033\"\n",
        b"--- \"a/t/\\377\\376 latin1 \\351\"\t\n",
        b"--- \"a/t/\\303\\251t\\303\\251.txt\"\n",
        b"--- \"a/t/trailing \"\t\n",
        b"--- a/t/plain.txt\n",
    ] {
        assert!(
            has(line),
            "{:?} not in {}",
            String::from_utf8_lossy(line),
            String::from_utf8_lossy(&diff)
        );
    }
}
