//! mmt: inspect and patch files through memory maps.
//!
//! `main` parses the command line, runs the command and turns its result into the exit status
//! of the README: 0 done, 1 nothing matched, 2 error with one `mmt: FILE: reason` message.

#![forbid(unsafe_code)]

use mmt::exit::ExitCode;
use mmt::{cli, cmd};

fn main() -> std::process::ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err).into(),
    };
    match cmd::dispatch(cli) {
        Ok(code) => code.into(),
        // The reader went away (`mmt ... | head`): what it wanted was printed, so this is a
        // quiet, successful end, as in ripgrep.
        Err(err) if cmd::drive::is_broken_pipe(&err) => ExitCode::Success.into(),
        Err(err) => {
            mmt::output::say(&format!("mmt: {err:#}"));
            ExitCode::Error.into()
        }
    }
}

/// Prints clap's message so that it reads like mmt's own (`mmt: ...`); help and version are
/// not errors.
fn usage_error(err: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        let _ = err.print();
        return ExitCode::Success;
    }
    if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        eprint!("{}", cli::short_usage());
        return ExitCode::Error;
    }
    // A value clap complains about may carry cli's NUL mark; it is not part of what was typed.
    let rendered = err.render().to_string().replace('\0', "");
    let message = rendered.strip_prefix("error: ").unwrap_or(&rendered);
    mmt::output::say(format!("mmt: {message}").trim_end_matches('\n'));
    ExitCode::Error
}
