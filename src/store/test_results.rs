//! The last connection-test result of each connection (`last-tests.json` in
//! the state dir), so the window and `list` can show a status without
//! testing again. A damaged file is set aside and counts as no history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::files::{self, FileError, LockFile};
use crate::model::{ConnectionId, Protocol};
use crate::odoo::{DiagnosisCode, TestReport};
use crate::paths::Paths;

/// One remembered test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastTest {
    /// When the test finished.
    #[serde(with = "time::serde::rfc3339")]
    pub time: time::OffsetDateTime,
    /// True when it succeeded.
    pub ok: bool,
    /// Its diagnosis code.
    pub code: DiagnosisCode,
    /// Its message.
    pub message: String,
    /// The server's version, when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// The protocol used, when chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// How long the test took.
    pub latency_ms: u64,
}

impl LastTest {
    /// The entry for `report`, stamped now.
    pub fn from_report(report: &TestReport) -> Self {
        Self {
            time: time::OffsetDateTime::now_utc(),
            ok: report.ok,
            code: report.code,
            message: report.message.clone(),
            server_version: report.server_version.clone(),
            protocol: report.protocol,
            latency_ms: report.latency_ms,
        }
    }
}

/// Every remembered test, by connection.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TestResults {
    #[serde(default)]
    results: BTreeMap<ConnectionId, LastTest>,
}

impl TestResults {
    /// Reads the history; a missing or damaged file is an empty history
    /// (the damaged one is kept aside as `last-tests.json.corrupt-<time>`).
    pub fn load(paths: &Paths) -> Result<Self, FileError> {
        match Self::read(paths)? {
            Some(results) => Ok(results),
            None => {
                let _guard = LockFile::acquire(&paths.last_tests_lock(), LockFile::DEFAULT_WAIT)?;
                Self::read_or_set_aside(paths)
            }
        }
    }

    /// The last test of `id`.
    pub fn get(&self, id: ConnectionId) -> Option<&LastTest> {
        self.results.get(&id)
    }

    /// Takes `report` as the last test of `id` in this copy only (the
    /// window's copy, once [`TestResults::record`] wrote it to the file).
    pub fn insert(&mut self, id: ConnectionId, report: &TestReport) {
        self.results.insert(id, LastTest::from_report(report));
    }

    /// Remembers `report` as the last test of `id`.
    pub fn record(paths: &Paths, id: ConnectionId, report: &TestReport) -> Result<(), FileError> {
        Self::change(paths, |results| {
            results.insert(id, LastTest::from_report(report));
        })
    }

    /// Forgets the last test of `id` (its connection was deleted).
    pub fn forget(paths: &Paths, id: ConnectionId) -> Result<(), FileError> {
        if !paths.last_tests_file().exists() {
            return Ok(());
        }
        Self::change(paths, |results| {
            results.remove(&id);
        })
    }

    fn change(
        paths: &Paths,
        change: impl FnOnce(&mut BTreeMap<ConnectionId, LastTest>),
    ) -> Result<(), FileError> {
        let _guard = LockFile::acquire(&paths.last_tests_lock(), LockFile::DEFAULT_WAIT)?;
        let mut results = Self::read_or_set_aside(paths)?;
        change(&mut results.results);
        let mut bytes = serde_json::to_vec_pretty(&results).unwrap_or_default();
        bytes.push(b'\n');
        files::write_atomic(&paths.last_tests_file(), &bytes)
    }

    /// `None` when the file is damaged.
    fn read(paths: &Paths) -> Result<Option<Self>, FileError> {
        Ok(match files::read_if_exists(&paths.last_tests_file())? {
            None => Some(Self::default()),
            Some(bytes) => serde_json::from_slice(&bytes).ok(),
        })
    }

    /// Caller holds the lock.
    fn read_or_set_aside(paths: &Paths) -> Result<Self, FileError> {
        match Self::read(paths)? {
            Some(results) => Ok(results),
            None => {
                let aside = files::set_aside(&paths.last_tests_file())?;
                tracing::warn!(
                    "{} could not be read and was moved to {}; test history starts over",
                    paths.last_tests_file().display(),
                    aside.display()
                );
                Ok(Self::default())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(code: DiagnosisCode) -> TestReport {
        TestReport {
            ok: code == DiagnosisCode::Ok,
            code,
            message: format!("{code} happened"),
            protocol: Some(Protocol::Jsonrpc),
            server_version: Some("17.0".into()),
            uid: Some(2),
            database: "acme".into(),
            latency_ms: 12,
            certificate_sha256: None,
            certificate: None,
            warnings: Vec::new(),
            api_key_expires: None,
        }
    }

    #[test]
    fn records_survive_reload_and_replace_the_previous_one() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("c"), dir.path().join("s"));
        let (first, second) = (ConnectionId::random(), ConnectionId::random());
        TestResults::record(&paths, first, &report(DiagnosisCode::Timeout)).unwrap();
        TestResults::record(&paths, first, &report(DiagnosisCode::Ok)).unwrap();
        TestResults::record(&paths, second, &report(DiagnosisCode::BadCredentials)).unwrap();
        let results = TestResults::load(&paths).unwrap();
        let last = results.get(first).unwrap();
        assert!(last.ok);
        assert_eq!(last.code, DiagnosisCode::Ok);
        assert_eq!(last.protocol, Some(Protocol::Jsonrpc));
        assert_eq!(
            results.get(second).unwrap().code,
            DiagnosisCode::BadCredentials
        );
        let text = std::fs::read_to_string(paths.last_tests_file()).unwrap();
        assert!(text.contains("\"code\": \"bad_credentials\""), "{text}");
        TestResults::forget(&paths, second).unwrap();
        let results = TestResults::load(&paths).unwrap();
        assert!(results.get(second).is_none() && results.get(first).is_some());
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_counts_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::new(dir.path().join("c"), dir.path().join("s"));
        files::write_atomic(&paths.last_tests_file(), b"{not json").unwrap();
        let results = TestResults::load(&paths).unwrap();
        assert_eq!(results, TestResults::default());
        let kept: Vec<_> = std::fs::read_dir(paths.state_dir())
            .unwrap()
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.file_name().to_string_lossy().contains(".corrupt-"))
            .collect();
        assert_eq!(kept.len(), 1);
        let id = ConnectionId::random();
        TestResults::record(&paths, id, &report(DiagnosisCode::Ok)).unwrap();
        assert!(TestResults::load(&paths).unwrap().get(id).is_some());
    }
}
