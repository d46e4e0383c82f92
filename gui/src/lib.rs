//! herdlab desktop app: edit a scenario, run it on a worker thread, explore the results in
//! interactive plots, compare against a variant on common random numbers, sweep parameters, and
//! export charts and result folders identical to the `herdlab` command line's.
//!
//! ```no_run
//! let options = eframe::NativeOptions::default();
//! eframe::run_native(
//!     "herdlab",
//!     options,
//!     Box::new(|cc| Ok(Box::new(herdlab_gui::App::new(cc)))),
//! )
//! .expect("the window opens");
//! ```
//!
//! The app is [`App`]; [`App::show`] draws it into any [`egui::Ui`], which is how the headless
//! tests in `gui/tests/` drive it.

pub mod chart;
pub mod drill;
pub mod editor;
pub mod error;
pub mod figure;
pub mod files;
pub mod names;
pub mod plots;
pub mod provenance;
pub mod view;
pub mod words;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use reports::charts::{
    AttributionChart, FanChart, Formats, HerdingChart, HistogramChart, Labels, NetworkChart,
    Output, RegionNetworkChart, Theme,
};
use reports::sweep::{Assignment, Vary};
use serde::{Deserialize, Serialize};

pub use chart::Chart;
use editor::{Document, Group};
pub use error::{GuiError, Result};
use worker::{ChartJob, CompareResult, Event, Export, Job, Opened, RunResult, SweepCell, Worker};

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// The scenario editor.
    Scenario,
    /// The dashboard and charts of the last run or opened folder.
    Results,
    /// One path of the result, quarter by quarter.
    Drill,
    /// Current scenario against a variant.
    Compare,
    /// A sweep over one or two parameters.
    Sweep,
    /// The herding monitor on a decision log (MODEL.md §10).
    Monitor,
}

/// Image format of an exported chart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChartFormat {
    /// PNG bitmap.
    Png,
    /// SVG vector drawing.
    Svg,
}

/// What is remembered between sessions (window size and panel layout are kept by eframe and egui
/// themselves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    /// The view shown.
    pub view: View,
    /// The editor panel shown.
    pub group: Group,
    /// The scenario open last: a bundled name or a file path.
    pub last_scenario: Option<String>,
    /// Scenario files opened or saved, newest first.
    pub recent_files: Vec<String>,
    /// Result folders opened or written, newest first.
    pub recent_results: Vec<String>,
    /// Folder under which result folders and charts are exported.
    pub output_dir: String,
    /// Paths of the next run (empty: the scenario's).
    pub paths: String,
    /// Seed of the next run (empty: the scenario's).
    pub seed: String,
    /// Scenario file path typed in the Open field.
    pub open_path: String,
    /// Path typed in the Save as field.
    pub save_path: String,
    /// Result folder typed in the Open result field.
    pub result_path: String,
    /// Comparison variants: bundled names or files, each compared with the reference.
    pub variants: Vec<String>,
    /// First swept parameter (field path).
    pub sweep_x: String,
    /// Its values (`a:b:n` or a list).
    pub sweep_x_values: String,
    /// Second swept parameter (empty: one-parameter sweep).
    pub sweep_y: String,
    /// Its values.
    pub sweep_y_values: String,
    /// Headline measure shown in sweep charts.
    pub sweep_measure: String,
    /// Format of exported charts.
    pub chart_format: ChartFormat,
    /// Replace an existing result folder on export.
    pub replace: bool,
    /// Decision log read by the Monitor view (CSV or Parquet).
    pub monitor_log: String,
    /// The monitor's alarm measure (a name of `monitor::Measure::NAMES`).
    pub monitor_measure: String,
    /// Its alarm threshold, as typed.
    pub monitor_threshold: String,
    /// Quarters over the threshold before the alarm is raised, as typed.
    pub monitor_persistence: String,
}

impl Default for State {
    fn default() -> Self {
        State {
            view: View::Scenario,
            group: Group::Run,
            last_scenario: None,
            recent_files: Vec::new(),
            recent_results: Vec::new(),
            output_dir: "results".into(),
            paths: "200".into(),
            seed: String::new(),
            open_path: String::new(),
            save_path: String::new(),
            result_path: String::new(),
            variants: vec!["regional-monoculture-diverse".into()],
            sweep_x: names::param::MODELS_SIMILARITY.into(),
            sweep_x_values: "0:1:5".into(),
            sweep_y: String::new(),
            sweep_y_values: String::new(),
            sweep_measure: names::measure::CREDIT_GAP.into(),
            chart_format: ChartFormat::Png,
            replace: false,
            monitor_log: String::new(),
            monitor_measure: "shared-model-excess".into(),
            monitor_threshold: "0.06".into(),
            monitor_persistence: "2".into(),
        }
    }
}

/// Every user action, handled in one place ([`App::handle`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a scenario (bundled name or file); asks first when there are unsaved changes.
    OpenScenario(String),
    /// Save to the file it came from.
    Save,
    /// Save to a new file.
    SaveAs(PathBuf),
    /// Apply the TOML editor's text.
    ApplyRaw,
    /// Run the current scenario.
    Run,
    /// Run the current scenario against the variant.
    Compare,
    /// Run the sweep.
    Sweep,
    /// Stop the running job; nothing is kept.
    Cancel,
    /// Swap the reference and the variant shown (a finished comparison at once; the editor
    /// opens the variant, which becomes the reference of the next run).
    SwapCompare,
    /// Run the documented case: `regional-monoculture` against its diverse twin, shown as the
    /// east's credit gap fan charts overlaid with their paired difference.
    DocumentedCase,
    /// Stop the running run and keep the paths finished so far (the blocks done) as a run of
    /// that many paths, marked interim.
    StopKeep,
    /// Open a result folder.
    OpenResult(PathBuf),
    /// Export one chart of the current result.
    ExportChart(Chart),
    /// Export the current result as a result folder with `report.html`.
    ExportFolder,
    /// Export the last comparison as a comparison folder with `report.html`.
    ExportComparison,
    /// Export the finished sweep as a sweep folder with `report.html`.
    ExportSweep,
    /// Export the comparison chart (paired differences with intervals).
    ExportCompareChart,
    /// Export the sweep's line chart or heatmap of the measure shown.
    ExportSweepChart,
    /// Read the decision log of the Monitor view.
    Monitor,
    /// Export the monitor's result folder (as `herdlab monitor` writes it).
    ExportMonitor,
    /// Show sweep cell `i` in the Results view.
    OpenSweepCell(usize),
    /// Open the file dialog for a purpose.
    Browse(files::Purpose),
    /// Discard unsaved changes and do the pending action.
    Discard,
    /// Keep editing (forget the pending action).
    KeepEditing,
    /// Close the window (after the unsaved-changes question).
    Quit,
}

/// Which folder an export job writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exporting {
    Run,
    Comparison,
    Sweep,
    Monitor,
    Chart,
}

impl Exporting {
    fn noun(self) -> &'static str {
        match self {
            Exporting::Run => "result folder",
            Exporting::Comparison => "comparison folder",
            Exporting::Sweep => "sweep folder",
            Exporting::Monitor => "monitor folder",
            Exporting::Chart => "chart",
        }
    }
}

/// A message in the status bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// The text.
    pub text: String,
    /// Whether it reports a failure.
    pub error: bool,
}

/// The charts of one run, built once from its aggregates with the `reports` crate's builders.
#[derive(Debug, Default)]
pub struct RunCharts {
    /// Fan charts of quarter measures.
    pub fans: Vec<(Chart, FanChart)>,
    /// Credit gap share by region.
    pub regions: Option<FanChart>,
    /// Histograms of path measures.
    pub histograms: Vec<(Chart, HistogramChart)>,
    /// Herding against independence baselines.
    pub herding: Option<HerdingChart>,
    /// Losses by channel per quarter and per bank.
    pub attribution: Vec<(Chart, AttributionChart)>,
    /// The interbank network.
    pub network: Option<NetworkChart>,
    /// The interbank network by home region (banks based in two or more regions), as `herdlab
    /// report` draws it.
    pub network_regions: Option<RegionNetworkChart>,
    /// Charts that could not be built, with why.
    pub problems: Vec<String>,
}

impl RunCharts {
    /// Builds every chart of `r`, as `herdlab report` does.
    pub fn build(r: &RunResult) -> RunCharts {
        use reports::charts as c;
        let labels = Labels::from_scenario(&r.scenario);
        let agg = &r.aggregates;
        let mut out = RunCharts::default();
        for (chart, m) in Chart::FANS {
            match c::fan_from_aggregates(agg, m, &labels) {
                Ok(ch) => out.fans.push((chart, ch)),
                Err(e) => out.problems.push(format!("{m}: {e}")),
            }
        }
        if sim::scenario::moving::any_on(&r.scenario.models) {
            match c::fan_from_aggregates(agg, names::measure::EFFECTIVE_FAMILIES, &labels) {
                Ok(ch) => out.fans.push((Chart::ModelFamilies, ch)),
                Err(e) => out.problems.push(format!("model families: {e}")),
            }
        }
        if r.scenario.regions.len() > 1 {
            match c::region_gap_fan(agg, &labels) {
                Ok(ch) => out.regions = Some(ch),
                Err(e) => out.problems.push(format!("regions: {e}")),
            }
        }
        for (chart, m) in Chart::HISTOGRAMS {
            match c::histogram_from_paths(&r.finished.paths, m, &labels) {
                Ok(ch) => out.histograms.push((chart, ch)),
                Err(e) => out.problems.push(format!("{m}: {e}")),
            }
        }
        match c::herding_from_aggregates(agg, &labels) {
            Ok(ch) => out.herding = Some(ch),
            Err(e) => out.problems.push(format!("herding: {e}")),
        }
        match c::attribution_from_aggregates(agg, &labels) {
            Ok(ch) => out.attribution.push((Chart::LossesByChannel, ch)),
            Err(e) => out.problems.push(format!("attribution: {e}")),
        }
        match c::attribution_from_paths(&r.scenario, &r.finished.paths, &labels, 12) {
            Ok(ch) => out.attribution.push((Chart::LossesByBank, ch)),
            Err(e) => out.problems.push(format!("attribution by bank: {e}")),
        }
        let dir = r.folder.clone().unwrap_or_default();
        match reports::report::network_of(&r.scenario, agg, &labels, &dir) {
            Ok(n) => out.network = n.map(|(ch, _)| ch),
            Err(e) => out.problems.push(format!("network: {e}")),
        }
        if let Some(net) = &out.network
            && c::RegionGroups::of(&r.scenario).len() > 1
        {
            match c::network_by_region(&r.scenario, net, &c::failure_probabilities(agg), &labels) {
                Ok(ch) if ch.has_data() => out.network_regions = Some(ch),
                Ok(_) => {}
                Err(e) => out.problems.push(format!("network by region: {e}")),
            }
        }
        out
    }

    /// Every chart this run has, in display order.
    pub fn list(&self) -> Vec<Chart> {
        Chart::ALL
            .into_iter()
            .filter(|c| match c {
                Chart::CreditGapByRegion => self.regions.is_some(),
                Chart::Herding => self.herding.is_some(),
                Chart::Network => self.network.is_some(),
                Chart::NetworkByRegion => self.network_regions.is_some(),
                other => {
                    self.fans.iter().any(|(x, _)| x == other)
                        || self.histograms.iter().any(|(x, _)| x == other)
                        || self.attribution.iter().any(|(x, _)| x == other)
                }
            })
            .collect()
    }

    /// Writes `chart` into `dir` in `output`'s formats (with the CSV behind it) using the same
    /// drawing code and file stem as `herdlab report`; returns the files written.
    pub fn export(&self, chart: Chart, dir: &Path, output: &Output) -> Result<Vec<PathBuf>> {
        use reports::charts as c;
        let theme = Theme::default();
        let stem = chart.stem();
        let missing = || GuiError::NoChart(chart);
        let written = if let Some((_, ch)) = self.fans.iter().find(|(s, _)| *s == chart) {
            c::fan_chart(ch, dir, stem, output, &theme)
        } else if let Some((_, ch)) = self.histograms.iter().find(|(s, _)| *s == chart) {
            c::histogram_chart(ch, dir, stem, output, &theme)
        } else if let Some((_, ch)) = self.attribution.iter().find(|(s, _)| *s == chart) {
            c::attribution_chart(ch, dir, stem, output, &theme)
        } else {
            match chart {
                Chart::CreditGapByRegion => c::fan_chart(
                    self.regions.as_ref().ok_or_else(missing)?,
                    dir,
                    stem,
                    output,
                    &theme,
                ),
                Chart::Herding => c::herding_chart(
                    self.herding.as_ref().ok_or_else(missing)?,
                    dir,
                    stem,
                    output,
                    &theme,
                ),
                Chart::Network => c::network_chart(
                    self.network.as_ref().ok_or_else(missing)?,
                    dir,
                    stem,
                    output,
                    &theme,
                ),
                Chart::NetworkByRegion => c::region_network_chart(
                    self.network_regions.as_ref().ok_or_else(missing)?,
                    dir,
                    stem,
                    output,
                    &theme,
                ),
                _ => return Err(missing()),
            }
        };
        Ok(written?)
    }
}

/// The documented case: the reference (the diverse twin) and the variant (the monoculture),
/// as `herdlab compare scenarios/regional-monoculture-diverse.toml scenarios/regional-monoculture.toml`.
pub const DOCUMENTED_CASE: (&str, &str) = ("regional-monoculture-diverse", "regional-monoculture");

/// The most cells a sweep in the app may have.
const MAX_SWEEP_CELLS: usize = 400;

/// The cells of a sweep job: each cell's parameter values and its prepared scenario.
type SweepCells = Vec<(Vec<f64>, reports::service::Prepared)>;

/// A sweep in progress or done.
#[derive(Debug)]
pub struct SweepState {
    /// The varied parameters.
    pub vary: Vec<Vary>,
    /// One slot per cell, filled as cells finish.
    pub cells: Vec<Option<Arc<SweepCell>>>,
    /// Every cell has finished.
    pub done: bool,
}

/// The chart of a sweep: a line over one parameter or a grid over two.
#[derive(Clone, Debug)]
pub enum SweepChart {
    /// One parameter.
    Line(reports::charts::SweepLines),
    /// Two parameters.
    Grid(reports::charts::SweepGrid),
}

impl SweepState {
    /// The chart of headline measure `measure` over the cells finished so far (NaN elsewhere).
    pub fn chart(&self, measure: &str) -> Option<SweepChart> {
        let value = |i: usize| -> (f64, f64, f64) {
            self.cells
                .get(i)
                .and_then(|c| c.as_ref())
                .and_then(|c| reports::output::headline(&c.result.aggregates, measure))
                .map(|(m, _, lo, hi)| (m, lo, hi))
                .unwrap_or((f64::NAN, f64::NAN, f64::NAN))
        };
        let scenario = self
            .cells
            .iter()
            .flatten()
            .next()
            .map(|c| c.result.scenario.name.clone())
            .unwrap_or_default();
        match self.vary.as_slice() {
            [x] => {
                let (mut mean, mut lo, mut hi) = (Vec::new(), Vec::new(), Vec::new());
                for i in 0..x.values.len() {
                    let (m, l, h) = value(i);
                    mean.push(m);
                    lo.push(l);
                    hi.push(h);
                }
                Some(SweepChart::Line(reports::charts::SweepLines {
                    title: format!("{measure} against {} - {scenario}", x.path),
                    subtitle: Some("Mean across paths with its 95% interval".into()),
                    note: None,
                    param: x.path.to_string(),
                    values: x.values.clone(),
                    y_label: measure.to_string(),
                    band_label: "95% interval".into(),
                    series: vec![reports::charts::SweepSeries {
                        name: measure.to_string(),
                        mean,
                        low: Some(lo),
                        high: Some(hi),
                    }],
                }))
            }
            [x, y] => {
                let (nx, ny) = (x.values.len(), y.values.len());
                // Cells run with x slowest: cell = xi * ny + yi.
                let grid = |k: usize| -> Vec<Vec<f64>> {
                    (0..ny)
                        .map(|yi| {
                            (0..nx)
                                .map(|xi| {
                                    let v = value(xi * ny + yi);
                                    [v.0, v.1, v.2][k]
                                })
                                .collect()
                        })
                        .collect()
                };
                Some(SweepChart::Grid(reports::charts::SweepGrid {
                    title: format!("{measure}: mean per cell - {scenario}"),
                    subtitle: None,
                    note: None,
                    x_param: x.path.to_string(),
                    x_values: x.values.clone(),
                    y_param: y.path.to_string(),
                    y_values: y.values.clone(),
                    measure: measure.to_string(),
                    values: grid(0),
                    low: Some(grid(1)),
                    high: Some(grid(2)),
                }))
            }
            _ => None,
        }
    }
}

/// How many blocks a run of `paths` goes in: blocks of at least `block_paths` paths, at most 10.
fn run_blocks(paths: u64, block_paths: u64) -> u64 {
    (paths / block_paths.max(1)).clamp(1, 10)
}

/// Settings that are not remembered: where tests redirect things.
#[derive(Clone, Debug)]
pub struct Options {
    /// Save [`State`] between sessions.
    pub persist: bool,
    /// Threads per run (`None`: every core).
    pub threads: Option<usize>,
    /// A run of at least twice this many paths is run in blocks of at least this many (at most
    /// 10 blocks), with estimates shown after each, and "Stop, keep finished" keeps the blocks
    /// done. 20 by default: a block waits for its slowest path, which costs a few per cent at
    /// 20 paths a block on two cores.
    pub block_paths: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            persist: true,
            threads: None,
            block_paths: 20,
        }
    }
}

/// The application.
pub struct App {
    /// Remembered settings.
    pub state: State,
    /// Runtime settings.
    pub options: Options,
    /// The scenario being edited.
    pub doc: Option<Document>,
    /// The run shown in the Results view (shared with the worker, never copied).
    pub result: Option<Arc<RunResult>>,
    /// The folder it was last exported to, if any.
    pub result_folder: Option<PathBuf>,
    /// Its charts (shared with chart export jobs).
    pub charts: Arc<RunCharts>,
    /// The chart shown.
    pub chart: Option<Chart>,
    /// The last comparison (or its finished reference while the variant runs).
    pub compare: Option<Arc<CompareResult>>,
    /// Estimates from the paths of the running run finished so far.
    pub partial: Option<Arc<RunResult>>,
    /// How many partial results the current or last run showed.
    pub partial_updates: usize,
    /// The reference of a comparison still running.
    pub compare_partial: Option<Arc<RunResult>>,
    /// The open file dialog, if any.
    pub file_dialog: Option<files::FileDialog>,
    /// The path and quarter the drill-down shows.
    pub drill: drill::Cursor,
    /// The variant of the comparison shown (an index into its variants).
    pub compare_shown: usize,
    /// The region the comparison figure shows (`None`: every region as small multiples).
    pub compare_region: Option<String>,
    /// The Compare view shows the table of every measure rather than the figure.
    pub compare_table: bool,
    /// The figure of the comparison shown, keyed by the comparison and variant it is of.
    pub overlay: Option<((usize, usize), std::result::Result<figure::Overlay, String>)>,
    /// What the running export job writes (for its message when it is done).
    exporting: Option<Exporting>,
    /// The result folder being read on the worker, if any.
    pub opening: Option<PathBuf>,
    /// The last sweep.
    pub sweep: Option<SweepState>,
    /// The last decision log read by the monitor (shared with the worker, never copied).
    pub monitor: Option<Arc<monitor::MonitorReport>>,
    /// Its charts, each with its file stem (the charts `herdlab monitor` writes).
    pub monitor_charts: Vec<(&'static str, reports::charts::FanChart)>,
    /// The running job.
    pub worker: Option<Worker>,
    /// The status bar message.
    pub status: Option<Status>,
    /// An action waiting for the unsaved-changes answer.
    pub pending: Option<Command>,
    /// Close was allowed (after the unsaved-changes question).
    pub quitting: bool,
    /// Keep the finished paths when the running run stops ([`Command::StopKeep`]).
    keep_on_stop: bool,
    /// The scenario table the result shown was run from (`None`: opened from a folder), to say
    /// when the editor has changed since.
    pub result_table: Option<toml::Table>,
    commands: Vec<Command>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("state", &self.state)
            .field("status", &self.status)
            .finish()
    }
}

/// Creates `dir` (and its parents) and returns it.
fn make_dir(dir: PathBuf) -> Result<PathBuf> {
    std::fs::create_dir_all(&dir).map_err(|source| GuiError::Io {
        path: dir.clone(),
        source,
    })?;
    Ok(dir)
}

/// The scenario names of some runs, `a, b`.
fn names_of(runs: &[Arc<RunResult>]) -> String {
    runs.iter()
        .map(|r| r.scenario.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_recent(list: &mut Vec<String>, item: String) {
    list.retain(|x| *x != item);
    list.insert(0, item);
    list.truncate(10);
}

impl App {
    /// The app as eframe starts it: state restored from storage, last scenario reopened.
    pub fn new(cc: &eframe::CreationContext<'_>) -> App {
        let state: State = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        App::with_state(state, Options::default())
    }

    /// The app with the given state and options (tests pass persistence off).
    pub fn with_state(state: State, options: Options) -> App {
        let mut app = App {
            state,
            options,
            doc: None,
            result: None,
            result_folder: None,
            charts: Arc::new(RunCharts::default()),
            chart: None,
            exporting: None,
            opening: None,
            compare: None,
            compare_partial: None,
            drill: drill::Cursor::default(),
            file_dialog: None,
            compare_shown: 0,
            compare_region: None,
            compare_table: false,
            overlay: None,
            partial: None,
            partial_updates: 0,
            sweep: None,
            monitor: None,
            monitor_charts: Vec::new(),
            worker: None,
            status: None,
            pending: None,
            quitting: false,
            keep_on_stop: false,
            result_table: None,
            commands: Vec::new(),
        };
        let last = app
            .state
            .last_scenario
            .clone()
            .unwrap_or_else(|| "regional-monoculture".into());
        app.open_now(&last);
        app
    }

    /// Queues a command; it runs at the end of the frame.
    pub fn command(&mut self, c: Command) {
        self.commands.push(c);
    }

    /// Whether a job is running.
    pub fn busy(&self) -> bool {
        self.worker.is_some()
    }

    fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    fn open_now(&mut self, arg: &str) {
        if arg.trim().is_empty() {
            self.error("type a scenario file's path first, or pick a bundled scenario".to_string());
            return;
        }
        match Document::open(arg) {
            Ok(doc) => {
                self.info(format!("opened {}", doc.source.label()));
                if let Some(f) = &doc.source.file {
                    push_recent(&mut self.state.recent_files, f.display().to_string());
                }
                self.state.last_scenario = Some(arg.to_string());
                self.doc = Some(doc);
            }
            // The message names the file already.
            Err(e) => self.error(format!("cannot open: {e}")),
        }
    }

    /// The `--paths`/`--seed` overrides from the run settings, as the CLI builds them.
    fn run_overrides(&self) -> Result<Vec<Assignment>> {
        let parse = |name: &str, t: &str| -> Result<Option<u64>> {
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.replace('_', "").parse::<u64>().map(Some).map_err(|_| {
                GuiError::needs(format!("{name} `{t}` is not a whole number of at least 0"))
            })
        };
        let settings = reports::service::RunSettings {
            paths: parse("paths", &self.state.paths)?,
            seed: parse("seed", &self.state.seed)?,
            ..Default::default()
        };
        Ok(settings.overrides()?)
    }

    fn run_options(&self) -> sim::montecarlo::RunOptions {
        sim::montecarlo::RunOptions {
            threads: self.options.threads,
            ..reports::service::default_options()
        }
    }

    fn start(&mut self, ctx: &egui::Context, label: String, job: Job) {
        match Worker::start(label.clone(), job, self.run_options(), ctx.clone()) {
            Ok(w) => {
                self.worker = Some(w);
                self.info(format!("{label}..."));
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    fn prepared(&self, extra: &[Assignment]) -> Result<reports::service::Prepared> {
        let doc = self
            .doc
            .as_ref()
            .ok_or_else(|| GuiError::needs("open a scenario first"))?;
        if let Some((k, e)) = doc.errors.iter().next() {
            return Err(GuiError::needs(format!("fix {k} first: {e}")));
        }
        let mut all = self.run_overrides()?;
        all.extend(extra.iter().cloned());
        doc.prepare(&all)
    }

    fn set_result(&mut self, r: Arc<RunResult>) {
        let charts = Arc::new(RunCharts::build(&r));
        self.set_result_with(r, charts);
    }

    /// Shows `r` with its charts already built (on the worker).
    fn set_result_with(&mut self, r: Arc<RunResult>, charts: Arc<RunCharts>) {
        self.charts = charts;
        let list = self.charts.list();
        if !self.chart.is_some_and(|c| list.contains(&c)) {
            self.chart = list.first().copied();
        }
        self.result_folder = r.folder.clone();
        self.result = Some(r);
    }

    /// Starts an export job (folders are written on the worker, not in the frame).
    fn export(&mut self, ctx: &egui::Context, what: Exporting, export: Export) {
        if self.busy() {
            return self.error("wait for the running job to finish, or cancel it, then export");
        }
        self.exporting = Some(what);
        self.start(
            ctx,
            format!("writing the {}", what.noun()),
            Job::Export(export),
        );
    }

    /// Handles every queued command. Called once per frame.
    pub fn handle(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        for c in commands {
            self.handle_one(ctx, c);
        }
    }

    fn handle_one(&mut self, ctx: &egui::Context, c: Command) {
        let dirty = self.doc.as_ref().is_some_and(|d| d.dirty);
        match c {
            Command::OpenScenario(arg) => {
                if dirty {
                    self.pending = Some(Command::OpenScenario(arg));
                } else {
                    self.open_now(&arg);
                }
            }
            Command::Quit => {
                if dirty && !self.quitting {
                    self.pending = Some(Command::Quit);
                } else {
                    self.quitting = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Command::Discard => {
                if let Some(d) = &mut self.doc {
                    d.dirty = false;
                }
                if let Some(p) = self.pending.take() {
                    if p == Command::Quit {
                        self.quitting = true;
                    }
                    self.handle_one(ctx, p);
                }
            }
            Command::KeepEditing => self.pending = None,
            Command::Save => {
                let file = self.doc.as_ref().and_then(|d| d.source.file.clone());
                match file {
                    Some(f) => self.handle_one(ctx, Command::SaveAs(f)),
                    None => self.error(
                        "a bundled scenario has no file yet: type a file name under Save as",
                    ),
                }
            }
            Command::SaveAs(path) => {
                let Some(doc) = &mut self.doc else { return };
                match doc.save_as(&path) {
                    Ok(()) => {
                        let p = path.display().to_string();
                        push_recent(&mut self.state.recent_files, p.clone());
                        self.state.last_scenario = Some(p.clone());
                        self.info(format!("saved {p}"));
                    }
                    Err(e) => self.error(format!("not saved: {e}")),
                }
            }
            Command::ApplyRaw => {
                let Some(doc) = &mut self.doc else { return };
                let text = doc.raw.clone().unwrap_or_default();
                match toml::from_str::<toml::Table>(&text) {
                    Ok(t) => {
                        doc.replace_table(t);
                        doc.raw = None;
                        self.info("TOML applied");
                    }
                    Err(e) => self.error(format!("TOML not applied: {e}")),
                }
            }
            Command::Run => {
                if self.busy() {
                    return;
                }
                match self.prepared(&[]) {
                    Ok(p) => {
                        let label = format!(
                            "running {} ({} paths, seed {})",
                            p.scenario.name, p.scenario.run.paths, p.scenario.run.seed
                        );
                        self.state.view = View::Results;
                        self.result_table = self.doc.as_ref().map(|d| d.table.clone());
                        let chunks = run_blocks(p.scenario.run.paths, self.options.block_paths);
                        self.partial = None;
                        self.partial_updates = 0;
                        self.start(
                            ctx,
                            label,
                            Job::Run {
                                prepared: Box::new(p),
                                chunks,
                            },
                        );
                    }
                    Err(e) => self.error(format!("cannot run: {e}")),
                }
            }
            Command::Compare => {
                if self.busy() {
                    return;
                }
                let reference = match self.prepared(&[]) {
                    Ok(p) => p,
                    Err(e) => return self.error(format!("cannot compare: {e}")),
                };
                // Common random numbers: every variant runs on the reference's paths and seed.
                let variants: reports::Result<Vec<reports::service::Prepared>> = self
                    .state
                    .variants
                    .iter()
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .map(|v| {
                        let same = reports::service::crn_overrides(&reference.scenario)?;
                        reports::service::prepare(reports::input::Origin::resolve(v)?, &same, "")
                    })
                    .collect();
                match variants {
                    Ok(v) if v.is_empty() => {
                        self.error("cannot compare: add a variant (a bundled name or a file)")
                    }
                    Ok(v) => {
                        let label = format!(
                            "comparing {} with {} ({} paths, seed {})",
                            v.iter()
                                .map(|p| p.scenario.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                            reference.scenario.name,
                            reference.scenario.run.paths,
                            reference.scenario.run.seed
                        );
                        self.compare = None;
                        self.compare_partial = None;
                        self.compare_shown = 0;
                        self.state.view = View::Compare;
                        self.start(
                            ctx,
                            label,
                            Job::Compare {
                                reference: Box::new(reference),
                                variants: v,
                            },
                        );
                    }
                    Err(e) => self.error(format!("cannot compare: {e}")),
                }
            }
            Command::SwapCompare => {
                // A finished comparison is swapped at once (the same paths, differences of the
                // other sign); the editor and the variant list follow, for the next run.
                if let Some(c) = &self.compare {
                    match c.swapped(self.compare_shown) {
                        Ok(s) => {
                            self.info(format!(
                                "swapped: {} is now the reference",
                                s.reference.scenario.name
                            ));
                            self.compare = Some(Arc::new(s));
                            self.overlay = None;
                        }
                        Err(e) => return self.error(format!("not swapped: {e}")),
                    }
                }
                let i = self
                    .compare_shown
                    .min(self.state.variants.len().saturating_sub(1));
                let Some(variant) = self.state.variants.get(i).cloned() else {
                    return self.error("not swapped: add a variant first");
                };
                let reference = self.doc.as_ref().map(|d| match &d.source.origin {
                    reports::input::Origin::Bundled(b) => b.name.to_string(),
                    reports::input::Origin::File(p) => p.display().to_string(),
                });
                if let Some(r) = reference {
                    self.state.variants[i] = r;
                }
                self.handle_one(ctx, Command::OpenScenario(variant));
            }
            Command::DocumentedCase => {
                // The documented case (README, scenarios/regional-monoculture.toml): the east's
                // credit gap, the monoculture against its diverse twin on common random numbers.
                if dirty {
                    self.pending = Some(Command::DocumentedCase);
                    return;
                }
                self.open_now(DOCUMENTED_CASE.0);
                self.state.variants = vec![DOCUMENTED_CASE.1.into()];
                self.compare_region = Some("east".into());
                self.handle_one(ctx, Command::Compare);
            }
            Command::Sweep => {
                if self.busy() {
                    return;
                }
                match self.sweep_job() {
                    Ok((vary, cells)) => {
                        let n = cells.len();
                        self.sweep = Some(SweepState {
                            vary: vary.clone(),
                            cells: (0..n).map(|_| None).collect(),
                            done: false,
                        });
                        self.start(
                            ctx,
                            format!("sweeping {n} cells"),
                            Job::Sweep { vary, cells },
                        );
                    }
                    Err(e) => self.error(format!("cannot sweep: {e}")),
                }
            }
            Command::Cancel => {
                if let Some(w) = &self.worker {
                    w.cancel();
                    self.keep_on_stop = false;
                    self.info("cancelling...");
                }
            }
            Command::StopKeep => {
                if let Some(w) = &self.worker {
                    w.cancel();
                    self.keep_on_stop = true;
                    self.info("stopping; the paths finished are kept...");
                }
            }
            Command::OpenResult(dir) => self.open_result(ctx, &dir),
            Command::Browse(purpose) => {
                let start = match purpose {
                    files::Purpose::OpenScenario | files::Purpose::SaveScenario => self
                        .doc
                        .as_ref()
                        .and_then(|d| d.source.file.clone())
                        .or_else(|| self.state.recent_files.first().map(PathBuf::from))
                        .and_then(|f| f.parent().map(Path::to_path_buf))
                        .unwrap_or_else(|| PathBuf::from(".")),
                    files::Purpose::OpenResult | files::Purpose::ExportUnder => {
                        PathBuf::from(&self.state.output_dir)
                    }
                    files::Purpose::DecisionLog => Path::new(&self.state.monitor_log)
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| PathBuf::from(".")),
                };
                let start = if start.as_os_str().is_empty() || !start.is_dir() {
                    PathBuf::from(".")
                } else {
                    start
                };
                self.file_dialog = Some(files::FileDialog::new(purpose, &start));
            }
            Command::ExportCompareChart => {
                let Some(c) = &self.compare else {
                    return self
                        .error("chart not exported: nothing to export: run a comparison first");
                };
                let i = self.compare_shown.min(c.variants.len().saturating_sub(1));
                let (Some(variant), Some(comparison)) = (c.variants.get(i), c.comparisons.get(i))
                else {
                    return self.error("chart not exported: the comparison has no variant");
                };
                let chart = match reports::charts::comparison_from(
                    comparison,
                    &[],
                    &Labels::from_scenario(&c.reference.scenario),
                    &Labels::from_scenario(&variant.scenario),
                ) {
                    Ok(chart) => chart,
                    Err(e) => return self.error(format!("chart not exported: {e}")),
                };
                let dir = self.chart_dir(&format!(
                    "compare-{}-{}",
                    c.reference.scenario.name, variant.scenario.name
                ));
                let out = self.chart_output();
                self.export_chart(ctx, "the comparison chart".into(), move || {
                    Ok(reports::charts::comparison_chart(
                        &chart,
                        &make_dir(dir)?,
                        "comparison",
                        &out,
                        &Theme::default(),
                    )?)
                });
            }
            Command::ExportSweepChart => {
                let measure = self.state.sweep_measure.clone();
                let (chart, name) = match &self.sweep {
                    Some(s) if s.done => match s.chart(&measure) {
                        Some(chart) => {
                            let name = s
                                .cells
                                .iter()
                                .flatten()
                                .next()
                                .map(|c| c.result.scenario.name.clone())
                                .unwrap_or_default();
                            (chart, name)
                        }
                        None => return self.error("chart not exported: no chart for this sweep"),
                    },
                    Some(_) => {
                        return self.error("chart not exported: the sweep has not finished");
                    }
                    None => {
                        return self
                            .error("chart not exported: nothing to export: run a sweep first");
                    }
                };
                let stem = format!("sweep-{measure}");
                let out = self.chart_output();
                let dir = self.chart_dir(&format!("sweep-{name}"));
                self.export_chart(ctx, format!("the sweep chart of {measure}"), move || {
                    let dir = make_dir(dir)?;
                    Ok(match &chart {
                        SweepChart::Line(c) => {
                            reports::charts::sweep_line(c, &dir, &stem, &out, &Theme::default())
                        }
                        SweepChart::Grid(c) => {
                            reports::charts::sweep_heatmap(c, &dir, &stem, &out, &Theme::default())
                        }
                    }?)
                });
            }
            Command::ExportChart(chart) => {
                let Some(r) = &self.result else {
                    return self.error("nothing to export: run a scenario first");
                };
                let (charts, out) = (self.charts.clone(), self.chart_output());
                let dir = self.chart_dir(&r.scenario.name);
                self.export_chart(ctx, chart.title().to_string(), move || {
                    charts.export(chart, &make_dir(dir)?, &out)
                });
            }
            Command::ExportFolder => {
                let Some(r) = &self.result else {
                    return self.error("nothing to export: run a scenario first");
                };
                let export = Export::Run {
                    out: Path::new(&self.state.output_dir).join(&r.scenario.name),
                    result: r.clone(),
                    replace: self.state.replace,
                };
                self.export(ctx, Exporting::Run, export);
            }
            Command::ExportComparison => {
                let Some(c) = &self.compare else {
                    return self.error("not exported: nothing to export: run a comparison first");
                };
                let export = Export::Comparison {
                    result: c.clone(),
                    under: PathBuf::from(&self.state.output_dir),
                    replace: self.state.replace,
                };
                self.export(ctx, Exporting::Comparison, export);
            }
            Command::ExportSweep => {
                let cells = match &self.sweep {
                    Some(s) if s.done => s.cells.iter().flatten().cloned().collect::<Vec<_>>(),
                    Some(_) => return self.error("not exported: the sweep has not finished"),
                    None => {
                        return self.error("not exported: nothing to export: run a sweep first");
                    }
                };
                let Some(s) = &self.sweep else { return };
                if cells.len() != s.cells.len() || cells.is_empty() {
                    return self.error("not exported: the sweep has unfinished cells");
                }
                let export = Export::Sweep {
                    vary: s.vary.clone(),
                    cells,
                    under: PathBuf::from(&self.state.output_dir),
                    replace: self.state.replace,
                };
                self.export(ctx, Exporting::Sweep, export);
            }
            Command::Monitor => {
                if self.busy() {
                    return;
                }
                match self.monitor_settings() {
                    Ok((log, settings)) => {
                        self.state.view = View::Monitor;
                        self.start(
                            ctx,
                            format!("reading {}", log.display()),
                            Job::Monitor { log, settings },
                        );
                    }
                    Err(e) => self.error(format!("cannot read the log: {e}")),
                }
            }
            Command::ExportMonitor => {
                let Some(r) = &self.monitor else {
                    return self.error("not exported: nothing to export: read a log first");
                };
                let stem = r
                    .log
                    .file_stem()
                    .map_or_else(|| "log".into(), |s| s.to_string_lossy().into_owned());
                let export = Export::Monitor {
                    report: r.clone(),
                    out: Path::new(&self.state.output_dir).join(format!("monitor-{stem}")),
                    replace: self.state.replace,
                };
                self.export(ctx, Exporting::Monitor, export);
            }
            Command::OpenSweepCell(i) => {
                let cell = self
                    .sweep
                    .as_ref()
                    .and_then(|s| s.cells.get(i))
                    .and_then(|c| c.as_ref());
                if let Some(c) = cell {
                    let shown = c.result.clone();
                    let what = c
                        .values
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.set_result(shown);
                    self.result_table = None;
                    self.state.view = View::Results;
                    self.info(format!("showing sweep cell {} ({what})", i + 1));
                }
            }
        }
    }

    /// The Monitor view's log and settings, checked: the default measures with the alarm rule
    /// typed (measure, threshold, persistence; lag 1).
    fn monitor_settings(&self) -> Result<(PathBuf, monitor::Settings)> {
        let log = self.state.monitor_log.trim();
        if log.is_empty() {
            return Err(GuiError::needs(
                "type the path of a decision log (CSV or Parquet) under Log",
            ));
        }
        let measure = monitor::Measure::from_name(self.state.monitor_measure.trim())
            .map_err(|e| GuiError::needs(e.to_string()))?;
        let t = self.state.monitor_threshold.trim();
        let threshold: f64 = t
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| GuiError::needs(format!("Threshold {t:?} is not a finite number")))?;
        let p = self.state.monitor_persistence.trim();
        let persistence: u32 =
            p.parse().ok().filter(|&n| n >= 1).ok_or_else(|| {
                GuiError::needs(format!("Quarters {p:?} is not a whole number >= 1"))
            })?;
        let settings = monitor::Settings {
            alarm: Some(monitor::AlarmRule {
                measure,
                threshold,
                persistence,
                lag: 1,
            }),
            ..monitor::Settings::default()
        };
        Ok((PathBuf::from(log), settings))
    }

    /// The output of exported charts: the format chosen in the Results view.
    fn chart_output(&self) -> Output {
        Output {
            formats: match self.state.chart_format {
                ChartFormat::Png => Formats {
                    svg: false,
                    png: true,
                },
                ChartFormat::Svg => Formats {
                    svg: true,
                    png: false,
                },
            },
            ..Output::default()
        }
    }

    /// `<Export under>/<name>-charts/`, created.
    /// The folder a chart of `name` is exported to (created by the export job).
    fn chart_dir(&self, name: &str) -> PathBuf {
        Path::new(&self.state.output_dir).join(format!("{name}-charts"))
    }

    /// Starts a job that draws a chart into files on the worker (never in the frame).
    fn export_chart(
        &mut self,
        ctx: &egui::Context,
        what: String,
        draw: impl FnOnce() -> Result<Vec<PathBuf>> + Send + 'static,
    ) {
        if self.busy() {
            return self.error("wait for the running job to finish, or cancel it, then export");
        }
        self.exporting = Some(Exporting::Chart);
        self.start(
            ctx,
            format!("writing {what}"),
            Job::Chart(ChartJob {
                what,
                draw: Box::new(draw),
            }),
        );
    }

    fn wrote(&mut self, written: Result<Vec<PathBuf>>) {
        match written {
            Ok(files) => self.info(format!(
                "wrote {}",
                files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Err(e) => self.error(format!("chart not exported: {e}")),
        }
    }

    /// A folder export finished on the worker.
    fn exported(&mut self, dir: PathBuf) {
        push_recent(&mut self.state.recent_results, dir.display().to_string());
        match self.exporting.take() {
            Some(Exporting::Run) => {
                self.info(format!(
                    "wrote result folder {} with report.html",
                    dir.display()
                ));
                self.result_folder = Some(dir);
            }
            _ => self.info(format!("wrote {} with report.html", dir.display())),
        }
    }

    /// Starts reading a result folder of any kind the CLI writes on the worker thread
    /// ([`worker::open_folder`]); [`App::opened`] shows it when it is read.
    fn open_result(&mut self, ctx: &egui::Context, dir: &Path) {
        if dir.as_os_str().is_empty() {
            return self.error("type a result folder's path first, or Browse...");
        }
        if self.busy() {
            return self.error(format!(
                "cannot open {} yet: wait for the running job to finish, or cancel it",
                dir.display()
            ));
        }
        self.opening = Some(dir.to_path_buf());
        self.start(
            ctx,
            format!("opening {}", dir.display()),
            Job::Open(dir.to_path_buf()),
        );
    }

    /// A result folder read on the worker: a run (Results view), a comparison (Compare view, the
    /// first variant against the reference) or a sweep (Sweep view).
    fn opened(&mut self, opened: Opened) {
        let dir = self.opening.take().unwrap_or_default();
        let text = match opened {
            Opened::Comparison(c) => {
                let text = format!(
                    "opened comparison {}: {} against {}",
                    dir.display(),
                    names_of(&c.variants),
                    c.reference.scenario.name
                );
                self.compare_shown = 0;
                self.compare = Some(c);
                self.overlay = None;
                self.compare_partial = None;
                self.state.view = View::Compare;
                text
            }
            Opened::Sweep { vary, cells } => {
                let text = format!("opened sweep {}: {} cells", dir.display(), cells.len());
                self.sweep = Some(SweepState {
                    vary,
                    cells: cells.into_iter().map(|c| Some(Arc::new(c))).collect(),
                    done: true,
                });
                self.state.view = View::Sweep;
                text
            }
            Opened::Run { result, charts } => {
                let text = format!(
                    "opened {} ({}, {} paths)",
                    dir.display(),
                    result.scenario.name,
                    result.finished.paths.len()
                );
                self.set_result_with(result, charts);
                self.result_table = None;
                self.state.view = View::Results;
                text
            }
        };
        push_recent(&mut self.state.recent_results, dir.display().to_string());
        self.info(text);
    }

    fn sweep_job(&self) -> Result<(Vec<Vary>, SweepCells)> {
        let doc = self
            .doc
            .as_ref()
            .ok_or_else(|| GuiError::needs("open a scenario first"))?;
        let vary: Vec<String> = [
            (&self.state.sweep_x, &self.state.sweep_x_values),
            (&self.state.sweep_y, &self.state.sweep_y_values),
        ]
        .into_iter()
        .filter(|(p, _)| !p.trim().is_empty())
        .map(|(p, v)| format!("{}={}", p.trim(), v.trim()))
        .collect();
        if vary.is_empty() {
            return Err(GuiError::needs("choose a parameter to vary"));
        }
        let count: usize = vary
            .iter()
            .map(|v| {
                v.split_once('=')
                    .and_then(|(_, values)| reports::sweep::parse_values(values).ok())
                    .map_or(1, |x| x.len())
            })
            .product();
        if count > MAX_SWEEP_CELLS {
            return Err(GuiError::needs(format!(
                "{count} cells is too many for the app (at most {MAX_SWEEP_CELLS})"
            )));
        }
        let plan = reports::service::plan_sweep(
            &doc.source.origin,
            &doc.table,
            &self.run_overrides()?,
            &vary,
        )?;
        let cells = plan
            .cells
            .into_iter()
            .map(|c| (c.values, c.prepared))
            .collect();
        Ok((plan.varies, cells))
    }

    /// Takes what the worker sent since the last frame.
    pub fn poll(&mut self) {
        let mut finished = false;
        let mut events = Vec::new();
        if let Some(w) = &self.worker {
            while let Ok(ev) = w.events.try_recv() {
                events.push(ev);
            }
            finished = w.is_finished();
        }
        for ev in events {
            match ev {
                Event::Run(r) => {
                    self.info(format!(
                        "finished {}: {} paths in {:.1} s",
                        r.scenario.name,
                        r.finished.paths.len(),
                        self.worker
                            .as_ref()
                            .map(|w| w.started.elapsed().as_secs_f64())
                            .unwrap_or_default()
                    ));
                    self.set_result(r);
                    finished = true;
                }
                Event::Partial(r) => {
                    self.partial = Some(r);
                    self.partial_updates += 1;
                }
                Event::Reference(r) => self.compare_partial = Some(r),
                Event::Compare(c) => {
                    self.info(format!(
                        "comparison finished: {} against {}",
                        names_of(&c.variants),
                        c.reference.scenario.name
                    ));
                    self.compare = Some(c);
                    self.overlay = None;
                    self.compare_partial = None;
                    finished = true;
                }
                Event::Cell { index, cell } => {
                    if let Some(s) = &mut self.sweep
                        && let Some(slot) = s.cells.get_mut(index)
                    {
                        *slot = Some(cell);
                    }
                }
                Event::SweepDone => {
                    if let Some(s) = &mut self.sweep {
                        s.done = true;
                    }
                    self.info("sweep finished: click a cell to open it");
                    finished = true;
                }
                Event::Monitor(r) => {
                    self.info(format!(
                        "read {}: {} rows, {} quarters, {}",
                        r.log.display(),
                        r.rows,
                        r.quarters.len(),
                        match r.alarms.len() {
                            0 => "no alarm".to_string(),
                            1 => "1 alarm".to_string(),
                            n => format!("{n} alarms"),
                        }
                    ));
                    self.monitor_charts = reports::service::monitor_charts(&r);
                    self.monitor = Some(r);
                    finished = true;
                }
                Event::ChartWritten(files) => {
                    self.exporting = None;
                    self.wrote(Ok(files));
                    finished = true;
                }
                Event::Exported(dir) => {
                    self.exported(dir);
                    finished = true;
                }
                Event::Opened(o) => {
                    self.opened(*o);
                    finished = true;
                }
                Event::Failed(e) => {
                    if let Some(dir) = self.opening.take() {
                        self.error(format!("cannot open {}: {e}", dir.display()));
                    } else {
                        match self.exporting.take() {
                            Some(what) => self.error(format!("{} not written: {e}", what.noun())),
                            None => self.error(format!("failed: {e}")),
                        }
                    }
                    finished = true;
                }
                Event::Cancelled => {
                    self.exporting = None;
                    if let Some(dir) = self.opening.take() {
                        self.info(format!("stopped opening {}", dir.display()));
                        self.keep_on_stop = false;
                        finished = true;
                        continue;
                    }
                    let reference = self.compare_partial.take();
                    match self.partial.take().filter(|_| self.keep_on_stop) {
                        Some(p) => {
                            self.info(format!(
                                "stopped: kept the first {} of {} paths (interim: a run of {} paths)",
                                p.finished.paths.len(),
                                p.interim.unwrap_or_default(),
                                p.finished.paths.len()
                            ));
                            self.set_result(p);
                        }
                        // A comparison stopped while its variants ran: the reference is kept.
                        None if self.keep_on_stop && reference.is_some() => {
                            if let Some(r) = reference {
                                self.info(format!(
                                    "stopped: kept the finished reference run of {} (Results view)",
                                    r.scenario.name
                                ));
                                self.set_result(r);
                                self.result_table = self.doc.as_ref().map(|d| d.table.clone());
                            }
                        }
                        None if self.keep_on_stop => {
                            self.info("stopped before a block of paths finished: nothing to keep")
                        }
                        None => self.info("cancelled: nothing was written"),
                    }
                    self.keep_on_stop = false;
                    finished = true;
                }
            }
        }
        if finished {
            // Joins the thread, which has sent its last event.
            self.worker = None;
            self.opening = None;
            self.partial = None;
        }
    }

    /// Shows the open file dialog and turns its choice into a command.
    fn file_dialog_frame(&mut self, ctx: &egui::Context) {
        let Some(d) = &mut self.file_dialog else {
            return;
        };
        let purpose = d.purpose;
        match d.show(ctx) {
            None => {}
            Some(files::Outcome::Cancelled) => self.file_dialog = None,
            Some(files::Outcome::Chosen(p)) => {
                self.file_dialog = None;
                let text = p.display().to_string();
                match purpose {
                    files::Purpose::OpenScenario => {
                        self.state.open_path = text.clone();
                        self.command(Command::OpenScenario(text));
                    }
                    files::Purpose::SaveScenario => {
                        self.state.save_path = text;
                        self.command(Command::SaveAs(p));
                    }
                    files::Purpose::OpenResult => {
                        self.state.result_path = text;
                        self.command(Command::OpenResult(p));
                    }
                    files::Purpose::ExportUnder => self.state.output_dir = text,
                    files::Purpose::DecisionLog => self.state.monitor_log = text,
                }
            }
        }
    }

    /// Opens what was dropped on the window: a scenario file, or a result folder.
    fn drops(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        for p in dropped {
            match files::dropped(&p) {
                Some(files::Dropped::Scenario(f)) => {
                    self.state.view = View::Scenario;
                    self.command(Command::OpenScenario(f.display().to_string()));
                }
                Some(files::Dropped::ResultFolder(d)) => self.command(Command::OpenResult(d)),
                None => self.error(format!(
                    "{} is neither a scenario (.toml) nor a result folder",
                    p.display()
                )),
            }
        }
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            let rect = ctx.content_rect();
            egui::Area::new(egui::Id::unique("drop-hint"))
                .fixed_pos(rect.center() - egui::vec2(220.0, 30.0))
                .show(ctx, |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.heading("Drop a scenario (.toml) or a result folder to open it");
                    });
                });
        }
    }

    /// Draws the whole app into `ui` and handles what the user did. eframe calls it every frame;
    /// tests call it through `egui_kittest`.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        self.poll();
        let ctx = ui.ctx().clone();
        if ctx.input(|i| i.viewport().close_requested())
            && !self.quitting
            && self.doc.as_ref().is_some_and(|d| d.dirty)
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.pending = Some(Command::Quit);
        }
        view::draw(self, ui);
        self.file_dialog_frame(&ctx);
        self.drops(&ctx);
        self.handle(&ctx);
        if self.worker.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(200));
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if self.options.persist {
            eframe::set_value(storage, eframe::APP_KEY, &self.state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_forty_paths_or_more_go_in_blocks_that_stop_and_keep_can_keep() {
        let block = Options::default().block_paths;
        assert_eq!(run_blocks(39, block), 1);
        assert_eq!(run_blocks(40, block), 2);
        assert_eq!(run_blocks(100, block), 5);
        assert_eq!(run_blocks(1000, block), 10);
        assert_eq!(run_blocks(5, 0), 5);
    }
}
