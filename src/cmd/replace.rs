//! `mmt replace FILE OLD NEW`: every non-overlapping OLD becomes NEW, as `bytes.replace` (or
//! `re.sub` with `--regex`) would have it; in place when the length is kept, else by an atomic
//! rewrite.

use std::os::unix::ffi::OsStrExt;

use anyhow::{Context, Result, bail};
use regex::bytes::Regex;

use super::patching::{Mode, carry_out, dry_run_note, open_target, report_json};
use crate::bytes::{Spelling, parse_byte_string, parse_limit, parse_unsigned};
use crate::cli::{GlobalOpts, ReplaceArgs};
use crate::cmd::display_name;
use crate::exit::Outcome;
use crate::map::View;
use crate::output::Printer;
use crate::patch::Plan;
use crate::progress::{self, Progress};
use crate::search::{build_regex, search_windows, split_windows};
use crate::target::backup_path;

/// What OLD stands for.
enum Old {
    Bytes(Vec<u8>),
    Pattern(Regex),
}

pub fn run(args: &ReplaceArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let spelling = Spelling::from(args.bytes);
    let old = parse_old(args, spelling)?;
    let new = parse_byte_string(&args.new, spelling, "NEW")?;
    let max = parse_limit(args.max.as_deref(), "--max")?;
    let expect = args
        .expect
        .as_deref()
        .map(|n| parse_unsigned(n, "--expect"))
        .transpose()?;

    let (target, view) = open_target(&args.file, global)?;
    view.expect_sequential_scan();
    let plan = plan(&view, &old, &new, max, global);
    if let Some(expected) = expect.filter(|&n| n != plan.len() as u64) {
        bail!(
            "expected {expected} {}, found {}; nothing written",
            plural(expected, "replacement"),
            plan.len()
        );
    }
    let name = display_name(&args.file);
    let mode = if plan.is_empty() {
        Mode::of(&plan)
    } else {
        let backup = args
            .backup
            .as_deref()
            .map(|suffix| backup_path(&args.file, suffix));
        carry_out(
            &target,
            &view,
            &plan,
            global,
            printer,
            &name,
            backup.as_deref(),
        )?
    };
    if global.json {
        printer.json_line(&report_json(&args.file, &plan, mode, global.copy))?;
    } else {
        let count = plan.len() as u64;
        printer.summary(&format!(
            "{name}: {count} {}{}",
            plural(count, "replacement"),
            dry_run_note(global)
        ));
    }
    Ok(Outcome::found(!plan.is_empty()))
}

fn parse_old(args: &ReplaceArgs, spelling: Spelling) -> Result<Old> {
    let old = if args.regex {
        let pattern = std::str::from_utf8(args.old.as_bytes())
            .context("OLD is not valid UTF-8 (write bytes as \\xNN)")?;
        Old::Pattern(build_regex(pattern, &args.pattern)?)
    } else {
        Old::Bytes(parse_byte_string(&args.old, spelling, "OLD")?)
    };
    if args.old.is_empty() || matches!(&old, Old::Bytes(bytes) if bytes.is_empty()) {
        bail!("OLD is empty; there is nothing to replace");
    }
    Ok(old)
}

/// Every edit, found before anything is written. A literal search skips the holes of a sparse
/// file and shows progress on a large one.
fn plan(view: &View, old: &Old, new: &[u8], max: usize, global: &GlobalOpts) -> Plan {
    match old {
        Old::Pattern(re) => Plan::regex(view, re, new, max),
        Old::Bytes(old) => {
            let windows = search_windows(view.data_extents(), old, 0..view.len());
            let progress = Progress::new(global, view.len() as u64, "scanning");
            let windows = progress.follow(split_windows(windows, progress::STEP, old.len()), 0);
            Plan::literal_in(view, windows, old, new, max)
        }
    }
}

fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
