//! Server URLs typed into `add`: a missing or mistyped scheme is refused
//! with the fix, and a pasted browser URL is shortened out loud.

mod support;

use support::sandbox::{Sandbox, assert_exit, stderr, stdout};

#[test]
fn add_refuses_a_url_without_scheme_or_with_a_typo_and_names_the_fix() {
    let sandbox = Sandbox::new();
    for (url, expected) in [
        (
            "localhost:8069",
            "--url: the URL needs its scheme: write https://localhost:8069 for a server with TLS, or http://localhost:8069 for plain HTTP",
        ),
        ("http:/host:8069", "did you mean http://host:8069?"),
        ("http//host", "did you mean http://host?"),
        ("javascript:alert(1)", "is not a web address"),
    ] {
        let output = sandbox.add("acme", url, "s3cret\n", &[]);
        assert_exit(&output, 3);
        assert!(
            stderr(&output).contains(expected),
            "{url}: {}",
            stderr(&output)
        );
    }
    assert!(!sandbox.paths().connections_file().exists());
}

#[test]
fn add_says_when_it_shortened_a_pasted_browser_url() {
    let sandbox = Sandbox::new();
    let output = sandbox.add(
        "acme",
        "https://erp.acme.example/odoo/action-12?debug=1",
        "s3cret",
        &[],
    );
    assert_exit(&output, 0);
    assert!(
        stdout(&output).contains(
            "Shortened the pasted browser URL to the site root https://erp.acme.example (dropped \"/odoo/action-12?debug=1\")."
        ),
        "{}",
        stdout(&output)
    );
    let plain = sandbox.add("beta", "https://erp.beta.example", "s3cret", &[]);
    assert_exit(&plain, 0);
    assert!(!stdout(&plain).contains("Shortened"), "{}", stdout(&plain));
}
