//! `mmt write FILE OFFSET DATA`: overwrite `len(DATA)` bytes at OFFSET in place, as
//! `m[off:off+len(data)] = data` does. Never grows the file.

use anyhow::{Result, bail};
use serde_json::json;

use super::patching::{carry_out, dry_run_note, open_target};
use crate::bytes::{Spelling, parse_byte_string, parse_signed};
use crate::cli::{GlobalOpts, WriteArgs};
use crate::cmd::display_name;
use crate::exit::Outcome;
use crate::output::{Printer, json_path};
use crate::patch::Plan;

pub fn run(args: &WriteArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let offset = parse_signed(&args.offset, "OFFSET")?;
    let data = parse_byte_string(&args.data, Spelling::from(args.bytes), "DATA")?;
    if data.is_empty() {
        bail!("DATA is empty; there is nothing to write");
    }
    let (target, view) = open_target(&args.file, global)?;
    let start = resolve_offset(offset, data.len() as u64, target.meta.len())?;
    let plan = Plan::overwrite(start as usize, &data);
    let name = display_name(&args.file);
    carry_out(&target, &view, &plan, global, printer, &name, None)?;
    if global.json {
        printer.json_line(&json!({
            "file": json_path(&args.file),
            "offset": start,
            "length": data.len(),
            "mode": "in-place",
            "dry_run": global.copy,
        }))?;
    } else {
        printer.summary(&format!(
            "{name}: wrote {} bytes at offset {start}{}",
            data.len(),
            dry_run_note(global)
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
