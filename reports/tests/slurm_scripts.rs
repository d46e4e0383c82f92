//! Snapshots of the sbatch scripts `herdlab slurm run` and `herdlab slurm sweep` write: a change
//! to a script shows as a diff of `tests/snapshots/*.sbatch` for a reviewer to read. After an
//! intended change, rerun with `UPDATE_SNAPSHOTS=1` and commit the new files.

use std::path::{Path, PathBuf};

use reports::service::RunSettings;
use reports::slurm::{self, JobOptions, Scripts};

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares `text` with the snapshot `name`, or writes it when `UPDATE_SNAPSHOTS` is set.
fn check(name: &str, text: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, text).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != text {
        let first = expected
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(text.lines().count()));
        panic!(
            "{name} differs from its snapshot at line {}:\n  snapshot: {:?}\n  now:      {:?}\n\
             the whole script now:\n{text}",
            first + 1,
            expected.lines().nth(first).unwrap_or("(end)"),
            text.lines().nth(first).unwrap_or("(end)")
        );
    }
}

fn settings() -> RunSettings {
    RunSettings {
        paths: Some(8),
        seed: Some(11),
        threads: Some(2),
        max_memory: Some("4G".into()),
        report: true,
    }
}

fn job() -> JobOptions {
    JobOptions {
        partition: Some("short".into()),
        time: Some("00:10:00".into()),
        mem: Some("4G".into()),
        account: Some("risk".into()),
        qos: Some("normal".into()),
        array_limit: Some(2),
        cpus_per_task: Some(2),
        job_name: None,
        sbatch_args: vec!["--constraint=ib".into()],
        herdlab: Some(PathBuf::from("/opt/herdlab/bin/herdlab")),
    }
}

fn both(s: &Scripts, stem: &str) {
    check(&format!("{stem}-job.sbatch"), &s.job);
    check(&format!("{stem}-merge.sbatch"), &s.merge);
}

#[test]
fn the_scripts_of_a_sharded_run_match_their_snapshots() {
    let plan = slurm::plan_run("baseline", 4, &settings()).expect("plan");
    let s = slurm::scripts(&plan, &settings(), &job(), Path::new("/scratch/run")).expect("ok");
    both(&s, "run");
}

#[test]
fn the_scripts_of_a_sweep_match_their_snapshots() {
    let vary = [
        "models.similarity=0:1:3".to_string(),
        "run.quarters=4,8".into(),
    ];
    let plan = slurm::plan_sweep("baseline", &vary, &settings()).expect("plan");
    let plain = JobOptions {
        herdlab: Some(PathBuf::from("/opt/herdlab/bin/herdlab")),
        ..JobOptions::default()
    };
    let s = slurm::scripts(&plan, &settings(), &plain, Path::new("/scratch/sweep")).expect("ok");
    both(&s, "sweep");
}
