//! The scheduler: `sbatch`, `squeue` and `sacct` run with time limits, their output parsed, and
//! the submission of a job folder.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::plan::{result_done, task_done};
use super::script::{Scripts, array_list, scripts};
use super::{JOB_FORMAT, JobFile, JobOptions, Kind, Plan, Submission, read_job_file, write_text};
use crate::error::{Error, Result};
use crate::output;
use crate::service::{Monitor, RunSettings};

/// How long `status` waits for `squeue` or `sacct`.
const QUERY_TIMEOUT: Duration = Duration::from_secs(20);
/// How long submission waits for `sbatch`.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(120);

/// What [`submit`] did.
#[derive(Debug)]
pub enum Submitted {
    /// Nothing was written or submitted: the scripts that would be.
    DryRun {
        /// Where `job.sbatch` would go.
        job_path: PathBuf,
        /// Where `merge.sbatch` would go.
        merge_path: PathBuf,
        /// The scripts.
        scripts: Scripts,
    },
    /// The job folder's result is complete already; nothing was submitted.
    Complete {
        /// The job folder.
        folder: PathBuf,
    },
    /// Jobs were submitted.
    Submitted {
        /// The job folder.
        folder: PathBuf,
        /// The array job's id (`None` when every task was done and only the collecting job ran).
        array_job: Option<String>,
        /// The array tasks submitted, e.g. `1-4` or `2,5`.
        array: String,
        /// The collecting job's id.
        merge_job: String,
    },
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

/// Writes the job folder `out` of `plan` (scripts and `slurm.json`) and submits the array job
/// for the tasks not done yet and the collecting job after it; with `dry_run`, only builds the
/// scripts. A folder holding another plan is refused. `monitor` hears of an array job left
/// without its collecting job when that cannot be submitted.
pub fn submit(
    plan: &Plan,
    run: &RunSettings,
    job: &JobOptions,
    out: &Path,
    dry_run: bool,
    monitor: &dyn Monitor,
) -> Result<Submitted> {
    let out = std::path::absolute(out).map_err(|e| Error::io(out, "cannot resolve path", e))?;
    let scripts = scripts(plan, run, job, &out)?;
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
        return Ok(Submitted::DryRun {
            job_path,
            merge_path,
            scripts,
        });
    }
    if result_done(plan, &out) {
        return Ok(Submitted::Complete { folder: out });
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
                monitor.note(&format!(
                    "the array job {id} was submitted; submit the merging job yourself: sbatch --dependency=afterany:{id} {}",
                    merge_path.display()
                ));
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
    Ok(Submitted::Submitted {
        folder: out,
        array_job,
        array,
        merge_job,
    })
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
pub(crate) fn scheduler_states(s: &Submission) -> Option<(BTreeMap<u64, String>, Option<String>)> {
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
