//! `mmt write FILE OFFSET DATA`: overwrite `len(DATA)` bytes at OFFSET in place, as
//! `m[off:off+len(data)] = data` does. Never grows the file.

use anyhow::{Result, bail};
use serde_json::json;

use super::patching::{
    Writing, begin_run, carry_out, commit_run, dry_run_note, failed, open_target,
};
use crate::cli::WriteArgs;
use crate::cli::bytes::{Spelling, parse_byte_string, parse_signed};
use crate::cmd::display_name;
use crate::exit::Outcome;
use crate::journal::transaction::{FileWrite, ToWrite};
use crate::output::{Printer, json_path, plural};
use crate::patch::Plan;
use crate::patch::targets::Access;
use crate::settings::Settings;

pub fn run(args: &WriteArgs, settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let offset = parse_signed(args.offset.as_os_str(), "OFFSET")?;
    let data = parse_byte_string(args.data.as_os_str(), Spelling::from(args.bytes), "DATA")?;
    if data.is_empty() {
        bail!("DATA is empty; there is nothing to write");
    }
    let path = args.file.to_path();
    let (target, view) = open_target(&path, Access::Patch, settings, false)?;
    let start = resolve_offset(offset, data.len() as u64, target.meta.len())?;
    let plan = Plan::overwrite(start as usize, &data);
    let name = display_name(&args.file);
    let to_write = [ToWrite {
        target: &target,
        given: &path,
        view: &view,
        plan: &plan,
    }];
    let mut run = begin_run(settings, &to_write)?;
    // The transaction runs the write (its one file), so that a failure restores what it wrote.
    let write = |_: usize, file: FileWrite| {
        let mut out = Printer::buffered(settings.style);
        let writing = Writing {
            backup: None,
            journaled: file.journaled,
            later: file.later,
            old_copy: None, // a write keeps the length
        };
        carry_out(&target, &view, &plan, settings, &mut out, &path, writing)?;
        Ok(out.into_buffers())
    };
    let written = match run.write_each(1, 1, &write) {
        Ok(written) => written,
        Err(err) => return Err(failed(run.fail(err))),
    };
    commit_run(run, printer)?;
    for (printed, said) in written {
        printer.replay(&printed, &said)?;
    }
    if settings.style.json {
        printer.json_line(&json!({
            "file": json_path(&path),
            "offset": start,
            "length": data.len(),
            "mode": "in-place",
            "dry_run": settings.preview,
        }))?;
    } else {
        printer.summary(&format!(
            "{}: wrote {} {} at offset {start}{}",
            name,
            data.len(),
            plural(data.len() as u64, "byte"),
            dry_run_note(settings)
        ));
    }
    Ok(Outcome::Done)
}

/// Where the write starts: negative counts from the end; the write must fit inside the file.
fn resolve_offset(offset: i64, data_len: u64, file_len: u64) -> Result<u64> {
    let start = if offset < 0 {
        file_len.checked_sub(offset.unsigned_abs())
    } else {
        Some(offset as u64)
    };
    let Some(start) = start else {
        bail!(
            "offset {offset} is before the start of the file ({file_len} bytes); nothing written"
        );
    };
    if start.checked_add(data_len).is_none_or(|end| end > file_len) {
        bail!(
            "writing {data_len} bytes at offset {start} would run past the end of the file \
             ({file_len} bytes); nothing written"
        );
    }
    Ok(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_resolve_inside_the_file_only() {
        assert_eq!(resolve_offset(0, 4, 10).unwrap(), 0);
        assert_eq!(resolve_offset(6, 4, 10).unwrap(), 6);
        assert_eq!(resolve_offset(-4, 4, 10).unwrap(), 6);
        assert!(resolve_offset(7, 4, 10).is_err());
        assert!(resolve_offset(-11, 1, 10).is_err());
        assert!(resolve_offset(i64::MAX, 4, 10).is_err());
        assert!(resolve_offset(i64::MIN, 4, 10).is_err());
    }
}
