//! `--copy` previews: what a patch would change, as a unified diff for text or a hex diff of
//! the changed regions for binary data.
//!
//! Only the regions around the edits are looked at (lines with three lines of context, or the
//! edited bytes), so a preview of a few changes in a file of many GiB costs little memory.

use std::io;
use std::ops::Range;

use memchr::{memchr, memchr_iter, memrchr};
use similar::{ChangeTag, TextDiff};

use crate::output::{Paint, Printer, escape_name};
use crate::patch::{Edits, Plan};

/// Lines of context around each change, as `diff -u` gives.
const CONTEXT_LINES: usize = 3;
/// Edits closer than this many bytes share one region of a hex diff.
const HEX_MERGE_GAP: usize = 16;

/// Where a preview reads the new bytes of a region from: the plan applied to a private
/// copy-on-write map of the file (same length), or the plan rendered region by region.
pub trait NewBytes {
    /// The new bytes that stand for `old[region.range]`; regions come front to back.
    fn region(&mut self, old: &[u8], plan: &Plan, region: &Region) -> Vec<u8>;
}

/// A region of a preview: a range of the old bytes that holds whole edits and touches no
/// other, and its edits (read from the plan as the preview walks it, never gathered).
#[derive(Debug, Clone)]
pub struct Region<'p> {
    pub range: Range<usize>,
    first: Edits<'p>,
    count: usize,
}

impl<'p> Region<'p> {
    /// The region `range` of `plan`, which must hold whole edits and touch no other.
    #[cfg(test)]
    pub fn covering(plan: &'p Plan, range: Range<usize>) -> Region<'p> {
        let first = plan.edits_starting_at(range.start);
        let count = first.clone().take_while(|e| e.end <= range.end).count();
        Region {
            range,
            first,
            count,
        }
    }

    /// The edits inside the region, in order.
    pub fn edits(&self) -> std::iter::Take<Edits<'p>> {
        self.first.clone().take(self.count)
    }
}

/// The plan rendered region by region (see [`Plan::render`]).
pub struct Rendered;

impl NewBytes for Rendered {
    fn region(&mut self, old: &[u8], plan: &Plan, region: &Region) -> Vec<u8> {
        plan.render_edits(old, region.range.clone(), region.edits())
    }
}

/// Prints the preview of `plan` over `old` (the file `name`). Memory holds one region at a
/// time, however many edits the plan has: the regions are walked twice, once to tell text from
/// binary, once to print.
pub fn print(
    printer: &mut Printer,
    name: &str,
    old: &[u8],
    plan: &Plan,
    new: &mut dyn NewBytes,
) -> io::Result<()> {
    if is_text_change(old, plan) {
        return print_unified(printer, name, old, plan, new);
    }
    if printer.is_labelled() {
        // Many files: say which one the hex diff is of (commentary to `git apply`).
        printer.painted(
            Paint::FileHeader,
            format!("Binary file {}\n", escape_name(name)).as_bytes(),
        )?;
    }
    print_hex(printer, old, plan, new)
}

/// Whether every line region around the edits is text before and after: else the preview is
/// a hex diff (a NUL byte, invalid UTF-8, or a "line" longer than any text has).
fn is_text_change(old: &[u8], plan: &Plan) -> bool {
    line_regions(old, plan).all(|region| {
        region.is_some_and(|region| {
            is_text(&old[region.range.clone()])
                && (swaps_whole_text(old, plan, &region)
                    || is_text(&Rendered.region(old, plan, &region)))
        })
    })
}

/// Whether every edit of `region` (whose old bytes are text) takes out text and puts in text:
/// then the new bytes are text too, without rendering them. Text taken out on its own starts
/// and ends at character boundaries (a continuation byte cannot start valid UTF-8, and the
/// last character is whole), so putting other text there leaves valid UTF-8 without NUL.
fn swaps_whole_text(old: &[u8], plan: &Plan, region: &Region) -> bool {
    region
        .edits()
        .all(|edit| is_text(&old[edit.start..edit.end]) && is_text(plan.replacement(&edit)))
}

/// Edits whose line regions touch are shown in one region; past this many bytes a region is
/// closed between two unchanged lines, so that a preview of millions of dense edits holds one
/// bounded region at a time. Each side keeps one of those lines as context: the hunks meet
/// without overlapping, which `patch` takes, and `git apply` too (it anchors a hunk without
/// trailing context to the end of the file). Edits with no two unchanged lines between them
/// stay in one region, however long.
const REGION_CAP: usize = 256 * 1024;

/// The regions of a unified diff, front to back: the lines that hold the edits, widened by
/// the context lines, merged when they touch and cut past [`REGION_CAP`]. Each holds whole
/// edits and touches no other. `None` where a line boundary is further than [`MAX_LINE`] from
/// an edit: binary data.
fn line_regions<'a>(old: &'a [u8], plan: &'a Plan) -> impl Iterator<Item = Option<Region<'a>>> {
    let mut edits = plan.edits();
    let mut floor = 0;
    std::iter::from_fn(move || {
        let first = edits.clone();
        let edit = edits.next()?;
        let Some(lines) = line_region(old, edit.start..edit.end) else {
            return Some(None);
        };
        let mut range = lines.start.max(floor)..lines.end;
        let mut last_end = last_byte(edit.start..edit.end);
        let mut count = 1;
        loop {
            let mut ahead = edits.clone();
            let Some(next) = ahead.next() else { break };
            let Some(lines) = line_region(old, next.start..next.end) else {
                return Some(None);
            };
            if lines.start > range.end {
                break;
            }
            if range.len() >= REGION_CAP
                && let Some(cut) = cut_between(old, last_end, next.start)
            {
                range.end = cut;
                floor = cut;
                break;
            }
            range.end = range.end.max(lines.end);
            last_end = last_byte(next.start..next.end);
            count += 1;
            edits = ahead;
        }
        Some(Some(Region {
            range,
            first,
            count,
        }))
    })
}

/// Text for a preview: valid UTF-8 without NUL bytes, as `git diff` and `grep` judge.
fn is_text(bytes: &[u8]) -> bool {
    memchr(0, bytes).is_none() && std::str::from_utf8(bytes).is_ok()
}

/// No line of text is longer than this; data without a newline this far from an edit is shown
/// as hex, and a preview never scans a huge binary file for a line break.
const MAX_LINE: usize = 64 * 1024;

/// The lines that hold `edit`, widened by the context lines on either side; `None` when a line
/// boundary is further away than [`MAX_LINE`].
fn line_region(old: &[u8], edit: Range<usize>) -> Option<Range<usize>> {
    let mut start = line_start(old, edit.start)?;
    for _ in 0..CONTEXT_LINES {
        if start == 0 {
            break;
        }
        start = line_start(old, start - 1)?;
    }
    let mut end = line_end(old, last_byte(edit.clone()))?;
    for _ in 0..CONTEXT_LINES {
        end = line_end(old, end)?;
    }
    Some(start..end)
}

/// Where a long region may be closed between an edit whose last byte is at `last_byte` and the
/// next edit, starting at `next_start`: the start of the second of at least two unchanged
/// lines between them.
fn cut_between(old: &[u8], last_byte: usize, next_start: usize) -> Option<usize> {
    let after = line_end(old, last_byte)?;
    let before = line_start(old, next_start)?;
    let cut = line_end(old, after)?;
    (cut < before).then_some(cut)
}

/// The last byte an edit touches (its start, for an insertion).
fn last_byte(edit: Range<usize>) -> usize {
    if edit.is_empty() {
        edit.start
    } else {
        edit.end - 1
    }
}

/// The start of the line that holds `pos`.
fn line_start(old: &[u8], pos: usize) -> Option<usize> {
    let from = pos.saturating_sub(MAX_LINE);
    match memrchr(b'\n', &old[from..pos]) {
        Some(nl) => Some(from + nl + 1),
        None => (from == 0).then_some(0),
    }
}

/// Just past the newline that ends the line holding `pos` (the end of the data at most).
fn line_end(old: &[u8], pos: usize) -> Option<usize> {
    if pos >= old.len() {
        return Some(old.len());
    }
    let to = pos.saturating_add(MAX_LINE).min(old.len());
    match memchr(b'\n', &old[pos..to]) {
        Some(nl) => Some(pos + nl + 1),
        None => (to == old.len()).then_some(to),
    }
}

fn print_unified(
    printer: &mut Printer,
    name: &str,
    old: &[u8],
    plan: &Plan,
    new: &mut dyn NewBytes,
) -> io::Result<()> {
    let path = diff_path(name);
    printer.painted(
        Paint::FileHeader,
        format!("--- a/{path}\n+++ b/{path}\n").as_bytes(),
    )?;
    let mut old_line = 0; // lines before the current region, in the original
    let mut counted_to = 0;
    let mut shift: i64 = 0; // lines the new file has gained before the current region
    for region in line_regions(old, plan).flatten() {
        let new = new.region(old, plan, &region);
        let range = region.range.clone();
        old_line += memchr_iter(b'\n', &old[counted_to..range.start]).count();
        counted_to = range.start;
        let old_text = &old[range.clone()];
        let new_base = (old_line as i64 + shift) as usize;
        if keeps_lines(old, plan, &region) {
            print_line_pairs(printer, old_text, &new, (old_line, new_base))?;
            // Line for line: the region keeps its number of lines.
            continue;
        }
        let diff = TextDiff::from_lines(old_text, new.as_slice());
        for group in diff.grouped_ops(CONTEXT_LINES) {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let old_span = first.old_range().start..last.old_range().end;
            let new_span = first.new_range().start..last.new_range().end;
            let header = format!(
                "@@ -{} +{} @@\n",
                hunk_range(old_line + old_span.start, old_span.len()),
                hunk_range(new_base + new_span.start, new_span.len())
            );
            printer.painted(Paint::HunkHeader, header.as_bytes())?;
            for op in &group {
                for change in diff.iter_changes(op) {
                    let (sign, paint) = match change.tag() {
                        ChangeTag::Equal => (b' ', None),
                        ChangeTag::Delete => (b'-', Some(Paint::Removed)),
                        ChangeTag::Insert => (b'+', Some(Paint::Added)),
                    };
                    print_line(printer, sign, paint, change.value())?;
                }
            }
        }
        let old_lines = count_lines(old_text);
        let new_lines = count_lines(&new);
        shift += new_lines as i64 - old_lines as i64;
    }
    Ok(())
}

/// One line of a hunk: its sign, then the line, marked when it has no newline at its end.
fn print_line(
    printer: &mut Printer,
    sign: u8,
    paint: Option<Paint>,
    text: &[u8],
) -> io::Result<()> {
    printer.painted_line(paint, sign, text)?;
    if !text.ends_with(b"\n") {
        printer.raw(b"\\ No newline at end of file\n")?;
    }
    Ok(())
}

/// Whether no edit of `region` takes out or puts in a newline: then its old and new lines
/// pair up one for one, and the diff needs no search for common lines.
fn keeps_lines(old: &[u8], plan: &Plan, region: &Region) -> bool {
    region.edits().all(|edit| {
        memchr(b'\n', &old[edit.start..edit.end]).is_none()
            && memchr(b'\n', plan.replacement(&edit)).is_none()
    })
}

/// The hunks of a region whose old and new lines pair up one for one (see [`keeps_lines`]):
/// the lines that differ, with three lines of context, as `diff -u` groups them (a run of
/// changed lines as its old lines, then its new ones; hunks apart when more than six unchanged
/// lines lie between). `first_lines` are the line numbers (0-based) of the region's first line
/// in the old file and in the new one.
fn print_line_pairs(
    printer: &mut Printer,
    old_text: &[u8],
    new_text: &[u8],
    (old_first, new_first): (usize, usize),
) -> io::Result<()> {
    let old_lines = lines_of(old_text);
    let new_lines = lines_of(new_text);
    let changed: Vec<usize> = (0..old_lines.len())
        .filter(|&i| old_lines[i] != new_lines[i])
        .collect();
    let mut rest = changed.as_slice();
    while let Some(&first) = rest.first() {
        // The changes of one hunk: until a gap of more than twice the context.
        let mut count = 1;
        while count < rest.len() && rest[count] - rest[count - 1] - 1 <= 2 * CONTEXT_LINES {
            count += 1;
        }
        let last = rest[count - 1];
        rest = &rest[count..];
        let start = first.saturating_sub(CONTEXT_LINES);
        let end = (last + 1 + CONTEXT_LINES).min(old_lines.len());
        let header = format!(
            "@@ -{} +{} @@\n",
            hunk_range(old_first + start, end - start),
            hunk_range(new_first + start, end - start)
        );
        printer.painted(Paint::HunkHeader, header.as_bytes())?;
        let mut i = start;
        while i < end {
            if old_lines[i] == new_lines[i] {
                print_line(printer, b' ', None, old_lines[i])?;
                i += 1;
                continue;
            }
            let run_end = (i..end)
                .find(|&j| old_lines[j] == new_lines[j])
                .unwrap_or(end);
            for line in &old_lines[i..run_end] {
                print_line(printer, b'-', Some(Paint::Removed), line)?;
            }
            for line in &new_lines[i..run_end] {
                print_line(printer, b'+', Some(Paint::Added), line)?;
            }
            i = run_end;
        }
    }
    Ok(())
}

/// The lines of a text, each with its newline (the last one may have none).
fn lines_of(text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for newline in memchr_iter(b'\n', text) {
        lines.push(&text[start..=newline]);
        start = newline + 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// A file's path as a diff header names it, after `a/` and `b/` (git's form, which `git apply`
/// and `patch -p1` take): relative, without a leading `./`, escaped like every printed name.
fn diff_path(name: &str) -> String {
    let mut path = name;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    escape_name(path)
}

/// Lines in a text, counting a last line without a newline.
fn count_lines(text: &[u8]) -> usize {
    memchr_iter(b'\n', text).count() + usize::from(!text.is_empty() && !text.ends_with(b"\n"))
}

/// `START,COUNT` of a hunk header, 1-based, written as GNU diff writes it.
fn hunk_range(start0: usize, count: usize) -> String {
    match count {
        0 => format!("{start0},0"),
        1 => format!("{}", start0 + 1),
        _ => format!("{},{count}", start0 + 1),
    }
}

fn print_hex(
    printer: &mut Printer,
    old: &[u8],
    plan: &Plan,
    new: &mut dyn NewBytes,
) -> io::Result<()> {
    for region in hex_regions(old.len(), plan) {
        let new_bytes = new.region(old, plan, &region);
        let range = region.range.clone();
        let header = format!(
            "@@ 0x{:x}: {} bytes -> {} bytes @@\n",
            range.start,
            range.len(),
            new_bytes.len()
        );
        printer.painted(Paint::HunkHeader, header.as_bytes())?;
        let offset = range.start as u64;
        let (old_changed, new_changed) = changed_spans(old, plan, &region);
        printer.hex_diff_side(offset, &old[range], b'-', Paint::Removed, &old_changed)?;
        printer.hex_diff_side(offset, &new_bytes, b'+', Paint::Added, &new_changed)?;
    }
    Ok(())
}

/// The regions of a hex diff, front to back: edits closer than [`HEX_MERGE_GAP`] share one,
/// up to about [`REGION_CAP`] bytes.
fn hex_regions(len: usize, plan: &Plan) -> impl Iterator<Item = Region<'_>> {
    let mut edits = plan.edits();
    std::iter::from_fn(move || {
        let first = edits.clone();
        let edit = edits.next()?;
        let mut range = edit.start..edit.end;
        let mut count = 1;
        loop {
            let mut ahead = edits.clone();
            match ahead.next() {
                Some(next)
                    if next.start <= range.end + HEX_MERGE_GAP && range.len() < REGION_CAP =>
                {
                    range.end = range.end.max(next.end);
                    count += 1;
                    edits = ahead;
                }
                _ => break,
            }
        }
        Some(Region {
            range: range.start..range.end.min(len),
            first,
            count,
        })
    })
}

/// Where the edits inside `region` sit in the old bytes and in the new ones, relative to the
/// region's start: the bytes a hex diff highlights.
fn changed_spans(
    old: &[u8],
    plan: &Plan,
    region: &Region,
) -> (Vec<Range<usize>>, Vec<Range<usize>>) {
    let start = region.range.start;
    let mut shift: isize = 0;
    let mut old_spans = Vec::new();
    let mut new_spans = Vec::new();
    for edit in region.edits() {
        let old_at = edit.start - start;
        let replacement = plan.replacement(&edit);
        let new_len = replacement.len();
        let new_at = old_at.saturating_add_signed(shift);
        if new_len == edit.end - edit.start {
            // Same length: only the bytes that differ (MAGIC -> MAGIK marks the C and the K).
            for run in differing_runs(&old[edit.start..edit.end], replacement) {
                old_spans.push(old_at + run.start..old_at + run.end);
                new_spans.push(new_at + run.start..new_at + run.end);
            }
        } else {
            old_spans.push(old_at..edit.end - start);
            new_spans.push(new_at..new_at + new_len);
        }
        shift += new_len as isize - (edit.end - edit.start) as isize;
    }
    (old_spans, new_spans)
}

/// The runs of positions where `a` and `b` (of one length) differ.
fn differing_runs(a: &[u8], b: &[u8]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for i in (0..a.len().min(b.len())).filter(|&i| a[i] != b[i]) {
        match runs.last_mut() {
            Some(run) if run.end == i => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_same_length_edit_highlights_only_the_bytes_that_differ() {
        let old = b"\x00\x01MAGIC\x00";
        let plan = Plan::literal(old, b"MAGIC", b"MAGIK", usize::MAX);
        let (old_spans, new_spans) =
            changed_spans(old, &plan, &Region::covering(&plan, 0..old.len()));
        assert_eq!(old_spans, [6..7]);
        assert_eq!(new_spans, [6..7]);
        let plan = Plan::literal(old, b"MAGIC", b"XAGIX", usize::MAX);
        assert_eq!(
            changed_spans(old, &plan, &Region::covering(&plan, 2..7)).0,
            [0..1, 4..5]
        );
        let plan = Plan::literal(old, b"MAGIC", b"MAGICAL", usize::MAX);
        assert_eq!(
            changed_spans(old, &plan, &Region::covering(&plan, 0..old.len())),
            (vec![2..7], vec![2..9])
        );
        assert_eq!(differing_runs(b"abcd", b"xbxx"), [0..1, 2..4]);
    }

    pub(super) fn preview(old: &[u8], plan: &Plan) -> String {
        let buf = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
        impl io::Write for Shared {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut printer = Printer::to_writer(Box::new(Shared(buf.clone())), false);
        print(&mut printer, "f", old, plan, &mut Rendered).unwrap();
        printer.flush().unwrap();
        String::from_utf8(buf.borrow().clone()).unwrap()
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
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// The unified diff of two whole texts as `similar` groups it: the general path.
    fn general_diff(old: &[u8], new: &[u8]) -> String {
        let mut out = String::from("--- a/f\n+++ b/f\n");
        let diff = TextDiff::from_lines(old, new);
        for group in diff.grouped_ops(CONTEXT_LINES) {
            let (first, last) = (&group[0], &group[group.len() - 1]);
            let old_span = first.old_range().start..last.old_range().end;
            let new_span = first.new_range().start..last.new_range().end;
            out += &format!(
                "@@ -{} +{} @@\n",
                hunk_range(old_span.start, old_span.len()),
                hunk_range(new_span.start, new_span.len())
            );
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

    proptest! {
        #![proptest_config(crate::property_config(1000))]

        /// Text whose edits take out text and put in text stays text: the shortcut of the
        /// text-or-binary walk never calls binary data text.
        #[test]
        fn swapping_whole_text_for_text_keeps_text(
            hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(b'\n')], 0..40),
            needle in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8)], 1..3),
            replacement in prop::collection::vec(prop_oneof![Just(b'a'), Just(0xc3u8), Just(0xa9u8), Just(0u8)], 0..3),
        ) {
            let plan = Plan::literal(&hay, &needle, &replacement, usize::MAX);
            let region = Region::covering(&plan, 0..hay.len());
            if is_text(&hay) && swaps_whole_text(&hay, &plan, &region) {
                prop_assert!(is_text(&plan.render(&hay, 0..hay.len())));
            }
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
}
