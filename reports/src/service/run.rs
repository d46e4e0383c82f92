//! `run` and `resume`: one scenario run through a checkpoint into a result folder.

use std::path::PathBuf;

use sim::aggregate::Aggregates;
use sim::montecarlo::{Observer, RunOptions, Shard};
use sim::results::PathResult;
use sim::scenario::Scenario;

use super::{Monitor, RunSettings, ServiceError, new_manifest, prepare, report_html, warn};
use crate::checkpoint::{self, Checkpoint, CheckpointInfo};
use crate::error::Result;
use crate::input::Origin;
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir, Manifest, ResultData};
use crate::sweep::Assignment;

/// A run of one scenario into a result folder (`herdlab run`).
#[derive(Clone, Debug, PartialEq)]
pub struct RunRequest {
    /// Scenario file, or the name of a bundled scenario.
    pub scenario: String,
    /// Run settings; `paths` and `seed` are applied as the first overrides.
    pub settings: RunSettings,
    /// Further values written into the scenario before it is checked, after `paths` and `seed`.
    pub overrides: Vec<Assignment>,
    /// The part of the paths to run ([`Shard::WHOLE`] for all).
    pub shard: Shard,
    /// Result folder [default: `results/NAME`, or `results/NAME-shard-I-of-K`].
    pub out: Option<PathBuf>,
    /// Replace an existing result folder (and discard an interrupted run's checkpoint).
    pub force: bool,
    /// Paths per checkpoint chunk [default: chosen so a chunk takes about 30 s].
    pub checkpoint_every: Option<u64>,
    /// Recorded in the manifest.
    pub command_line: Vec<String>,
}

impl RunRequest {
    /// A run of `scenario` with its own settings, into the default folder.
    pub fn new(scenario: impl Into<String>) -> RunRequest {
        RunRequest {
            scenario: scenario.into(),
            settings: RunSettings::default(),
            overrides: Vec::new(),
            shard: Shard::WHOLE,
            out: None,
            force: false,
            checkpoint_every: None,
            command_line: Vec::new(),
        }
    }
}

/// A finished run, its folder written.
#[derive(Clone, Debug)]
pub struct RunOutcome {
    /// The scenario as run.
    pub scenario: Scenario,
    /// The manifest written.
    pub manifest: Manifest,
    /// The paths run (of the shard), in path order.
    pub paths: Vec<PathResult>,
    /// Their aggregates.
    pub aggregates: Aggregates,
    /// The result folder.
    pub folder: PathBuf,
    /// How many paths ended with every bank failed.
    pub all_failed: usize,
    /// For a shard of several: `(index, count, first path, end path)` (1-based index).
    pub shard: Option<(u64, u64, u64, u64)>,
    /// report.html, when the settings asked for the report.
    pub report: Option<PathBuf>,
}

/// Continuing an interrupted run (`herdlab run --resume`).
#[derive(Clone, Debug, PartialEq)]
pub struct ResumeRequest {
    /// The result folder the interrupted run was writing.
    pub folder: PathBuf,
    /// Threads and memory limit for the rest of the run (paths, seed and report are the
    /// interrupted run's).
    pub settings: RunSettings,
    /// Paths per checkpoint chunk [default: chosen so a chunk takes about 30 s].
    pub checkpoint_every: Option<u64>,
}

/// What resuming did.
#[derive(Clone, Debug)]
pub enum ResumeOutcome {
    /// The run had written its folder already; the leftover checkpoint was removed.
    Complete(PathBuf),
    /// The rest of the run was run and the folder written.
    Finished(Box<RunOutcome>),
}

/// Runs a scenario into a result folder, keeping finished chunks of paths in a checkpoint
/// beside it until the folder is written, so that an interrupted run can be resumed.
pub fn run(request: &RunRequest, monitor: &dyn Monitor) -> Result<RunOutcome> {
    if request.checkpoint_every == Some(0) {
        return Err(ServiceError::Usage(
            "--checkpoint-every must be at least 1 path".into(),
        ));
    }
    let shard = request.shard;
    let options = request.settings.options(shard)?;
    let mut assignments = request.settings.overrides()?;
    assignments.extend(request.overrides.iter().cloned());
    let p = prepare(Origin::resolve(&request.scenario)?, &assignments, "")?;
    warn(monitor, &p, &mut Default::default());
    let out = request.out.clone().unwrap_or_else(|| {
        let name = if shard.count > 1 {
            format!(
                "{}-shard-{}-of-{}",
                p.scenario.name,
                shard.index + 1,
                shard.count
            )
        } else {
            p.scenario.name.clone()
        };
        PathBuf::from("results").join(name)
    });
    AtomicDir::check(&out, request.force)?;
    // Held until the folder is written and the checkpoint removed: a second writer of the same
    // folder is refused before it reads or changes anything of this run's.
    let _lock = FolderLock::acquire(&out)?;
    let manifest = new_manifest(&request.command_line, &p, &options)?;
    let checkpoint = Checkpoint::start(CheckpointInfo {
        format: checkpoint::CHECKPOINT_FORMAT.into(),
        target: out,
        force: request.force,
        report: request.settings.report,
        manifest,
        chunks: Default::default(),
    })?;
    run_checkpointed(
        monitor,
        p.scenario,
        &options,
        checkpoint,
        Vec::new(),
        request.checkpoint_every,
    )
}

/// Continues the interrupted run that was writing `request.folder`, with the scenario, seed and
/// paths it started with, to the same results.
pub fn resume(request: &ResumeRequest, monitor: &dyn Monitor) -> Result<ResumeOutcome> {
    if request.checkpoint_every == Some(0) {
        return Err(ServiceError::Usage(
            "--checkpoint-every must be at least 1 path".into(),
        ));
    }
    let target = request.folder.as_path();
    let _lock = FolderLock::acquire(target)?;
    let (mut checkpoint, have) = Checkpoint::open(target)?;
    checkpoint.retarget(target);
    let info = checkpoint.info();
    if target.exists() && !info.force {
        // The run wrote its folder and was stopped before it removed the checkpoint.
        if target.join("manifest.json").is_file() {
            checkpoint.remove()?;
            return Ok(ResumeOutcome::Complete(target.to_path_buf()));
        }
        return Err(ServiceError::Exists {
            path: target.to_path_buf(),
        });
    }
    let scenario = info.manifest.input.rebuild()?;
    let rebuilt =
        serde_json::to_value(&scenario).map_err(|e| ServiceError::format(checkpoint.dir(), e))?;
    if rebuilt != info.manifest.scenario {
        return Err(ServiceError::Checkpoint(format!(
            "{}: the stored scenario does not rebuild to the scenario the run started with; \
             start over with --force",
            checkpoint.dir().display()
        )));
    }
    let shard = Shard {
        index: info.manifest.shard.index.saturating_sub(1),
        count: info.manifest.shard.count,
    };
    let mut options = request.settings.options(shard)?;
    options.paths = Some(info.manifest.paths);
    run_checkpointed(
        monitor,
        scenario,
        &options,
        checkpoint,
        have,
        request.checkpoint_every,
    )
    .map(|o| ResumeOutcome::Finished(Box::new(o)))
}

/// How long a checkpoint chunk should take when no chunk size is given.
const CHUNK_SECONDS: f64 = 30.0;

/// Progress of one chunk reported as progress of the whole run.
struct Offset<'a> {
    inner: &'a dyn Observer,
    base: u64,
    total: u64,
}

impl Observer for Offset<'_> {
    fn path_done(&self, done: u64, _total: u64) {
        self.inner.path_done(self.base + done, self.total);
    }
    fn quarter_done(&self, path: u64, quarter: u32, quarters: u32) {
        self.inner.quarter_done(path, quarter, quarters);
    }
    fn should_stop(&self) -> bool {
        self.inner.should_stop()
    }
}

/// Runs the paths the checkpoint lacks, chunk by chunk, keeping each finished chunk, then writes
/// the result folder and removes the checkpoint. A checkpoint that holds no paths when the run
/// fails is removed too, so that only a run with work worth resuming leaves one behind.
fn run_checkpointed(
    monitor: &dyn Monitor,
    scenario: Scenario,
    options: &RunOptions,
    mut checkpoint: Checkpoint,
    paths: Vec<PathResult>,
    every: Option<u64>,
) -> Result<RunOutcome> {
    let report = checkpoint.info().report;
    match run_chunks(monitor, &scenario, options, &mut checkpoint, paths, every) {
        Ok((folder, manifest, paths, aggregates)) => {
            checkpoint.remove()?;
            let report = if report { report_html(&folder)? } else { None };
            let all_failed = paths
                .iter()
                .filter(|p| !scenario.banks.is_empty() && p.summary.failed_bank_share >= 1.0)
                .count();
            let shard = shard_of(&scenario, options);
            Ok(RunOutcome {
                scenario,
                manifest,
                paths,
                aggregates,
                folder,
                all_failed,
                shard,
                report,
            })
        }
        Err(e) if checkpoint.done() == 0 => {
            let _ = checkpoint.remove();
            Err(match e {
                ServiceError::InterruptedKept { .. } => ServiceError::Interrupted,
                other => other,
            })
        }
        Err(e) => {
            if !matches!(e, ServiceError::InterruptedKept { .. }) {
                monitor.note(&format!(
                    "{} of {} paths are kept in {}; once the problem is fixed, \
                     `herdlab run --resume {}` continues the run",
                    checkpoint.done(),
                    checkpoint.wanted(),
                    checkpoint.dir().display(),
                    checkpoint.info().target.display()
                ));
            }
            Err(e)
        }
    }
}

/// For a shard of several, `(index, count, first path, end path)` (1-based index).
fn shard_of(scenario: &Scenario, options: &RunOptions) -> Option<(u64, u64, u64, u64)> {
    let shard = options.shard;
    let r = shard.paths(options.paths.unwrap_or(scenario.run.paths));
    (shard.count > 1).then_some((shard.index + 1, shard.count, r.start, r.end))
}

/// The work of [`run_checkpointed`]: returns the committed result folder, its manifest, paths
/// and aggregates.
fn run_chunks(
    monitor: &dyn Monitor,
    scenario: &Scenario,
    options: &RunOptions,
    checkpoint: &mut Checkpoint,
    mut paths: Vec<PathResult>,
    every: Option<u64>,
) -> Result<(PathBuf, Manifest, Vec<PathResult>, Aggregates)> {
    let info = checkpoint.info().clone();
    let target = info.target.clone();
    let runner = sim::montecarlo::Runner::new(scenario, options)?;
    let range = runner.range();
    if range.start != info.manifest.shard.first_path || range.end != info.manifest.shard.end_path {
        return Err(ServiceError::Checkpoint(format!(
            "{}: the run's paths {}..{} do not match the checkpoint's {}..{}",
            checkpoint.dir().display(),
            range.start,
            range.end,
            info.manifest.shard.first_path,
            info.manifest.shard.end_path
        )));
    }
    let wanted = checkpoint.wanted();
    let threads = runner.threads() as u64;
    let resumed_at = checkpoint.is_resumed().then(output::now_rfc3339);
    let interrupted = |c: &Checkpoint| ServiceError::InterruptedKept {
        done: c.done(),
        total: wanted,
        checkpoint: c.dir().to_path_buf(),
        target: target.clone(),
    };
    let progress = monitor.run_started(&scenario.name, wanted, checkpoint.done());
    if monitor.should_stop() {
        return Err(interrupted(checkpoint));
    }
    let mut chunk = every.unwrap_or(threads * 4).max(1);
    for gap in checkpoint.missing() {
        let mut at = gap.start;
        while at < gap.end {
            let end = at.saturating_add(chunk).min(gap.end);
            let started = std::time::Instant::now();
            let observer = Offset {
                inner: &*progress,
                base: checkpoint.done(),
                total: wanted,
            };
            let got = match runner.run(at..end, &observer) {
                Err(sim::Error::Cancelled) => return Err(interrupted(checkpoint)),
                other => other?,
            };
            checkpoint.save(at..end, &got)?;
            paths.extend(got);
            if every.is_none() {
                let secs = started.elapsed().as_secs_f64().max(1e-3);
                let ideal = ((end - at) as f64 / secs * CHUNK_SECONDS) as u64;
                chunk = ideal.clamp(threads, chunk.saturating_mul(4));
            }
            at = end;
        }
    }
    drop(progress);
    if monitor.should_stop() {
        return Err(interrupted(checkpoint));
    }
    paths.sort_by_key(|p| p.path);
    let mut manifest = info.manifest.clone();
    manifest.resumed.extend(resumed_at);
    manifest.threads = manifest.threads.max(runner.threads());
    manifest.finished = output::now_rfc3339();
    let dir = AtomicDir::create(&target, info.force)?;
    let agg = output::write_result(
        dir.path(),
        &ResultData {
            manifest: &manifest,
            scenario,
            paths: &paths,
        },
    )?;
    if monitor.should_stop() {
        return Err(interrupted(checkpoint));
    }
    let dir = dir.commit()?;
    Ok((dir, manifest, paths, agg))
}
