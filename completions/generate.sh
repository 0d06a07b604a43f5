#!/usr/bin/env bash
# Regenerates the completion scripts and man pages in completions/ from the clap definition.
# The tests in tests/suite/generated.rs fail when a committed file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_GENERATED=1 cargo test --quiet --test tests generated
