//! What the tasks of a job folder compute: a sharded run or a sweep, checked before anything is
//! submitted.

use std::path::Path;

use super::{Kind, Parameter, Plan};
use crate::error::{Error, Result};
use crate::input::{self, Origin};
use crate::output;
use crate::service::{self, RunSettings};

/// The scenario as tasks on other machines name it.
fn task_scenario(origin: &Origin) -> Result<String> {
    match origin {
        Origin::File(p) => {
            let abs =
                std::fs::canonicalize(p).map_err(|e| Error::io(p, "cannot resolve path", e))?;
            Ok(abs.display().to_string())
        }
        Origin::Bundled(b) => Ok(b.name.to_string()),
    }
}

/// Checks a sharded run and plans its tasks.
pub fn plan_run(scenario: &str, shards: u64, run: &RunSettings) -> Result<Plan> {
    let origin = Origin::resolve(scenario)?;
    let (s, _) = input::build(&origin, origin.table()?, &run.overrides()?, "")?;
    if shards == 0 || shards > s.run.paths {
        return Err(Error::Usage(format!(
            "--shards {shards}: expected 1 to {} (the run's paths)",
            s.run.paths
        )));
    }
    Ok(Plan {
        kind: Kind::Run,
        scenario: task_scenario(&origin)?,
        scenario_name: s.name,
        paths: run.paths,
        seed: run.seed,
        total_paths: s.run.paths,
        tasks: shards,
        parameters: Vec::new(),
        cells: Vec::new(),
        report: run.report,
    })
}

/// A sweep value as a `--vary` value that parses back to the same number.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => output::num(*x),
        other => other.to_string(),
    }
}

/// Checks a sweep (every cell, as `herdlab sweep` does, through
/// [`service::plan_sweep`]) and plans one task per cell.
pub fn plan_sweep(scenario: &str, vary: &[String], run: &RunSettings) -> Result<Plan> {
    let origin = Origin::resolve(scenario)?;
    let planned = service::plan_sweep(&origin, &origin.table()?, &run.overrides()?, vary)?;
    let first = &planned
        .cells
        .first()
        .ok_or_else(|| Error::Usage("the sweep has no cells".into()))?
        .prepared
        .scenario;
    let cells: Vec<Vec<String>> = planned
        .cells
        .iter()
        .map(|c| {
            c.assignments
                .iter()
                .map(|a| format!("{}={}", a.path, value_text(&a.value)))
                .collect()
        })
        .collect();
    Ok(Plan {
        kind: Kind::Sweep,
        scenario: task_scenario(&origin)?,
        scenario_name: first.name.clone(),
        paths: run.paths,
        seed: run.seed,
        total_paths: first.run.paths,
        tasks: cells.len() as u64,
        parameters: planned
            .varies
            .iter()
            .map(|v| Parameter {
                path: v.path.to_string(),
                values: v.values.clone(),
                integer: v.integer,
            })
            .collect(),
        cells,
        report: run.report,
    })
}

impl Plan {
    /// `shard` or `cell`.
    pub fn noun(&self) -> &'static str {
        match self.kind {
            Kind::Run => "shard",
            Kind::Sweep => "cell",
        }
    }

    /// The folder holding task results: `shards` or `cells`.
    pub fn task_root(&self) -> &'static str {
        match self.kind {
            Kind::Run => "shards",
            Kind::Sweep => "cells",
        }
    }

    /// Digits in a shard number (at least 2).
    pub(crate) fn width(&self) -> usize {
        match self.kind {
            Kind::Run => self.tasks.to_string().len().max(2),
            Kind::Sweep => 4,
        }
    }

    /// The folder name of task `i` (1-based): `shard-01-of-04` or `cell-0001`.
    pub fn task_name(&self, i: u64) -> String {
        let w = self.width();
        match self.kind {
            Kind::Run => format!("shard-{i:0w$}-of-{:0w$}", self.tasks),
            Kind::Sweep => format!("cell-{i:04}"),
        }
    }

    /// The files whose presence marks task `i`'s folder complete (each folder is renamed into
    /// place only when complete; the check guards against folders made by hand).
    pub(crate) fn complete_marks(&self) -> [&'static str; 2] {
        match self.kind {
            Kind::Run => ["manifest.json", "summary.json"],
            Kind::Sweep => ["sweep.json", "grid.csv"],
        }
    }

    /// How task `i` (1-based) is named in messages: `shard 2/4` or `cell 3/6`.
    pub fn label(&self, i: u64) -> String {
        match self.kind {
            Kind::Run => format!("shard {i}/{}", self.tasks),
            Kind::Sweep => format!("cell {i}/{}", self.tasks),
        }
    }
}

/// Whether `dir` holds a complete result of `plan`'s tasks.
pub(crate) fn task_done(plan: &Plan, dir: &Path) -> bool {
    plan.complete_marks().iter().all(|f| dir.join(f).is_file())
}

/// Whether the final result of a job folder is complete.
pub(crate) fn result_done(plan: &Plan, out: &Path) -> bool {
    let r = out.join("result");
    match plan.kind {
        Kind::Run => r.join("manifest.json").is_file() && r.join("summary.json").is_file(),
        Kind::Sweep => r.join("grid.csv").is_file() && r.join("sweep.json").is_file(),
    }
}
