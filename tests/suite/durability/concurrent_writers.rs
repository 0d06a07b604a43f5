//! A rewrite never loses what another process writes to the file meanwhile: a
//! writer that holds the file open is refused before anything is written; one that opens it
//! during the rewrite (a logger appending) stops the rewrite; where no lease can be had, a
//! write that slips in before the rename is caught after it and the old file put back.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::util::{Sandbox, assert_error, start_paused_with};

/// Appends `line` to `path`, opening it anew as a logger does.
fn append(path: &std::path::Path, line: &str) {
    let mut file = OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(line.as_bytes()).unwrap();
}

#[test]
fn a_writer_that_holds_the_file_open_is_refused_and_keeps_its_writes() {
    let sb = Sandbox::new();
    sb.write("log", b"one NEEDLE\n");
    let mut writer = OpenOptions::new()
        .append(true)
        .open(sb.path("log"))
        .unwrap();
    let out = sb.mmt(["replace", "log", "NEEDLE", "X"]).output().unwrap();
    assert_error(&out, "log: another process has the file open for writing");
    writer.write_all(b"two\n").unwrap();
    drop(writer);
    assert_eq!(sb.read("log"), b"one NEEDLE\ntwo\n");
    assert_eq!(sb.listing(), ["log"]);
    // Once the writer has closed it, the same rewrite goes through.
    sb.mmt(["replace", "log", "NEEDLE", "X"]).assert().success();
    assert_eq!(sb.read("log"), b"one X\ntwo\n");
}

#[test]
fn a_writer_that_opens_the_file_during_the_rewrite_stops_it() {
    let sb = Sandbox::new();
    sb.write("log", b"one NEEDLE\n");
    // Held while its temporary file exists, until a writer comes (or a minute passes).
    let child = sb.spawn_paused(&["replace", "log", "NEEDLE", "X"], "in-rewrite");
    assert!(sb.listing().iter().any(|n| n.ends_with(".mmt-tmp")));
    // This open waits for mmt to give its lease back, which it does as soon as it sees it
    // broken: well before the hold would give up.
    let path = sb.path("log");
    let started = Instant::now();
    let writer = std::thread::spawn(move || append(&path, "two\n"));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "mmt sat out its hold"
    );
    assert_error(
        &out,
        "another process opened the file for writing during the rewrite",
    );
    assert_eq!(sb.read("log"), b"one NEEDLE\ntwo\n");
    assert_eq!(sb.listing(), ["log"]);
}

#[test]
fn without_a_lease_a_write_just_before_the_rename_puts_the_old_file_back() {
    for journal in [true, false] {
        let sb = Sandbox::new();
        sb.write("log", b"one NEEDLE\n");
        let mut args = vec!["replace", "log", "NEEDLE", "X"];
        if !journal {
            args.insert(0, "--no-journal");
        }
        let env = [("MMT_TEST_NO_LEASE", "1")];
        let child = start_paused_with(&sb, sb.state(), &args, "before-rename", &env);
        // Past every check mmt makes before the rename: only the check after it can see this.
        append(&sb.path("log"), "two\n");
        child.release();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "journal {journal}: {stderr}");
        assert!(
            stderr.contains("another process opened the file for writing"),
            "journal {journal}: {stderr}"
        );
        assert_eq!(sb.read("log"), b"one NEEDLE\ntwo\n", "journal {journal}");
        assert_eq!(sb.listing(), ["log"], "journal {journal}");
    }
}

/// A file of numbered lines with a needle in each, about 2 MiB.
fn log_with_needles() -> Vec<u8> {
    let mut text = Vec::new();
    for i in 0..100_000 {
        writeln!(text, "{i:08} NEEDLE here").unwrap();
    }
    text
}

#[test]
fn a_logger_appending_during_rewrites_never_loses_a_line() {
    let old = log_with_needles();
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..12 {
        let sb = Sandbox::new();
        sb.write("log", &old);
        let stop = Arc::new(AtomicBool::new(false));
        let appender = {
            let (path, stop) = (sb.path("log"), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut written = Vec::new();
                let mut n = 0;
                // Some rounds the logger starts late, after mmt may have finished: then the
                // rewrite lands and the lines go to the new file.
                std::thread::sleep(Duration::from_millis(round % 4 * 15));
                while !stop.load(Ordering::Relaxed) {
                    let line = format!("appended {round} {n}\n");
                    append(&path, &line);
                    written.push(line);
                    n += 1;
                    std::thread::sleep(Duration::from_micros(500));
                }
                written
            })
        };
        let out = sb
            .mmt(["replace", "log", "NEEDLE", "NEEDLE_LONGER"])
            .output()
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        let appended: String = appender.join().unwrap().concat();
        let now = sb.read("log");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail = &now[now.len() - appended.len()..];
        assert_eq!(
            tail,
            appended.as_bytes(),
            "round {round}: lines lost or out of order ({stderr})"
        );
        let outcome = match out.status.code() {
            Some(0) => "rewritten, exit 0",
            Some(2) => {
                // The logger's own lines are checked above; a refusal names the file.
                assert!(stderr.starts_with("mmt: log: "), "{stderr}");
                assert_eq!(&now[..old.len()], old.as_slice(), "round {round}");
                "refused, exit 2"
            }
            other => panic!("round {round}: exit {other:?}: {stderr}"),
        };
        let names = sb.listing();
        assert_eq!(names, ["log"], "round {round}");
        *outcomes.entry(outcome).or_insert(0) += 1;
        let _ = fs::remove_file(sb.path("log"));
    }
    // Two rounds whose moment is held by a seam, so that each outcome is seen whatever the
    // timing: the logger opens the file while mmt is paused in its rewrite (the lease breaks:
    // refused), and the logger starts once mmt is done (rewritten).
    for (paused, expected) in [(true, "refused, exit 2"), (false, "rewritten, exit 0")] {
        let sb = Sandbox::new();
        sb.write("log", &old);
        let args = ["replace", "log", "NEEDLE", "NEEDLE_LONGER"];
        let out = if paused {
            let child = sb.spawn_paused(&args, "in-rewrite");
            // Waits in `open` until mmt gives its lease back.
            append(&sb.path("log"), "appended while paused\n");
            child.wait_with_output().unwrap()
        } else {
            let out = sb.mmt(args).output().unwrap();
            append(&sb.path("log"), "appended after\n");
            out
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        let outcome = match out.status.code() {
            Some(0) => "rewritten, exit 0",
            Some(2) => "refused, exit 2",
            other => panic!("exit {other:?}: {stderr}"),
        };
        assert_eq!(outcome, expected, "{stderr}");
        // The logger's line is there, after the old content or the new.
        let (before, line) = if paused {
            (old.clone(), &b"appended while paused\n"[..])
        } else {
            let new = String::from_utf8_lossy(&old).replace("NEEDLE", "NEEDLE_LONGER");
            (new.into_bytes(), &b"appended after\n"[..])
        };
        assert_eq!(sb.read("log"), [before, line.to_vec()].concat());
        assert_eq!(sb.listing(), ["log"]);
        *outcomes.entry(outcome).or_insert(0) += 1;
    }
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
}
