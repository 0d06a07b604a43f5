//! `mmt find FILE NEEDLE`: byte offsets of a literal, as `m.find`, `m.rfind` and `bytes.count`.

use anyhow::{Result, bail};
use serde_json::json;

use crate::bytes::{Spelling, parse_byte_string, parse_signed};
use crate::cli::{FindArgs, GlobalOpts};
use crate::cmd::print_count;
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::Printer;
use crate::progress::{self, Progress};
use crate::search::{Needle, clamp_bounds, search_windows, split_windows, starts_past_end};

pub fn run(args: &FindArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    if args.overlapping && !(args.all || args.count) {
        bail!(
            "--overlapping changes what --all lists and what --count counts; add one of them \
             (the first and the last occurrence do not depend on it)"
        );
    }
    let needle = parse_byte_string(&args.needle, Spelling::from(args.bytes), "NEEDLE")?;
    let start = args
        .start
        .as_deref()
        .map(|s| parse_signed(s, "--start"))
        .transpose()?;
    let end = args
        .end
        .as_deref()
        .map(|s| parse_signed(s, "--end"))
        .transpose()?;
    let view = map::open_view(&args.file, ReadPlan::whole(global.no_mmap))?;
    let bounds = clamp_bounds(view.len(), start, end);
    // `--count` is `bytes.count` and `--all` lists what it counts; the first and the last are
    // mmap's `find` and `rfind`, which clamp the start instead.
    let listing = args.count || args.all;
    if listing && starts_past_end(view.len(), start) {
        return if args.count {
            print_count(printer, global, 0)
        } else {
            Ok(Outcome::NothingMatched)
        };
    }
    let scanned = bounds.len() as u64;
    let windows = split_windows(
        search_windows(view.data_extents(), &needle, bounds.clone()),
        progress::STEP,
        needle.len(),
    );
    let finder = Needle::new(&needle);

    if args.count {
        view.expect_sequential_scan();
        let progress = Progress::new(global, scanned, "scanning");
        let windows = progress.follow(windows, bounds.start);
        let count = finder.all(&view, windows, args.overlapping).count();
        drop(progress);
        return print_count(printer, global, count);
    }
    let mut found = false;
    let mut print_offset = |printer: &mut Printer, offset: usize| {
        found = true;
        if global.json {
            printer.json_line(&json!({ "offset": offset }))
        } else {
            printer.line(&offset.to_string())
        }
    };
    if args.all {
        // No progress bar: the offsets themselves show how far the scan is.
        view.expect_sequential_scan();
        for offset in finder.all(&view, windows, args.overlapping) {
            print_offset(printer, offset)?;
        }
    } else {
        let offset = if args.last {
            finder.last(&view, &windows)
        } else {
            finder.first(&view, &windows)
        };
        if let Some(offset) = offset {
            print_offset(printer, offset)?;
        }
    }
    Ok(Outcome::found(found))
}
