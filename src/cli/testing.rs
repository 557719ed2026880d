//! `test` (one connection or `--all`) and `databases --url`: real
//! connection tests, their history, and database discovery.

use std::time::Duration;

use clap::Args;
use serde::Serialize;
use serde_json::json;

use crate::catalog::{Catalog, CatalogError};
use crate::model::{Connection, Fingerprint, SecretString, ServerUrl, TimeoutSecs, TlsMode};
use crate::odoo::{self, Diagnosis, DiagnosisCode, TestReport};
use crate::paths::Paths;

use super::exit::{CliError, Exit};
use super::output::{self, one_line};

/// `test` arguments.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Connection to test.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    name: Option<String>,
    /// Test every connection, in parallel.
    #[arg(long)]
    all: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Give up after SECS seconds (1-300) [default: the connection's own timeout].
    #[arg(long, value_name = "SECS")]
    timeout: Option<TimeoutSecs>,
}

/// `databases` arguments.
#[derive(Debug, Args)]
pub struct DatabasesArgs {
    /// Server URL, e.g. https://erp.example.com.
    #[arg(long)]
    url: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// Accept any certificate (shown as a warning).
    #[arg(long, conflicts_with = "pin_sha256")]
    insecure: bool,
    /// Accept exactly the certificate with this SHA-256 fingerprint.
    #[arg(long, value_name = "FINGERPRINT")]
    pin_sha256: Option<String>,
    /// Give up after SECS seconds (1-300).
    #[arg(long, value_name = "SECS", default_value_t = TimeoutSecs::DEFAULT)]
    timeout: TimeoutSecs,
}

/// One line of `test` output.
#[derive(Debug, Serialize)]
struct NamedReport {
    name: String,
    #[serde(flatten)]
    report: TestReport,
}

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| {
            CliError::new(
                Exit::Failure,
                format!("cannot start the network runtime: {err}"),
            )
        })
}

/// Runs every test at once, each within its own limit, and records each
/// result; a connection without its secret gets the reason as its report
/// (not recorded). Results in `jobs` order.
fn run_tests(
    catalog: &Catalog,
    jobs: Vec<(Connection, Result<SecretString, Diagnosis>, Duration)>,
) -> Result<Vec<NamedReport>, CliError> {
    let reports = runtime()?.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, (connection, secret, limit)) in jobs.into_iter().enumerate() {
            let catalog = catalog.clone();
            tasks.spawn(async move {
                let report = match secret {
                    Ok(secret) => catalog.test_and_record(&connection, &secret, limit).await,
                    Err(reason) => TestReport::not_tested(&connection, reason),
                };
                (index, connection, report)
            });
        }
        let mut done = tasks.join_all().await;
        done.sort_by_key(|(index, _, _)| *index);
        done
    });
    Ok(reports
        .into_iter()
        .map(|(_, connection, report)| NamedReport {
            name: connection.name.to_string(),
            report,
        })
        .collect())
}

/// `test NAME` and `test --all`.
pub fn test(paths: &Paths, args: &TestArgs) -> Result<(), CliError> {
    let catalog = Catalog::new(paths);
    let document = catalog.load()?;
    let chosen: Vec<Connection> = match &args.name {
        Some(name) => vec![document.get(name)?.clone()],
        None => document.connections().to_vec(),
    };
    if chosen.is_empty() {
        output::note("No connections to test. Add one with `odoo-connections add`.");
        return Ok(());
    }
    let mut jobs = Vec::with_capacity(chosen.len());
    let mut untested = None;
    for connection in chosen {
        let secret = catalog.secret(&connection).map_err(|err| {
            let code = match err {
                CatalogError::SecretMissing(_) => DiagnosisCode::SecretMissing,
                _ => DiagnosisCode::KeyringUnavailable,
            };
            let failure = CliError::from(err);
            let reason = Diagnosis::new(code, failure.message.clone());
            untested = Some(failure);
            reason
        });
        let limit = args.timeout.unwrap_or(connection.timeout_secs).duration();
        jobs.push((connection, secret, limit));
    }
    let named = run_tests(&catalog, jobs)?;
    print_reports(&named, args)?;
    if let (Some(failure), Some(_)) = (untested, &args.name) {
        return Err(failure);
    }
    let failed: Vec<&str> = named
        .iter()
        .filter(|entry| !entry.report.ok)
        .map(|entry| entry.name.as_str())
        .collect();
    let total = named.len();
    match failed.as_slice() {
        [] => Ok(()),
        [only] if args.name.is_some() => Err(CliError::new(
            Exit::TestFailed,
            format!("the test of {only:?} failed"),
        )),
        many => Err(CliError::new(
            Exit::TestFailed,
            format!(
                "{} of {total} tests failed: {}",
                many.len(),
                many.join(", ")
            ),
        )),
    }
}

fn print_reports(named: &[NamedReport], args: &TestArgs) -> Result<(), CliError> {
    if args.json {
        return match named {
            [single] if args.name.is_some() => output::json(single),
            all => output::json(&all),
        };
    }
    if let [single] = named
        && args.name.is_some()
    {
        output::line(format_args!(
            "{}: {}",
            single.report.code,
            one_line(&single.report.message)
        ));
        return Ok(());
    }
    let rows: Vec<[String; 5]> = named
        .iter()
        .map(|entry| {
            let report = &entry.report;
            [
                entry.name.clone(),
                report.code.to_string(),
                report.server_version.clone().unwrap_or_default(),
                report.protocol.map(|p| p.to_string()).unwrap_or_default(),
                format!("{} ms", report.latency_ms),
            ]
        })
        .collect();
    output::table(["NAME", "RESULT", "VERSION", "PROTOCOL", "TIME"], &rows);
    for entry in named.iter().filter(|entry| !entry.report.ok) {
        output::line(format_args!(
            "\n{}: {}",
            entry.name,
            one_line(&entry.report.message)
        ));
    }
    Ok(())
}

/// `databases --url URL`.
pub fn databases(args: &DatabasesArgs) -> Result<(), CliError> {
    let invalid = |flag: &str, err: &dyn std::fmt::Display| {
        CliError::new(Exit::InvalidInput, format!("{flag}: {err}"))
    };
    let url: ServerUrl = args.url.parse().map_err(|err| invalid("--url", &err))?;
    let tls = match (&args.pin_sha256, args.insecure) {
        (Some(text), _) => TlsMode::Pinned {
            sha256: text
                .parse::<Fingerprint>()
                .map_err(|err| invalid("--pin-sha256", &err))?,
        },
        (None, true) => TlsMode::Insecure,
        (None, false) => TlsMode::System,
    };
    if tls == TlsMode::Insecure && url.is_https() {
        output::note("warning: --insecure: the server's certificate is not checked");
    }
    let limit: Duration = args.timeout.duration();
    let listed = runtime()?.block_on(odoo::list_databases(&url, tls, limit));
    match (listed, args.json) {
        (Ok(list), true) => output::json(&json!({
            "ok": true,
            "url": url.to_string(),
            "server_version": list.server_version,
            "databases": list.databases,
        })),
        (Ok(list), false) => {
            if list.databases.is_empty() {
                output::note(format_args!(
                    "The server at {url} lists no database for this address."
                ));
            }
            for name in list.databases {
                output::line(one_line(&name));
            }
            Ok(())
        }
        (Err(diagnosis), json) => {
            if json {
                output::json(&json!({
                    "ok": false,
                    "url": url.to_string(),
                    "code": diagnosis.code,
                    "message": diagnosis.message,
                }))?;
            }
            Err(CliError::new(
                Exit::TestFailed,
                one_line(&diagnosis.message),
            ))
        }
    }
}
