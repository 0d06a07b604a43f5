//! A file's identity: its device and inode. Two names with the same identity are one file (a
//! hard link, a file named twice, a symbolic link and its target), which a run plans, locks
//! and writes once; and the order of identities is the one order in which runs take locks.

use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    pub dev: u64,
    pub ino: u64,
}

impl FileId {
    pub fn of(meta: &Metadata) -> FileId {
        FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        }
    }

    /// The identity of the file `path` names, through symbolic links.
    pub fn of_path(path: &Path) -> io::Result<FileId> {
        fs::metadata(path).map(|meta| FileId::of(&meta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_names_of_one_file_have_one_identity_and_two_files_two() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        fs::write(&a, "x").unwrap();
        fs::hard_link(&a, &b).unwrap();
        fs::write(&c, "x").unwrap();
        let id = FileId::of_path(&a).unwrap();
        assert_eq!(id, FileId::of_path(&b).unwrap());
        assert_ne!(id, FileId::of_path(&c).unwrap());
        assert_eq!(id, FileId::of(&fs::metadata(&a).unwrap()));
        assert_eq!(id.ino, fs::metadata(&a).unwrap().ino());
        assert!(FileId::of_path(&dir.path().join("none")).is_err());
    }
}
