//! `mmt completions SHELL`: the completion script, generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::Printer;

pub fn run(args: &CompletionsArgs, printer: &mut Printer) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "mmt", &mut script);
    printer.raw(&script)?;
    Ok(())
}
