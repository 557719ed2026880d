//! What the person asked for: pushed by the views while they draw, and
//! applied after the frame in one place (`apply.rs`).

use crate::model::{ConnectionDraft, ConnectionId, ConnectionName, Fingerprint, SecretString};

use super::mcp_form::McpForm;
use super::prefs::{Arrangement, ThemeChoice};
use super::state::{ActivityFilter, Pending, View};

/// One request from the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// Read the connections file (first frame, when it changed on disk and
    /// when the window regains focus: the command line or MCP may have
    /// changed it). The editor's draft stays as it is.
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
    /// Ask the name of a copy of the edited connection.
    AskDuplicate,
    /// Rename the edited connection: its Name field takes the focus with
    /// the name selected; Save (or Enter) renames.
    StartRename,
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
    /// The window's close button was pressed (guarded by unsaved changes).
    CloseRequested,
    /// Close the open dialog (answered, or cancelled).
    CloseDialog,
    /// Take the notice away before its time.
    DismissNotice,
    /// The editor's form as typed.
    EditDraft(Box<ConnectionDraft>),
    /// The secret field as typed.
    TypeSecret(SecretString),
    /// The search box as typed.
    Search(String),
    /// The name typed in the Duplicate dialog.
    TypeCopyName(String),
    /// Sort and group the list so from now on, and remember it.
    ArrangeList(Arrangement),
    /// The Activity view's filters as picked.
    FilterActivity(ActivityFilter),
    /// The MCP view's choices as made.
    EditMcpForm(Box<McpForm>),
}

impl Command {
    /// True for what was typed or picked in a field: applied before the
    /// frame's other commands, so Ctrl+S saves the key typed with it.
    pub(crate) fn is_edit(&self) -> bool {
        matches!(
            self,
            Self::EditDraft(_)
                | Self::TypeSecret(_)
                | Self::Search(_)
                | Self::TypeCopyName(_)
                | Self::ArrangeList(_)
                | Self::FilterActivity(_)
                | Self::EditMcpForm(_)
        )
    }
}
