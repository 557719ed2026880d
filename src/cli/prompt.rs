//! Reading secrets and confirmations from a person: never echoed, never
//! taken from the command line, never prompted for when nobody is there.

use std::io::{self, BufRead as _, IsTerminal as _, Read as _};

use crate::model::SecretString;

use super::exit::{CliError, Exit};
use super::output;

/// Where a secret comes from.
pub enum SecretSource {
    /// Piped on standard input.
    Stdin,
    /// Typed at a hidden prompt.
    Prompt,
}

/// Reads a secret, refusing an empty one.
pub fn read_secret(source: SecretSource, prompt: &str) -> Result<SecretString, CliError> {
    let value = match source {
        SecretSource::Stdin => {
            let mut text = String::new();
            io::stdin().read_to_string(&mut text).map_err(|err| {
                CliError::new(
                    Exit::Failure,
                    format!("could not read standard input: {err}"),
                )
            })?;
            let trimmed = text.trim_end_matches(['\n', '\r']).to_owned();
            SecretString::new(trimmed)
        }
        SecretSource::Prompt => {
            if !io::stdin().is_terminal() {
                return Err(CliError::new(
                    Exit::Usage,
                    "no secret given: pipe it with --secret-stdin (e.g. `pass show odoo | odoo-connections add … --secret-stdin`), or run in a terminal to be asked",
                ));
            }
            let value = rpassword::prompt_password(prompt).map_err(|err| {
                CliError::new(Exit::Failure, format!("could not read the secret: {err}"))
            })?;
            SecretString::new(value)
        }
    };
    if value.is_empty() {
        return Err(CliError::new(
            Exit::InvalidInput,
            "the secret is empty; nothing was saved",
        ));
    }
    Ok(value)
}

/// Asks a yes/no question on the terminal; `assume_yes` skips it. Without
/// a terminal (and without `assume_yes`) the answer is an error that names
/// the flag to pass.
pub fn confirm(question: &str, assume_yes: bool) -> Result<bool, CliError> {
    if assume_yes {
        return Ok(true);
    }
    if !io::stdin().is_terminal() {
        return Err(CliError::new(
            Exit::Usage,
            "refusing to delete without confirmation; pass --yes",
        ));
    }
    output::ask(format_args!("{question} [y/N] "));
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|err| CliError::new(Exit::Failure, format!("could not read the answer: {err}")))?;
    Ok(matches!(answer.trim().to_lowercase().as_str(), "y" | "yes"))
}
