//! Names and text that cannot attack a terminal: on a terminal (a real pseudo-terminal here),
//! control characters, C1 bytes, bytes that are not UTF-8 and bidirectional or invisible format
//! characters in file names are shown escaped, in records, summaries, messages and the review,
//! and so is the matched text the review shows; through a pipe, with `-0` and with `--json`,
//! names stay byte for byte (but for the line escapes every printed name gets).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;

use rexpect::session::{PtySession, spawn_command};

use super::util::{Sandbox, mmt_bin};

/// A name that would set the terminal's title and ring its bell.
const EVIL: &[u8] = b"evil\x1b]0;owned\x07.txt";
/// How the terminal shows it.
const EVIL_SHOWN: &str = "evil\\x1B]0;owned\\x07.txt";
/// A name that would be shown reversed after U+202E ("txt.exe" read as "exe.txt").
const BIDI: &str = "photo\u{202E}gpj.exe";
const BIDI_SHOWN: &str = "photo\\u{202E}gpj.exe";

fn tree() -> Sandbox {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("t")).unwrap();
    fs::write(sb.path("t").join(OsStr::from_bytes(EVIL)), b"needle\n").unwrap();
    fs::write(sb.path("t").join(BIDI), b"needle\n").unwrap();
    fs::write(
        sb.path("t").join(OsStr::from_bytes(b"latin\xe9.txt")),
        b"needle\n",
    )
    .unwrap();
    sb
}

/// `mmt ARGS` in a pseudo-terminal: standard output and standard error are the terminal.
fn on_a_terminal(sb: &Sandbox, args: &[&str]) -> (String, PtySession) {
    let mut cmd = Command::new(mmt_bin());
    cmd.current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .env("TERM", "xterm")
        .args(args);
    let mut session = spawn_command(cmd, Some(30_000)).expect("mmt in a pseudo-terminal");
    let shown = session.exp_eof().expect("mmt ends");
    (shown, session)
}

fn assert_nothing_talks(shown: &str) {
    assert!(
        !shown
            .chars()
            .any(|c| c == '\x1b' || c == '\x07' || c == '\u{202E}'),
        "{shown:?}"
    );
}

#[test]
fn records_and_file_lists_escape_names_on_a_terminal_and_keep_them_in_a_pipe() {
    let sb = tree();
    // A terminal gets a heading above each file's results, as rg gives it: escaped too.
    let (shown, _) = on_a_terminal(&sb, &["--color", "never", "grep", "t", "needle"]);
    assert_nothing_talks(&shown);
    assert!(
        shown.contains(&format!("t/{EVIL_SHOWN}\r\nneedle")),
        "{shown:?}"
    );
    let (shown, _) = on_a_terminal(
        &sb,
        &["--color", "never", "grep", "--no-heading", "t", "needle"],
    );
    assert_nothing_talks(&shown);
    assert!(
        shown.contains(&format!("t/{EVIL_SHOWN}:needle")),
        "{shown:?}"
    );
    assert!(
        shown.contains(&format!("t/{BIDI_SHOWN}:needle")),
        "{shown:?}"
    );
    assert!(shown.contains("t/latin\\xE9.txt:needle"), "{shown:?}");
    let (shown, _) = on_a_terminal(&sb, &["--color", "never", "find", "t", "needle", "-l"]);
    assert_nothing_talks(&shown);
    assert!(shown.contains(&format!("t/{EVIL_SHOWN}")), "{shown:?}");

    // Through a pipe, the name's own bytes; with -0 and --json, exactly.
    let piped = sb.mmt(["grep", "t", "needle"]).output().unwrap();
    let mut evil_record = b"t/".to_vec();
    evil_record.extend_from_slice(EVIL);
    evil_record.extend_from_slice(b":needle\n");
    assert!(
        piped
            .stdout
            .windows(evil_record.len())
            .any(|w| w == evil_record),
        "{:?}",
        String::from_utf8_lossy(&piped.stdout)
    );
    assert!(piped.stdout.windows(12).any(|w| w == b"t/latin\xe9.txt"));
    let listed = sb
        .mmt(["find", "t", "needle", "-l", "-0"])
        .output()
        .unwrap();
    let mut evil_listed = b"t/".to_vec();
    evil_listed.extend_from_slice(EVIL);
    evil_listed.push(0);
    assert!(
        listed
            .stdout
            .windows(evil_listed.len())
            .any(|w| w == evil_listed)
    );
    let json = sb
        .mmt(["--json", "find", "t", "needle", "-l"])
        .output()
        .unwrap();
    let json = String::from_utf8(json.stdout).unwrap();
    assert!(
        json.contains(r#"{"file":{"text":"t/evil\u001b]0;owned\u0007.txt"}}"#),
        "{json}"
    );
}

#[test]
fn summaries_and_messages_escape_names_on_a_terminal() {
    let sb = tree();
    let evil = format!("t/{}", String::from_utf8_lossy(EVIL));
    // A summary (standard error) and an error naming the file.
    let (shown, _) = on_a_terminal(&sb, &["replace", &evil, "needle", "pin"]);
    assert_nothing_talks(&shown);
    assert!(
        shown.contains(&format!("t/{EVIL_SHOWN}: 1 replacement")),
        "{shown:?}"
    );
    let missing = format!("t/{BIDI}.gone\x1b[2J");
    let (shown, _) = on_a_terminal(&sb, &["read", &missing]);
    assert_nothing_talks(&shown);
    assert!(
        shown.contains(&format!("t/{BIDI_SHOWN}.gone\\x1B[2J: cannot open")),
        "{shown:?}"
    );
    // A tree's run: its lines, the reached-twice note and undo's report.
    fs::hard_link(sb.path("t").join(BIDI), sb.path("t/second")).unwrap();
    let (shown, _) = on_a_terminal(&sb, &["replace", "t", "needle", "thread"]);
    assert_nothing_talks(&shown);
    assert!(shown.contains(BIDI_SHOWN), "{shown:?}");
    let (shown, _) = on_a_terminal(&sb, &["undo"]);
    assert_nothing_talks(&shown);
    assert!(
        shown.contains(&format!("{BIDI_SHOWN}: restored")),
        "{shown:?}"
    );
    // Through a pipe, the name as it is (a message is text: a byte that is not UTF-8 is U+FFFD).
    let piped = sb
        .mmt(["replace", &evil, "pin", "needle"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(
        stderr.contains(&format!("{evil}: 1 replacement")),
        "{stderr:?}"
    );
}

#[test]
fn the_review_escapes_names_and_the_text_it_shows() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("t")).unwrap();
    fs::write(
        sb.path("t").join(OsStr::from_bytes(EVIL)),
        "a needle \x1b]0;title\x07 \u{202E}here\n",
    )
    .unwrap();
    let mut cmd = Command::new(mmt_bin());
    cmd.current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .env("TERM", "xterm")
        .args([
            "replace",
            "--interactive",
            "--color",
            "never",
            "t",
            "needle",
            "pin",
        ]);
    let mut session = spawn_command(cmd, Some(30_000)).unwrap();
    let shown = session
        .exp_string("(1/1) Replace this [y,n,a,d,A,q,?]? ")
        .expect("the question");
    assert_nothing_talks(&shown);
    assert!(shown.contains(&format!("t/{EVIL_SHOWN}:1")), "{shown:?}");
    assert!(
        shown.contains("-a needle \\x1B]0;title\\x07 \\u{202E}here"),
        "{shown:?}"
    );
    assert!(
        shown.contains("+a pin \\x1B]0;title\\x07 \\u{202E}here"),
        "{shown:?}"
    );
    session.send("y").unwrap();
    session.flush().unwrap();
    let rest = session.exp_eof().unwrap();
    assert_nothing_talks(&rest);
    // What is written is the file's own bytes, not what was shown.
    assert_eq!(
        fs::read(sb.path("t").join(OsStr::from_bytes(EVIL))).unwrap(),
        "a pin \x1b]0;title\x07 \u{202E}here\n".as_bytes()
    );
}
