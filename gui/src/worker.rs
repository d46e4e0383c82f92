//! Long work off the UI thread: runs, comparisons, sweeps, the herding monitor, result folders
//! opened (read, checked against their manifests, aggregated and charted), chart exports and
//! folder exports (result folders with their
//! Parquet files and report.html) on a named worker thread that reports progress through shared
//! counters, sends each finished result over a channel, and asks egui to repaint. Results are
//! shared with the UI as [`Arc`]s, never copied. The UI never waits on it; [`Worker`]'s `Drop`
//! cancels and joins.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Instant;

use reports::service::{Finished, Prepared, run_prepared, run_prepared_blocks};
use reports::sweep::Vary;
use sim::aggregate::{Aggregates, Comparison};
use sim::montecarlo::{Observer, RunOptions};
use sim::scenario::Scenario;

use crate::error::{GuiError, Result};

/// A finished run (or a result folder read back) with its aggregates.
#[derive(Debug)]
pub struct RunResult {
    /// The scenario as run.
    pub scenario: Scenario,
    /// Manifest and paths.
    pub finished: Finished,
    /// Aggregates of the paths.
    pub aggregates: Aggregates,
    /// The folder it was read from or last exported to.
    pub folder: Option<std::path::PathBuf>,
    /// What was changed in the editor against the scenario it came from, as `path: old → new`
    /// (empty: run as the origin has it).
    pub edits: Vec<String>,
    /// For estimates from the paths finished so far of a run still going or stopped: the paths
    /// the run was asked for. Such a result is made a whole run of its first paths (every path
    /// draws from its own key, so they are exactly the paths a run of that many gives).
    pub interim: Option<u64>,
}

impl RunResult {
    /// Aggregates a finished run.
    pub fn new(scenario: Scenario, finished: Finished) -> RunResult {
        let aggregates = sim::aggregate::aggregate(&scenario, &finished.paths);
        RunResult {
            scenario,
            finished,
            aggregates,
            folder: None,
            edits: Vec::new(),
            interim: None,
        }
    }

    /// Reads a result folder written by `herdlab run` (or by this app).
    pub fn load(dir: &Path) -> Result<RunResult> {
        let r = reports::service::load(dir)?;
        let edits = crate::provenance::edits_of_manifest(&r.manifest);
        Ok(RunResult {
            edits,
            interim: None,
            scenario: r.scenario,
            finished: Finished {
                manifest: r.manifest,
                paths: r.paths,
            },
            aggregates: r.aggregates,
            folder: Some(r.dir),
        })
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|source| GuiError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| GuiError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Reads a folder written by `herdlab compare`: the reference and every variant, with their
/// paired differences recomputed from the paths (the numbers of `comparison.json`).
pub fn load_comparison(dir: &Path) -> Result<CompareResult> {
    let file = dir.join("comparison.json");
    let index = read_json(&file)?;
    let bad = |message: &str| GuiError::Format {
        path: file.clone(),
        message: message.into(),
    };
    let folder = |v: Option<&serde_json::Value>| -> Result<PathBuf> {
        v.and_then(|f| f.as_str())
            .filter(|f| !f.contains("..") && !f.contains('/'))
            .map(|f| dir.join(f))
            .ok_or_else(|| bad("it names no valid folder"))
    };
    let reference = Arc::new(RunResult::load(&folder(index.get("reference_folder"))?)?);
    let listed = index
        .get("comparisons")
        .and_then(|c| c.as_array())
        .filter(|c| !c.is_empty())
        .ok_or_else(|| bad("it lists no comparison"))?;
    let mut variants = Vec::new();
    for c in listed {
        variants.push(Arc::new(RunResult::load(&folder(c.get("folder"))?)?));
    }
    CompareResult::new(reference, variants)
}

/// Reads a folder written by `herdlab sweep`: its parameters and every cell's run.
pub fn load_sweep(dir: &Path) -> Result<(Vec<Vary>, Vec<SweepCell>)> {
    let file = dir.join("sweep.json");
    let index = read_json(&file)?;
    let bad = || GuiError::Format {
        path: file.clone(),
        message: "not a herdlab sweep index".into(),
    };
    let mut vary = Vec::new();
    for p in index
        .get("parameters")
        .and_then(|p| p.as_array())
        .ok_or_else(bad)?
    {
        let path = p.get("path").and_then(|x| x.as_str()).ok_or_else(bad)?;
        let values = p
            .get("values")
            .and_then(|x| x.as_array())
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_f64().ok_or_else(bad))
            .collect::<Result<Vec<f64>>>()?;
        vary.push(Vary {
            path: reports::sweep::ParamPath::parse(path).map_err(reports::Error::from)?,
            values,
            integer: p.get("integer").and_then(|x| x.as_bool()).unwrap_or(false),
        });
    }
    let mut cells = Vec::new();
    for c in index
        .get("cells")
        .and_then(|c| c.as_array())
        .ok_or_else(bad)?
    {
        let folder = c
            .get("folder")
            .and_then(|f| f.as_str())
            .filter(|f| !f.contains("..") && !f.contains('/'))
            .ok_or_else(bad)?;
        let values = c
            .get("values")
            .and_then(|x| x.as_array())
            .ok_or_else(bad)?
            .iter()
            .map(|v| v.as_f64().ok_or_else(bad))
            .collect::<Result<Vec<f64>>>()?;
        cells.push(SweepCell {
            values,
            result: Arc::new(RunResult::load(&dir.join(folder))?),
        });
    }
    let expected: usize = vary.iter().map(|v| v.values.len()).product();
    if vary.is_empty() || vary.len() > 2 || cells.len() != expected {
        return Err(GuiError::needs(format!(
            "the app shows sweeps of one or two parameters with every cell ({} parameters, {} of {expected} cells here)",
            vary.len(),
            cells.len()
        )));
    }
    Ok((vary, cells))
}

/// A result folder read back, of any kind the command line writes.
#[derive(Debug)]
pub enum Opened {
    /// A run's (or merged run's) folder, with its charts built.
    Run {
        /// The run.
        result: Arc<RunResult>,
        /// Its charts, as `herdlab report` builds them.
        charts: Arc<crate::RunCharts>,
    },
    /// A `compare` folder.
    Comparison(Arc<CompareResult>),
    /// A `sweep` folder: its parameters and every cell.
    Sweep {
        /// The varied parameters.
        vary: Vec<Vary>,
        /// Every cell, in order.
        cells: Vec<SweepCell>,
    },
}

/// Reads the result folder `dir`: a comparison (`comparison.json` without `manifest.json`), a
/// sweep (`sweep.json`), or else a run, whose charts are built too (all of it off the UI thread).
pub fn open_folder(dir: &Path) -> Result<Opened> {
    let has = |f: &str| dir.join(f).is_file();
    if has("comparison.json") && !has("manifest.json") {
        Ok(Opened::Comparison(Arc::new(load_comparison(dir)?)))
    } else if has("sweep.json") && !has("manifest.json") {
        let (vary, cells) = load_sweep(dir)?;
        Ok(Opened::Sweep { vary, cells })
    } else {
        let result = RunResult::load(dir)?;
        let charts = Arc::new(crate::RunCharts::build(&result));
        Ok(Opened::Run {
            result: Arc::new(result),
            charts,
        })
    }
}

/// A comparison on common random numbers: one reference and one or more variants.
#[derive(Debug)]
pub struct CompareResult {
    /// The reference run.
    pub reference: Arc<RunResult>,
    /// The variant runs, in the order asked.
    pub variants: Vec<Arc<RunResult>>,
    /// Paired differences of each variant, variant minus reference.
    pub comparisons: Vec<Comparison>,
}

impl CompareResult {
    /// Pairs every variant with the reference, path by path.
    pub fn new(reference: Arc<RunResult>, variants: Vec<Arc<RunResult>>) -> Result<CompareResult> {
        let comparisons = variants
            .iter()
            .map(|v| {
                sim::aggregate::compare(
                    &reference.scenario,
                    &reference.finished.paths,
                    &v.scenario,
                    &v.finished.paths,
                )
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(CompareResult {
            reference,
            variants,
            comparisons,
        })
    }

    /// The same runs with variant `i` as the reference and the reference as that variant
    /// (the other variants stay): the differences change sign, paired on the same paths.
    pub fn swapped(&self, i: usize) -> Result<CompareResult> {
        let Some(v) = self.variants.get(i) else {
            return Err(GuiError::needs("no such variant"));
        };
        let mut variants = self.variants.clone();
        variants[i] = self.reference.clone();
        CompareResult::new(v.clone(), variants)
    }
}

/// One finished sweep cell.
#[derive(Debug)]
pub struct SweepCell {
    /// The parameter values of the cell, one per varied parameter.
    pub values: Vec<f64>,
    /// Its run.
    pub result: Arc<RunResult>,
}

/// Work for the worker thread.
#[derive(Debug)]
pub enum Job {
    /// One run, in `chunks` consecutive blocks of paths so that estimates from the paths done so
    /// far can be shown while it runs (the paths, and so every output, are the same for any
    /// split: the engine draws each path's numbers from its own key).
    Run {
        /// The scenario.
        prepared: Box<Prepared>,
        /// Blocks of paths (1: the whole run at once).
        chunks: u64,
    },
    /// The reference and its variants on the same paths and seed.
    Compare {
        /// Reference.
        reference: Box<Prepared>,
        /// Variants, in order.
        variants: Vec<Prepared>,
    },
    /// A grid of cells.
    Sweep {
        /// The varied parameters.
        vary: Vec<Vary>,
        /// One prepared scenario per cell with its values, first parameter slowest.
        cells: Vec<(Vec<f64>, Prepared)>,
    },
    /// Reading a decision log with the herding monitor (MODEL.md §10).
    Monitor {
        /// The log (CSV or Parquet).
        log: PathBuf,
        /// The measures' and the alarm's settings.
        settings: monitor::Settings,
    },
    /// Writing a result folder (with Parquet files and report.html), off the UI thread.
    Export(Export),
    /// Drawing a chart into files, off the UI thread.
    Chart(ChartJob),
    /// Reading a result folder of any kind ([`open_folder`]).
    Open(PathBuf),
}

/// A chart to draw into files: the drawing owns its data (a copy of one chart, or a shared
/// [`Arc`] of the run's charts) and returns the files written.
pub struct ChartJob {
    /// What is drawn, for the progress bar.
    pub what: String,
    /// Draws the chart into its folder (created if missing).
    pub draw: Box<dyn FnOnce() -> Result<Vec<PathBuf>> + Send>,
}

impl std::fmt::Debug for ChartJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChartJob")
            .field("what", &self.what)
            .finish()
    }
}

/// A folder to write, as the command line writes it, with report.html.
#[derive(Debug)]
pub enum Export {
    /// A monitor result folder at `out`, as `herdlab monitor` writes it.
    Monitor {
        /// The monitor's report.
        report: Arc<monitor::MonitorReport>,
        /// The folder.
        out: PathBuf,
        /// Replace an existing herdlab folder.
        replace: bool,
    },
    /// A run's result folder at `out`.
    Run {
        /// The run.
        result: Arc<RunResult>,
        /// The folder.
        out: PathBuf,
        /// Replace an existing folder.
        replace: bool,
    },
    /// A comparison folder under `under` (`compare-A-B`).
    Comparison {
        /// The comparison.
        result: Arc<CompareResult>,
        /// The folder it goes in.
        under: PathBuf,
        /// Replace an existing folder.
        replace: bool,
    },
    /// A sweep folder under `under` (`sweep-NAME`).
    Sweep {
        /// The varied parameters.
        vary: Vec<Vary>,
        /// Every cell, in order.
        cells: Vec<Arc<SweepCell>>,
        /// The folder it goes in.
        under: PathBuf,
        /// Replace an existing folder.
        replace: bool,
    },
}

/// Writes report.html (and the charts) into a folder just written, as `--report` does.
fn with_report(dir: PathBuf) -> Result<PathBuf> {
    reports::service::report(&reports::service::ReportRequest {
        folder: &dir,
        format: reports::report::Format::Html,
        output: reports::charts::Output::default(),
    })?;
    Ok(dir)
}

impl Export {
    /// Writes the folder; returns it.
    pub fn write(&self) -> Result<PathBuf> {
        match self {
            Export::Monitor {
                report,
                out,
                replace,
            } => Ok(reports::service::write_monitor_folder(
                report, out, *replace,
            )?),
            Export::Run {
                result,
                out,
                replace,
            } => {
                // The folder records the command line that reproduces it from the scenario.toml
                // it holds, and the scenario exactly as run.
                let mut manifest = result.finished.manifest.clone();
                manifest.command_line = crate::provenance::command_line(
                    &std::path::absolute(out).unwrap_or_else(|_| out.clone()),
                    result.scenario.run.paths,
                    result.scenario.run.seed,
                );
                let (dir, _) = reports::service::write_run_folder_with(
                    out,
                    *replace,
                    &result.scenario,
                    &manifest,
                    &result.finished.paths,
                    &mut |dir| crate::provenance::save_into(dir, &manifest),
                )?;
                with_report(dir)
            }
            Export::Comparison {
                result,
                under,
                replace,
            } => {
                let runs: Vec<&Arc<RunResult>> = std::iter::once(&result.reference)
                    .chain(&result.variants)
                    .collect();
                let scenarios: Vec<&Scenario> = runs.iter().map(|r| &r.scenario).collect();
                let out = under.join(reports::service::comparison_folder(&scenarios));
                let pairs: Vec<(&Scenario, &Finished)> =
                    runs.iter().map(|r| (&r.scenario, &r.finished)).collect();
                let dir = reports::service::write_comparison_folder(
                    &out,
                    *replace,
                    &pairs,
                    &result.comparisons,
                )?;
                with_report(dir)
            }
            Export::Sweep {
                vary,
                cells,
                under,
                replace,
            } => {
                let base = &cells
                    .first()
                    .ok_or_else(|| GuiError::needs("the sweep has no cells"))?
                    .result
                    .scenario;
                let out = under.join(format!("sweep-{}", base.name));
                let values: Vec<Vec<f64>> = cells.iter().map(|c| c.values.clone()).collect();
                let runs: Vec<_> = cells
                    .iter()
                    .map(|c| (&c.result.scenario, &c.result.finished))
                    .collect();
                let dir =
                    reports::service::write_sweep_folder(&out, *replace, vary, &values, &runs)?;
                with_report(dir)
            }
        }
    }
}

/// What the worker reports.
#[derive(Debug)]
pub enum Event {
    /// A run finished.
    Run(Arc<RunResult>),
    /// The paths of a run finished so far (partial result).
    Partial(Arc<RunResult>),
    /// The reference run of a comparison finished (partial result).
    Reference(Arc<RunResult>),
    /// A comparison finished.
    Compare(Arc<CompareResult>),
    /// A sweep cell finished (partial result); `index` counts from 0.
    Cell {
        /// Cell number.
        index: usize,
        /// The cell.
        cell: Arc<SweepCell>,
    },
    /// Every cell of a sweep finished.
    SweepDone,
    /// A decision log was read by the herding monitor.
    Monitor(Arc<monitor::MonitorReport>),
    /// A chart's files were written (by a [`ChartJob`]).
    ChartWritten(Vec<PathBuf>),
    /// A folder was written (by an [`Export`] job).
    Exported(PathBuf),
    /// A result folder was read (by a [`Job::Open`]).
    Opened(Box<Opened>),
    /// The job failed.
    Failed(GuiError),
    /// The job was cancelled.
    Cancelled,
}

/// Counters shared with the worker thread.
#[derive(Debug, Default)]
pub struct Shared {
    /// Paths finished in the current stage.
    pub done: AtomicU64,
    /// Paths in the current stage.
    pub total: AtomicU64,
    /// Stages (runs) finished.
    pub stages_done: AtomicU64,
    /// Stages in the job.
    pub stages: AtomicU64,
    /// Set by Cancel.
    pub stop: AtomicBool,
}

struct GuiObserver {
    shared: Arc<Shared>,
    ctx: egui::Context,
}

impl Observer for GuiObserver {
    fn path_done(&self, done: u64, total: u64) {
        self.shared.done.store(done, Ordering::Relaxed);
        self.shared.total.store(total, Ordering::Relaxed);
        self.ctx
            .request_repaint_after(std::time::Duration::from_millis(100));
    }

    fn should_stop(&self) -> bool {
        self.shared.stop.load(Ordering::Relaxed)
    }
}

/// A running job.
pub struct Worker {
    /// What it is doing, e.g. `run baseline`.
    pub label: String,
    /// It cannot count its progress (reading a folder): a spinner, not a bar.
    pub indeterminate: bool,
    /// Progress and cancellation.
    pub shared: Arc<Shared>,
    /// When it started.
    pub started: Instant,
    /// Events from the thread.
    pub events: Receiver<Event>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("label", &self.label)
            .finish()
    }
}

/// The command line recorded in manifests of runs started from the app: the `herdlab` command that
/// reproduces the run. A run of an edited scenario names the `scenario.toml` its result folder
/// will hold; exporting records the folder's own ([`crate::provenance::command_line`]).
pub fn command_line(p: &Prepared, edited: bool) -> Vec<String> {
    vec![
        "herdlab".into(),
        "run".into(),
        if edited {
            crate::provenance::SCENARIO_FILE.into()
        } else {
            p.origin.label()
        },
        "--paths".into(),
        p.scenario.run.paths.to_string(),
        "--seed".into(),
        p.scenario.run.seed.to_string(),
    ]
}

/// The first paths of a run of `p` as a run of their own: `run.paths` set to their number in the
/// scenario, the merged TOML and the manifest (with the override recorded), so the result reads,
/// exports and reproduces as the run of that many paths it is.
fn first_paths(p: &Prepared, mut f: Finished) -> (Prepared, Finished) {
    let n = f.paths.len() as u64;
    let mut q = p.clone();
    q.scenario.run.paths = n;
    if let Ok(mut t) = toml::from_str::<toml::Table>(&q.input.toml) {
        let run = t
            .entry("run")
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if let Some(run) = run.as_table_mut() {
            run.insert("paths".into(), toml::Value::Integer(n as i64));
        }
        if let Ok(text) = toml::to_string(&t) {
            q.input.toml = text;
        }
    }
    let m = &mut f.manifest;
    m.paths = n;
    m.shard.end_path = m.shard.first_path + n;
    m.overrides.retain(|o| {
        o.split_once('=')
            .is_none_or(|(k, _)| k.trim() != "run.paths")
    });
    m.overrides.push(format!("run.paths = {n}"));
    q.overrides = m.overrides.clone();
    m.input = q.input.clone();
    if let Ok(v) = serde_json::to_value(&q.scenario) {
        m.scenario = v;
    }
    (q, f)
}

/// The edits of `p` against its origin (read on the worker: it may read a file) and the run's
/// result with its origin recorded honestly.
fn with_provenance(p: &Prepared, mut f: Finished, edits: Vec<String>) -> RunResult {
    f.manifest.scenario_origin = crate::provenance::origin_label(&p.origin.label(), &edits);
    let mut r = RunResult::new(p.scenario.clone(), f);
    r.edits = edits;
    r
}

/// A stage's error: `None` when it was cancelled.
type StageResult<T> = std::result::Result<T, Option<GuiError>>;

fn run_stage(p: &Prepared, options: &RunOptions, obs: &GuiObserver) -> StageResult<RunResult> {
    obs.shared.done.store(0, Ordering::Relaxed);
    obs.shared
        .total
        .store(p.scenario.run.paths, Ordering::Relaxed);
    let edits = crate::provenance::edits(p).map_err(Some)?;
    match run_prepared(p, options, obs, &command_line(p, !edits.is_empty())) {
        Ok(f) => {
            obs.shared.stages_done.fetch_add(1, Ordering::Relaxed);
            Ok(with_provenance(p, f, edits))
        }
        Err(reports::Error::Interrupted) => Err(None),
        Err(e) => Err(Some(e.into())),
    }
}

/// Runs the paths in `chunks` consecutive blocks on one compiled model
/// ([`reports::service::run_prepared_blocks`]), sending the aggregate of the paths done after
/// each block but the last; the result is the same run as [`run_stage`]'s.
fn run_chunked(
    p: &Prepared,
    options: &RunOptions,
    chunks: u64,
    obs: &GuiObserver,
    send: &dyn Fn(Event),
) -> StageResult<RunResult> {
    obs.shared.done.store(0, Ordering::Relaxed);
    let edits = crate::provenance::edits(p).map_err(Some)?;
    let mut between = |manifest: &reports::output::Manifest, paths: &[sim::results::PathResult]| {
        obs.shared.stages_done.fetch_add(1, Ordering::Relaxed);
        obs.shared.done.store(0, Ordering::Relaxed);
        let mut manifest = manifest.clone();
        manifest.finished = reports::output::now_rfc3339();
        let partial = Finished {
            manifest,
            paths: paths.to_vec(),
        };
        let kept = first_paths(p, partial);
        let mut r = with_provenance(&kept.0, kept.1, edits.clone());
        r.interim = Some(p.scenario.run.paths);
        send(Event::Partial(Arc::new(r)));
    };
    let line = command_line(p, !edits.is_empty());
    match run_prepared_blocks(p, options, obs, &line, chunks, &mut between) {
        Ok(f) => {
            obs.shared.stages_done.fetch_add(1, Ordering::Relaxed);
            Ok(with_provenance(p, f, edits.clone()))
        }
        Err(reports::Error::Interrupted) => Err(None),
        Err(e) => Err(Some(e.into())),
    }
}

fn work(job: Job, options: RunOptions, obs: GuiObserver, tx: Sender<Event>) {
    let fail = |e: Option<GuiError>| match e {
        Some(m) => Event::Failed(m),
        None => Event::Cancelled,
    };
    let send = |ev: Event| {
        // The app may have gone away; then nobody needs the result.
        let _ = tx.send(ev);
        obs.ctx.request_repaint();
    };
    match job {
        Job::Run { prepared, chunks } if chunks > 1 => {
            match run_chunked(&prepared, &options, chunks, &obs, &send) {
                Ok(r) => send(Event::Run(Arc::new(r))),
                Err(e) => send(fail(e)),
            }
        }
        Job::Run { prepared, .. } => match run_stage(&prepared, &options, &obs) {
            Ok(r) => send(Event::Run(Arc::new(r))),
            Err(e) => send(fail(e)),
        },
        Job::Compare {
            reference,
            variants,
        } => {
            let a = match run_stage(&reference, &options, &obs) {
                Ok(a) => Arc::new(a),
                Err(e) => return send(fail(e)),
            };
            send(Event::Reference(a.clone()));
            let mut runs = Vec::new();
            for v in &variants {
                match run_stage(v, &options, &obs) {
                    Ok(b) => runs.push(Arc::new(b)),
                    Err(e) => return send(fail(e)),
                }
            }
            match CompareResult::new(a, runs) {
                Ok(c) => send(Event::Compare(Arc::new(c))),
                Err(e) => send(Event::Failed(e)),
            }
        }
        Job::Sweep { vary: _, cells } => {
            for (index, (values, p)) in cells.into_iter().enumerate() {
                match run_stage(&p, &options, &obs) {
                    Ok(result) => send(Event::Cell {
                        index,
                        cell: Arc::new(SweepCell {
                            values,
                            result: Arc::new(result),
                        }),
                    }),
                    Err(e) => return send(fail(e)),
                }
            }
            send(Event::SweepDone);
        }
        Job::Monitor { log, settings } => match reports::service::measure_log(&log, &settings) {
            Ok(r) => send(Event::Monitor(Arc::new(r))),
            Err(e) => send(Event::Failed(e.into())),
        },
        Job::Chart(job) => match (job.draw)() {
            Ok(files) => send(Event::ChartWritten(files)),
            Err(e) => send(Event::Failed(e)),
        },
        Job::Export(export) => match export.write() {
            Ok(dir) => send(Event::Exported(dir)),
            Err(e) => send(Event::Failed(e)),
        },
        Job::Open(dir) => {
            let opened = open_folder(&dir);
            // Reading cannot stop halfway; a folder read after Cancel is dropped.
            if obs.should_stop() {
                return send(Event::Cancelled);
            }
            match opened {
                Ok(o) => send(Event::Opened(Box::new(o))),
                Err(e) => send(Event::Failed(e)),
            }
        }
    }
}

impl Worker {
    /// Starts `job` on a worker thread named `herdlab-worker`.
    pub fn start(
        label: String,
        job: Job,
        options: RunOptions,
        ctx: egui::Context,
    ) -> Result<Worker> {
        let stages = match &job {
            Job::Run { chunks, .. } => (*chunks).max(1),
            Job::Compare { variants, .. } => 1 + variants.len() as u64,
            Job::Sweep { cells, .. } => cells.len() as u64,
            Job::Monitor { .. } | Job::Export(_) | Job::Chart(_) | Job::Open(_) => 1,
        };
        let indeterminate = matches!(job, Job::Open(_));
        let shared = Arc::new(Shared {
            stages: AtomicU64::new(stages),
            ..Shared::default()
        });
        let (tx, rx) = channel();
        let obs = GuiObserver {
            shared: shared.clone(),
            ctx,
        };
        let handle = std::thread::Builder::new()
            .name("herdlab-worker".into())
            .spawn(move || work(job, options, obs, tx))
            .map_err(GuiError::Thread)?;
        Ok(Worker {
            label,
            indeterminate,
            shared,
            started: Instant::now(),
            events: rx,
            handle: Some(handle),
        })
    }

    /// Asks the job to stop; it reports [`Event::Cancelled`] soon after.
    pub fn cancel(&self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }

    /// Fraction done (0 to 1) and an estimate of the seconds left.
    pub fn progress(&self) -> (f32, Option<f64>) {
        let s = &self.shared;
        let stages = s.stages.load(Ordering::Relaxed).max(1) as f64;
        let stage = s.stages_done.load(Ordering::Relaxed) as f64;
        let total = s.total.load(Ordering::Relaxed).max(1) as f64;
        let done = s.done.load(Ordering::Relaxed) as f64;
        let frac = ((stage + (done / total).min(1.0)) / stages).clamp(0.0, 1.0);
        let secs = self.started.elapsed().as_secs_f64();
        let left = (frac > 0.01 && secs > 0.3).then(|| secs * (1.0 - frac) / frac);
        (frac as f32, left)
    }

    /// Whether the thread has finished.
    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.cancel();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
