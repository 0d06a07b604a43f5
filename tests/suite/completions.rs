//! `mmt completions SHELL`, and the generated scripts in `completions/` kept current.

use super::util::Sandbox;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "mmt.bash"),
    ("zsh", "_mmt"),
    ("fish", "mmt.fish"),
    ("elvish", "mmt.elv"),
    ("powershell", "_mmt.ps1"),
];

#[test]
fn completion_scripts_in_the_repository_are_current() {
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in SCRIPTS {
        let out = sb.mmt(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(!out.stdout.is_empty());
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale; regenerate all with: ./completions/generate.sh"
        );
    }
}

#[test]
fn bash_completion_knows_the_commands() {
    let sb = Sandbox::new();
    let out = sb.mmt(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    for command in [
        "read",
        "slice",
        "find",
        "replace",
        "write",
        "grep",
        "completions",
    ] {
        assert!(script.contains(command), "{command}");
    }
}
