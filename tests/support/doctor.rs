//! What `doctor --json` reports, read from its JSON.

use serde_json::Value;

/// Asserts the `doctor --json` report `report` has a finding of each kind
/// in `kinds` (it may have more).
#[track_caller]
pub fn assert_findings(report: &Value, kinds: &[&str]) {
    let found: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| finding["kind"].as_str().expect("kind"))
        .collect();
    for kind in kinds {
        assert!(found.contains(kind), "{kind} not in {found:?}");
    }
}
