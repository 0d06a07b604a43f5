//! `mmt replace`: in-place patches, atomic rewrites, and what each does to the file's identity.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use std::time::Duration;

use super::util::{
    LOREM, Paused, Sandbox, assert_error, eventually, is_root, start_paused_with, stdout, stdout_of,
};

fn lorem_replaced(old: &str, new: &str) -> Vec<u8> {
    String::from_utf8(LOREM.to_vec())
        .unwrap()
        .replace(old, new)
        .into_bytes()
}

#[test]
fn same_length_patches_in_place_keeping_the_inode() {
    let sb = Sandbox::with_fixtures();
    let inode = fs::metadata(sb.path("lorem.txt")).unwrap().ino();
    sb.mmt(["replace", "lorem.txt", "consectetuer", "reutetcesnoc"])
        .assert()
        .success()
        .stderr("lorem.txt: 2 replacements\n");
    assert_eq!(
        sb.read("lorem.txt"),
        lorem_replaced("consectetuer", "reutetcesnoc")
    );
    assert_eq!(fs::metadata(sb.path("lorem.txt")).unwrap().ino(), inode);
}

#[test]
fn length_changes_rewrite_atomically_and_leave_no_temporary_file() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["replace", "lorem.txt", "Vivamus", "Viv"])
        .assert()
        .success()
        .stderr("lorem.txt: 3 replacements\n");
    assert_eq!(sb.read("lorem.txt"), lorem_replaced("Vivamus", "Viv"));
    sb.mmt(["replace", "lorem.txt", "a", "AAAA"])
        .assert()
        .success();
    assert_eq!(
        sb.read("lorem.txt"),
        lorem_replaced("Vivamus", "Viv")
            .iter()
            .fold(Vec::new(), |mut v, &b| {
                if b == b'a' {
                    v.extend_from_slice(b"AAAA")
                } else {
                    v.push(b)
                }
                v
            })
    );
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn a_large_rewrite_uses_the_kernel_copy_path_correctly() {
    let sb = Sandbox::new();
    let mut big = vec![b'.'; 3 << 20];
    big[100] = b'X';
    big[(3 << 20) - 100] = b'X';
    sb.write("big", &big);
    sb.mmt(["replace", "big", "X", "<x>"]).assert().success();
    let after = sb.read("big");
    assert_eq!(after.len(), big.len() + 4);
    assert_eq!(&after[100..103], b"<x>");
    assert_eq!(&after[after.len() - 102..after.len() - 99], b"<x>");
    assert_eq!(after.iter().filter(|&&b| b == b'.').count(), big.len() - 2);
}

#[test]
fn max_replaces_the_first_n_only() {
    let sb = Sandbox::new();
    sb.write("f", b"a.a.a.a");
    sb.mmt(["replace", "f", "a", "bb", "--max", "2"])
        .assert()
        .success()
        .stderr("f: 2 replacements\n");
    assert_eq!(sb.read("f"), b"bb.bb.a.a");
    sb.age("f");
    let before = sb.mtime("f");
    sb.mmt(["replace", "f", "a", "c", "--max", "0"])
        .assert()
        .code(1);
    assert_eq!(sb.mtime("f"), before);
}

#[test]
fn no_match_is_exit_1_and_leaves_the_file_and_mtime_alone() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.mtime("lorem.txt");
    sb.mmt(["replace", "lorem.txt", "absent", "present"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("lorem.txt: 0 replacements\n");
    assert_eq!(sb.mtime("lorem.txt"), before);
    assert_eq!(sb.read("lorem.txt"), LOREM);
}

#[test]
fn expect_refuses_a_different_count_and_writes_nothing() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.mtime("lorem.txt");
    for new in ["reutetcesnoc", "x"] {
        let out = sb
            .mmt([
                "replace",
                "lorem.txt",
                "consectetuer",
                new,
                "--expect",
                "3",
                "--backup",
                ".bak",
            ])
            .output()
            .unwrap();
        assert_error(
            &out,
            "lorem.txt: expected 3 replacements, found 2; nothing written",
        );
    }
    assert_eq!(sb.mtime("lorem.txt"), before);
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert!(!sb.path("lorem.txt.bak").exists());
    sb.mmt(["replace", "lorem.txt", "consectetuer", "x", "--expect", "2"])
        .assert()
        .success();
}

#[test]
fn copy_previews_a_rewrite_and_changes_nothing() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.mtime("lorem.txt");
    let out = sb
        .mmt(["--copy", "replace", "lorem.txt", "Vivamus mauris. ", ""])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        "--- a/lorem.txt\n+++ b/lorem.txt\n@@ -6,7 +6,7 @@\n \
         lacus. Praesent placerat tortor sed nisl. Nunc blandit diam egestas\n \
         dui. Pellentesque habitant morbi tristique senectus et netus et\n \
         malesuada fames ac turpis egestas. Aliquam viverra fringilla\n\
         -leo. Nulla feugiat augue eleifend nulla. Vivamus mauris. Vivamus sed\n\
         +leo. Nulla feugiat augue eleifend nulla. Vivamus sed\n \
         mauris in nibh placerat egestas. Suspendisse potenti. Mauris\n \
         massa. Ut eget velit auctor tortor blandit sollicitudin. Suspendisse\n \
         imperdiet justo.\n"
    );
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(sb.mtime("lorem.txt"), before);
    // The exit code is the one the real run would give.
    sb.mmt(["--copy", "replace", "lorem.txt", "absent", "x"])
        .assert()
        .code(1);
    let out = sb
        .mmt(["--copy", "replace", "lorem.txt", "a", "b", "--expect", "1"])
        .output()
        .unwrap();
    assert_error(&out, "expected 1 replacement, found");
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn copy_of_binary_data_is_a_hex_diff() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["--copy", "replace", "binary.bin", "MAGIC", "MAGICAL"])
        .assert()
        .success()
        .stdout(
            "@@ 0x104: 5 bytes -> 7 bytes @@\n\
             -00000104: 4d41 4749 43                             MAGIC\n\
             +00000104: 4d41 4749 4341 4c                        MAGICAL\n",
        );
    assert_eq!(sb.read("binary.bin"), super::util::BINARY);
}

#[test]
fn copy_colours_only_when_asked() {
    let sb = Sandbox::with_fixtures();
    let plain = sb
        .mmt(["--copy", "replace", "crlf.txt", "second", "2nd"])
        .output()
        .unwrap();
    assert!(!plain.stdout.contains(&0x1b), "no escape codes in a pipe");
    let coloured = sb
        .mmt([
            "--copy", "--color", "always", "replace", "crlf.txt", "second", "2nd",
        ])
        .output()
        .unwrap();
    let text = stdout(&coloured);
    assert!(text.contains("\x1b[31m-second line\r\x1b[0m\n"), "{text:?}");
    assert!(text.contains("\x1b[32m+2nd line\r\x1b[0m\n"), "{text:?}");
}

#[test]
fn regex_with_groups_in_the_replacement() {
    let sb = Sandbox::new();
    sb.write("app.conf", b"host=a port=80\nport=8080\n");
    sb.mmt([
        "replace",
        "app.conf",
        r"port=(\d+)",
        "port=${1}0",
        "--regex",
    ])
    .assert()
    .success()
    .stderr("app.conf: 2 replacements\n");
    assert_eq!(sb.read("app.conf"), b"host=a port=800\nport=80800\n");
    sb.mmt([
        "replace",
        "app.conf",
        r"(?P<k>\w+)=(?P<v>\w+)",
        "$v=$k",
        "--regex",
        "--max",
        "1",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("app.conf"), b"a=host port=800\nport=80800\n");
    sb.mmt(["replace", "app.conf", r"PORT", "p", "--regex", "-i"])
        .assert()
        .success();
    assert_eq!(sb.read("app.conf"), b"a=host p=800\np=80800\n");
}

#[test]
fn hex_and_escapes() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["replace", "crlf.txt", r"\r\n", r"\n", "--escapes"])
        .assert()
        .success();
    assert_eq!(
        sb.read("crlf.txt"),
        b"first line\nsecond line\nthird line\n"
    );
    sb.mmt(["replace", "binary.bin", "00ff", "ff00", "--hex"])
        .assert()
        .success()
        .stderr("binary.bin: 2 replacements\n");
}

#[test]
fn empty_old_is_an_error() {
    let sb = Sandbox::with_fixtures();
    for args in [
        vec!["replace", "lorem.txt", "", "x"],
        vec!["replace", "lorem.txt", "", "x", "--regex"],
    ] {
        let out = sb.mmt(args).output().unwrap();
        assert_error(&out, "lorem.txt: OLD is empty");
    }
    let out = sb
        .mmt(["replace", "lorem.txt", "(", "x", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "invalid pattern");
}

#[test]
fn backup_keeps_the_original_for_both_paths() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "replace",
        "lorem.txt",
        "Lorem",
        "LOREM",
        "--backup",
        ".orig",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("lorem.txt.orig"), LOREM);
    sb.mmt(["replace", "lorem.txt", "LOREM", "L", "--backup", ".orig"])
        .assert()
        .success();
    assert_eq!(sb.read("lorem.txt.orig"), lorem_replaced("Lorem", "LOREM"));
    assert_eq!(sb.read("lorem.txt"), lorem_replaced("Lorem", "L"));
    assert_eq!(
        sb.listing(),
        [
            "binary.bin",
            "crlf.txt",
            "empty.bin",
            "lorem.txt",
            "lorem.txt.orig"
        ]
    );
}

#[test]
fn a_rewrite_keeps_permission_bits_and_owner() {
    let sb = Sandbox::with_fixtures();
    let path = sb.path("lorem.txt");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    let as_root = is_root();
    if as_root {
        std::os::unix::fs::chown(&path, Some(1234), Some(2345)).unwrap();
    }
    sb.mmt(["replace", "lorem.txt", "Lorem", "L"])
        .assert()
        .success();
    let meta = fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);
    if as_root {
        assert_eq!((meta.uid(), meta.gid()), (1234, 2345));
    }
}

#[test]
fn a_symbolic_link_is_followed_and_stays_a_link() {
    let sb = Sandbox::with_fixtures();
    std::os::unix::fs::symlink("lorem.txt", sb.path("link")).unwrap();
    sb.mmt(["replace", "link", "Lorem", "L"])
        .assert()
        .success()
        .stderr("link: 1 replacement\n");
    assert!(
        fs::symlink_metadata(sb.path("link"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(sb.read("lorem.txt"), lorem_replaced("Lorem", "L"));
}

#[test]
fn hard_links_share_in_place_patches_and_rewrites_and_undo_puts_every_name_back() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("tree")).unwrap();
    fs::create_dir_all(sb.path("elsewhere")).unwrap();
    sb.write("tree/t.txt", LOREM);
    fs::hard_link(sb.path("tree/t.txt"), sb.path("tree/hard.txt")).unwrap();
    fs::hard_link(sb.path("tree/t.txt"), sb.path("elsewhere/outside.txt")).unwrap();
    let inode = || fs::metadata(sb.path("tree/t.txt")).unwrap().ino();
    let before = inode();
    let names = ["tree/t.txt", "tree/hard.txt", "elsewhere/outside.txt"];
    let every_name_holds = |bytes: &[u8]| {
        for name in names {
            assert_eq!(sb.read(name), bytes, "{name}");
            assert_eq!(fs::metadata(sb.path(name)).unwrap().ino(), before, "{name}");
        }
    };
    // Same length: the one inode is patched, every name sees it.
    sb.mmt(["replace", "tree/t.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    every_name_holds(&lorem_replaced("Lorem", "LOREM"));
    // A length change over the tree: the file is reached twice and written once, in place,
    // so that every name, in the tree and outside it, sees the change.
    let out = sb.mmt(["replace", "tree", "LOREM", "L"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 replacement in 1 file"), "{stderr}");
    assert!(stderr.contains("the same file as"), "{stderr}");
    every_name_holds(&lorem_replaced("Lorem", "L"));
    // Longer, through the JSON report (a rewrite, as for any length change).
    let out =
        stdout_of(&mut sb.mmt(["--json", "replace", "tree/hard.txt", "dolor", "DOLOR-DOLOR"]));
    assert!(out.contains(r#""mode":"rewrite""#), "{out}");
    let grown = String::from_utf8(lorem_replaced("Lorem", "L"))
        .unwrap()
        .replace("dolor", "DOLOR-DOLOR");
    every_name_holds(grown.as_bytes());
    // Undo puts every name back, the inode kept: twice, walking back.
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("links kept"));
    every_name_holds(&lorem_replaced("Lorem", "L"));
    sb.mmt(["undo"]).assert().success();
    every_name_holds(&lorem_replaced("Lorem", "LOREM"));
    // Without a journal, and with a backup (a copy: the inode changes under it).
    sb.mmt([
        "--no-journal",
        "replace",
        "tree/t.txt",
        "LOREM",
        "Lorem Lorem",
        "--backup",
        ".bak",
    ])
    .assert()
    .success();
    every_name_holds(
        String::from_utf8(LOREM.to_vec())
            .unwrap()
            .replace("Lorem", "Lorem Lorem")
            .as_bytes(),
    );
    assert_eq!(sb.read("tree/t.txt.bak"), lorem_replaced("Lorem", "LOREM"));
    assert_ne!(
        fs::metadata(sb.path("tree/t.txt.bak")).unwrap().ino(),
        before
    );
    let mut left: Vec<_> = fs::read_dir(sb.path("tree"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["hard.txt", "t.txt", "t.txt.bak"]);
}

#[test]
fn a_hard_linked_rewrite_that_fails_or_is_killed_leaves_every_name_as_it_was() {
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::with_fixtures();
    fs::hard_link(sb.path("lorem.txt"), sb.path("other")).unwrap();
    let inode = fs::metadata(sb.path("lorem.txt")).unwrap().ino();
    // `ulimit -f 1`: the file may not grow past 1 KiB, so the write fails with EFBIG partway;
    // with the journal and without, the old content is put back in the same inode.
    for journal in ["", "--no-journal"] {
        let out = sb
            .bash(&format!(
                r#"ulimit -f 1; exec "$MMT" {journal} replace lorem.txt a AAAAAAAA"#
            ))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{journal}: {stderr}");
        assert!(stderr.contains("lorem.txt"), "{stderr}");
        assert_eq!(sb.read("other"), LOREM, "{journal}: {stderr}");
        assert_eq!(fs::metadata(sb.path("other")).unwrap().ino(), inode);
        assert_eq!(
            sb.listing(),
            ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt", "other"]
        );
    }
    // Killed once the new content is written over the old, before the run commits: the next
    // command rolls it back from the journal's copy.
    let child = sb.spawn_paused(&["replace", "lorem.txt", "Lorem", "L"], "mid-patch");
    // With the journal, the copy of the old content is the journal's: none beside the file.
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt", "other"]
    );
    kill_and_reap(child);
    assert_eq!(sb.read("other"), lorem_replaced("Lorem", "L"));
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(sb.read("other"), LOREM);
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(fs::metadata(sb.path("other")).unwrap().ino(), inode);
}

/// Kills `child` with SIGKILL and waits for it.
fn kill_and_reap(mut child: Paused) {
    child.kill().expect("kill mmt");
    child.wait().expect("reap mmt");
}

#[test]
fn only_regular_files_are_patched() {
    let sb = Sandbox::with_fixtures();
    let out = sb.mmt(["replace", "/dev/null", "a", "b"]).output().unwrap();
    assert_error(&out, "/dev/null: not a regular file (a character device)");
    let out = sb.mmt(["write", ".", "0", "b"]).output().unwrap();
    assert_error(&out, ".: not a regular file (a directory)");
    let out = sb.mmt(["replace", "missing", "a", "b"]).output().unwrap();
    assert_error(&out, "missing: cannot open: No such file or directory");
}

#[test]
fn a_write_failure_leaves_the_original_and_no_temporary_file() {
    // `ulimit -f 1`: files may not grow past 1 KiB, so the rewrite's write fails with EFBIG.
    let sb = Sandbox::with_fixtures();
    let out = sb
        .bash(r#"ulimit -f 1; exec "$MMT" replace lorem.txt a AAAAAAAA"#)
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: cannot write the new content: File too large",
    );
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn json_report() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["--json", "replace", "lorem.txt", "consectetuer", "x"])
        .assert()
        .success()
        .stderr("")
        .stdout("{\"file\":{\"text\":\"lorem.txt\"},\"replacements\":2,\"offsets\":[28,81],\"mode\":\"rewrite\",\"dry_run\":false}\n");
    sb.mmt(["--json", "--copy", "replace", "lorem.txt", "x", "y"])
        .assert()
        .success()
        .stdout("{\"file\":{\"text\":\"lorem.txt\"},\"replacements\":2,\"offsets\":[28,70],\"mode\":\"in-place\",\"dry_run\":true}\n");
}

/// Two runs over the same two files named in opposite orders, each with a state directory of
/// its own, each holding its first file's lock while the other plans: neither waits there for
/// the other (both would, for ever, with a lock per state directory); they take their locks in
/// one order, and both end.
#[test]
fn runs_in_opposite_orders_with_two_state_directories_both_end() {
    let sb = Sandbox::new();
    sb.write("a.txt", b"x\n");
    sb.write("b.txt", b"x\n");
    let states = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    // Each run is held as it comes to plan its second file, its first one locked.
    let start = |files: [&str; 2], new: &str, state: &std::path::Path| {
        let args = ["-j1", "replace", files[0], files[1], "x", new];
        let hold = [("MMT_TEST_HOLD_FILE", files[1])];
        start_paused_with(&sb, state, &args, "planning", &hold)
    };
    let mut one = start(["a.txt", "b.txt"], "y", states[0].path());
    let mut two = start(["b.txt", "a.txt"], "z", states[1].path());
    one.release();
    two.release();
    let mut ended = [None, None];
    eventually("both runs end", Duration::from_secs(20), || {
        for (slot, run) in ended.iter_mut().zip([&mut one, &mut two]) {
            if slot.is_none() {
                *slot = run.try_wait().unwrap();
            }
        }
        ended.iter().all(Option::is_some)
    });
    let codes: Vec<_> = [one, two]
        .map(|run| {
            let out = run.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            (out.status.code(), stderr)
        })
        .into_iter()
        .collect();
    // The first to lock both wrote both; the other found nothing left to replace.
    let (a, b) = (sb.read("a.txt"), sb.read("b.txt"));
    assert_eq!(a, b, "{codes:?}");
    assert!(a == b"y\n" || a == b"z\n", "{codes:?}");
    let mut exits: Vec<Option<i32>> = codes.iter().map(|(code, _)| *code).collect();
    exits.sort();
    assert_eq!(exits, [Some(0), Some(1)], "{codes:?}");
}

#[test]
fn concurrent_replaces_both_land() {
    let sb = Sandbox::new();
    let words: String = (0..12).map(|i| format!("a{i:02} b{i:02}\n")).collect();
    sb.write("shared", words.as_bytes());
    let bin = super::util::mmt_bin();
    let dir = sb.dir().to_path_buf();
    let state = sb.state().to_path_buf();
    let runner = |prefix: char, new_prefix: &'static str| {
        let dir = dir.clone();
        let state = state.clone();
        std::thread::spawn(move || {
            for i in 0..12 {
                // Output captured: a test's run prints nothing of its own.
                let out = std::process::Command::new(bin)
                    .env("MMT_STATE_DIR", &state)
                    .args([
                        "replace",
                        "shared",
                        &format!("{prefix}{i:02}"),
                        &format!("{new_prefix}{i:02}"),
                    ])
                    .current_dir(&dir)
                    .output()
                    .unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert_eq!(out.status.code(), Some(0), "{stderr}");
                assert_eq!(stderr, "shared: 1 replacement\n");
            }
        })
    };
    // One side rewrites (length changes), the other patches in place.
    let rewrites = runner('a', "AAAA");
    let in_place = runner('b', "B");
    rewrites.join().unwrap();
    in_place.join().unwrap();
    let expected: String = (0..12).map(|i| format!("AAAA{i:02} B{i:02}\n")).collect();
    assert_eq!(String::from_utf8(sb.read("shared")).unwrap(), expected);
    assert_eq!(sb.listing(), ["shared"]);
}

#[test]
fn no_progress_bar_in_a_pipe_even_for_large_files() {
    use std::os::unix::fs::FileExt;
    let sb = Sandbox::new();
    let file = fs::File::create(sb.path("big")).unwrap();
    file.set_len(2 << 30).unwrap();
    file.write_all_at(b"NEEDLE", (2 << 30) - 6).unwrap();
    // Closed: a rewrite refuses a file that another process has open for writing.
    drop(file);
    sb.mmt(["replace", "big", "NEEDLE", "NEEDLES"])
        .assert()
        .success()
        .stderr("big: 1 replacement\n");
    sb.mmt(["find", "big", "NEEDLES", "--count"])
        .assert()
        .success()
        .stdout("1\n")
        .stderr("");
}

/// A literal replace of a large file plans on several threads: the file it writes is
/// `bytes.replace`'s, here with occurrences straddling the 8 MiB cuts.
#[test]
fn a_large_file_planned_on_every_core_is_replaced_as_bytes_replace_does() {
    let sb = Sandbox::new();
    let n: usize = 20 << 20;
    let mut data = vec![b'-'; n];
    for cut in [8usize << 20, 16 << 20] {
        data[cut - 40..cut + 41].fill(b'a');
    }
    sb.write("one.txt", &data);
    sb.write("two.txt", &data);
    sb.mmt(["-j", "2", "replace", "one.txt", "aaa", "bbb"])
        .assert()
        .success();
    sb.mmt(["-j", "1", "replace", "two.txt", "aaa", "bbb"])
        .assert()
        .success();
    let mut expected = data.clone();
    for cut in [8usize << 20, 16 << 20] {
        // 81 `a`s: 27 replacements from the run's start.
        expected[cut - 40..cut + 41].fill(b'b');
    }
    assert!(sb.read("one.txt") == expected);
    assert!(sb.read("two.txt") == expected);
}

/// A preview of a dense patch (every third line of 800 KiB changed) is shown a bounded region
/// at a time: the one long hunk is cut between unchanged lines into hunks that meet, and
/// `git apply` of the preview gives what the real replace writes, for the copy-on-write path
/// (same length) and the rendered one. With every line changed there is nowhere to cut: one
/// hunk, which applies too.
#[test]
fn a_dense_preview_is_cut_into_hunks_that_git_apply_takes() {
    super::util::require("git", "git apply is this test's reference");
    let every_third: String = (0..60_000)
        .map(|i| match i % 3 {
            0 => format!("value {i}\n"),
            _ => format!("other {i}\n"),
        })
        .collect();
    let every_line: String = (0..20_000).map(|i| format!("value {i}\n")).collect();
    for (text, new, cut) in [
        (&every_third, "VALUE", true),
        (&every_third, "v", true),
        (&every_line, "VALUE", false),
        (&every_line, "v", false),
    ] {
        let sb = Sandbox::new();
        sb.write("dense.txt", text.as_bytes());
        let preview = sb
            .mmt(["--copy", "replace", "dense.txt", "value", new])
            .output()
            .unwrap();
        assert_eq!(preview.status.code(), Some(0));
        let diff = stdout(&preview);
        let hunks = diff.lines().filter(|l| l.starts_with("@@ ")).count();
        assert_eq!(
            hunks > 1,
            cut,
            "{new}: {hunks} hunks in {} bytes",
            diff.len()
        );
        let copy = Sandbox::new();
        copy.write("dense.txt", text.as_bytes());
        fs::write(copy.path("preview.diff"), &diff).unwrap();
        let applied = std::process::Command::new("git")
            .args(["apply", "--unsafe-paths", "preview.diff"])
            .current_dir(copy.dir())
            .output()
            .unwrap();
        assert!(applied.status.success(), "{new}: {applied:?}");
        sb.mmt(["replace", "dense.txt", "value", new])
            .assert()
            .success();
        assert!(copy.read("dense.txt") == sb.read("dense.txt"), "{new}");
    }
}

/// The JSON report writes its offsets as it reads them from the plan: the same document as
/// the plan holds, with the file's label first when there are many files.
#[test]
fn a_json_report_of_many_offsets_is_one_valid_line() {
    let sb = Sandbox::new();
    let text = "ab\n".repeat(5000);
    fs::create_dir(sb.path("d")).unwrap();
    sb.write("d/one.txt", text.as_bytes());
    sb.write("d/two.txt", b"ab");
    let out = super::util::stdout_of(&mut sb.mmt(["--json", "--copy", "replace", "d", "b", "c"]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let offsets: Vec<String> = (0..5000).map(|i| (3 * i + 1).to_string()).collect();
    assert_eq!(
        lines[0],
        format!(
            "{{\"file\":{{\"text\":\"d/one.txt\"}},\"replacements\":5000,\"offsets\":[{}],\"mode\":\"in-place\",\"dry_run\":true}}",
            offsets.join(",")
        )
    );
    assert_eq!(
        lines[1],
        "{\"file\":{\"text\":\"d/two.txt\"},\"replacements\":1,\"offsets\":[1],\"mode\":\"in-place\",\"dry_run\":true}"
    );
}

/// `replace --regex` plans a large file on several threads; the file it writes is the
/// one-thread result, groups in the template included, for a pattern cut at line ends and for
/// one whose matches cross lines (and so the cuts).
#[test]
fn a_large_regex_replace_planned_on_every_core_writes_what_one_thread_writes() {
    let sb = Sandbox::new();
    let line = format!("key=value other=thing\nx=y\n{}\n", "-".repeat(200));
    let text = line.repeat((17 << 20) / line.len() + 1);
    for (pattern, template) in [(r"(\w+)=(\w+)", "${2}:$1"), (r"(y\n-+)\n(k)", "$2$1")] {
        sb.write("one.txt", text.as_bytes());
        sb.write("two.txt", text.as_bytes());
        for (threads, file) in [("2", "one.txt"), ("1", "two.txt")] {
            sb.mmt(["-j", threads, "replace", "--regex", file, pattern, template])
                .assert()
                .success();
        }
        let expected = if template == "$2$1" {
            text.replace(
                &format!("y\n{}\nk", "-".repeat(200)),
                &format!("ky\n{}", "-".repeat(200)),
            )
        } else {
            text.replace("key=value", "value:key")
                .replace("other=thing", "thing:other")
                .replace("x=y", "y:x")
        };
        assert!(sb.read("one.txt") == expected.as_bytes(), "{pattern}");
        assert!(sb.read("two.txt") == expected.as_bytes(), "{pattern}");
    }
}

/// A preview of a large file is rendered on every core, a run of regions per thread; what it
/// prints is what one thread prints, line numbers and all: a same-length replace (through
/// copy-on-write maps), one that changes lines, and a hex diff of binary data.
#[test]
fn a_large_preview_rendered_on_every_core_prints_what_one_thread_prints() {
    let sb = Sandbox::new();
    let line = "alpha beta\ngamma\n\ndelta alpha\n";
    let text = line.repeat((6 << 20) / line.len());
    sb.write("t.txt", text.as_bytes());
    let mut binary = b"\0MAGIC..".repeat((3 << 20) / 9);
    binary.extend_from_slice(b"tail");
    sb.write("b.bin", &binary);
    for (file, old, new) in [
        ("t.txt", "alpha", "ALPHA"),
        ("t.txt", "beta\\ngamma", "B"),
        ("b.bin", "MAGIC", "MAGIK"),
    ] {
        let outputs: Vec<Vec<u8>> = ["1", "3"]
            .into_iter()
            .map(|threads| {
                let out = sb
                    .mmt([
                        "-j",
                        threads,
                        "--copy",
                        "replace",
                        "--escapes",
                        file,
                        old,
                        new,
                    ])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{file} {old}");
                out.stdout
            })
            .collect();
        assert!(outputs[0].len() > 6 << 20, "{file} {old}");
        assert!(outputs[0] == outputs[1], "{file} {old}: -j1 and -j3 differ");
    }
    // The last hunk of the same-length preview, and its line numbers: the file's last lines.
    let out = sb
        .mmt(["-j", "3", "--copy", "replace", "t.txt", "alpha", "ALPHA"])
        .output()
        .unwrap();
    let lines = text.lines().count();
    let printed = String::from_utf8_lossy(&out.stdout);
    let last_header = printed.lines().rfind(|l| l.starts_with("@@"));
    let (old_side, new_side) = last_header
        .and_then(|h| {
            h.strip_prefix("@@ -")?
                .strip_suffix(" @@")?
                .split_once(" +")
        })
        .unwrap();
    assert_eq!(old_side, new_side);
    let (start, count) = old_side.split_once(',').unwrap();
    let (start, count): (usize, usize) = (start.parse().unwrap(), count.parse().unwrap());
    assert_eq!(
        start + count - 1,
        lines,
        "the last hunk ends at the last line"
    );
    assert_eq!(
        sb.read("t.txt"),
        text.as_bytes(),
        "a preview changes nothing"
    );
}

/// `-q` prints nothing, so a quiet preview renders nothing either; its exit code still tells
/// whether anything would change.
#[test]
fn a_quiet_preview_prints_nothing_and_its_exit_code_tells() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["-q", "--copy", "replace", "lorem.txt", "consectetuer", "X"])
        .assert()
        .success()
        .stdout("")
        .stderr("");
    sb.mmt(["-q", "--copy", "replace", "lorem.txt", "absent", "X"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
}

/// Taking out a last line that has no newline, or putting one in after the last newline,
/// changes the number of lines: the preview says so, as `diff -u` does (it used to panic on
/// the first and show nothing for the second).
#[test]
fn a_preview_of_an_emptied_or_filled_last_line() {
    let sb = Sandbox::new();
    sb.write("a.txt", b"x\na");
    sb.mmt(["--copy", "replace", "a.txt", "a", ""])
        .assert()
        .success()
        .stdout("--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +1 @@\n x\n-a\n\\ No newline at end of file\n");
    sb.write("b.txt", b"x\n");
    sb.mmt(["--copy", "replace", "--regex", "b.txt", r"\Z", "Y"])
        .assert()
        .success()
        .stdout("--- a/b.txt\n+++ b/b.txt\n@@ -1 +1,2 @@\n x\n+Y\n\\ No newline at end of file\n");
}

/// A preview of a few changes far apart in a large file needs memory for the lines it shows,
/// not for the distance between them: under an address-space limit smaller than the file's
/// size twice over, it still works (a buffer sized by the span of a run of regions, or one
/// copy-on-write map over that span, asked for more). The file is sparse: a GiB of zeros
/// between two islands of text, which are all the preview looks at.
#[test]
fn a_sparse_preview_of_a_large_file_needs_no_memory_for_the_gaps() {
    let sb = Sandbox::new();
    let file = std::fs::File::create(sb.dir().join("big.txt")).unwrap();
    let len: u64 = 1 << 30;
    file.set_len(len).unwrap();
    use std::os::unix::fs::FileExt;
    file.write_all_at(b"needle\n\n\n\n", 0).unwrap();
    file.write_all_at(b"\n\n\n\nneedle\n", len - 11).unwrap();
    drop(file);
    // 1.25 GiB: the 1 GiB map, the threads' stacks and the program, and not 1 GiB more.
    let out = sb
        .bash(r#"ulimit -v 1310720; exec "$MMT" -j2 --copy replace big.txt needle NEEDLE"#)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "--- a/big.txt\n+++ b/big.txt\n@@ -1,4 +1,4 @@\n-needle\n+NEEDLE\n \n \n \n\
         @@ -6,4 +6,4 @@\n \n \n \n-needle\n+NEEDLE\n"
    );
}

/// An absolute path's header drops its leading `/`, as git's do (`a/tmp/...`, not
/// `a//tmp/...`), and the diff applies from `/`.
#[test]
fn a_preview_of_an_absolute_path_has_gits_header_and_applies_from_the_root() {
    let sb = Sandbox::new();
    let file = sb.write("notes.txt", b"one foo\ntwo\n");
    let absolute = file.to_str().unwrap().to_owned();
    assert!(absolute.starts_with('/'));
    let out = sb
        .mmt(["--copy", "replace", &absolute, "foo", "a_longer_name"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let diff = String::from_utf8(out.stdout).unwrap();
    let inside = &absolute[1..];
    assert!(
        diff.starts_with(&format!(
            "--- a/{inside}\n+++ b/{inside}\n@@ -1,2 +1,2 @@\n"
        )),
        "{diff}"
    );
    super::util::require("git", "git apply is this test's reference");
    sb.write("preview.diff", diff.as_bytes());
    let applied = Command::new("git")
        .args(["apply", "--unsafe-paths"])
        .arg(sb.path("preview.diff"))
        .current_dir("/")
        .output()
        .unwrap();
    assert!(applied.status.success(), "{applied:?}");
    assert_eq!(sb.read("notes.txt"), b"one a_longer_name\ntwo\n");
}
