//! The `herdlab` command line: argument definitions and the commands, reusable by tests and other
//! front ends. Each command returns this crate's [`Error`]; the binary maps it to an exit code.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use sim::aggregate::{Aggregates, Comparison};
use sim::montecarlo::{RunOptions, Shard};
use sim::results::PathResult;
use sim::scenario::Scenario;

use crate::checkpoint::{self, Checkpoint, CheckpointInfo};
use crate::error::{Error, Result};
use crate::input::{self, Origin, ScenarioInput};
use crate::output::{self, AtomicDir, Manifest, ResultData, ShardInfo};
use crate::progress::{Mode, Progress};
use crate::sweep::{self, Assignment, ParamPath, Vary};
use crate::{bundled, charts, merge, report};

/// Headline measures shown in tables and `grid.csv`.
pub const HEADLINE: [&str; 8] = [
    "credit_gap",
    "credit_gap_share",
    "bank_losses",
    "firm_defaults",
    "bank_failures",
    "systemic_event",
    "decision_agreement_excess",
    "systemic_rejection_ratio",
];

/// herdlab: Monte Carlo stress tests of AI credit-model monoculture, from the command line.
///
/// Exit codes: 0 success, 2 usage, 3 invalid scenario or data, 4 I/O failure,
/// 5 engine refused (too large, bad options), 130 interrupted.
#[derive(Debug, Parser)]
#[command(
    name = "herdlab",
    version,
    about = "Stress tests of AI credit-model monoculture: run scenarios, compare them on common random numbers, sweep parameters, merge shards",
    long_about = None
)]
pub struct Cli {
    /// Show no progress and no summary table (errors still go to stderr).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and write a result folder.
    ///
    /// Finished chunks of paths are kept in `.DIR.checkpoint` beside the result folder until it is
    /// written; after a Ctrl-C, a kill or a crash, `herdlab run --resume DIR` continues the run to
    /// the same results.
    Run {
        /// Scenario file, or the name of a bundled scenario (see `herdlab scenarios`).
        #[arg(required_unless_present = "resume")]
        scenario: Option<String>,
        /// Run settings.
        #[command(flatten)]
        run: RunArgs,
        /// Run only shard I of K of the paths (1-based, e.g. 2/4); combine with `herdlab merge`.
        #[arg(long, value_name = "I/K")]
        shard: Option<String>,
        /// Result folder [default: results/NAME, or results/NAME-shard-I-of-K].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace an existing result folder (and discard an interrupted run's checkpoint).
        #[arg(long)]
        force: bool,
        /// Continue the interrupted run that was writing the result folder DIR, with the
        /// scenario, seed and paths it started with.
        #[arg(
            long,
            value_name = "DIR",
            conflicts_with_all = ["scenario", "shard", "out", "force", "paths", "seed", "report"]
        )]
        resume: Option<PathBuf>,
        /// Paths per checkpoint chunk [default: chosen so a chunk takes about 30 s].
        #[arg(long, value_name = "N")]
        checkpoint_every: Option<u64>,
    },
    /// Run scenarios on common random numbers and report paired differences against the first.
    Compare {
        /// The reference scenario A, then the scenarios compared with it.
        #[arg(required = true, num_args = 2..)]
        scenarios: Vec<String>,
        /// Run settings (paths and seed default to A's, and apply to all).
        #[command(flatten)]
        run: RunArgs,
        /// Result folder [default: results/compare-A-B...].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace an existing result folder.
        #[arg(long)]
        force: bool,
    },
    /// Run a grid over scenario parameters; cells share random numbers.
    Sweep {
        /// Scenario file or bundled scenario name.
        scenario: String,
        /// PATH=VALUES, e.g. models.similarity=0:1:11 (11 points) or rates.shock.size=0,1,2,3.
        #[arg(long, required = true, value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Run settings.
        #[command(flatten)]
        run: RunArgs,
        /// Result folder [default: results/sweep-NAME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Replace an existing result folder (and discard the cells an interrupted run of this
        /// sweep kept).
        #[arg(long)]
        force: bool,
        /// Continue an interrupted sweep: cells it finished (kept in `.DIR.checkpoint`) are reused
        /// when their scenario is unchanged, the others are run.
        #[arg(long, conflicts_with = "force")]
        resume: bool,
    },
    /// Check scenario files and print every problem.
    Validate {
        /// Scenario files (or bundled names).
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// List the bundled scenarios.
    Scenarios,
    /// Write the charts (SVG, PNG and their data as CSV) and a self-contained report.html of a
    /// result folder written by run, merge, compare or sweep.
    Report {
        /// The result folder.
        dir: PathBuf,
        /// html: charts as SVG and PNG plus report.html; svg or png: charts only.
        #[arg(long, value_enum, default_value = "html")]
        format: report::Format,
        /// Chart width in inches.
        #[arg(long, default_value_t = 6.0)]
        width: f64,
        /// Chart height in inches.
        #[arg(long, default_value_t = 4.0)]
        height: f64,
        /// Chart resolution for PNG, dots per inch.
        #[arg(long, default_value_t = 250.0)]
        dpi: f64,
    },
    /// Combine the result folders of shards 1/K..K/K into one result, identical to an unsharded run.
    Merge {
        /// Shard result folders.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The merged result folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace an existing result folder.
        #[arg(long)]
        force: bool,
    },
    /// Run sharded runs and sweeps on a Slurm cluster as array jobs (see docs/cluster.md).
    Slurm(Box<crate::slurm::SlurmArgs>),
}

/// Settings shared by the commands that run scenarios.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Monte Carlo paths (overrides the file's run.paths).
    #[arg(long, value_name = "N")]
    pub paths: Option<u64>,
    /// Seed (overrides the file's run.seed).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "T")]
    pub threads: Option<usize>,
    /// Memory limit, bytes with an optional K, M, G or T suffix (binary), or `none`
    /// [default: 75% of physical memory].
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Also write the charts and report.html into the result folder (as `herdlab report`).
    #[arg(long)]
    pub report: bool,
}

/// What every command needs besides its arguments.
#[derive(Clone, Debug)]
pub struct Context {
    /// Set by Ctrl-C: stop as soon as possible, write nothing.
    pub stop: Arc<AtomicBool>,
    /// The command line, for manifests.
    pub command_line: Vec<String>,
    /// Progress display.
    pub mode: Mode,
    /// Print summary tables.
    pub tables: bool,
}

impl Context {
    fn check_stop(&self) -> Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Writes the report of a result folder just written (`--report`).
pub(crate) fn report_into(ctx: &Context, dir: &Path) -> Result<()> {
    let written = report::report(dir, report::Format::Html, &charts::Output::default())?;
    if ctx.tables
        && let Some(html) = written
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "html"))
    {
        println!("report written to {}", html.display());
    }
    Ok(())
}

/// Runs a parsed command line.
pub fn execute(cli: Cli, ctx: &Context) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            run,
            shard,
            out,
            force,
            resume,
            checkpoint_every,
        } => {
            if checkpoint_every == Some(0) {
                return Err(Error::Usage(
                    "--checkpoint-every must be at least 1 path".into(),
                ));
            }
            match (resume, scenario) {
                (Some(dir), _) => cmd_resume(ctx, &dir, &run, checkpoint_every),
                (None, Some(scenario)) => cmd_run(
                    ctx,
                    &scenario,
                    &run,
                    shard.as_deref(),
                    out,
                    force,
                    checkpoint_every,
                ),
                (None, None) => Err(Error::Usage("run: give a scenario, or --resume DIR".into())),
            }
        }
        Command::Compare {
            scenarios,
            run,
            out,
            force,
        } => cmd_compare(ctx, &scenarios, &run, out, force),
        Command::Sweep {
            scenario,
            vary,
            run,
            out,
            force,
            resume,
        } => cmd_sweep(ctx, &scenario, &vary, &run, out, force, resume),
        Command::Validate { files } => cmd_validate(&files),
        Command::Scenarios => {
            let width = bundled::SCENARIOS.iter().map(|b| b.name.len()).max();
            for b in bundled::SCENARIOS {
                println!(
                    "{:width$}  {}",
                    b.name,
                    b.description(),
                    width = width.unwrap_or(0)
                );
            }
            Ok(())
        }
        Command::Report {
            dir,
            format,
            width,
            height,
            dpi,
        } => {
            let size = charts::Output::inches(width, height, dpi);
            let written = report::report(&dir, format, &size)?;
            if ctx.tables {
                for w in written {
                    println!("wrote {}", w.display());
                }
            }
            Ok(())
        }
        Command::Merge { dirs, out, force } => {
            let m = merge::merge(&dirs, &out, force, &ctx.command_line)?;
            if ctx.tables {
                let scenario = m.manifest.input.rebuild()?;
                print_summary(&scenario, &m.aggregates);
                println!(
                    "merged {} shards into {}",
                    m.manifest.merged_from.len(),
                    m.dir.display()
                );
            }
            Ok(())
        }
        Command::Slurm(args) => crate::slurm::execute(*args, ctx),
    }
}

/// Parses `I/K` (1-based) into the engine's 0-based shard.
pub fn parse_shard(text: &str) -> Result<Shard> {
    let bad = || {
        Error::Usage(format!(
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

/// Parses a memory size: `8G`, `512M`, `1048576`, `none`.
pub fn parse_memory(text: &str) -> Result<Option<u64>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let upper = t.to_ascii_uppercase();
    let stripped = upper
        .strip_suffix("IB")
        .or_else(|| upper.strip_suffix('B'))
        .unwrap_or(&upper);
    let (digits, mult) = match stripped.chars().last() {
        Some('K') => (&stripped[..stripped.len() - 1], 1u64 << 10),
        Some('M') => (&stripped[..stripped.len() - 1], 1 << 20),
        Some('G') => (&stripped[..stripped.len() - 1], 1 << 30),
        Some('T') => (&stripped[..stripped.len() - 1], 1 << 40),
        _ => (stripped, 1),
    };
    let x: f64 = digits.trim().parse().map_err(|_| {
        Error::Usage(format!(
            "--max-memory {text}: expected a size such as 8G, 512M, 1000000 or none"
        ))
    })?;
    if !x.is_finite() || x <= 0.0 {
        return Err(Error::Usage(format!(
            "--max-memory {text}: the size must be positive"
        )));
    }
    Ok(Some((x * mult as f64) as u64))
}

/// 75% of physical memory (from /proc/meminfo), or 4 GiB if that cannot be read.
pub fn default_memory() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("MemTotal:").map(str::to_string))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024);
    match total {
        Some(b) => b / 4 * 3,
        None => 4 << 30,
    }
}

impl RunArgs {
    /// The `--paths` and `--seed` overrides as assignments, in the order the manifest lists them.
    pub fn overrides(&self) -> Result<Vec<Assignment>> {
        let mut out = Vec::new();
        if let Some(p) = self.paths {
            if p == 0 {
                return Err(Error::Usage("--paths must be at least 1".into()));
            }
            out.push(Assignment::number(
                ParamPath::parse("run.paths")?,
                p as f64,
                true,
            ));
        }
        if let Some(s) = self.seed {
            out.push(Assignment {
                path: ParamPath::parse("run.seed")?,
                value: toml::Value::Integer(i64::try_from(s).map_err(|_| {
                    Error::Usage(format!("--seed {s}: the largest seed is {}", i64::MAX))
                })?),
            });
        }
        Ok(out)
    }

    fn options(&self, shard: Shard) -> Result<RunOptions> {
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

/// A scenario ready to run: what every command (and the desktop app) builds before running, so
/// that a run started anywhere writes the same result folder.
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

/// One finished run: its paths and manifest, not yet written.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The manifest to write.
    pub manifest: Manifest,
    /// The paths, in path order.
    pub paths: Vec<PathResult>,
}

/// The run options the command line uses by default: the whole run, every core, and the memory
/// limit of [`default_memory`].
pub fn default_options() -> RunOptions {
    RunOptions {
        paths: None,
        shard: Shard::WHOLE,
        threads: None,
        max_memory: Some(default_memory()),
    }
}

/// The manifest of a run of `p` starting now, but for its finishing time and thread count;
/// `command_line` is recorded in it.
fn new_manifest(command_line: &[String], p: &Prepared, options: &RunOptions) -> Result<Manifest> {
    let total = p.scenario.run.paths;
    let range = options.shard.paths(total);
    let scenario_json =
        serde_json::to_value(&p.scenario).map_err(|e| Error::format(p.origin.path(), e))?;
    Ok(Manifest {
        format: output::MANIFEST_FORMAT.into(),
        format_version: output::FORMAT_VERSION,
        program: "herdlab".into(),
        version: output::PROGRAM_VERSION.into(),
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
        input: p.input.clone(),
        scenario: scenario_json,
    })
}

/// Runs a prepared scenario with `observer` (progress and cancellation) and builds its manifest;
/// `command_line` is recorded in it. A cancelled run is [`Error::Interrupted`].
pub fn run_prepared(
    p: &Prepared,
    options: &RunOptions,
    observer: &dyn sim::montecarlo::Observer,
    command_line: &[String],
) -> Result<Finished> {
    let mut manifest = new_manifest(command_line, p, options)?;
    let out = match sim::montecarlo::run(&p.scenario, options, observer) {
        Err(sim::Error::Cancelled) => return Err(Error::Interrupted),
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
    observer: &dyn sim::montecarlo::Observer,
    command_line: &[String],
    blocks: u64,
    between: &mut dyn FnMut(&Manifest, &[PathResult]),
) -> Result<Finished> {
    let cancelled = |e: sim::Error| match e {
        sim::Error::Cancelled => Error::Interrupted,
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
        let part = sim::montecarlo::Shard {
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

fn run_one(ctx: &Context, p: &Prepared, options: &RunOptions, label: &str) -> Result<Finished> {
    ctx.check_stop()?;
    let range = options.shard.paths(p.scenario.run.paths);
    let progress = Progress::new(label, range.end - range.start, ctx.mode, ctx.stop.clone());
    let result = run_prepared(p, options, &progress, &ctx.command_line);
    progress.finish();
    let f = result?;
    ctx.check_stop()?;
    Ok(f)
}

/// Writes the result folder of a finished run into `dir` (created if missing) and returns the
/// run's aggregates.
pub fn write_into(dir: &Path, p: &Prepared, f: &Finished) -> Result<Aggregates> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create folder", e))?;
    output::write_result(
        dir,
        &ResultData {
            manifest: &f.manifest,
            scenario: &p.scenario,
            paths: &f.paths,
        },
    )
}

/// Writes the result folder of a finished run to `out` as the `run` command does (the same
/// [`output::write_result`] under an [`AtomicDir`]): built under a temporary name and renamed into place,
/// replacing an existing folder only when `force`.
/// Returns the folder and the run's aggregates.
pub fn write_run_folder(
    out: &Path,
    force: bool,
    scenario: &Scenario,
    f: &Finished,
) -> Result<(PathBuf, Aggregates)> {
    AtomicDir::check(out, force)?;
    let dir = AtomicDir::create(out, force)?;
    let agg = output::write_result(
        dir.path(),
        &ResultData {
            manifest: &f.manifest,
            scenario,
            paths: &f.paths,
        },
    )?;
    let dir = dir.commit()?;
    Ok((dir, agg))
}

fn cmd_run(
    ctx: &Context,
    scenario: &str,
    run: &RunArgs,
    shard: Option<&str>,
    out: Option<PathBuf>,
    force: bool,
    checkpoint_every: Option<u64>,
) -> Result<()> {
    let shard = match shard {
        Some(s) => parse_shard(s)?,
        None => Shard::WHOLE,
    };
    let options = run.options(shard)?;
    let p = prepare(Origin::resolve(scenario)?, &run.overrides()?, "")?;
    if ctx.tables {
        print_warnings(&p.input.file, &p.scenario, &mut Default::default());
    }
    let out = out.unwrap_or_else(|| {
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
    AtomicDir::check(&out, force)?;
    let manifest = new_manifest(&ctx.command_line, &p, &options)?;
    let checkpoint = Checkpoint::start(CheckpointInfo {
        format: checkpoint::CHECKPOINT_FORMAT.into(),
        target: out,
        force,
        report: run.report,
        manifest,
    })?;
    run_checkpointed(
        ctx,
        &p.scenario,
        &options,
        checkpoint,
        Vec::new(),
        checkpoint_every,
    )
}

/// `herdlab run --resume DIR`.
fn cmd_resume(
    ctx: &Context,
    target: &Path,
    run: &RunArgs,
    checkpoint_every: Option<u64>,
) -> Result<()> {
    let (mut checkpoint, have) = Checkpoint::open(target)?;
    checkpoint.retarget(target);
    let info = checkpoint.info();
    if target.exists() && !info.force {
        // The run wrote its folder and was stopped before it removed the checkpoint.
        let done = target.join("manifest.json").is_file();
        if done {
            checkpoint.remove()?;
            if ctx.tables {
                println!(
                    "{} is complete: the run had finished; its leftover checkpoint was removed",
                    target.display()
                );
            }
            return Ok(());
        }
        return Err(Error::Exists {
            path: target.to_path_buf(),
        });
    }
    let scenario = info.manifest.input.rebuild()?;
    let rebuilt =
        serde_json::to_value(&scenario).map_err(|e| Error::format(checkpoint.dir(), e))?;
    if rebuilt != info.manifest.scenario {
        return Err(Error::Checkpoint(format!(
            "{}: the stored scenario does not rebuild to the scenario the run started with; \
             start over with --force",
            checkpoint.dir().display()
        )));
    }
    let shard = Shard {
        index: info.manifest.shard.index.saturating_sub(1),
        count: info.manifest.shard.count,
    };
    let mut options = run.options(shard)?;
    options.paths = Some(info.manifest.paths);
    run_checkpointed(ctx, &scenario, &options, checkpoint, have, checkpoint_every)
}

/// How long a checkpoint chunk should take when `--checkpoint-every` is not given.
const CHUNK_SECONDS: f64 = 30.0;

/// Progress of one chunk reported as progress of the whole run.
struct Offset<'a> {
    inner: &'a Progress,
    base: u64,
    total: u64,
}

impl sim::montecarlo::Observer for Offset<'_> {
    fn path_done(&self, done: u64, _total: u64) {
        self.inner.path_done(self.base + done, self.total);
    }
    fn should_stop(&self) -> bool {
        self.inner.should_stop()
    }
}

/// Runs the paths the checkpoint lacks, chunk by chunk, keeping each finished chunk, then writes
/// the result folder and removes the checkpoint. A checkpoint that holds no paths when the run
/// fails is removed too, so that only a run with work worth resuming leaves one behind.
fn run_checkpointed(
    ctx: &Context,
    scenario: &Scenario,
    options: &RunOptions,
    mut checkpoint: Checkpoint,
    paths: Vec<PathResult>,
    every: Option<u64>,
) -> Result<()> {
    let report = checkpoint.info().report;
    match run_chunks(ctx, scenario, options, &mut checkpoint, paths, every) {
        Ok((dir, agg, all_failed)) => {
            let wanted = checkpoint.wanted();
            checkpoint.remove()?;
            if report {
                report_into(ctx, &dir)?;
            }
            if ctx.tables {
                print_summary(scenario, &agg);
                if all_failed > 0 {
                    println!(
                        "note: every bank had failed by the end of {all_failed} of {} paths \
                         (failed_bank_share = 1 in paths.csv); no credit is supplied after that",
                        wanted
                    );
                }
                match shard_of(scenario, options) {
                    Some((i, k, first, end)) => println!(
                        "shard {i}/{k} (paths {first}..{end}) written to {}",
                        dir.display()
                    ),
                    None => println!("results written to {}", dir.display()),
                }
            }
            Ok(())
        }
        Err(e) if checkpoint.done() == 0 => {
            let _ = checkpoint.remove();
            Err(match e {
                Error::InterruptedKept { .. } => Error::Interrupted,
                other => other,
            })
        }
        Err(e) => {
            if !matches!(e, Error::InterruptedKept { .. }) {
                eprintln!(
                    "note: {} of {} paths are kept in {}; once the problem is fixed, \
                     `herdlab run --resume {}` continues the run",
                    checkpoint.done(),
                    checkpoint.wanted(),
                    checkpoint.dir().display(),
                    checkpoint.info().target.display()
                );
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

/// The work of [`run_checkpointed`]: returns the committed result folder, its aggregates, and
/// how many paths ended with every bank failed.
fn run_chunks(
    ctx: &Context,
    scenario: &Scenario,
    options: &RunOptions,
    checkpoint: &mut Checkpoint,
    mut paths: Vec<PathResult>,
    every: Option<u64>,
) -> Result<(PathBuf, Aggregates, usize)> {
    let info = checkpoint.info().clone();
    let target = info.target.clone();
    let runner = sim::montecarlo::Runner::new(scenario, options)?;
    let range = runner.range();
    if range.start != info.manifest.shard.first_path || range.end != info.manifest.shard.end_path {
        return Err(Error::Checkpoint(format!(
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
    let progress = Progress::new(&scenario.name, wanted, ctx.mode, ctx.stop.clone());
    progress.start_at(checkpoint.done());
    let interrupted = |c: &Checkpoint| Error::InterruptedKept {
        done: c.done(),
        total: wanted,
        checkpoint: c.dir().to_path_buf(),
        target: target.clone(),
    };
    if ctx.stop.load(Ordering::Relaxed) {
        return Err(interrupted(checkpoint));
    }
    let mut chunk = every.unwrap_or(threads * 4).max(1);
    for gap in checkpoint.missing() {
        let mut at = gap.start;
        while at < gap.end {
            let end = at.saturating_add(chunk).min(gap.end);
            let started = std::time::Instant::now();
            let observer = Offset {
                inner: &progress,
                base: checkpoint.done(),
                total: wanted,
            };
            let got = match runner.run(at..end, &observer) {
                Err(sim::Error::Cancelled) => {
                    progress.finish();
                    return Err(interrupted(checkpoint));
                }
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
    progress.finish();
    if ctx.stop.load(Ordering::Relaxed) {
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
    if ctx.stop.load(Ordering::Relaxed) {
        return Err(interrupted(checkpoint));
    }
    let dir = dir.commit()?;
    let all_failed = paths
        .iter()
        .filter(|p| !scenario.banks.is_empty() && p.summary.failed_bank_share >= 1.0)
        .count();
    Ok((dir, agg, all_failed))
}

/// A number with about four significant digits.
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else if a >= 0.001 {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// The mean and 95% interval of a headline measure (the Wilson interval for `systemic_event`).
pub fn headline(agg: &Aggregates, name: &str) -> Option<(f64, f64, f64, f64)> {
    if name == "systemic_event" {
        let p = &agg.systemic_event;
        let se = agg.measure(name).map_or(0.0, |m| m.summary.std_error);
        return Some((p.estimate, se, p.low, p.high));
    }
    let m = agg.measure(name)?;
    let (lo, hi) = output::mean_interval(&m.summary);
    Some((m.summary.mean, m.summary.std_error, lo, hi))
}

fn print_summary(scenario: &Scenario, agg: &Aggregates) {
    println!(
        "{}: {} paths, seed {}, {} quarters; money in {}",
        scenario.name, agg.paths, scenario.run.seed, scenario.run.quarters, scenario.currency
    );
    println!("  {:<27} {:>12}  {:>27}", "measure", "mean", "95% interval");
    for name in HEADLINE {
        if let Some((mean, _, lo, hi)) = headline(agg, name) {
            println!(
                "  {:<27} {:>12}  {:>27}",
                name,
                fmt_num(mean),
                format!("[{}, {}]", fmt_num(lo), fmt_num(hi))
            );
        }
    }
}

/// Folder names for scenarios in a comparison: each scenario's name, with `-2`, `-3`... added to
/// repeats.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let mut candidate = n.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{n}-{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

/// One row of `comparison.csv`.
fn comparison_rows(reference: &str, scenario: &str, c: &Comparison) -> Vec<Vec<String>> {
    c.measures
        .iter()
        .chain(&c.region_gap)
        .map(|m| {
            let d = &m.difference;
            vec![
                scenario.to_string(),
                reference.to_string(),
                m.name.clone(),
                m.unit.clone(),
                d.n.to_string(),
                output::num(d.mean_a),
                output::num(d.mean_b),
                output::num(d.mean),
                output::num(d.std_error),
                output::num(d.low),
                output::num(d.high),
                output::num(d.confidence),
                output::num(d.correlation),
            ]
        })
        .collect()
}

#[derive(Serialize)]
struct ComparisonEntry<'a> {
    scenario: &'a str,
    folder: &'a str,
    comparison: &'a Comparison,
}

#[derive(Serialize)]
struct ComparisonFile<'a> {
    format: &'static str,
    format_version: u32,
    reference: &'a str,
    reference_folder: &'a str,
    seed: u64,
    paths: u64,
    comparisons: Vec<ComparisonEntry<'a>>,
}

/// Writes the index of a comparison folder, `comparison.csv` and `comparison.json`, as
/// `herdlab compare` does: `reference` runs in folder `names[0]`, `others[i]` in `names[i + 1]`
/// with paired differences `comparisons[i]` against the reference.
pub fn write_comparison_index(
    dir: &Path,
    reference: &Scenario,
    others: &[&Scenario],
    names: &[String],
    comparisons: &[Comparison],
) -> Result<()> {
    if names.len() != others.len() + 1 || comparisons.len() != others.len() {
        return Err(Error::Usage(
            "a comparison needs one folder name per scenario and one comparison per variant".into(),
        ));
    }
    let rows: Vec<Vec<String>> = names
        .iter()
        .skip(1)
        .zip(comparisons)
        .flat_map(|(name, c)| comparison_rows(&names[0], name, c))
        .collect();
    let header: Vec<String> = [
        "scenario",
        "reference",
        "measure",
        "unit",
        "n",
        "mean_reference",
        "mean_scenario",
        "difference",
        "std_error",
        "low",
        "high",
        "confidence",
        "correlation",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    output::write_csv(&dir.join("comparison.csv"), &header, &rows)?;
    let file = ComparisonFile {
        format: "herdlab-comparison",
        format_version: output::FORMAT_VERSION,
        reference: &reference.name,
        reference_folder: &names[0],
        seed: reference.run.seed,
        paths: reference.run.paths,
        comparisons: others
            .iter()
            .zip(names.iter().skip(1))
            .zip(comparisons)
            .map(|((s, n), c)| ComparisonEntry {
                scenario: &s.name,
                folder: n,
                comparison: c,
            })
            .collect(),
    };
    output::write_json(&dir.join("comparison.json"), &file)?;
    Ok(())
}

fn cmd_compare(
    ctx: &Context,
    scenarios: &[String],
    run: &RunArgs,
    out: Option<PathBuf>,
    force: bool,
) -> Result<()> {
    let options = run.options(Shard::WHOLE)?;
    let overrides = run.overrides()?;
    let mut origins = Vec::new();
    for s in scenarios {
        origins.push(Origin::resolve(s)?);
    }
    let mut prepared: Vec<Prepared> = Vec::new();
    for origin in origins {
        let mut assignments = overrides.clone();
        if let Some(a) = prepared.first() {
            // Every scenario runs on A's paths and seed: common random numbers.
            assignments = vec![
                Assignment::number(
                    ParamPath::parse("run.paths")?,
                    a.scenario.run.paths as f64,
                    true,
                ),
                Assignment {
                    path: ParamPath::parse("run.seed")?,
                    value: toml::Value::Integer(a.scenario.run.seed as i64),
                },
            ];
        }
        let p = prepare(origin, &assignments, "")?;
        if ctx.tables {
            print_warnings(&p.input.file, &p.scenario, &mut Default::default());
        }
        prepared.push(p);
    }
    let names = unique_names(
        &prepared
            .iter()
            .map(|p| p.scenario.name.clone())
            .collect::<Vec<_>>(),
    );
    let out = out
        .unwrap_or_else(|| PathBuf::from("results").join(format!("compare-{}", names.join("-"))));
    AtomicDir::check(&out, force)?;
    let dir = AtomicDir::create(&out, force)?;
    let a = &prepared[0];
    let fa = run_one(ctx, a, &options, &names[0])?;
    let agg_a = write_into(&dir.path().join(&names[0]), a, &fa)?;
    let mut comparisons = Vec::new();
    let mut aggs = vec![agg_a];
    for (p, name) in prepared.iter().zip(&names).skip(1) {
        let f = run_one(ctx, p, &options, name)?;
        aggs.push(write_into(&dir.path().join(name), p, &f)?);
        let c = sim::aggregate::compare(&a.scenario, &fa.paths, &p.scenario, &f.paths)?;
        comparisons.push(c);
    }
    let others: Vec<&Scenario> = prepared.iter().skip(1).map(|p| &p.scenario).collect();
    write_comparison_index(dir.path(), &a.scenario, &others, &names, &comparisons)?;
    ctx.check_stop()?;
    let dir = dir.commit()?;
    if run.report {
        report_into(ctx, &dir)?;
    }
    if ctx.tables {
        println!(
            "paired differences against {} ({} paths, seed {}, common random numbers; 95% intervals)",
            a.scenario.name, a.scenario.run.paths, a.scenario.run.seed
        );
        for (name, c) in names.iter().skip(1).zip(&comparisons) {
            println!("{name} - {}:", names[0]);
            println!(
                "  {:<27} {:>12} {:>12} {:>12}  {:>27}",
                "measure", "reference", "scenario", "difference", "95% interval"
            );
            let rows = HEADLINE
                .iter()
                .filter_map(|h| c.measure(h))
                .chain(&c.region_gap);
            for m in rows {
                let d = &m.difference;
                println!(
                    "  {:<27} {:>12} {:>12} {:>12}  {:>27}",
                    m.name,
                    fmt_num(d.mean_a),
                    fmt_num(d.mean_b),
                    fmt_num(d.mean),
                    format!("[{}, {}]", fmt_num(d.low), fmt_num(d.high))
                );
            }
        }
        println!("results written to {}", dir.display());
    }
    Ok(())
}

#[derive(Serialize)]
struct SweepParam<'a> {
    path: String,
    values: &'a [f64],
    integer: bool,
}

#[derive(Serialize)]
struct SweepHeadline {
    measure: &'static str,
    mean: f64,
    std_error: f64,
    low: f64,
    high: f64,
}

#[derive(Serialize)]
struct SweepCell {
    cell: usize,
    folder: String,
    values: Vec<f64>,
    headline: Vec<SweepHeadline>,
}

#[derive(Serialize)]
struct SweepFile<'a> {
    format: &'static str,
    format_version: u32,
    scenario: &'a str,
    seed: u64,
    paths: u64,
    parameters: Vec<SweepParam<'a>>,
    cells: Vec<SweepCell>,
}

fn value_of(a: &Assignment) -> f64 {
    match &a.value {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

/// The folder of sweep cell `i` (from 0): `cell-0001`, `cell-0002`...
pub fn cell_folder(i: usize) -> String {
    format!("cell-{:04}", i + 1)
}

fn sweep_header(varies: &[Vary]) -> Vec<String> {
    let mut header = vec!["cell".to_string()];
    header.extend(varies.iter().map(|v| v.path.to_string()));
    for h in HEADLINE {
        for stat in ["mean", "std_error", "low", "high"] {
            header.push(format!("{h}_{stat}"));
        }
    }
    header
}

/// Writes the index of a sweep folder, `grid.csv` and `sweep.json`, as `herdlab sweep` does:
/// cell `i` (first parameter slowest) ran with parameter values `values[i]` in folder
/// [`cell_folder`]`(i)` and has aggregates `aggs[i]`. Returns the rows of `grid.csv`.
pub fn write_sweep_index(
    dir: &Path,
    base: &Scenario,
    varies: &[Vary],
    values: &[Vec<f64>],
    aggs: &[Aggregates],
) -> Result<Vec<Vec<String>>> {
    if values.len() != aggs.len() {
        return Err(Error::Usage(
            "a sweep needs one set of values per cell".into(),
        ));
    }
    let header = sweep_header(varies);
    let mut rows = Vec::new();
    let mut sweep_cells = Vec::new();
    for (i, (values, agg)) in values.iter().zip(aggs).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        row.extend(values.iter().map(|&x| output::num(x)));
        let mut hl = Vec::new();
        for h in HEADLINE {
            let (mean, se, lo, hi) =
                headline(agg, h).unwrap_or((f64::NAN, f64::NAN, f64::NAN, f64::NAN));
            row.extend([mean, se, lo, hi].map(output::num));
            hl.push(SweepHeadline {
                measure: h,
                mean,
                std_error: se,
                low: lo,
                high: hi,
            });
        }
        rows.push(row);
        sweep_cells.push(SweepCell {
            cell: i + 1,
            folder: cell_folder(i),
            values: values.clone(),
            headline: hl,
        });
    }
    output::write_csv(&dir.join("grid.csv"), &header, &rows)?;
    let file = SweepFile {
        format: "herdlab-sweep",
        format_version: output::FORMAT_VERSION,
        scenario: &base.name,
        seed: base.run.seed,
        paths: base.run.paths,
        parameters: varies
            .iter()
            .map(|v| SweepParam {
                path: v.path.to_string(),
                values: &v.values,
                integer: v.integer,
            })
            .collect(),
        cells: sweep_cells,
    };
    output::write_json(&dir.join("sweep.json"), &file)?;
    Ok(rows)
}

fn cmd_sweep(
    ctx: &Context,
    scenario: &str,
    vary: &[String],
    run: &RunArgs,
    out: Option<PathBuf>,
    force: bool,
    resume: bool,
) -> Result<()> {
    let options = run.options(Shard::WHOLE)?;
    let overrides = run.overrides()?;
    let origin = Origin::resolve(scenario)?;
    let mut table = origin.table()?;
    for a in &overrides {
        sweep::assign(&mut table, a)?;
    }
    let varies = vary
        .iter()
        .map(|v| Vary::parse(v, &table))
        .collect::<Result<Vec<_>>>()?;
    let cells = sweep::grid(&varies);
    // Validate every cell before running any.
    let mut prepared = Vec::new();
    let mut warned = std::collections::BTreeSet::new();
    for (i, cell) in cells.iter().enumerate() {
        let label = format!(
            "cell {}: {}",
            i + 1,
            cell.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut all = overrides.clone();
        all.extend(cell.iter().cloned());
        let p = Prepared::from_table(origin.clone(), origin.table()?, &all, &label)?;
        if ctx.tables {
            print_warnings(&p.input.file, &p.scenario, &mut warned);
        }
        prepared.push(p);
    }
    let base = &prepared[0].scenario;
    let out = out.unwrap_or_else(|| PathBuf::from("results").join(format!("sweep-{}", base.name)));
    AtomicDir::check(&out, force)?;
    let dir = AtomicDir::create(&out, force)?;
    let n = prepared.len();
    let kept = checkpoint::location(&out);
    if kept.exists() && !resume {
        if !force {
            return Err(Error::Checkpoint(format!(
                "{}: an interrupted run of this sweep kept its finished cells in {}; run the same \
                 command with --resume to continue, or with --force to start over",
                out.display(),
                kept.display()
            )));
        }
        std::fs::remove_dir_all(&kept)
            .map_err(|e| Error::io(&kept, "cannot remove old checkpoint", e))?;
    }
    let mut aggs = Vec::new();
    let mut reused = 0;
    for (i, p) in prepared.iter().enumerate() {
        let cell_dir = kept.join(cell_folder(i));
        let f = match kept_cell(&cell_dir, p)? {
            Some(f) => {
                reused += 1;
                f
            }
            None => {
                let f = match run_one(ctx, p, &options, &format!("cell {}/{n}", i + 1)) {
                    Err(Error::Interrupted) if i > 0 => {
                        return Err(Error::InterruptedCells {
                            done: i as u64,
                            total: n as u64,
                            checkpoint: kept.clone(),
                        });
                    }
                    other => other?,
                };
                // Keep the finished cell (whole or not at all) until the sweep's folder is in place.
                let cell = AtomicDir::create(&cell_dir, true)?;
                write_into(cell.path(), p, &f)?;
                cell.commit()?;
                f
            }
        };
        aggs.push(write_into(&dir.path().join(cell_folder(i)), p, &f)?);
    }
    if resume && ctx.tables {
        eprintln!("resumed: {reused} of {n} cells were kept from the interrupted sweep");
    }
    let values: Vec<Vec<f64>> = cells
        .iter()
        .map(|c| c.iter().map(value_of).collect())
        .collect();
    let rows = write_sweep_index(dir.path(), base, &varies, &values, &aggs)?;
    let header = sweep_header(&varies);
    ctx.check_stop()?;
    let dir = dir.commit()?;
    if kept.exists() {
        std::fs::remove_dir_all(&kept)
            .map_err(|e| Error::io(&kept, "cannot remove checkpoint", e))?;
    }
    if run.report {
        report_into(ctx, &dir)?;
    }
    if ctx.tables {
        println!(
            "{}: {} cells, {} paths each, seed {} (shared by every cell)",
            base.name, n, base.run.paths, base.run.seed
        );
        let w = header.len().min(1 + varies.len() + 2);
        println!("  {}", header[..w].join("  "));
        for r in &rows {
            println!("  {}", r[..w].join("  "));
        }
        println!("results written to {}", dir.display());
    }
    Ok(())
}

/// A sweep cell kept by an interrupted run of the same sweep, if it is complete and was run on
/// the same scenario (an edited file or other values make it stale: it is run again).
fn kept_cell(dir: &Path, p: &Prepared) -> Result<Option<Finished>> {
    let manifest_file = dir.join("manifest.json");
    if !manifest_file.is_file() {
        return Ok(None);
    }
    let manifest = output::read_manifest(&manifest_file)?;
    let scenario = serde_json::to_value(&p.scenario).map_err(|e| Error::format(dir, e))?;
    if manifest.scenario != scenario
        || manifest.version != output::PROGRAM_VERSION
        || manifest.overrides != p.overrides
    {
        return Ok(None);
    }
    let paths = output::read_paths(&dir.join("paths.jsonl"))?;
    if !output::holds_paths(&paths, 0..p.scenario.run.paths) {
        return Ok(None);
    }
    Ok(Some(Finished { manifest, paths }))
}

/// Prints the scenario's warnings (degenerate but valid set-ups) to stderr, each message once
/// (`seen` carries the messages printed already, e.g. by earlier cells of a sweep).
fn print_warnings(file: &str, s: &Scenario, seen: &mut std::collections::BTreeSet<String>) {
    for w in s.warnings() {
        if seen.insert(w.to_string()) {
            eprintln!("warning: {file}: {w}");
        }
    }
}

fn cmd_validate(files: &[String]) -> Result<()> {
    let mut bad = 0;
    for f in files {
        let result = Origin::resolve(f).and_then(|o| prepare(o, &[], ""));
        match result {
            Ok(p) => {
                println!(
                    "ok: {} ({}: {} banks, {} regions, {} families)",
                    f,
                    p.scenario.name,
                    p.scenario.banks.len(),
                    p.scenario.regions.len(),
                    p.scenario.models.families.len()
                );
                print_warnings(f, &p.scenario, &mut Default::default());
            }
            Err(e) => {
                bad += 1;
                eprintln!("{e}");
            }
        }
    }
    if bad > 0 {
        return Err(Error::Invalid(format!(
            "{bad} of {} scenario file(s) have problems (listed above)",
            files.len()
        )));
    }
    Ok(())
}
