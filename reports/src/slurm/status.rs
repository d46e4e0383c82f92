//! `herdlab slurm status`: which shards or cells of a job folder are done, running or missing,
//! from the files and, where it answers, the scheduler.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use super::plan::{result_done, task_done};
use super::scheduler::scheduler_states;
use super::script::array_list;
use super::{Kind, Plan, Submission, read_job_file};
use crate::error::{Error, Result};

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

/// One task of a job folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskStatus {
    /// Its number, from 1.
    pub index: u64,
    /// `done`, `partial`, `missing`, or the scheduler's state in lower case (`running`...).
    pub state: String,
    /// Where its result is (when done), or what the scheduler and the files say.
    pub detail: String,
}

/// The state of a job folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// The job folder.
    pub folder: PathBuf,
    /// What its tasks compute.
    pub plan: Plan,
    /// The last submission, if any.
    pub last: Option<Submission>,
    /// Whether `squeue` or `sacct` answered.
    pub scheduler_answered: bool,
    /// Every task, in order.
    pub tasks: Vec<TaskStatus>,
    /// The collecting job's state in lower case, when the scheduler knows it.
    pub merge_state: Option<String>,
    /// Whether the result is written.
    pub done: bool,
}

impl Status {
    /// `3 done, 1 missing`: how many tasks are in each state.
    fn summary(&self) -> String {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        for t in &self.tasks {
            *counts.entry(&t.state).or_default() += 1;
        }
        counts
            .iter()
            .map(|(w, n)| format!("{n} {w}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The error that the result is not written yet, naming what is missing; `None` when it is.
    pub fn unfinished(&self) -> Option<Error> {
        if self.done {
            return None;
        }
        let missing: Vec<u64> = self
            .tasks
            .iter()
            .filter(|t| t.state != "done")
            .map(|t| t.index)
            .collect();
        let hint = if missing.is_empty() {
            "every task is done; the merge job (or `herdlab slurm collect`) writes the result"
                .into()
        } else {
            format!("not done: {}s {}", self.plan.noun(), array_list(&missing))
        };
        Some(Error::Invalid(format!(
            "{}/result is not written yet ({}; {hint})",
            self.folder.display(),
            self.summary()
        )))
    }
}

impl fmt::Display for Status {
    /// The report `herdlab slurm status` prints, one line per task.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = &self.plan;
        writeln!(
            f,
            "{}: herdlab slurm {} of {} ({} paths{}), {} {}s",
            self.folder.display(),
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
        )?;
        match &self.last {
            Some(s) => writeln!(
                f,
                "  last submitted {}: array job {}, merge job {}{}",
                s.submitted,
                s.array_job
                    .as_deref()
                    .unwrap_or("(none: every task was done)"),
                s.merge_job,
                if self.scheduler_answered {
                    ""
                } else {
                    " (no job states: squeue and sacct unavailable)"
                }
            )?,
            None => writeln!(f, "  never submitted")?,
        }
        for t in &self.tasks {
            writeln!(
                f,
                "  {:<14} {:<10} {}",
                plan.label(t.index),
                t.state,
                t.detail
            )?;
        }
        if let Some(m) = &self.merge_state {
            writeln!(f, "  merge job      {m}")?;
        }
        if self.done {
            writeln!(
                f,
                "  result         {}/result is complete ({})",
                self.folder.display(),
                self.summary()
            )?;
        }
        Ok(())
    }
}

/// The state of job folder `dir`: its tasks from the files, and from `squeue` and `sacct` when
/// they answer.
pub fn status(dir: &Path) -> Result<Status> {
    let f = read_job_file(dir)?;
    let plan = f.plan;
    let last = f.submissions.last().cloned();
    let sched = last.as_ref().and_then(scheduler_states);
    let scheduler_answered = sched.is_some();
    let (task_states, merge_state) = sched.unwrap_or_default();
    let mut tasks = Vec::new();
    for i in 1..=plan.tasks {
        let fs = file_state(&plan, dir, i);
        let slurm = task_states.get(&i);
        let (state, note) = match (fs, slurm) {
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
        let detail = if fs == FileState::Done {
            format!("{}/{}", plan.task_root(), plan.task_name(i))
        } else {
            note
        };
        tasks.push(TaskStatus {
            index: i,
            state,
            detail,
        });
    }
    let done = result_done(&plan, dir);
    Ok(Status {
        folder: dir.to_path_buf(),
        plan,
        last,
        scheduler_answered,
        tasks,
        merge_state: merge_state.map(|m| m.to_ascii_lowercase()),
        done,
    })
}
