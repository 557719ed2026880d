//! Takes in a fresh read of the connections file: the list, the test
//! history, and the open editor, which shows a change made elsewhere when
//! it holds no edits of its own, and keeps its edits, to be saved as a new
//! connection, when its connection was deleted elsewhere.

use crate::model::Connection;
use crate::store::TestResults;

use super::{AppState, Editor, StoredSecret};

/// What a fresh read means for the open editor.
enum EditorFollows {
    /// Nothing changed for it, or its edits wait for the save to ask.
    Stays,
    /// Its connection changed elsewhere and it holds no edits: show the new one.
    Reopens(Box<Connection>),
    /// Its connection was deleted elsewhere and it holds no edits.
    Closes(String),
    /// Its connection was deleted elsewhere: Save creates it again.
    BecomesNew(String),
}

impl AppState {
    /// Replaces the list and the history with what was read.
    pub(crate) fn take_in_list(&mut self, connections: Vec<Connection>, history: TestResults) {
        self.set_connections(connections);
        self.history = history;
        self.list_error = None;
        self.list_loaded = true;
        match self.editor_follows() {
            EditorFollows::Stays => {}
            EditorFollows::Reopens(fresh) => self.editor = Some(Editor::open(&fresh)),
            EditorFollows::Closes(name) => {
                self.editor = None;
                self.tell(format!("“{name}” was deleted elsewhere"), false);
            }
            EditorFollows::BecomesNew(name) => {
                if let Some(editor) = self.editor.as_mut() {
                    editor.saved = false;
                    editor.opened = None;
                    // Its keyring secret went with it: what the field holds
                    // (if anything) is the secret a save writes.
                    editor.secret.stored = StoredSecret::None;
                }
                self.tell(
                    format!(
                        "“{name}” was deleted elsewhere; Save creates it again with your changes"
                    ),
                    true,
                );
            }
        }
    }

    fn editor_follows(&self) -> EditorFollows {
        let Some(editor) = (self.editor.as_ref()).filter(|editor| editor.saved && !editor.saving)
        else {
            return EditorFollows::Stays;
        };
        let name = || (editor.opened.as_ref()).map_or_else(String::new, |c| c.name.to_string());
        match self.connection(editor.id) {
            Some(fresh) if editor.opened.as_ref() == Some(fresh) || editor.is_dirty() => {
                EditorFollows::Stays
            }
            Some(fresh) => EditorFollows::Reopens(Box::new(fresh.clone())),
            None if editor.is_dirty() => EditorFollows::BecomesNew(name()),
            None => EditorFollows::Closes(name()),
        }
    }
}
