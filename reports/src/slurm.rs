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
//! See `docs/cluster.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};

use crate::commands::{Context, RunArgs, parse_memory};
use crate::error::{Error, Result};
use crate::input::{self, Origin};
use crate::merge;
use crate::output::{self, AtomicDir};
use crate::sweep::{self, Vary};

/// Format tag of `slurm.json`.
pub const JOB_FORMAT: &str = "herdlab-slurm";
/// How long `status` waits for `squeue` or `sacct`.
const QUERY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long submission waits for `sbatch`.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(120);

/// `herdlab slurm ...`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: SlurmCommand,
}

/// The `slurm` subcommands.
#[derive(Debug, Subcommand)]
pub enum SlurmCommand {
    /// Submit a sharded run: an array job with one task per shard, then a job that merges them.
    Run {
        /// Scenario file, or the name of a bundled scenario.
        scenario: String,
        /// Number of shards (array tasks).
        #[arg(long, value_name = "K")]
        shards: u64,
        /// Run settings, passed to every task.
        #[command(flatten)]
        run: RunArgs,
        /// Slurm settings.
        #[command(flatten)]
        job: JobArgs,
        /// Job folder, on a file system the compute nodes share [default: results/slurm-NAME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the scripts and the sbatch commands; write and submit nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Submit a sweep: an array job with one task per cell, then a job that writes grid.csv.
    Sweep {
        /// Scenario file or bundled scenario name.
        scenario: String,
        /// PATH=VALUES, as for `herdlab sweep`.
        #[arg(long, required = true, value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Run settings, passed to every task.
        #[command(flatten)]
        run: RunArgs,
        /// Slurm settings.
        #[command(flatten)]
        job: JobArgs,
        /// Job folder, on a file system the compute nodes share [default: results/slurm-sweep-NAME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the scripts and the sbatch commands; write and submit nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Say which shards or cells of a job folder are done, running or missing.
    ///
    /// Exit code 0 when the merged result is written, 3 when it is not yet.
    Status {
        /// The job folder (`--out` of `slurm run` or `slurm sweep`).
        dir: PathBuf,
    },
    /// Merge the shards (or assemble the cells) of a job folder into DIR/result.
    ///
    /// This is what the second job runs; run it by hand after rerunning failed tasks.
    Collect {
        /// The job folder.
        dir: PathBuf,
    },
}

/// Slurm settings: each becomes an `#SBATCH` line of both scripts unless said otherwise.
#[derive(Debug, Default, Args)]
pub struct JobArgs {
    /// Partition (`--partition`).
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Time limit per task and for the merging job (`--time`, e.g. 30, 2:00:00, 1-00:00:00).
    #[arg(long, value_name = "T")]
    pub time: Option<String>,
    /// Memory per task and for the merging job (`--mem`, e.g. 4G); also the tasks'
    /// --max-memory unless that is given.
    #[arg(long, value_name = "M")]
    pub mem: Option<String>,
    /// CPUs per task (`--cpus-per-task`) [default: --threads, else 1].
    #[arg(long, value_name = "C")]
    pub cpus_per_task: Option<u32>,
    /// Account to charge (`--account`).
    #[arg(long, value_name = "A")]
    pub account: Option<String>,
    /// Quality of service (`--qos`).
    #[arg(long, value_name = "Q")]
    pub qos: Option<String>,
    /// Run at most L tasks at once (`--array=1-K%L`).
    #[arg(long, value_name = "L")]
    pub array_limit: Option<u32>,
    /// Job name [default: herdlab-NAME].
    #[arg(long, value_name = "NAME")]
    pub job_name: Option<String>,
    /// Any other sbatch option, e.g. --sbatch-arg=--constraint=ib (repeatable).
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub sbatch_args: Vec<String>,
    /// The herdlab program as the compute nodes see it [default: this program].
    #[arg(long, value_name = "PATH")]
    pub herdlab: Option<PathBuf>,
}

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

/// How the tasks run (may change between submissions).
#[derive(Clone, Debug)]
struct Exec {
    herdlab: PathBuf,
    threads: usize,
    cpus: u32,
    max_memory: Option<String>,
}

/// Runs `herdlab slurm ...`.
pub fn execute(args: SlurmArgs, ctx: &Context) -> Result<()> {
    match args.command {
        SlurmCommand::Run {
            scenario,
            shards,
            run,
            job,
            out,
            dry_run,
        } => {
            let plan = plan_run(&scenario, shards, &run)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("results").join(format!("slurm-{}", plan.scenario_name))
            });
            submit(ctx, &plan, &run, &job, &out, dry_run)
        }
        SlurmCommand::Sweep {
            scenario,
            vary,
            run,
            job,
            out,
            dry_run,
        } => {
            let plan = plan_sweep(&scenario, &vary, &run)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("results").join(format!("slurm-sweep-{}", plan.scenario_name))
            });
            submit(ctx, &plan, &run, &job, &out, dry_run)
        }
        SlurmCommand::Status { dir } => status(&dir),
        SlurmCommand::Collect { dir } => collect(ctx, &dir),
    }
}

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
pub fn plan_run(scenario: &str, shards: u64, run: &RunArgs) -> Result<Plan> {
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

/// Checks a sweep (every cell, as `herdlab sweep` does) and plans one task per cell.
pub fn plan_sweep(scenario: &str, vary: &[String], run: &RunArgs) -> Result<Plan> {
    let origin = Origin::resolve(scenario)?;
    let overrides = run.overrides()?;
    let mut table = origin.table()?;
    for a in &overrides {
        sweep::assign(&mut table, a)?;
    }
    let varies = vary
        .iter()
        .map(|v| Vary::parse(v, &table))
        .collect::<Result<Vec<_>>>()?;
    let mut cells = Vec::new();
    let mut first = None;
    for (i, cell) in sweep::grid(&varies).iter().enumerate() {
        let mut all = overrides.clone();
        all.extend(cell.iter().cloned());
        let label = format!("cell {}", i + 1);
        let (s, _) = input::build(&origin, origin.table()?, &all, &label)?;
        first.get_or_insert(s);
        cells.push(
            cell.iter()
                .map(|a| format!("{}={}", a.path, value_text(&a.value)))
                .collect(),
        );
    }
    let first = first.ok_or_else(|| Error::Usage("the sweep has no cells".into()))?;
    Ok(Plan {
        kind: Kind::Sweep,
        scenario: task_scenario(&origin)?,
        scenario_name: first.name,
        paths: run.paths,
        seed: run.seed,
        total_paths: first.run.paths,
        tasks: cells.len() as u64,
        parameters: varies
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
    fn noun(&self) -> &'static str {
        match self.kind {
            Kind::Run => "shard",
            Kind::Sweep => "cell",
        }
    }

    /// The folder holding task results: `shards` or `cells`.
    fn task_root(&self) -> &'static str {
        match self.kind {
            Kind::Run => "shards",
            Kind::Sweep => "cells",
        }
    }

    /// Digits in a shard number (at least 2).
    fn width(&self) -> usize {
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
    fn complete_marks(&self) -> [&'static str; 2] {
        match self.kind {
            Kind::Run => ["manifest.json", "summary.json"],
            Kind::Sweep => ["sweep.json", "grid.csv"],
        }
    }

    fn label(&self, i: u64) -> String {
        match self.kind {
            Kind::Run => format!("shard {i}/{}", self.tasks),
            Kind::Sweep => format!("cell {i}/{}", self.tasks),
        }
    }
}

/// Whether `dir` holds a complete result of `plan`'s tasks.
fn task_done(plan: &Plan, dir: &Path) -> bool {
    plan.complete_marks().iter().all(|f| dir.join(f).is_file())
}

/// Whether the final result of a job folder is complete.
fn result_done(plan: &Plan, out: &Path) -> bool {
    let r = out.join("result");
    match plan.kind {
        Kind::Run => r.join("manifest.json").is_file() && r.join("summary.json").is_file(),
        Kind::Sweep => r.join("grid.csv").is_file() && r.join("sweep.json").is_file(),
    }
}

/// Single-quotes a word for bash.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `1-4`, `2,5-7`: task numbers as an sbatch `--array` list.
pub fn array_list(tasks: &[u64]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < tasks.len() {
        let start = tasks[i];
        let mut end = start;
        while i + 1 < tasks.len() && tasks[i + 1] == end + 1 {
            i += 1;
            end = tasks[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(",")
}

fn exec_of(run: &RunArgs, job: &JobArgs) -> Result<Exec> {
    let herdlab = match &job.herdlab {
        Some(p) => p.clone(),
        None => std::env::current_exe()
            .and_then(std::fs::canonicalize)
            .map_err(|e| Error::io("herdlab", "cannot find this program's path", e))?,
    };
    if job.cpus_per_task == Some(0) || run.threads == Some(0) {
        return Err(Error::Usage(
            "--cpus-per-task and --threads must be at least 1".into(),
        ));
    }
    let cpus = job
        .cpus_per_task
        .or(run.threads.and_then(|t| u32::try_from(t).ok()))
        .unwrap_or(1);
    let threads = run.threads.unwrap_or(cpus as usize);
    let max_memory = match (&run.max_memory, &job.mem) {
        (Some(m), _) => {
            parse_memory(m)?;
            Some(m.clone())
        }
        // Slurm's --mem is in MB without a suffix; 0 means all of the node's memory.
        (None, Some(mem)) => {
            let m = if mem.chars().all(|c| c.is_ascii_digit()) {
                format!("{mem}M")
            } else {
                mem.clone()
            };
            matches!(parse_memory(&m), Ok(Some(b)) if b > 0).then_some(m)
        }
        (None, None) => None,
    };
    Ok(Exec {
        herdlab,
        threads,
        cpus,
        max_memory,
    })
}

/// Checks that a value can go on an `#SBATCH` line.
fn sbatch_value(what: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Usage(format!(
            "{what} {v:?}: must be one word (no spaces or line breaks)"
        )));
    }
    Ok(())
}

/// The `#SBATCH` lines shared by both scripts.
fn common_lines(job: &JobArgs) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for (flag, v) in [
        ("--partition", &job.partition),
        ("--time", &job.time),
        ("--mem", &job.mem),
        ("--account", &job.account),
        ("--qos", &job.qos),
    ] {
        if let Some(v) = v {
            sbatch_value(flag, v)?;
            lines.push(format!("{flag}={v}"));
        }
    }
    for a in &job.sbatch_args {
        if !a.starts_with('-') || a.contains(['\n', '\r']) {
            return Err(Error::Usage(format!(
                "--sbatch-arg {a:?}: expected one sbatch option such as --constraint=ib"
            )));
        }
        lines.push(a.clone());
    }
    Ok(lines)
}

/// The two scripts of a job folder.
#[derive(Debug)]
pub struct Scripts {
    /// `job.sbatch`: the array job.
    pub job: String,
    /// `merge.sbatch`: the merging job.
    pub merge: String,
}

fn scripts(plan: &Plan, exec: &Exec, job: &JobArgs, out: &Path) -> Result<Scripts> {
    let out_text = out.display().to_string();
    if out_text
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "%'\"\\".contains(c))
    {
        return Err(Error::Usage(format!(
            "--out {out_text:?}: Slurm log paths cannot hold spaces, quotes or `%`; choose another folder"
        )));
    }
    let name = match &job.job_name {
        Some(n) => {
            sbatch_value("--job-name", n)?;
            n.clone()
        }
        None => format!("herdlab-{}", plan.scenario_name)
            .chars()
            .map(|c| if c.is_ascii_graphic() { c } else { '_' })
            .collect(),
    };
    let common = common_lines(job)?;
    let k = plan.tasks;
    let noun = plan.noun();
    let q = |s: &str| shell_quote(s);
    let mut array = format!("1-{k}");
    if let Some(l) = job.array_limit {
        if l == 0 {
            return Err(Error::Usage("--array-limit must be at least 1".into()));
        }
        write!(array, "%{l}").ok();
    }

    let mut s = String::from("#!/bin/bash\n");
    match plan.kind {
        Kind::Run => s.push_str(&format!(
            "# herdlab slurm run: one array task per shard of {} ({} paths in {k} shards).\n\
             # Task I runs `herdlab run --shard I/{k}` into shards/; a shard whose complete result\n\
             # exists is skipped, so the array can be resubmitted. Rerun one shard with\n\
             # `sbatch --array=I {out_text}/job.sbatch`, or without Slurm: `bash {out_text}/job.sbatch I`.\n",
            plan.scenario_name, plan.total_paths
        )),
        Kind::Sweep => s.push_str(&format!(
            "# herdlab slurm sweep: one array task per cell of a sweep of {} ({k} cells).\n\
             # Task I runs cell I as a one-cell `herdlab sweep` into cells/; a cell whose complete\n\
             # result exists is skipped, so the array can be resubmitted. Rerun one cell with\n\
             # `sbatch --array=I {out_text}/job.sbatch`, or without Slurm: `bash {out_text}/job.sbatch I`.\n",
            plan.scenario_name
        )),
    }
    let mut job_lines = vec![
        format!("--job-name={name}"),
        format!("--array={array}"),
        format!("--chdir={out_text}"),
        format!("--output={out_text}/logs/{noun}-%{}a-%A.out", plan.width()),
        format!("--cpus-per-task={}", exec.cpus),
    ];
    job_lines.extend(common.iter().cloned());
    for l in &job_lines {
        writeln!(s, "#SBATCH {l}").ok();
    }
    s.push_str("set -euo pipefail\n");
    writeln!(s, "HERDLAB={}", q(&exec.herdlab.display().to_string())).ok();
    writeln!(s, "OUT={}", q(&out_text)).ok();
    writeln!(s, "K={k}").ok();
    s.push_str("I=\"${1:-${SLURM_ARRAY_TASK_ID:-}}\"\n");
    s.push_str(&format!(
        "if ! [[ $I =~ ^[0-9]+$ ]] || (( 10#$I < 1 || 10#$I > K )); then\n  \
         echo \"herdlab: no {noun} '$I': give a {noun} number 1..$K (as the array index or the first argument)\" >&2\n  \
         exit 2\nfi\nI=$((10#$I))\n"
    ));
    let mut common_args = Vec::new();
    if let Some(p) = plan.paths {
        common_args.push(format!("--paths {p}"));
    }
    if let Some(sd) = plan.seed {
        common_args.push(format!("--seed {sd}"));
    }
    let mut machine_args = vec![format!("--threads {}", exec.threads)];
    if let Some(m) = &exec.max_memory {
        machine_args.push(format!("--max-memory {}", q(m)));
    }
    let machine_args = machine_args.join(" ");
    common_args.push(machine_args.clone());
    let common_args = common_args.join(" ");
    let w = plan.width();
    match plan.kind {
        Kind::Run => {
            writeln!(
                s,
                "printf -v DIR '%s/shards/shard-%0{w}d-of-%0{w}d' \"$OUT\" \"$I\" \"$K\""
            )
            .ok();
        }
        Kind::Sweep => {
            s.push_str("case $I in\n");
            for (i, cell) in plan.cells.iter().enumerate() {
                let args: Vec<String> = cell.iter().map(|v| format!("--vary {}", q(v))).collect();
                writeln!(s, "  {}) VARY=({}) ;;", i + 1, args.join(" ")).ok();
            }
            s.push_str("esac\n");
            writeln!(s, "printf -v DIR '%s/cells/cell-%04d' \"$OUT\" \"$I\"").ok();
        }
    }
    let [m1, m2] = plan.complete_marks();
    s.push_str(&format!(
        "if [[ -f $DIR/{m1} && -f $DIR/{m2} ]]; then\n  \
         echo \"herdlab: {noun} $I/$K is already complete in $DIR; nothing to do\"\n  \
         exit 0\nfi\n\
         echo \"herdlab: {noun} $I/$K on $(hostname) at $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n"
    ));
    if plan.kind == Kind::Run {
        // A task that was preempted, requeued or killed continues from its checkpoint.
        s.push_str(&format!(
            "CKPT=\"$(dirname \"$DIR\")/.$(basename \"$DIR\").checkpoint\"\n\
             if [[ -f $CKPT/checkpoint.json ]]; then\n  \
             echo \"herdlab: {noun} $I/$K resumes from $CKPT\"\n  \
             \"$HERDLAB\" run --resume \"$DIR\" {machine_args} && exit 0\n  \
             echo \"herdlab: could not resume {noun} $I/$K; running it from the start\"\n\
             fi\n"
        ));
    }
    match plan.kind {
        Kind::Run => writeln!(
            s,
            "exec \"$HERDLAB\" run {} {common_args} --shard \"$I/$K\" --out \"$DIR\" --force",
            q(&plan.scenario)
        ),
        Kind::Sweep => writeln!(
            s,
            "exec \"$HERDLAB\" sweep {} \"${{VARY[@]}}\" {common_args} --out \"$DIR\" --force",
            q(&plan.scenario)
        ),
    }
    .ok();

    let mut m = String::from("#!/bin/bash\n");
    m.push_str(&format!(
        "# herdlab slurm {}: {} into result/,\n\
         # once the array job has ended (it is submitted with --dependency=afterany:ARRAY_JOB).\n\
         # If {noun}s are missing it names them and fails; rerun them, then\n\
         # `sbatch {out_text}/merge.sbatch` (or run `herdlab slurm collect {out_text}` anywhere).\n",
        match plan.kind {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
        },
        match plan.kind {
            Kind::Run => "merges the shards (as `herdlab merge` does)",
            Kind::Sweep => "assembles the cells, grid.csv and sweep.json",
        }
    ));
    let mut merge_lines = vec![
        format!("--job-name={name}-merge"),
        format!("--chdir={out_text}"),
        format!("--output={out_text}/logs/merge-%j.out"),
        "--cpus-per-task=1".to_string(),
    ];
    merge_lines.extend(common);
    for l in &merge_lines {
        writeln!(m, "#SBATCH {l}").ok();
    }
    m.push_str("set -euo pipefail\n");
    writeln!(
        m,
        "exec {} slurm collect {}",
        q(&exec.herdlab.display().to_string()),
        q(&out_text)
    )
    .ok();
    Ok(Scripts { job: s, merge: m })
}

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

/// Output of a bounded external command.
struct ToolOutput {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs a program, killing it after `timeout`.
fn run_bounded(program: &str, args: &[String], timeout: Duration) -> std::io::Result<ToolOutput> {
    let mut child = Process::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut s);
            }
            s
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("{program} did not finish within {} s", timeout.as_secs()),
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(ToolOutput {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Runs `sbatch --parsable ARGS` and returns the job id.
fn sbatch(args: &[String]) -> Result<String> {
    let mut all = vec!["--parsable".to_string()];
    all.extend(args.iter().cloned());
    let shown = format!("sbatch {}", all.join(" "));
    let o = run_bounded("sbatch", &all, SUBMIT_TIMEOUT).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::NotFound {
            " (is Slurm installed here? --dry-run prints the scripts without submitting)"
        } else {
            ""
        };
        Error::io(
            "sbatch",
            "cannot run",
            std::io::Error::other(format!("{e}{hint}")),
        )
    })?;
    if !o.status.success() {
        return Err(Error::io(
            "sbatch",
            "refused the job",
            std::io::Error::other(format!("`{shown}`: {}", o.stderr.trim())),
        ));
    }
    parse_job_id(&o.stdout).ok_or_else(|| {
        Error::io(
            "sbatch",
            "gave no job id",
            std::io::Error::other(format!("`{shown}` printed {:?}", o.stdout.trim())),
        )
    })
}

/// The job id in `sbatch --parsable` output: `123` or `123;cluster`.
pub fn parse_job_id(stdout: &str) -> Option<String> {
    let line = stdout.lines().map(str::trim).find(|l| !l.is_empty())?;
    let id = line.split(';').next()?.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
}

fn submit(
    ctx: &Context,
    plan: &Plan,
    run: &RunArgs,
    job: &JobArgs,
    out: &Path,
    dry_run: bool,
) -> Result<()> {
    let out = std::path::absolute(out).map_err(|e| Error::io(out, "cannot resolve path", e))?;
    let exec = exec_of(run, job)?;
    let scripts = scripts(plan, &exec, job, &out)?;
    let previous = if out.join("slurm.json").is_file() {
        let f = read_job_file(&out)?;
        if f.plan != *plan {
            return Err(Error::Invalid(format!(
                "{}: holds another herdlab slurm job ({} of {}, {} {}s); a resubmission needs the same scenario, --paths, --seed and {}; choose another --out",
                out.display(),
                match f.plan.kind {
                    Kind::Run => "run",
                    Kind::Sweep => "sweep",
                },
                f.plan.scenario_name,
                f.plan.tasks,
                f.plan.noun(),
                match plan.kind {
                    Kind::Run => "--shards",
                    Kind::Sweep => "--vary",
                }
            )));
        }
        Some(f)
    } else {
        let non_empty = std::fs::read_dir(&out).is_ok_and(|mut d| d.next().is_some());
        if non_empty || out.is_file() {
            return Err(Error::Invalid(format!(
                "{}: exists and is not a herdlab slurm job folder; choose another --out",
                out.display()
            )));
        }
        None
    };
    let job_path = out.join("job.sbatch");
    let merge_path = out.join("merge.sbatch");
    if dry_run {
        println!("# {}\n{}", job_path.display(), scripts.job);
        println!("# {}\n{}", merge_path.display(), scripts.merge);
        println!("# would submit:");
        println!("#   sbatch --parsable {}", job_path.display());
        println!(
            "#   sbatch --parsable --dependency=afterany:<array job id> {}",
            merge_path.display()
        );
        return Ok(());
    }
    if result_done(plan, &out) {
        if ctx.tables {
            println!("{}/result is complete; nothing to submit", out.display());
        }
        return Ok(());
    }
    let root = out.join(plan.task_root());
    for d in [&out, &root, &out.join("logs")] {
        std::fs::create_dir_all(d).map_err(|e| Error::io(d, "cannot create folder", e))?;
    }
    let mut file = previous.unwrap_or_else(|| JobFile {
        format: JOB_FORMAT.into(),
        format_version: 1,
        plan: plan.clone(),
        submissions: Vec::new(),
    });
    write_text(&job_path, &scripts.job)?;
    write_text(&merge_path, &scripts.merge)?;
    output::write_json(&out.join("slurm.json"), &file)?;
    let remaining: Vec<u64> = (1..=plan.tasks)
        .filter(|&i| !task_done(plan, &root.join(plan.task_name(i))))
        .collect();
    let mut array = array_list(&remaining);
    let array_job = if remaining.is_empty() {
        None
    } else {
        let mut args = Vec::new();
        if remaining.len() as u64 != plan.tasks {
            if let Some(l) = job.array_limit {
                write!(array, "%{l}").ok();
            }
            args.push(format!("--array={array}"));
        }
        args.push(job_path.display().to_string());
        Some(sbatch(&args)?)
    };
    let mut args = Vec::new();
    if let Some(id) = &array_job {
        args.push(format!("--dependency=afterany:{id}"));
    }
    args.push(merge_path.display().to_string());
    let merge_job = match sbatch(&args) {
        Ok(id) => id,
        Err(e) => {
            if let Some(id) = &array_job {
                eprintln!(
                    "the array job {id} was submitted; submit the merging job yourself: sbatch --dependency=afterany:{id} {}",
                    merge_path.display()
                );
            }
            return Err(e);
        }
    };
    file.submissions.push(Submission {
        submitted: output::now_rfc3339(),
        array_job: array_job.clone(),
        array: array.clone(),
        merge_job: merge_job.clone(),
    });
    output::write_json(&out.join("slurm.json"), &file)?;
    if ctx.tables {
        match &array_job {
            Some(id) => println!(
                "submitted array job {id} ({}s {array} of {}: {}) and merge job {merge_job} (after it)",
                plan.noun(),
                plan.tasks,
                plan.scenario_name
            ),
            None => println!(
                "every {} is complete; submitted merge job {merge_job}",
                plan.noun()
            ),
        }
        println!(
            "result in {}/result; follow with `herdlab slurm status {}`",
            out.display(),
            out.display()
        );
    }
    Ok(())
}

fn write_text(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|e| Error::io(path, "cannot write", e))
}

/// What the files say about one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileState {
    Done,
    Partial,
    Missing,
}

fn file_state(plan: &Plan, out: &Path, i: u64) -> FileState {
    let root = out.join(plan.task_root());
    let name = plan.task_name(i);
    if task_done(plan, &root.join(&name)) {
        return FileState::Done;
    }
    let prefix = format!(".{name}.partial-");
    let partial = std::fs::read_dir(&root).is_ok_and(|d| {
        d.filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(&prefix))
    });
    if partial {
        FileState::Partial
    } else {
        FileState::Missing
    }
}

/// Expands an array index list such as `3`, `[2-4,7%2]` into task numbers.
fn expand_indices(text: &str) -> Vec<u64> {
    let t = text.trim_start_matches('[').trim_end_matches(']');
    let t = t.split('%').next().unwrap_or("");
    let mut out = Vec::new();
    for part in t.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                    out.extend(a..=b.min(a.saturating_add(100_000)));
                }
            }
            None => out.extend(part.parse::<u64>().ok()),
        }
    }
    out
}

/// Job states from `squeue -h -r -o %i|%T` or `sacct -n -P -X -o JobID,State` lines: per array
/// task, and for the merging job.
pub fn parse_states(
    text: &str,
    array_job: Option<&str>,
    merge_job: &str,
) -> (BTreeMap<u64, String>, Option<String>) {
    let mut tasks = BTreeMap::new();
    let mut merge = None;
    for line in text.lines() {
        let Some((id, state)) = line.trim().split_once('|') else {
            continue;
        };
        let state = state.split_whitespace().next().unwrap_or("").to_string();
        if state.is_empty() {
            continue;
        }
        if id == merge_job {
            merge = Some(state);
        } else if let Some(a) = array_job
            && let Some(rest) = id.strip_prefix(a).and_then(|r| r.strip_prefix('_'))
        {
            for i in expand_indices(rest) {
                tasks.insert(i, state.clone());
            }
        }
    }
    (tasks, merge)
}

/// Scheduler states of the last submission, from `squeue`, then `sacct` for what squeue no
/// longer shows. `None` when neither answers.
fn scheduler_states(s: &Submission) -> Option<(BTreeMap<u64, String>, Option<String>)> {
    let mut ids: Vec<String> = s.array_job.iter().cloned().collect();
    ids.push(s.merge_job.clone());
    let ids = ids.join(",");
    let mut answered = false;
    let mut tasks = BTreeMap::new();
    let mut merge = None;
    let queries: [(&str, Vec<String>); 2] = [
        (
            "sacct",
            ["-n", "-P", "-X", "-o", "JobID,State", "-j", &ids]
                .map(String::from)
                .to_vec(),
        ),
        (
            "squeue",
            ["-h", "-r", "-o", "%i|%T", "-j", &ids]
                .map(String::from)
                .to_vec(),
        ),
    ];
    // squeue last: it is the fresher source and overrides sacct.
    for (program, args) in queries {
        if let Ok(o) = run_bounded(program, &args, QUERY_TIMEOUT)
            && o.status.success()
        {
            answered = true;
            let (t, m) = parse_states(&o.stdout, s.array_job.as_deref(), &s.merge_job);
            tasks.extend(t);
            if m.is_some() {
                merge = m;
            }
        }
    }
    answered.then_some((tasks, merge))
}

fn status(dir: &Path) -> Result<()> {
    let f = read_job_file(dir)?;
    let plan = &f.plan;
    let last = f.submissions.last();
    println!(
        "{}: herdlab slurm {} of {} ({} paths{}), {} {}s",
        dir.display(),
        match plan.kind {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
        },
        plan.scenario_name,
        plan.total_paths,
        if plan.kind == Kind::Sweep {
            " per cell"
        } else {
            ""
        },
        plan.tasks,
        plan.noun()
    );
    let sched = last.and_then(scheduler_states);
    match last {
        Some(s) => println!(
            "  last submitted {}: array job {}, merge job {}{}",
            s.submitted,
            s.array_job
                .as_deref()
                .unwrap_or("(none: every task was done)"),
            s.merge_job,
            if sched.is_none() {
                " (no job states: squeue and sacct unavailable)"
            } else {
                ""
            }
        ),
        None => println!("  never submitted"),
    }
    let (task_states, merge_state) = sched.unwrap_or_default();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for i in 1..=plan.tasks {
        let fs = file_state(plan, dir, i);
        let slurm = task_states.get(&i);
        let (word, note) = match (fs, slurm) {
            (FileState::Done, _) => ("done".to_string(), String::new()),
            (_, Some(st)) => (
                st.to_ascii_lowercase(),
                format!(
                    "Slurm: {st}{}",
                    if fs == FileState::Partial {
                        ", partial folder present"
                    } else {
                        ""
                    }
                ),
            ),
            (FileState::Partial, None) => (
                "partial".to_string(),
                "a .partial folder: running, or a task that died".to_string(),
            ),
            (FileState::Missing, None) => ("missing".to_string(), String::new()),
        };
        *counts.entry(word.clone()).or_default() += 1;
        let place = if fs == FileState::Done {
            format!("{}/{}", plan.task_root(), plan.task_name(i))
        } else {
            note
        };
        println!("  {:<14} {:<10} {}", plan.label(i), word, place);
    }
    if let Some(m) = merge_state {
        println!("  merge job      {}", m.to_ascii_lowercase());
    }
    let done = result_done(plan, dir);
    let summary = counts
        .iter()
        .map(|(w, n)| format!("{n} {w}"))
        .collect::<Vec<_>>()
        .join(", ");
    if done {
        println!(
            "  result         {}/result is complete ({summary})",
            dir.display()
        );
        Ok(())
    } else {
        let missing: Vec<u64> = (1..=plan.tasks)
            .filter(|&i| file_state(plan, dir, i) != FileState::Done)
            .collect();
        let hint = if missing.is_empty() {
            "every task is done; the merge job (or `herdlab slurm collect`) writes the result"
                .into()
        } else {
            format!("not done: {}s {}", plan.noun(), array_list(&missing))
        };
        Err(Error::Invalid(format!(
            "{}/result is not written yet ({summary}; {hint})",
            dir.display()
        )))
    }
}

fn collect(ctx: &Context, dir: &Path) -> Result<()> {
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
        if ctx.tables {
            println!("{} is complete already", target.display());
        }
        return Ok(());
    }
    match plan.kind {
        Kind::Run => {
            let dirs: Vec<PathBuf> = (1..=plan.tasks)
                .map(|i| root.join(plan.task_name(i)))
                .collect();
            let m = merge::merge(&dirs, &target, true, &ctx.command_line)?;
            if ctx.tables {
                println!(
                    "merged {} shards into {}",
                    m.manifest.merged_from.len(),
                    m.dir.display()
                );
            }
        }
        Kind::Sweep => {
            let d = assemble_sweep(plan, &root, &target)?;
            if ctx.tables {
                println!("assembled {} cells into {}", plan.tasks, d.display());
            }
        }
    }
    if plan.report {
        crate::commands::report_into(ctx, &target)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run_args(paths: u64) -> RunArgs {
        RunArgs {
            paths: Some(paths),
            seed: None,
            threads: None,
            max_memory: None,
            report: false,
        }
    }

    fn exec() -> Exec {
        Exec {
            herdlab: PathBuf::from("/opt/herdlab/bin/herdlab"),
            threads: 2,
            cpus: 2,
            max_memory: Some("4G".into()),
        }
    }

    #[test]
    fn a_run_script_has_the_sbatch_lines_the_array_and_the_idempotency_check() {
        let plan = plan_run("baseline", 4, &run_args(8)).expect("plan");
        let job = JobArgs {
            partition: Some("short".into()),
            time: Some("00:10:00".into()),
            mem: Some("4G".into()),
            account: Some("risk".into()),
            qos: Some("normal".into()),
            array_limit: Some(2),
            sbatch_args: vec!["--constraint=ib".into()],
            ..JobArgs::default()
        };
        let s = scripts(&plan, &exec(), &job, Path::new("/scratch/run")).expect("scripts");
        for line in [
            "#SBATCH --job-name=herdlab-baseline\n",
            "#SBATCH --array=1-4%2\n",
            "#SBATCH --chdir=/scratch/run\n",
            "#SBATCH --output=/scratch/run/logs/shard-%2a-%A.out\n",
            "#SBATCH --cpus-per-task=2\n",
            "#SBATCH --partition=short\n",
            "#SBATCH --time=00:10:00\n",
            "#SBATCH --mem=4G\n",
            "#SBATCH --account=risk\n",
            "#SBATCH --qos=normal\n",
            "#SBATCH --constraint=ib\n",
            "printf -v DIR '%s/shards/shard-%02d-of-%02d' \"$OUT\" \"$I\" \"$K\"\n",
            "if [[ -f $DIR/manifest.json && -f $DIR/summary.json ]]; then\n",
            "  \"$HERDLAB\" run --resume \"$DIR\" --threads 2 --max-memory 4G && exit 0\n",
            "exec \"$HERDLAB\" run baseline --paths 8 --threads 2 --max-memory 4G --shard \"$I/$K\" --out \"$DIR\" --force\n",
        ] {
            assert!(
                s.job.contains(line),
                "job.sbatch lacks {line:?}:\n{}",
                s.job
            );
        }
        assert!(s.job.starts_with("#!/bin/bash\n"));
        // #SBATCH lines must come before the first command, or sbatch ignores them.
        let first_command = s.job.find("set -euo").expect("body");
        assert!(s.job.rfind("#SBATCH").expect("lines") < first_command);
        for line in [
            "#SBATCH --job-name=herdlab-baseline-merge\n",
            "#SBATCH --partition=short\n",
            "#SBATCH --constraint=ib\n",
            "exec /opt/herdlab/bin/herdlab slurm collect /scratch/run\n",
            "--dependency=afterany:ARRAY_JOB",
        ] {
            assert!(
                s.merge.contains(line),
                "merge.sbatch lacks {line:?}:\n{}",
                s.merge
            );
        }
        assert!(!s.merge.contains("--array"));
    }

    #[test]
    fn a_sweep_script_names_each_cell_by_its_values() {
        let vary = vec![
            "models.similarity=0:1:3".to_string(),
            "run.quarters=4,8".into(),
        ];
        let plan = plan_sweep("baseline", &vary, &run_args(4)).expect("plan");
        assert_eq!(plan.tasks, 6);
        let s = scripts(&plan, &exec(), &JobArgs::default(), Path::new("/s/w")).expect("ok");
        assert!(s.job.contains("#SBATCH --array=1-6\n"), "{}", s.job);
        assert!(
            s.job
                .contains("  4) VARY=(--vary models.similarity=0.5 --vary run.quarters=8) ;;\n"),
            "{}",
            s.job
        );
        assert!(
            s.job
                .contains("if [[ -f $DIR/sweep.json && -f $DIR/grid.csv ]]")
        );
        assert!(
            s.job
                .contains("exec \"$HERDLAB\" sweep baseline \"${VARY[@]}\" --paths 4")
        );
    }

    #[test]
    fn bad_values_are_refused_before_anything_is_written() {
        let plan = plan_run("baseline", 2, &run_args(4)).expect("plan");
        let spaced = JobArgs {
            partition: Some("a b".into()),
            ..JobArgs::default()
        };
        assert!(scripts(&plan, &exec(), &spaced, Path::new("/o")).is_err());
        assert!(scripts(&plan, &exec(), &JobArgs::default(), Path::new("/o 1")).is_err());
        let not_an_option = JobArgs {
            sbatch_args: vec!["constraint=ib".into()],
            ..JobArgs::default()
        };
        assert!(scripts(&plan, &exec(), &not_an_option, Path::new("/o")).is_err());
        assert!(plan_run("baseline", 5, &run_args(4)).is_err());
        assert!(plan_run("baseline", 0, &run_args(4)).is_err());
    }

    #[test]
    fn slurm_mem_becomes_the_engine_memory_limit() {
        let job = |mem: &str| JobArgs {
            mem: Some(mem.into()),
            ..JobArgs::default()
        };
        let e = exec_of(&run_args(4), &job("4000")).expect("ok");
        assert_eq!(e.max_memory.as_deref(), Some("4000M"));
        assert_eq!((e.cpus, e.threads), (1, 1));
        assert_eq!(
            exec_of(&run_args(4), &job("0")).expect("ok").max_memory,
            None
        );
        let mut threads = run_args(4);
        threads.threads = Some(3);
        let e = exec_of(&threads, &job("2G")).expect("ok");
        assert_eq!(
            (e.cpus, e.threads, e.max_memory.as_deref()),
            (3, 3, Some("2G"))
        );
    }

    #[test]
    fn array_lists_job_ids_and_states_parse() {
        assert_eq!(array_list(&[1, 2, 3, 4]), "1-4");
        assert_eq!(array_list(&[2, 5, 6, 7, 9]), "2,5-7,9");
        assert_eq!(array_list(&[]), "");
        assert_eq!(parse_job_id("1234\n").as_deref(), Some("1234"));
        assert_eq!(parse_job_id("1234;cluster\n").as_deref(), Some("1234"));
        assert_eq!(parse_job_id("Submitted batch job 1\n"), None);
        let (tasks, merge) = parse_states(
            "12_1|RUNNING\n12_[2-3%1]|PENDING\n12_4|FAILED\n13|PENDING\n99_1|RUNNING\n",
            Some("12"),
            "13",
        );
        assert_eq!(tasks.get(&1).map(String::as_str), Some("RUNNING"));
        assert_eq!(tasks.get(&3).map(String::as_str), Some("PENDING"));
        assert_eq!(tasks.get(&4).map(String::as_str), Some("FAILED"));
        assert_eq!(tasks.len(), 4);
        assert_eq!(merge.as_deref(), Some("PENDING"));
    }

    #[test]
    fn words_are_quoted_for_bash() {
        assert_eq!(shell_quote("baseline"), "baseline");
        assert_eq!(shell_quote("/a b/c.toml"), "'/a b/c.toml'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }
}
