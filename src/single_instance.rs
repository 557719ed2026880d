//! One Connection Manager window per state directory.
//!
//! The first window holds an exclusive lock on `<state dir>/gui.lock` and
//! listens on the Unix socket `<state dir>/gui.sock`. A second start finds
//! the lock held, sends `focus` on the socket and ends: the first window
//! comes to the front instead of a second one opening.
//!
//! A state dir whose socket path is longer than a Unix socket address allows
//! (about 100 bytes) is reached on Linux through `/proc/self/fd/N/gui.sock`,
//! N being an open handle on the state dir; the socket stays in the state dir.
//!
//! On other systems than Unix there is no socket: every start opens its own
//! window (the lock is still taken, so the first window is the primary one).

use std::path::PathBuf;
use std::time::Duration;

use crate::files::{FileError, LockFile};
use crate::paths::Paths;

/// The message a second start sends.
const FOCUS_MESSAGE: &str = "focus";

/// How long a second start waits for the first window's socket (it may be
/// starting at this very moment).
const HAND_OVER_ATTEMPTS: u32 = 50;
const HAND_OVER_PAUSE: Duration = Duration::from_millis(100);

/// A failure to become the window or to reach the existing one.
#[derive(Debug, thiserror::Error)]
pub enum SingleInstanceError {
    /// The lock file could not be used.
    #[error(transparent)]
    Lock(#[from] FileError),
    /// The socket could not be created.
    #[error("could not listen on {path}: {source}; check that the state directory is writable")]
    Listen {
        /// The socket path.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Another window holds the lock but does not answer.
    #[error(
        "another Connection Manager window holds {lock} but does not answer on {socket}; close it (or end the stuck odoo-connections process) and try again"
    )]
    NoAnswer {
        /// The lock file.
        lock: PathBuf,
        /// The socket.
        socket: PathBuf,
    },
}

/// The result of trying to become the window.
#[derive(Debug)]
pub enum Claim {
    /// This process shows the window.
    Primary(Primary),
    /// An existing window was asked to come to the front.
    Secondary,
}

/// The lock (and on Unix the socket) of the process that shows the window.
#[derive(Debug)]
pub struct Primary {
    #[cfg(unix)]
    lock: LockFile,
    #[cfg(unix)]
    listener: std::os::unix::net::UnixListener,
}

fn lock_path(paths: &Paths) -> PathBuf {
    paths.state_dir().join("gui.lock")
}

fn socket_path(paths: &Paths) -> PathBuf {
    paths.state_dir().join("gui.sock")
}

/// Becomes the window, or hands over to the one already open.
#[cfg(unix)]
pub fn claim(paths: &Paths) -> Result<Claim, SingleInstanceError> {
    let lock = match LockFile::acquire(&lock_path(paths), Duration::ZERO) {
        Ok(lock) => lock,
        Err(FileError::LockTimeout { .. }) => return hand_over(paths),
        Err(other) => return Err(other.into()),
    };
    let socket = socket_path(paths);
    // We hold the lock, so a socket file left here is stale.
    std::fs::remove_file(&socket).ok();
    let listener = at_short_address(&socket, |path| std::os::unix::net::UnixListener::bind(path))
        .map_err(|source| SingleInstanceError::Listen {
        path: socket,
        source,
    })?;
    Ok(Claim::Primary(Primary { lock, listener }))
}

/// Without Unix sockets every start opens its own window.
#[cfg(not(unix))]
pub fn claim(paths: &Paths) -> Result<Claim, SingleInstanceError> {
    let _ = paths;
    Ok(Claim::Primary(Primary {}))
}

#[cfg(unix)]
fn hand_over(paths: &Paths) -> Result<Claim, SingleInstanceError> {
    use std::io::Write as _;
    let socket = socket_path(paths);
    for _ in 0..HAND_OVER_ATTEMPTS {
        if let Ok(mut stream) = at_short_address(&socket, |path| {
            std::os::unix::net::UnixStream::connect(path)
        }) && stream
            .write_all(format!("{FOCUS_MESSAGE}\n").as_bytes())
            .is_ok()
        {
            return Ok(Claim::Secondary);
        }
        std::thread::sleep(HAND_OVER_PAUSE);
    }
    Err(SingleInstanceError::NoAnswer {
        lock: lock_path(paths),
        socket,
    })
}

/// The longest socket path used as is (a Unix socket address holds 108
/// bytes on Linux, including the final NUL).
#[cfg(target_os = "linux")]
const LONGEST_SOCKET_PATH: usize = 100;

/// Runs `use_socket` (bind or connect) on `socket`, through a short
/// `/proc/self/fd` alias of its directory on Linux when the path is too long.
#[cfg(unix)]
fn at_short_address<T>(
    socket: &std::path::Path,
    use_socket: impl FnOnce(&std::path::Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    #[cfg(target_os = "linux")]
    if socket.as_os_str().len() > LONGEST_SOCKET_PATH
        && let (Some(dir), Some(name)) = (socket.parent(), socket.file_name())
    {
        use std::os::fd::AsRawFd as _;
        // Kept open while `use_socket` runs: the alias resolves through it.
        let handle = std::fs::File::open(dir)?;
        let alias = PathBuf::from(format!("/proc/self/fd/{}", handle.as_raw_fd())).join(name);
        return use_socket(&alias);
    }
    use_socket(socket)
}

impl Primary {
    /// Calls `on_focus` (on a named background thread) each time another
    /// start asks this window to come to the front. The lock is held until
    /// the process ends.
    pub fn listen(self, on_focus: impl Fn() + Send + 'static) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            std::thread::Builder::new()
                .name("single-instance".into())
                .spawn(move || {
                    let Self { lock, listener } = self;
                    for stream in listener.incoming().flatten() {
                        if read_message(stream).as_deref() == Some(FOCUS_MESSAGE) {
                            on_focus();
                        }
                    }
                    drop(lock);
                })?;
        }
        #[cfg(not(unix))]
        let _ = (self, on_focus);
        Ok(())
    }
}

#[cfg(unix)]
fn read_message(stream: std::os::unix::net::UnixStream) -> Option<String> {
    use std::io::BufRead as _;
    stream.set_read_timeout(Some(Duration::from_secs(1))).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(stream).read_line(&mut line).ok()?;
    Some(line.trim().to_owned())
}

#[cfg(all(test, unix))]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// Claims `paths` twice: the first start becomes the window, the second
    /// hands over, and the first is asked to come to the front.
    fn assert_second_start_hands_over(paths: &Paths) {
        let Claim::Primary(primary) = claim(paths).unwrap() else {
            panic!("the first claim must be primary");
        };
        assert!(
            socket_path(paths).exists(),
            "the socket is in the state dir"
        );
        let (sender, receiver) = mpsc::channel();
        primary
            .listen(move || {
                sender.send(()).ok();
            })
            .unwrap();
        assert!(matches!(claim(paths).unwrap(), Claim::Secondary));
        receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the first window was asked to focus");
    }

    #[test]
    fn a_second_start_hands_over_and_the_first_is_asked_to_focus() {
        let dir = tempfile::tempdir().unwrap();
        assert_second_start_hands_over(&Paths::new(dir.path().join("c"), dir.path().join("s")));
    }

    #[test]
    fn a_state_dir_too_long_for_a_socket_address_still_hands_over() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s".repeat(60)).join("t".repeat(60));
        let paths = Paths::new(dir.path().join("c"), state);
        std::fs::create_dir_all(paths.state_dir()).unwrap();
        assert!(socket_path(&paths).as_os_str().len() > 108);
        assert_second_start_hands_over(&paths);
    }

    #[test]
    fn a_stale_socket_does_not_block_a_new_window() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("c"), dir.path().join("s"));
        std::fs::create_dir_all(paths.state_dir()).unwrap();
        std::fs::write(socket_path(&paths), b"stale").unwrap();
        assert!(matches!(claim(&paths).unwrap(), Claim::Primary(_)));
    }
}
