//! A run carried out in blocks on one compiled model (the desktop app's interim results) gives
//! the paths and manifest of the same run done at once.

use reports::input::Origin;
use reports::service::{Prepared, run_prepared, run_prepared_blocks};
use sim::montecarlo::{RunOptions, Silent};

fn baseline_with_paths(paths: i64) -> Prepared {
    let origin = Origin::resolve("baseline").expect("bundled baseline");
    let mut table = origin.table().expect("readable");
    let run = table
        .get_mut("run")
        .and_then(toml::Value::as_table_mut)
        .expect("[run]");
    run.insert("paths".into(), toml::Value::Integer(paths));
    Prepared::from_table(origin, table, &[], "").expect("valid")
}

/// The manifest as JSON without its clock readings.
fn timeless(m: &reports::output::Manifest) -> serde_json::Value {
    let mut v = serde_json::to_value(m).expect("serialisable");
    let o = v.as_object_mut().expect("object");
    o.remove("started");
    o.remove("finished");
    v
}

#[test]
fn a_run_in_blocks_is_the_same_run() {
    let p = baseline_with_paths(7);
    let options = RunOptions {
        threads: Some(2),
        ..RunOptions::default()
    };
    let line = vec!["herdlab".to_string(), "run".to_string()];
    let whole = run_prepared(&p, &options, &Silent, &line).expect("runs");
    let mut interim = Vec::new();
    let blocks = run_prepared_blocks(&p, &options, &Silent, &line, 3, &mut |m, paths| {
        interim.push((timeless(m), paths.to_vec()));
    })
    .expect("runs");

    assert_eq!(blocks.paths, whole.paths);
    assert_eq!(timeless(&blocks.manifest), timeless(&whole.manifest));
    assert!(!blocks.manifest.finished.is_empty());
    // Interim results after blocks 1 and 2 of 3: growing prefixes of the whole run.
    assert_eq!(interim.len(), 2);
    let (first, second) = (&interim[0].1, &interim[1].1);
    assert!(!first.is_empty() && first.len() < second.len() && second.len() < 7);
    assert_eq!(first[..], whole.paths[..first.len()]);
    assert_eq!(second[..], whole.paths[..second.len()]);
    assert_eq!(interim[0].0, timeless(&whole.manifest));

    // One block is the plain run, with no interim results.
    let mut calls = 0;
    let one =
        run_prepared_blocks(&p, &options, &Silent, &line, 1, &mut |_, _| calls += 1).expect("runs");
    assert_eq!(one.paths, whole.paths);
    assert_eq!(calls, 0);
}
