use super::*;
use std::ffi::OsString;
use std::fs;
use std::os::unix::fs::symlink;

/// A small deterministic generator: the trees differ by seed and are the same every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

const NAMES: &[&str] = &[
    "a", "b.rs", "B.txt", "c.log", ".hidden", "target", "z", "a.b", "a-b", "a0", "é.md",
];
const RULES: &[&str] = &["*.log", "target/", "!keep.log", "/z", "b*", "**/deep", "a?"];

/// A tree of everything the walks tell apart: ignore files at every level (some in a git
/// repository, some not), hidden entries, empty directories, names that sort differently as
/// bytes and as text, links to files and directories, a loop, a dangling link, hard links.
fn random_tree(seed: u64) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let mut rng = Lcg(seed);
    let mut dirs = vec![root.path().to_path_buf()];
    let mut files = Vec::new();
    fs::create_dir(root.path().join(".git")).unwrap();
    for _ in 0..40 + rng.below(80) {
        let parent = dirs[rng.below(dirs.len() as u64) as usize].clone();
        let name = format!("{}{}", rng.pick(NAMES), rng.below(3));
        let path = parent.join(&name);
        if path.symlink_metadata().is_ok() {
            continue;
        }
        match rng.below(10) {
            0..=2 => {
                fs::create_dir(&path).unwrap();
                dirs.push(path);
            }
            3 => {
                let rules: Vec<&str> = (0..1 + rng.below(3)).map(|_| rng.pick(RULES)).collect();
                let file = if rng.below(2) == 0 {
                    ".gitignore"
                } else {
                    ".ignore"
                };
                fs::write(parent.join(file), rules.join("\n")).unwrap();
            }
            4 if dirs.len() > 1 => {
                let target = &dirs[rng.below(dirs.len() as u64) as usize];
                symlink(target, &path).unwrap();
            }
            5 => symlink(parent.join("missing"), &path).unwrap(),
            // Another name for a file: the same inode twice in the walk.
            6 if !files.is_empty() => {
                let file = &files[rng.below(files.len() as u64) as usize];
                fs::hard_link(file, &path).unwrap();
            }
            _ => {
                fs::write(&path, name.as_bytes()).unwrap();
                files.push(path);
            }
        }
    }
    if rng.below(2) == 0 {
        fs::create_dir_all(root.path().join("sub/.git")).unwrap();
        fs::write(root.path().join("sub/.gitignore"), "*.txt\n").unwrap();
        fs::write(root.path().join("sub/x.txt"), "x").unwrap();
        fs::write(root.path().join("sub/x.rs"), "x").unwrap();
    }
    root
}

fn as_line(done: Done<String>) -> String {
    match done {
        Ok((source, name)) => format!("{} {name}", source.name()),
        Err(unreachable) => format!("! {} {:#}", unreachable.name, unreachable.error),
    }
}

fn one_thread(dir: &Path, options: &WalkOptions) -> Vec<String> {
    let sources = source::Sources {
        many: true,
        items: Box::new(std::iter::once(source::Item::Tree(dir.to_path_buf()))),
        walk: options.clone(),
    };
    sources
        .entries()
        .map(|entry| as_line(entry.map(|source| (source.clone(), source.name().to_string()))))
        .collect()
}

fn many_threads(dir: &Path, options: &WalkOptions, threads: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let worked_on = Mutex::new(Vec::new());
    in_walk_order(
        dir,
        options,
        threads,
        &|source: &Source| {
            worked_on.lock().unwrap().push(source.name().to_string());
            source.name().to_string()
        },
        &mut |done| {
            lines.push(as_line(done));
            Ok(())
        },
    )
    .unwrap();
    // Only what is handed on is worked on: no link left unfollowed, no socket.
    let mut worked_on = worked_on.into_inner().unwrap();
    let mut handed_on: Vec<String> = lines
        .iter()
        .filter_map(|line| line.split_once(' ').map(|(name, _)| name.to_owned()))
        .filter(|name| name != "!")
        .collect();
    worked_on.sort();
    handed_on.sort();
    assert_eq!(worked_on, handed_on);
    lines
}

fn options() -> Vec<WalkOptions> {
    let glob = |g: &str| OsString::from(g);
    vec![
        WalkOptions::default(),
        WalkOptions {
            hidden: true,
            ..Default::default()
        },
        WalkOptions {
            no_ignore: true,
            hidden: true,
            ..Default::default()
        },
        WalkOptions {
            follow: true,
            ..Default::default()
        },
        WalkOptions {
            max_depth: Some(2),
            follow: true,
            hidden: true,
            ..Default::default()
        },
        WalkOptions {
            globs: vec![glob("!*.rs"), glob("*")],
            ..Default::default()
        },
    ]
}

#[test]
fn the_parallel_walk_lists_what_the_one_thread_walk_lists_in_its_order() {
    let mut compared = 0;
    for seed in 0..24 {
        let tree = random_tree(seed);
        for options in options() {
            let expected = one_thread(tree.path(), &options);
            for threads in [2, 3, 8] {
                let got = many_threads(tree.path(), &options, threads);
                assert_eq!(got, expected, "seed {seed}, {options:?}, {threads} threads");
                compared += expected.len();
            }
        }
    }
    // The trees are not trivially empty.
    assert!(compared > 5_000, "{compared}");
}

/// A file's result is handed on as soon as everything before it is done, not when the
/// walk ends: here the work on `b` waits until `a` has been handed on, and gives up after
/// ten seconds. A link (not followed) sorts first: nothing is awaited for it.
#[test]
fn results_are_handed_on_while_the_walk_goes_on() {
    let tree = tempfile::tempdir().unwrap();
    fs::write(tree.path().join("a"), "a").unwrap();
    fs::write(tree.path().join("b"), "b").unwrap();
    symlink(tree.path().join("a"), tree.path().join("0link")).unwrap();
    let handed_a = (Mutex::new(false), Condvar::new());
    let mut results = Vec::new();
    in_walk_order(
        tree.path(),
        &WalkOptions::default(),
        2,
        &|source: &Source| {
            if !source.name().to_string().ends_with('b') {
                return true;
            }
            let (handed, changed) = &handed_a;
            let wait = std::time::Duration::from_secs(10);
            let handed = handed.lock().unwrap();
            let (handed, _) = changed.wait_timeout_while(handed, wait, |h| !*h).unwrap();
            *handed
        },
        &mut |done| {
            let (source, waited) = done.unwrap();
            results.push((source.name().to_string(), waited));
            if source.name().to_string().ends_with('a') {
                *handed_a.0.lock().unwrap() = true;
                handed_a.1.notify_all();
            }
            Ok(())
        },
    )
    .unwrap();
    let names: Vec<bool> = results.iter().map(|(_, waited)| *waited).collect();
    assert_eq!(names, [true, true], "{results:?}");
    assert!(results[0].0.ends_with('a') && results[1].0.ends_with('b'));
}

#[test]
fn a_consumer_that_stops_stops_the_walk() {
    let tree = random_tree(7);
    let mut taken = 0;
    let result = in_walk_order(
        tree.path(),
        &WalkOptions {
            hidden: true,
            no_ignore: true,
            ..Default::default()
        },
        3,
        &|source: &Source| source.name().to_string(),
        &mut |_| {
            taken += 1;
            if taken == 3 {
                anyhow::bail!("reader went away");
            }
            Ok(())
        },
    );
    assert_eq!(result.unwrap_err().to_string(), "reader went away");
    assert_eq!(taken, 3);
}

#[test]
fn a_bad_glob_is_reported_as_the_directory_that_cannot_be_walked() {
    let tree = random_tree(1);
    let options = WalkOptions {
        globs: vec![OsString::from("a{")],
        ..Default::default()
    };
    let lines = many_threads(tree.path(), &options, 2);
    assert_eq!(lines, one_thread(tree.path(), &options));
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("! "), "{lines:?}");
}
