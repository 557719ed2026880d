//! A private config and state directory pair, and the real
//! `odoo-connections` binary run against it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use odoo_connections::paths::Paths;

/// Adds `acme` and locks the session's keyring (see
/// [`Sandbox::run_after_locking_the_keyring`]).
const LOCK_THE_KEYRING: &str = r#"
set -u
printf k1 | "$BIN" add acme --url https://erp.acme.example --db acme --login bot --secret-stdin >/dev/null || exit 90
dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets \
  org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 91
"#;

/// Temporary directories for one test, removed on drop.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// Fresh, empty directories.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// The root holding `config/` and `state/`.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The sandbox's paths, for calling the library directly.
    pub fn paths(&self) -> Paths {
        Paths::new(self.root().join("config"), self.root().join("state"))
    }

    /// The real binary, pointed at this sandbox, with no inherited overrides.
    pub fn command(&self) -> Command {
        self.command_of(Path::new(env!("CARGO_BIN_EXE_odoo-connections")))
    }

    /// `program` (a build of odoo-connections), pointed at this sandbox,
    /// with no inherited overrides.
    pub fn command_of(&self, program: &Path) -> Command {
        let paths = self.paths();
        let mut command = Command::new(program);
        command
            .env("ODOO_CONNECTIONS_CONFIG_DIR", paths.config_dir())
            .env("ODOO_CONNECTIONS_STATE_DIR", paths.state_dir())
            .env_remove("ODOO_CONNECTIONS_POLICY")
            .env_remove("ODOO_CONNECTIONS_GUI_COMMAND")
            .env_remove("ODOO_CONNECTIONS_APPROVE_COMMAND")
            .env_remove("ODOO_CONNECTIONS_APPROVAL_TIMEOUT")
            .stdin(Stdio::null());
        command
    }

    /// Writes `policy.json` in the config dir.
    pub fn write_policy(&self, json: &str) {
        let file = self.paths().policy_file();
        std::fs::create_dir_all(file.parent().expect("config dir")).expect("config dir");
        std::fs::write(file, json).expect("write policy");
    }

    /// Runs the binary with `args` and no standard input.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .output()
            .expect("run odoo-connections")
    }

    /// Runs the binary with `args`, writing `stdin` to its standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn odoo-connections");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait odoo-connections")
    }

    /// Adds a connection through the CLI with its secret on stdin.
    pub fn add(&self, name: &str, url: &str, secret: &str, extra: &[&str]) -> Output {
        let mut args = vec![
            "add",
            name,
            "--url",
            url,
            "--db",
            "acme",
            "--login",
            "admin",
            "--secret-stdin",
        ];
        args.extend_from_slice(extra);
        self.run_with_stdin(&args, secret)
    }

    /// In a private session of its own (`scripts/with-session.sh`, so the
    /// other tests' keyring stays unlocked): adds `acme` with secret `k1`,
    /// locks that session's keyring, then runs the bash line `then` (the
    /// binary is `$BIN`), keyring calls given 3 s. Exit 90 or 91: the adding
    /// or the locking failed.
    pub fn run_after_locking_the_keyring(&self, then: &str) -> Output {
        let paths = self.paths();
        Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/with-session.sh"
        ))
        .args(["bash", "-c", &format!("{LOCK_THE_KEYRING}{then}\n")])
        .env("BIN", env!("CARGO_BIN_EXE_odoo-connections"))
        .env("ODOO_CONNECTIONS_CONFIG_DIR", paths.config_dir())
        .env("ODOO_CONNECTIONS_STATE_DIR", paths.state_dir())
        .env("ODOO_CONNECTIONS_KEYRING_TIMEOUT", "3")
        .output()
        .expect("run scripts/with-session.sh")
    }

    /// Every file under the sandbox whose bytes contain `needle`.
    pub fn files_containing(&self, needle: &str) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut pending = vec![self.root().to_owned()];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                } else if std::fs::read(&path)
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
                {
                    found.push(path);
                }
            }
        }
        found
    }
}

/// The secret stored in the keyring for connection id `account`, as
/// `secret-tool` (another Secret Service client) sees it.
pub fn keyring_lookup(account: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", "odoo-connections", "username", account])
        .output()
        .expect("secret-tool is installed (libsecret-tools)");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code, showing both streams when it differs.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}
