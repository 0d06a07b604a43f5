//! The hex diff of a binary preview: the changed regions of the old and new bytes, dumped as
//! `xxd` dumps them, with the bytes that differ highlighted.

use std::io;
use std::ops::Range;

use super::*;

pub(super) fn print_hex(
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
pub(super) fn render_hex(
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
pub(super) fn hex_regions(len: usize, plan: &Plan) -> impl Iterator<Item = Region<'_>> {
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
pub(super) fn changed_spans(
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
pub(super) fn differing_runs(a: &[u8], b: &[u8]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for i in (0..a.len().min(b.len())).filter(|&i| a[i] != b[i]) {
        match runs.last_mut() {
            Some(run) if run.end == i => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    runs
}
