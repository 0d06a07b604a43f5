//! Undo and recovery people can trust: a dry run that changes nothing, undos in a
//! row, undo by ID and by directory, letting a run go, a read that waits for someone else's
//! rollback, and commands that leave unrelated interrupted runs alone.

use std::fs;
use std::time::Duration;

use super::util::{Sandbox, eventually, stdout_of};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The IDs `undo --list --json` shows, newest first, with whether each can be undone.
fn runs(sb: &Sandbox) -> Vec<(String, bool)> {
    let out = sb.mmt(["--json", "undo", "--list"]).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let run: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                run["id"].as_str().unwrap().to_owned(),
                run["can_undo"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_dry_run_of_undo_shows_the_diff_and_changes_nothing() {
    let sb = Sandbox::new();
    sb.write("d.txt", b"one two\n");
    sb.mmt(["replace", "d.txt", "one", "ONE_"])
        .assert()
        .success();
    let before = fs::metadata(sb.path("d.txt")).unwrap().modified().unwrap();
    for flag in ["--dry-run", "--copy"] {
        let out = sb.mmt([flag, "undo"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let diff = String::from_utf8(out.stdout.clone()).unwrap();
        assert!(diff.contains("-ONE_ two\n+one two\n"), "{diff}");
        assert!(
            stderr(&out).contains("would be restored (dry run"),
            "{out:?}"
        );
        assert_eq!(sb.read("d.txt"), b"ONE_ two\n", "{flag} undid the run");
        let after = fs::metadata(sb.path("d.txt")).unwrap().modified().unwrap();
        assert_eq!(before, after);
        assert_eq!(runs(&sb).len(), 1, "the run is still kept");
    }
    // The real undo, then nothing left to preview: exit 1 as the real undo gives.
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("d.txt"), b"one two\n");
    sb.mmt(["--copy", "undo"]).assert().code(1);
}

/// Waits until the file system's clock has moved past `name`'s modification time, so that the
/// next write to it gives it another one (writes within one tick of the kernel's coarse clock
/// share a time, which would hide a check that compares them). Polls a probe file; a few ms.
fn next_tick(sb: &Sandbox, name: &str) {
    let before = fs::metadata(sb.path(name)).unwrap().modified().unwrap();
    eventually("the clock moves on", Duration::from_secs(5), || {
        sb.write(".tick", b"");
        fs::metadata(sb.path(".tick")).unwrap().modified().unwrap() > before
    });
    fs::remove_file(sb.path(".tick")).unwrap();
}

#[test]
fn undos_in_a_row_walk_back_through_in_place_and_rewrite_runs() {
    let sb = Sandbox::new();
    sb.write("f", b"alpha beta gamma\n");
    let steps: [(&str, &str, &[u8]); 4] = [
        ("alpha", "ALPHA", b"ALPHA beta gamma\n"), // in place
        ("beta", "B", b"ALPHA B gamma\n"),         // rewrite
        ("gamma", "GAMMA", b"ALPHA B GAMMA\n"),    // in place, on the rewritten file
        ("ALPHA", "A", b"A B GAMMA\n"),            // rewrite again
    ];
    for (old, new, expected) in steps {
        next_tick(&sb, "f");
        sb.mmt(["replace", "f", old, new]).assert().success();
        assert_eq!(sb.read("f"), expected);
    }
    // An older run is not undoable while a later one changed its file, and --list says which:
    // the run right after it, on the run's one line, and with -v, why.
    let short = stdout_of(&mut sb.mmt(["undo", "--list"]));
    assert_eq!(short.lines().count(), 4, "{short}");
    let text = stdout_of(&mut sb.mmt(["undo", "--list", "-v"]));
    let ids: Vec<String> = runs(&sb).into_iter().map(|(id, _)| id).collect();
    let blocked: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("    can") || l.starts_with("    cannot"))
        .collect();
    assert_eq!(blocked.len(), 4, "{text}");
    assert_eq!(blocked[0], "    can be undone");
    for ((line, later), listed) in blocked[1..].iter().zip(&ids).zip(short.lines().skip(1)) {
        assert!(
            line.ends_with(&format!("by the later run {later} (undo that one first)")),
            "{text}"
        );
        assert!(
            listed.contains(&format!("  undo {later} first  ")),
            "{short}"
        );
    }
    // Undoing an older run by its ID is refused the same way: that run first, not --forget.
    let out = sb.mmt(["undo", &ids[3]]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("undo that run first (mmt undo {})", ids[2])),
        "{out:?}"
    );
    assert!(!stderr(&out).contains("--forget"), "{out:?}");
    let mut expected: Vec<&[u8]> = vec![b"alpha beta gamma\n"];
    expected.extend(steps[..3].iter().map(|s| s.2));
    // Newest first: a rewrite, in place, a rewrite, in place.
    let how = [
        "the old file put back",
        "the old bytes written back",
        "the old file put back",
        "the old bytes written back",
    ];
    for (want, how) in expected.iter().rev().zip(how) {
        // Each undo moves the time, as the second undo of the bug report did.
        next_tick(&sb, "f");
        let out = sb.mmt(["undo"]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("f: restored ({how})")),
            "{out:?}"
        );
        assert_eq!(sb.read("f"), *want);
    }
    sb.mmt(["undo"]).assert().code(1);
}

/// A run recorded by an earlier mmt keeps no list of what its files are after it: an undo after it
/// reads its manifest instead, and the next undo in a row still finds that run undoable.
#[test]
fn undos_in_a_row_work_over_runs_that_kept_no_list_of_their_files() {
    let sb = Sandbox::new();
    sb.write("f", b"alpha beta\n");
    for (old, new) in [("alpha", "ALPHA"), ("beta", "BETA")] {
        next_tick(&sb, "f");
        sb.mmt(["replace", "f", old, new]).assert().success();
    }
    for run in fs::read_dir(sb.state().join("runs")).unwrap().flatten() {
        let _ = fs::remove_file(run.path().join("afters"));
    }
    next_tick(&sb, "f");
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("f"), b"ALPHA beta\n");
    next_tick(&sb, "f");
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("f"), b"alpha beta\n");
}

#[test]
fn a_run_whose_files_changed_is_marked_and_older_runs_are_reached_by_id_then_forgotten() {
    let sb = Sandbox::new();
    sb.write("a.txt", b"first\n");
    sb.write("b.txt", b"second\n");
    sb.mmt(["replace", "a.txt", "first", "FIRST"])
        .assert()
        .success();
    sb.mmt(["replace", "b.txt", "second", "SECOND"])
        .assert()
        .success();
    // As `git checkout b.txt` leaves it: the old content, in a new file.
    fs::remove_file(sb.path("b.txt")).unwrap();
    sb.write("b.txt", b"second\n");
    let listed = runs(&sb);
    assert_eq!(listed.len(), 2);
    assert!(!listed[0].1 && listed[1].1, "{listed:?}");
    let text = stdout_of(&mut sb.mmt(["undo", "--list"]));
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("  cannot be undone  "),
        "{text}"
    );
    let text = stdout_of(&mut sb.mmt(["undo", "--list", "--verbose"]));
    assert!(text.contains("cannot be undone: "), "{text}");
    assert!(text.contains("b.txt changed since the run"), "{text}");
    assert!(text.contains("    can be undone"), "{text}");
    // The newest run cannot be undone, and says how to get past it.
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("b.txt: changed since the run"),
        "{out:?}"
    );
    assert!(stderr(&out).contains("--forget"), "{out:?}");
    // The older run by its ID (a prefix of it is enough when it is unique).
    let (newest, older) = (listed[0].0.clone(), listed[1].0.clone());
    let out = sb.mmt(["undo", &older]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("a.txt"), b"first\n");
    assert_eq!(sb.read("b.txt"), b"second\n");
    // The stuck run let go of.
    let out = sb
        .mmt(["--copy", "undo", "--forget", &newest])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(runs(&sb).len(), 1);
    sb.mmt(["undo", "--forget", &newest]).assert().success();
    assert!(runs(&sb).is_empty());
    let out = sb.mmt(["undo", &newest]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no run"), "{out:?}");
}

#[test]
fn undo_reverts_the_last_run_under_the_current_directory() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("A")).unwrap();
    fs::create_dir_all(sb.path("B")).unwrap();
    sb.write("A/f", b"x\n");
    sb.write("B/g", b"y\n");
    sb.mmt(["replace", "B/g", "y", "Y"]).assert().success();
    sb.mmt(["replace", "A/f", "x", "XX"]).assert().success();
    // From B: the run that touched B/g, not the newer one in A.
    let out = sb.mmt(["undo"]).current_dir(sb.path("B")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("/B/g: restored"), "{}", stderr(&out));
    assert_eq!(sb.read("B/g"), b"y\n");
    assert_eq!(sb.read("A/f"), b"XX\n");
    // Nothing more under B; the run in A is named as reachable.
    let out = sb.mmt(["undo"]).current_dir(sb.path("B")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("mmt undo --list"), "{}", stderr(&out));
    assert_eq!(sb.read("A/f"), b"XX\n");
}

/// A file patched in place, killed halfway: its bytes torn.
fn torn(sb: &Sandbox) -> Vec<u8> {
    let body = "consectetur ".repeat(300_000).into_bytes();
    sb.write("dense.txt", &body);
    let mut child = sb.spawn_paused(
        &["replace", "dense.txt", "consectetur", "CONSECTETUR"],
        "mid-patch",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_ne!(sb.read("dense.txt"), body);
    body
}

#[test]
fn an_unrelated_command_leaves_an_interrupted_run_alone_and_says_so() {
    let sb = Sandbox::new();
    let body = torn(&sb);
    let half = sb.read("dense.txt");
    sb.write("other.txt", b"hello\n");
    let out = sb.mmt(["read", "other.txt"]).output().unwrap();
    assert_eq!(out.stdout, b"hello\n");
    assert!(
        stderr(&out).contains("an interrupted run that touched other files waits"),
        "{out:?}"
    );
    assert_eq!(
        sb.read("dense.txt"),
        half,
        "rolled back by an unrelated read"
    );
    // A command that touches it (here through its directory) rolls it back first.
    let out = sb
        .mmt(["find", ".", "CONSECTETUR", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(stderr(&out).contains("dense.txt: rolled back"), "{out:?}");
    assert_eq!(sb.read("dense.txt"), body);
}

/// The number of the system call `pid` is in (`/proc/PID/syscall`), if it is in one.
#[cfg(target_arch = "x86_64")]
fn in_syscall(pid: u32) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/syscall")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}

#[test]
#[cfg(target_arch = "x86_64")]
fn a_read_waits_for_another_commands_rollback() {
    const FLOCK: u64 = 73;
    let sb = Sandbox::new();
    let body = torn(&sb);
    // Another mmt rolls the run back, and is stopped partway (it holds the run's lock).
    let recover = sb.spawn_paused(&["recover"], "mid-restore");
    let half_restored = sb.read("dense.txt");
    assert_ne!(half_restored, body);
    let mut reader = sb.mmt(["find", "dense.txt", "CONSECTETUR", "--count"]);
    reader.timeout(Duration::from_secs(60));
    let reader = std::thread::spawn(move || reader.output().unwrap());
    // The reader waits on the run's lock (flock), having read nothing.
    eventually(
        "the reader waits for the rollback",
        Duration::from_secs(20),
        || {
            assert!(
                !reader.is_finished(),
                "the reader did not wait for the rollback"
            );
            let pids = fs::read_dir("/proc").unwrap().flatten().filter_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let text = String::from_utf8_lossy(&cmdline).into_owned();
                (text.contains("find\0dense.txt\0CONSECTETUR")).then_some(pid)
            });
            pids.into_iter().any(|pid| in_syscall(pid) == Some(FLOCK))
        },
    );
    // The rollback's process dies: the reader takes the run over and rolls it back itself.
    let mut recover = recover;
    recover.kill().unwrap();
    recover.wait().unwrap();
    let out = reader.join().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    assert_eq!(sb.read("dense.txt"), body);
}

#[test]
fn a_dry_run_of_recover_shows_what_it_would_roll_back() {
    let sb = Sandbox::new();
    let body = torn(&sb);
    let half = sb.read("dense.txt");
    let out = sb.mmt(["--copy", "recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let diff = String::from_utf8_lossy(&out.stdout);
    // One long line: shown as a hex diff of the changed region.
    assert!(diff.contains("-00000000: 434f 4e53"), "{diff}");
    assert!(diff.contains("+00000000: 636f 6e73"), "{diff}");
    assert!(stderr(&out).contains("would be rolled back"), "{out:?}");
    assert_eq!(sb.read("dense.txt"), half);
    sb.mmt(["recover"]).assert().success();
    assert_eq!(sb.read("dense.txt"), body);
}

#[test]
fn an_undo_does_not_make_a_run_whose_file_changed_elsewhere_look_unchanged() {
    // A rewrite, then a change by another program, then an in-place run: undoing the in-place
    // run puts back what the other program wrote, which the rewrite never saw; the rewrite must
    // still refuse, or its undo would throw that change away.
    let sb = Sandbox::new();
    sb.write("f", b"one two\n");
    sb.mmt(["replace", "f", "one", "1"]).assert().success();
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(sb.path("f"))
        .unwrap();
    std::io::Write::write_all(&mut file, b"added by hand\n").unwrap();
    drop(file);
    sb.mmt(["replace", "f", "two", "TWO"]).assert().success();
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("f"), b"1 two\nadded by hand\n");
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr(&out).contains("f: changed since the run"), "{out:?}");
    assert_eq!(sb.read("f"), b"1 two\nadded by hand\n");
}

#[test]
fn an_older_run_on_a_file_a_newer_run_changed_waits_for_that_one() {
    // Two runs on one file, disjoint bytes: the older one cannot be undone by its ID while the
    // newer one's change is there (the file is not as the older run left it); undone in order,
    // both go.
    let sb = Sandbox::new();
    sb.write("f", b"alpha beta\n");
    sb.mmt(["replace", "f", "alpha", "ALPHA"])
        .assert()
        .success();
    next_tick(&sb, "f");
    sb.mmt(["replace", "f", "beta", "BETA"]).assert().success();
    let listed = runs(&sb);
    let out = sb.mmt(["undo", &listed[1].0]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(stderr(&out).contains("f: changed since the run"), "{out:?}");
    assert_eq!(sb.read("f"), b"ALPHA BETA\n");
    next_tick(&sb, "f");
    sb.mmt(["undo", &listed[0].0]).assert().success();
    next_tick(&sb, "f");
    sb.mmt(["undo", &listed[1].0]).assert().success();
    assert_eq!(sb.read("f"), b"alpha beta\n");
}

#[test]
fn a_read_during_a_live_run_neither_waits_nor_rolls_it_back() {
    // A run between writing and committing is live, not interrupted: a command that reads its
    // file goes on at once (it reads what is there, as it would beside any writer), and leaves
    // the run alone.
    let sb = Sandbox::new();
    sb.write("f", b"one two\n");
    let mut live = sb.spawn_paused(&["replace", "f", "one", "ONE"], "before-commit");
    let out = sb
        .mmt(["find", "f", "ONE", "--count"])
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n", "{out:?}");
    assert!(!stderr(&out).contains("rolled back"), "{out:?}");
    assert!(live.try_wait().unwrap().is_none(), "the live run ended");
    live.kill().unwrap();
    live.wait().unwrap();
    // Killed before its commit: now it is interrupted, and the next command rolls it back.
    let out = sb.mmt(["find", "f", "ONE", "--count"]).output().unwrap();
    assert!(stderr(&out).contains("f: rolled back"), "{out:?}");
    assert_eq!(sb.read("f"), b"one two\n");
}

/// Undo writes the old bytes back through windows of the file (8 MiB each): edits on every side
/// of a window's end, a regex's edits of differing old bytes, and a literal's (one old string,
/// with gaps) all come out as the file was.
#[test]
fn undo_of_dense_edits_across_many_windows_puts_back_every_byte() {
    let sb = Sandbox::new();
    // 20 MiB of records whose numbers differ, so each edit's old bytes are its own.
    let mut original = Vec::new();
    let mut n = 0u64;
    while original.len() < 20 << 20 {
        original.extend_from_slice(format!("id={n:07} ").as_bytes());
        n += 1;
    }
    sb.write("dense.txt", &original);
    sb.mmt([
        "-q",
        "replace",
        "dense.txt",
        "--regex",
        r"id=\d+",
        "ID=xxxxxxx",
    ])
    .assert()
    .success();
    let replaced = fs::read(sb.path("dense.txt")).unwrap();
    assert_ne!(replaced, original);
    sb.mmt(["-q", "undo"]).assert().success();
    assert!(fs::read(sb.path("dense.txt")).unwrap() == original);

    // A literal's undo: one old string for every edit, the gaps between them recorded.
    sb.mmt(["-q", "replace", "dense.txt", "id=", "ID="])
        .assert()
        .success();
    sb.mmt(["-q", "undo"]).assert().success();
    assert!(fs::read(sb.path("dense.txt")).unwrap() == original);
}
