//! One writer per result folder: an exclusive operating-system file lock, held for the whole
//! life of a command that writes a folder (its checkpoint and temporary folders included).
//!
//! The lock is taken on the hidden sibling file `.NAME.lock` beside the result folder `NAME`
//! (where the checkpoint `.NAME.checkpoint` and the temporary `.NAME.partial-PID` live too). The
//! file holds the writer's process id, so a second writer is refused with the live process
//! named, before it reads or changes anything. The operating system releases the lock when its
//! process ends however it ends (`kill -9` too), so a dead writer never blocks the next one; the
//! file is removed when the lock is released normally and reused when it was not.
//!
//! ```no_run
//! use reports::lock::FolderLock;
//!
//! let _lock = FolderLock::acquire(std::path::Path::new("results/baseline"))?;
//! // ... write results/baseline; the lock is released when `_lock` is dropped.
//! # Ok::<(), reports::Error>(())
//! ```

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The lock file of the result folder `target`: `.NAME.lock` beside it.
pub fn location(target: &Path) -> PathBuf {
    crate::output::hidden_sibling(target, "lock")
}

/// The exclusive lock of one result folder, released (and its file removed) when dropped.
#[derive(Debug)]
pub struct FolderLock {
    file: File,
    path: PathBuf,
}

impl FolderLock {
    /// Takes the lock of the result folder `target`, creating its parent folder if needed. When
    /// another process holds it, the error ([`Error::Locked`]) names that process; nothing is
    /// waited for and nothing is changed.
    pub fn acquire(target: &Path) -> Result<FolderLock> {
        let path = location(target);
        if let Some(parent) = path.parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "cannot create folder", e))?;
        }
        // The holder removes the file as it lets go; a file opened just before that is not the
        // lock any more, so try again on the new one.
        for _ in 0..100 {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, "cannot create lock file", e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let mut text = String::new();
                    let _ = file.read_to_string(&mut text);
                    return Err(Error::Locked {
                        folder: target.to_path_buf(),
                        lock: path,
                        pid: text.trim().parse().ok(),
                    });
                }
                Err(TryLockError::Error(e)) => {
                    return Err(Error::io(&path, "cannot lock", e));
                }
            }
            if !is_current(&file, &path) {
                continue;
            }
            let pid = std::process::id();
            file.set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| writeln!(file, "{pid}"))
                .and_then(|()| file.flush())
                .map_err(|e| Error::io(&path, "cannot write lock file", e))?;
            return Ok(FolderLock { file, path });
        }
        Err(Error::io(
            &path,
            "cannot lock",
            std::io::Error::other("the lock file keeps being replaced by other processes"),
        ))
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Whether the locked `file` is still the one named `path` (not removed or replaced meanwhile).
#[cfg(unix)]
fn is_current(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// Elsewhere the file is never removed, so the file locked is always the current one.
#[cfg(not(unix))]
fn is_current(_file: &File, _path: &Path) -> bool {
    true
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still locked, so a waiting writer sees it replaced (see `acquire`).
        if cfg!(unix) {
            let _ = std::fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_free_once_released() {
        let tmp = std::env::temp_dir().join(format!("herdlab-lock-{}", std::process::id()));
        let target = tmp.join("result");
        let first = FolderLock::acquire(&target).expect("lock");
        assert_eq!(first.path(), tmp.join(".result.lock"));
        let text = std::fs::read_to_string(first.path()).expect("pid");
        assert_eq!(text.trim(), std::process::id().to_string());
        match FolderLock::acquire(&target) {
            Err(Error::Locked { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("not refused: {other:?}"),
        }
        drop(first);
        assert!(!tmp.join(".result.lock").exists());
        let again = FolderLock::acquire(&target).expect("free again");
        drop(again);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
