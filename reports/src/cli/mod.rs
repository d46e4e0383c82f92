//! The `herdlab` command line: the flags (clap types, private to the binary), each command
//! turned into a request of [`reports::service`], and the tables and messages printed from its
//! outcome. Each command returns the library's [`Error`]; `main` maps it to an exit code.

pub(crate) mod monitor;
pub(crate) mod progress;
pub(crate) mod slurm;
pub(crate) mod table;
pub(crate) mod values;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Args, Parser, Subcommand, ValueEnum};
use reports::error::{Error, Result};
use reports::output::{HEADLINE, headline};
use reports::service::{
    self, CompareRequest, MergeRequest, Monitor, ReportRequest, ResumeOutcome, ResumeRequest,
    RunOutcome, RunRequest, RunSettings, SweepRequest,
};
use reports::{bundled, charts, output, report};
use sim::aggregate::Aggregates;
use sim::montecarlo::{Observer, Shard};
use sim::scenario::Scenario;

use progress::{Mode, Progress};

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
pub(crate) struct Cli {
    /// Show no progress and no summary table (errors, warnings and notes still go to stderr).
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Figure control of `herdlab report` (docs/charts.md): a style file, and flags over it.
#[derive(Debug, Args)]
pub(crate) struct StyleArgs {
    /// Style file (TOML: title, x_label, y_label, font_scale, width, height, dpi, background,
    /// palette; at the top level or in a [charts] table). Flags override it.
    #[arg(long, value_name = "FILE")]
    style: Option<PathBuf>,
    /// Chart width in inches (width × dpi: 64 to 20000 pixels) [default: 6].
    #[arg(long, value_parser = values::inches)]
    width: Option<f64>,
    /// Chart height in inches (height × dpi: 64 to 20000 pixels; charts with many panels grow
    /// taller) [default: 4].
    #[arg(long, value_parser = values::inches)]
    height: Option<f64>,
    /// Chart resolution for PNG, dots per inch (36 to 1200) [default: 250].
    #[arg(long, value_parser = values::dpi)]
    dpi: Option<f64>,
    /// Title of every chart, over the chart's own.
    #[arg(long, value_name = "TEXT", conflicts_with = "no_title")]
    title: Option<String>,
    /// No chart titles (for a paper, whose captions say what a figure shows).
    #[arg(long)]
    no_title: bool,
    /// X axis label of every chart, over the chart's own.
    #[arg(long, value_name = "TEXT")]
    x_label: Option<String>,
    /// Y axis label of every chart, over the chart's own.
    #[arg(long, value_name = "TEXT")]
    y_label: Option<String>,
    /// Every text size times this factor, 0.5 to 3 (e.g. 1.3 for a figure printed small).
    #[arg(long, value_name = "F")]
    font_scale: Option<f64>,
    /// Light or dark background.
    #[arg(long, value_enum)]
    background: Option<BackgroundArg>,
    /// Series palette, both colour-blind safe: okabe-ito (default) or tab10.
    #[arg(long, value_enum)]
    palette: Option<PaletteArg>,
}

/// `--background`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum BackgroundArg {
    /// Dark ink on white.
    Light,
    /// Light ink on near-black.
    Dark,
}

/// `--palette`.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum PaletteArg {
    /// Okabe & Ito (2008).
    OkabeIto,
    /// Matplotlib's tab10.
    Tab10,
}

impl StyleArgs {
    /// The figure style: the flags over the style file over the scenario's `[charts]` table
    /// (`scenario`) over the defaults; the chart size checked as before.
    fn resolve(self, scenario: charts::FigureStyle) -> Result<(charts::Output, charts::Theme)> {
        let file = match &self.style {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
                charts::FigureStyle::from_toml_str(&text, &path.display().to_string())
                    .map_err(|e| Error::Usage(format!("--style: {e}")))?
            }
            None => charts::FigureStyle::default(),
        };
        let flags = charts::FigureStyle {
            title: if self.no_title {
                Some(String::new())
            } else {
                self.title
            },
            x_label: self.x_label,
            y_label: self.y_label,
            font_scale: self.font_scale,
            width: self.width,
            height: self.height,
            dpi: self.dpi,
            background: self.background.map(|b| {
                match b {
                    BackgroundArg::Light => "light",
                    BackgroundArg::Dark => "dark",
                }
                .to_string()
            }),
            palette: self.palette.map(|p| {
                match p {
                    PaletteArg::OkabeIto => "okabe-ito",
                    PaletteArg::Tab10 => "tab10",
                }
                .to_string()
            }),
        };
        let style = scenario.overridden_by(file).overridden_by(flags);
        let d = charts::Output::default();
        chart_output(
            style.width.unwrap_or(d.width_px as f64 / d.dpi),
            style.height.unwrap_or(d.height_px as f64 / d.dpi),
            style.dpi.unwrap_or(d.dpi),
        )?;
        style
            .resolve()
            .map_err(|e| Error::Usage(format!("chart style: {e}")))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
        /// Also write the engine's decision log (MODEL.md §10) of these paths (indices and
        /// ranges such as 0, 0,3 or 0-19) as CSV and Parquet into DIR/decision-log/, for
        /// `herdlab monitor`.
        #[arg(long, value_name = "PATHS", conflicts_with = "resume")]
        decision_log: Option<String>,
        /// Paths per checkpoint chunk [default: chosen so a chunk takes about 30 s].
        #[arg(long, value_name = "N", value_parser = values::at_least_one)]
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
        format: FormatArg,
        /// Figure style.
        #[command(flatten)]
        style: StyleArgs,
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
    Slurm(Box<slurm::SlurmArgs>),
    /// Herding measures and alarms on a log of credit decisions (MODEL.md §10, docs/monitor.md).
    /// Exit status 10 when an alarm is raised (the result folder is written).
    Monitor(Box<monitor::MonitorArgs>),
}

/// Settings shared by the commands that run scenarios.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Monte Carlo paths, 1 to 1000000000 (overrides the file's run.paths).
    #[arg(long, value_name = "N", value_parser = values::paths)]
    pub(crate) paths: Option<u64>,
    /// Seed, 0 to 9007199254740991 (overrides the file's run.seed).
    #[arg(long, value_name = "S", value_parser = values::seed)]
    pub(crate) seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "T", value_parser = values::threads)]
    pub(crate) threads: Option<usize>,
    /// Memory limit, bytes with an optional K, M, G or T suffix (binary), or `none`
    /// [default: 75% of physical memory].
    #[arg(long, value_name = "SIZE", value_parser = values::memory)]
    pub(crate) max_memory: Option<String>,
    /// Also write the charts and report.html into the result folder (as `herdlab report`).
    #[arg(long)]
    pub(crate) report: bool,
}

/// The output formats of `herdlab report`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// Charts as SVG and PNG, and report.html.
    Html,
    /// Charts as SVG only.
    Svg,
    /// Charts as PNG only.
    Png,
}

impl From<FormatArg> for report::Format {
    fn from(f: FormatArg) -> report::Format {
        match f {
            FormatArg::Html => report::Format::Html,
            FormatArg::Svg => report::Format::Svg,
            FormatArg::Png => report::Format::Png,
        }
    }
}

impl From<&RunArgs> for RunSettings {
    fn from(a: &RunArgs) -> RunSettings {
        RunSettings {
            paths: a.paths,
            seed: a.seed,
            threads: a.threads,
            max_memory: a.max_memory.clone(),
            report: a.report,
        }
    }
}

/// What every command needs besides its arguments; also the [`Monitor`] of the service calls:
/// progress on stderr, warnings and notes on stderr, Ctrl-C.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    /// Set by Ctrl-C: stop as soon as possible, write nothing.
    pub(crate) stop: Arc<AtomicBool>,
    /// The command line, for manifests.
    pub(crate) command_line: Vec<String>,
    /// Progress display.
    pub(crate) mode: Mode,
    /// Print summary tables (`-q` turns them off; warnings and notes are printed either way).
    pub(crate) tables: bool,
}

impl Monitor for Context {
    fn run_started(&self, label: &str, total: u64, done: u64) -> Box<dyn Observer + '_> {
        let p = Progress::new(label, total, self.mode, self.stop.clone());
        if done > 0 {
            p.start_at(done);
        }
        Box::new(p)
    }
    fn warning(&self, file: &str, message: &str) {
        // Also under `-q`, which hides progress and tables only (docs/outputs.md).
        eprintln!("warning: {file}: {message}");
    }
    fn note(&self, message: &str) {
        eprintln!("note: {message}");
    }
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// Prints where report.html went (`--report`).
fn print_report(ctx: &Context, html: Option<&std::path::Path>) {
    if ctx.tables
        && let Some(html) = html
    {
        println!("report written to {}", html.display());
    }
}

/// Runs a parsed command line.
pub(crate) fn execute(cli: Cli, ctx: &Context) -> Result<()> {
    match cli.command {
        Command::Run {
            scenario,
            run,
            shard,
            out,
            force,
            resume,
            checkpoint_every,
            decision_log,
        } => {
            match (resume, scenario) {
                (Some(folder), _) => {
                    let request = ResumeRequest {
                        folder,
                        settings: RunSettings::from(&run),
                        checkpoint_every,
                    };
                    match service::resume(&request, ctx)? {
                        ResumeOutcome::Complete(dir) => {
                            if ctx.tables {
                                println!(
                                    "{} is complete: the run had finished; its leftover checkpoint was removed",
                                    dir.display()
                                );
                            }
                        }
                        ResumeOutcome::Finished(o) => print_run(ctx, &o),
                    }
                    Ok(())
                }
                (None, Some(scenario)) => {
                    let shard = match shard.as_deref() {
                        Some(s) => service::parse_shard(s)?,
                        None => Shard::WHOLE,
                    };
                    let request = RunRequest {
                        scenario,
                        settings: RunSettings::from(&run),
                        overrides: Vec::new(),
                        shard,
                        out,
                        force,
                        checkpoint_every,
                        command_line: ctx.command_line.clone(),
                    };
                    // The list's syntax is checked before the run, its range after.
                    if let Some(text) = &decision_log {
                        service::decision_log::parse_ranges(text)?;
                    }
                    let o = service::run(&request, ctx)?;
                    let logged = match &decision_log {
                        Some(text) => {
                            service::decision_log::parse_paths(text, o.scenario.run.paths)?
                        }
                        None => Vec::new(),
                    };
                    print_run(ctx, &o);
                    // The logs go into the result folder: no other writer meanwhile.
                    let _lock = (!logged.is_empty())
                        .then(|| reports::lock::FolderLock::acquire(&o.folder))
                        .transpose()?;
                    for p in logged {
                        let files = service::decision_log::write_decision_log(
                            &o.scenario,
                            p,
                            &o.folder.join("decision-log"),
                        )?;
                        if ctx.tables {
                            for f in files {
                                println!("decision log of path {p}: {}", f.display());
                            }
                        }
                    }
                    Ok(())
                }
                (None, None) => Err(Error::Usage("run: give a scenario, or --resume DIR".into())),
            }
        }
        Command::Compare {
            scenarios,
            run,
            out,
            force,
        } => {
            let request = CompareRequest {
                scenarios,
                settings: RunSettings::from(&run),
                out,
                force,
                command_line: ctx.command_line.clone(),
            };
            let o = service::compare(&request, ctx)?;
            print_report(ctx, o.report.as_deref());
            if ctx.tables {
                let a = &o.scenarios[0];
                println!(
                    "paired differences against {} ({} paths, seed {}, common random numbers; 95% intervals)",
                    a.name, a.run.paths, a.run.seed
                );
                for (name, c) in o.names.iter().skip(1).zip(&o.comparisons) {
                    println!("{name} - {}:", o.names[0]);
                    // MODEL.md 4.1's measures when the models move in either scenario.
                    let moving = o
                        .scenarios
                        .iter()
                        .any(|s| sim::scenario::moving::any_on(&s.models));
                    let extra: &[&str] = if moving {
                        &sim::scenario::moving::MEASURES
                    } else {
                        &[]
                    };
                    let rows: Vec<Vec<String>> = HEADLINE
                        .iter()
                        .chain(extra)
                        .filter_map(|h| c.measure(h))
                        .chain(&c.region_gap)
                        .map(|m| {
                            let d = &m.difference;
                            // One row, one number of decimals: four digits of the difference.
                            let k = table::decimals([d.mean, d.low, d.high]);
                            vec![
                                m.name.clone(),
                                table::fixed(d.mean_a, k),
                                table::fixed(d.mean_b, k),
                                table::fixed(d.mean, k),
                                format!(
                                    "[{}, {}]",
                                    table::fixed(d.low, k),
                                    table::fixed(d.high, k)
                                ),
                            ]
                        })
                        .collect();
                    table::print(
                        &[
                            "measure",
                            "reference",
                            "scenario",
                            "difference",
                            "95% interval",
                        ]
                        .map(String::from),
                        &rows,
                        &[true, false, false, false, false],
                    );
                }
                println!("results written to {}", o.folder.display());
            }
            Ok(())
        }
        Command::Sweep {
            scenario,
            vary,
            run,
            out,
            force,
            resume,
        } => {
            let request = SweepRequest {
                scenario,
                vary,
                settings: RunSettings::from(&run),
                out,
                force,
                resume,
                command_line: ctx.command_line.clone(),
            };
            let o = service::sweep(&request, ctx)?;
            if resume && ctx.tables {
                eprintln!(
                    "resumed: {} of {} cells were kept from the interrupted sweep",
                    o.reused,
                    o.rows.len()
                );
            }
            print_report(ctx, o.report.as_deref());
            if ctx.tables {
                let base = &o.scenario;
                println!(
                    "{}: {} cells, {} paths each, seed {} (shared by every cell)",
                    base.name,
                    o.rows.len(),
                    base.run.paths,
                    base.run.seed
                );
                // Cell, the parameters, and the mean of each headline measure, each column with
                // one number of decimals (all of it is in grid.csv).
                let mut header = vec!["cell".to_string()];
                header.extend(o.varies.iter().map(|v| v.path.to_string()));
                header.extend(HEADLINE.iter().map(|h| h.to_string()));
                let values: Vec<Vec<f64>> = o
                    .rows
                    .iter()
                    .map(|r| {
                        r[1..=o.varies.len()]
                            .iter()
                            .map(|v| v.parse().unwrap_or(f64::NAN))
                            .collect()
                    })
                    .collect();
                let means: Vec<Vec<f64>> = o
                    .aggregates
                    .iter()
                    .map(|agg| {
                        HEADLINE
                            .iter()
                            .map(|h| headline(agg, h).map_or(f64::NAN, |x| x.0))
                            .collect()
                    })
                    .collect();
                let column =
                    |rows: &[Vec<f64>], j: usize| table::decimals(rows.iter().map(|r| r[j]));
                let rows: Vec<Vec<String>> = (0..o.rows.len())
                    .map(|i| {
                        let mut row = vec![(i + 1).to_string()];
                        row.extend((0..o.varies.len()).map(|j| {
                            let d = values.iter().map(|r| decimals_of(r[j])).max().unwrap_or(0);
                            table::fixed(values[i][j], d)
                        }));
                        row.extend(
                            (0..HEADLINE.len())
                                .map(|j| table::fixed(means[i][j], column(&means, j))),
                        );
                        row
                    })
                    .collect();
                let mut left = vec![false; header.len()];
                left[0] = true;
                table::print(&header, &rows, &left);
                println!("results written to {}", o.folder.display());
            }
            Ok(())
        }
        Command::Validate { files } => validate(&files),
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
        Command::Report { dir, format, style } => {
            // The flags are checked first (usage errors before the folder's own).
            let scenario = report::scenario_style(&dir);
            let (output, theme) = style.resolve(scenario.as_ref().cloned().unwrap_or_default())?;
            scenario?;
            let written = service::report_with_theme(
                &ReportRequest {
                    folder: &dir,
                    format: format.into(),
                    output,
                },
                &theme,
            )?;
            if let Ok(m) = output::read_manifest(&dir.join("manifest.json"))
                && m.sha256.is_empty()
            {
                ctx.note(&output::no_digests_note(&dir));
            }
            if ctx.tables {
                for w in written {
                    println!("wrote {}", w.display());
                }
            }
            Ok(())
        }
        Command::Merge { dirs, out, force } => {
            let m = service::merge(&MergeRequest {
                folders: dirs,
                out,
                force,
                command_line: ctx.command_line.clone(),
            })?;
            for d in &m.unverified {
                ctx.note(&output::no_digests_note(d));
            }
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
        Command::Slurm(args) => slurm::execute(*args, ctx),
        Command::Monitor(args) => monitor::execute(*args, ctx),
    }
}

/// The chart size of `herdlab report`: each flag is checked on its own by clap; here, that the
/// charts come to 64 to 20000 pixels a side.
fn chart_output(width: f64, height: f64, dpi: f64) -> Result<charts::Output> {
    let output = charts::Output::inches(width, height, dpi);
    for (flag, inches, px) in [
        ("--width", width, output.width_px),
        ("--height", height, output.height_px),
    ] {
        if !(64..=20_000).contains(&px) {
            return Err(Error::Usage(format!(
                "{flag} {inches} --dpi {dpi}: charts of {px} pixels; {flag} × --dpi must come to 64 to 20000 pixels"
            )));
        }
    }
    Ok(output)
}

/// Prints what a run (or a resumed run) wrote.
fn print_run(ctx: &Context, o: &RunOutcome) {
    print_report(ctx, o.report.as_deref());
    if ctx.tables {
        print_summary(&o.scenario, &o.aggregates);
    }
    if o.all_failed > 0 {
        // A note on stderr, also under `-q`.
        ctx.note(&format!(
            "every bank had failed by the end of {} of {} paths \
             (failed_bank_share = 1 in paths.csv); no credit is supplied after that",
            o.all_failed,
            o.paths.len()
        ));
    }
    if !ctx.tables {
        return;
    }
    match o.shard {
        Some((i, k, first, end)) => println!(
            "shard {i}/{k} (paths {first}..{end}) written to {}",
            o.folder.display()
        ),
        None => println!("results written to {}", o.folder.display()),
    }
}

fn print_summary(scenario: &Scenario, agg: &Aggregates) {
    println!(
        "{}: {} paths, seed {}, {} quarters; money in {}",
        scenario.name, agg.paths, scenario.run.seed, scenario.run.quarters, scenario.currency
    );
    if agg.paths == 0 {
        // An empty shard: nothing observed, so nothing to show (its merge with the other shards
        // gives the run's statistics).
        println!("  no paths, so no statistic (this shard holds none of the run's paths)");
        return;
    }
    let extra: &[&str] = if sim::scenario::moving::any_on(&scenario.models) {
        &sim::scenario::moving::MEASURES
    } else {
        &[]
    };
    let rows: Vec<Vec<String>> = HEADLINE
        .iter()
        .chain(extra)
        .filter_map(|name| {
            let (mean, _, lo, hi) = headline(agg, name)?;
            let k = table::decimals([mean, lo, hi]);
            Some(vec![
                name.to_string(),
                table::fixed(mean, k),
                format!("[{}, {}]", table::fixed(lo, k), table::fixed(hi, k)),
            ])
        })
        .collect();
    table::print(
        &["measure", "mean", "95% interval"].map(String::from),
        &rows,
        &[true, false, false],
    );
}

/// Decimals a parameter value needs to be shown exactly (up to 6).
fn decimals_of(x: f64) -> usize {
    (0..6)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            ((x * f).round() / f - x).abs() <= 1e-9 * x.abs().max(1.0)
        })
        .unwrap_or(6)
}

/// `herdlab validate`: every file checked, each problem printed.
fn validate(files: &[String]) -> Result<()> {
    let mut bad = 0;
    for f in files {
        match service::validate(f).and_then(|p| report::input_style(&p.input).map(|_| p)) {
            Ok(p) => {
                println!(
                    "ok: {} ({}: {} banks, {} regions, {} families)",
                    f,
                    p.scenario.name,
                    p.scenario.banks.len(),
                    p.scenario.regions.len(),
                    p.scenario.models.families.len()
                );
                let mut seen = BTreeSet::new();
                for w in p.scenario.warnings() {
                    if seen.insert(w.to_string()) {
                        eprintln!("warning: {f}: {w}");
                    }
                }
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
