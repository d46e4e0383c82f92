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

pub mod editor;
pub mod plots;
pub mod view;
pub mod worker;

use std::path::{Path, PathBuf};

use reports::charts::{
    AttributionChart, FanChart, Formats, HerdingChart, HistogramChart, Labels, NetworkChart,
    Output, Theme,
};
use reports::sweep::{Assignment, Vary};
use serde::{Deserialize, Serialize};

use editor::{Document, Group};
use worker::{CompareResult, Event, Job, RunResult, SweepCell, Worker};

/// The main views.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum View {
    /// The scenario editor.
    Scenario,
    /// The dashboard and charts of the last run or opened folder.
    Results,
    /// Current scenario against a variant.
    Compare,
    /// A sweep over one or two parameters.
    Sweep,
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
    /// Comparison variant: bundled name or file.
    pub variant: String,
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
            variant: "regional-monoculture-diverse".into(),
            sweep_x: "models.similarity".into(),
            sweep_x_values: "0:1:5".into(),
            sweep_y: String::new(),
            sweep_y_values: String::new(),
            sweep_measure: "credit_gap".into(),
            chart_format: ChartFormat::Png,
            replace: false,
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
    /// Stop the running job.
    Cancel,
    /// Open a result folder.
    OpenResult(PathBuf),
    /// Export one chart of the current result.
    ExportChart(String),
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
    /// Show sweep cell `i` in the Results view.
    OpenSweepCell(usize),
    /// Discard unsaved changes and do the pending action.
    Discard,
    /// Keep editing (forget the pending action).
    KeepEditing,
    /// Close the window (after the unsaved-changes question).
    Quit,
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
    /// Fan charts: `(stem, chart)`.
    pub fans: Vec<(String, FanChart)>,
    /// Credit gap share by region.
    pub regions: Option<FanChart>,
    /// Histograms: `(stem, chart)`.
    pub histograms: Vec<(String, HistogramChart)>,
    /// Herding against independence baselines.
    pub herding: Option<HerdingChart>,
    /// Losses by channel per quarter and per bank.
    pub attribution: Vec<(String, AttributionChart)>,
    /// The interbank network.
    pub network: Option<NetworkChart>,
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
        for m in [
            "credit_gap_share",
            "firm_default_rate",
            "system_car",
            "failed_banks",
        ] {
            match c::fan_from_aggregates(agg, m, &labels) {
                Ok(ch) => out.fans.push((format!("fan-{m}"), ch)),
                Err(e) => out.problems.push(format!("{m}: {e}")),
            }
        }
        if r.scenario.regions.len() > 1 {
            match c::region_gap_fan(agg, &labels) {
                Ok(ch) => out.regions = Some(ch),
                Err(e) => out.problems.push(format!("regions: {e}")),
            }
        }
        for m in ["bank_losses", "credit_gap"] {
            match c::histogram_from_paths(&r.finished.paths, m, &labels) {
                Ok(ch) => out.histograms.push((format!("hist-{m}"), ch)),
                Err(e) => out.problems.push(format!("{m}: {e}")),
            }
        }
        match c::herding_from_aggregates(agg, &labels) {
            Ok(ch) => out.herding = Some(ch),
            Err(e) => out.problems.push(format!("herding: {e}")),
        }
        match c::attribution_from_aggregates(agg, &labels) {
            Ok(ch) => out.attribution.push(("attribution-quarters".into(), ch)),
            Err(e) => out.problems.push(format!("attribution: {e}")),
        }
        match c::attribution_from_paths(&r.scenario, &r.finished.paths, &labels, 12) {
            Ok(ch) => out.attribution.push(("attribution-banks".into(), ch)),
            Err(e) => out.problems.push(format!("attribution by bank: {e}")),
        }
        let dir = r.folder.clone().unwrap_or_default();
        match reports::report::network_of(&r.scenario, agg, &labels, &dir) {
            Ok(n) => out.network = n.map(|(ch, _)| ch),
            Err(e) => out.problems.push(format!("network: {e}")),
        }
        out
    }

    /// The stems of every chart, in display order, with a short name for the chart picker.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = Vec::new();
        let nice = |stem: &str| -> String {
            match stem {
                "fan-credit_gap_share" => "Credit gap".into(),
                "fan-firm_default_rate" => "Firm defaults".into(),
                "fan-system_car" => "Capital ratio".into(),
                "fan-failed_banks" => "Failed banks".into(),
                "fan-regions" => "Credit gap by region".into(),
                "hist-bank_losses" => "Bank losses (histogram)".into(),
                "hist-credit_gap" => "Credit gap (histogram)".into(),
                "herding" => "Herding".into(),
                "attribution-quarters" => "Losses by channel".into(),
                "attribution-banks" => "Losses by bank".into(),
                "network" => "Interbank network".into(),
                other => other.into(),
            }
        };
        for (s, _) in &self.fans {
            v.push((s.clone(), nice(s)));
        }
        if self.regions.is_some() {
            v.push(("fan-regions".into(), nice("fan-regions")));
        }
        for (s, _) in &self.histograms {
            v.push((s.clone(), nice(s)));
        }
        if self.herding.is_some() {
            v.push(("herding".into(), nice("herding")));
        }
        for (s, _) in &self.attribution {
            v.push((s.clone(), nice(s)));
        }
        if self.network.is_some() {
            v.push(("network".into(), nice("network")));
        }
        v
    }

    /// Writes chart `stem` into `dir` in `output`'s formats (with the CSV behind it) using the
    /// same drawing code as `herdlab report`; returns the files written.
    pub fn export(&self, stem: &str, dir: &Path, output: &Output) -> Result<Vec<PathBuf>, String> {
        use reports::charts as c;
        let theme = Theme::default();
        let e = |r: c::Result<Vec<PathBuf>>| r.map_err(|e| e.to_string());
        if let Some((_, ch)) = self.fans.iter().find(|(s, _)| s == stem) {
            return e(c::fan_chart(ch, dir, stem, output, &theme));
        }
        if let Some((_, ch)) = self.histograms.iter().find(|(s, _)| s == stem) {
            return e(c::histogram_chart(ch, dir, stem, output, &theme));
        }
        if let Some((_, ch)) = self.attribution.iter().find(|(s, _)| s == stem) {
            return e(c::attribution_chart(ch, dir, stem, output, &theme));
        }
        match stem {
            "fan-regions" => match &self.regions {
                Some(ch) => e(c::fan_chart(ch, dir, stem, output, &theme)),
                None => Err("this run has one region".into()),
            },
            "herding" => match &self.herding {
                Some(ch) => e(c::herding_chart(ch, dir, stem, output, &theme)),
                None => Err("no herding chart".into()),
            },
            "network" => match &self.network {
                Some(ch) => e(c::network_chart(ch, dir, stem, output, &theme)),
                None => Err("this scenario has no interbank network".into()),
            },
            other => Err(format!("no chart named {other}")),
        }
    }
}

/// Writes report.html (and the charts) into a folder just written, as `--report` does.
fn with_report(dir: PathBuf) -> Result<PathBuf, String> {
    reports::report::report(&dir, reports::report::Format::Html, &Output::default())
        .map_err(|e| e.to_string())?;
    Ok(dir)
}

/// Exports a comparison as `herdlab compare` writes it: `<under>/compare-<a>-<b>/`.
pub fn export_comparison(
    c: &CompareResult,
    under: &Path,
    replace: bool,
) -> Result<PathBuf, String> {
    let out = under.join(reports::service::comparison_folder(&[
        &c.reference.scenario,
        &c.variant.scenario,
    ]));
    reports::service::write_comparison_folder(
        &out,
        replace,
        &[
            (&c.reference.scenario, &c.reference.finished),
            (&c.variant.scenario, &c.variant.finished),
        ],
        std::slice::from_ref(&c.comparison),
    )
    .map_err(|e| e.to_string())
    .and_then(with_report)
}

/// Exports a finished sweep as `herdlab sweep` writes it: `<under>/sweep-<scenario>/`.
pub fn export_sweep(s: &SweepState, under: &Path, replace: bool) -> Result<PathBuf, String> {
    let cells: Vec<&SweepCell> = s.cells.iter().flatten().collect();
    if cells.len() != s.cells.len() || cells.is_empty() {
        return Err("the sweep has unfinished cells".into());
    }
    let base = &cells[0].result.scenario;
    let out = under.join(format!("sweep-{}", base.name));
    let values: Vec<Vec<f64>> = cells.iter().map(|c| c.values.clone()).collect();
    let runs: Vec<_> = cells
        .iter()
        .map(|c| (&c.result.scenario, &c.result.finished))
        .collect();
    reports::service::write_sweep_folder(&out, replace, &s.vary, &values, &runs)
        .map_err(|e| e.to_string())
        .and_then(with_report)
}

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
    pub cells: Vec<Option<SweepCell>>,
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

/// Settings that are not remembered: where tests redirect things.
#[derive(Clone, Debug)]
pub struct Options {
    /// Save [`State`] between sessions.
    pub persist: bool,
    /// Threads per run (`None`: every core).
    pub threads: Option<usize>,
    /// A run of at least twice this many paths is run in blocks of at least this many (at most
    /// 10 blocks), with estimates shown after each.
    pub block_paths: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            persist: true,
            threads: None,
            block_paths: 200,
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
    /// The run shown in the Results view.
    pub result: Option<RunResult>,
    /// Its charts.
    pub charts: RunCharts,
    /// The chart shown (stem).
    pub chart: String,
    /// The last comparison (or its finished reference while the variant runs).
    pub compare: Option<CompareResult>,
    /// Estimates from the paths of the running run finished so far.
    pub partial: Option<RunResult>,
    /// How many partial results the current or last run showed.
    pub partial_updates: usize,
    /// The reference of a comparison still running.
    pub compare_partial: Option<RunResult>,
    /// The last sweep.
    pub sweep: Option<SweepState>,
    /// The running job.
    pub worker: Option<Worker>,
    /// The status bar message.
    pub status: Option<Status>,
    /// An action waiting for the unsaved-changes answer.
    pub pending: Option<Command>,
    /// Close was allowed (after the unsaved-changes question).
    pub quitting: bool,
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
            charts: RunCharts::default(),
            chart: String::new(),
            compare: None,
            compare_partial: None,
            partial: None,
            partial_updates: 0,
            sweep: None,
            worker: None,
            status: None,
            pending: None,
            quitting: false,
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
    fn run_overrides(&self) -> Result<Vec<Assignment>, String> {
        let parse = |name: &str, t: &str| -> Result<Option<u64>, String> {
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.replace('_', "")
                .parse::<u64>()
                .map(Some)
                .map_err(|_| format!("{name} `{t}` is not a whole number of at least 0"))
        };
        let settings = reports::service::RunSettings {
            paths: parse("paths", &self.state.paths)?,
            seed: parse("seed", &self.state.seed)?,
            ..Default::default()
        };
        settings.overrides().map_err(|e| e.to_string())
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
            Err(e) => self.error(e),
        }
    }

    fn prepared(&self, extra: &[Assignment]) -> Result<reports::service::Prepared, String> {
        let doc = self.doc.as_ref().ok_or("open a scenario first")?;
        if let Some((k, e)) = doc.errors.iter().next() {
            return Err(format!("fix {k} first: {e}"));
        }
        let mut all = self.run_overrides()?;
        all.extend(extra.iter().cloned());
        doc.prepare(&all)
    }

    fn set_result(&mut self, r: RunResult) {
        self.charts = RunCharts::build(&r);
        let list = self.charts.list();
        if !list.iter().any(|(s, _)| *s == self.chart) {
            self.chart = list.first().map(|(s, _)| s.clone()).unwrap_or_default();
        }
        self.result = Some(r);
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
                        let block = self.options.block_paths.max(1);
                        let chunks = (p.scenario.run.paths / block).clamp(1, 10);
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
                let variant = reports::input::Origin::resolve(self.state.variant.trim())
                    .map_err(|e| e.to_string())
                    .and_then(|o| {
                        // Common random numbers: the variant runs on the reference's paths and seed.
                        let same = reports::service::crn_overrides(&reference.scenario)
                            .map_err(|e| e.to_string())?;
                        reports::service::prepare(o, &same, "").map_err(|e| e.to_string())
                    });
                match variant {
                    Ok(v) => {
                        let label = format!(
                            "comparing {} with {} ({} paths, seed {})",
                            v.scenario.name,
                            reference.scenario.name,
                            reference.scenario.run.paths,
                            reference.scenario.run.seed
                        );
                        self.compare = None;
                        self.compare_partial = None;
                        self.start(
                            ctx,
                            label,
                            Job::Compare {
                                reference: Box::new(reference),
                                variant: Box::new(v),
                            },
                        );
                    }
                    Err(e) => self.error(format!("cannot compare: {e}")),
                }
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
                    self.info("cancelling...");
                }
            }
            Command::OpenResult(dir) => self.open_result(&dir),
            Command::ExportCompareChart => {
                let written = self
                    .compare
                    .as_ref()
                    .ok_or_else(|| "nothing to export: run a comparison first".to_string())
                    .and_then(|c| {
                        let chart = reports::charts::comparison_from(
                            &c.comparison,
                            &[],
                            &Labels::from_scenario(&c.reference.scenario),
                            &Labels::from_scenario(&c.variant.scenario),
                        )
                        .map_err(|e| e.to_string())?;
                        let dir = self.chart_dir(&format!(
                            "compare-{}-{}",
                            c.reference.scenario.name, c.variant.scenario.name
                        ))?;
                        reports::charts::comparison_chart(
                            &chart,
                            &dir,
                            "comparison",
                            &self.chart_output(),
                            &Theme::default(),
                        )
                        .map_err(|e| e.to_string())
                    });
                self.wrote(written);
            }
            Command::ExportSweepChart => {
                let measure = self.state.sweep_measure.clone();
                let written = match &self.sweep {
                    Some(s) if s.done => match s.chart(&measure) {
                        Some(chart) => {
                            let name = s
                                .cells
                                .iter()
                                .flatten()
                                .next()
                                .map(|c| c.result.scenario.name.clone())
                                .unwrap_or_default();
                            let stem = format!("sweep-{measure}");
                            let out = self.chart_output();
                            self.chart_dir(&format!("sweep-{name}")).and_then(|dir| {
                                match &chart {
                                    SweepChart::Line(c) => reports::charts::sweep_line(
                                        c,
                                        &dir,
                                        &stem,
                                        &out,
                                        &Theme::default(),
                                    ),
                                    SweepChart::Grid(c) => reports::charts::sweep_heatmap(
                                        c,
                                        &dir,
                                        &stem,
                                        &out,
                                        &Theme::default(),
                                    ),
                                }
                                .map_err(|e| e.to_string())
                            })
                        }
                        None => Err("no chart for this sweep".into()),
                    },
                    Some(_) => Err("the sweep has not finished".into()),
                    None => Err("nothing to export: run a sweep first".into()),
                };
                self.wrote(written);
            }
            Command::ExportChart(stem) => {
                let Some(r) = &self.result else {
                    return self.error("nothing to export: run a scenario first");
                };
                let out = self.chart_output();
                let written = self
                    .chart_dir(&r.scenario.name)
                    .and_then(|dir| self.charts.export(&stem, &dir, &out));
                self.wrote(written);
            }
            Command::ExportFolder => {
                let Some(r) = &self.result else {
                    return self.error("nothing to export: run a scenario first");
                };
                let out = Path::new(&self.state.output_dir).join(&r.scenario.name);
                let written = reports::service::write_run_folder(
                    &out,
                    self.state.replace,
                    &r.scenario,
                    &r.finished,
                )
                .map_err(|e| e.to_string())
                .and_then(|(dir, _)| {
                    reports::report::report(&dir, reports::report::Format::Html, &Output::default())
                        .map(|_| dir)
                        .map_err(|e| e.to_string())
                });
                match written {
                    Ok(dir) => {
                        push_recent(&mut self.state.recent_results, dir.display().to_string());
                        self.info(format!(
                            "wrote result folder {} with report.html",
                            dir.display()
                        ));
                        if let Some(r) = &mut self.result {
                            r.folder = Some(dir);
                        }
                    }
                    Err(e) => self.error(format!("result folder not written: {e}")),
                }
            }
            Command::ExportComparison => {
                let written = self
                    .compare
                    .as_ref()
                    .ok_or_else(|| "nothing to export: run a comparison first".to_string())
                    .and_then(|c| {
                        export_comparison(c, Path::new(&self.state.output_dir), self.state.replace)
                    });
                self.exported(written);
            }
            Command::ExportSweep => {
                let written = match &self.sweep {
                    Some(s) if s.done => {
                        export_sweep(s, Path::new(&self.state.output_dir), self.state.replace)
                    }
                    Some(_) => Err("the sweep has not finished".to_string()),
                    None => Err("nothing to export: run a sweep first".to_string()),
                };
                self.exported(written);
            }
            Command::OpenSweepCell(i) => {
                let cell = self
                    .sweep
                    .as_ref()
                    .and_then(|s| s.cells.get(i))
                    .and_then(|c| c.as_ref());
                if let Some(c) = cell {
                    let copy = RunResult::new(c.result.scenario.clone(), c.result.finished.clone());
                    let what = c
                        .values
                        .iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.set_result(copy);
                    self.state.view = View::Results;
                    self.info(format!("showing sweep cell {} ({what})", i + 1));
                }
            }
        }
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
    fn chart_dir(&self, name: &str) -> Result<PathBuf, String> {
        let dir = Path::new(&self.state.output_dir).join(format!("{name}-charts"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(dir)
    }

    fn wrote(&mut self, written: Result<Vec<PathBuf>, String>) {
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

    fn exported(&mut self, written: Result<PathBuf, String>) {
        match written {
            Ok(dir) => {
                push_recent(&mut self.state.recent_results, dir.display().to_string());
                self.info(format!("wrote {} with report.html", dir.display()));
            }
            Err(e) => self.error(format!("not exported: {e}")),
        }
    }

    /// Opens a result folder of any kind the CLI writes: a run (Results view), a comparison
    /// (Compare view, the first variant against the reference) or a sweep (Sweep view).
    fn open_result(&mut self, dir: &Path) {
        let opened =
            if dir.join("comparison.json").is_file() && !dir.join("manifest.json").is_file() {
                worker::load_comparison(dir).map(|c| {
                    let text = format!(
                        "opened comparison {}: {} against {}",
                        dir.display(),
                        c.variant.scenario.name,
                        c.reference.scenario.name
                    );
                    self.compare = Some(c);
                    self.compare_partial = None;
                    self.state.view = View::Compare;
                    text
                })
            } else if dir.join("sweep.json").is_file() && !dir.join("manifest.json").is_file() {
                worker::load_sweep(dir).map(|(vary, cells)| {
                    let text = format!("opened sweep {}: {} cells", dir.display(), cells.len());
                    self.sweep = Some(SweepState {
                        vary,
                        cells: cells.into_iter().map(Some).collect(),
                        done: true,
                    });
                    self.state.view = View::Sweep;
                    text
                })
            } else {
                RunResult::load(dir).map(|r| {
                    let text = format!(
                        "opened {} ({}, {} paths)",
                        dir.display(),
                        r.scenario.name,
                        r.finished.paths.len()
                    );
                    self.set_result(r);
                    self.state.view = View::Results;
                    text
                })
            };
        match opened {
            Ok(text) => {
                push_recent(&mut self.state.recent_results, dir.display().to_string());
                self.info(text);
            }
            Err(e) => self.error(format!("cannot open {}: {e}", dir.display())),
        }
    }

    fn sweep_job(&self) -> Result<(Vec<Vary>, SweepCells), String> {
        let doc = self.doc.as_ref().ok_or("open a scenario first")?;
        let vary: Vec<String> = [
            (&self.state.sweep_x, &self.state.sweep_x_values),
            (&self.state.sweep_y, &self.state.sweep_y_values),
        ]
        .into_iter()
        .filter(|(p, _)| !p.trim().is_empty())
        .map(|(p, v)| format!("{}={}", p.trim(), v.trim()))
        .collect();
        if vary.is_empty() {
            return Err("choose a parameter to vary".into());
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
            return Err(format!(
                "{count} cells is too many for the app (at most {MAX_SWEEP_CELLS})"
            ));
        }
        let plan = reports::service::plan_sweep(
            &doc.source.origin,
            &doc.table,
            &self.run_overrides()?,
            &vary,
        )
        .map_err(|e| e.to_string())?;
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
                    let r = *r;
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
                    self.partial = Some(*r);
                    self.partial_updates += 1;
                }
                Event::Reference(r) => self.compare_partial = Some(*r),
                Event::Compare(c) => {
                    self.info(format!(
                        "comparison finished: {} against {}",
                        c.variant.scenario.name, c.reference.scenario.name
                    ));
                    self.compare = Some(*c);
                    self.compare_partial = None;
                    finished = true;
                }
                Event::Cell { index, cell } => {
                    if let Some(s) = &mut self.sweep
                        && let Some(slot) = s.cells.get_mut(index)
                    {
                        *slot = Some(*cell);
                    }
                }
                Event::SweepDone => {
                    if let Some(s) = &mut self.sweep {
                        s.done = true;
                    }
                    self.info("sweep finished: click a cell to open it");
                    finished = true;
                }
                Event::Failed(e) => {
                    self.error(format!("failed: {e}"));
                    finished = true;
                }
                Event::Cancelled => {
                    self.info("cancelled: nothing was written");
                    self.compare_partial = None;
                    finished = true;
                }
            }
        }
        if finished {
            // Joins the thread, which has sent its last event.
            self.worker = None;
            self.partial = None;
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
