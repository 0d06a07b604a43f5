//! `mmt slice FILE RANGE...`: bytes by Python slice, one record per RANGE.

use std::borrow::Cow;
use std::os::unix::ffi::OsStrExt;

use anyhow::Result;

use crate::cli::{GlobalOpts, SliceArgs};
use crate::cmd::{print_record, record_format};
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::Printer;
use crate::slice::Spec;

pub fn run(args: &SliceArgs, global: &GlobalOpts, printer: &mut Printer) -> Result<Outcome> {
    let format = record_format(args.format, global)?;
    let specs: Vec<Spec> = args
        .ranges
        .iter()
        .map(|r| Spec::parse(r.as_bytes()))
        .collect::<Result<_>>()?;
    let limit = specs
        .iter()
        .map(Spec::reach)
        .try_fold(0, |most, reach| Some(reach?.max(most)));
    let view = map::open_view(
        &args.file,
        ReadPlan {
            no_mmap: global.no_mmap,
            limit,
        },
    )?;
    // Every range is checked before anything is printed.
    let selections = specs
        .iter()
        .map(|spec| spec.resolve(view.len() as u64))
        .collect::<Result<Vec<_>>>()?;
    for selection in selections {
        let bytes = match selection.as_range() {
            Some(range) => Cow::Borrowed(&view[range]),
            None => Cow::Owned(selection.gather(&view)),
        };
        print_record(printer, global, format, selection.lowest(), &bytes)?;
    }
    Ok(Outcome::Done)
}
