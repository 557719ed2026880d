//! No secret escapes: a full scenario with the real binary, the real
//! keyring and the Odoo test server (add, test, databases, list, show,
//! export, exec, policy check, open, an MCP session, a gateway session),
//! every log level on,
//! then every file, output stream, audit line, MCP reply and process
//! argument is searched for the secrets. Run under `scripts/test --test secret_leak`.

mod support;

use std::path::Path;
use std::process::{Output, Stdio};

use rmcp::ServiceExt as _;
use rmcp::transport::TokioChildProcess;
use sha2::{Digest as _, Sha256};
use support::mcp_client::call;
use support::odoo_server::{OdooServer, OdooVersion, User};
use support::policy::{GRANT_ECHO, PolicySandbox as _};
use support::procs::processes_with_secret_in_argv;
use support::sandbox::{Sandbox, assert_exit, keyring_lookup, stdout};
use tokio::io::AsyncReadExt as _;

/// One transcript entry: which step printed what.
struct Step {
    label: String,
    text: String,
}

/// The scenario's record of everything the program said.
#[derive(Default)]
struct Transcript {
    steps: Vec<Step>,
}

impl Transcript {
    fn record(&mut self, label: &str, output: &Output) {
        self.steps.push(Step {
            label: format!("{label} (stdout)"),
            text: String::from_utf8_lossy(&output.stdout).into_owned(),
        });
        self.steps.push(Step {
            label: format!("{label} (stderr)"),
            text: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }

    fn note(&mut self, label: &str, text: String) {
        self.steps.push(Step {
            label: label.to_owned(),
            text,
        });
    }

    /// Every step whose text contains `secret`.
    fn leaks(&self, secret: &str) -> Vec<String> {
        self.steps
            .iter()
            .filter(|step| step.text.contains(secret))
            .map(|step| format!("{}: {}", step.label, step.text))
            .collect()
    }

    /// All text, to check that the logs really were on.
    fn all_text(&self) -> String {
        self.steps.iter().map(|step| step.text.as_str()).collect()
    }
}

/// Runs the binary with every log line enabled, recording both streams.
fn run(
    sandbox: &Sandbox,
    transcript: &mut Transcript,
    args: &[&str],
    stdin: Option<&str>,
) -> Output {
    let mut command = sandbox.command();
    command
        .args(args)
        .env("ODOO_CONNECTIONS_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn odoo-connections");
    let mut pipe = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        std::io::Write::write_all(&mut pipe, text.as_bytes()).expect("write stdin");
    }
    drop(pipe);
    let output = child.wait_with_output().expect("wait odoo-connections");
    transcript.record(&args.join(" "), &output);
    output
}

/// A stand-in for a window or approval program that records, at the moment
/// it runs (while its launcher waits for it), its own arguments and the
/// command line of every process, then succeeds with `answer` on stdout
/// (as the approval window, also with the grant of the call on its stdin).
fn argv_recorder(sandbox: &Sandbox, name: &str, dump: &Path, answer: &str) -> std::path::PathBuf {
    sandbox.script(
        name,
        &format!(
            "{{ echo \"$0 $*\"; for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < \"$f\"; echo; done; }} >> '{dump}' 2>/dev/null\n\
             echo \"{name} started\" >&2\necho {answer}\nread -r request\n{GRANT_ECHO}",
            dump = dump.display()
        ),
    )
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The MCP part: a real client on `odoo-connections mcp`, with the window
/// stand-in; argv of every process is checked while the server runs.
async fn mcp_session(
    sandbox: &Sandbox,
    window: &Path,
    transcript: &mut Transcript,
    secrets: &[&str],
) {
    let mut command = sandbox.command();
    command
        .arg("mcp")
        .env("ODOO_CONNECTIONS_LOG", "trace")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", window)
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", window);
    let (transport, stderr) = TokioChildProcess::builder(tokio::process::Command::from(command))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the MCP server");
    let mut stderr = stderr.expect("piped stderr");
    let server_log = tokio::spawn(async move {
        let mut text = String::new();
        stderr.read_to_string(&mut text).await.ok();
        text
    });
    let client = ().serve(transport).await.expect("MCP handshake");
    let listed = call(&client, "list_connections", serde_json::json!({})).await;
    assert_eq!(listed.is_error, Some(false), "{listed:?}");
    let mut replies = vec![listed];
    for name in ["acme17", "acme19", "acme-xml"] {
        let tested = call(
            &client,
            "test_connection",
            serde_json::json!({"name": name}),
        )
        .await;
        assert_eq!(tested.is_error, Some(false), "{name}: {tested:?}");
        replies.push(tested);
    }
    let opened = call(&client, "open_connection_manager", serde_json::json!({})).await;
    assert_eq!(opened.is_error, Some(false), "{opened:?}");
    replies.push(opened);
    for secret in secrets {
        assert_eq!(
            processes_with_secret_in_argv(secret),
            Vec::<String>::new(),
            "a process argument holds the secret while the MCP server runs"
        );
    }
    client.cancel().await.expect("close the MCP session");
    for (index, reply) in replies.iter().enumerate() {
        transcript.note(
            &format!("MCP reply #{index}"),
            serde_json::to_string(reply).expect("reply as JSON"),
        );
    }
    transcript.note(
        "MCP server stderr",
        server_log.await.expect("stderr reader"),
    );
}

/// The gateway part: a real client on `odoo-connections gateway` in front
/// of the Python MCP test server; argv of every process is checked while
/// the gateway and its child run, and its replies and log are recorded.
async fn gateway_session(sandbox: &Sandbox, transcript: &mut Transcript, secrets: &[&str]) {
    let mut command = sandbox.command();
    command
        .args(["gateway", "acme17", "--profile", "odoo-mcp", "--"])
        .arg(support::gateway::python())
        .arg(support::gateway::child_server())
        .env("ODOO_CONNECTIONS_LOG", "trace");
    let (transport, stderr) = TokioChildProcess::builder(tokio::process::Command::from(command))
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the gateway");
    let mut stderr = stderr.expect("piped stderr");
    let gateway_log = tokio::spawn(async move {
        let mut text = String::new();
        stderr.read_to_string(&mut text).await.ok();
        text
    });
    let client = ().serve(transport).await.expect("MCP handshake through the gateway");
    let tools = client.list_all_tools().await.expect("tools/list");
    let refused = call(
        &client,
        "read_partner",
        serde_json::json!({"partner_id": 1}),
    )
    .await;
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    for secret in secrets {
        assert_eq!(
            processes_with_secret_in_argv(secret),
            Vec::<String>::new(),
            "a process argument holds the secret while the gateway runs"
        );
    }
    client.cancel().await.expect("close the gateway session");
    transcript.note(
        "gateway tools/list",
        serde_json::to_string(&tools).expect("tools as JSON"),
    );
    transcript.note(
        "gateway reply",
        serde_json::to_string(&refused).expect("reply as JSON"),
    );
    transcript.note("gateway stderr", gateway_log.await.expect("stderr reader"));
}

/// Adds three connections, JSON-RPC with an API key (Odoo 17), JSON-2 with
/// a bearer key (Odoo 19) and XML-RPC with a password, then runs every
/// command that reads them.
fn cli_session(
    sandbox: &Sandbox,
    transcript: &mut Transcript,
    [url17, url19]: &[String; 2],
    key: &str,
    password: &str,
) {
    for (name, url, secret, extra) in [
        ("acme17", url17, key, &["--auth", "api-key"][..]),
        ("acme19", url19, key, &["--auth", "api-key"][..]),
        (
            "acme-xml",
            url17,
            password,
            &["--auth", "password", "--protocol", "xmlrpc"][..],
        ),
    ] {
        let mut args = vec![
            "add", name, "--url", url, "--db", "acme", "--login", "admin",
        ];
        args.extend_from_slice(extra);
        args.push("--secret-stdin");
        assert_exit(&run(sandbox, transcript, &args, Some(secret)), 0);
    }
    for (name, protocol) in [
        ("acme17", "jsonrpc"),
        ("acme19", "json2"),
        ("acme-xml", "xmlrpc"),
    ] {
        assert_exit(&run(sandbox, transcript, &["test", name], None), 0);
        let tested = run(sandbox, transcript, &["test", name, "--json"], None);
        assert_exit(&tested, 0);
        let report: serde_json::Value = serde_json::from_str(&stdout(&tested)).unwrap();
        assert_eq!(report["protocol"], protocol, "{report}");
    }
    for args in [
        &["test", "--all", "--json"][..],
        &["databases", "--url", url17, "--json"],
        &["list", "--json"],
        &["list"],
        &["show", "acme17", "--json"],
        &["show", "acme-xml"],
        &["export"],
        &["export", "--format", "odoo-claude-mcp"],
        &["policy", "check", "--json"],
    ] {
        assert_exit(&run(sandbox, transcript, args, None), 0);
    }
    let exported = sandbox.root().join("exported.json");
    let exported = exported.to_string_lossy();
    assert_exit(
        &run(sandbox, transcript, &["export", "-o", &exported], None),
        0,
    );
}

/// `exec`: the password reaches the child's environment (its digest is
/// compared), never its arguments.
fn exec_session(sandbox: &Sandbox, transcript: &mut Transcript, evidence: &Path, password: &str) {
    let record = evidence.join("exec");
    let child_script = format!(
        "tr '\\0' ' ' < /proc/self/cmdline > '{record}'; echo >> '{record}'; \
         printf %s \"$ODOO_PASSWORD\" | sha256sum | cut -d' ' -f1 >> '{record}'",
        record = record.display()
    );
    let args = ["exec", "acme-xml", "--", "sh", "-c", &child_script];
    assert_exit(&run(sandbox, transcript, &args, None), 0);
    let seen = std::fs::read_to_string(&record).expect("the exec child ran");
    let (argv, digest) = seen.split_once('\n').expect("two records");
    assert_eq!(
        digest.trim(),
        sha256_hex(password),
        "the child got the password"
    );
    transcript.note("exec child argv", argv.to_owned());
}

#[test]
fn no_secret_leaves_the_keyring_in_a_full_scenario() {
    let key = format!("key-{}", uuid::Uuid::new_v4().simple());
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let odoo17 = runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V17)
            .database("acme")
            .user(User::new("admin").password(&password).api_key(&key))
            .start(),
    );
    let odoo19 = runtime.block_on(
        OdooServer::builder()
            .version(OdooVersion::V19)
            .database("acme")
            .user(User::new("admin").password(&password).api_key(&key))
            .start(),
    );
    let sandbox = Sandbox::new();
    let evidence = tempfile::tempdir().expect("temp dir");
    let dump = evidence.path().join("process-arguments");
    let window = argv_recorder(&sandbox, "window-stub", &dump, "ready");
    sandbox.write_policy(
        r#"{"version": "1", "default": "deny", "tools": {
            "open_connection_manager": {"require_approval": true,
                "limits": [{"counter": "opens", "window": "minute", "max": 10}]},
            "list_connections": {},
            "test_connection": {"limits": [{"counter": "tests", "window": "hour", "max": 100}]}}}"#,
    );
    let mut transcript = Transcript::default();

    let urls = [odoo17.url(), odoo19.url()];
    cli_session(&sandbox, &mut transcript, &urls, &key, &password);
    exec_session(&sandbox, &mut transcript, evidence.path(), &password);

    // open: the launcher asks the approval stand-in, then starts the window stand-in.
    let mut open = sandbox.command();
    open.arg("open")
        .env("ODOO_CONNECTIONS_LOG", "trace")
        .env("ODOO_CONNECTIONS_GUI_COMMAND", &window)
        .env("ODOO_CONNECTIONS_APPROVE_COMMAND", &window);
    let opened = open.output().expect("run open");
    assert_exit(&opened, 0);
    transcript.record("open", &opened);

    runtime.block_on(mcp_session(
        &sandbox,
        &window,
        &mut transcript,
        &[&key, &password],
    ));
    runtime.block_on(gateway_session(
        &sandbox,
        &mut transcript,
        &[&key, &password],
    ));

    let argv_dump = std::fs::read_to_string(&dump).expect("the stand-ins ran");
    let started = |what: &str| {
        let prefix = format!("{} {what} ", window.display());
        argv_dump
            .lines()
            .filter(|line| line.starts_with(&prefix))
            .count()
    };
    assert_eq!(
        (started("approve"), started("gui")),
        (2, 2),
        "open and the MCP tool each asked for approval and started a window: {argv_dump}"
    );
    assert!(
        argv_dump.contains(" mcp"),
        "the dump saw the MCP server: {argv_dump}"
    );
    transcript.note("process arguments while windows started", argv_dump);
    let audit = std::fs::read_to_string(sandbox.paths().state_dir().join("audit.jsonl")).unwrap();
    assert!(audit.lines().count() >= 6, "{audit}");
    transcript.note("audit log", audit);

    let all = transcript.all_text();
    assert!(
        all.contains("TRACE") && all.contains("DEBUG"),
        "trace logs were emitted"
    );
    let paths = sandbox.paths();
    for written in [
        paths.connections_file(),
        paths.policy_file(),
        paths.state_dir().join("audit.jsonl"),
        paths.counters_file(),
        paths.last_tests_file(),
        paths.gui_log(),
    ] {
        assert!(written.is_file(), "{} was written", written.display());
    }
    for secret in [&key, &password] {
        assert_eq!(
            sandbox.files_containing(secret),
            Vec::<std::path::PathBuf>::new()
        );
        assert_eq!(transcript.leaks(secret), Vec::<String>::new());
        assert_eq!(processes_with_secret_in_argv(secret), Vec::<String>::new());
    }
    for (name, secret) in [("acme17", &key), ("acme19", &key), ("acme-xml", &password)] {
        let shown = run(&sandbox, &mut transcript, &["show", name, "--json"], None);
        let id = serde_json::from_str::<serde_json::Value>(&stdout(&shown)).unwrap()["secret"]
            ["keyring_account"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            keyring_lookup(&id).as_deref(),
            Some(secret.as_str()),
            "{name}"
        );
    }
}
