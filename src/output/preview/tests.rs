use std::ops::Range;

use super::*;

/// The text check keeps its regions for the printing up to the bound, and none past it
/// (memory holds a bounded number), on one thread or with the line regions on several.
#[test]
fn the_text_check_keeps_its_regions_up_to_the_bound() {
    let old = "x\n\n\n\n\n\n\n\n".repeat(5);
    let plan = Plan::literal(old.as_bytes(), b"x", b"y", usize::MAX);
    for (threads, lines_apart) in [(1, LINES_APART), (2, 0)] {
        let kept = |remembered| {
            let sharing = Sharing {
                remembered,
                lines_apart,
                lines_batch: 2,
                ..Sharing::new(threads)
            };
            std::thread::scope(|scope| {
                let (text, regions) =
                    is_text_change(old.as_bytes(), &plan, sharing, scope).unwrap();
                assert!(text);
                regions.map(|regions| regions.iter().map(|r| r.range.clone()).collect::<Vec<_>>())
            })
        };
        let all = kept(5).expect("five regions are kept under a bound of five");
        // Each `x` and the three lines after it, from three lines before it.
        assert_eq!(all, [0..5, 6..14, 15..23, 24..32, 33..41]);
        assert_eq!(kept(4), None);
        assert_eq!(kept(0), None);
    }
}

/// A regex that puts a NUL byte into text makes a binary change: a hex diff, though the
/// old bytes are text and so are those it takes out.
#[test]
fn text_that_a_regex_puts_a_nul_into_is_shown_in_hex() {
    let plan = crate::patch::tests::regex_plan(b"abc\n", "b", "\0");
    let shown = preview(b"abc\n", &plan);
    assert!(shown.starts_with("@@ 0x1: "), "{shown}");
    let plan = crate::patch::tests::regex_plan(b"abc\n", "b", "B");
    assert!(preview(b"abc\n", &plan).starts_with("--- a/f\n"));
}

fn header(name: &[u8]) -> String {
    String::from_utf8(unified::file_header(name)).expect("a header is ASCII")
}

#[test]
fn header_paths_drop_a_leading_dot_slash_and_an_absolute_paths_slash_as_git_does() {
    assert_eq!(header(b"f"), "--- a/f\n+++ b/f\n");
    assert_eq!(header(b"./././d/f"), "--- a/d/f\n+++ b/d/f\n");
    assert_eq!(header(b"/tmp/f"), "--- a/tmp/f\n+++ b/tmp/f\n");
    assert_eq!(header(b"//tmp/./f"), "--- a/tmp/./f\n+++ b/tmp/./f\n");
    assert_eq!(header(b"../f"), "--- a/../f\n+++ b/../f\n");
}

/// What git 2.47 writes for each (`git diff` in a repository holding such names), but for
/// a name that ends in a space.
#[test]
fn header_paths_are_quoted_and_tabbed_as_git_writes_them() {
    let cases: [(&[u8], &str); 12] = [
        (b"with space.txt", "a/with space.txt\t"),
        (b"new\nline.txt", r#""a/new\nline.txt""#),
        (b"sp ace\nnl", "\"a/sp ace\\nnl\"\t"),
        (b"q\"uote", r#""a/q\"uote""#),
        (b"b\\s", r#""a/b\\s""#),
        (b"c\x01\x7f", r#""a/c\001\177""#),
        (b"\x07\x08\t\x0b\x0c\r", r#""a/\a\b\t\v\f\r""#),
        ("é".as_bytes(), r#""a/\303\251""#),
        (b"\xff\xfe", r#""a/\377\376""#),
        // Quoted where git does not: GNU patch cannot find git's `a/trailing \t`.
        (b"trailing ", "\"a/trailing \"\t"),
        (b" lead", "a/ lead\t"),
        (
            b"~plain-._+=@,!#$%&'()*:;<>?[]^`{|}",
            "a/~plain-._+=@,!#$%&'()*:;<>?[]^`{|}",
        ),
    ];
    for (name, a) in cases {
        let b = a.replacen("a/", "b/", 1);
        assert_eq!(header(name), format!("--- {a}\n+++ {b}\n"), "{name:?}");
    }
}

#[test]
fn a_same_length_edit_highlights_only_the_bytes_that_differ() {
    let old = b"\x00\x01MAGIC\x00";
    let plan = Plan::literal(old, b"MAGIC", b"MAGIK", usize::MAX);
    let (old_spans, new_spans) = changed_spans(old, &plan, &covering(&plan, 0..old.len()));
    assert_eq!(old_spans, [6..7]);
    assert_eq!(new_spans, [6..7]);
    let plan = Plan::literal(old, b"MAGIC", b"XAGIX", usize::MAX);
    assert_eq!(
        changed_spans(old, &plan, &covering(&plan, 2..7)).0,
        [0..1, 4..5]
    );
    let plan = Plan::literal(old, b"MAGIC", b"MAGICAL", usize::MAX);
    assert_eq!(
        changed_spans(old, &plan, &covering(&plan, 0..old.len())),
        (vec![2..7], vec![2..9])
    );
    assert_eq!(differing_runs(b"abcd", b"xbxx"), [0..1, 2..4]);
}

pub(super) fn preview(old: &[u8], plan: &Plan) -> String {
    preview_shared(old, plan, Sharing::new(1))
}

pub(super) fn preview_shared(old: &[u8], plan: &Plan, sharing: Sharing) -> String {
    check::preview_of(old, plan, sharing)
}

#[test]
fn unified_diff_with_context_and_line_numbers() {
    let old: Vec<u8> = (1..=20)
        .map(|i| format!("line {i}\n"))
        .collect::<String>()
        .into();
    let plan = Plan::literal(&old, b"line 10\n", b"ten\n", usize::MAX);
    assert_eq!(
        preview(&old, &plan),
        "--- a/f\n+++ b/f\n@@ -7,7 +7,7 @@\n line 7\n line 8\n line 9\n-line 10\n+ten\n line 11\n line 12\n line 13\n"
    );
}

#[test]
fn line_numbers_follow_earlier_hunks_that_add_lines() {
    let old: Vec<u8> = (1..=30)
        .map(|i| format!("l{i}\n"))
        .collect::<String>()
        .into();
    let plan = Plan::literal(&old, b"l2\n", b"l2\nextra\n", usize::MAX);
    let mut edits = plan;
    // A second, independent edit far below.
    let second = Plan::literal(&old, b"l25\n", b"L25\n", usize::MAX);
    let text_one = preview(&old, &edits);
    assert!(text_one.starts_with("--- a/f\n+++ b/f\n@@ -1,5 +1,6 @@\n l1\n l2\n+extra\n"));
    let text_two = preview(&old, &second);
    assert!(text_two.contains("@@ -22,7 +22,7 @@"));
    edits = crate::patch::tests::regex_plan(&old, r"(?m)^l(2|25)\n", "l${1}\nX\n");
    let both = preview(&old, &edits);
    assert!(
        both.contains("@@ -23,6 +24,7 @@\n l23\n l24\n l25\n+X\n"),
        "{both}"
    );
}

#[test]
fn missing_final_newline_is_marked() {
    let plan = Plan::literal(b"a\nb", b"b", b"c", usize::MAX);
    assert_eq!(
        preview(b"a\nb", &plan),
        "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    );
}

#[test]
fn an_edit_inside_a_character_that_leaves_text_is_a_text_diff() {
    // "café" -> "cafè" by changing the second byte of "é": the bytes taken out are not
    // text on their own, so the new line is checked as a whole, and it is text.
    let old = "caf\u{e9}\n".as_bytes();
    let plan = Plan::literal(old, b"\xa9", b"\xa8", usize::MAX);
    assert_eq!(
        preview(old, &plan),
        "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-caf\u{e9}\n+caf\u{e8}\n"
    );
}

#[test]
fn an_edit_that_empties_or_fills_a_last_line_without_newline_changes_the_line_count() {
    // The last line taken out whole: one line fewer (this used to index past the new lines).
    let plan = Plan::literal(b"x\na", b"a", b"", usize::MAX);
    assert_eq!(
        preview(b"x\na", &plan),
        "--- a/f\n+++ b/f\n@@ -1,2 +1 @@\n x\n-a\n\\ No newline at end of file\n"
    );
    let plan = Plan::literal(b"a", b"a", b"", usize::MAX);
    assert_eq!(
        preview(b"a", &plan),
        "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-a\n\\ No newline at end of file\n"
    );
    // Text put in after the last newline: a line more (this used to print no change).
    let plan = crate::patch::tests::regex_plan(b"x\n", r"\Z", "Y");
    assert_eq!(
        preview(b"x\n", &plan),
        "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n x\n+Y\n\\ No newline at end of file\n"
    );
}

#[test]
fn a_carriage_return_does_not_end_a_line() {
    // Found by the fuzzer: a lone `\r` was taken for a line end, and the line shown as two
    // lines, each "without a newline".
    let plan = Plan::literal(b"x\r5\rz", b"5", b"y\n", usize::MAX);
    assert_eq!(
        preview(b"x\r5\rz", &plan),
        "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n-x\r5\rz\n\\ No newline at end of file\n+x\ry\n+\rz\n\\ No newline at end of file\n"
    );
}

#[test]
fn lines_that_keep_their_count_are_paired_one_for_one() {
    // A changed line that reads like the next one: a diff that looks for common lines
    // could keep "xb" as context and add one after it; line for line, line 1 changed.
    let plan = Plan::literal(b"xa\nxb\nxa\n", b"a", b"b", usize::MAX);
    assert_eq!(
        preview(b"xa\nxb\nxa\n", &plan),
        "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n-xa\n+xb\n xb\n-xa\n+xb\n"
    );
}

#[test]
fn an_edit_that_puts_in_a_line_is_not_diffed_line_for_line() {
    let old = b"a\nb\nc\n";
    let plan = Plan::literal(old, b"b", b"b\nx", usize::MAX);
    assert_eq!(
        preview(old, &plan),
        "--- a/f\n+++ b/f\n@@ -1,3 +1,4 @@\n a\n b\n+x\n c\n"
    );
    let plan = Plan::literal(old, b"b\nc", b"B", usize::MAX);
    assert_eq!(
        preview(old, &plan),
        "--- a/f\n+++ b/f\n@@ -1,3 +1,2 @@\n a\n-b\n-c\n+B\n"
    );
}

#[test]
fn a_long_region_is_cut_at_the_second_of_two_unchanged_lines() {
    let old = b"a\nb\nc\nd\n";
    // After the edit on line "a": "b" and "c" are unchanged, the cut is at "c".
    assert_eq!(cut_between(old, last_byte(0..1), 6), Some(4));
    // One unchanged line only: nowhere to cut.
    assert_eq!(cut_between(old, last_byte(0..1), 4), None);
    assert_eq!(last_byte(3..5), 4);
    assert_eq!(last_byte(3..3), 3);
    // Every third line of 300 KiB changed: hunks that meet, each with context.
    let text: String = (0..30_000)
        .map(|i| format!("{} {i}\n", if i % 3 == 0 { "value" } else { "other" }))
        .collect();
    let plan = Plan::literal(text.as_bytes(), b"value", b"VALUE", usize::MAX);
    let diff = preview(text.as_bytes(), &plan);
    let headers: Vec<&str> = diff.lines().filter(|l| l.starts_with("@@")).collect();
    assert!(headers.len() > 1, "{}", headers.len());
    assert!(headers[1].starts_with("@@ -"), "{}", headers[1]);
    let starts: Vec<usize> = headers
        .iter()
        .map(|h| h[4..].split(',').next().unwrap().parse().unwrap())
        .collect();
    let lengths: Vec<usize> = headers
        .iter()
        .map(|h| {
            h.split(' ')
                .nth(1)
                .unwrap()
                .split(',')
                .nth(1)
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    // Each hunk starts where the one before it ends.
    assert_eq!(starts[1], starts[0] + lengths[0]);
    let new = plan.render(text.as_bytes(), 0..text.len());
    assert!(check::applied(text.as_bytes(), &diff) == Ok(new));
}

#[test]
fn jobs_are_runs_of_regions_of_about_the_bytes_asked_for() {
    let old = b"a".repeat(JOB_REGIONS + 10);
    let plan = Plan::literal(&old, b"a", b"b", usize::MAX);
    let region = |range: Range<usize>| covering(&plan, range);
    // Regions of 3 bytes, 7 asked for: a job closes once it holds 7 bytes or more.
    let sizes: Vec<usize> = jobs((0..5).map(|i| region(3 * i..3 * i + 3)), 7)
        .map(|job| job.iter().map(|r| r.range.len()).sum())
        .collect();
    assert_eq!(sizes, [9, 6]);
    let sizes: Vec<usize> = jobs((0..4).map(|i| region(3 * i..3 * i + 3)), 6)
        .map(|job| job.len())
        .collect();
    assert_eq!(sizes, [2, 2]);
    // However few bytes they hold, no more than JOB_REGIONS regions.
    let counts: Vec<usize> = jobs((0..JOB_REGIONS + 10).map(|i| region(i..i + 1)), usize::MAX)
        .map(|job| job.len())
        .collect();
    assert_eq!(counts, [JOB_REGIONS, 10]);
}

#[test]
fn hex_regions_join_edits_closer_than_the_gap_up_to_the_cap() {
    let mut old = vec![0u8; 100];
    old[10..12].copy_from_slice(b"ab");
    old[20..22].copy_from_slice(b"ab"); // 8 bytes after the first: the same region
    old[60..62].copy_from_slice(b"ab"); // 38 bytes after: a region of its own
    let plan = Plan::literal(&old, b"ab", b"AB", usize::MAX);
    let regions: Vec<_> = hex_regions(old.len(), &plan)
        .map(|r| (r.range.clone(), r.edits().count()))
        .collect();
    assert_eq!(regions, [(10..22, 2), (60..62, 1)]);
    // Dense binary edits: regions close once past the cap.
    let dense = b"\0ab".repeat(100_000);
    let plan = Plan::literal(&dense, b"ab", b"AB", usize::MAX);
    let ranges: Vec<_> = hex_regions(dense.len(), &plan).map(|r| r.range).collect();
    assert_eq!(ranges.len(), 2);
    assert!(ranges[0].len() >= REGION_CAP && ranges[0].len() < REGION_CAP + 3);
    assert_eq!(ranges[1].end, dense.len());
}

#[test]
fn binary_data_gets_a_hex_diff() {
    let old = b"\x00\x01\x02MAGIC\x00\xff";
    let plan = Plan::literal(old, b"MAGIC", b"magic", usize::MAX);
    assert_eq!(
        preview(old, &plan),
        "@@ 0x3: 5 bytes -> 5 bytes @@\n\
             -00000003: 4d41 4749 43                             MAGIC\n\
             +00000003: 6d61 6769 63                             magic\n"
    );
}
