//! Backups, as `sed -i SUFFIX` names them: a copy that keeps holes, or a hard link.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::patch::sink::copy_keeping_holes;
use crate::sys;

use super::Target;
use super::rewrite::temp_suffix;

impl Target {
    /// Keeps the original as `backup`, replacing any older backup atomically. A hard link costs
    /// nothing and suits a rewrite (the original inode is left alone); an in-place patch needs
    /// a real copy, made before the first byte is written.
    pub fn backup(&self, backup: &Path, method: BackupMethod) -> Result<()> {
        let dir = backup
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let make = |copy: bool| {
            tempfile::Builder::new()
                .prefix(".mmt-backup.")
                .suffix(&temp_suffix())
                .make_in(dir, |name| {
                    let _on_signal = sys::remove_on_signal(name);
                    if copy {
                        copy_preserving(&self.real, name)
                    } else {
                        fs::hard_link(&self.real, name)
                    }
                })
        };
        let temp = match method {
            BackupMethod::Copy => make(true),
            // Hard links may be unsupported (or cross a device): then a copy. A copy that
            // fails is not tried twice.
            BackupMethod::HardLink => make(false).or_else(|_| make(true)),
        }
        .with_context(|| format!("cannot write the backup {}", backup.display()))?;
        let _on_signal = sys::remove_on_signal(temp.path());
        temp.persist(backup)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot write the backup {}", backup.display()))?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupMethod {
    HardLink,
    Copy,
}

/// `path` + `suffix`, as `sed -i SUFFIX` names its backup. The suffix must make another name in
/// the same directory: an empty one would be the file itself, and one with a `/` a path
/// elsewhere.
pub fn backup_path(path: &Path, suffix: &OsStr) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    if suffix.is_empty() {
        bail!("--backup needs a suffix such as .bak (an empty one names the file itself)");
    }
    if suffix.as_bytes().contains(&b'/') {
        bail!(
            "--backup takes a suffix for the file's own name, such as .bak, not a path ({})",
            suffix.to_string_lossy()
        );
    }
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    Ok(PathBuf::from(name))
}

/// Copies a file, keeping its holes, without following a symlink at `to` (`to` is new). A copy
/// that fails (a full disk) is removed, not left half-written.
pub(super) fn copy_preserving(from: &Path, to: &Path) -> io::Result<()> {
    let source = File::open(from)?;
    let dest = OpenOptions::new().write(true).create_new(true).open(to)?;
    let copied = copy_keeping_holes(&source, &dest)
        .and_then(|()| dest.set_permissions(source.metadata()?.permissions()))
        .and_then(|()| dest.sync_all());
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
}
