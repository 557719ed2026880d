//! `list`, `show`, `add`, `edit`, `rename`, `duplicate` and `rm`.

use clap::Args;
use serde_json::json;

use crate::catalog::Catalog;
use crate::model::{
    AuthKind, Connection, ConnectionDraft, ConnectionId, ConnectionName, Environment, Field,
    FieldErrors, Protocol, ServerUrl, TlsChoice,
};
use crate::paths::Paths;
use crate::secrets::KEYRING_SERVICE;
use crate::store::TestResults;

use super::exit::{CliError, Exit};
use super::output::{self, one_line};
use super::prompt::{self, SecretSource};

/// `list` arguments.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only connections whose name, URL, database, login or tags contain TEXT.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// `show` arguments.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Connection name.
    name: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Settings shared by `add` and `edit`; on `edit` only the given ones change.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Server URL, e.g. https://erp.example.com.
    #[arg(long)]
    url: Option<String>,
    /// Database name.
    #[arg(long = "db", visible_alias = "database", value_name = "DB")]
    database: Option<String>,
    /// Login (user name or e-mail).
    #[arg(long)]
    login: Option<String>,
    /// Whether the secret is a password or an API key [default on add: api-key].
    #[arg(long, value_name = "password|api-key")]
    auth: Option<AuthKind>,
    /// auto, xmlrpc, jsonrpc or json2 [default on add: auto].
    #[arg(long)]
    protocol: Option<Protocol>,
    /// Certificate check: system (trusted CAs) or insecure (any certificate).
    #[arg(long, value_name = "system|insecure", conflicts_with = "pin_sha256")]
    tls: Option<TlsFlag>,
    /// Accept exactly the certificate with this SHA-256 fingerprint.
    #[arg(long, value_name = "FINGERPRINT")]
    pin_sha256: Option<String>,
    /// production, staging or development [default on add: production].
    #[arg(long = "env", value_name = "ENV")]
    environment: Option<Environment>,
    /// Comma-separated tags (replaces the current ones; "" clears them).
    #[arg(long)]
    tags: Option<String>,
    /// Free-form notes (stored in plain text: never put a secret here).
    #[arg(long)]
    notes: Option<String>,
    /// Test timeout in seconds (1-300) [default on add: 15].
    #[arg(long, value_name = "SECS")]
    timeout: Option<String>,
    /// Read the secret from standard input instead of asking.
    #[arg(long)]
    secret_stdin: bool,
}

/// The `--tls` keywords.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TlsFlag {
    /// Trust the system CAs.
    System,
    /// Accept any certificate.
    Insecure,
}

/// `add` arguments.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// Name of the new connection.
    name: String,
    #[command(flatten)]
    settings: SettingsArgs,
}

/// `edit` arguments.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Connection to change.
    name: String,
    #[command(flatten)]
    settings: SettingsArgs,
    /// Ask for a new secret at a hidden prompt.
    #[arg(long, conflicts_with = "secret_stdin")]
    ask_secret: bool,
}

/// `rename` arguments.
#[derive(Debug, Args)]
pub struct RenameArgs {
    /// Current name.
    old: String,
    /// New name.
    new: String,
}

/// `duplicate` arguments.
#[derive(Debug, Args)]
pub struct DuplicateArgs {
    /// Connection to copy.
    name: String,
    /// Name of the copy.
    new: String,
}

/// `rm` arguments.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Connection to delete.
    name: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
}

impl SettingsArgs {
    fn apply_to(&self, draft: &mut ConnectionDraft) {
        let text_flags = [
            (&self.url, &mut draft.url),
            (&self.database, &mut draft.database),
            (&self.login, &mut draft.login),
            (&self.tags, &mut draft.tags),
            (&self.notes, &mut draft.notes),
            (&self.timeout, &mut draft.timeout_secs),
        ];
        for (flag, field) in text_flags {
            if let Some(value) = flag {
                field.clone_from(value);
            }
        }
        if let Some(auth) = self.auth {
            draft.auth = auth;
        }
        if let Some(protocol) = self.protocol {
            draft.protocol = protocol;
        }
        if let Some(environment) = self.environment {
            draft.environment = environment;
        }
        match (self.tls, &self.pin_sha256) {
            (_, Some(fingerprint)) => {
                draft.tls = TlsChoice::Pinned;
                draft.fingerprint.clone_from(fingerprint);
            }
            (Some(TlsFlag::System), None) => draft.tls = TlsChoice::System,
            (Some(TlsFlag::Insecure), None) => draft.tls = TlsChoice::Insecure,
            (None, None) => {}
        }
    }
}

fn flag_of(field: Field) -> &'static str {
    match field {
        Field::Name => "NAME",
        Field::Url => "--url",
        Field::Database => "--db",
        Field::Login => "--login",
        Field::Fingerprint => "--pin-sha256",
        Field::Tags => "--tags",
        Field::Timeout => "--timeout",
    }
}

fn invalid_input(errors: &FieldErrors) -> CliError {
    let lines: Vec<String> = errors
        .0
        .iter()
        .map(|error| format!("{}: {}", flag_of(error.field), error.message))
        .collect();
    CliError::new(
        Exit::InvalidInput,
        format!("nothing was saved:\n{}", lines.join("\n")),
    )
}

fn parse_name(text: &str) -> Result<ConnectionName, CliError> {
    text.parse()
        .map_err(|err| CliError::new(Exit::InvalidInput, format!("NAME: {err}")))
}

/// `list`.
pub fn list(paths: &Paths, args: &ListArgs) -> Result<(), CliError> {
    let document = Catalog::new(paths).load()?;
    let needle = args.filter.as_deref().unwrap_or("");
    let shown: Vec<&Connection> = document
        .connections()
        .iter()
        .filter(|connection| connection.matches(needle))
        .collect();
    if args.json {
        return output::json(&shown);
    }
    if shown.is_empty() {
        if document.connections().is_empty() {
            output::note(
                "No connections yet. Add one with `odoo-connections add NAME --url URL --db DB --login LOGIN`.",
            );
        } else {
            output::note(format_args!("No connection matches {needle:?}."));
        }
        return Ok(());
    }
    let history = TestResults::load(paths).unwrap_or_else(|err| {
        tracing::warn!("last test results are not shown: {err}");
        TestResults::default()
    });
    let rows: Vec<[String; 7]> = shown
        .iter()
        .map(|connection| {
            let tags: Vec<&str> = connection.tags.iter().map(|tag| tag.as_str()).collect();
            let last_test = history
                .get(connection.id)
                .map_or_else(|| "-".to_owned(), |last| last.code.to_string());
            [
                connection.name.to_string(),
                connection.environment.to_string(),
                connection.url.to_string(),
                connection.database.to_string(),
                connection.login.to_string(),
                tags.join(","),
                last_test,
            ]
        })
        .collect();
    output::table(
        [
            "NAME",
            "ENV",
            "URL",
            "DATABASE",
            "LOGIN",
            "TAGS",
            "LAST TEST",
        ],
        &rows,
    );
    Ok(())
}

/// `show`.
pub fn show(paths: &Paths, args: &ShowArgs) -> Result<(), CliError> {
    let catalog = Catalog::new(paths);
    let document = catalog.load()?;
    let connection = document.get(&args.name)?;
    let account = Catalog::keyring_account(connection);
    let secret_state = match catalog.find_secret(connection) {
        Ok(Some(_)) => Ok(true),
        Ok(None) => Ok(false),
        Err(err) => Err(err.to_string()),
    };
    if args.json {
        let mut value = serde_json::to_value(connection)
            .map_err(|err| CliError::new(Exit::Failure, err.to_string()))?;
        value["secret"] = json!({
            "stored": secret_state.as_ref().ok(),
            "error": secret_state.as_ref().err(),
            "keyring_service": KEYRING_SERVICE,
            "keyring_account": account,
        });
        return output::json(&value);
    }
    let tags: Vec<&str> = connection.tags.iter().map(|tag| tag.as_str()).collect();
    let secret_line = match secret_state {
        Ok(true) => {
            format!("stored in the system keyring (service {KEYRING_SERVICE}, account {account})")
        }
        Ok(false) => format!(
            "MISSING from the system keyring; set it with `odoo-connections edit {} --ask-secret`",
            connection.name
        ),
        Err(err) => format!("unknown: {err}"),
    };
    let rows = [
        ("name", connection.name.to_string()),
        ("url", connection.url.to_string()),
        ("database", connection.database.to_string()),
        ("login", connection.login.to_string()),
        ("auth", connection.auth.to_string()),
        ("secret", secret_line),
        ("protocol", connection.protocol.to_string()),
        ("tls", connection.tls.to_string()),
        ("environment", connection.environment.to_string()),
        ("tags", tags.join(", ")),
        ("timeout", format!("{} s", connection.timeout_secs)),
        ("notes", connection.notes.clone()),
        ("id", connection.id.to_string()),
    ];
    for (key, value) in rows {
        output::line(format_args!("{key:<12} {}", one_line(&value)));
    }
    Ok(())
}

fn secret_source(stdin: bool) -> SecretSource {
    if stdin {
        SecretSource::Stdin
    } else {
        SecretSource::Prompt
    }
}

/// `add`.
pub fn add(paths: &Paths, args: &AddArgs) -> Result<(), CliError> {
    let mut draft = ConnectionDraft::new();
    draft.name.clone_from(&args.name);
    args.settings.apply_to(&mut draft);
    let connection = draft
        .build(ConnectionId::random(), serde_json::Map::new())
        .map_err(|errors| invalid_input(&errors))?;
    let catalog = Catalog::new(paths);
    catalog
        .load()?
        .check_name_free(connection.name.as_str(), None)?;
    let what = match connection.auth {
        AuthKind::Password => "Password",
        AuthKind::ApiKey => "API key",
    };
    let secret = prompt::read_secret(
        secret_source(args.settings.secret_stdin),
        &format!("{what} for {} on {}: ", connection.login, connection.url),
    )?;
    let stored = catalog.add(connection, &secret)?;
    output::line(format_args!(
        "Added {:?}; its secret is in the system keyring (service {KEYRING_SERVICE}, account {}).",
        stored.name.as_str(),
        Catalog::keyring_account(&stored)
    ));
    if let Some(dropped) = args
        .settings
        .url
        .as_deref()
        .and_then(ServerUrl::dropped_part)
    {
        output::line(format_args!(
            "Shortened the pasted browser URL to the site root {} (dropped {:?}).",
            stored.url,
            output::one_line(&dropped)
        ));
    }
    Ok(())
}

/// `edit`.
pub fn edit(paths: &Paths, args: &EditArgs) -> Result<(), CliError> {
    let catalog = Catalog::new(paths);
    let current = catalog.load()?.get(&args.name)?.clone();
    let mut draft = ConnectionDraft::from_connection(&current);
    args.settings.apply_to(&mut draft);
    let mut updated = draft
        .build(current.id, current.extra.clone())
        .map_err(|errors| invalid_input(&errors))?;
    updated.keyring_account.clone_from(&current.keyring_account);
    let secret = if args.settings.secret_stdin || args.ask_secret {
        Some(prompt::read_secret(
            secret_source(args.settings.secret_stdin),
            &format!("New secret for {}: ", updated.name),
        )?)
    } else {
        None
    };
    if updated == current && secret.is_none() {
        output::note(
            "Nothing to change: give at least one setting, --secret-stdin or --ask-secret.",
        );
        return Ok(());
    }
    let stored = catalog.apply_changes(&current, &updated, secret.as_ref())?;
    output::line(format_args!("Updated {:?}.", stored.name.as_str()));
    Ok(())
}

/// `rename`.
pub fn rename(paths: &Paths, args: &RenameArgs) -> Result<(), CliError> {
    let new = parse_name(&args.new)?;
    let renamed = Catalog::new(paths).rename(&args.old, new)?;
    output::line(format_args!(
        "Renamed {:?} to {:?}.",
        args.old,
        renamed.name.as_str()
    ));
    Ok(())
}

/// `duplicate`.
pub fn duplicate(paths: &Paths, args: &DuplicateArgs) -> Result<(), CliError> {
    let new = parse_name(&args.new)?;
    let copy = Catalog::new(paths).duplicate(&args.name, new)?;
    output::line(format_args!(
        "Copied {:?} to {:?} (with its secret).",
        args.name,
        copy.name.as_str()
    ));
    Ok(())
}

/// `rm`.
pub fn remove(paths: &Paths, args: &RemoveArgs) -> Result<(), CliError> {
    let catalog = Catalog::new(paths);
    let connection = catalog.load()?.get(&args.name)?.clone();
    let question = format!(
        "Delete {:?} ({}) and its keyring secret?",
        connection.name.as_str(),
        connection.url
    );
    if !prompt::confirm(&question, args.yes)? {
        output::note("Nothing was deleted.");
        return Ok(());
    }
    catalog.remove(connection.name.as_str())?;
    output::line(format_args!(
        "Deleted {:?} and its secret.",
        connection.name.as_str()
    ));
    Ok(())
}
