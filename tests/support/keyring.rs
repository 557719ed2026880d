//! The real keyring as another Secret Service client (`secret-tool`) sees
//! it: the entries of service `odoo-connections`, found by connection id
//! (an account is the bare id, or `<id>:<scope>:<version>`).

use std::process::Command;

/// Every entry of service odoo-connections: (account, secret).
/// `secret-tool search` prints each item's secret on stdout and its
/// attributes on stderr, item by item in the same order.
/// A listing that fails part-way (another test's process deleted an item
/// while it was being read) is taken again, a bounded number of times.
pub fn entries() -> Vec<(String, String)> {
    let search = || {
        Command::new("secret-tool")
            .args(["search", "--all", "--unlock", "service", "odoo-connections"])
            .output()
            .expect("secret-tool is installed (libsecret-tools)")
    };
    let mut output = search();
    for _ in 0..20 {
        if output.status.success() || output.stdout.is_empty() && output.stderr.is_empty() {
            break;
        }
        output = search();
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let secrets = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("secret = "));
    let accounts = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("attribute.username = "));
    accounts
        .zip(secrets)
        .map(|(account, secret)| (account.to_owned(), secret.to_owned()))
        .collect()
}

/// The accounts of connection `id`.
pub fn accounts_of(id: &str) -> Vec<String> {
    entries()
        .into_iter()
        .map(|(account, _)| account)
        .filter(|account| account == id || account.starts_with(&format!("{id}:")))
        .collect()
}

/// The secret of connection `id`, when it has exactly one entry.
pub fn secret_of(id: &str) -> Option<String> {
    let mut matching: Vec<String> = entries()
        .into_iter()
        .filter(|(account, _)| account == id || account.starts_with(&format!("{id}:")))
        .map(|(_, secret)| secret)
        .collect();
    assert!(
        matching.len() <= 1,
        "connection {id} has {} keyring entries",
        matching.len()
    );
    matching.pop()
}

/// Deletes every entry of connection `id` (to play a lost secret).
pub fn delete_secrets_of(id: &str) {
    for account in accounts_of(id) {
        let status = Command::new("secret-tool")
            .args(["clear", "service", "odoo-connections", "username", &account])
            .status()
            .expect("secret-tool clear");
        assert!(status.success());
    }
}

/// The accounts of the config dir whose keyring scope is `scope`.
pub fn accounts_in_scope(scope: &str) -> Vec<String> {
    entries()
        .into_iter()
        .map(|(account, _)| account)
        .filter(|account| account.split(':').nth(1) == Some(scope))
        .collect()
}
