//! `mmt replace FILE OLD NEW`: every non-overlapping OLD becomes NEW, as `bytes.replace` (or
//! `re.sub` with `--regex`) would have it; in place when the length is kept, else by an atomic
//! rewrite.

use std::os::unix::ffi::OsStrExt;

use anyhow::{Result, bail};

use super::patching::{Mode, carry_out, dry_run_note, open_target, report_json};
use crate::bytes::{Spelling, parse_byte_string, parse_limit, parse_unsigned};
use crate::cli::{GlobalOpts, ReplaceArgs};
use crate::cmd::display_name;
use crate::exit::Outcome;
use crate::map::View;
use crate::output::Printer;
use crate::patch::Plan;
use crate::progress::{self, Progress};
use crate::search::{Pattern, search_windows, split_windows};
use crate::target::backup_path;
use crate::template::Template;

/// What OLD stands for, and what NEW puts in its place.
enum Edit {
    Bytes { old: Vec<u8>, new: Vec<u8> },
    Pattern { old: Pattern, new: Template },
}

pub fn run(args: &ReplaceArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let edit = parse_edit(args)?;
    let max = parse_limit(args.max.as_deref(), "--max")?;
    let expect = args
        .expect
        .as_deref()
        .map(|n| parse_unsigned(n, "--expect"))
        .transpose()?;

    let backup = args
        .backup
        .as_deref()
        .map(|suffix| backup_path(&args.file, suffix))
        .transpose()?;
    let (target, view) = open_target(&args.file, global)?;
    view.expect_sequential_scan();
    let plan = plan(&view, &edit, max, global);
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

/// OLD and NEW as typed: bytes in the chosen spelling, or with `--regex` a pattern of Python's
/// dialect and a template checked against its groups.
fn parse_edit(args: &ReplaceArgs) -> Result<Edit> {
    let spelling = Spelling::from(args.bytes);
    let new = parse_byte_string(&args.new, spelling, "NEW")?;
    if args.old.is_empty() {
        bail!("OLD is empty; there is nothing to replace");
    }
    if !args.regex {
        if let Some(flag) = args.pattern.first_given() {
            bail!(
                "{flag} applies to a regular expression, and OLD is literal bytes; add --regex \
                 to read OLD as a pattern (or drop {flag})"
            );
        }
        let old = parse_byte_string(&args.old, spelling, "OLD")?;
        if old.is_empty() {
            bail!("OLD is empty; there is nothing to replace");
        }
        return Ok(Edit::Bytes { old, new });
    }
    let old = Pattern::new(args.old.as_bytes(), &args.pattern.into())?;
    let new = Template::parse(&new, old.regex())?;
    Ok(Edit::Pattern { old, new })
}

/// Every edit, found before anything is written. A literal search skips the holes of a sparse
/// file and shows progress on a large one.
fn plan(view: &View, edit: &Edit, max: usize, global: &GlobalOpts) -> Plan {
    match edit {
        Edit::Pattern { old, new } => Plan::regex(view, old, new, max),
        Edit::Bytes { old, new } => {
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
