//! The connection form: labelled fields with live validation, the secret
//! field with its reveal toggle, and database discovery.

use eframe::egui;

use egui::{ComboBox, Response, RichText, TextEdit, Ui};

use zeroize::Zeroizing;

use crate::model::{
    AuthKind, ConnectionDraft, Environment, Field, FieldErrors, Protocol, SecretString, TlsChoice,
};

use super::super::buttons::icons;
use super::super::command::Command;
use super::super::state::{AppState, Discovery, Editor, StoredSecret};
use super::super::theme;
use super::super::widgets::{checked_row, choice, environment_badge, form_row, warned_row};

/// Draws the editor (or a hint when nothing is selected).
pub(super) fn show(ui: &mut Ui, state: &AppState, commands: &mut Vec<Command>) {
    egui::CentralPanel::default().show(ui, |ui| {
        let Some(editor) = state.editor.as_ref() else {
            ui.centered_and_justified(|ui| {
                ui.label(
                    RichText::new("Select a connection, or choose “New connection” (Ctrl+N)")
                        .weak(),
                );
            });
            return;
        };
        egui::ScrollArea::both().show(ui, |ui| {
            heading(ui, editor);
            ui.add_space(theme::SECTION_GAP);
            // The actions and their result come before the long form, so
            // both are in view at any window size.
            super::editor_actions::show(ui, editor, state, commands);
            ui.add_space(theme::SECTION_GAP);
            ui.add_enabled_ui(!editor.saving, |ui| form(ui, editor, state, commands));
        });
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

/// The form's fields, edited on a copy of the draft: what changed is
/// pushed as one edit.
fn form(ui: &mut Ui, editor: &Editor, state: &AppState, commands: &mut Vec<Command>) {
    let errors = shown_errors(editor, state);
    let error = |field| errors.get(field);
    let mut fields = Vec::new();
    let mut draft = editor.draft.clone();
    let mut secret = Zeroizing::new((*editor.secret.text).clone());
    section(ui, icons::SERVER, "Server", |ui| {
        let name = checked_row(ui, "Name", error(Field::Name), |ui| {
            ui.add(
                TextEdit::singleline(&mut draft.name)
                    .id(name_field_id())
                    .hint_text("acme-prod")
                    .desired_width(theme::FIELD_WIDTH),
            )
        });
        if state.requests.focus_name {
            name.request_focus();
            if state.requests.select_name {
                select_all(ui.ctx(), name_field_id(), &draft.name);
            }
        }
        fields.push(name);
        fields.push(checked_row(ui, "Server URL", error(Field::Url), |ui| {
            text(ui, &mut draft.url, "https://erp.example.com")
        }));
        let database = database_row(ui, editor, &mut draft.database, &errors, commands);
        fields.push(database);
    });
    section(ui, icons::SIGN_IN, "Sign-in", |ui| {
        fields.push(checked_row(ui, "Login", error(Field::Login), |ui| {
            text(ui, &mut draft.login, "admin or you@example.com")
        }));
        let secret_field = SecretRow {
            text: &mut secret,
            kind: &mut draft.auth,
        };
        fields.push(secret_row(ui, editor, secret_field, commands));
    });
    section(ui, icons::SAFETY, "Safety", |ui| {
        safety_rows(ui, &mut draft, &errors, &mut fields);
    });
    advanced(ui, &mut draft, &errors, &mut fields);
    section(ui, icons::NOTES, "Tags and notes", |ui| {
        fields.push(checked_row(ui, "Tags", error(Field::Tags), |ui| {
            text(ui, &mut draft.tags, "comma-separated, e.g. client-a, eu")
        }));
        form_row(ui, "Notes", |ui| {
            ui.add(
                TextEdit::multiline(&mut draft.notes)
                    .desired_rows(3)
                    .desired_width(theme::FIELD_WIDTH)
                    .hint_text("plain text; never put a secret here"),
            )
        });
    });
    if draft != editor.draft {
        commands.push(Command::EditDraft(Box::new(draft)));
    }
    if *secret != *editor.secret.text {
        commands.push(Command::TypeSecret(SecretString::new(std::mem::take(
            &mut *secret,
        ))));
    }
    // Enter in a one-line field saves, as the default button of a form.
    let entered = ui.input(|input| input.key_pressed(egui::Key::Enter));
    if entered && fields.iter().any(Response::lost_focus) {
        commands.push(Command::Save { then: None });
    }
}

/// The id of the Name field.
fn name_field_id() -> egui::Id {
    egui::Id::unique("connection-name")
}

/// Selects all of `text` in the text field `id` (a rename starts with the
/// old name selected, so typing replaces it).
fn select_all(ctx: &egui::Context, id: egui::Id, text: &str) {
    use egui::text::{CCursor, CCursorRange};
    let mut field = TextEdit::load_state(ctx, id).unwrap_or_default();
    let end = CCursor::new(text.chars().count());
    field
        .cursor
        .set_char_range(Some(CCursorRange::two(CCursor::new(0), end)));
    field.store(ctx, id);
}

/// One titled group of the form, its labels in a column as wide as every
/// other group's, so the fields of all groups line up.
fn section(ui: &mut Ui, icon: &str, title: &str, rows: impl FnOnce(&mut Ui)) {
    ui.add_space(theme::SECTION_GAP);
    ui.horizontal(|ui| {
        paint_icon(ui, icon);
        ui.label(section_title(title));
    });
    ui.add_space(2.0);
    form_grid(ui, title, rows);
}

fn section_title(title: &str) -> RichText {
    RichText::new(title).strong().size(15.0)
}

/// Paints `icon` in the secondary text colour; painted, not a widget, so
/// a screen reader reads the title alone.
fn paint_icon(ui: &mut Ui, icon: &str) {
    let font = egui::FontId::proportional(14.0);
    let colour = ui.visuals().weak_text_color();
    let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 16.0), egui::Sense::hover());
    (ui.painter()).text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        icon,
        font,
        colour,
    );
}

fn form_grid(ui: &mut Ui, id: &str, rows: impl FnOnce(&mut Ui)) {
    egui::Grid::new(("connection_form", id))
        .num_columns(2)
        .spacing([14.0, 10.0])
        .min_col_width(theme::LABEL_WIDTH)
        .show(ui, rows);
}

/// Environment and the certificate check: what the policy and the person
/// weigh before trusting a connection.
fn safety_rows(
    ui: &mut Ui,
    draft: &mut ConnectionDraft,
    errors: &FieldErrors,
    fields: &mut Vec<Response>,
) {
    form_row(ui, "Environment", |ui| {
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
    let insecure = (draft.tls == TlsChoice::Insecure).then_some(
        "any certificate is accepted: whoever sits between you and the server can read the secret",
    );
    warned_row(ui, "Certificate check", insecure, |ui| {
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
        fields.push(checked_row(
            ui,
            "Fingerprint",
            errors.get(Field::Fingerprint),
            |ui| text(ui, &mut draft.fingerprint, "SHA-256, e.g. AB:CD:…"),
        ));
    }
}

/// Protocol and timeout, folded away until wanted; open by itself while
/// one of them is not the default or is refused, so nothing set or wrong
/// stays hidden.
fn advanced(
    ui: &mut Ui,
    draft: &mut ConnectionDraft,
    errors: &FieldErrors,
    fields: &mut Vec<Response>,
) {
    let defaults = ConnectionDraft::new();
    let set = draft.protocol != defaults.protocol
        || draft.timeout_secs.trim() != defaults.timeout_secs
        || errors.get(Field::Timeout).is_some();
    ui.add_space(theme::SECTION_GAP);
    let header = egui::CollapsingHeader::new(section_title("Advanced"))
        .id_salt("advanced_connection_settings");
    let header = if set { header.open(Some(true)) } else { header };
    header.show_unindented(ui, |ui| {
        form_grid(ui, "advanced", |ui| {
            form_row(ui, "Protocol", |ui| {
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
            fields.push(checked_row(
                ui,
                "Timeout (s)",
                errors.get(Field::Timeout),
                |ui| ui.add(TextEdit::singleline(&mut draft.timeout_secs).desired_width(60.0)),
            ));
        });
    });
}

/// The errors of the fields the person has changed (a new, empty form
/// does not start out red; Save stays disabled and says why).
fn shown_errors(editor: &Editor, state: &AppState) -> FieldErrors {
    let mut shown = FieldErrors::default();
    for error in editor.field_errors().0 {
        if field_text(&editor.draft, error.field) != field_text(&editor.original, error.field) {
            shown.push(error.field, error.message);
        }
    }
    if let Some(taken) = state.name_conflict(editor) {
        shown.push(Field::Name, taken);
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

/// The Database field with "Discover databases"; `database` is the
/// field's text, as typed or picked.
fn database_row(
    ui: &mut Ui,
    editor: &Editor,
    database: &mut String,
    errors: &FieldErrors,
    commands: &mut Vec<Command>,
) -> Response {
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
                TextEdit::singleline(database)
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
                commands.push(Command::Discover);
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
                            let pick = ui.selectable_value(database, name.clone(), name);
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
    })
}

/// What the secret row edits: the secret field's text (wiped on drop) and
/// the kind of secret.
struct SecretRow<'a> {
    text: &'a mut Zeroizing<String>,
    kind: &'a mut AuthKind,
}

fn secret_row(
    ui: &mut Ui,
    editor: &Editor,
    edited: SecretRow<'_>,
    commands: &mut Vec<Command>,
) -> Response {
    let error = match &editor.secret.stored {
        StoredSecret::Failed(message) => Some(format!("Keyring: {message}")),
        StoredSecret::None if editor.saved && editor.secret.text.is_empty() => {
            Some("the keyring has no secret for this connection; type it and save".to_owned())
        }
        _ if editor.is_dirty() => editor.secret_error().map(str::to_owned),
        _ => None,
    };
    let secret = &editor.secret;
    let hint = match secret.stored {
        StoredSecret::NotLoaded => "stored in the keyring; type to replace",
        StoredSecret::Loading => "reading the keyring…",
        _ => "API key or password",
    };
    let revealed = secret.revealed;
    checked_row(ui, "Secret", error.as_deref(), |ui| {
        ui.horizontal(|ui| {
            let field = ui.add(
                TextEdit::singleline(&mut **edited.text)
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
                commands.push(Command::ToggleSecret);
            }
            let kind = choice(
                ui,
                "auth_kind",
                100.0,
                edited.kind,
                &[
                    (AuthKind::ApiKey, "API key"),
                    (AuthKind::Password, "Password"),
                ],
            );
            kind.accessible_name("Secret kind");
            field
        })
        .inner
    })
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
