//! Durable file primitives shared by every writer: private directories,
//! atomic replacement (temp + fsync + rename) and exclusive lock files.
//!
//! A lock is always taken on a separate, never-replaced `*.lock` file: locking
//! the data file itself and renaming over it lets a waiter read stale data.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A failed file operation, with the path it concerned.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading, writing, renaming or syncing failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done ("could not write").
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Another process kept the lock longer than we wait.
    #[error(
        "{path} stayed locked by another odoo-connections process for {waited_ms} ms; try again, or end the stuck process"
    )]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
        /// How long we waited.
        waited_ms: u128,
    },
}

impl FileError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        FileError::Io {
            action,
            path: path.to_owned(),
            source,
        }
    }
}

/// Creates `dir` (and parents) readable only by the current user.
pub fn create_private_dir(dir: &Path) -> Result<(), FileError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|source| FileError::io("could not create directory", dir, source))
}

/// Reads a whole file, `None` when it does not exist.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, FileError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(FileError::io("could not read", path, source)),
    }
}

/// Replaces `path` with `contents` so that readers (and a crash at any
/// moment) see either the old file or the new one, never a mix.
///
/// The new file is private to the user (0600 on Unix). Callers hold the
/// file's [`LockFile`], so temp files left by a writer that was killed
/// mid-write are known to be stale and are removed here.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp_prefix = format!(".{file_name}.tmp-");
    remove_stale_temps(dir, &temp_prefix);
    let temp_path = dir.join(format!(
        "{temp_prefix}{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = write_new_private(&temp_path, contents).and_then(|()| {
        fs::rename(&temp_path, path)
            .map_err(|source| FileError::io("could not replace", path, source))
    });
    if result.is_err() {
        fs::remove_file(&temp_path).ok();
        return result;
    }
    sync_dir(dir)
}

fn remove_stale_temps(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(prefix) {
            fs::remove_file(entry.path()).ok();
        }
    }
}

fn write_new_private(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|source| FileError::io("could not create", path, source))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|source| FileError::io("could not write", path, source))
}

fn sync_dir(dir: &Path) -> Result<(), FileError> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|handle| handle.sync_all())
            .map_err(|source| FileError::io("could not sync directory", dir, source))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Moves a damaged file out of the way (`name.corrupt-<unix-seconds>`) so it
/// is kept for the user and never overwritten. Returns the new path.
pub fn set_aside(path: &Path) -> Result<PathBuf, FileError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{stamp}"));
    let aside = PathBuf::from(aside);
    fs::rename(path, &aside)
        .map_err(|source| FileError::io("could not set aside", path, source))?;
    Ok(aside)
}

/// An exclusive advisory lock on a lock file, released on drop.
#[derive(Debug)]
pub struct LockFile {
    _file: File,
}

impl LockFile {
    /// How long [`LockFile::acquire`] waits by default.
    pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

    /// Takes the lock on `path` (created if missing), waiting at most `wait`.
    pub fn acquire(path: &Path, wait: Duration) -> Result<Self, FileError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|source| FileError::io("could not open lock file", path, source))?;
        let started = Instant::now();
        let mut pause = Duration::from_millis(1);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(25));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(FileError::LockTimeout {
                        path: path.to_owned(),
                        waited_ms: started.elapsed().as_millis(),
                    });
                }
                Err(TryLockError::Error(source)) => {
                    return Err(FileError::io("could not lock", path, source));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/data.json");
        write_atomic(&path, b"one").unwrap();
        let stale = path.with_file_name(".data.json.tmp-1-dead");
        fs::write(&stale, b"half a writ").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }

    #[test]
    fn a_held_lock_times_out_with_a_clear_message() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        let held = LockFile::acquire(&path, Duration::ZERO).unwrap();
        let err = LockFile::acquire(&path, Duration::from_millis(30)).unwrap_err();
        assert!(err.to_string().contains("stayed locked"), "{err}");
        drop(held);
        LockFile::acquire(&path, Duration::ZERO).unwrap();
    }

    #[test]
    fn set_aside_keeps_the_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        fs::write(&path, b"{broken").unwrap();
        let aside = set_aside(&path).unwrap();
        assert!(!path.exists());
        assert_eq!(fs::read(aside).unwrap(), b"{broken");
    }
}
