//! What a rewrite keeps of the file it replaces: the owner (as root; the group where the user
//! may), every mode bit (setuid, setgid and sticky included), and every extended attribute
//! (POSIX ACLs, file capabilities, SELinux labels, user attributes), as `sed -i` keeps them.
//!
//! The order is the point. The kernel clears setuid, setgid and `security.capability` when a
//! file is written or given a new owner, so all of this is applied to the new file after its
//! content is written and synced: owner first, then the mode, then the extended attributes (an
//! ACL sets the group bits of the mode, and must come after the mode to be the one that stays).

use std::fs::{File, Metadata};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use anyhow::{Context, Result, bail};

/// Gives `to` the owner, mode and extended attributes of `from` (whose metadata is `meta`).
/// An attribute that cannot be kept is an error that names it: a rewrite that silently drops
/// an ACL or a capability would change who may do what with the file.
pub fn keep(from: &File, meta: &Metadata, to: &File) -> Result<()> {
    keep_owner(meta, to)?;
    to.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
        .context("cannot set the mode of the new file")?;
    for name in xattr_names(from).context("cannot list the extended attributes")? {
        let shown = String::from_utf8_lossy(&name).into_owned();
        let value = xattr_value(from, &name)
            .with_context(|| format!("cannot read the extended attribute {shown}"))?;
        if let Err(err) =
            rustix::fs::fsetxattr(to, name.as_slice(), &value, rustix::fs::XattrFlags::empty())
        {
            bail!(
                "cannot keep the extended attribute {shown} on the new file ({}); nothing written",
                io::Error::from(err)
            );
        }
    }
    Ok(())
}

/// As root, the owner and group; otherwise the group, where the user belongs to it (as
/// `sed -i` does; the new file is the user's own either way).
fn keep_owner(meta: &Metadata, to: &File) -> Result<()> {
    if rustix::process::geteuid().is_root() {
        std::os::unix::fs::fchown(to, Some(meta.uid()), Some(meta.gid()))
            .context("cannot set the owner of the new file")?;
    } else if to.metadata().map(|m| m.gid()).ok() != Some(meta.gid()) {
        // Not a member of the group: the new file keeps the user's group, as with sed.
        let _ = std::os::unix::fs::fchown(to, None, Some(meta.gid()));
    }
    Ok(())
}

/// The names of the extended attributes of `file`, or none where the file system has none.
fn xattr_names(file: &File) -> io::Result<Vec<Vec<u8>>> {
    let size = match rustix::fs::flistxattr_query(file) {
        Ok(size) => size,
        Err(rustix::io::Errno::NOTSUP) => return Ok(Vec::new()),
        Err(err) => return Err(err.into()),
    };
    if size == 0 {
        return Ok(Vec::new());
    }
    let mut list = vec![0u8; size];
    let len = rustix::fs::flistxattr(file, list.as_mut_slice())?;
    list.truncate(len);
    Ok(list
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .map(<[u8]>::to_vec)
        .collect())
}

fn xattr_value(file: &File, name: &[u8]) -> io::Result<Vec<u8>> {
    let size = rustix::fs::fgetxattr_query(file, name)?;
    let mut value = vec![0u8; size];
    if size > 0 {
        let len = rustix::fs::fgetxattr(file, name, value.as_mut_slice())?;
        value.truncate(len);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn mode_bits_and_user_attributes_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let from_path = dir.path().join("from");
        let mut from = File::create(&from_path).unwrap();
        from.write_all(b"x").unwrap();
        from.set_permissions(std::fs::Permissions::from_mode(0o4751))
            .unwrap();
        // User attributes need a file system that has them (tmpfs may not, before 6.6).
        let has_xattrs =
            rustix::fs::fsetxattr(&from, "user.mmt", b"kept", rustix::fs::XattrFlags::empty())
                .is_ok();
        let to = File::create(dir.path().join("to")).unwrap();
        let from = File::open(&from_path).unwrap();
        keep(&from, &from.metadata().unwrap(), &to).unwrap();
        assert_eq!(to.metadata().unwrap().mode() & 0o7777, 0o4751);
        if has_xattrs {
            assert_eq!(xattr_value(&to, b"user.mmt").unwrap(), b"kept");
            assert!(xattr_names(&to).unwrap().contains(&b"user.mmt".to_vec()));
        }
    }
}
