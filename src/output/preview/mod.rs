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

mod copy_on_write;
mod hex;
mod regions;
mod unified;

pub use copy_on_write::CopyOnWrite;
use hex::*;
use regions::*;
use unified::*;

use crate::files::name::Name;
use crate::ordered;
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
mod tests;

#[cfg(test)]
mod properties;
