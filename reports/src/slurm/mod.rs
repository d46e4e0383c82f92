//! Sharded runs and sweeps on a Slurm cluster: `herdlab slurm run | sweep | status | collect`.
//!
//! `slurm run` writes an sbatch script for an array job with one task per shard, each a plain
//! `herdlab run --shard I/K`, and a second script whose job merges the shards; it submits both,
//! the second with `--dependency=afterany:` on the first. `slurm sweep` does the same with one
//! task per sweep cell (each a one-cell `herdlab sweep`), and the second job assembles the cells
//! into the folder a local `herdlab sweep` writes. A task whose complete result exists exits at
//! once, so an array can be resubmitted and a failed task rerun alone. A job folder `OUT` holds:
//!
//! | path | what |
//! |---|---|
//! | `slurm.json` | the plan (scenario, paths, seed, shards or cells) and the submitted job ids |
//! | `job.sbatch`, `merge.sbatch` | the array job's script and the merging job's script |
//! | `shards/shard-01-of-04/` | (run) shard results, each a result folder |
//! | `cells/cell-0001/` | (sweep) cell results, each a one-cell sweep folder |
//! | `logs/` | one log per task and per merging job |
//! | `result/` | the merged result folder, or the sweep folder (`cell-0001/`..., `grid.csv`, `sweep.json`) |
//!
//! The command-line flags are the binary's; this module takes plain requests ([`JobOptions`],
//! [`RunSettings`](crate::service::RunSettings)) and returns typed outcomes: [`plan`] (what the
//! tasks compute), [`script`] (the sbatch scripts), [`scheduler`] (sbatch, squeue, sacct and
//! submission), [`status`] and [`collect`]. See `docs/cluster.md`.

pub mod collect;
pub mod plan;
pub mod scheduler;
pub mod script;
pub mod status;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use collect::{Collected, collect};
pub use plan::{plan_run, plan_sweep};
pub use scheduler::{Submitted, parse_job_id, parse_states, submit};
pub use script::{Scripts, array_list, scripts, shell_quote};
pub use status::{Status, TaskStatus, status};

/// Format tag of `slurm.json`.
pub const JOB_FORMAT: &str = "herdlab-slurm";

/// What a job folder computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A sharded run.
    Run,
    /// A sweep.
    Sweep,
}

/// A swept parameter, as in `sweep.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Its path.
    pub path: String,
    /// Its values.
    pub values: Vec<f64>,
    /// Whether it is a whole number.
    pub integer: bool,
}

/// What the tasks of a job folder compute; a resubmission must have the same plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Run or sweep.
    pub kind: Kind,
    /// The scenario as the tasks name it: an absolute file path or a bundled name.
    pub scenario: String,
    /// The scenario's name.
    pub scenario_name: String,
    /// `--paths` as given, if given.
    pub paths: Option<u64>,
    /// `--seed` as given, if given.
    pub seed: Option<u64>,
    /// Paths per run after overrides (for a sweep: of the first cell).
    pub total_paths: u64,
    /// Number of array tasks: shards, or sweep cells.
    pub tasks: u64,
    /// For a sweep: its parameters.
    pub parameters: Vec<Parameter>,
    /// For a sweep: per cell, its `--vary PATH=VALUE` arguments.
    pub cells: Vec<Vec<String>>,
    /// `--report`: the collecting job also writes the result's charts and report.html.
    #[serde(default)]
    pub report: bool,
}

/// One submission of a job folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    /// When (RFC 3339, UTC).
    pub submitted: String,
    /// The array job's id, if an array job was submitted.
    pub array_job: Option<String>,
    /// The array tasks submitted, e.g. `1-4` or `2,5`.
    pub array: String,
    /// The merging job's id.
    pub merge_job: String,
}

/// `slurm.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobFile {
    /// Always [`JOB_FORMAT`].
    pub format: String,
    /// Always 1.
    pub format_version: u32,
    /// What the tasks compute.
    pub plan: Plan,
    /// Every submission, oldest first.
    pub submissions: Vec<Submission>,
}

/// Slurm settings: each becomes an `#SBATCH` line of both scripts unless said otherwise.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobOptions {
    /// Partition (`--partition`).
    pub partition: Option<String>,
    /// Time limit per task and for the merging job (`--time`, e.g. 30, 2:00:00, 1-00:00:00).
    pub time: Option<String>,
    /// Memory per task and for the merging job (`--mem`, e.g. 4G); also the tasks' memory limit
    /// unless the run settings give one.
    pub mem: Option<String>,
    /// CPUs per task (`--cpus-per-task`) [default: the settings' threads, else 1].
    pub cpus_per_task: Option<u32>,
    /// Account to charge (`--account`).
    pub account: Option<String>,
    /// Quality of service (`--qos`).
    pub qos: Option<String>,
    /// Run at most L tasks at once (`--array=1-K%L`).
    pub array_limit: Option<u32>,
    /// Job name [default: herdlab-NAME].
    pub job_name: Option<String>,
    /// Any other sbatch options, e.g. `--constraint=ib`.
    pub sbatch_args: Vec<String>,
    /// The herdlab program as the compute nodes see it [default: this program].
    pub herdlab: Option<PathBuf>,
}

/// Reads the `slurm.json` of a job folder.
fn read_job_file(out: &Path) -> Result<JobFile> {
    let path = out.join("slurm.json");
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Error::io(
            &path,
            "cannot read (is this a folder made by `herdlab slurm run` or `slurm sweep`?)",
            e,
        )
    })?;
    let f: JobFile = serde_json::from_str(&text).map_err(|e| Error::format(&path, e))?;
    if f.format != JOB_FORMAT {
        return Err(Error::format(
            &path,
            format!("format is {:?}, not {JOB_FORMAT:?}", f.format),
        ));
    }
    Ok(f)
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, "cannot write", e))
}
