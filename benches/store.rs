//! Store figures: load (parse + validate) and save (serialize) of
//! connections.json, and list filtering, with 10 000 connections.
//! Run with `cargo bench --bench store` (or `scripts/bench`); prints figures,
//! asserts nothing.

use std::hint::black_box;
use std::time::{Duration, Instant};

use odoo_connections::model::{ConnectionDraft, ConnectionId};
use odoo_connections::paths::Paths;
use odoo_connections::store::ConnectionStore;

const CONNECTIONS: usize = 10_000;
const ROUNDS: usize = 15;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn measure(rounds: usize, mut work: impl FnMut()) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                work();
                started.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::new(dir.path().join("config"), dir.path().join("state"));
    let store = ConnectionStore::new(&paths);
    store
        .update(|document| {
            for index in 0..CONNECTIONS {
                let draft = ConnectionDraft {
                    name: format!("client-{index:05}"),
                    url: format!("https://erp{index}.example.com"),
                    database: format!("db_{index}"),
                    login: format!("user{index}@example.com"),
                    tags: format!("region-{},tier-{}", index % 7, index % 3),
                    ..ConnectionDraft::new()
                };
                let connection = draft
                    .build(ConnectionId::random(), Default::default())
                    .expect("valid draft");
                document.insert(connection)?;
            }
            Ok(())
        })
        .expect("seed");
    let bytes = std::fs::metadata(paths.connections_file())
        .expect("file")
        .len();

    let load = measure(ROUNDS, || {
        black_box(store.load().expect("load"));
    });
    let document = store.load().expect("load");
    let save = measure(ROUNDS, || {
        store.update(|_| Ok(())).expect("save");
    });
    let needles = ["client-0999", "erp42", "region-3", "no-such-thing", ""];
    let filter = measure(ROUNDS * 10, || {
        for needle in needles {
            black_box(
                document
                    .connections()
                    .iter()
                    .filter(|connection| connection.matches(needle))
                    .count(),
            );
        }
    }) / needles.len() as u32;

    println!(
        "store benchmark ({CONNECTIONS} connections, file {} KiB, median of {ROUNDS})",
        bytes / 1024
    );
    println!(
        "  load connections.json (parse + validate)  {:>8.2} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "  save under lock (serialize + fsync + rename) {:>5.2} ms",
        save.as_secs_f64() * 1e3
    );
    println!(
        "  filter the list (one search term)         {:>8.3} ms",
        filter.as_secs_f64() * 1e3
    );
}
