use super::*;
use proptest::prelude::*;
use similar::{ChangeTag, TextDiff};

/// The unified diff of two whole texts as `similar` groups it: the general path.
fn general_diff(old: &[u8], new: &[u8]) -> String {
    let mut out = String::from("--- a/f\n+++ b/f\n");
    let diff = TextDiff::from_lines(old, new);
    for group in diff.grouped_ops(CONTEXT_LINES) {
        let (first, last) = (&group[0], &group[group.len() - 1]);
        let old_span = first.old_range().start..last.old_range().end;
        let new_span = first.new_range().start..last.new_range().end;
        let mut header = b"@@ -".to_vec();
        push_hunk_range(&mut header, old_span.start, old_span.len());
        header.extend_from_slice(b" +");
        push_hunk_range(&mut header, new_span.start, new_span.len());
        header.extend_from_slice(b" @@\n");
        out += std::str::from_utf8(&header).unwrap();
        for op in &group {
            for change in diff.iter_changes(op) {
                out.push(match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                });
                out += std::str::from_utf8(change.value()).unwrap();
                if !change.value().ends_with(b"\n") {
                    out += "\n\\ No newline at end of file\n";
                }
            }
        }
    }
    out
}

/// The name of a `--- ` or `+++ ` line as a reader takes it: after `lead`, a C-quoted
/// string unquoted, or the bare rest up to a TAB with no space at its end (GNU patch).
fn header_name(line: &[u8], lead: &[u8]) -> Vec<u8> {
    let rest = line.strip_prefix(lead).expect("a header line");
    let Some(quoted) = rest.strip_prefix(b"\"") else {
        let bare = rest.split(|&b| b == b'\t').next().unwrap_or_default();
        assert!(
            !bare.ends_with(b" "),
            "a bare name that patch would cut: {line:?}"
        );
        return bare.to_vec();
    };
    let mut name = Vec::new();
    let mut bytes = quoted.iter().copied();
    while let Some(b) = bytes.next() {
        match b {
            b'"' => return name,
            b'\\' => {
                let escaped = bytes.next().expect("an escape");
                name.push(match escaped {
                    b'a' => 7,
                    b'b' => 8,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'v' => 11,
                    b'f' => 12,
                    b'r' => b'\r',
                    b'0'..=b'3' => {
                        let digits = [escaped, bytes.next().unwrap(), bytes.next().unwrap()];
                        digits.iter().fold(0u8, |n, d| n * 8 + (d - b'0'))
                    }
                    other => other,
                });
            }
            _ => name.push(b),
        }
    }
    panic!("an unclosed quote: {line:?}");
}

proptest! {
    #![proptest_config(crate::property_config(1000))]

    /// A diff header names the file as git and GNU patch read it back: a bare name ends
    /// at a TAB or the line's end and keeps no trailing space; a quoted one is unquoted
    /// as C unquotes it. Either way, the path's own bytes, less a leading `./` or `/`.
    #[test]
    fn a_header_names_the_file_as_a_reader_unquotes_it(
        path in prop::collection::vec(prop_oneof![
            Just(b' '), Just(b'\t'), Just(b'\n'), Just(b'"'), Just(b'\\'), Just(b'a'), Just(b'/'),
            Just(b'.'), Just(0u8), Just(1u8), Just(0x7f), Just(0xc3), Just(0xa9), Just(0xff),
        ], 1..12),
    ) {
        let header = unified::file_header(&path);
        let lines: Vec<&[u8]> = header.split(|&b| b == b'\n').collect();
        prop_assert_eq!(lines.len(), 3);
        let mut expected = &path[..];
        while let Some(rest) = expected.strip_prefix(b"./") {
            expected = rest;
        }
        while let Some(rest) = expected.strip_prefix(b"/") {
            expected = rest;
        }
        for (line, side) in [(lines[0], &b"--- a/"[..]), (lines[1], b"+++ b/")] {
            let name = header_name(line, &side[..4]);
            prop_assert!(name.starts_with(&side[4..]), "{:?}", line);
            prop_assert_eq!(&name[2..], expected, "{:?}", line);
            // A TAB after the name exactly when it holds a space.
            prop_assert_eq!(line.ends_with(b"\t"), expected.contains(&b' '));
            // Every byte of the line is printable ASCII but the TAB.
            prop_assert!(line.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\t'));
        }
    }

    /// Text whose edits take out text and put in text stays text: the shortcut of the
    /// text-or-binary walk never calls binary data text.
    #[test]
    fn swapping_whole_text_for_text_keeps_text(
        hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(b'\n')], 0..40),
        needle in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8)], 1..3),
        replacement in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(0u8)], 0..3),
    ) {
        let plan = Plan::literal(&hay, &needle, &replacement, usize::MAX);
        let region = covering(&plan, 0..hay.len());
        if is_text(&hay) && swaps_whole_text(&hay, &plan, &region) {
            prop_assert!(is_text(&plan.render(&hay, 0..hay.len())));
        }
    }

    /// A preview rendered in jobs (down to a byte each) on several threads is the preview
    /// rendered on one: text or hex, lines kept or not, whatever the jobs' edges split
    /// (line numbers that depend on every job before, a hunk's context across jobs).
    #[test]
    fn a_preview_shared_among_threads_is_the_one_thread_preview(
        words in prop::collection::vec(
            prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n'), Just(b'\n')], 0..12),
            0..40,
        ),
        binary in any::<bool>(),
        needle in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n')], 1..3),
        replacement in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'x'), Just(b'\n')], 0..4),
        threads in 1usize..4,
        job_bytes in 1usize..48,
        remembered in prop_oneof![Just(REMEMBERED_REGIONS), 0usize..3],
        (lines_apart, lines_batch) in prop_oneof![Just((LINES_APART, LINES_BATCH)), (0usize..4, 1usize..5)],
        at in any::<prop::sample::Index>(),
    ) {
        let mut hay = words.join(&b'\n');
        if binary {
            hay.insert(hay.len() / 2, 0);
        }
        // One occurrence at least, so that no case is thrown away.
        let at = at.index(hay.len() + 1);
        hay.splice(at..at, needle.iter().copied());
        let plan = Plan::literal(&hay, &needle, &replacement, usize::MAX);
        let one = super::tests::preview(&hay, &plan);
        let shared = super::tests::preview_shared(&hay, &plan, Sharing { threads, job_bytes, remembered, lines_apart, lines_batch });
        prop_assert_eq!(shared, one);
    }

    /// A text preview is a patch that gives the new text: applied to the old text, hunk by
    /// hunk, with every header's line numbers and counts checked, on one thread or several.
    #[test]
    fn a_text_preview_applied_to_the_old_text_gives_the_new_text(
        words in prop::collection::vec(
            prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'c'), Just(b'\n')], 0..10),
            0..60,
        ),
        needle in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n')], 1..3),
        replacement in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'x'), Just(b'\n')], 0..5),
        threads in 1usize..4,
        job_bytes in prop_oneof![Just(usize::MAX), 1usize..64],
        remembered in prop_oneof![Just(REMEMBERED_REGIONS), 0usize..3],
        (lines_apart, lines_batch) in prop_oneof![Just((LINES_APART, LINES_BATCH)), (0usize..4, 1usize..5)],
        edits_that_change_nothing in any::<bool>(),
    ) {
        let hay = words.join(&b'\n');
        let plan = if edits_that_change_nothing {
            // Every `a` put back as it was, every `b` (and the newline after it) taken out:
            // hunks that start inside their region, past lines edited without a change.
            crate::patch::tests::regex_plan(&hay, "(a)|b\n?", "$1")
        } else {
            Plan::literal(&hay, &needle, &replacement, usize::MAX)
        };
        prop_assume!(!plan.is_empty());
        let new = plan.render(&hay, 0..hay.len());
        let diff = super::tests::preview_shared(&hay, &plan, Sharing { threads, job_bytes, remembered, lines_apart, lines_batch });
        prop_assert_eq!(check::applied(&hay, &diff), Ok(new));
    }

    /// Edits that keep every line a line are shown line for line; with lines that are all
    /// different (so that no common line can be paired another way) that is the diff the
    /// general path finds, hunk for hunk.
    #[test]
    fn line_for_line_diffs_are_the_general_diffs(
        words in prop::collection::vec(prop::collection::vec(prop_oneof![Just('a'), Just('b')], 0..4), 1..60),
        final_newline in any::<bool>(),
    ) {
        let mut old = String::new();
        for (n, word) in words.iter().enumerate() {
            old += &format!("{n}:{}\n", word.iter().collect::<String>());
        }
        if !final_newline {
            old.pop();
        }
        let plan = Plan::literal(old.as_bytes(), b"a", b"c", usize::MAX);
        prop_assume!(!plan.is_empty());
        let new = plan.render(old.as_bytes(), 0..old.len());
        let printed = super::tests::preview(old.as_bytes(), &plan);
        prop_assert_eq!(printed, general_diff(old.as_bytes(), &new));
    }
}
