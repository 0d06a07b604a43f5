//! `mmt grep FILE PATTERN`: a bytes regex over the whole file, so matches may span lines, with
//! Python's `re` flags and capture groups.

use std::borrow::Cow;
use std::os::unix::ffi::OsStrExt;

use anyhow::{Result, bail};
use regex::bytes::{CaptureLocations, Regex};
use serde_json::{Value, json};

use crate::bytes::parse_limit;
use crate::cli::{Format, GlobalOpts, GrepArgs};
use crate::cmd::{print_count, record_format};
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::{Paint, Printer, json_bytes};
use crate::search::{MatchCursor, Pattern, python_matches};
use crate::template::count_groups;

pub fn run(args: &GrepArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let format = record_format(args.format, global)?;
    if global.json {
        refuse_beside_json(args)?;
    }
    let pattern = Pattern::new(args.pattern.as_bytes(), &args.flags.into())?;
    let group = match &args.group {
        Some(name) => group_index(pattern.regex(), name)?,
        None => 0,
    };
    let max = parse_limit(args.max_count.as_deref(), "--max-count")?;
    let view = map::open_view(&args.file, ReadPlan::whole(global.no_mmap))?;
    view.expect_sequential_scan();
    let re = pattern.regex_for(&view);

    if args.count {
        let count = python_matches(view.len(), |pos| re.find_at(&view, pos), |m| m.range())
            .take(max)
            .count();
        return print_count(printer, global, count);
    }

    let mut locs = re.capture_locations();
    let mut cursor = MatchCursor::new(view.len());
    let mut matches = 0;
    while matches < max {
        let Some(pos) = cursor.position() else { break };
        let Some(whole) = re.captures_read_at(&mut locs, &view, pos) else {
            break;
        };
        cursor.advance_past(whole.range());
        matches += 1;
        if global.json {
            printer.json_line(&match_json(re, &locs, &view))?;
            continue;
        }
        // A group that did not take part in this match prints nothing for it.
        let Some((start, end)) = locs.get(group) else {
            continue;
        };
        let mut record = Cow::Borrowed(&view[start..end]);
        if args.fold && record.contains(&b'\n') {
            record = Cow::Owned(
                record
                    .iter()
                    .map(|&b| if b == b'\n' { b' ' } else { b })
                    .collect(),
            );
        }
        print_match(printer, args, format, start, &record)?;
    }
    Ok(Outcome::found(matches > 0))
}

/// `--group G`: a number, or the name of a group the pattern has.
fn group_index(re: &Regex, name: &str) -> Result<usize> {
    let groups = re.captures_len();
    if let Ok(index) = name.parse::<usize>() {
        if index < groups {
            return Ok(index);
        }
        bail!(
            "--group {index}: the pattern has no group {index} (it has {})",
            count_groups(groups - 1)
        );
    }
    match re.capture_names().position(|n| n == Some(name)) {
        Some(index) => Ok(index),
        None => bail!("--group {name}: the pattern has no group named {name}"),
    }
}

/// `--json` prints every match with its offsets and all its groups; the flags that shape text
/// records would be ignored there, so they are refused.
fn refuse_beside_json(args: &GrepArgs) -> Result<()> {
    let text_only = [
        (args.group.is_some(), "--group"),
        (args.byte_offset, "-b/--byte-offset"),
        (args.fold, "--fold"),
    ];
    if let Some((_, flag)) = text_only.iter().find(|(given, _)| *given) {
        bail!(
            "{flag} shapes text records, and --json prints every match with its offsets and all \
             its groups; give one of them"
        );
    }
    Ok(())
}

fn print_match(
    printer: &mut Printer,
    args: &GrepArgs,
    format: Format,
    offset: usize,
    record: &[u8],
) -> Result<()> {
    if format == Format::Hex {
        printer.hex_dump(offset as u64, record)?;
        return Ok(());
    }
    if args.byte_offset {
        printer.painted(Paint::Offset, offset.to_string().as_bytes())?;
        printer.raw(b":")?;
    }
    match format {
        Format::Repr => printer.record(Format::Repr, offset as u64, record)?,
        _ => {
            printer.painted(Paint::Match, record)?;
            printer.raw(b"\n")?;
        }
    }
    Ok(())
}

/// `{"offset", "end", "match", "groups": [...]}`; a group that did not take part is null.
fn match_json(re: &Regex, locs: &CaptureLocations, hay: &[u8]) -> Value {
    let span = |i: usize| {
        locs.get(i).map(|(start, end)| {
            json!({ "offset": start, "end": end, "data": json_bytes(&hay[start..end]) })
        })
    };
    let groups: Vec<Value> = re
        .capture_names()
        .enumerate()
        .skip(1)
        .map(|(i, name)| match span(i) {
            Some(mut group) => {
                group["name"] = json!(name);
                group
            }
            None => Value::Null,
        })
        .collect();
    let (start, end) = locs.get(0).unwrap_or((0, 0));
    json!({
        "offset": start,
        "end": end,
        "match": json_bytes(&hay[start..end]),
        "groups": groups,
    })
}
