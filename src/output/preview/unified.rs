//! The unified diff of a text preview: hunks with their headers (`@@ -a,b +c,d @@`), lines as
//! git writes them, and the file header each diff starts with.

use std::io;
use std::ops::Range;

use memchr::{memchr, memchr_iter};
use similar::{ChangeTag, TextDiff};

use super::*;

pub(super) fn print_unified(
    printer: &mut Printer,
    name: Option<&[u8]>,
    old: &[u8],
    plan: &Plan,
    new: &dyn NewBytes,
    sharing: Sharing,
    regions: Box<dyn Iterator<Item = Region> + '_>,
) -> io::Result<()> {
    if let Some(name) = name {
        printer.painted(Paint::FileHeader, &file_header(name))?;
    }
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
pub(super) struct Place {
    /// Lines of the original before `counted_to`.
    line: usize,
    counted_to: usize,
    /// Lines the new file has gained before `counted_to` (fewer than none when it lost some).
    shift: i64,
}

/// A job of a unified diff, rendered: its lines, and where its hunk headers go.
pub(super) struct RenderedJob {
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
pub(super) struct Hunk {
    at: usize,
    old: (usize, usize),
    /// Where the hunk starts in the new file, less the lines gained before the job.
    new: (i64, usize),
}

impl Hunk {
    /// `@@ -START,COUNT +START,COUNT @@`, once the job's place in the file is known.
    pub(super) fn header(&self, job: &Place, out: &mut Vec<u8>) {
        let new_start = job.line as i64 + job.shift + self.new.0;
        out.extend_from_slice(b"@@ -");
        push_hunk_range(out, job.line + self.old.0, self.old.1);
        out.extend_from_slice(b" +");
        push_hunk_range(out, usize::try_from(new_start).unwrap_or(0), self.new.1);
        out.extend_from_slice(b" @@\n");
    }
}

/// Renders the regions of one job of a unified diff (on a worker thread).
pub(super) fn render_unified(
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
pub(super) fn print_line(
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
pub(super) fn keeps_lines(old: &[u8], plan: &Plan, region: &Region) -> bool {
    region.edits().all(|edit| {
        memchr(b'\n', &old[edit.start..edit.end]).is_none()
            && memchr(b'\n', plan.replacement(&edit)).is_none()
    })
}

/// Whether two texts with as many newlines have as many lines: both end in a newline, or
/// neither (an edit can empty a last line that has no newline, or fill one).
pub(super) fn ends_alike(old_text: &[u8], new_text: &[u8]) -> bool {
    let open_line = |text: &[u8]| !text.is_empty() && !text.ends_with(b"\n");
    open_line(old_text) == open_line(new_text)
}

/// Where lines end in the old and new text of a region, and which lines differ: kept from one
/// region to the next (a dense preview has hundreds of thousands).
#[derive(Default)]
pub(super) struct LinePairs {
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
    pub(super) fn print(
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
pub(super) fn line_ends(text: &[u8], ends: &mut Vec<usize>) {
    ends.clear();
    ends.extend(memchr_iter(b'\n', text).map(|newline| newline + 1));
    if ends.last().copied().unwrap_or(0) < text.len() {
        ends.push(text.len());
    }
}

/// Line `i` of `text`, whose lines end at `ends`.
pub(super) fn nth_line<'t>(text: &'t [u8], ends: &[usize], i: usize) -> &'t [u8] {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &text[start..ends[i]]
}

/// The `--- a/PATH` and `+++ b/PATH` lines of a file's diff, as git writes them, so that both
/// `git apply` and `patch -p1` find the file: the path relative, without a leading `./` or `/`
/// (git writes `a/tmp/f` for an absolute path; `patch -p1` refuses `a//tmp/f`); in git's
/// C-style quotes when it holds a byte that needs them; and followed by a TAB when it holds a
/// space, which is how GNU patch tells where the name ends.
pub(super) fn file_header(name: &[u8]) -> Vec<u8> {
    let mut path = name;
    while let Some(rest) = path.strip_prefix(b"./") {
        path = rest;
    }
    while let Some(rest) = path.strip_prefix(b"/") {
        path = rest;
    }
    let mut header = Vec::with_capacity(2 * path.len() + 16);
    for (dashes, side) in [(b"---", b"a/"), (b"+++", b"b/")] {
        header.extend_from_slice(dashes);
        header.push(b' ');
        push_git_quoted(&mut header, side, path);
        if path.contains(&b' ') {
            header.push(b'\t');
        }
        header.push(b'\n');
    }
    header
}

/// `prefix` and `path` as git's `quote_c_style` writes a path with `core.quotePath` on (its
/// default): as they are, unless the path holds a control byte, a `"`, a `\\` or a byte that
/// is not ASCII; then the whole of it in double quotes, with `\a \b \t \n \v \f \r \" \\`
/// and every other such byte as three octal digits (`\303\251` for `é`).
///
/// One addition to git: a path that ends in a space is quoted too. GNU patch drops the
/// whitespace at the end of a name it reads bare, so it cannot find `a/name ` as git writes it
/// (it refuses git's own diff of such a file); quoted, both tools take it.
fn push_git_quoted(out: &mut Vec<u8>, prefix: &[u8], path: &[u8]) {
    let needs_quotes = |b: u8| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x7f;
    if !path.iter().any(|&b| needs_quotes(b)) && !path.ends_with(b" ") {
        out.extend_from_slice(prefix);
        out.extend_from_slice(path);
        return;
    }
    out.push(b'"');
    for &b in prefix.iter().chain(path) {
        let letter = match b {
            0x07 => b'a',
            0x08 => b'b',
            b'\t' => b't',
            b'\n' => b'n',
            0x0b => b'v',
            0x0c => b'f',
            b'\r' => b'r',
            b'"' | b'\\' => b,
            _ if needs_quotes(b) => {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (b >> 6),
                    b'0' + ((b >> 3) & 7),
                    b'0' + (b & 7),
                ]);
                continue;
            }
            _ => {
                out.push(b);
                continue;
            }
        };
        out.extend_from_slice(&[b'\\', letter]);
    }
    out.push(b'"');
}

/// Lines in a text, counting a last line without a newline.
pub(super) fn count_lines(text: &[u8]) -> usize {
    memchr_iter(b'\n', text).count() + usize::from(!text.is_empty() && !text.ends_with(b"\n"))
}

/// `START,COUNT` of a hunk header, 1-based, written as GNU diff writes it.
pub(super) fn push_hunk_range(out: &mut Vec<u8>, start0: usize, count: usize) {
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
