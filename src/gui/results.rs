//! Applies finished jobs to the window state, each to the connection that
//! started it (a result never lands on whatever happens to be selected).

use eframe::egui;

use crate::model::ConnectionDraft;

use super::jobs::JobDone;
use super::state::{Dialog, Discovery, Editor, SessionTest, StoredSecret, asks_for_trust};
use super::window::Window;

impl Window {
    /// Applies one finished job.
    pub(crate) fn finish(&mut self, ctx: &egui::Context, done: JobDone) {
        if let JobDone::Loaded { read, .. } = done
            && self.is_outdated(read)
        {
            // A newer read, started after the window's own write, follows.
            return;
        }
        let state = &mut self.state;
        match done {
            JobDone::Loaded {
                result: Ok((connections, history)),
                ..
            } => state.take_in_list(connections, history),
            JobDone::Loaded {
                result: Err(message),
                ..
            } => {
                state.list_error = Some(message);
                state.list_loaded = true;
            }
            JobDone::Saved { id, result } => {
                let editor = state.editor.as_mut().filter(|editor| editor.id == id);
                let then = editor.as_ref().and_then(|editor| editor.after_save);
                match result {
                    Ok(connection) => {
                        if let Some(editor) = editor {
                            editor.saving = false;
                            editor.after_save = None;
                            editor.saved = true;
                            editor.opened = Some(connection.clone());
                            editor.original = ConnectionDraft::from_connection(&connection);
                            editor.draft = editor.original.clone();
                            if let Some(secret) = editor.secret.replacement() {
                                editor.secret.stored = StoredSecret::Loaded(secret);
                            }
                        }
                        let saved = format!("Saved “{}”", connection.name);
                        if let Some(then) = then {
                            self.perform(ctx, then);
                        }
                        self.state.tell(saved, false);
                        self.read_list_after_write();
                    }
                    Err(message) => {
                        if let Some(editor) = editor {
                            editor.saving = false;
                            editor.after_save = None;
                        }
                        state.tell(message, true);
                        // The file may have changed under the save (deleted there).
                        self.read_list();
                    }
                }
            }
            JobDone::ChangedElsewhere { id, name } => {
                let editor = state.editor.as_mut().filter(|editor| editor.id == id);
                let then = editor.and_then(|editor| {
                    editor.saving = false;
                    editor.after_save.take()
                });
                state.dialog = Some(Dialog::ChangedElsewhere { id, name, then });
                // Fresh list, so that "Reload" shows the other changes.
                self.read_list();
            }
            JobDone::Duplicated(result) => match result {
                Ok(copy) => {
                    state.editor = Some(Editor::open(&copy));
                    state.tell(
                        format!("Created “{}” with the same secret", copy.name),
                        false,
                    );
                    self.read_list_after_write();
                }
                Err(message) => state.tell(message, true),
            },
            JobDone::Removed { id, result } => match result {
                Ok(name) => {
                    if state.editor.as_ref().is_some_and(|editor| editor.id == id) {
                        state.editor = None;
                    }
                    state.last_tests.remove(&id);
                    state.tests_running.remove(&id);
                    state.tell(format!("Deleted “{name}” and its keyring secret"), false);
                    self.read_list_after_write();
                }
                Err(message) => state.tell(message, true),
            },
            JobDone::SecretLoaded { id, result } => {
                let Some(editor) = state.editor.as_mut().filter(|editor| editor.id == id) else {
                    return;
                };
                let secret = &mut editor.secret;
                secret.stored = match result {
                    Ok(Some(stored)) => {
                        if secret.text.is_empty() {
                            secret.text.push_str(stored.expose());
                        }
                        StoredSecret::Loaded(stored)
                    }
                    Ok(None) => StoredSecret::None,
                    Err(message) => StoredSecret::Failed(message),
                };
            }
            JobDone::Tested { id, run, result } => {
                let untrusted = result.as_ref().is_ok_and(asks_for_trust);
                let of_unsaved_changes =
                    state.tests_running.remove(&id) == Some(super::state::TestOf::UnsavedChanges);
                let ok = result.as_ref().is_ok_and(|report| report.ok);
                if !of_unsaved_changes && let Ok(report) = &result {
                    state.record_test(id, report);
                }
                state.count_in_test_all(id, Some(ok));
                state.last_tests.insert(
                    id,
                    SessionTest {
                        result,
                        of_unsaved_changes,
                        run,
                    },
                );
                let prompt = state.trust_prompt_for == Some(id)
                    && state.dialog.is_none()
                    && state.editor.as_ref().is_some_and(|editor| editor.id == id);
                if state.trust_prompt_for == Some(id) {
                    state.trust_prompt_for = None;
                }
                if prompt && untrusted {
                    self.ask_trust();
                }
            }
            JobDone::Databases { id, result } => {
                let Some(editor) = state.editor.as_mut().filter(|editor| editor.id == id) else {
                    return;
                };
                editor.discovery = match result {
                    Ok(list) if list.databases.is_empty() => {
                        Discovery::Failed("the server lists no databases; type the name".into())
                    }
                    Ok(list) => {
                        if editor.draft.database.trim().is_empty() && list.databases.len() == 1 {
                            editor.draft.database.clone_from(&list.databases[0]);
                        }
                        Discovery::Found(list.databases)
                    }
                    Err(diagnosis) => Discovery::Failed(diagnosis.message),
                };
            }
            JobDone::Remembered(result) => {
                if let Err(message) = result {
                    state.tell(message, true);
                }
            }
            JobDone::Activity(result) => {
                state.activity.loaded = true;
                match result {
                    Ok(entries) => {
                        state.activity.entries = entries;
                        state.activity.error = None;
                    }
                    Err(message) => state.activity.error = Some(message),
                }
            }
        }
    }
}
