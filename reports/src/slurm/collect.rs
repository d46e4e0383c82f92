//! `herdlab slurm collect`: the shards of a job folder merged, or its cells assembled, into
//! `DIR/result`, identical to what a local run or sweep writes.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::{result_done, task_done};
use super::script::array_list;
use super::{Kind, Parameter, Plan, read_job_file};
use crate::error::{Error, Result};
use crate::merge;
use crate::output::{self, AtomicDir};
use crate::service;

/// What [`collect`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Collected {
    /// The result was complete already.
    Complete {
        /// The result folder.
        folder: PathBuf,
    },
    /// The shards were merged.
    Merged {
        /// How many.
        shards: usize,
        /// The result folder.
        folder: PathBuf,
        /// report.html, when the job asked for the report.
        report: Option<PathBuf>,
    },
    /// The cells were assembled into a sweep folder.
    Assembled {
        /// How many.
        cells: u64,
        /// The result folder.
        folder: PathBuf,
        /// report.html, when the job asked for the report.
        report: Option<PathBuf>,
    },
}

/// Merges the shards (or assembles the cells) of job folder `dir` into `dir/result`, once every
/// task has its complete result; `command_line` is recorded in a merged manifest.
pub fn collect(dir: &Path, command_line: &[String]) -> Result<Collected> {
    let dir = std::path::absolute(dir).map_err(|e| Error::io(dir, "cannot resolve path", e))?;
    let f = read_job_file(&dir)?;
    let plan = &f.plan;
    let root = dir.join(plan.task_root());
    let missing: Vec<u64> = (1..=plan.tasks)
        .filter(|&i| !task_done(plan, &root.join(plan.task_name(i))))
        .collect();
    if !missing.is_empty() {
        let list = missing
            .iter()
            .map(|&i| plan.label(i))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::Merge(format!(
            "{} of {} {}s have no complete result in {}: {list}. Rerun them with `sbatch --array={} {}/job.sbatch` (or `bash {}/job.sbatch I` each), then `sbatch {}/merge.sbatch` or `herdlab slurm collect {}`",
            missing.len(),
            plan.tasks,
            plan.noun(),
            root.display(),
            array_list(&missing),
            dir.display(),
            dir.display(),
            dir.display(),
            dir.display()
        )));
    }
    let target = dir.join("result");
    if result_done(plan, &dir) {
        return Ok(Collected::Complete { folder: target });
    }
    let report = |folder: &Path| -> Result<Option<PathBuf>> {
        if plan.report {
            service::report_html(folder)
        } else {
            Ok(None)
        }
    };
    match plan.kind {
        Kind::Run => {
            let dirs: Vec<PathBuf> = (1..=plan.tasks)
                .map(|i| root.join(plan.task_name(i)))
                .collect();
            let m = merge::merge(&dirs, &target, true, command_line)?;
            Ok(Collected::Merged {
                shards: m.manifest.merged_from.len(),
                report: report(&target)?,
                folder: m.dir,
            })
        }
        Kind::Sweep => {
            let folder = assemble_sweep(plan, &root, &target)?;
            Ok(Collected::Assembled {
                cells: plan.tasks,
                report: report(&target)?,
                folder,
            })
        }
    }
}

/// `sweep.json` as `herdlab sweep` writes it (fields in the same order).
#[derive(Debug, Serialize, Deserialize)]
struct SweepJson {
    format: String,
    format_version: u32,
    scenario: String,
    seed: u64,
    paths: u64,
    parameters: Vec<Parameter>,
    cells: Vec<SweepJsonCell>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SweepJsonCell {
    cell: usize,
    folder: String,
    values: Vec<Option<f64>>,
    headline: Vec<SweepJsonHeadline>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SweepJsonHeadline {
    measure: String,
    mean: Option<f64>,
    std_error: Option<f64>,
    low: Option<f64>,
    high: Option<f64>,
}

fn read_csv(path: &Path) -> Result<Vec<Vec<String>>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(|e| Error::format(path, e))?;
    r.records()
        .map(|rec| {
            rec.map(|r| r.iter().map(String::from).collect())
                .map_err(|e| Error::format(path, e))
        })
        .collect()
}

/// Hard-links (or, across file systems, copies) the files of `from` into a new folder `to`.
fn link_files(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).map_err(|e| Error::io(to, "cannot create folder", e))?;
    let entries = std::fs::read_dir(from).map_err(|e| Error::io(from, "cannot read", e))?;
    for e in entries {
        let e = e.map_err(|e| Error::io(from, "cannot read", e))?;
        let src = e.path();
        if !src.is_file() {
            continue;
        }
        let dst = to.join(e.file_name());
        if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(|e| Error::io(&dst, "cannot copy", e))?;
        }
    }
    Ok(())
}

/// Builds the folder `herdlab sweep` would have written from the one-cell sweeps in `root`.
fn assemble_sweep(plan: &Plan, root: &Path, target: &Path) -> Result<PathBuf> {
    // One writer of the folder at a time, as for `merge` (a second `collect` is refused).
    let _lock = crate::lock::FolderLock::acquire(target)?;
    let dir = AtomicDir::create(target, true)?;
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut first: Option<SweepJson> = None;
    let mut cells = Vec::new();
    for i in 1..=plan.tasks {
        let cell_dir = root.join(plan.task_name(i));
        let folder = format!("cell-{i:04}");
        link_files(&cell_dir.join("cell-0001"), &dir.path().join(&folder))?;
        let grid_path = cell_dir.join("grid.csv");
        let mut grid = read_csv(&grid_path)?;
        if grid.len() != 2 {
            return Err(Error::format(
                &grid_path,
                "expected a header and one row (a one-cell sweep)",
            ));
        }
        let mut row = grid.remove(1);
        let h = grid.remove(0);
        if header.as_ref().is_some_and(|first| *first != h) {
            return Err(Error::format(
                &grid_path,
                "its columns differ from cell 1's",
            ));
        }
        header.get_or_insert(h);
        if let Some(c) = row.first_mut() {
            *c = i.to_string();
        }
        rows.push(row);
        let json_path = cell_dir.join("sweep.json");
        let text = std::fs::read_to_string(&json_path)
            .map_err(|e| Error::io(&json_path, "cannot read", e))?;
        let mut s: SweepJson =
            serde_json::from_str(&text).map_err(|e| Error::format(&json_path, e))?;
        let mut cell = s
            .cells
            .pop()
            .ok_or_else(|| Error::format(&json_path, "it holds no cell"))?;
        cell.cell = i as usize;
        cell.folder = folder;
        cells.push(cell);
        first.get_or_insert(s);
    }
    let (Some(header), Some(mut file)) = (header, first) else {
        return Err(Error::Merge("the sweep has no cells".into()));
    };
    output::write_csv(&dir.path().join("grid.csv"), &header, &rows)?;
    file.parameters = plan.parameters.clone();
    file.cells = cells;
    output::write_json(&dir.path().join("sweep.json"), &file)?;
    dir.commit()
}
