//! `sweep`: a grid over scenario parameters, every cell on the same random numbers; and the one
//! place sweep cells are prepared (the command line, the Slurm driver and the desktop app).

use std::path::{Path, PathBuf};

use serde::Serialize;
use sim::aggregate::Aggregates;
use sim::montecarlo::Shard;
use sim::scenario::Scenario;

use super::{
    Finished, Monitor, Prepared, RunSettings, ServiceError, check_stop, report_html, run_one, warn,
    write_into,
};
use crate::checkpoint;
use crate::error::Result;
use crate::input::Origin;
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir, HEADLINE};
use crate::sweep::{self, Assignment, Vary};

/// A sweep (`herdlab sweep`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRequest {
    /// Scenario file or bundled scenario name.
    pub scenario: String,
    /// The parameters and their values, `PATH=VALUES` (e.g. `models.similarity=0:1:11` or
    /// `rates.shock.size=0,1,2,3`); the first varies slowest.
    pub vary: Vec<String>,
    /// Run settings, for every cell.
    pub settings: RunSettings,
    /// Result folder [default: `results/sweep-NAME`].
    pub out: Option<PathBuf>,
    /// Replace an existing result folder (and discard the cells an interrupted run kept).
    pub force: bool,
    /// Continue an interrupted sweep: kept cells whose scenario is unchanged are reused.
    pub resume: bool,
    /// Recorded in the manifests.
    pub command_line: Vec<String>,
}

/// One cell of a sweep, ready to run.
#[derive(Clone, Debug)]
pub struct SweepCell {
    /// The parameters' values in this cell, in the order of the sweep's parameters.
    pub values: Vec<f64>,
    /// The same as assignments.
    pub assignments: Vec<Assignment>,
    /// The cell's scenario, checked, with the overrides and the cell's values applied.
    pub prepared: Prepared,
}

/// Every cell of a sweep, checked before any is run.
#[derive(Clone, Debug)]
pub struct SweepPlan {
    /// The swept parameters.
    pub varies: Vec<Vary>,
    /// The cells, the first parameter varying slowest.
    pub cells: Vec<SweepCell>,
}

fn value_of(a: &Assignment) -> f64 {
    match &a.value {
        toml::Value::Integer(i) => *i as f64,
        toml::Value::Float(x) => *x,
        _ => f64::NAN,
    }
}

/// Prepares every cell of a sweep of `table` (the merged scenario of `origin`, possibly edited):
/// `overrides` (paths, seed) first, then each `PATH=VALUES` of `vary` parsed against the table
/// with the overrides applied. Fails on the first parameter or cell that is wrong, naming it.
pub fn plan_sweep(
    origin: &Origin,
    table: &toml::Table,
    overrides: &[Assignment],
    vary: &[String],
) -> Result<SweepPlan> {
    let mut with_overrides = table.clone();
    for a in overrides {
        sweep::assign(&mut with_overrides, a)?;
    }
    let varies = vary
        .iter()
        .map(|v| Vary::parse(v, &with_overrides))
        .collect::<Result<Vec<_>>>()?;
    if varies.is_empty() {
        return Err(ServiceError::Usage(
            "a sweep needs a parameter to vary".into(),
        ));
    }
    let mut cells = Vec::new();
    for (i, cell) in sweep::grid(&varies).into_iter().enumerate() {
        let label = format!(
            "cell {}: {}",
            i + 1,
            cell.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut all = overrides.to_vec();
        all.extend(cell.iter().cloned());
        let prepared = Prepared::from_table(origin.clone(), table.clone(), &all, &label)?;
        cells.push(SweepCell {
            values: cell.iter().map(value_of).collect(),
            assignments: cell,
            prepared,
        });
    }
    Ok(SweepPlan { varies, cells })
}

/// A finished sweep, its folder written.
#[derive(Clone, Debug)]
pub struct SweepOutcome {
    /// The first cell's scenario (its name, seed and paths are the sweep's).
    pub scenario: Scenario,
    /// The swept parameters.
    pub varies: Vec<Vary>,
    /// The header of `grid.csv`.
    pub header: Vec<String>,
    /// The rows of `grid.csv`, one per cell.
    pub rows: Vec<Vec<String>>,
    /// Each cell's aggregates.
    pub aggregates: Vec<Aggregates>,
    /// Cells reused from an interrupted run of the same sweep.
    pub reused: usize,
    /// The result folder.
    pub folder: PathBuf,
    /// report.html, when the settings asked for the report.
    pub report: Option<PathBuf>,
}

/// Runs every cell of a sweep (checked first, all of them) and writes the sweep folder: a result
/// folder per cell, `grid.csv` and `sweep.json`. Finished cells are kept beside the folder until
/// it is written, so an interrupted sweep can be resumed.
pub fn sweep(request: &SweepRequest, monitor: &dyn Monitor) -> Result<SweepOutcome> {
    let options = request.settings.options(Shard::WHOLE)?;
    let overrides = request.settings.overrides()?;
    let origin = Origin::resolve(&request.scenario)?;
    let plan = plan_sweep(&origin, &origin.table()?, &overrides, &request.vary)?;
    let mut warned = std::collections::BTreeSet::new();
    for c in &plan.cells {
        warn(monitor, &c.prepared, &mut warned);
    }
    let base = &plan.cells[0].prepared.scenario;
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("sweep-{}", base.name)));
    AtomicDir::check(&out, request.force)?;
    // Held until the folder is written and the kept cells removed.
    let _lock = FolderLock::acquire(&out)?;
    let dir = AtomicDir::create(&out, request.force)?;
    let n = plan.cells.len();
    let kept = checkpoint::location(&out);
    if kept.exists() && !request.resume {
        if !request.force {
            return Err(ServiceError::Checkpoint(format!(
                "{}: an interrupted run of this sweep kept its finished cells in {}; run the same \
                 command with --resume to continue, or with --force to start over",
                out.display(),
                kept.display()
            )));
        }
        std::fs::remove_dir_all(&kept)
            .map_err(|e| ServiceError::io(&kept, "cannot remove old checkpoint", e))?;
    }
    let mut aggregates = Vec::new();
    let mut reused = 0;
    for (i, cell) in plan.cells.iter().enumerate() {
        let p = &cell.prepared;
        let cell_dir = kept.join(cell_folder(i));
        let f = match kept_cell(&cell_dir, p)? {
            Some(f) => {
                reused += 1;
                f
            }
            None => {
                let label = format!("cell {}/{n}", i + 1);
                let f = match run_one(monitor, p, &options, &label, &request.command_line) {
                    Err(ServiceError::Interrupted) if i > 0 => {
                        return Err(ServiceError::InterruptedCells {
                            done: i as u64,
                            total: n as u64,
                            checkpoint: kept.clone(),
                        });
                    }
                    other => other?,
                };
                // Keep the finished cell (whole or not at all) until the sweep's folder is in place.
                let kept_dir = AtomicDir::create(&cell_dir, true)?;
                write_into(kept_dir.path(), &p.scenario, &f)?;
                kept_dir.commit()?;
                f
            }
        };
        aggregates.push(write_into(
            &dir.path().join(cell_folder(i)),
            &p.scenario,
            &f,
        )?);
    }
    let values: Vec<Vec<f64>> = plan.cells.iter().map(|c| c.values.clone()).collect();
    let rows = write_sweep_index(dir.path(), base, &plan.varies, &values, &aggregates)?;
    check_stop(monitor)?;
    let folder = dir.commit()?;
    if kept.exists() {
        std::fs::remove_dir_all(&kept)
            .map_err(|e| ServiceError::io(&kept, "cannot remove checkpoint", e))?;
    }
    let report = if request.settings.report {
        report_html(&folder)?
    } else {
        None
    };
    Ok(SweepOutcome {
        scenario: base.clone(),
        header: sweep_header(&plan.varies),
        varies: plan.varies,
        rows,
        aggregates,
        reused,
        folder,
        report,
    })
}

/// A sweep cell kept by an interrupted run of the same sweep, if it is complete and was run on
/// the same scenario (an edited file or other values make it stale: it is run again).
fn kept_cell(dir: &Path, p: &Prepared) -> Result<Option<Finished>> {
    let manifest_file = dir.join("manifest.json");
    if !manifest_file.is_file() {
        return Ok(None);
    }
    let manifest = output::read_manifest(&manifest_file)?;
    output::verify_folder(dir, &manifest)?;
    let scenario = serde_json::to_value(&p.scenario).map_err(|e| ServiceError::format(dir, e))?;
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

/// The folder of sweep cell `i` (from 0): `cell-0001`, `cell-0002`...
pub fn cell_folder(i: usize) -> String {
    format!("cell-{:04}", i + 1)
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
struct SweepIndexCell {
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
    cells: Vec<SweepIndexCell>,
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
        return Err(ServiceError::Usage(
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
                output::headline(agg, h).unwrap_or((f64::NAN, f64::NAN, f64::NAN, f64::NAN));
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
        sweep_cells.push(SweepIndexCell {
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

/// Writes a sweep already run as `herdlab sweep` writes it, to `out` (atomically, replacing an
/// existing folder only when `force`): cell `i` ran with `values[i]` and gave `runs[i]`.
/// Returns the folder.
pub fn write_sweep_folder(
    out: &Path,
    force: bool,
    varies: &[Vary],
    values: &[Vec<f64>],
    runs: &[(&Scenario, &Finished)],
) -> Result<PathBuf> {
    let Some((base, _)) = runs.first() else {
        return Err(ServiceError::Usage("the sweep has no cells".into()));
    };
    AtomicDir::check(out, force)?;
    let _lock = FolderLock::acquire(out)?;
    let dir = AtomicDir::create(out, force)?;
    let mut aggs = Vec::new();
    for (i, (s, f)) in runs.iter().enumerate() {
        aggs.push(write_into(&dir.path().join(cell_folder(i)), s, f)?);
    }
    write_sweep_index(dir.path(), base, varies, values, &aggs)?;
    dir.commit()
}
