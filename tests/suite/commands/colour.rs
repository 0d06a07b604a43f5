//! Colour: on when asked (`--color always`) or on a terminal, never in a pipe otherwise, and
//! `NO_COLOR` honoured. Snapshots (insta) pin the coloured and plain forms.

use super::util::{Sandbox, stdout_of};

fn output(sb: &Sandbox, args: &[&str], env: Option<(&str, &str)>) -> String {
    let mut cmd = sb.mmt(args);
    if let Some((key, value)) = env {
        cmd.env(key, value);
    }
    stdout_of(&mut cmd)
}

#[test]
fn previews_and_matches_in_colour_when_asked() {
    let sb = Sandbox::with_fixtures();
    let diff = output(
        &sb,
        &[
            "--color", "always", "--copy", "replace", "crlf.txt", "second", "2nd",
        ],
        None,
    );
    insta::assert_snapshot!("colour_unified_diff", diff.escape_debug().to_string());
    let hex = output(
        &sb,
        &[
            "--copy",
            "replace",
            "binary.bin",
            "MAGIC",
            "magic",
            "--color",
            "always",
        ],
        None,
    );
    insta::assert_snapshot!("colour_hex_diff", hex.escape_debug().to_string());
    let grep = output(
        &sb,
        &["grep", "lorem.txt", r"N\w+", "-b", "--color=always"],
        None,
    );
    insta::assert_snapshot!("colour_grep", grep.escape_debug().to_string());
}

#[test]
fn plain_in_a_pipe_and_with_no_color() {
    let sb = Sandbox::with_fixtures();
    let cases: [&[&str]; 3] = [
        &["--copy", "replace", "crlf.txt", "second", "2nd"],
        &["--copy", "replace", "binary.bin", "MAGIC", "magic"],
        &["grep", "lorem.txt", r"N\w+", "-b"],
    ];
    for args in cases {
        let piped = output(&sb, args, None);
        assert!(!piped.contains('\x1b'), "escape codes in a pipe: {piped:?}");
        let mut auto = args.to_vec();
        auto.extend(["--color", "auto"]);
        assert!(
            output(&sb, &auto, Some(("CLICOLOR_FORCE", "1"))).contains('\x1b'),
            "CLICOLOR_FORCE"
        );
        assert_eq!(
            output(&sb, &auto, Some(("NO_COLOR", "1"))),
            piped,
            "NO_COLOR"
        );
        let mut never = args.to_vec();
        never.extend(["--color", "never"]);
        assert_eq!(output(&sb, &never, Some(("CLICOLOR_FORCE", "1"))), piped);
    }
    insta::assert_snapshot!("plain_unified_diff", output(&sb, cases[0], None));
    insta::assert_snapshot!("plain_grep", output(&sb, cases[2], None));
}
