//! Running: progress, cancellation, memory refusal, bad options.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use sim::Error;
use sim::montecarlo::{Observer, RunOptions, Shard, run};

/// Counts progress calls and asks to stop after `stop_after` paths.
struct StopAfter {
    stop_after: u64,
    calls: AtomicU64,
    last_total: AtomicU64,
    /// Quarters reported done, summed over paths, and the sum of their quarter numbers.
    quarters: AtomicU64,
    quarter_sum: AtomicU64,
}

impl Observer for StopAfter {
    fn quarter_done(&self, _path: u64, quarter: u32, _quarters: u32) {
        self.quarters.fetch_add(1, Ordering::SeqCst);
        self.quarter_sum
            .fetch_add(u64::from(quarter), Ordering::SeqCst);
    }
    fn path_done(&self, _done: u64, total: u64) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.last_total.store(total, Ordering::SeqCst);
    }
    fn should_stop(&self) -> bool {
        self.calls.load(Ordering::SeqCst) >= self.stop_after
    }
}

#[test]
fn progress_is_reported_once_per_path() {
    let s = Small::default().scenario();
    let obs = StopAfter {
        stop_after: u64::MAX,
        calls: AtomicU64::new(0),
        last_total: AtomicU64::new(0),
        quarters: AtomicU64::new(0),
        quarter_sum: AtomicU64::new(0),
    };
    let opts = RunOptions {
        paths: Some(9),
        threads: Some(2),
        ..Default::default()
    };
    let out = run(&s, &opts, &obs).expect("runs");
    assert_eq!(out.paths.len(), 9);
    assert_eq!(obs.calls.load(Ordering::SeqCst), 9);
    assert_eq!(obs.last_total.load(Ordering::SeqCst), 9);
    // And inside each path, once per quarter: quarters 1 to 4 of 9 paths.
    assert_eq!(s.run.quarters, 4);
    assert_eq!(obs.quarters.load(Ordering::SeqCst), 9 * 4);
    assert_eq!(obs.quarter_sum.load(Ordering::SeqCst), 9 * (1 + 2 + 3 + 4));
}

#[test]
fn an_observer_can_cancel_a_run() {
    let s = Small::default().scenario();
    let obs = StopAfter {
        stop_after: 3,
        calls: AtomicU64::new(0),
        last_total: AtomicU64::new(0),
        quarters: AtomicU64::new(0),
        quarter_sum: AtomicU64::new(0),
    };
    let opts = RunOptions {
        paths: Some(400),
        threads: Some(2),
        ..Default::default()
    };
    match run(&s, &opts, &obs) {
        Err(Error::Cancelled) => {}
        other => panic!(
            "expected cancellation, got {:?}",
            other.map(|o| o.paths.len())
        ),
    }
    assert!(
        obs.calls.load(Ordering::SeqCst) < 400,
        "paths after the stop were skipped"
    );
}

#[test]
fn a_run_too_large_for_memory_is_refused_before_it_starts() {
    // Ten million firms with four families need about 10^7 x 53 bytes per path: far above 64 MiB.
    let mut s = bundled("bench-standard.toml");
    s.firms.count = 10_000_000;
    let opts = RunOptions {
        paths: Some(2),
        threads: Some(2),
        max_memory: Some(64 << 20),
        ..Default::default()
    };
    let err = run(&s, &opts, &sim::montecarlo::Silent).expect_err("too large");
    match &err {
        Error::TooLarge {
            per_path, limit, ..
        } => {
            assert!(*per_path > 400_000_000, "estimate {per_path}");
            assert_eq!(*limit, 64 << 20);
        }
        other => panic!("expected TooLarge, got {other}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("MiB") && msg.contains("limit"), "{msg}");
}

#[test]
fn bad_run_options_are_errors() {
    let s = Small::default().scenario();
    let bad_shard = RunOptions {
        shard: Shard { index: 3, count: 3 },
        ..Default::default()
    };
    assert!(matches!(
        run(&s, &bad_shard, &sim::montecarlo::Silent),
        Err(Error::Options(_))
    ));
    let no_threads = RunOptions {
        threads: Some(0),
        ..Default::default()
    };
    assert!(matches!(
        run(&s, &no_threads, &sim::montecarlo::Silent),
        Err(Error::Options(_))
    ));
}

#[test]
fn no_negative_zero_reaches_the_results() {
    // Regression: empty f64 sums (no failed bank, LSV over one quarter) gave -0.0.
    let s = Small {
        quarters: 1,
        ..Small::default()
    }
    .scenario();
    for p in run_all(&s, 2) {
        for v in p
            .summary
            .values()
            .into_iter()
            .chain(p.quarters.iter().flat_map(|q| q.values()))
        {
            assert!(
                !(v == 0.0 && v.is_sign_negative()),
                "negative zero in {:?}",
                p.summary
            );
        }
    }
}
