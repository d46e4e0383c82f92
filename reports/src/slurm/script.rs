//! The sbatch scripts of a job folder: `job.sbatch` (the array job, one task per shard or cell)
//! and `merge.sbatch` (the job that collects them).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{JobOptions, Kind, Plan};
use crate::error::{Error, Result};
use crate::service::{RunSettings, parse_memory};

/// How the tasks run (may change between submissions).
#[derive(Clone, Debug)]
struct Exec {
    herdlab: PathBuf,
    threads: usize,
    cpus: u32,
    max_memory: Option<String>,
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

/// How the tasks run, from the run settings and the Slurm settings.
fn exec_of(run: &RunSettings, job: &JobOptions) -> Result<Exec> {
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
fn common_lines(job: &JobOptions) -> Result<Vec<String>> {
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

/// The two scripts of job folder `out` for `plan`, with the tasks run as `run` and `job` say.
pub fn scripts(plan: &Plan, run: &RunSettings, job: &JobOptions, out: &Path) -> Result<Scripts> {
    scripts_with(plan, &exec_of(run, job)?, job, out)
}

fn scripts_with(plan: &Plan, exec: &Exec, job: &JobOptions, out: &Path) -> Result<Scripts> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slurm::{parse_job_id, parse_states, plan_run, plan_sweep};

    fn run_args(paths: u64) -> RunSettings {
        RunSettings {
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
        let job = JobOptions {
            partition: Some("short".into()),
            time: Some("00:10:00".into()),
            mem: Some("4G".into()),
            account: Some("risk".into()),
            qos: Some("normal".into()),
            array_limit: Some(2),
            sbatch_args: vec!["--constraint=ib".into()],
            ..JobOptions::default()
        };
        let s = scripts_with(&plan, &exec(), &job, Path::new("/scratch/run")).expect("scripts");
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
        let s =
            scripts_with(&plan, &exec(), &JobOptions::default(), Path::new("/s/w")).expect("ok");
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
        let spaced = JobOptions {
            partition: Some("a b".into()),
            ..JobOptions::default()
        };
        assert!(scripts_with(&plan, &exec(), &spaced, Path::new("/o")).is_err());
        assert!(scripts_with(&plan, &exec(), &JobOptions::default(), Path::new("/o 1")).is_err());
        let not_an_option = JobOptions {
            sbatch_args: vec!["constraint=ib".into()],
            ..JobOptions::default()
        };
        assert!(scripts_with(&plan, &exec(), &not_an_option, Path::new("/o")).is_err());
        assert!(plan_run("baseline", 5, &run_args(4)).is_err());
        assert!(plan_run("baseline", 0, &run_args(4)).is_err());
    }

    #[test]
    fn slurm_mem_becomes_the_engine_memory_limit() {
        let job = |mem: &str| JobOptions {
            mem: Some(mem.into()),
            ..JobOptions::default()
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
