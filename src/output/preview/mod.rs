//! `--copy` previews: what a patch would change, as a unified diff for text or a hex diff of
//! the changed regions for binary data.
//!
//! Only the regions around the edits are looked at (lines with three lines of context, or the
//! edited bytes), so a preview of a few changes in a file of many GiB costs little memory.
//!
//! The regions are found on the calling thread, front to back (where one ends depends on where
//! the one before it ended), and handed out in runs, jobs of about a MiB, to be rendered on
//! every core. The calling thread prints the rendered jobs in order, writing the hunk headers
//! itself: their line numbers depend on every job before.

use std::cell::Cell;
use std::io;
use std::thread::Scope;

mod hex;
mod regions;
mod unified;

use hex::*;
use regions::*;
use unified::*;

use crate::files::name::Name;
use crate::files::ordered;
use crate::output::{Paint, Printer, Style};
use crate::patch::{Edits, Plan};

/// Lines of context around each change, as `diff -u` gives.
const CONTEXT_LINES: usize = 3;
/// Edits closer than this many bytes share one region of a hex diff.
const HEX_MERGE_GAP: usize = 16;

/// Where a preview reads the new bytes of a region from: the plan applied to a private
/// copy-on-write map of the file (same length), or the plan rendered region by region.
/// Called on worker threads, each with a job of its own.
pub trait NewBytes: Sync {
    /// Calls `each` with every region of `regions` (consecutive regions of `plan`, front to
    /// back) and the new bytes that stand for `old[region.range]`.
    fn each_region(
        &self,
        old: &[u8],
        plan: &Plan,
        regions: &[Region],
        each: &mut dyn FnMut(&Region, &[u8]) -> io::Result<()>,
    ) -> io::Result<()>;
}

/// How a preview shares its work among threads.
#[derive(Debug, Clone, Copy)]
pub struct Sharing {
    /// Threads that render (one: everything on the calling thread).
    pub threads: usize,
    /// A job is a run of regions of about this many bytes.
    pub job_bytes: usize,
    /// Regions kept from telling text from binary for the printing, at most.
    pub remembered: usize,
    /// Plans of at least this many edits have the line regions of their edits found on the
    /// threads, this many edits at a time.
    pub lines_apart: usize,
    pub lines_batch: usize,
}

impl Sharing {
    pub fn new(threads: usize) -> Sharing {
        Sharing {
            threads,
            job_bytes: JOB_BYTES,
            remembered: REMEMBERED_REGIONS,
            lines_apart: LINES_APART,
            lines_batch: LINES_BATCH,
        }
    }
}

/// Regions are handed out in runs of about this many bytes: enough that a hand-over costs
/// little beside the rendering, few enough that the jobs in flight hold a few MiB.
const JOB_BYTES: usize = 1 << 20;
/// And of at most this many regions (a run of small regions far apart).
const JOB_REGIONS: usize = 4096;
/// Plans of this many edits or more have their edits' line regions found on the threads (fewer
/// cost less than the threads), in batches of this many edits.
const LINES_APART: usize = 1 << 16;
const LINES_BATCH: usize = 1 << 14;
/// Jobs in flight for each thread: one being rendered, one waiting. Jobs of one size need no
/// more, and each one more holds another MiB of copied pages and rendered lines.
const JOBS_PER_THREAD: usize = 2;

/// `regions` in runs of about `job_bytes` bytes.
fn jobs<'p>(
    regions: impl Iterator<Item = Region<'p>>,
    job_bytes: usize,
) -> impl Iterator<Item = Vec<Region<'p>>> {
    let mut regions = regions.fuse();
    std::iter::from_fn(move || {
        let mut job = Vec::new();
        let mut bytes = 0;
        while bytes < job_bytes && job.len() < JOB_REGIONS {
            let Some(region) = regions.next() else { break };
            bytes += region.range.len();
            job.push(region);
        }
        (!job.is_empty()).then_some(job)
    })
}

/// A region of a preview: a range of the old bytes that holds whole edits and touches no
/// other, and its edits (read from the plan as the preview walks it, never gathered). The same
/// type as the stretches an in-place patch maps one at a time.
pub type Region<'p> = crate::patch::Stretch<'p>;

/// The region `range` of `plan`, which must hold whole edits and touch no other.
#[cfg(test)]
pub fn covering(plan: &Plan, range: std::ops::Range<usize>) -> Region<'_> {
    let first = plan.edits_starting_at(range.start);
    let count = first.clone().take_while(|e| e.end <= range.end).count();
    Region::new(range, first, count)
}

/// The plan rendered region by region (see [`Plan::render`]).
pub struct Rendered;

impl Rendered {
    fn region(old: &[u8], plan: &Plan, region: &Region) -> Vec<u8> {
        plan.render_edits(old, region.range.clone(), region.edits())
    }
}

impl NewBytes for Rendered {
    fn each_region(
        &self,
        old: &[u8],
        plan: &Plan,
        regions: &[Region],
        each: &mut dyn FnMut(&Region, &[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut new = Vec::new();
        for region in regions {
            new.clear();
            plan.render_edits_into(old, region.range.clone(), region.edits(), &mut new);
            each(region, &new)?;
        }
        Ok(())
    }
}

/// Prints the preview of `plan` over `old` (the file `name`). Memory holds the jobs in flight
/// (a few runs of regions), however many edits the plan has: the regions are found once to
/// tell text from binary, and kept for the printing while they are few (up to
/// [`REMEMBERED_REGIONS`]), else found again.
pub fn print(
    printer: &mut Printer,
    name: &[u8],
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    sharing: Sharing,
) -> io::Result<()> {
    print_named(printer, Some(name), old, plan, new, sharing)
}

/// The preview of `plan` alone, without the file's header: the hunk (or hex diff) of a change
/// that `replace --interactive` asks about, under a `PATH:LINE` of its own.
pub fn print_change(printer: &mut Printer, old: &[u8], plan: &Plan) -> io::Result<()> {
    print_named(printer, None, old, plan, &Rendered, Sharing::new(1))
}

fn print_named(
    printer: &mut Printer,
    name: Option<&[u8]>,
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    sharing: Sharing,
) -> io::Result<()> {
    let text = std::thread::scope(|scope| {
        let (text, remembered) = is_text_change(old, plan, sharing, scope)?;
        if text {
            let regions: Box<dyn Iterator<Item = Region>> = match remembered {
                Some(regions) => Box::new(regions.into_iter()),
                None => {
                    Box::new(line_regions(old, edit_lines(old, plan, sharing, scope)).flatten())
                }
            };
            print_unified(printer, name, old, plan, new, sharing, regions)?;
        }
        io::Result::Ok(text)
    })?;
    if text {
        return Ok(());
    }
    if let Some(name) = name.filter(|_| printer.is_labelled()) {
        // Many files: say which one the hex diff is of (commentary to `git apply`).
        let mut line = b"Binary file ".to_vec();
        line.extend_from_slice(&Name::of_bytes(name).on_stdout());
        line.push(b'\n');
        printer.painted(Paint::FileHeader, &line)?;
    }
    print_hex(printer, old, plan, new, sharing)
}

/// Whether every line region around the edits is text before and after: else the preview is
/// a hex diff (a NUL byte, invalid UTF-8, or a "line" longer than any text has).
/// With the text regions, when there are at most `sharing.remembered` of them.
fn is_text_change<'p, 's>(
    old: &'p [u8],
    plan: &'p Plan,
    sharing: Sharing,
    scope: &'s Scope<'s, 'p>,
) -> io::Result<(bool, Option<Vec<Region<'p>>>)> {
    let too_long = Cell::new(false);
    let mut remembered = Some(Vec::new());
    let regions = line_regions(old, edit_lines(old, plan, sharing, scope))
        .map_while(|region| {
            too_long.set(region.is_none());
            region
        })
        .inspect(|region| match &mut remembered {
            Some(kept) if kept.len() < sharing.remembered => kept.push(region.clone()),
            _ => remembered = None,
        });
    let mut text = true;
    ordered::in_order(
        jobs(regions, sharing.job_bytes),
        sharing.threads,
        JOBS_PER_THREAD,
        |job| job.iter().all(|region| region_is_text(old, plan, region)),
        |job_is_text| {
            text &= job_is_text;
            io::Result::Ok(job_is_text)
        },
    )?;
    let text = text && !too_long.get();
    Ok((text, remembered.filter(|_| text)))
}

/// The regions a preview keeps between telling text from binary and printing, at most (4 MiB):
/// a dense preview of 1 GiB has a few thousand regions of 256 KiB, and finding them costs as
/// much as a third of the thread that hands out the jobs; previews of more regions find them
/// again.
const REMEMBERED_REGIONS: usize = 1 << 16;

/// Whether a region is text before and after its edits.
fn region_is_text(old: &[u8], plan: &Plan, region: &Region) -> bool {
    is_text(&old[region.range.clone()])
        && (swaps_whole_text(old, plan, region) || is_text(&Rendered::region(old, plan, region)))
}

/// Whether every edit of `region` (whose old bytes are text) takes out text and puts in text:
/// then the new bytes are text too, without rendering them. Text taken out on its own starts
/// and ends at character boundaries (a continuation byte cannot start valid UTF-8, and the
/// last character is whole), so putting other text there leaves valid UTF-8 without NUL.
fn swaps_whole_text(old: &[u8], plan: &Plan, region: &Region) -> bool {
    if let Some((searched, _)) = plan.literal_gaps() {
        // Every edit of a literal takes out what was searched for and puts in one replacement.
        return is_text(searched)
            && region
                .edits()
                .next()
                .is_none_or(|edit| is_text(plan.replacement(&edit)));
    }
    region
        .edits()
        .all(|edit| is_text(&old[edit.start..edit.end]) && is_text(plan.replacement(&edit)))
}

/// A preview printed into memory, and a plain patch applier to hold it to: for the tests and
/// the fuzz targets.
#[cfg(any(test, feature = "fuzzing"))]
pub mod check {
    use super::*;

    /// The preview of `plan` over `old`, for a file named `f`, without colour.
    pub fn preview_of(old: &[u8], plan: &Plan, sharing: Sharing) -> String {
        let mut printer = Printer::buffered(Style::default());
        print(&mut printer, b"f", old, plan, &Rendered, sharing).expect("a preview into memory");
        String::from_utf8_lossy(&printer.into_buffers().0).into_owned()
    }

    /// `diff` (a preview of the file `f`) applied to `old` as `patch` would, strictly: every
    /// context and removed line must be the old text's line at that place, the hunks in order
    /// without overlapping, and each header's starts and counts those of its lines. The new
    /// text, or what did not hold.
    pub fn applied(old: &[u8], diff: &str) -> Result<Vec<u8>, String> {
        const NO_NEWLINE: &str = "\\ No newline at end of file\n";
        let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
        let mut lines = diff.split_inclusive('\n').peekable();
        if lines.next() != Some("--- a/f\n") || lines.next() != Some("+++ b/f\n") {
            return Err("no file header".into());
        }
        // "START,COUNT" or "START" (a count of one), as the 0-based index it stands for.
        let range = |text: &str| -> Result<(usize, usize), String> {
            let (start, count) = match text.split_once(',') {
                Some((start, count)) => (start, count.parse().map_err(|_| text.to_owned())?),
                None => (text, 1),
            };
            let start: usize = start.parse().map_err(|_| text.to_owned())?;
            Ok((if count == 0 { start } else { start - 1 }, count))
        };
        let mut new: Vec<Vec<u8>> = Vec::new();
        let mut pos = 0;
        while let Some(header) = lines.next() {
            let sides = header
                .strip_prefix("@@ -")
                .and_then(|h| h.strip_suffix(" @@\n"))
                .and_then(|h| h.split_once(" +"))
                .ok_or_else(|| format!("not a hunk header: {header:?}"))?;
            let ((old_at, old_count), (new_at, new_count)) = (range(sides.0)?, range(sides.1)?);
            if old_at < pos || old_at > old_lines.len() {
                return Err(format!("{header:?} is before line {pos} or past the end"));
            }
            new.extend(old_lines[pos..old_at].iter().map(|l| l.to_vec()));
            pos = old_at;
            if new.len() != new_at {
                return Err(format!(
                    "{header:?}: the new text has {} lines before",
                    new.len()
                ));
            }
            let (mut seen_old, mut seen_new) = (0, 0);
            while let Some(line) = lines.next_if(|l| !l.starts_with("@@")) {
                let (sign, body) = line.split_at(1);
                let mut body = body.as_bytes().to_vec();
                if lines.next_if_eq(&NO_NEWLINE).is_some() {
                    body.pop();
                }
                if sign != "+" {
                    if old_lines.get(pos) != Some(&body.as_slice()) {
                        return Err(format!("{line:?} is not old line {}", pos + 1));
                    }
                    pos += 1;
                    seen_old += 1;
                }
                if sign != "-" {
                    new.push(body);
                    seen_new += 1;
                }
            }
            if (seen_old, seen_new) != (old_count, new_count) {
                return Err(format!("{header:?} counts {seen_old} and {seen_new} lines"));
            }
        }
        new.extend(old_lines[pos..].iter().map(|l| l.to_vec()));
        Ok(new.concat())
    }
}

#[cfg(test)]
mod tests {
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
                    regions
                        .map(|regions| regions.iter().map(|r| r.range.clone()).collect::<Vec<_>>())
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
}

#[cfg(test)]
mod properties {
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
}
