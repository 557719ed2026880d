//! Store figures: load (parse + validate) and save (serialize) of
//! connections.json, and list filtering, with 10 000 connections.
//! Run with `cargo bench --bench store` (or `scripts/bench`); prints figures,
//! asserts nothing.

mod support;

use std::hint::black_box;

use odoo_connections::store::ConnectionStore;
use support::{BenchSandbox as _, Sandbox, Target, count, figure, heading, measure, ms};

const CONNECTIONS: usize = 10_000;
const ROUNDS: usize = 15;

fn main() {
    let sandbox = Sandbox::new();
    sandbox.seed_connections(CONNECTIONS);
    let paths = sandbox.paths();
    let store = ConnectionStore::new(&paths);
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

    heading(&format!(
        "Store ({} connections, file {} KiB, median of {ROUNDS})",
        count(CONNECTIONS),
        bytes / 1024
    ));
    figure(
        "load connections.json (parse + validate)",
        ms(load),
        "ms",
        Target::None,
    );
    figure(
        "save under lock (serialize + fsync + rename)",
        ms(save),
        "ms",
        Target::None,
    );
    figure(
        "filter the list (one search term)",
        ms(filter),
        "ms",
        Target::None,
    );
}
