//! Applies finished jobs to the window state, each to the connection that
//! started it (a result never lands on whatever happens to be selected).

use eframe::egui;

use crate::model::ConnectionDraft;

use super::command::Command;
use super::jobs::JobDone;
use super::state::{AppState, Dialog, Discovery, Editor, SessionTest, StoredSecret};

/// Applies one finished job.
pub(crate) fn finish(state: &mut AppState, ctx: &egui::Context, done: JobDone) {
    match done {
        JobDone::Loaded(Ok((connections, history))) => {
            state.set_connections(connections);
            state.history = history;
            state.list_error = None;
            state.list_loaded = true;
        }
        JobDone::Loaded(Err(message)) => {
            state.list_error = Some(message);
            state.list_loaded = true;
        }
        JobDone::Saved { id, result, then } => {
            let editor = state.editor.as_mut().filter(|editor| editor.id == id);
            match result {
                Ok(connection) => {
                    if let Some(editor) = editor {
                        editor.saving = false;
                        editor.saved = true;
                        editor.opened = Some(connection.clone());
                        editor.original = ConnectionDraft::from_connection(&connection);
                        editor.draft = editor.original.clone();
                        if let Some(secret) = editor.secret.replacement() {
                            editor.secret.stored = StoredSecret::Loaded(secret);
                        }
                    }
                    if let Some(then) = then {
                        state.perform(ctx, then);
                    }
                    state.tell(format!("Saved “{}”", connection.name), false);
                    state.reload(ctx);
                }
                Err(message) => {
                    if let Some(editor) = editor {
                        editor.saving = false;
                    }
                    state.tell(message, true);
                }
            }
        }
        JobDone::ChangedElsewhere { id, name, then } => {
            if let Some(editor) = state.editor.as_mut().filter(|editor| editor.id == id) {
                editor.saving = false;
            }
            state.dialog = Some(Dialog::ChangedElsewhere { id, name, then });
            // Fresh list, so that "Reload" shows the other changes.
            state.reload(ctx);
        }
        JobDone::Renamed { id, result } => match result {
            Ok(connection) => {
                if let Some(editor) = state.editor.as_mut().filter(|editor| editor.id == id) {
                    if let Some(opened) = editor.opened.as_mut() {
                        opened.name = connection.name.clone();
                    }
                    let name = connection.name.to_string();
                    editor.original.name.clone_from(&name);
                    editor.draft.name = name;
                }
                state.tell(format!("Renamed to “{}”", connection.name), false);
                state.reload(ctx);
            }
            Err(message) => state.tell(message, true),
        },
        JobDone::Duplicated(result) => match result {
            Ok(copy) => {
                state.editor = Some(Editor::open(&copy));
                state.tell(
                    format!("Created “{}” with the same secret", copy.name),
                    false,
                );
                state.reload(ctx);
            }
            Err(message) => state.tell(message, true),
        },
        JobDone::Removed { id, result } => match result {
            Ok(name) => {
                if state.editor.as_ref().is_some_and(|editor| editor.id == id) {
                    state.editor = None;
                }
                state.last_tests.remove(&id);
                state.unsaved_tests_running.remove(&id);
                state.tell(format!("Deleted “{name}” and its keyring secret"), false);
                state.reload(ctx);
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
        JobDone::Tested { id, run: _, result } => {
            let untrusted = result.as_ref().is_ok_and(super::state::asks_for_trust);
            let of_unsaved_changes = state.unsaved_tests_running.remove(&id);
            let ok = result.as_ref().is_ok_and(|report| report.ok);
            state.count_in_test_all(id, Some(ok));
            state.last_tests.insert(
                id,
                SessionTest {
                    result,
                    of_unsaved_changes,
                },
            );
            let prompt = state.trust_prompt_for == Some(id)
                && state.dialog.is_none()
                && state.editor.as_ref().is_some_and(|editor| editor.id == id);
            if state.trust_prompt_for == Some(id) {
                state.trust_prompt_for = None;
            }
            if prompt && untrusted {
                state.send(Command::AskTrust);
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
