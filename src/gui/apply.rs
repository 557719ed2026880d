//! The one step that changes the window state for a [`Command`]: the
//! selection with the unsaved-changes guard, edits, catalog changes, view
//! switches; tests and discovery are in `apply/testing.rs`.

use eframe::egui;

use zeroize::Zeroizing;

use crate::catalog::{Catalog, CatalogError};
use crate::model::{ConnectionId, ConnectionName};
use crate::paths::Paths;
use crate::policy::audit;
use crate::store::TestResults;

use super::command::Command;
use super::jobs::JobDone;
use super::state::{ACTIVITY_LINES, Dialog, Editor, Pending, StoredSecret, View};
use super::window::Window;

mod testing;

impl Window {
    /// Applies one command.
    pub(crate) fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::Reload => self.read_list(),
            Command::Select(id) => self.guard(ctx, Pending::Select(id)),
            Command::SelectNeighbour(step) => self.select_neighbour(ctx, step),
            Command::New => self.guard(ctx, Pending::New),
            Command::Save { then } => self.save(ctx, then, false),
            Command::Overwrite { then } => self.save(ctx, then, true),
            Command::Discard { then } => self.perform(ctx, then),
            Command::AskDelete => {
                let state = &mut self.state;
                if let Some(editor) = state.editor.as_ref().filter(|editor| editor.saved) {
                    state.dialog = Some(Dialog::ConfirmDelete {
                        id: editor.id,
                        name: editor.original.name.clone(),
                    });
                }
            }
            Command::Delete(id) => self.delete(ctx, id),
            Command::AskDuplicate => self.ask_duplicate(),
            Command::StartRename => {
                let state = &mut self.state;
                if state.editor.as_ref().is_some_and(|editor| editor.saved) {
                    state.view = View::Connections;
                    state.requests.focus_name = true;
                    state.requests.select_name = true;
                }
            }
            Command::Duplicate(id, name) => self.duplicate(ctx, id, name),
            Command::ToggleSecret => self.toggle_secret(ctx),
            Command::Test => self.test_editor(ctx),
            Command::CancelTest(id) => self.cancel_test(id),
            Command::TestAll => self.test_all(ctx),
            Command::CancelTestAll => self.cancel_test_all(),
            Command::Discover => self.discover(ctx),
            Command::AskTrust => self.ask_trust(),
            Command::Trust(id, fingerprint) => self.trust(id, fingerprint),
            Command::ShowView(view) => {
                self.state.view = view;
                if view == View::Activity {
                    self.refresh_activity(ctx);
                }
            }
            Command::RefreshActivity => self.refresh_activity(ctx),
            // The Copy button says "Copied" itself.
            Command::Copy(text) => ctx.copy_text(text),
            // Written by `remember.rs`, like every remembered setting.
            Command::SetTheme(choice) => self.state.prefs.theme = choice,
            Command::ArrangeList(arrangement) => {
                let state = &mut self.state;
                if state.prefs.list != arrangement {
                    state.prefs.list = arrangement;
                    state.requests.scroll_to_selection = true;
                }
            }
            Command::FocusSearch => {
                self.state.view = View::Connections;
                self.state.requests.focus_search = true;
            }
            Command::FocusList => self.focus_list(ctx),
            Command::CloseRequested => {
                let state = &mut self.state;
                if !state.close_confirmed && state.has_unsaved_changes() {
                    ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
                    state.dialog = Some(Dialog::Unsaved {
                        then: Pending::Close,
                    });
                }
            }
            Command::CloseDialog => self.state.dialog = None,
            Command::DismissNotice => self.state.notice = None,
            Command::EditDraft(draft) => {
                if let Some(editor) = self.editable() {
                    editor.draft = *draft;
                }
            }
            Command::TypeSecret(secret) => {
                if let Some(editor) = self.editable() {
                    editor.secret.text = Zeroizing::new(secret.expose().to_owned());
                }
            }
            Command::Search(text) => self.state.search = text,
            Command::TypeCopyName(typed) => {
                if let Some(Dialog::Duplicate { name, .. }) = self.state.dialog.as_mut() {
                    *name = typed;
                }
            }
            Command::FilterActivity(filter) => self.state.activity.filter = filter,
            Command::EditMcpForm(form) => self.state.mcp_form = *form,
        }
    }

    /// The editor, unless a save of it runs (the form is read-only then).
    fn editable(&mut self) -> Option<&mut Editor> {
        self.state.editor.as_mut().filter(|editor| !editor.saving)
    }

    fn guard(&mut self, ctx: &egui::Context, then: Pending) {
        let state = &mut self.state;
        let already_there = matches!(then, Pending::Select(id)
            if state.editor.as_ref().is_some_and(|editor| editor.id == id));
        if already_there {
            state.view = View::Connections;
        } else if state.has_unsaved_changes() {
            state.dialog = Some(Dialog::Unsaved { then });
        } else {
            self.perform(ctx, then);
        }
    }

    /// Does a held-back action (the editor's changes are dropped).
    pub(crate) fn perform(&mut self, ctx: &egui::Context, action: Pending) {
        self.state.view = View::Connections;
        self.state.notice = None;
        if let Some(left) = self.state.editor.as_ref().map(|editor| editor.id)
            && action != Pending::Close
        {
            self.forget_unsaved_test(left);
        }
        let state = &mut self.state;
        match action {
            Pending::Select(id) => {
                if let Some(connection) = state.connection(id) {
                    state.editor = Some(Editor::open(connection));
                }
            }
            Pending::New => {
                state.editor = Some(Editor::new_connection());
                state.requests.focus_name = true;
            }
            Pending::Close => {
                state.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
    }

    fn select_neighbour(&mut self, ctx: &egui::Context, step: isize) {
        let state = &mut self.state;
        state.refresh_matches();
        let shown = state.visible_positions();
        let current = (state.editor.as_ref()).and_then(|editor| state.shown_place_of(editor.id));
        let last = shown.len().saturating_sub(1);
        let next = match (current, step) {
            (_, isize::MIN) => 0,
            (_, isize::MAX) => last,
            (Some(index), step) => index.saturating_add_signed(step).min(last),
            (None, step) if step < 0 => last,
            (None, _) => 0,
        };
        if let Some(id) = shown
            .get(next)
            .map(|&position| state.connections[position].id)
        {
            ctx.memory_mut(|memory| memory.request_focus(super::views::list_id()));
            state.requests.scroll_to_selection = true;
            self.guard(ctx, Pending::Select(id));
        }
    }

    fn focus_list(&mut self, ctx: &egui::Context) {
        ctx.memory_mut(|memory| memory.request_focus(super::views::list_id()));
        let state = &mut self.state;
        state.refresh_matches();
        let shown =
            (state.editor.as_ref()).is_some_and(|editor| state.shown_place_of(editor.id).is_some());
        if !shown {
            self.select_neighbour(ctx, isize::MIN);
        }
    }

    /// Saves the editor; unless `overwrite`, a record changed elsewhere
    /// since it was opened is not replaced (the person is asked).
    fn save(&mut self, ctx: &egui::Context, then: Option<Pending>, overwrite: bool) {
        let state = &mut self.state;
        let savable = (state.editor.as_ref()).is_some_and(|editor| state.can_save(editor));
        let extra = (state.editor.as_ref())
            .and_then(|editor| state.connection(editor.id))
            .map(|connection| connection.extra.clone())
            .unwrap_or_default();
        let Some(editor) = state.editor.as_mut().filter(|_| savable) else {
            return;
        };
        let Ok(connection) = editor.draft.build(editor.id, extra) else {
            return;
        };
        editor.saving = true;
        editor.after_save = then;
        let (id, secret) = (editor.id, editor.secret.replacement());
        let opened = editor.opened.clone().filter(|_| editor.saved && !overwrite);
        let saved = editor.saved;
        let catalog = Catalog::new(&state.paths);
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
                Err(CatalogError::ChangedElsewhere(name)) => JobDone::ChangedElsewhere { id, name },
                result => JobDone::Saved {
                    id,
                    result: result.map_err(|err| err.to_string()),
                },
            }
        });
    }

    fn delete(&mut self, ctx: &egui::Context, id: ConnectionId) {
        let Some(name) = self.state.connection(id).map(|c| c.name.to_string()) else {
            return;
        };
        self.cancel_test(id);
        let catalog = Catalog::new(&self.state.paths);
        self.jobs.blocking(ctx, move || {
            let result = catalog
                .remove(&name)
                .map(|removed| removed.name.to_string())
                .map_err(|err| err.to_string());
            JobDone::Removed { id, result }
        });
    }

    fn ask_duplicate(&mut self) {
        let state = &mut self.state;
        let Some(editor) = (state.editor.as_ref()).filter(|e| e.saved && !e.is_dirty()) else {
            return;
        };
        let old = editor.original.name.clone();
        state.dialog = Some(Dialog::Duplicate {
            id: editor.id,
            name: format!("{old} copy"),
            old,
        });
    }

    fn duplicate(&mut self, ctx: &egui::Context, id: ConnectionId, name: ConnectionName) {
        let Some(old) = self.state.connection(id).map(|c| c.name.to_string()) else {
            return;
        };
        let catalog = Catalog::new(&self.state.paths);
        self.jobs.blocking(ctx, move || {
            JobDone::Duplicated(catalog.duplicate(&old, name).map_err(|err| err.to_string()))
        });
    }

    fn toggle_secret(&mut self, ctx: &egui::Context) {
        let Some(editor) = self.state.editor.as_mut() else {
            return;
        };
        editor.secret.revealed = !editor.secret.revealed;
        let needs_loading = editor.secret.revealed
            && editor.secret.stored == StoredSecret::NotLoaded
            && editor.secret.text.is_empty();
        if needs_loading {
            editor.secret.stored = StoredSecret::Loading;
            let id = editor.id;
            let catalog = Catalog::new(&self.state.paths);
            self.jobs.blocking(ctx, move || JobDone::SecretLoaded {
                id,
                result: catalog.stored_secret(id).map_err(|err| err.to_string()),
            });
        }
    }

    fn refresh_activity(&mut self, ctx: &egui::Context) {
        let paths = self.state.paths.clone();
        self.jobs.blocking(ctx, move || {
            JobDone::Activity(
                audit::read_recent(&paths, ACTIVITY_LINES).map_err(|err| err.to_string()),
            )
        });
    }
}

/// The job that reads the connections file and the test history (started
/// before the window has a context too).
/// `read` numbers it, so that the window can tell a read outdated by its
/// own later write.
pub(crate) fn read_list(paths: &Paths, read: u64) -> impl FnOnce() -> JobDone + Send + 'static {
    let catalog = Catalog::new(paths);
    let paths = paths.clone();
    move || {
        let history = TestResults::load(&paths).unwrap_or_else(|err| {
            tracing::warn!("the test history could not be read: {err}");
            TestResults::default()
        });
        JobDone::Loaded {
            read,
            result: catalog
                .load()
                .map(|document| (document.connections().to_vec(), history))
                .map_err(|err| err.to_string()),
        }
    }
}
