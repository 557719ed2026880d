//! The commands that test: a connection test of the editor (recorded only
//! for a saved, unchanged connection), "Test all" with its progress, their
//! cancellation, database discovery and pinning a certificate.

use eframe::egui;

use crate::catalog::Catalog;
use crate::model::{ConnectionId, Fingerprint, ServerUrl, TlsChoice, TlsMode};

use super::super::jobs::SecretSource;
use super::super::state::{Dialog, Discovery, StoredSecret, TestAllRun, TestOf, asks_for_trust};
use super::super::window::Window;

impl Window {
    /// Tests the connection in the editor, with the form's values.
    pub(super) fn test_editor(&mut self, ctx: &egui::Context) {
        let state = &mut self.state;
        let Some(editor) = state.editor.as_ref() else {
            return;
        };
        let extra = serde_json::Map::new();
        let Ok(connection) = editor.draft.build(editor.id, extra) else {
            state.tell("Fix the highlighted fields before testing", true);
            return;
        };
        let source = match (editor.secret.replacement(), &editor.secret.stored) {
            (Some(typed), _) => SecretSource::Typed(typed),
            (None, StoredSecret::Loaded(secret)) => SecretSource::Typed(secret.clone()),
            (None, StoredSecret::NotLoaded | StoredSecret::Loading) if editor.saved => {
                SecretSource::Keyring
            }
            (None, _) => {
                state.tell("Type the secret before testing", true);
                return;
            }
        };
        let of = if editor.saved && !editor.is_dirty() {
            TestOf::Saved
        } else {
            TestOf::UnsavedChanges
        };
        state.trust_prompt_for = Some(editor.id);
        let catalog = Catalog::new(&state.paths);
        state.tests_running.insert(connection.id, of);
        (self.jobs).test(ctx, &catalog, connection, source, of == TestOf::Saved);
    }

    /// Tests every saved connection (their stored values and secrets).
    pub(super) fn test_all(&mut self, ctx: &egui::Context) {
        let state = &mut self.state;
        if state.test_all.is_some() || state.connections.is_empty() {
            return;
        }
        state.test_all = Some(TestAllRun {
            total: state.connections.len(),
            pending: state.connections.iter().map(|c| c.id).collect(),
            ..TestAllRun::default()
        });
        let catalog = Catalog::new(&state.paths);
        for connection in state.connections.clone() {
            state.tests_running.insert(connection.id, TestOf::Saved);
            (self.jobs).test(ctx, &catalog, connection, SecretSource::Keyring, true);
        }
    }

    /// Stops the test of `id`, saying so when one ran.
    pub(super) fn cancel_test(&mut self, id: ConnectionId) {
        if self.stop_test(id) {
            (self.state).tell("Test cancelled; nothing was recorded", false);
        }
    }

    /// Stops the test of `id`, if one runs (its result is dropped); true
    /// when one ran.
    pub(super) fn stop_test(&mut self, id: ConnectionId) -> bool {
        let running = self.state.tests_running.remove(&id).is_some();
        self.jobs.cancel_test(id);
        self.state.count_in_test_all(id, None);
        running
    }

    /// Stops the running "Test all", and sums up what it found so far.
    pub(super) fn cancel_test_all(&mut self) {
        let Some(run) = self.state.test_all.take() else {
            return;
        };
        for id in &run.pending {
            self.state.tests_running.remove(id);
            self.jobs.cancel_test(*id);
        }
        self.state.tell(
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

    /// Forgets the running or finished test of the unsaved values of `id`
    /// (the form is left or reverted: those values are gone).
    pub(super) fn forget_unsaved_test(&mut self, id: ConnectionId) {
        if self.state.tests_running.get(&id) == Some(&TestOf::UnsavedChanges) {
            self.stop_test(id);
        }
        let last_tests = &mut self.state.last_tests;
        if (last_tests.get(&id)).is_some_and(|test| test.of_unsaved_changes) {
            last_tests.remove(&id);
        }
    }

    /// Lists the databases of the server in the editor.
    pub(super) fn discover(&mut self, ctx: &egui::Context) {
        let Some(editor) = self.state.editor.as_mut() else {
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

    /// Opens the trust prompt for the certificate the editor's last test met.
    pub(crate) fn ask_trust(&mut self) {
        let state = &mut self.state;
        let Some(editor) = state.editor.as_ref() else {
            return;
        };
        let fingerprint = match state.last_tests.get(&editor.id).map(|test| &test.result) {
            Some(Ok(report)) if asks_for_trust(report) => report.certificate_sha256,
            _ => None,
        };
        if let Some(fingerprint) = fingerprint {
            let host = (editor.draft.url.parse::<ServerUrl>())
                .map(|url| url.host().to_owned())
                .unwrap_or_default();
            state.dialog = Some(Dialog::Trust {
                id: editor.id,
                host,
                fingerprint,
            });
        }
    }

    /// Pins `fingerprint` in the form of `id`.
    pub(super) fn trust(&mut self, id: ConnectionId, fingerprint: Fingerprint) {
        let state = &mut self.state;
        if let Some(editor) = state.editor.as_mut().filter(|editor| editor.id == id) {
            editor.draft.tls = TlsChoice::Pinned;
            editor.draft.fingerprint = fingerprint.to_string();
            // The refusal was about the certificate now pinned.
            state.last_tests.remove(&id);
            state.tell("Certificate pinned in the form; save to keep it", false);
        }
    }
}
