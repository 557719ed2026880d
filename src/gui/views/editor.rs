//! The connection form: labelled fields with live validation, the secret
//! field with its reveal toggle, and database discovery.

use eframe::egui;

use egui::{ComboBox, Response, RichText, TextEdit, Ui};

use crate::model::{
    AuthKind, ConnectionDraft, Environment, Field, FieldErrors, Protocol, TlsChoice,
};

use super::super::command::Command;
use super::super::state::{AppState, Discovery, Editor, StoredSecret};
use super::super::theme;
use super::super::widgets::{checked_row, choice, environment_badge, form_row};

/// Draws the editor (or a hint when nothing is selected).
pub(super) fn show(ui: &mut Ui, state: &mut AppState) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(mut editor) = state.editor.take() else {
            ui.centered_and_justified(|ui| {
                ui.label(
                    RichText::new("Select a connection, or choose “New connection” (Ctrl+N)")
                        .weak(),
                );
            });
            return;
        };
        egui::ScrollArea::both().show(ui, |ui| {
            heading(ui, &editor);
            ui.add_space(theme::SECTION_GAP);
            // The actions and their result come before the long form, so
            // both are in view at any window size.
            super::editor_actions::show(ui, &editor, state);
            ui.add_space(theme::SECTION_GAP);
            ui.add_enabled_ui(!editor.saving, |ui| form(ui, &mut editor, state));
        });
        state.editor = Some(editor);
    });
}

fn heading(ui: &mut Ui, editor: &Editor) {
    ui.horizontal(|ui| {
        if editor.saved {
            ui.heading(&editor.original.name);
            environment_badge(ui, editor.original.environment);
        } else {
            ui.heading("Add a connection");
        }
        if editor.is_dirty() {
            ui.label(RichText::new("unsaved changes").italics().weak());
        }
    });
}

fn form(ui: &mut Ui, editor: &mut Editor, state: &mut AppState) {
    let errors = shown_errors(editor);
    let error = |field| errors.get(field);
    egui::Grid::new("connection_form")
        .num_columns(2)
        .spacing([14.0, 10.0])
        .show(ui, |ui| {
            let draft = &mut editor.draft;
            let name = checked_row(ui, "Name", error(Field::Name), |ui| {
                text(ui, &mut draft.name, "acme-prod")
            });
            if std::mem::take(&mut state.focus_name) {
                name.request_focus();
            }
            checked_row(ui, "Server URL", error(Field::Url), |ui| {
                text(ui, &mut draft.url, "https://erp.example.com")
            });
            database_row(ui, editor, &errors, state);
            let draft = &mut editor.draft;
            checked_row(ui, "Login", error(Field::Login), |ui| {
                text(ui, &mut draft.login, "admin or you@example.com")
            });
            secret_row(ui, editor, state);
            let draft = &mut editor.draft;
            form_row(ui, "Protocol",|ui| {
                choice(
                    ui,
                    "protocol",
                    220.0,
                    &mut draft.protocol,
                    &[
                        (Protocol::Auto, "Automatic (best available)"),
                        (Protocol::Json2, "JSON-2 (Odoo 19+)"),
                        (Protocol::Jsonrpc, "JSON-RPC"),
                        (Protocol::Xmlrpc, "XML-RPC"),
                    ],
                )
            });
            let insecure = (draft.tls == TlsChoice::Insecure).then_some(
                "any certificate is accepted: whoever sits between you and the server can read the secret",
            );
            checked_row(ui, "Certificate check", insecure, |ui| {
                choice(
                    ui,
                    "tls",
                    220.0,
                    &mut draft.tls,
                    &[
                        (TlsChoice::System, "Trusted authorities (system)"),
                        (TlsChoice::Pinned, "Pinned certificate"),
                        (TlsChoice::Insecure, "Any certificate (insecure)"),
                    ],
                )
            });
            if draft.tls == TlsChoice::Pinned {
                checked_row(ui, "Fingerprint", error(Field::Fingerprint), |ui| {
                    text(ui, &mut draft.fingerprint, "SHA-256, e.g. AB:CD:…")
                });
            }
            form_row(ui, "Environment",|ui| {
                choice(
                    ui,
                    "environment",
                    220.0,
                    &mut draft.environment,
                    &[
                        (Environment::Production, "Production"),
                        (Environment::Staging, "Staging"),
                        (Environment::Development, "Development"),
                    ],
                )
            });
            checked_row(ui, "Tags", error(Field::Tags), |ui| {
                text(ui, &mut draft.tags, "comma-separated, e.g. client-a, eu")
            });
            form_row(ui, "Notes",|ui| {
                ui.add(
                    TextEdit::multiline(&mut draft.notes)
                        .desired_rows(3)
                        .desired_width(theme::FIELD_WIDTH)
                        .hint_text("plain text; never put a secret here"),
                )
            });
            checked_row(ui, "Timeout (s)", error(Field::Timeout), |ui| {
                ui.add(TextEdit::singleline(&mut draft.timeout_secs).desired_width(60.0))
            });
        });
}

/// The errors of the fields the person has changed (a new, empty form
/// does not start out red; Save stays disabled and says why).
fn shown_errors(editor: &Editor) -> FieldErrors {
    let mut shown = FieldErrors::default();
    for error in editor.field_errors().0 {
        if field_text(&editor.draft, error.field) != field_text(&editor.original, error.field) {
            shown.push(error.field, error.message);
        }
    }
    shown
}

fn field_text(draft: &ConnectionDraft, field: Field) -> (&str, TlsChoice) {
    let text = match field {
        Field::Name => &draft.name,
        Field::Url => &draft.url,
        Field::Database => &draft.database,
        Field::Login => &draft.login,
        Field::Fingerprint => &draft.fingerprint,
        Field::Tags => &draft.tags,
        Field::Timeout => &draft.timeout_secs,
    };
    (text, draft.tls)
}

fn database_row(ui: &mut Ui, editor: &mut Editor, errors: &FieldErrors, state: &mut AppState) {
    let discovery_error = match &editor.discovery {
        Discovery::Failed(message) => Some(format!("Discovery: {message}")),
        _ => None,
    };
    let error = errors
        .get(Field::Database)
        .map(str::to_owned)
        .or(discovery_error);
    checked_row(ui, "Database", error.as_deref(), |ui| {
        ui.horizontal(|ui| {
            let field = ui.add(
                TextEdit::singleline(&mut editor.draft.database)
                    .hint_text("database name")
                    .desired_width(theme::FIELD_WIDTH - 150.0),
            );
            // The button stays where it is while the server is asked.
            let running = editor.discovery == Discovery::Running;
            if ui
                .add_enabled(!running, egui::Button::new("Discover databases"))
                .on_hover_text("Ask the server which databases it has")
                .clicked()
            {
                state.send(Command::Discover);
            }
            if running {
                ui.spinner();
            }
            if let Discovery::Found(names) = &editor.discovery {
                let picked = ComboBox::from_id_salt("discovered_databases")
                    .selected_text("Pick…")
                    .width(100.0)
                    .show_ui(ui, |ui| {
                        for name in names {
                            let pick =
                                ui.selectable_value(&mut editor.draft.database, name.clone(), name);
                            if pick.clicked() {
                                ui.close();
                            }
                        }
                    });
                picked.response.accessible_name("Discovered databases");
            }
            field
        })
        .inner
    });
}

fn secret_row(ui: &mut Ui, editor: &mut Editor, state: &mut AppState) {
    let error = match &editor.secret.stored {
        StoredSecret::Failed(message) => Some(format!("Keyring: {message}")),
        StoredSecret::None if editor.saved && editor.secret.text.is_empty() => {
            Some("the keyring has no secret for this connection; type it and save".to_owned())
        }
        _ if editor.is_dirty() => editor.secret_error().map(str::to_owned),
        _ => None,
    };
    let secret = &mut editor.secret;
    let hint = match secret.stored {
        StoredSecret::NotLoaded => "stored in the keyring; type to replace",
        StoredSecret::Loading => "reading the keyring…",
        _ => "API key or password",
    };
    let revealed = secret.revealed;
    checked_row(ui, "Secret", error.as_deref(), |ui| {
        ui.horizontal(|ui| {
            let field = ui.add(
                TextEdit::singleline(&mut *secret.text)
                    .id(secret_field_id())
                    .password(!revealed)
                    .hint_text(hint)
                    .desired_width(theme::FIELD_WIDTH - 150.0),
            );
            forget_undo_history(ui.ctx(), secret_field_id());
            let toggle = if revealed { "Hide" } else { "Show" };
            if ui
                .button(toggle)
                .on_hover_text("Show or hide the secret (read from the keyring)")
                .clicked()
            {
                state.send(Command::ToggleSecret);
            }
            let kind = choice(
                ui,
                "auth_kind",
                100.0,
                &mut editor.draft.auth,
                &[
                    (AuthKind::ApiKey, "API key"),
                    (AuthKind::Password, "Password"),
                ],
            );
            kind.accessible_name("Secret kind");
            field
        })
        .inner
    });
}

/// The id of the secret field. egui keeps an undo history of every text
/// field; this one has none, so no earlier secret lingers in memory.
pub fn secret_field_id() -> egui::Id {
    egui::Id::unique("connection-secret")
}

/// Empties the undo history egui keeps for the text field `id` (it holds
/// copies of earlier values).
fn forget_undo_history(ctx: &egui::Context, id: egui::Id) {
    if let Some(mut memory) = TextEdit::load_state(ctx, id) {
        memory.clear_undoer();
        memory.store(ctx, id);
    }
}

fn text(ui: &mut Ui, value: &mut String, hint: &str) -> Response {
    ui.add(
        TextEdit::singleline(value)
            .hint_text(hint)
            .desired_width(theme::FIELD_WIDTH),
    )
}
