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
use std::ops::Range;
use std::thread::Scope;

use memchr::{memchr, memchr_iter, memrchr};
use similar::{ChangeTag, TextDiff};

use crate::files::ordered;
use crate::output::{Paint, Printer, Style, escape_name};
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
pub fn covering(plan: &Plan, range: Range<usize>) -> Region<'_> {
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
    name: &str,
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
    if printer.is_labelled() {
        // Many files: say which one the hex diff is of (commentary to `git apply`).
        printer.painted(
            Paint::FileHeader,
            format!("Binary file {}\n", escape_name(name)).as_bytes(),
        )?;
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
fn line_regions<'a>(
    old: &'a [u8],
    lines_of_edits: EditLines<'a, '_>,
) -> impl Iterator<Item = Option<Region<'a>>> {
    let EditLines { mut edits, lines } = lines_of_edits;
    let mut lines = lines.peekable();
    let mut floor = 0;
    std::iter::from_fn(move || {
        let first = edits.clone();
        let edit = edits.next()?;
        let Some(lines_of_edit) = lines.next().flatten() else {
            return Some(None);
        };
        let mut range = lines_of_edit.start.max(floor)..lines_of_edit.end;
        let mut last_end = last_byte(edit.start..edit.end);
        let mut count = 1;
        loop {
            let mut ahead = edits.clone();
            let Some(next) = ahead.next() else { break };
            let Some(next_lines) = lines.peek().cloned().flatten() else {
                return Some(None);
            };
            if next_lines.start > range.end {
                break;
            }
            if range.len() >= REGION_CAP
                && let Some(cut) = cut_between(old, last_end, next.start)
            {
                range.end = cut;
                floor = cut;
                break;
            }
            range.end = range.end.max(next_lines.end);
            last_end = last_byte(next.start..next.end);
            count += 1;
            edits = ahead;
            lines.next();
        }
        Some(Some(Region::new(range, first, count)))
    })
}

/// The edits of a plan, and the line region of each (see [`line_region`]), in order.
struct EditLines<'p, 's> {
    edits: Edits<'p>,
    lines: Box<dyn Iterator<Item = Option<Range<usize>>> + 's>,
}

/// The line region of every edit of `plan`: found on the calling thread, or, for a plan of
/// many edits shared among threads, a batch of edits at a time on worker threads, while the
/// calling thread merges them into regions. (Found edit by edit, they were the most of what
/// the calling thread does for a dense preview: some eight short `memchr` calls an edit.)
fn edit_lines<'p, 's>(
    old: &'p [u8],
    plan: &'p Plan,
    sharing: Sharing,
    scope: &'s Scope<'s, 'p>,
) -> EditLines<'p, 's>
where
    'p: 's,
{
    let edits = plan.edits();
    if sharing.threads <= 1 || plan.len() < sharing.lines_apart {
        let lines = edits
            .clone()
            .map(move |edit| line_region(old, edit.start..edit.end));
        return EditLines {
            edits,
            lines: Box::new(lines),
        };
    }
    // A few batches in flight: the calling thread stops taking them when its preview stops,
    // and the next send fails.
    let (found, lines) = crossbeam_channel::bounded::<Vec<Option<Range<usize>>>>(2);
    let batch = sharing.lines_batch.max(1);
    let mut rest = edits.clone();
    let batches = std::iter::from_fn(move || {
        let first = rest.clone();
        let count = rest.by_ref().take(batch).count();
        (count > 0).then_some((first, count))
    });
    scope.spawn(move || {
        ordered::in_order(
            batches,
            sharing.threads,
            JOBS_PER_THREAD,
            |(first, count): (Edits, usize)| {
                first
                    .take(count)
                    .map(|edit| line_region(old, edit.start..edit.end))
                    .collect::<Vec<_>>()
            },
            |batch| Ok::<bool, ()>(found.send(batch).is_ok()),
        )
    });
    EditLines {
        edits,
        lines: Box::new(lines.into_iter().flatten()),
    }
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
    new: &dyn NewBytes,
    sharing: Sharing,
    regions: Box<dyn Iterator<Item = Region> + '_>,
) -> io::Result<()> {
    let path = diff_path(name);
    printer.painted(
        Paint::FileHeader,
        format!("--- a/{path}\n+++ b/{path}\n").as_bytes(),
    )?;
    let style = printer.style();
    let mut at = Place::default();
    let mut header = Vec::new();
    ordered::in_order(
        jobs(regions, sharing.job_bytes),
        sharing.threads,
        JOBS_PER_THREAD,
        |job| render_unified(old, plan, new, &job, style),
        |rendered| {
            let rendered = rendered?;
            at.line += memchr_iter(b'\n', &old[at.counted_to..rendered.span.start]).count();
            let mut printed = 0;
            for hunk in &rendered.hunks {
                printer.raw(&rendered.text[printed..hunk.at])?;
                printed = hunk.at;
                header.clear();
                hunk.header(&at, &mut header);
                printer.painted(Paint::HunkHeader, &header)?;
            }
            printer.raw(&rendered.text[printed..])?;
            at.line += rendered.newlines;
            at.counted_to = rendered.span.end;
            at.shift += rendered.shift;
            Ok(true)
        },
    )
}

/// Where the printing of a unified diff has got to.
#[derive(Debug, Default)]
struct Place {
    /// Lines of the original before `counted_to`.
    line: usize,
    counted_to: usize,
    /// Lines the new file has gained before `counted_to` (fewer than none when it lost some).
    shift: i64,
}

/// A job of a unified diff, rendered: its lines, and where its hunk headers go.
struct RenderedJob {
    /// The old bytes the job's regions span, first to last.
    span: Range<usize>,
    /// The diff's lines, painted.
    text: Vec<u8>,
    hunks: Vec<Hunk>,
    /// Newlines in `old[span]`.
    newlines: usize,
    /// Lines the job's regions gain in the new file.
    shift: i64,
}

/// A hunk header to write at `at` in a [`RenderedJob`]'s text. Its line numbers (0-based) count
/// from the job's start: the lines before it, and the lines gained before it, are known only
/// when the jobs before it are printed.
#[derive(Debug)]
struct Hunk {
    at: usize,
    old: (usize, usize),
    /// Where the hunk starts in the new file, less the lines gained before the job.
    new: (i64, usize),
}

impl Hunk {
    /// `@@ -START,COUNT +START,COUNT @@`, once the job's place in the file is known.
    fn header(&self, job: &Place, out: &mut Vec<u8>) {
        let new_start = job.line as i64 + job.shift + self.new.0;
        out.extend_from_slice(b"@@ -");
        push_hunk_range(out, job.line + self.old.0, self.old.1);
        out.extend_from_slice(b" +");
        push_hunk_range(out, usize::try_from(new_start).unwrap_or(0), self.new.1);
        out.extend_from_slice(b" @@\n");
    }
}

/// Renders the regions of one job of a unified diff (on a worker thread).
fn render_unified(
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    job: &[Region],
    style: Style,
) -> io::Result<RenderedJob> {
    let span = job.first().map_or(0, |r| r.range.start)..job.last().map_or(0, |r| r.range.end);
    // Room for the regions' lines, each shown before and after (not for the span: the regions
    // of a sparse job lie far apart).
    let region_bytes: usize = job.iter().map(|region| region.range.len()).sum();
    let mut out = Printer::buffered_with_capacity(style, region_bytes * 2 + 4096);
    let mut hunks = Vec::new();
    let mut lines = LinePairs::default();
    let mut line = 0; // lines from the job's start to the current region
    let mut counted_to = span.start;
    let mut shift: i64 = 0; // lines gained in the job before the current region
    new.each_region(old, plan, job, &mut |region, new| {
        let range = region.range.clone();
        line += memchr_iter(b'\n', &old[counted_to..range.start]).count();
        counted_to = range.start;
        let old_text = &old[range.clone()];
        let new_base = line as i64 + shift;
        if keeps_lines(old, plan, region) && ends_alike(old_text, new) {
            // Line for line: the region keeps its number of lines.
            return lines.print(&mut out, &mut hunks, old_text, new, (line, new_base));
        }
        // Lines end at newlines only: `similar`'s own splitting ends one at a lone `\r` too,
        // which would show a line of a file with carriage returns as many, with hunk counts
        // that `patch` refuses.
        let old_lines: Vec<&[u8]> = old_text.split_inclusive(|&b| b == b'\n').collect();
        let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
        let diff = TextDiff::from_slices(&old_lines, &new_lines);
        for group in diff.grouped_ops(CONTEXT_LINES) {
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            let old_span = first.old_range().start..last.old_range().end;
            let new_span = first.new_range().start..last.new_range().end;
            hunks.push(Hunk {
                at: out.buffered_len(),
                old: (line + old_span.start, old_span.len()),
                new: (new_base + new_span.start as i64, new_span.len()),
            });
            for op in &group {
                for change in diff.iter_changes(op) {
                    let (sign, paint) = match change.tag() {
                        ChangeTag::Equal => (b' ', None),
                        ChangeTag::Delete => (b'-', Some(Paint::Removed)),
                        ChangeTag::Insert => (b'+', Some(Paint::Added)),
                    };
                    print_line(&mut out, sign, paint, change.value())?;
                }
            }
        }
        shift += count_lines(new) as i64 - count_lines(old_text) as i64;
        Ok(())
    })?;
    let newlines = line + memchr_iter(b'\n', &old[counted_to..span.end]).count();
    Ok(RenderedJob {
        span,
        text: out.into_buffers().0,
        hunks,
        newlines,
        shift,
    })
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

/// Whether two texts with as many newlines have as many lines: both end in a newline, or
/// neither (an edit can empty a last line that has no newline, or fill one).
fn ends_alike(old_text: &[u8], new_text: &[u8]) -> bool {
    let open_line = |text: &[u8]| !text.is_empty() && !text.ends_with(b"\n");
    open_line(old_text) == open_line(new_text)
}

/// Where lines end in the old and new text of a region, and which lines differ: kept from one
/// region to the next (a dense preview has hundreds of thousands).
#[derive(Default)]
struct LinePairs {
    old_ends: Vec<usize>,
    new_ends: Vec<usize>,
    changed: Vec<usize>,
}

impl LinePairs {
    /// The hunks of a region whose old and new lines pair up one for one (see
    /// [`keeps_lines`]): the lines that differ, with three lines of context, as `diff -u`
    /// groups them (a run of changed lines as its old lines, then its new ones; hunks apart
    /// when more than six unchanged lines lie between). `first_lines` are the line numbers
    /// (0-based) of the region's first line in the old file and in the new one.
    fn print(
        &mut self,
        printer: &mut Printer,
        hunks: &mut Vec<Hunk>,
        old_text: &[u8],
        new_text: &[u8],
        (old_first, new_first): (usize, i64),
    ) -> io::Result<()> {
        line_ends(old_text, &mut self.old_ends);
        line_ends(new_text, &mut self.new_ends);
        let old_line = |i: usize| nth_line(old_text, &self.old_ends, i);
        let new_line = |i: usize| nth_line(new_text, &self.new_ends, i);
        let line_count = self.old_ends.len();
        self.changed.clear();
        self.changed
            .extend((0..line_count).filter(|&i| old_line(i) != new_line(i)));
        let mut rest = self.changed.as_slice();
        while let Some(&first) = rest.first() {
            // The changes of one hunk: until a gap of more than twice the context.
            let mut count = 1;
            while count < rest.len() && rest[count] - rest[count - 1] - 1 <= 2 * CONTEXT_LINES {
                count += 1;
            }
            let last = rest[count - 1];
            rest = &rest[count..];
            let start = first.saturating_sub(CONTEXT_LINES);
            let end = (last + 1 + CONTEXT_LINES).min(line_count);
            hunks.push(Hunk {
                at: printer.buffered_len(),
                old: (old_first + start, end - start),
                new: (new_first + start as i64, end - start),
            });
            let mut i = start;
            while i < end {
                if old_line(i) == new_line(i) {
                    print_line(printer, b' ', None, old_line(i))?;
                    i += 1;
                    continue;
                }
                let run_end = (i..end)
                    .find(|&j| old_line(j) == new_line(j))
                    .unwrap_or(end);
                for j in i..run_end {
                    print_line(printer, b'-', Some(Paint::Removed), old_line(j))?;
                }
                for j in i..run_end {
                    print_line(printer, b'+', Some(Paint::Added), new_line(j))?;
                }
                i = run_end;
            }
        }
        Ok(())
    }
}

/// Where each line of a text ends, just past its newline (the last line may have none).
fn line_ends(text: &[u8], ends: &mut Vec<usize>) {
    ends.clear();
    ends.extend(memchr_iter(b'\n', text).map(|newline| newline + 1));
    if ends.last().copied().unwrap_or(0) < text.len() {
        ends.push(text.len());
    }
}

/// Line `i` of `text`, whose lines end at `ends`.
fn nth_line<'t>(text: &'t [u8], ends: &[usize], i: usize) -> &'t [u8] {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

/// A file's path as a diff header names it, after `a/` and `b/` (git's form, which `git apply`
/// and `patch -p1` take): relative, without a leading `./`, escaped like every printed name.
fn diff_path(name: &str) -> String {
    let mut path = name;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    // As git writes an absolute path: `a/tmp/f`, not `a//tmp/f` (which `patch -p1` reads as
    // the absolute path and refuses).
    escape_name(path.trim_start_matches('/'))
}

/// Lines in a text, counting a last line without a newline.
fn count_lines(text: &[u8]) -> usize {
    memchr_iter(b'\n', text).count() + usize::from(!text.is_empty() && !text.ends_with(b"\n"))
}

/// `START,COUNT` of a hunk header, 1-based, written as GNU diff writes it.
fn push_hunk_range(out: &mut Vec<u8>, start0: usize, count: usize) {
    let mut number = itoa::Buffer::new();
    match count {
        0 => {
            out.extend_from_slice(number.format(start0).as_bytes());
            out.extend_from_slice(b",0");
        }
        1 => out.extend_from_slice(number.format(start0 + 1).as_bytes()),
        _ => {
            out.extend_from_slice(number.format(start0 + 1).as_bytes());
            out.push(b',');
            out.extend_from_slice(number.format(count).as_bytes());
        }
    }
}

fn print_hex(
    printer: &mut Printer,
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    sharing: Sharing,
) -> io::Result<()> {
    let style = printer.style();
    ordered::in_order(
        jobs(hex_regions(old.len(), plan), sharing.job_bytes),
        sharing.threads,
        JOBS_PER_THREAD,
        |job| render_hex(old, plan, new, &job, style),
        |rendered| {
            printer.raw(&rendered?)?;
            Ok(true)
        },
    )
}

/// Renders the regions of one job of a hex diff (on a worker thread).
fn render_hex(
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    job: &[Region],
    style: Style,
) -> io::Result<Vec<u8>> {
    let mut out = Printer::buffered(style);
    new.each_region(old, plan, job, &mut |region, new_bytes| {
        let range = region.range.clone();
        let header = format!(
            "@@ 0x{:x}: {} bytes -> {} bytes @@\n",
            range.start,
            range.len(),
            new_bytes.len()
        );
        out.painted(Paint::HunkHeader, header.as_bytes())?;
        let offset = range.start as u64;
        let (old_changed, new_changed) = changed_spans(old, plan, region);
        out.hex_diff_side(offset, &old[range], b'-', Paint::Removed, &old_changed)?;
        out.hex_diff_side(offset, new_bytes, b'+', Paint::Added, &new_changed)
    })?;
    Ok(out.into_buffers().0)
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
        Some(Region::new(range.start..range.end.min(len), first, count))
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

/// A preview printed into memory, and a plain patch applier to hold it to: for the tests and
/// the fuzz targets.
#[cfg(any(test, feature = "fuzzing"))]
pub mod check {
    use super::*;

    /// The preview of `plan` over `old`, for a file named `f`, without colour.
    pub fn preview_of(old: &[u8], plan: &Plan, sharing: Sharing) -> String {
        let mut printer = Printer::buffered(Style::default());
        print(&mut printer, "f", old, plan, &Rendered, sharing).expect("a preview into memory");
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

    #[test]
    fn header_paths_drop_a_leading_dot_slash_and_an_absolute_paths_slash_as_git_does() {
        assert_eq!(diff_path("f"), "f");
        assert_eq!(diff_path("./././d/f"), "d/f");
        assert_eq!(diff_path("/tmp/f"), "tmp/f");
        assert_eq!(diff_path("//tmp/./f"), "tmp/./f");
        assert_eq!(diff_path("../f"), "../f");
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
