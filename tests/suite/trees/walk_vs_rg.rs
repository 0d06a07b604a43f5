//! The walk against ripgrep's own, on random trees: nested `.gitignore` files with
//! negations, anchored and directory-only patterns and `**`, `.ignore`, `.rgignore`,
//! `.git/info/exclude`, git and non-git roots, hidden files, links with and without `-L`,
//! `--max-depth`, and `-g` with and without `/` and `!`, each under a relative and an absolute
//! PATH. Every file holds the needle, so the files `mmt find --count` reports are the files it
//! walked, and they must be the files `rg --files` lists with the same flags.
//!
//! Needs `rg` on PATH (`.ci/run` installs it). `MMT_WALK_TREES=N` walks more trees; a failure
//! names its seed, and `MMT_WALK_SEED=S` walks that tree alone.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::process::Command;

use super::util::Sandbox;

/// A small deterministic generator (xorshift64*), so that a seed names one tree.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &[
    "a", "b", "c", "src", "vendor", "build", ".hidden", ".h2", "x1", "keep",
];
const FILES: &[&str] = &[
    "a.txt", "b.log", "c.rs", "keep.log", ".dot", "x.tmp", "e.txt", "main.c", "README",
];
const PATTERNS: &[&str] = &[
    "*.log",
    "!keep.log",
    "/a",
    "b/",
    "**/c",
    "vendor/**",
    "src/**/e.txt",
    "*.tmp",
    "x*",
    "!x.tmp",
    "build",
    "/src/",
    ".hidden",
    "c/*.rs",
    "**/keep/**",
    "a/**/b",
    "*.c",
    "!*.c",
    "README",
    "e.*",
];
const GLOBS: &[&str] = &[
    "*.txt",
    "!*.log",
    "t/vendor/**",
    "!t/vendor/**",
    "!t/a/**",
    "**/src/**",
    "!**/c",
    "t/*/e.txt",
    "!x*",
    "*.{rs,c}",
    "!t/.hidden/**",
];

/// An ignore file of `lines`: with the needle in a comment, since it is walked too.
fn ignore_file(lines: &[&str]) -> String {
    format!("# NEEDLE\n{}\n", lines.join("\n"))
}

/// Builds a random tree under `root` (the PATH `t` of the sandbox).
fn grow(rng: &mut Rng, root: &Path) {
    fs::create_dir_all(root).unwrap();
    if rng.chance(60) {
        fs::create_dir_all(root.join(".git/info")).unwrap();
        if rng.chance(50) {
            let lines: Vec<&str> = (0..1 + rng.below(2)).map(|_| rng.pick(PATTERNS)).collect();
            fs::write(root.join(".git/info/exclude"), ignore_file(&lines)).unwrap();
        }
    }
    let mut dirs = vec![root.to_path_buf()];
    for _ in 0..4 + rng.below(6) {
        let parent = dirs[rng.below(dirs.len())].clone();
        if parent.components().count() - root.components().count() >= 3 {
            continue;
        }
        let dir = parent.join(rng.pick(NAMES));
        fs::create_dir_all(&dir).unwrap();
        dirs.push(dir);
    }
    for dir in &dirs {
        for _ in 0..1 + rng.below(4) {
            fs::write(dir.join(rng.pick(FILES)), b"NEEDLE\n").unwrap();
        }
        for ignore_file in [".gitignore", ".ignore", ".rgignore"] {
            if rng.chance(25) {
                let lines: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(PATTERNS)).collect();
                fs::write(dir.join(ignore_file), self::ignore_file(&lines)).unwrap();
            }
        }
    }
    // Links to files and to directories that do not loop (a link only points down, elsewhere).
    for _ in 0..rng.below(3) {
        let from = &dirs[rng.below(dirs.len())];
        let to = &dirs[rng.below(dirs.len())];
        if to.starts_with(from) || from.starts_with(to) {
            continue;
        }
        let name = from.join(format!("link{}", rng.below(100)));
        let target = if rng.chance(50) {
            to.join(rng.pick(FILES))
        } else {
            to.clone()
        };
        let _ = std::os::unix::fs::symlink(target, name);
    }
}

/// Random flags of the walk, the same for both tools.
fn flags(rng: &mut Rng) -> Vec<String> {
    let mut flags = Vec::new();
    if rng.chance(30) {
        flags.push("--hidden".to_owned());
    }
    if rng.chance(30) {
        flags.push("-L".to_owned());
    }
    if rng.chance(15) {
        flags.push("--no-ignore".to_owned());
    }
    if rng.chance(25) {
        flags.push("--max-depth".to_owned());
        flags.push((1 + rng.below(3)).to_string());
    }
    for _ in 0..rng.below(3) {
        flags.push("-g".to_owned());
        flags.push(rng.pick(GLOBS).to_owned());
    }
    flags
}

/// The set of paths in `out`'s lines, each cut at `cut` (the `:N` of `--count`), if given.
fn paths(out: &[u8], count_lines: bool) -> BTreeSet<Vec<u8>> {
    out.split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            if count_lines {
                let colon = line.iter().rposition(|&b| b == b':').expect("PATH:N");
                line[..colon].to_vec()
            } else {
                line.to_vec()
            }
        })
        .collect()
}

fn walk_one(seed: u64) {
    let mut rng = Rng::new(seed);
    let sb = Sandbox::new();
    let root = sb.path("t");
    grow(&mut rng, &root);
    let flags = flags(&mut rng);
    let absolute: OsString = root.clone().into_os_string();
    for path in [OsString::from("t"), absolute] {
        // Both with the sandbox as home, so that no global git ignore file of the machine's
        // user takes part.
        let rg = Command::new("rg")
            .arg("--files")
            .args(&flags)
            .arg(&path)
            .current_dir(sb.dir())
            .env("HOME", sb.dir())
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("RIPGREP_CONFIG_PATH")
            .output()
            .expect("rg on PATH");
        let mmt = sb
            .mmt([
                "find".into(),
                path.clone(),
                "NEEDLE".into(),
                "--count".into(),
            ])
            .args(&flags)
            .env("HOME", sb.dir())
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .unwrap();
        let (want, got) = (paths(&rg.stdout, false), paths(&mmt.stdout, true));
        if want != got {
            let listing = Command::new("find")
                .args(["t", "-printf", "%p%y\n"])
                .current_dir(sb.dir())
                .output()
                .unwrap();
            let show = |set: &BTreeSet<Vec<u8>>| {
                set.iter()
                    .map(|p| String::from_utf8_lossy(p).into_owned())
                    .collect::<Vec<_>>()
            };
            panic!(
                "seed {seed}: {path:?} {flags:?}\nrg only: {:?}\nmmt only: {:?}\nrg stderr: {}\n\
                 mmt stderr: {}\ntree:\n{}",
                show(&want.difference(&got).cloned().collect()),
                show(&got.difference(&want).cloned().collect()),
                String::from_utf8_lossy(&rg.stderr),
                String::from_utf8_lossy(&mmt.stderr),
                String::from_utf8_lossy(&listing.stdout),
            );
        }
    }
}

#[test]
#[ignore = "needs rg (ripgrep) on PATH; .ci/run installs it and runs the ignored tests"]
fn random_trees_are_walked_as_rg_walks_them() {
    if let Some(seed) = std::env::var("MMT_WALK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        walk_one(seed);
        return;
    }
    let trees = std::env::var("MMT_WALK_TREES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150u64);
    for seed in 0..trees {
        walk_one(seed);
    }
}
