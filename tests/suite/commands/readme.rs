//! The README and the guide run as written: every `console` block, in order (the README's, then
//! the guide's), in one directory holding the fixtures, with `mmt` on the PATH; what each
//! command prints (standard output and standard error, in the order written) must be what the
//! page shows. The README stays a README: at most 30 KB.

use std::path::Path;
use std::process::Command;

use super::util::Sandbox;

/// The commands of the README's `console` blocks and the output shown under each.
fn console_commands(readme: &str) -> Vec<(String, String)> {
    let mut commands: Vec<(String, String)> = Vec::new();
    let mut in_console = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        match line.strip_prefix("$ ") {
            Some(command) => commands.push((command.to_owned(), String::new())),
            None => {
                let (_, shown) = commands.last_mut().expect("output before any command");
                shown.push_str(line);
                shown.push('\n');
            }
        }
    }
    commands
}

#[test]
fn every_console_block_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        readme.len() <= 30 * 1024,
        "the README is {} bytes",
        readme.len()
    );
    let guide = std::fs::read_to_string(root.join("doc/guide.md")).unwrap();
    let mut commands = console_commands(&readme);
    assert!(commands.len() >= 10, "{} commands", commands.len());
    let in_guide = console_commands(&guide);
    assert!(
        in_guide.len() >= 5,
        "{} commands in the guide",
        in_guide.len()
    );
    commands.extend(in_guide);
    let sb = Sandbox::with_fixtures();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mmt")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, shown) in commands {
        let out = Command::new("sh")
            .args(["-c", &format!("{command} 2>&1")])
            .current_dir(sb.dir())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("MMT_STATE_DIR", sb.state())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            shown,
            "README command `{command}` printed something else"
        );
    }
}
