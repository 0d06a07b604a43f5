//! `mmt slice FILE RANGE...`: bytes by Python slice, one record per RANGE.

use std::borrow::Cow;

use anyhow::Result;

use crate::cli::SliceArgs;
use crate::cli::slice::Spec;
use crate::cmd::{print_record, record_format};
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::{Format, Printer};
use crate::settings::Settings;

pub fn run(args: &SliceArgs, settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let format = record_format(args.format.map(Format::from), settings.style.json)?;
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
        &args.file.to_path(),
        ReadPlan {
            no_mmap: settings.no_mmap,
            limit,
            read_small: false,
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
        print_record(printer, format, selection.lowest(), &bytes)?;
    }
    Ok(Outcome::Done)
}
