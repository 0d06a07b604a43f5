//! Where journals and undo data live: `$MMT_STATE_DIR`, else `$XDG_STATE_HOME/mmt`, else
//! `~/.local/state/mmt`. Where none of those can be used (no `HOME`, a read-only home in a
//! container or CI), a private directory in the temporary directory instead; where not even
//! that, no journal. Either fallback is said on standard error, once.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A usable state directory: it exists, belongs to this user and only this user may enter it.
#[derive(Debug, Clone)]
pub struct StateDir {
    pub path: PathBuf,
}

impl StateDir {
    /// The directory of the runs' journals and undo data.
    pub fn runs(&self) -> PathBuf {
        self.path.join("runs")
    }

    /// Where runs let go of wait to be deleted (see `journal::prune`).
    pub fn trash(&self) -> PathBuf {
        self.path.join("trash")
    }
}

/// The state directories that exist already (nothing is created): the preferred one and the
/// fallback, where a command looks for interrupted runs to roll back.
pub fn existing() -> Vec<StateDir> {
    [preferred_dir(), Some(fallback_dir())]
        .into_iter()
        .flatten()
        .filter(|dir| {
            fs::symlink_metadata(dir.join("runs"))
                .is_ok_and(|m| m.is_dir() && m.uid() == rustix::process::geteuid().as_raw())
        })
        .map(|path| StateDir { path })
        .collect()
}

fn fallback_dir() -> PathBuf {
    std::env::temp_dir().join(format!("mmt-state-{}", rustix::process::geteuid().as_raw()))
}

/// The state directory, decided once per process (the note of a fallback is said once).
pub fn decided(warn: &mut dyn FnMut(String)) -> Option<StateDir> {
    static DECIDED: std::sync::OnceLock<Option<StateDir>> = std::sync::OnceLock::new();
    DECIDED.get_or_init(|| locate(warn)).clone()
}

/// The state directory the environment names, or the fallback; `warn` is told when a
/// fallback is taken. `None`: no journal can be kept.
fn locate(warn: &mut dyn FnMut(String)) -> Option<StateDir> {
    let preferred = preferred_dir();
    if let Some(dir) = &preferred
        && let Some(state) = usable(dir)
    {
        return Some(state);
    }
    let fallback = fallback_dir();
    let why = match &preferred {
        Some(dir) => format!("{} cannot be used", dir.display()),
        None => "neither MMT_STATE_DIR, XDG_STATE_HOME nor HOME is set".to_owned(),
    };
    match usable(&fallback) {
        Some(state) => {
            warn(format!(
                "mmt: note: {why}; journals and undo data go to {}",
                fallback.display()
            ));
            Some(state)
        }
        None => {
            warn(format!(
                "mmt: note: {why}, nor can {}; this run has no journal and cannot be undone",
                fallback.display()
            ));
            None
        }
    }
}

fn preferred_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var("MMT_STATE_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = var("XDG_STATE_HOME") {
        return Some(PathBuf::from(dir).join("mmt"));
    }
    var("HOME").map(|home| PathBuf::from(home).join(".local/state/mmt"))
}

/// `dir`, created if need be (mode 0700), when it is a directory of this user's that others
/// cannot enter and it can be written.
fn usable(dir: &Path) -> Option<StateDir> {
    let runs = dir.join("runs");
    let made: Vec<PathBuf> = runs
        .ancestors()
        .take_while(|d| fs::symlink_metadata(d).is_err())
        .map(Path::to_path_buf)
        .collect();
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&runs)
        .ok()?;
    // A directory made here is named in its parent: durable before a journal is kept in it.
    let parents = made
        .iter()
        .filter_map(|d| d.parent().map(Path::to_path_buf));
    crate::patch::durable::sync_dirs(parents.collect()).ok()?;
    let meta = fs::symlink_metadata(dir).ok()?;
    let me = rustix::process::geteuid().as_raw();
    // A directory someone else made (in /tmp, say) is not ours to trust; ours is made private.
    if !meta.is_dir() || meta.uid() != me {
        return None;
    }
    if meta.permissions().mode() & 0o077 != 0 {
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).ok()?;
    }
    let probe = runs.join(format!(".probe-{}", std::process::id()));
    fs::write(&probe, b"").ok()?;
    let _ = fs::remove_file(&probe);
    Some(StateDir {
        path: dir.to_path_buf(),
    })
}
