//! `mmt completions SHELL`: the completion script, generated from the clap definition.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionsArgs};
use crate::output::Printer;

/// The commands whose positional arguments are files (or paths, or values a file name is a
/// fine start for).
const FILE_COMMANDS: [&str; 6] = ["read", "slice", "find", "replace", "write", "grep"];

pub fn run(args: &CompletionsArgs, printer: &mut Printer) -> Result<()> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "mmt", &mut script);
    if args.shell == Shell::Bash {
        script = bash_completes_files(&String::from_utf8_lossy(&script)).into_bytes();
    }
    printer.raw(&script)?;
    Ok(())
}

/// clap's bash script offers only flags where a command's positional arguments go (`mmt read
/// <TAB>` gives `-q`); zsh and fish follow the value hints, bash does not. In the blocks of the
/// commands that take files, flags are offered for a word that starts with `-`, file names
/// otherwise.
fn bash_completes_files(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + 1024);
    let mut in_file_command = false;
    for line in script.lines() {
        let trimmed = line.trim();
        if let Some(block) = trimmed
            .strip_prefix("mmt__subcmd__")
            .and_then(|b| b.strip_suffix(')'))
        {
            in_file_command = FILE_COMMANDS.contains(&block);
        }
        if in_file_command {
            if trimmed == r#"if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then"# {
                out.push_str(&line.replace(" || ${COMP_CWORD} -eq 2", ""));
                out.push('\n');
                continue;
            }
            if trimmed == r#"COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )"#
                && !out.ends_with("then\n")
            {
                let indent = &line[..line.len() - trimmed.len()];
                out.push_str(&format!(
                    "{indent}if [[ \"${{BASH_VERSINFO[0]}}\" -ge 4 ]]; then\n\
                     {indent}    compopt -o filenames 2>/dev/null\n\
                     {indent}fi\n\
                     {indent}COMPREPLY=( $(compgen -f -- \"${{cur}}\") )\n"
                ));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
