//! `mmt replace FILE OLD NEW`: every non-overlapping OLD becomes NEW, as `bytes.replace` (or
//! `re.sub` with `--regex`) would have it; in place when the length is kept, else by an atomic
//! rewrite.

use std::os::unix::ffi::OsStrExt;

use anyhow::{Context, Result, bail};

use super::patching::{Mode, carry_out, report_json};
use crate::bytes::{Spelling, parse_byte_string, parse_unsigned};
use crate::cli::{GlobalOpts, ReplaceArgs};
use crate::cmd::display_name;
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::Printer;
use crate::patch::Plan;
use crate::progress::{self, Progress};
use crate::search::{build_regex, search_windows, split_windows};
use crate::target::{Access, Target, backup_path};

pub fn run(args: &ReplaceArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let spelling = Spelling::from(args.bytes);
    let new = parse_byte_string(&args.new, spelling, "NEW")?;
    let regex = if args.regex {
        let pattern = std::str::from_utf8(args.old.as_bytes())
            .context("OLD is not valid UTF-8 (write bytes as \\xNN)")?;
        if pattern.is_empty() {
            bail!("OLD is empty; there is nothing to replace");
        }
        Some(build_regex(pattern, &args.pattern)?)
    } else {
        None
    };
    let old = parse_byte_string(&args.old, spelling, "OLD")?;
    if old.is_empty() {
        bail!("OLD is empty; there is nothing to replace");
    }
    let max = match &args.max {
        Some(n) => usize::try_from(parse_unsigned(n, "--max")?).unwrap_or(usize::MAX),
        None => usize::MAX,
    };
    let expect = args
        .expect
        .as_deref()
        .map(|n| parse_unsigned(n, "--expect"))
        .transpose()?;

    let access = if global.copy {
        Access::DryRun
    } else {
        Access::Patch
    };
    let target = Target::open(&args.file, access)?;
    let view = map::view_of_file(
        &target.file,
        &target.real,
        ReadPlan {
            no_mmap: global.no_mmap,
            limit: None,
        },
    )?;
    view.expect_sequential_scan();
    let plan = match &regex {
        Some(re) => Plan::regex(&view, re, &new, max),
        None => {
            let windows = search_windows(view.data_extents(), &old, 0..view.len());
            let progress = Progress::new(global, view.len() as u64, "scanning");
            let watched = split_windows(windows, progress::STEP, old.len())
                .into_iter()
                .inspect(|w| progress.set(w.start as u64));
            Plan::literal_in(&view, watched, &old, &new, max)
        }
    };
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
        let dry = if global.copy {
            " (dry run, file unchanged)"
        } else {
            ""
        };
        let count = plan.len() as u64;
        printer.summary(&format!(
            "{name}: {count} {}{dry}",
            plural(count, "replacement")
        ));
    }
    Ok(Outcome::found(!plan.is_empty()))
}

fn plural(count: u64, word: &str) -> String {
    if count == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}
