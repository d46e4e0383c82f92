//! Monte Carlo: paths in parallel with rayon, in shards, with progress and cancellation.
//!
//! Path `p`'s results depend on the scenario and `p` alone ([`crate::rng`]), and results are
//! collected in path order, so a run is bit-identical for any thread count and any split of the
//! paths into shards.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::results::PathResult;
use crate::scenario::Scenario;

/// Receives progress from a running simulation and may ask it to stop. Called from worker threads.
pub trait Observer: Sync {
    /// A path finished; `done` of `total` paths of this run are finished.
    fn path_done(&self, done: u64, total: u64) {
        let _ = (done, total);
    }
    /// Quarter `quarter` of `quarters` of path `path` finished: progress inside a path, for runs
    /// whose paths take long (called from the thread running the path).
    fn quarter_done(&self, path: u64, quarter: u32, quarters: u32) {
        let _ = (path, quarter, quarters);
    }
    /// Return true to stop the run: paths not yet started are skipped and the run returns
    /// [`Error::Cancelled`].
    fn should_stop(&self) -> bool {
        false
    }
}

/// An observer that watches nothing and never stops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Shard `index` of `count` (0-based): a contiguous block of the paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, `0..count`.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// The paths of this shard out of `total`: `[index * total / count, (index + 1) * total / count)`.
    pub fn paths(&self, total: u64) -> Range<u64> {
        let at =
            |i: u64| ((u128::from(i) * u128::from(total)) / u128::from(self.count.max(1))) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Total paths of the run (default: the scenario's `run.paths`).
    pub paths: Option<u64>,
    /// Which part of the paths to run.
    pub shard: Shard,
    /// Worker threads (default: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Memory limit in bytes for the paths in flight; `None`: no check.
    pub max_memory: Option<u64>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            paths: None,
            shard: Shard::WHOLE,
            threads: None,
            max_memory: None,
        }
    }
}

/// The paths one run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Total paths of the run (all shards).
    pub total_paths: u64,
    /// The shard run.
    pub shard: Shard,
    /// Threads used.
    pub threads: usize,
    /// Results of the shard's paths, in path order.
    pub paths: Vec<PathResult>,
}

/// Runs the paths of `options.shard` of a scenario.
pub fn run(
    scenario: &Scenario,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunOutput> {
    let runner = Runner::new(scenario, options)?;
    let range = runner.range();
    let paths = runner.run(range, observer)?;
    Ok(RunOutput {
        total_paths: runner.total_paths(),
        shard: runner.shard(),
        threads: runner.threads(),
        paths,
    })
}

/// A checked, compiled run that can be carried out in pieces: [`Runner::run`] on any sub-range of
/// [`Runner::range`] gives exactly the paths a whole [`run`] gives for that range, so a caller can
/// keep finished chunks (checkpoints) and continue an interrupted run later.
pub struct Runner<'a> {
    model: Model<'a>,
    pool: rayon::ThreadPool,
    total: u64,
    shard: Shard,
}

impl std::fmt::Debug for Runner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runner")
            .field("total", &self.total)
            .field("shard", &self.shard)
            .field("threads", &self.threads())
            .finish_non_exhaustive()
    }
}

impl<'a> Runner<'a> {
    /// Checks the options, starts the worker threads, compiles the model and, with
    /// `options.max_memory`, refuses before allocating a run that would not fit ([`check`]).
    pub fn new(scenario: &'a Scenario, options: &RunOptions) -> Result<Runner<'a>> {
        let total = options.paths.unwrap_or(scenario.run.paths);
        let shard = options.shard;
        check_options(options)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(options.threads.unwrap_or(0))
            .thread_name(|i| format!("herdlab-path-{i}"))
            .build()
            .map_err(|e| Error::Options(format!("cannot start worker threads: {e}")))?;
        let threads = pool.current_num_threads();
        // Before the model (the firm table, a network drawn once) is built.
        check_memory(scenario, options, threads)?;
        let model = Model::new(scenario)?;
        Ok(Runner {
            model,
            pool,
            total,
            shard,
        })
    }

    /// Total paths of the run (all shards).
    pub fn total_paths(&self) -> u64 {
        self.total
    }

    /// The shard this runner runs.
    pub fn shard(&self) -> Shard {
        self.shard
    }

    /// The paths of the shard.
    pub fn range(&self) -> Range<u64> {
        self.shard.paths(self.total)
    }

    /// Worker threads.
    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Runs `paths`, which must lie within [`Runner::range`], and returns their results in path
    /// order. The observer counts paths of this call only.
    pub fn run(&self, paths: Range<u64>, observer: &dyn Observer) -> Result<Vec<PathResult>> {
        let whole = self.range();
        if paths.start < whole.start || paths.end > whole.end || paths.start > paths.end {
            return Err(Error::Options(format!(
                "paths {}..{} are not within this run's paths {}..{}",
                paths.start, paths.end, whole.start, whole.end
            )));
        }
        run_paths(&self.model, paths, &self.pool, observer)
    }
}

/// The memory a run would need, estimated from the validated scenario alone, before anything is
/// built or allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Bytes of the compiled model shared by all paths: the firms' regions and, when the
    /// interbank network is drawn once for the run, its generation and exposure matrix
    /// ([`crate::model::shared_bytes`]).
    pub shared: u64,
    /// Bytes one path in flight needs ([`crate::model::path_bytes`]).
    pub per_path: u64,
    /// Paths in flight at once: the threads, at most the shard's paths, at least 1.
    pub in_flight: u64,
    /// Bytes of the kept results of the shard's paths.
    pub results: u64,
    /// Threads the estimate assumes.
    pub threads: usize,
}

impl MemoryEstimate {
    /// Bytes in all: shared + per path x in flight + results (saturating).
    pub fn total(&self) -> u64 {
        self.shared
            .saturating_add(self.per_path.saturating_mul(self.in_flight))
            .saturating_add(self.results)
    }
}

/// Estimates the memory a run of `scenario` with `options` needs, without building anything.
/// Threads default to rayon's default (one per core). Fails only on bad options (a shard out of
/// range, zero threads).
pub fn estimate(scenario: &Scenario, options: &RunOptions) -> Result<MemoryEstimate> {
    check_options(options)?;
    let threads = options.threads.unwrap_or_else(rayon::current_num_threads);
    Ok(estimate_with(scenario, options, threads))
}

/// Refuses, with [`Error::TooLarge`] naming the estimate and the limit, a run that would need
/// more than `options.max_memory` (no limit: never refused for size); also refuses bad options.
/// Takes milliseconds whatever the scenario's size: call it before anything that depends on the
/// run starting (a result folder, a checkpoint). [`run`] and [`Runner::new`] call it too.
pub fn check(scenario: &Scenario, options: &RunOptions) -> Result<MemoryEstimate> {
    let e = estimate(scenario, options)?;
    refuse_above_limit(&e, options.max_memory)?;
    Ok(e)
}

fn check_options(options: &RunOptions) -> Result<()> {
    let shard = options.shard;
    if shard.count == 0 || shard.index >= shard.count {
        return Err(Error::Options(format!(
            "shard {}/{} does not exist: shards are numbered 0 to count - 1",
            shard.index, shard.count
        )));
    }
    if options.threads == Some(0) {
        return Err(Error::Options("threads must be at least 1".into()));
    }
    Ok(())
}

fn estimate_with(scenario: &Scenario, options: &RunOptions, threads: usize) -> MemoryEstimate {
    let total = options.paths.unwrap_or(scenario.run.paths);
    let range = options.shard.paths(total);
    let n = range.end - range.start;
    MemoryEstimate {
        shared: crate::model::shared_bytes(scenario),
        per_path: crate::model::path_bytes(scenario),
        in_flight: (threads as u64).min(n).max(1),
        results: range_bytes(scenario, n),
        threads,
    }
}

fn refuse_above_limit(e: &MemoryEstimate, limit: Option<u64>) -> Result<()> {
    match limit {
        Some(limit) if e.total() > limit => Err(Error::TooLarge {
            per_path: e.per_path,
            total: e.total(),
            threads: e.threads,
            limit,
        }),
        _ => Ok(()),
    }
}

fn check_memory(scenario: &Scenario, options: &RunOptions, threads: usize) -> Result<()> {
    refuse_above_limit(
        &estimate_with(scenario, options, threads),
        options.max_memory,
    )
}

/// Bytes the kept results of `n` paths take.
fn range_bytes(s: &Scenario, n: u64) -> u64 {
    let t = u64::from(s.run.quarters);
    let detail = if s.run.bank_detail {
        t * 56 * s.banks.len() as u64
    } else {
        0
    };
    let per = t
        * (std::mem::size_of::<crate::results::QuarterRecord>() as u64
            + 24 * s.regions.len() as u64)
        + 80 * s.banks.len() as u64
        + detail
        + 512;
    per.saturating_mul(n)
}

/// Runs a range of paths of a compiled model on a pool.
pub fn run_paths(
    model: &Model<'_>,
    paths: Range<u64>,
    pool: &rayon::ThreadPool,
    observer: &dyn Observer,
) -> Result<Vec<PathResult>> {
    let total = paths.end - paths.start;
    let done = AtomicU64::new(0);
    let out: Vec<Option<Result<PathResult>>> = pool.install(|| {
        paths
            .into_par_iter()
            .map(|p| {
                if observer.should_stop() {
                    return None;
                }
                // The observer is asked again before every quarter, so a long path stops too.
                let r = model.simulate_path_with(p, observer, None);
                if matches!(r, Err(Error::Cancelled)) {
                    return None;
                }
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                observer.path_done(d, total);
                Some(r)
            })
            .collect()
    });
    if out.iter().any(Option::is_none) {
        return Err(Error::Cancelled);
    }
    // The first error in path order, so the message does not depend on thread timing.
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_paths() {
        for total in [0u64, 1, 7, 100, 1001] {
            for count in 1..=9u64 {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.paths(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }
}
