//! What the window shows and edits: the connection list, the editor's
//! draft, test results, the open dialog and the notice. The views only
//! read it (and push `Command`s); it is changed in one place, the frame
//! step of `window.rs`: by the commands (`apply.rs`), the finished jobs
//! (`results.rs`), the restored selection and the list's order (here, and
//! `list_order.rs`, called from those two).

use eframe::egui;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use zeroize::Zeroizing;

use crate::model::{
    Connection, ConnectionDraft, ConnectionId, ConnectionName, FieldErrors, SecretString,
};
use crate::odoo::{DiagnosisCode, TestReport};
use crate::paths::Paths;
use crate::policy::audit::{AuditEntry, Decision};
use crate::store::TestResults;

use super::mcp_form::McpForm;
use super::prefs::Prefs;

mod index;
mod list_order;
mod reload;

use index::ListIndex;
use list_order::Matches;
pub(crate) use list_order::{ListItem, match_spans};

/// How many audit lines the Activity view shows.
pub(crate) const ACTIVITY_LINES: usize = 200;

/// The main areas of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// Sidebar and editor.
    Connections,
    /// The launcher's audit log.
    Activity,
    /// Configuration snippets for MCP clients.
    McpSetup,
}

/// An action held back until unsaved changes are saved or discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pending {
    /// Show another saved connection.
    Select(ConnectionId),
    /// Start a new connection.
    New,
    /// Close the window.
    Close,
}

/// The stored secret, as far as the form knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StoredSecret {
    /// A new connection: nothing stored yet.
    None,
    /// Stored in the keyring, not read (it is read only when needed).
    NotLoaded,
    /// Being read from the keyring.
    Loading,
    /// Read from the keyring.
    Loaded(SecretString),
    /// The keyring could not be read.
    Failed(String),
}

/// The secret field: what it shows, what is stored, whether it is revealed.
#[derive(Debug)]
pub(crate) struct SecretField {
    /// The text in the field (wiped on drop).
    pub text: Zeroizing<String>,
    /// The keyring side.
    pub stored: StoredSecret,
    /// Shown in clear.
    pub revealed: bool,
}

impl SecretField {
    fn new(stored: StoredSecret) -> Self {
        Self {
            text: Zeroizing::new(String::new()),
            stored,
            revealed: false,
        }
    }

    /// True when saving would write a new secret to the keyring.
    pub fn is_changed(&self) -> bool {
        match &self.stored {
            StoredSecret::Loaded(stored) => self.text.as_str() != stored.expose(),
            _ => !self.text.is_empty(),
        }
    }

    /// The secret to write on save, when changed.
    pub fn replacement(&self) -> Option<SecretString> {
        self.is_changed()
            .then(|| SecretString::new(self.text.as_str().to_owned()))
    }
}

/// State of "Discover databases".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Discovery {
    /// Not asked.
    Idle,
    /// Asking the server.
    Running,
    /// The server's databases.
    Found(Vec<String>),
    /// Why there is no list.
    Failed(String),
}

/// The connection being edited (a saved one or a new one).
#[derive(Debug)]
pub(crate) struct Editor {
    /// Identity; a new connection gets its id up front so tests and saves agree.
    pub id: ConnectionId,
    /// True once the connection exists in the connections file.
    pub saved: bool,
    /// The stored record the form started from (none for a new one): a
    /// save refuses when the stored record is no longer this one.
    pub opened: Option<Connection>,
    /// The form as it was loaded or last saved.
    pub original: ConnectionDraft,
    /// The form as edited.
    pub draft: ConnectionDraft,
    /// The secret field.
    pub secret: SecretField,
    /// Database discovery.
    pub discovery: Discovery,
    /// A save is running (the form is read-only meanwhile).
    pub saving: bool,
    /// What to do once the running save succeeded.
    pub after_save: Option<Pending>,
}

impl Editor {
    /// An empty form for a new connection.
    pub fn new_connection() -> Self {
        // A new connection starts as the safest environment, not Production.
        let draft = ConnectionDraft {
            environment: crate::model::Environment::Development,
            ..ConnectionDraft::new()
        };
        Self {
            id: ConnectionId::random(),
            saved: false,
            opened: None,
            original: draft.clone(),
            draft,
            secret: SecretField::new(StoredSecret::None),
            discovery: Discovery::Idle,
            saving: false,
            after_save: None,
        }
    }

    /// The form of a saved connection (its secret stays in the keyring).
    pub fn open(connection: &Connection) -> Self {
        let draft = ConnectionDraft::from_connection(connection);
        Self {
            id: connection.id,
            saved: true,
            opened: Some(connection.clone()),
            original: draft.clone(),
            draft,
            secret: SecretField::new(StoredSecret::NotLoaded),
            discovery: Discovery::Idle,
            saving: false,
            after_save: None,
        }
    }

    /// True when the form differs from what is saved.
    pub fn is_dirty(&self) -> bool {
        self.draft != self.original || self.secret.is_changed()
    }

    /// The problems of the form's fields.
    pub fn field_errors(&self) -> FieldErrors {
        self.draft.validate().err().unwrap_or_default()
    }

    /// Why the secret field is refused, if it is.
    pub fn secret_error(&self) -> Option<&'static str> {
        let empty = self.secret.text.trim().is_empty();
        match self.secret.stored {
            StoredSecret::None if empty => {
                Some("a secret is required: the API key (or password) of this login")
            }
            StoredSecret::Loaded(_) if empty => {
                Some("the secret cannot be empty; type the new API key or password")
            }
            _ => None,
        }
    }

    /// True when Save would succeed as far as the form can tell.
    pub fn can_save(&self) -> bool {
        self.is_dirty()
            && !self.saving
            && self.field_errors().0.is_empty()
            && self.secret_error().is_none()
    }
}

/// True when `report` failed on a certificate the person could choose to pin.
pub(crate) fn asks_for_trust(report: &TestReport) -> bool {
    report.certificate_sha256.is_some()
        && matches!(
            report.code,
            DiagnosisCode::TlsUntrusted | DiagnosisCode::TlsFingerprintMismatch
        )
}

/// A test run in this window, and what it tested.
#[derive(Debug)]
pub(crate) struct SessionTest {
    /// The report, or why the test could not start.
    pub result: Result<TestReport, String>,
    /// True when it tested the form's unsaved values: it says nothing about
    /// the saved connection, so the list never shows it as its status.
    pub of_unsaved_changes: bool,
    /// Which test run it came from: each result is news to a screen reader,
    /// also when it says what the one before said.
    pub run: u64,
}

/// A running "Test all": which connections have not reported yet.
#[derive(Debug, Default)]
pub(crate) struct TestAllRun {
    /// How many connections it tests.
    pub total: usize,
    /// Those still running.
    pub pending: HashSet<ConnectionId>,
    /// How many connected and logged in.
    pub ok: usize,
    /// How many failed.
    pub failed: usize,
}

impl TestAllRun {
    /// How many have reported.
    pub fn done(&self) -> usize {
        self.total - self.pending.len()
    }

    /// "Tested 52 connections: 50 OK, 2 failed".
    pub fn summary(&self) -> String {
        let noun = if self.total == 1 {
            "connection"
        } else {
            "connections"
        };
        format!(
            "Tested {} {noun}: {} OK, {} failed",
            self.total, self.ok, self.failed
        )
    }
}

/// What the last action did, shown as a toast until it expires.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Notice {
    /// The sentence.
    pub text: String,
    /// True for failures.
    pub is_error: bool,
    /// When it was first shown (egui time, seconds).
    pub shown_at: f64,
}

impl Notice {
    /// Seconds a confirmation stays; a failure stays twice as long.
    pub const SECS: f64 = 4.0;

    /// How long this notice stays on screen.
    pub fn lifetime_secs(&self) -> f64 {
        if self.is_error {
            2.0 * Self::SECS
        } else {
            Self::SECS
        }
    }

    /// Seconds left on screen at `now`.
    pub fn secs_left(&self, now: f64) -> f64 {
        self.lifetime_secs() - (now - self.shown_at)
    }
}

/// The open modal dialog.
#[derive(Debug)]
pub(crate) enum Dialog {
    /// Save, discard or cancel before `then`.
    Unsaved {
        /// The held-back action.
        then: Pending,
    },
    /// The save found the connection changed elsewhere: reload or overwrite?
    ChangedElsewhere {
        /// The connection.
        id: ConnectionId,
        /// Its name, as stored now.
        name: String,
        /// What the save was to be followed by.
        then: Option<Pending>,
    },
    /// Confirm deletion.
    ConfirmDelete {
        /// The connection.
        id: ConnectionId,
        /// Its name, as shown.
        name: String,
    },
    /// Ask the name of a copy.
    Duplicate {
        /// The connection copied.
        id: ConnectionId,
        /// Its name.
        old: String,
        /// The copy's name being typed.
        name: String,
    },
    /// Pin an untrusted certificate?
    Trust {
        /// The connection being edited.
        id: ConnectionId,
        /// The host it belongs to.
        host: String,
        /// The certificate fingerprint.
        fingerprint: crate::model::Fingerprint,
    },
}

/// The Activity view's data.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    /// Audit lines, oldest first.
    pub entries: Vec<AuditEntry>,
    /// Why they could not be read.
    pub error: Option<String>,
    /// Read at least once.
    pub loaded: bool,
    /// Which lines the view shows.
    pub filter: ActivityFilter,
}

/// The Activity view's filters; `None` shows every line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct ActivityFilter {
    /// Only this tool's lines.
    pub tool: Option<String>,
    /// Only allowed, or only denied, lines.
    pub decision: Option<Decision>,
}

impl ActivityFilter {
    /// The filter keeps `entry`.
    pub fn keeps(&self, entry: &AuditEntry) -> bool {
        self.tool.as_ref().is_none_or(|tool| *tool == entry.tool)
            && self
                .decision
                .is_none_or(|decision| decision == entry.decision)
    }
}

/// What a running test tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TestOf {
    /// The saved connection (its result is recorded as its status).
    Saved,
    /// The form's unsaved values (its result is not the connection's status).
    UnsavedChanges,
}

/// What the next frame does once: focus, select or scroll (set by a
/// command, drawn by the views, then cleared).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameRequests {
    /// Put the keyboard focus in the search box.
    pub focus_search: bool,
    /// Put the keyboard focus in the Name field (a new connection, a rename).
    pub focus_name: bool,
    /// Select the Name field's text as it takes the focus (a rename).
    pub select_name: bool,
    /// Scroll the list to the selected row (it moved by keyboard).
    pub scroll_to_selection: bool,
}

/// What the window shows and edits (see the module doc for who changes it).
pub(crate) struct AppState {
    pub(crate) paths: Paths,
    pub(crate) executable: PathBuf,
    pub(crate) connections: Vec<Connection>,
    /// Lookups into `connections` (replaced with it).
    index: ListIndex,
    /// True once the connections file was read (until then the list is
    /// loading, not empty).
    pub(crate) list_loaded: bool,
    /// The list as shown: filtered, sorted, grouped (see `list_order`).
    matches: Matches,
    pub(crate) list_error: Option<String>,
    pub(crate) search: String,
    pub(crate) view: View,
    pub(crate) editor: Option<Editor>,
    pub(crate) last_tests: HashMap<ConnectionId, SessionTest>,
    /// The running "Test all", if any.
    pub(crate) test_all: Option<TestAllRun>,
    /// The connections being tested now, and what each test is of.
    pub(crate) tests_running: HashMap<ConnectionId, TestOf>,
    pub(crate) history: TestResults,
    pub(crate) trust_prompt_for: Option<ConnectionId>,
    pub(crate) dialog: Option<Dialog>,
    pub(crate) notice: Option<Notice>,
    pub(crate) activity: Activity,
    pub(crate) mcp_form: McpForm,
    /// What the next frame does once.
    pub(crate) requests: FrameRequests,
    /// The time of this frame (egui time, seconds).
    pub(crate) now: f64,
    pub(crate) close_confirmed: bool,
    /// What the window remembers between runs.
    pub(crate) prefs: Prefs,
    /// The desktop's theme, when known (the "System" choice follows it).
    pub(crate) system_theme: Option<egui::Theme>,
}

impl AppState {
    /// The state of a window on the files under `paths`, with the
    /// remembered `prefs`; `executable` is the program MCP clients are
    /// told to run.
    pub(crate) fn new(paths: Paths, executable: PathBuf, prefs: Prefs) -> Self {
        Self {
            prefs,
            paths,
            executable,
            connections: Vec::new(),
            index: ListIndex::default(),
            list_loaded: false,
            matches: Matches::default(),
            list_error: None,
            search: String::new(),
            view: View::Connections,
            editor: None,
            last_tests: HashMap::new(),
            tests_running: HashMap::new(),
            test_all: None,
            history: TestResults::default(),
            trust_prompt_for: None,
            dialog: None,
            notice: None,
            activity: Activity::default(),
            mcp_form: McpForm::default(),
            requests: FrameRequests::default(),
            now: 0.0,
            close_confirmed: false,
            system_theme: None,
        }
    }

    /// The name in the editor's Name field, if a connection is open.
    pub fn editor_name(&self) -> Option<&str> {
        self.editor
            .as_ref()
            .map(|editor| editor.draft.name.as_str())
    }

    /// The saved connection with `id`.
    pub(crate) fn connection(&self, id: ConnectionId) -> Option<&Connection> {
        (self.index.position(id)).map(|position| &self.connections[position])
    }

    /// The position of connection `id` in [`AppState::connections`].
    pub(crate) fn position_of(&self, id: ConnectionId) -> Option<usize> {
        self.index.position(id)
    }

    /// Why `editor`'s name cannot be saved although it is well formed:
    /// another connection has it (names are compared as the catalog does).
    pub(crate) fn name_conflict(&self, editor: &Editor) -> Option<String> {
        let name = editor.draft.name.parse::<ConnectionName>().ok()?;
        let taken = (self.index.holder_of(&name)).is_some_and(|holder| holder != editor.id);
        taken.then(|| format!("a connection named “{name}” already exists; choose another name"))
    }

    /// True when saving `editor` would succeed as far as the window can tell.
    pub(crate) fn can_save(&self, editor: &Editor) -> bool {
        editor.can_save() && self.name_conflict(editor).is_none()
    }

    /// True when the editor holds changes that would be lost.
    pub(crate) fn has_unsaved_changes(&self) -> bool {
        self.editor.as_ref().is_some_and(Editor::is_dirty)
    }

    /// This window's last test of the saved connection `id` (a test of
    /// unsaved changes is not the saved connection's status).
    pub(crate) fn saved_test(&self, id: ConnectionId) -> Option<&Result<TestReport, String>> {
        (self.last_tests.get(&id))
            .filter(|test| !test.of_unsaved_changes)
            .map(|test| &test.result)
    }

    /// True while the saved connection `id` is being tested (not a draft of it).
    pub(crate) fn is_testing_saved(&self, id: ConnectionId) -> bool {
        self.tests_running.get(&id) == Some(&TestOf::Saved)
    }

    /// True while a test of `id` (saved or not) runs.
    pub(crate) fn is_testing(&self, id: ConnectionId) -> bool {
        self.tests_running.contains_key(&id)
    }

    /// Opens the connection that was selected when the window last closed,
    /// if it still exists and nothing else was opened meanwhile.
    pub(crate) fn restore_selection(&mut self) {
        let remembered = self.prefs.selected.and_then(|id| self.connection(id));
        if let Some(connection) = remembered.filter(|_| self.editor.is_none()) {
            self.editor = Some(Editor::open(connection));
            self.requests.scroll_to_selection = true;
        }
    }

    /// Counts a finished test of `id` in the running "Test all" (`ok`:
    /// `None` when it was cancelled), and sums it up once all reported.
    pub(crate) fn count_in_test_all(&mut self, id: ConnectionId, ok: Option<bool>) {
        let Some(run) = self.test_all.as_mut() else {
            return;
        };
        if !run.pending.remove(&id) {
            return;
        }
        match ok {
            Some(true) => run.ok += 1,
            Some(false) => run.failed += 1,
            None => {}
        }
        if run.pending.is_empty() {
            let summary = run.summary();
            let failed = run.failed > 0;
            self.test_all = None;
            self.tell(summary, failed);
        }
    }

    /// Shows a sentence as a toast, until it expires or the next one.
    pub(crate) fn tell(&mut self, text: impl Into<String>, is_error: bool) {
        self.notice = Some(Notice {
            text: text.into(),
            is_error,
            shown_at: self.now,
        });
    }

    /// Takes the notice away once its time is up.
    pub(crate) fn expire_notice(&mut self) {
        if (self.notice.as_ref()).is_some_and(|notice| notice.secs_left(self.now) <= 0.0) {
            self.notice = None;
        }
    }
}
