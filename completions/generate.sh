#!/usr/bin/env bash
# Regenerates the completion scripts from the clap definition; a test fails when they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/mmt
"$bin" completions bash > completions/mmt.bash
"$bin" completions zsh > completions/_mmt
"$bin" completions fish > completions/mmt.fish
"$bin" completions elvish > completions/mmt.elv
"$bin" completions powershell > completions/_mmt.ps1
