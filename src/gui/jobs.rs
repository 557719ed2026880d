//! Work that must not block the window (keyring, files, HTTP): run on a
//! single-threaded tokio runtime the window owns (one thread drives it;
//! blocking calls get pool threads that end once idle), reported back
//! through a channel and polled once per frame. Only a finished job asks
//! for a repaint.

use eframe::egui;

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::AbortHandle;

use crate::catalog::Catalog;
use crate::model::{Connection, ConnectionId, SecretString, ServerUrl, TimeoutSecs, TlsMode};
use crate::odoo::{self, DatabaseList, Diagnosis, TestReport};
use crate::policy::audit::AuditEntry;
use crate::store::TestResults;

/// How many connection tests run at the same time ("Test all").
const PARALLEL_TESTS: usize = 4;
/// How long a thread for blocking calls waits for more work before it ends
/// (an idle window keeps no such thread).
const BLOCKING_THREAD_KEEP_ALIVE: Duration = Duration::from_secs(1);

/// Where a test takes its secret from.
pub(crate) enum SecretSource {
    /// What the person typed in the form (not saved yet).
    Typed(SecretString),
    /// The keyring entry of the connection.
    Keyring,
}

/// A finished job, with what the window needs to attribute it (what the
/// window does next is the window's business, not the job's).
pub(crate) enum JobDone {
    /// The connections list (and the test history) was read.
    Loaded {
        /// Which read this was (they are numbered as they start).
        read: u64,
        /// The list and the history, or the error.
        result: Result<(Vec<Connection>, TestResults), String>,
    },
    /// A save ended.
    Saved {
        /// The connection saved.
        id: ConnectionId,
        /// The connection as stored, or the error.
        result: Result<Connection, String>,
    },
    /// A save was refused: the connection changed elsewhere since it was opened.
    ChangedElsewhere {
        /// The connection.
        id: ConnectionId,
        /// Its name, as stored now.
        name: String,
    },
    /// A duplicate ended.
    Duplicated(Result<Connection, String>),
    /// A deletion ended.
    Removed {
        /// The connection deleted.
        id: ConnectionId,
        /// Its name, or the error.
        result: Result<String, String>,
    },
    /// A keyring secret was read for the form.
    SecretLoaded {
        /// The connection whose secret it is.
        id: ConnectionId,
        /// The secret, `None` when the keyring has none.
        result: Result<Option<SecretString>, String>,
    },
    /// A connection test ended.
    Tested {
        /// The connection that started it.
        id: ConnectionId,
        /// Which run of that connection's tests (older runs are ignored).
        run: u64,
        /// The report, or why the test could not start.
        result: Result<TestReport, String>,
    },
    /// Database discovery ended.
    Databases {
        /// The connection being edited when it started.
        id: ConnectionId,
        /// Database names, or the diagnosis.
        result: Result<DatabaseList, Diagnosis>,
    },
    /// The audit log was read.
    Activity(Result<Vec<AuditEntry>, String>),
    /// The window's settings were written.
    Remembered(Result<(), String>),
}

/// The runtime, the result channel and the bookkeeping of running jobs.
pub(crate) struct Jobs {
    runtime: Handle,
    /// Dropped with the jobs, which ends the thread that drives the runtime;
    /// closing the window never waits for a job (a keyring call may be
    /// waiting for an unlock prompt): unfinished jobs are abandoned.
    _stop: oneshot::Sender<()>,
    /// The window to wake when a job ends, once it has one.
    window: Arc<OnceLock<egui::Context>>,
    sender: Sender<JobDone>,
    receiver: Receiver<JobDone>,
    in_flight: usize,
    tests: HashMap<ConnectionId, (u64, AbortHandle)>,
    next_run: u64,
    test_slots: Arc<Semaphore>,
}

impl Jobs {
    /// A single-threaded runtime, driven by a thread of its own.
    pub(crate) fn new() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .thread_name("odoo-connections-blocking")
            .thread_keep_alive(BLOCKING_THREAD_KEEP_ALIVE)
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("odoo-connections-jobs".to_owned())
            .spawn(move || {
                let _stopped = runtime.block_on(stopped);
                runtime.shutdown_background();
            })?;
        let (sender, receiver) = mpsc::channel();
        Ok(Self {
            runtime: handle,
            _stop: stop,
            window: Arc::default(),
            sender,
            receiver,
            in_flight: 0,
            tests: HashMap::new(),
            next_run: 0,
            test_slots: Arc::new(Semaphore::new(PARALLEL_TESTS)),
        })
    }

    /// Tells the jobs which window to wake (the first context given stays).
    pub(crate) fn attach(&self, ctx: &egui::Context) {
        self.window.get_or_init(|| ctx.clone());
    }

    /// True while any job has not reported back.
    pub(crate) fn is_busy(&self) -> bool {
        self.in_flight > 0 || !self.tests.is_empty()
    }

    /// The next finished job, if any.
    pub(crate) fn poll(&mut self) -> Option<JobDone> {
        let done = self.receiver.try_recv().ok()?;
        match &done {
            JobDone::Tested { id, run, .. } => {
                if self
                    .tests
                    .get(id)
                    .is_some_and(|(current, _)| current == run)
                {
                    self.tests.remove(id);
                } else {
                    return self.poll();
                }
            }
            _ => self.in_flight = self.in_flight.saturating_sub(1),
        }
        Some(done)
    }

    /// Runs blocking `work` (keyring, files) off the window thread.
    pub(crate) fn blocking(
        &mut self,
        ctx: &egui::Context,
        work: impl FnOnce() -> JobDone + Send + 'static,
    ) {
        self.attach(ctx);
        self.blocking_unattached(work);
    }

    /// Runs blocking `work` off the window thread, also before the window
    /// exists: a result sent before the first frame is found by its first
    /// poll, a later one wakes the window [`Jobs::attach`] gave.
    pub(crate) fn blocking_unattached(&mut self, work: impl FnOnce() -> JobDone + Send + 'static) {
        self.in_flight += 1;
        let sender = self.sender.clone();
        let window = Arc::clone(&self.window);
        self.runtime.spawn_blocking(move || {
            sender.send(work()).ok();
            // Looked at after sending: a window attached after this look
            // polls after it was attached, and finds the result.
            if let Some(ctx) = window.get() {
                ctx.request_repaint();
            }
        });
    }

    /// Tests `connection`; a running test of the same connection is replaced.
    /// With `record`, the result is remembered as its last test (only for a
    /// saved, unchanged connection: a draft's result is not its history).
    pub(crate) fn test(
        &mut self,
        ctx: &egui::Context,
        catalog: &Catalog,
        connection: Connection,
        secret: SecretSource,
        record: bool,
    ) {
        let catalog = catalog.clone();
        let id = connection.id;
        self.cancel_test(id);
        self.next_run += 1;
        let run = self.next_run;
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        let slots = Arc::clone(&self.test_slots);
        let task = self.runtime.spawn(async move {
            let _slot = slots.acquire_owned().await;
            let result = match secret {
                SecretSource::Typed(secret) => Ok(secret),
                SecretSource::Keyring => keyring_secret(&catalog, &connection).await,
            };
            let limit = connection.timeout_secs.duration();
            let result = match result {
                Ok(secret) if record => {
                    Ok(catalog.test_and_record(&connection, &secret, limit).await)
                }
                Ok(secret) => Ok(odoo::test_connection(&connection, &secret, limit).await),
                Err(message) => Err(message),
            };
            sender.send(JobDone::Tested { id, run, result }).ok();
            ctx.request_repaint();
        });
        self.tests.insert(id, (run, task.abort_handle()));
    }

    /// Stops the test of `id`; its result, if it still arrives, is ignored.
    pub(crate) fn cancel_test(&mut self, id: ConnectionId) {
        if let Some((_, task)) = self.tests.remove(&id) {
            task.abort();
        }
    }

    /// Lists the databases of `url` for the connection `id` being edited.
    pub(crate) fn discover(
        &mut self,
        ctx: &egui::Context,
        id: ConnectionId,
        url: ServerUrl,
        tls: TlsMode,
        timeout: TimeoutSecs,
    ) {
        self.in_flight += 1;
        let sender = self.sender.clone();
        let ctx = ctx.clone();
        self.runtime.spawn(async move {
            let result = odoo::list_databases(&url, tls, timeout.duration()).await;
            sender.send(JobDone::Databases { id, result }).ok();
            ctx.request_repaint();
        });
    }
}

async fn keyring_secret(
    catalog: &Catalog,
    connection: &Connection,
) -> Result<SecretString, String> {
    let id = connection.id;
    let name = connection.name.to_string();
    let catalog = catalog.clone();
    let loaded = tokio::task::spawn_blocking(move || catalog.stored_secret(id))
        .await
        .map_err(|err| err.to_string())?;
    match loaded {
        Ok(Some(secret)) => Ok(secret),
        Ok(None) => Err(format!(
            "the keyring has no secret for {name:?}; type it in the Secret field and save"
        )),
        Err(err) => Err(err.to_string()),
    }
}
