//! Where a text preview's regions lie: the lines an edit touches with three lines of context,
//! edits whose regions touch merged into one, cut at a bound so that a dense patch is rendered
//! in pieces.

use std::ops::Range;

use memchr::{memchr, memrchr};

use super::*;

/// Edits whose line regions touch are shown in one region; past this many bytes a region is
/// closed between two unchanged lines, so that a preview of millions of dense edits holds one
/// bounded region at a time. Each side keeps one of those lines as context: the hunks meet
/// without overlapping, which `patch` takes, and `git apply` too (it anchors a hunk without
/// trailing context to the end of the file). Edits with no two unchanged lines between them
/// stay in one region, however long.
pub(super) const REGION_CAP: usize = 256 * 1024;

/// The regions of a unified diff, front to back: the lines that hold the edits, widened by
/// the context lines, merged when they touch and cut past [`REGION_CAP`]. Each holds whole
/// edits and touches no other. `None` where a line boundary is further than [`MAX_LINE`] from
/// an edit: binary data.
pub(super) fn line_regions<'a>(
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
pub(super) struct EditLines<'p, 's> {
    edits: Edits<'p>,
    lines: Box<dyn Iterator<Item = Option<Range<usize>>> + 's>,
}

/// The line region of every edit of `plan`: found on the calling thread, or, for a plan of
/// many edits shared among threads, a batch of edits at a time on worker threads, while the
/// calling thread merges them into regions. (Found edit by edit, they were the most of what
/// the calling thread does for a dense preview: some eight short `memchr` calls an edit.)
pub(super) fn edit_lines<'p, 's>(
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
pub(super) fn is_text(bytes: &[u8]) -> bool {
    memchr(0, bytes).is_none() && std::str::from_utf8(bytes).is_ok()
}

/// No line of text is longer than this; data without a newline this far from an edit is shown
/// as hex, and a preview never scans a huge binary file for a line break.
pub(super) const MAX_LINE: usize = 64 * 1024;

/// The lines that hold `edit`, widened by the context lines on either side; `None` when a line
/// boundary is further away than [`MAX_LINE`].
pub(super) fn line_region(old: &[u8], edit: Range<usize>) -> Option<Range<usize>> {
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
pub(super) fn cut_between(old: &[u8], last_byte: usize, next_start: usize) -> Option<usize> {
    let after = line_end(old, last_byte)?;
    let before = line_start(old, next_start)?;
    let cut = line_end(old, after)?;
    (cut < before).then_some(cut)
}

/// The last byte an edit touches (its start, for an insertion).
pub(super) fn last_byte(edit: Range<usize>) -> usize {
    if edit.is_empty() {
        edit.start
    } else {
        edit.end - 1
    }
}

/// The start of the line that holds `pos`.
pub(super) fn line_start(old: &[u8], pos: usize) -> Option<usize> {
    let from = pos.saturating_sub(MAX_LINE);
    match memrchr(b'\n', &old[from..pos]) {
        Some(nl) => Some(from + nl + 1),
        None => (from == 0).then_some(0),
    }
}

/// Just past the newline that ends the line holding `pos` (the end of the data at most).
pub(super) fn line_end(old: &[u8], pos: usize) -> Option<usize> {
    if pos >= old.len() {
        return Some(old.len());
    }
    let to = pos.saturating_add(MAX_LINE).min(old.len());
    match memchr(b'\n', &old[pos..to]) {
        Some(nl) => Some(pos + nl + 1),
        None => (to == old.len()).then_some(to),
    }
}
