//! What the person asked for, queued while drawing and applied after the
//! frame in one place: selection with the unsaved-changes guard, catalog
//! changes, tests, discovery and view switches.

use eframe::egui;

use crate::catalog::{Catalog, CatalogError};
use crate::model::{ConnectionId, ConnectionName, Fingerprint, ServerUrl, TlsChoice, TlsMode};
use crate::policy::audit;
use crate::store::TestResults;

use super::jobs::{JobDone, SecretSource};
use super::prefs::ThemeChoice;
use super::state::{
    ACTIVITY_LINES, AppState, Dialog, Discovery, Editor, NamePurpose, Pending, StoredSecret,
    TestAllRun, View, asks_for_trust,
};

/// One request from the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// Read the connections file (first frame, and when the window regains
    /// focus: the command line or MCP may have changed it).
    Reload,
    /// Show a saved connection (guarded by unsaved changes).
    Select(ConnectionId),
    /// Move the selection up (-1) or down (+1) in the visible list;
    /// `isize::MIN` and `isize::MAX` go to its first and last row.
    SelectNeighbour(isize),
    /// Start a new connection (guarded).
    New,
    /// Save the editor, then do `then`.
    Save {
        /// The held-back action.
        then: Option<Pending>,
    },
    /// Save the editor over changes made elsewhere, then do `then`.
    Overwrite {
        /// The held-back action.
        then: Option<Pending>,
    },
    /// Drop the editor's changes, then do `then`.
    Discard {
        /// The held-back action.
        then: Pending,
    },
    /// Ask before deleting the edited connection.
    AskDelete,
    /// Delete a connection and its secret.
    Delete(ConnectionId),
    /// Ask a name to rename or duplicate the edited connection.
    AskNewName(NamePurpose),
    /// Rename a connection.
    Rename(ConnectionId, ConnectionName),
    /// Copy a connection with its secret.
    Duplicate(ConnectionId, ConnectionName),
    /// Show or hide the secret (reads it from the keyring the first time).
    ToggleSecret,
    /// Test the connection in the editor.
    Test,
    /// Stop a running test.
    CancelTest(ConnectionId),
    /// Test every saved connection.
    TestAll,
    /// Stop the running "Test all".
    CancelTestAll,
    /// List the server's databases.
    Discover,
    /// Open the trust prompt for the edited connection's last certificate.
    AskTrust,
    /// Pin this certificate in the edited connection.
    Trust(ConnectionId, Fingerprint),
    /// Switch the main area.
    ShowView(View),
    /// Read the audit log again.
    RefreshActivity,
    /// Put text on the clipboard.
    Copy(String),
    /// Use this theme from now on, and remember it.
    SetTheme(ThemeChoice),
    /// Put the keyboard focus in the search box.
    FocusSearch,
    /// Put the keyboard focus in the list (selecting its first row when
    /// the selection is not in it).
    FocusList,
}

impl AppState {
    /// Applies the queued commands.
    pub(crate) fn apply_commands(&mut self, ctx: &egui::Context) {
        for command in std::mem::take(&mut self.commands) {
            self.apply(ctx, command);
        }
    }

    fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Reload => self.reload(ctx),
            Command::Select(id) => self.guard(ctx, Pending::Select(id)),
            Command::SelectNeighbour(step) => self.select_neighbour(ctx, step),
            Command::New => self.guard(ctx, Pending::New),
            Command::Save { then } => self.save(ctx, then, false),
            Command::Overwrite { then } => self.save(ctx, then, true),
            Command::Discard { then } => self.perform(ctx, then),
            Command::AskDelete => {
                if let Some(editor) = self.editor.as_ref().filter(|editor| editor.saved) {
                    self.dialog = Some(Dialog::ConfirmDelete {
                        id: editor.id,
                        name: editor.original.name.clone(),
                    });
                }
            }
            Command::Delete(id) => self.delete(ctx, id),
            Command::AskNewName(purpose) => self.ask_new_name(purpose),
            Command::Rename(id, name) => self.rename(ctx, id, name),
            Command::Duplicate(id, name) => self.duplicate(ctx, id, name),
            Command::ToggleSecret => self.toggle_secret(ctx),
            Command::Test => self.test_editor(ctx),
            Command::CancelTest(id) => {
                self.unsaved_tests_running.remove(&id);
                if self.jobs.is_testing(id) {
                    self.jobs.cancel_test(id);
                    self.tell("Test cancelled; nothing was recorded", false);
                }
                self.count_in_test_all(id, None);
            }
            Command::CancelTestAll => {
                if let Some(run) = self.test_all.take() {
                    for id in &run.pending {
                        self.unsaved_tests_running.remove(id);
                        self.jobs.cancel_test(*id);
                    }
                    self.tell(
                        format!(
                            "Test all cancelled after {} of {}: {} OK, {} failed",
                            run.done(),
                            run.total,
                            run.ok,
                            run.failed
                        ),
                        false,
                    );
                }
            }
            Command::TestAll => {
                if self.test_all.is_some() || self.connections.is_empty() {
                    return;
                }
                self.test_all = Some(TestAllRun {
                    total: self.connections.len(),
                    pending: self.connections.iter().map(|c| c.id).collect(),
                    ..TestAllRun::default()
                });
                for connection in self.connections.clone() {
                    let catalog = Catalog::new(&self.paths);
                    self.unsaved_tests_running.remove(&connection.id);
                    self.jobs
                        .test(ctx, &catalog, connection, SecretSource::Keyring, true);
                }
            }
            Command::Discover => self.discover(ctx),
            Command::AskTrust => self.ask_trust(),
            Command::Trust(id, fingerprint) => {
                if let Some(editor) = self.editor.as_mut().filter(|editor| editor.id == id) {
                    editor.draft.tls = TlsChoice::Pinned;
                    editor.draft.fingerprint = fingerprint.to_string();
                    // The refusal was about the certificate now pinned.
                    self.last_tests.remove(&id);
                    self.tell("Certificate pinned in the form; save to keep it", false);
                }
            }
            Command::ShowView(view) => {
                self.view = view;
                if view == View::Activity {
                    self.refresh_activity(ctx);
                }
            }
            Command::RefreshActivity => self.refresh_activity(ctx),
            Command::Copy(text) => {
                ctx.copy_text(text);
                self.tell("Copied to the clipboard", false);
            }
            Command::SetTheme(choice) => {
                self.prefs.theme = choice;
                let (prefs, paths) = (self.prefs.clone(), self.paths.clone());
                self.jobs
                    .blocking(ctx, move || JobDone::Remembered(prefs.save(&paths)));
            }
            Command::FocusSearch => {
                self.view = View::Connections;
                self.focus_search = true;
            }
            Command::FocusList => {
                ctx.memory_mut(|memory| memory.request_focus(super::views::list_id()));
                self.refresh_matches();
                let shown = self.editor.as_ref().is_some_and(|editor| {
                    (self.visible_positions().iter())
                        .any(|&position| self.connections[position].id == editor.id)
                });
                if !shown {
                    self.select_neighbour(ctx, isize::MIN);
                }
            }
        }
    }

    pub(crate) fn reload(&mut self, ctx: &egui::Context) {
        self.jobs.attach(ctx);
        self.read_list();
    }

    /// Starts reading the connections file and the test history (also
    /// before the window has a context).
    pub(crate) fn read_list(&mut self) {
        self.list_requested = true;
        let catalog = Catalog::new(&self.paths);
        let paths = self.paths.clone();
        self.jobs.blocking_unattached(move || {
            let history = TestResults::load(&paths).unwrap_or_else(|err| {
                tracing::warn!("the test history could not be read: {err}");
                TestResults::default()
            });
            JobDone::Loaded(
                catalog
                    .load()
                    .map(|document| (document.connections().to_vec(), history))
                    .map_err(|err| err.to_string()),
            )
        });
    }

    fn guard(&mut self, ctx: &egui::Context, then: Pending) {
        let already_there = matches!(then, Pending::Select(id)
            if self.editor.as_ref().is_some_and(|editor| editor.id == id));
        if already_there {
            self.view = View::Connections;
        } else if self.has_unsaved_changes() {
            self.dialog = Some(Dialog::Unsaved { then });
        } else {
            self.perform(ctx, then);
        }
    }

    /// Does a held-back action (the editor's changes are dropped).
    pub(crate) fn perform(&mut self, ctx: &egui::Context, action: Pending) {
        self.view = View::Connections;
        self.notice = None;
        if let Some(left) = self.editor.as_ref().map(|editor| editor.id)
            && action != Pending::Close
        {
            self.forget_unsaved_test(left);
        }
        match action {
            Pending::Select(id) => {
                if let Some(connection) = self.connection(id) {
                    self.editor = Some(Editor::open(connection));
                }
            }
            Pending::New => {
                self.editor = Some(Editor::new_connection());
                self.focus_name = true;
            }
            Pending::Close => {
                self.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn select_neighbour(&mut self, ctx: &egui::Context, step: isize) {
        self.refresh_matches();
        let ids: Vec<ConnectionId> = (self.visible_positions().iter())
            .map(|&position| self.connections[position].id)
            .collect();
        let current = self
            .editor
            .as_ref()
            .and_then(|editor| ids.iter().position(|id| *id == editor.id));
        let last = ids.len().saturating_sub(1);
        let next = match (current, step) {
            (_, isize::MIN) => 0,
            (_, isize::MAX) => last,
            (Some(index), step) => index.saturating_add_signed(step).min(last),
            (None, step) if step < 0 => last,
            (None, _) => 0,
        };
        if let Some(id) = ids.get(next) {
            ctx.memory_mut(|memory| memory.request_focus(super::views::list_id()));
            self.scroll_to_selection = true;
            self.guard(ctx, Pending::Select(*id));
        }
    }

    /// Saves the editor; unless `overwrite`, a record changed elsewhere
    /// since it was opened is not replaced (the person is asked).
    fn save(&mut self, ctx: &egui::Context, then: Option<Pending>, overwrite: bool) {
        let Some(editor) = self.editor.as_mut().filter(|editor| editor.can_save()) else {
            return;
        };
        let extra = self
            .connections
            .iter()
            .find(|connection| connection.id == editor.id)
            .map(|connection| connection.extra.clone())
            .unwrap_or_default();
        let Ok(connection) = editor.draft.build(editor.id, extra) else {
            return;
        };
        editor.saving = true;
        let (id, secret) = (editor.id, editor.secret.replacement());
        let opened = editor.opened.clone().filter(|_| editor.saved && !overwrite);
        let saved = editor.saved;
        let catalog = Catalog::new(&self.paths);
        self.jobs.blocking(ctx, move || {
            let result = match (saved, opened, secret) {
                (false, _, Some(secret)) => catalog.add(connection, &secret),
                (false, _, None) => Ok(connection),
                (true, Some(opened), secret) => {
                    catalog.save_edit(&opened, connection, secret.as_ref())
                }
                (true, None, secret) => catalog.overwrite(connection, secret.as_ref()),
            };
            match result {
                Err(CatalogError::ChangedElsewhere(name)) => {
                    JobDone::ChangedElsewhere { id, name, then }
                }
                result => JobDone::Saved {
                    id,
                    result: result.map_err(|err| err.to_string()),
                    then,
                },
            }
        });
    }

    fn delete(&mut self, ctx: &egui::Context, id: ConnectionId) {
        let Some(name) = self.connection(id).map(|c| c.name.to_string()) else {
            return;
        };
        self.jobs.cancel_test(id);
        self.count_in_test_all(id, None);
        let catalog = Catalog::new(&self.paths);
        self.jobs.blocking(ctx, move || {
            let result = catalog
                .remove(&name)
                .map(|removed| removed.name.to_string())
                .map_err(|err| err.to_string());
            JobDone::Removed { id, result }
        });
    }

    fn ask_new_name(&mut self, purpose: NamePurpose) {
        let Some(editor) = self.editor.as_ref().filter(|e| e.saved && !e.is_dirty()) else {
            return;
        };
        let old = editor.original.name.clone();
        let name = match purpose {
            NamePurpose::Rename => old.clone(),
            NamePurpose::Duplicate => format!("{old} copy"),
        };
        self.dialog = Some(Dialog::NewName {
            purpose,
            id: editor.id,
            old,
            name,
        });
    }

    fn rename(&mut self, ctx: &egui::Context, id: ConnectionId, name: ConnectionName) {
        let Some(old) = self.connection(id).map(|c| c.name.to_string()) else {
            return;
        };
        let catalog = Catalog::new(&self.paths);
        self.jobs.blocking(ctx, move || JobDone::Renamed {
            id,
            result: catalog.rename(&old, name).map_err(|err| err.to_string()),
        });
    }

    fn duplicate(&mut self, ctx: &egui::Context, id: ConnectionId, name: ConnectionName) {
        let Some(old) = self.connection(id).map(|c| c.name.to_string()) else {
            return;
        };
        let catalog = Catalog::new(&self.paths);
        self.jobs.blocking(ctx, move || {
            JobDone::Duplicated(catalog.duplicate(&old, name).map_err(|err| err.to_string()))
        });
    }

    fn toggle_secret(&mut self, ctx: &egui::Context) {
        let Some(editor) = self.editor.as_mut() else {
            return;
        };
        editor.secret.revealed = !editor.secret.revealed;
        let needs_loading = editor.secret.revealed
            && editor.secret.stored == StoredSecret::NotLoaded
            && editor.secret.text.is_empty();
        if needs_loading {
            editor.secret.stored = StoredSecret::Loading;
            let id = editor.id;
            let catalog = Catalog::new(&self.paths);
            self.jobs.blocking(ctx, move || JobDone::SecretLoaded {
                id,
                result: catalog.stored_secret(id).map_err(|err| err.to_string()),
            });
        }
    }

    fn test_editor(&mut self, ctx: &egui::Context) {
        let Some(editor) = self.editor.as_ref() else {
            return;
        };
        let extra = serde_json::Map::new();
        let connection = match editor.draft.build(editor.id, extra) {
            Ok(connection) => connection,
            Err(_) => {
                self.tell("Fix the highlighted fields before testing", true);
                return;
            }
        };
        let source = match (editor.secret.replacement(), &editor.secret.stored) {
            (Some(typed), _) => SecretSource::Typed(typed),
            (None, StoredSecret::Loaded(secret)) => SecretSource::Typed(secret.clone()),
            (None, StoredSecret::NotLoaded | StoredSecret::Loading) if editor.saved => {
                SecretSource::Keyring
            }
            (None, _) => {
                self.tell("Type the secret before testing", true);
                return;
            }
        };
        let record = editor.saved && !editor.is_dirty();
        if record {
            self.unsaved_tests_running.remove(&editor.id);
        } else {
            self.unsaved_tests_running.insert(editor.id);
        }
        self.trust_prompt_for = Some(editor.id);
        let catalog = Catalog::new(&self.paths);
        self.jobs.test(ctx, &catalog, connection, source, record);
    }

    fn discover(&mut self, ctx: &egui::Context) {
        let Some(editor) = self.editor.as_mut() else {
            return;
        };
        let Ok(url) = editor.draft.url.parse::<ServerUrl>() else {
            editor.discovery = Discovery::Failed("fill in a valid server URL first".into());
            return;
        };
        let tls = match editor.draft.tls {
            TlsChoice::System => TlsMode::System,
            TlsChoice::Insecure => TlsMode::Insecure,
            TlsChoice::Pinned => match editor.draft.fingerprint.parse() {
                Ok(sha256) => TlsMode::Pinned { sha256 },
                Err(_) => {
                    editor.discovery =
                        Discovery::Failed("fill in a valid certificate fingerprint first".into());
                    return;
                }
            },
        };
        let timeout = editor.draft.timeout_secs.parse().unwrap_or_default();
        editor.discovery = Discovery::Running;
        let id = editor.id;
        self.jobs.discover(ctx, id, url, tls, timeout);
    }

    fn ask_trust(&mut self) {
        let Some(editor) = self.editor.as_ref() else {
            return;
        };
        let fingerprint = match self.last_tests.get(&editor.id).map(|test| &test.result) {
            Some(Ok(report)) if asks_for_trust(report) => report.certificate_sha256,
            _ => None,
        };
        if let Some(fingerprint) = fingerprint {
            let host = editor
                .draft
                .url
                .parse::<ServerUrl>()
                .map(|url| url.host().to_owned())
                .unwrap_or_default();
            self.dialog = Some(Dialog::Trust {
                id: editor.id,
                host,
                fingerprint,
            });
        }
    }

    fn refresh_activity(&mut self, ctx: &egui::Context) {
        let paths = self.paths.clone();
        self.jobs.blocking(ctx, move || {
            JobDone::Activity(
                audit::read_recent(&paths, ACTIVITY_LINES).map_err(|err| err.to_string()),
            )
        });
    }
}
