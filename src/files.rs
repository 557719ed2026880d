//! Durable file primitives shared by every writer: private directories,
//! atomic replacement (temp + fsync + rename), exclusive lock files, appends,
//! and damaged files set aside without ever overwriting an earlier copy.
//!
//! Every state and config file is opened without following a symbolic link
//! (`O_NOFOLLOW`) and must be a regular file; one that is readable by others
//! is tightened to 0600 (its directory to 0700), with a note on stderr.
//!
//! A lock is always taken on a separate, never-replaced `*.lock` file: locking
//! the data file itself and renaming over it lets a waiter read stale data.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

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
    /// The file is a symbolic link, which is never followed (it could make
    /// us read or write a file elsewhere).
    #[error(
        "{path} is a symbolic link, and odoo-connections never follows links for its own files; replace the link with the file itself (or remove it) and try again"
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },
    /// Something other than a regular file (a directory, a FIFO…) is there.
    #[error("{path} is not a regular file (it is {kind}); move it out of the way and try again")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead ("a directory").
        kind: &'static str,
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

    /// A failed open of `path`, named precisely when a link or something
    /// other than a file is in the way.
    fn open(action: &'static str, path: &Path, source: io::Error) -> Self {
        match fs::symlink_metadata(path) {
            Ok(found) if found.file_type().is_symlink() => FileError::Symlink {
                path: path.to_owned(),
            },
            Ok(found) if !found.is_file() => FileError::NotAFile {
                path: path.to_owned(),
                kind: kind_of(&found.file_type()),
            },
            _ => FileError::io(action, path, source),
        }
    }
}

fn kind_of(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else {
        "not a file"
    }
}

/// The most a private file's mode allows (owner read and write).
pub const PRIVATE_FILE_MODE: u32 = 0o600;
/// The most a private directory's mode allows (owner only).
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// Creates `dir` (and parents) readable only by the current user; an
/// existing `dir` that others can use is tightened to 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), FileError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder
        .create(dir)
        .map_err(|source| FileError::io("could not create directory", dir, source))?;
    if let Ok(metadata) = fs::metadata(dir) {
        tighten(dir, &metadata, PRIVATE_DIR_MODE, |permissions| {
            fs::set_permissions(dir, permissions)
        });
    }
    Ok(())
}

/// Narrows a mode that gives more than `private` (group or others, or
/// special bits) down to `private`, and says so on stderr. A file that
/// belongs to someone else (the chmod is refused) is left as it is.
fn tighten(
    path: &Path,
    metadata: &fs::Metadata,
    private: u32,
    set: impl FnOnce(fs::Permissions) -> io::Result<()>,
) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & !private == 0 {
            return;
        }
        let tightened = mode & private;
        match set(fs::Permissions::from_mode(tightened)) {
            Ok(()) => tracing::warn!(
                "{} had mode {mode:04o}, so others could use it; tightened it to {tightened:04o}",
                path.display()
            ),
            Err(error) if error.kind() == io::ErrorKind::PermissionDenied => {}
            Err(error) => tracing::warn!(
                "{} has mode {mode:04o} and could not be tightened to {tightened:04o}: {error}",
                path.display()
            ),
        }
    }
    #[cfg(not(unix))]
    let _ = (path, metadata, private, set);
}

/// Opens one of our own files with `options`, never through a symbolic
/// link; it must be a regular file, and is tightened to 0600.
fn open_private(
    path: &Path,
    options: &mut OpenOptions,
    action: &'static str,
) -> Result<File, FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // O_NONBLOCK: a named pipe put in a file's place must not hang the
        // open; it changes nothing for the regular files accepted below.
        options
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .mode(PRIVATE_FILE_MODE);
    }
    let file = options
        .open(path)
        .map_err(|source| FileError::open(action, path, source))?;
    let metadata = file
        .metadata()
        .map_err(|source| FileError::io(action, path, source))?;
    if !metadata.is_file() {
        return Err(FileError::NotAFile {
            path: path.to_owned(),
            kind: kind_of(&metadata.file_type()),
        });
    }
    tighten(path, &metadata, PRIVATE_FILE_MODE, |permissions| {
        file.set_permissions(permissions)
    });
    Ok(file)
}

/// Opens a file for reading, `None` when it does not exist. A symbolic link
/// or anything but a regular file is refused.
pub fn open_read_private(path: &Path) -> Result<Option<File>, FileError> {
    match open_private(path, OpenOptions::new().read(true), "could not read") {
        Ok(file) => Ok(Some(file)),
        Err(FileError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(other) => Err(other),
    }
}

/// Reads a whole file, `None` when it does not exist. A symbolic link or
/// anything but a regular file is refused.
pub fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, FileError> {
    let Some(mut file) = open_read_private(path)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|source| FileError::io("could not read", path, source))?;
    Ok(Some(bytes))
}

/// Opens `path` for appending, creating it (0600) and its directory (0700)
/// when missing. A symbolic link or anything but a regular file is refused.
pub fn open_append_private(path: &Path) -> Result<File, FileError> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    open_private(
        path,
        OpenOptions::new().append(true).create(true),
        "could not open",
    )
}

/// Replaces `path` with `contents` so that readers (and a crash at any
/// moment) see either the old file or the new one, never a mix.
///
/// The new file is private to the user (0600 on Unix). Callers hold the
/// file's [`LockFile`], so temp files left by a writer that was killed
/// mid-write are known to be stale and are removed here. A symbolic link at
/// `path` is refused, not replaced.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    if fs::symlink_metadata(path).is_ok_and(|found| found.file_type().is_symlink()) {
        return Err(FileError::Symlink {
            path: path.to_owned(),
        });
    }
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

/// Creates a file that did not exist (`O_EXCL`, so never through a link).
fn write_new_private(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let mut file = open_private(
        path,
        OpenOptions::new().write(true).create_new(true),
        "could not create",
    )?;
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

/// The marker between a file's name and the time it was set aside.
const SET_ASIDE_MARKER: &str = ".corrupt-";

/// Moves a damaged file out of the way (`name.corrupt-<unix-seconds>`, or
/// `name.corrupt-<unix-seconds>-<n>` when that is taken) so it is kept for
/// the user. An earlier copy is never overwritten. Returns the new path.
pub fn set_aside(path: &Path) -> Result<PathBuf, FileError> {
    let stamp = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    for attempt in 1..=MAX_SET_ASIDE_ATTEMPTS {
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!("{SET_ASIDE_MARKER}{stamp}"));
        if attempt > 1 {
            aside.push(format!("-{attempt}"));
        }
        let aside = PathBuf::from(aside);
        match move_if_absent(path, &aside) {
            Ok(()) => return Ok(aside),
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(FileError::io("could not set aside", path, source)),
        }
    }
    Err(FileError::io(
        "could not set aside",
        path,
        io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!(
                "{MAX_SET_ASIDE_ATTEMPTS} set-aside copies from this second already exist; remove old `{SET_ASIDE_MARKER}*` copies"
            ),
        ),
    ))
}

/// How many `-<n>` suffixes [`set_aside`] tries within one second.
const MAX_SET_ASIDE_ATTEMPTS: u32 = 1000;

/// Renames `from` to `to` unless `to` exists: a hard link (which never
/// replaces) and then the removal of `from`. Where hard links are not
/// supported, a checked rename.
fn move_if_absent(from: &Path, to: &Path) -> io::Result<()> {
    match fs::hard_link(from, to) {
        Ok(()) => fs::remove_file(from),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Err(error),
        Err(_) if fs::symlink_metadata(to).is_ok() => {
            Err(io::Error::from(io::ErrorKind::AlreadyExists))
        }
        Err(_) => fs::rename(from, to),
    }
}

/// The newest copy of `path` that [`set_aside`] kept, when it is newer than
/// `path` itself (or `path` is gone): the person's latest data may be in it.
pub fn newer_set_aside(path: &Path) -> Option<PathBuf> {
    let dir = path.parent()?;
    let prefix = format!("{}{SET_ASIDE_MARKER}", path.file_name()?.to_string_lossy());
    let current = fs::symlink_metadata(path)
        .and_then(|found| found.modified())
        .ok();
    fs::read_dir(dir)
        .ok()?
        .flatten()
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(&prefix))
        .filter_map(|entry| {
            let modified = entry.metadata().ok()?.modified().ok()?;
            Some((modified, entry.path()))
        })
        .filter(|(modified, _)| current.is_none_or(|current| *modified > current))
        .max()
        .map(|(_, aside)| aside)
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
        let file = Self::open(path)?;
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

    /// Takes the lock on `path` (created if missing) if nobody holds it;
    /// `None` when someone does.
    pub fn try_acquire(path: &Path) -> Result<Option<Self>, FileError> {
        let file = Self::open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(FileError::io("could not lock", path, source)),
        }
    }

    fn open(path: &Path) -> Result<File, FileError> {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        open_private(
            path,
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
            "could not open lock file",
        )
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
    fn set_aside_keeps_the_bytes_and_never_overwrites_an_earlier_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        let mut kept = Vec::new();
        for damage in [&b"{broken"[..], b"{broken again", b"{and again"] {
            fs::write(&path, damage).unwrap();
            let aside = set_aside(&path).unwrap();
            assert!(!path.exists());
            kept.push((aside, damage));
        }
        for (aside, damage) in &kept {
            assert_eq!(fs::read(aside).unwrap(), *damage, "{}", aside.display());
        }
        let newest = newer_set_aside(&path).unwrap();
        assert!(kept.iter().any(|(aside, _)| *aside == newest));
    }

    #[test]
    fn a_set_aside_copy_older_than_the_file_is_not_news() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.json");
        fs::write(&path, b"{broken").unwrap();
        let aside = set_aside(&path).unwrap();
        assert_eq!(newer_set_aside(&path), Some(aside.clone()));
        let old = SystemTime::now() - Duration::from_secs(3600);
        File::options()
            .write(true)
            .open(&aside)
            .unwrap()
            .set_modified(old)
            .unwrap();
        write_atomic(&path, b"{}").unwrap();
        assert_eq!(newer_set_aside(&path), None);
    }

    #[cfg(unix)]
    #[test]
    fn links_and_non_files_are_refused_and_nothing_is_written_through_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        fs::write(&target, b"theirs").unwrap();
        let link = dir.path().join("state.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let refusals = [
            read_if_exists(&link).unwrap_err(),
            open_read_private(&link).unwrap_err(),
            open_append_private(&link).unwrap_err(),
            write_atomic(&link, b"ours").unwrap_err(),
            LockFile::acquire(&link, Duration::ZERO).unwrap_err(),
        ];
        for refusal in refusals {
            assert!(matches!(refusal, FileError::Symlink { .. }), "{refusal}");
            assert!(
                refusal
                    .to_string()
                    .contains("state.json is a symbolic link")
            );
        }
        assert_eq!(fs::read(&target).unwrap(), b"theirs");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let dangling = dir.path().join("dangling.json");
        std::os::unix::fs::symlink(dir.path().join("nothing"), &dangling).unwrap();
        assert!(matches!(
            open_append_private(&dangling),
            Err(FileError::Symlink { .. })
        ));
        assert!(!dir.path().join("nothing").exists());
        let pipe = dir.path().join("pipe.json");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&pipe)
                .status()
                .unwrap()
                .success()
        );
        let refusal = read_if_exists(&pipe).unwrap_err();
        assert!(refusal.to_string().contains("a named pipe"), "{refusal}");
        let refusal = open_append_private(dir.path()).unwrap_err();
        assert!(refusal.to_string().contains("a directory"), "{refusal}");
    }

    #[cfg(unix)]
    #[test]
    fn loose_modes_are_tightened() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        fs::create_dir(&state).unwrap();
        fs::set_permissions(&state, fs::Permissions::from_mode(0o777)).unwrap();
        let file = state.join("counters.json");
        fs::write(&file, b"{}").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        read_if_exists(&file).unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&file), 0o600);
        create_private_dir(&state).unwrap();
        assert_eq!(mode(&state), 0o700);
    }
}
