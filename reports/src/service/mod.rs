//! The service layer: every operation the `herdlab` command line, the Slurm driver and the
//! desktop app carry out (run, resume, compare, sweep, merge, report, validate, load, save a
//! scenario), as plain
//! requests in and typed outcomes out. It knows nothing of flags, terminals or windows: progress
//! and cancellation go through a [`Monitor`] (built on the engine's
//! [`Observer`](sim::montecarlo::Observer)), and failures are the crate's [`ServiceError`].
//!
//! ```no_run
//! use reports::service::{self, Quiet, RunRequest};
//!
//! let mut request = RunRequest::new("baseline");
//! request.settings.paths = Some(100);
//! request.out = Some("results/example".into());
//! let outcome = service::run(&request, &Quiet)?;
//! println!("{} paths written to {}", outcome.paths.len(), outcome.folder.display());
//! # Ok::<(), reports::service::ServiceError>(())
//! ```
//!
//! Result folders are byte-for-byte what the command line writes, whichever front end asks.

mod compare;
pub mod decision_log;
mod monitor;
mod run;
mod scenario;
mod sweep;

use std::path::{Path, PathBuf};

use sim::aggregate::Aggregates;
use sim::montecarlo::{Observer, RunOptions, Shard, Silent};
use sim::results::PathResult;
use sim::scenario::Scenario;

pub use crate::error::{Error as ServiceError, Result};
use crate::input::{self, Origin, ScenarioInput};
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir, Manifest, ResultData, ShardInfo};
use crate::sweep::{Assignment, ParamPath};
use crate::{charts, merge, report};

pub use compare::{
    CompareOutcome, CompareRequest, compare, comparison_folder, crn_overrides,
    write_comparison_folder, write_comparison_index,
};
pub use monitor::{
    MonitorOutcome, MonitorRequest, follow_log, measure_log, monitor_charts, monitor_log,
    write_monitor_folder,
};
pub use run::{ResumeOutcome, ResumeRequest, RunOutcome, RunRequest, resume, run};
pub use scenario::save_scenario;
pub use sweep::{
    SweepCell, SweepOutcome, SweepPlan, SweepRequest, cell_folder, plan_sweep, sweep,
    write_sweep_folder, write_sweep_index,
};

/// Progress, warnings and cancellation of the work a service function does: the command line's
/// progress bar and Ctrl-C, the desktop app's counters and Cancel button, or nothing ([`Quiet`]).
pub trait Monitor: Sync {
    /// A run of `total` paths named `label` starts, `done` of them finished already (a resumed
    /// run). The observer returned sees its paths; it is dropped when the run ends.
    fn run_started(&self, label: &str, total: u64, done: u64) -> Box<dyn Observer + '_>;
    /// A scenario about to run is valid but degenerate (`file` names it); each message is
    /// reported once per call of a service function.
    fn warning(&self, file: &str, message: &str) {
        let _ = (file, message);
    }
    /// Something the user should know that is not an error (e.g. where an interrupted run's
    /// paths are kept when it fails).
    fn note(&self, message: &str) {
        let _ = message;
    }
    /// Whether to stop as soon as possible (nothing more is written).
    fn should_stop(&self) -> bool {
        false
    }
}

/// A monitor that shows nothing and never stops.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quiet;

impl Monitor for Quiet {
    fn run_started(&self, _label: &str, _total: u64, _done: u64) -> Box<dyn Observer + '_> {
        Box::new(Silent)
    }
}

/// The largest seed, 2^53 - 1 (the scenario's `run.seed` range: every seed is stored exactly in
/// JSON and by readers that hold numbers as doubles).
pub const MAX_SEED: u64 = 9_007_199_254_740_991;

/// The most Monte Carlo paths of a run (the scenario's `run.paths` range).
pub const MAX_PATHS: u64 = 1_000_000_000;

/// What `--seed` accepts, for messages.
pub fn seed_allowed() -> String {
    format!("a whole number from 0 to {MAX_SEED}")
}

/// What `--paths` accepts, for messages.
pub fn paths_allowed() -> String {
    format!("a whole number from 1 to {MAX_PATHS}")
}

/// What `--max-memory` accepts, for messages.
pub const MEMORY_ALLOWED: &str = "a size in bytes such as 8G, 512M, 1.5G or 1000000 \
     (optional binary suffix K, M, G or T), more than 0 and below 16 EiB, or none";

/// Settings shared by the operations that run scenarios (the command line's `--paths`,
/// `--seed`, `--threads`, `--max-memory`, `--report`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunSettings {
    /// Monte Carlo paths, overriding the scenario's `run.paths` (1 to [`MAX_PATHS`]).
    pub paths: Option<u64>,
    /// Seed, overriding the scenario's `run.seed` (0 to [`MAX_SEED`]).
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    pub threads: Option<usize>,
    /// Memory limit: bytes with an optional K, M, G or T suffix (binary), or `none`
    /// [default: 75% of physical memory, [`default_memory`]].
    pub max_memory: Option<String>,
    /// Also write the charts and report.html into the result folder.
    pub report: bool,
}

impl RunSettings {
    /// The `paths` and `seed` overrides as assignments, in the order manifests list them. A value
    /// out of range is a usage error naming the setting (`--paths`, `--seed`), never a problem of
    /// the scenario file.
    pub fn overrides(&self) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        if let Some(p) = self.paths {
            if !(1..=MAX_PATHS).contains(&p) {
                return Err(ServiceError::Usage(format!(
                    "--paths {p}: {}",
                    paths_allowed()
                )));
            }
            out.push(Assignment {
                path: ParamPath::parse("run.paths")?,
                value: toml::Value::Integer(p as i64),
            });
        }
        if let Some(s) = self.seed {
            if s > MAX_SEED {
                return Err(ServiceError::Usage(format!(
                    "--seed {s}: {}",
                    seed_allowed()
                )));
            }
            out.push(Assignment {
                path: ParamPath::parse("run.seed")?,
                value: toml::Value::Integer(s as i64),
            });
        }
        Ok(out)
    }

    /// The engine's run options for `shard` of the run.
    pub fn options(&self, shard: Shard) -> Result<RunOptions> {
        let max_memory = match &self.max_memory {
            Some(m) => parse_memory(m)?,
            None => Some(default_memory()),
        };
        Ok(RunOptions {
            shard,
            threads: self.threads,
            max_memory,
            ..default_options()
        })
    }
}

/// Parses `I/K` (1-based, e.g. `2/4`) into the engine's 0-based shard.
pub fn parse_shard(text: &str) -> Result<Shard> {
    let bad = || {
        ServiceError::Usage(format!(
            "--shard {text}: expected I/K with 1 <= I <= K, e.g. 2/4 for the second of four shards"
        ))
    };
    let (i, k) = text.split_once('/').ok_or_else(bad)?;
    let i: u64 = i.trim().parse().map_err(|_| bad())?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    if i == 0 || k == 0 || i > k {
        return Err(bad());
    }
    Ok(Shard {
        index: i - 1,
        count: k,
    })
}

/// Parses a memory size: `8G`, `512M`, `1.5G`, `1048576`, `none` (no limit: `None`). Read
/// exactly, in decimal (never through a double): a size must be more than 0 bytes and fit in 64
/// bits; `1e30T`, `inf` and `nan` are refused, never read as "no limit".
pub fn parse_memory(text: &str) -> Result<Option<u64>> {
    memory_bytes(text)
        .map_err(|()| ServiceError::Usage(format!("--max-memory {text}: {MEMORY_ALLOWED}")))
}

/// [`parse_memory`] with the error left to the caller.
fn memory_bytes(text: &str) -> std::result::Result<Option<u64>, ()> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let upper = t.to_ascii_uppercase();
    let stripped = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (number, shift) = match stripped.as_bytes().last() {
        Some(b'K') => (&stripped[..stripped.len() - 1], 10),
        Some(b'M') => (&stripped[..stripped.len() - 1], 20),
        Some(b'G') => (&stripped[..stripped.len() - 1], 30),
        Some(b'T') => (&stripped[..stripped.len() - 1], 40),
        _ => (stripped, 0),
    };
    let (whole, fraction) = number.trim().split_once('.').unwrap_or((number.trim(), ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(());
    }
    // bytes = (whole + fraction / 10^len) * 2^shift, rounded down, in exact integer arithmetic.
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| ())?
    };
    let mut bytes = whole
        .checked_shl(shift)
        .filter(|b| *b >> shift == whole)
        .ok_or(())?;
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        // More digits than 2^40 can tell apart add nothing.
        let fraction = &fraction[..fraction.len().min(20)];
        let f: u128 = fraction.parse().map_err(|_| ())?;
        bytes += (f << shift) / 10u128.pow(fraction.len() as u32);
    }
    match u64::try_from(bytes) {
        Ok(0) | Err(_) => Err(()),
        Ok(b) => Ok(Some(b)),
    }
}

/// What the program itself needs of an address-space limit besides the engine's estimate: its
/// code and libraries, and per thread a stack and an allocator arena (glibc reserves 64 MiB of
/// address space per arena).
const ADDRESS_SPACE_RESERVE: u64 = 256 << 20;
/// Per thread, of the address-space limit.
const ADDRESS_SPACE_PER_THREAD: u64 = 72 << 20;

/// The default memory limit of a run: 75% of the least of the machine's physical memory
/// (`/proc/meminfo`), the control group's memory limit (`/sys/fs/cgroup/memory.max`: containers,
/// Slurm jobs) and what the process's address-space limit (`ulimit -v`, `/proc/self/limits`)
/// leaves after the program's own share; 4 GiB when none can be read. So a run that would not
/// fit is refused with its estimate instead of aborting on a failed allocation.
pub fn default_memory() -> u64 {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let limits = memory_limits(
        std::fs::read_to_string("/proc/meminfo").ok().as_deref(),
        std::fs::read_to_string("/sys/fs/cgroup/memory.max")
            .ok()
            .as_deref(),
        std::fs::read_to_string("/proc/self/limits").ok().as_deref(),
        threads,
    );
    match limits {
        Some(b) => b / 4 * 3,
        None => 4 << 30,
    }
}

/// The least of the memory limits the three files give (see [`default_memory`]), before the 75%.
fn memory_limits(
    meminfo: Option<&str>,
    cgroup_max: Option<&str>,
    limits: Option<&str>,
    threads: u64,
) -> Option<u64> {
    let physical = meminfo
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:").map(str::to_string))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb.saturating_mul(1024));
    // "max" (no limit) does not parse.
    let cgroup = cgroup_max.and_then(|s| s.trim().parse::<u64>().ok());
    // "Max address space   <soft>   <hard>   bytes", the soft limit being "unlimited" or bytes.
    let address = limits
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("Max address space")
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|soft| soft.parse::<u64>().ok())
            })
        })
        .map(|b| b.saturating_sub(ADDRESS_SPACE_RESERVE + threads * ADDRESS_SPACE_PER_THREAD));
    [physical, cgroup, address].into_iter().flatten().min()
}

#[cfg(test)]
mod memory_tests {
    use super::*;

    const MEMINFO: &str = "MemTotal:       24576000 kB\nMemFree:         1000 kB\n";
    const LIMITS: &str = "Limit                     Soft Limit           Hard Limit           Units\n\
        Max cpu time              unlimited            unlimited            seconds\n\
        Max address space         4096000000           unlimited            bytes\n";

    #[test]
    fn the_default_limit_is_the_least_of_physical_cgroup_and_address_space() {
        let physical = 24_576_000 * 1024;
        assert_eq!(memory_limits(Some(MEMINFO), None, None, 2), Some(physical));
        assert_eq!(
            memory_limits(Some(MEMINFO), Some("max\n"), None, 2),
            Some(physical)
        );
        assert_eq!(
            memory_limits(Some(MEMINFO), Some("8589934592\n"), None, 2),
            Some(8 << 30)
        );
        // ulimit -v 4000000: the program's own share comes off first.
        assert_eq!(
            memory_limits(Some(MEMINFO), None, Some(LIMITS), 2),
            Some(4_096_000_000 - (256 << 20) - 2 * (72 << 20))
        );
        let unlimited = LIMITS.replace("4096000000", "unlimited");
        assert_eq!(
            memory_limits(Some(MEMINFO), None, Some(&unlimited), 2),
            Some(physical)
        );
        assert_eq!(memory_limits(None, None, None, 2), None);
        // Unreadable files leave the others.
        assert_eq!(
            memory_limits(Some("garbage"), Some("12\n"), None, 1),
            Some(12)
        );
    }
}

/// The run options front ends use by default: the whole run, every core, and the memory limit
/// of [`default_memory`].
pub fn default_options() -> RunOptions {
    RunOptions {
        paths: None,
        shard: Shard::WHOLE,
        threads: None,
        max_memory: Some(default_memory()),
    }
}

/// A scenario ready to run: what every front end builds before running, so that a run started
/// anywhere writes the same result folder.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Where the scenario came from.
    pub origin: Origin,
    /// The validated scenario.
    pub scenario: Scenario,
    /// The scenario as run (merged TOML and data files), for the manifest.
    pub input: ScenarioInput,
    /// The overrides applied, as `path = value`, for the manifest.
    pub overrides: Vec<String>,
}

impl Prepared {
    /// Builds a scenario from `table` (the merged scenario of `origin`, possibly edited) with
    /// `assignments` applied; `label` is appended to the file name in messages and the manifest.
    pub fn from_table(
        origin: Origin,
        table: toml::Table,
        assignments: &[Assignment],
        label: &str,
    ) -> Result<Prepared> {
        let (scenario, input) = input::build(&origin, table, assignments, label)?;
        Ok(Prepared {
            origin,
            scenario,
            input,
            overrides: assignments.iter().map(ToString::to_string).collect(),
        })
    }
}

/// Loads the scenario of `origin` and prepares it with `assignments` applied.
pub fn prepare(origin: Origin, assignments: &[Assignment], label: &str) -> Result<Prepared> {
    let table = origin.table()?;
    Prepared::from_table(origin, table, assignments, label)
}

/// Checks a scenario (a file or a bundled name): its validated form, or every problem.
pub fn validate(scenario: &str) -> Result<Prepared> {
    prepare(Origin::resolve(scenario)?, &[], "")
}

/// Reports each warning of `p`'s scenario to `monitor` unless `seen` holds it already.
fn warn(monitor: &dyn Monitor, p: &Prepared, seen: &mut std::collections::BTreeSet<String>) {
    for w in p.scenario.warnings() {
        if seen.insert(w.to_string()) {
            monitor.warning(&p.input.file, &w.to_string());
        }
    }
}

/// One finished run: its paths and manifest, not yet written.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The manifest to write.
    pub manifest: Manifest,
    /// The paths, in path order.
    pub paths: Vec<PathResult>,
}

/// The manifest of a run of `p` starting now, but for its finishing time and thread count;
/// `command_line` is recorded in it.
fn new_manifest(command_line: &[String], p: &Prepared, options: &RunOptions) -> Result<Manifest> {
    let total = p.scenario.run.paths;
    let range = options.shard.paths(total);
    let scenario_json =
        serde_json::to_value(&p.scenario).map_err(|e| ServiceError::format(p.origin.path(), e))?;
    Ok(Manifest {
        format: output::MANIFEST_FORMAT.into(),
        format_version: output::FORMAT_VERSION,
        program: "herdlab".into(),
        version: output::PROGRAM_VERSION.into(),
        draw_scheme: sim::rng::DRAW_SCHEME,
        command_line: command_line.to_vec(),
        started: output::now_rfc3339(),
        finished: String::new(),
        scenario_name: p.scenario.name.clone(),
        scenario_origin: p.origin.label(),
        seed: p.scenario.run.seed,
        paths: total,
        shard: ShardInfo {
            index: options.shard.index + 1,
            count: options.shard.count,
            first_path: range.start,
            end_path: range.end,
        },
        threads: 0,
        max_memory: options.max_memory,
        overrides: p.overrides.clone(),
        merged_from: Vec::new(),
        resumed: Vec::new(),
        sha256: Default::default(),
        input: p.input.clone(),
        scenario: scenario_json,
    })
}

/// Runs a prepared scenario with `observer` (progress and cancellation) and builds its manifest;
/// `command_line` is recorded in it. A cancelled run is [`ServiceError::Interrupted`].
pub fn run_prepared(
    p: &Prepared,
    options: &RunOptions,
    observer: &dyn Observer,
    command_line: &[String],
) -> Result<Finished> {
    let mut manifest = new_manifest(command_line, p, options)?;
    let out = match sim::montecarlo::run(&p.scenario, options, observer) {
        Err(sim::Error::Cancelled) => return Err(ServiceError::Interrupted),
        other => other?,
    };
    manifest.finished = output::now_rfc3339();
    manifest.threads = out.threads;
    Ok(Finished {
        manifest,
        paths: out.paths,
    })
}

/// [`run_prepared`] in `blocks` consecutive blocks of paths on one compiled model and thread
/// pool, for interim results: after every block but the last, `between` gets the manifest so far
/// and the paths done. The result is the same as [`run_prepared`]'s (the paths do not depend on how
/// a run is cut). The observer counts the paths of each block on its own.
pub fn run_prepared_blocks(
    p: &Prepared,
    options: &RunOptions,
    observer: &dyn Observer,
    command_line: &[String],
    blocks: u64,
    between: &mut dyn FnMut(&Manifest, &[PathResult]),
) -> Result<Finished> {
    let cancelled = |e: sim::Error| match e {
        sim::Error::Cancelled => ServiceError::Interrupted,
        other => other.into(),
    };
    let mut manifest = new_manifest(command_line, p, options)?;
    let runner = sim::montecarlo::Runner::new(&p.scenario, options).map_err(cancelled)?;
    manifest.threads = runner.threads();
    let range = runner.range();
    let n = range.end - range.start;
    let blocks = blocks.max(1);
    let mut paths = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for index in 0..blocks {
        let part = Shard {
            index,
            count: blocks,
        }
        .paths(n);
        let done = runner
            .run(range.start + part.start..range.start + part.end, observer)
            .map_err(cancelled)?;
        paths.extend(done);
        if index + 1 < blocks {
            between(&manifest, &paths);
        }
    }
    manifest.finished = output::now_rfc3339();
    Ok(Finished { manifest, paths })
}

/// Runs `p` as one labelled run of `monitor`; stops before and after when asked to.
fn run_one(
    monitor: &dyn Monitor,
    p: &Prepared,
    options: &RunOptions,
    label: &str,
    command_line: &[String],
) -> Result<Finished> {
    check_stop(monitor)?;
    let range = options.shard.paths(p.scenario.run.paths);
    let observer = monitor.run_started(label, range.end - range.start, 0);
    let result = run_prepared(p, options, &*observer, command_line);
    drop(observer);
    let f = result?;
    check_stop(monitor)?;
    Ok(f)
}

fn check_stop(monitor: &dyn Monitor) -> Result<()> {
    if monitor.should_stop() {
        Err(ServiceError::Interrupted)
    } else {
        Ok(())
    }
}

/// Writes the result folder of a finished run of `scenario` into `dir` (created if missing) and
/// returns the run's aggregates.
pub fn write_into(dir: &Path, scenario: &Scenario, f: &Finished) -> Result<Aggregates> {
    std::fs::create_dir_all(dir).map_err(|e| ServiceError::io(dir, "cannot create folder", e))?;
    output::write_result(
        dir,
        &ResultData {
            manifest: &f.manifest,
            scenario,
            paths: &f.paths,
        },
    )
}

/// Writes the result folder of a finished run to `out` as `herdlab run` does (the same
/// [`output::write_result`] under an [`AtomicDir`]): built under a temporary name and renamed
/// into place, replacing an existing folder only when `force`. Returns the folder and the run's
/// aggregates.
pub fn write_run_folder(
    out: &Path,
    force: bool,
    scenario: &Scenario,
    f: &Finished,
) -> Result<(PathBuf, Aggregates)> {
    write_run_folder_with(out, force, scenario, &f.manifest, &f.paths, &mut |_| Ok(()))
}

/// [`write_run_folder`] with a front end's own `manifest` (its origin and the command line that
/// reproduces the folder) and `also` writing more files into the folder (the desktop app's
/// `scenario.toml`, the scenario as edited) before it is renamed into place, so the folder
/// appears whole or not at all.
pub fn write_run_folder_with(
    out: &Path,
    force: bool,
    scenario: &Scenario,
    manifest: &Manifest,
    paths: &[PathResult],
    also: &mut dyn FnMut(&Path) -> Result<()>,
) -> Result<(PathBuf, Aggregates)> {
    AtomicDir::check(out, force)?;
    let _lock = FolderLock::acquire(out)?;
    let dir = AtomicDir::create(out, force)?;
    std::fs::create_dir_all(dir.path())
        .map_err(|e| ServiceError::io(dir.path(), "cannot create folder", e))?;
    let agg = output::write_result(
        dir.path(),
        &ResultData {
            manifest,
            scenario,
            paths,
        },
    )?;
    also(dir.path())?;
    let dir = dir.commit()?;
    Ok((dir, agg))
}

/// What [`report`] writes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReportRequest<'a> {
    /// The result folder (of a run, merge, comparison or sweep).
    pub folder: &'a Path,
    /// Charts and report.html, or charts in one format only.
    pub format: report::Format,
    /// Chart size and resolution.
    pub output: charts::Output,
}

/// Writes the charts (SVG, PNG and their data as CSV) and report.html of a result folder;
/// returns what was written (the chart folder, then report.html when asked for).
pub fn report(request: &ReportRequest<'_>) -> Result<Vec<PathBuf>> {
    report::report(request.folder, request.format, &request.output)
}

/// [`report`] with the charts drawn in `theme` (figure control: fonts, palette, light or dark,
/// a figure's own title and axis labels; see `charts::FigureStyle`).
pub fn report_with_theme(
    request: &ReportRequest<'_>,
    theme: &charts::Theme,
) -> Result<Vec<PathBuf>> {
    report::report_with(request.folder, request.format, &request.output, theme)
}

/// Writes the charts and report.html of a folder just written (`report` of a request): returns
/// the report.html written.
pub(crate) fn report_html(folder: &Path) -> Result<Option<PathBuf>> {
    let written = report::report(folder, report::Format::Html, &charts::Output::default())?;
    Ok(written
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "html")))
}

/// What [`merge`] combines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeRequest {
    /// The shard result folders (1/K..K/K, in any order).
    pub folders: Vec<PathBuf>,
    /// The merged result folder.
    pub out: PathBuf,
    /// Replace an existing result folder.
    pub force: bool,
    /// Recorded in the manifest.
    pub command_line: Vec<String>,
}

/// Combines the result folders of shards 1/K..K/K into one result, byte-identical to the
/// unsharded run's (but for the manifest's record of how it was made).
pub fn merge(request: &MergeRequest) -> Result<merge::Merged> {
    merge::merge(
        &request.folders,
        &request.out,
        request.force,
        &request.command_line,
    )
}

/// Reads a result folder back: manifest, scenario, paths and aggregates.
pub fn load(folder: &Path) -> Result<report::LoadedResult> {
    report::load_result(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_and_memory_sizes_parse_or_are_refused_with_the_flag_named() {
        assert_eq!(
            parse_shard("2/4").expect("ok"),
            Shard { index: 1, count: 4 }
        );
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            let e = parse_shard(bad).expect_err(bad);
            assert!(e.to_string().contains("--shard"), "{e}");
        }
        assert_eq!(parse_memory("8G").expect("ok"), Some(8 << 30));
        assert_eq!(parse_memory("512MiB").expect("ok"), Some(512 << 20));
        assert_eq!(parse_memory("1000").expect("ok"), Some(1000));
        assert_eq!(parse_memory("none").expect("ok"), None);
        assert_eq!(parse_memory("1.5G").expect("ok"), Some(3 << 29));
        assert_eq!(parse_memory(".5k").expect("ok"), Some(512));
        assert_eq!(
            parse_memory("16777215T").expect("ok"),
            Some(16_777_215 << 40)
        );
        assert_eq!(
            parse_memory("18446744073709551615").expect("ok"),
            Some(u64::MAX)
        );
        // Read exactly: no double rounds `1e30T` or an overflow to "no limit".
        for bad in [
            "-1G",
            "lots",
            "0",
            "0.0001",
            "1e30T",
            "1e3",
            "inf",
            "nan",
            "16777216T",
            "18446744073709551616",
            "1.2.3G",
            ".",
            "G",
            "",
        ] {
            let e = parse_memory(bad).expect_err(bad);
            assert!(
                e.to_string().starts_with(&format!("--max-memory {bad}: ")),
                "{e}"
            );
        }
    }

    #[test]
    fn the_seed_and_paths_limits_are_the_scenario_ranges() {
        let max = |path: &str| {
            sim::scenario::params::PARAMS
                .iter()
                .find(|p| p.path == path)
                .map(|p| p.range.max)
        };
        assert_eq!(max("run.seed"), Some(MAX_SEED as f64));
        assert_eq!(max("run.paths"), Some(MAX_PATHS as f64));
        let over = RunSettings {
            seed: Some(MAX_SEED + 2),
            ..RunSettings::default()
        };
        let e = over.overrides().expect_err("too large");
        assert_eq!(
            e.to_string(),
            "--seed 9007199254740993: a whole number from 0 to 9007199254740991"
        );
        let over = RunSettings {
            paths: Some(u64::MAX),
            ..RunSettings::default()
        };
        let e = over.overrides().expect_err("too large");
        assert!(
            e.to_string().starts_with("--paths 18446744073709551615: "),
            "{e}"
        );
    }

    #[test]
    fn settings_become_overrides_in_manifest_order() {
        let s = RunSettings {
            paths: Some(10),
            seed: Some(7),
            ..RunSettings::default()
        };
        let o: Vec<String> = s
            .overrides()
            .expect("ok")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(o, ["run.paths = 10", "run.seed = 7"]);
        let zero = RunSettings {
            paths: Some(0),
            ..RunSettings::default()
        };
        assert!(zero.overrides().is_err());
        let huge = RunSettings {
            seed: Some(u64::MAX),
            ..RunSettings::default()
        };
        assert!(huge.overrides().is_err());
    }
}
