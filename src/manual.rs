//! Texts that `--help` and the man page share, so the two cannot drift apart.

/// The exit status table of the README.
pub const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "success: something was found, printed or changed"),
    (
        "1",
        "nothing matched, so nothing was printed or changed (the file is untouched, mtime included)",
    ),
    (
        "2",
        "error: one message on standard error beginning 'mmt: ', naming the file and the reason; nothing changed",
    ),
];

/// What mmt promises about the files it writes; the Guarantees section of doc/transactions.md
/// names the test that holds each one.
pub const GUARANTEES: &[&str] = &[
    "Plan first: every match is found before a byte is written, so --expect, a bad pattern or any \
     other error leaves the file byte-for-byte as it was, mtime included.",
    "No match means exit 1 and an untouched file (mtime included).",
    "--copy never changes the file's bytes or mtime; it exits with the code the real run would give.",
    "Same-length edits are written through a shared map into the same inode, then flushed and synced \
     before exit; a sparse file's touched ranges are allocated first, so a full disk is an error, \
     not SIGBUS.",
    "Length-changing edits go to a temporary file in the same directory, which is renamed over the \
     original: a reader sees the old file or the new one, never a mix. It is synced before the \
     rename, or with the journal before the run commits (until then the journal rolls it back). The mode (setuid, \
     setgid and sticky bits included), POSIX ACLs, extended attributes and file capabilities are \
     kept, and the owner when run as root; one that cannot be kept is an error and nothing is \
     written. A symbolic link is followed and stays a link. A file with other hard links is written in \
     place instead, from a copy of its old content that the journal keeps first, so that its \
     inode stays the same and every name of it sees the change.",
    "A run that writes is all or nothing: every file is recorded in a journal before the first byte \
     changes; a file that fails restores the files written before it; a run killed at any step is \
     rolled back by the next mmt command or mmt recover. mmt undo reverts the last run.",
    "Ctrl-C, SIGTERM and SIGHUP during a rewrite leave the original and remove the temporary file; \
     during an in-place patch they wait until the patch is written and synced. A temporary file left \
     by a killed run is removed by the next rewrite of that file.",
    "On any write error (disk full, file-size limit, read-only file or directory) the original is \
     intact and no temporary file is left behind.",
    "Concurrent mmt runs on one file take an exclusive lock in turn, so every edit lands; a file \
     replaced, resized or changed by another process between planning and writing is refused (exit 2).",
    "A file truncated by another process while mapped ends mmt with exit 2 and the message \
     'file was truncated while mapped', not a bus error; --no-mmap avoids the map altogether.",
    "No input, however bad, produces a panic or a backtrace.",
];

/// Examples for the man page: a command and what it does.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "mmt read lorem.txt 10 10 --format repr",
        "Two successive 10-byte reads, as Python's m.read(10) twice.",
    ),
    (
        "mmt slice disk.img 0x1fe+2 --format hex",
        "The boot signature of a disk image, as an xxd dump.",
    ),
    (
        "mmt find app.log ERROR --count",
        "How many times ERROR occurs.",
    ),
    (
        "mmt grep lorem.txt '(\\.\\W+)?([^.]?nulla[^.]*?\\.)' -i --dot-all --multi-line --group 2 --fold --format repr",
        "Every sentence that mentions nulla, one per line.",
    ),
    (
        "mmt --copy replace Cargo.toml '0.1.0' '0.2.0'",
        "Preview a version bump as a unified diff; nothing is written.",
    ),
    (
        "mmt replace Cargo.toml '0.1.0' '0.2.0' --expect 1",
        "Bump it, refusing unless there is exactly one hit.",
    ),
    (
        "mmt write disk.img 0x1fe 55aa --hex",
        "Patch two bytes in place.",
    ),
];
