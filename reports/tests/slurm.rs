//! `herdlab slurm`: scripts run by hand with a stand-in `sbatch` (always), and a real single-node
//! Slurm (munge, slurmctld, slurmd) brought up for the test when this machine has it and the test
//! runs as root. Without Slurm the last test says why it skipped; `HERDLAB_SLURM_PATH` (a PATH
//! list) replaces where the Slurm and munge programs are looked for, e.g. `/nonexistent` to see
//! the skip. Every wait is bounded, and the daemons the test starts are stopped when it ends.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The files of a result folder that do not depend on how the run was split.
const COMPARED: [&str; 7] = [
    "summary.json",
    "quarters.csv",
    "paths.csv",
    "paths.parquet",
    "path_quarters.csv",
    "path_quarters.parquet",
    "paths.jsonl",
];

fn assert_same_result(local: &Path, cluster: &Path) {
    for f in COMPARED {
        assert!(
            read(&local.join(f)) == read(&cluster.join(f)),
            "{f} differs between {} and {}",
            local.display(),
            cluster.display()
        );
    }
}

fn assert_same_sweep(local: &Path, cluster: &Path, cells: usize) {
    for f in ["grid.csv", "sweep.json"] {
        assert!(
            read(&local.join(f)) == read(&cluster.join(f)),
            "{f} differs between {} and {}:\n{}\n---\n{}",
            local.display(),
            cluster.display(),
            String::from_utf8_lossy(&read(&local.join(f))),
            String::from_utf8_lossy(&read(&cluster.join(f)))
        );
    }
    for c in 1..=cells {
        let name = format!("cell-{c:04}");
        assert_same_result(&local.join(&name), &cluster.join(&name));
    }
}

/// A folder of stand-in Slurm programs: `sbatch` logs its arguments and prints job ids 101,
/// 102, ...; `squeue` and `sacct` fail, as when no controller answers.
fn fake_slurm(dir: &Path) -> (String, PathBuf) {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    let log = dir.join("sbatch.log");
    let scripts = [
        (
            "sbatch",
            format!(
                "#!/bin/bash\necho \"$*\" >> '{}'\necho $(( $(wc -l < '{}') + 100 ))\n",
                log.display(),
                log.display()
            ),
        ),
        ("squeue", "#!/bin/bash\nexit 1\n".to_string()),
        ("sacct", "#!/bin/bash\nexit 1\n".to_string()),
    ];
    for (name, text) in scripts {
        let p = bin.join(name);
        std::fs::write(&p, text).expect("write");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (path, log)
}

/// Runs one array task of a job folder by hand, as Slurm would.
fn task(out: &Path, script: &str, i: u64) -> Output {
    StdCommand::new("bash")
        .arg(out.join(script))
        .arg(i.to_string())
        .output()
        .expect("bash")
}

#[test]
fn dry_run_prints_both_scripts_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("job");
    herdlab()
        .args(["slurm", "run", "baseline", "--shards", "4", "--paths", "8"])
        .args(["--partition", "short", "--time", "10", "--array-limit", "2"])
        .args(["--sbatch-arg", "--constraint=ib", "--dry-run", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("#SBATCH --array=1-4%2\n"))
        .stdout(predicate::str::contains("#SBATCH --partition=short\n"))
        .stdout(predicate::str::contains("#SBATCH --time=10\n"))
        .stdout(predicate::str::contains("#SBATCH --constraint=ib\n"))
        .stdout(predicate::str::contains("--shard \"$I/$K\""))
        .stdout(predicate::str::contains("slurm collect"))
        .stdout(predicate::str::contains("--dependency=afterany:"));
    assert!(!out.exists());
}

#[test]
fn tasks_run_by_hand_skip_finished_shards_and_merge_to_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let (path, log) = fake_slurm(t);
    let out = t.join("job");
    let submit = || {
        let mut c = herdlab();
        c.env("PATH", &path)
            .args([
                "slurm",
                "run",
                "herding-alarm",
                "--shards",
                "3",
                "--paths",
                "7",
            ])
            .arg("--out")
            .arg(&out);
        c
    };
    submit()
        .assert()
        .success()
        .stdout(predicate::str::contains("submitted array job 101"));
    let calls = std::fs::read_to_string(&log).expect("log");
    let lines: Vec<&str> = calls.lines().collect();
    assert_eq!(lines.len(), 2, "{calls}");
    assert_eq!(
        lines[0],
        format!("--parsable {}", out.join("job.sbatch").display())
    );
    assert_eq!(
        lines[1],
        format!(
            "--parsable --dependency=afterany:101 {}",
            out.join("merge.sbatch").display()
        )
    );
    // Shards 1 and 3 finish; 2 fails (here: never runs).
    for i in [1, 3] {
        let o = task(&out, "job.sbatch", i);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    herdlab()
        .env("PATH", &path)
        .args(["slurm", "status"])
        .arg(&out)
        .assert()
        .code(3)
        .stdout(predicate::str::contains("shard 1/3"))
        .stdout(predicate::str::contains("missing"))
        .stderr(predicate::str::contains("shards 2"));
    let merge = StdCommand::new("bash")
        .arg(out.join("merge.sbatch"))
        .output()
        .expect("bash");
    let err = String::from_utf8_lossy(&merge.stderr);
    assert_eq!(merge.status.code(), Some(3), "{err}");
    assert!(
        err.contains("shard 2/3") && err.contains("--array=2"),
        "{err}"
    );
    // Resubmitting submits only the unfinished shard; a finished task does nothing.
    submit().assert().success();
    let calls = std::fs::read_to_string(&log).expect("log");
    assert!(
        calls
            .lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("--parsable --array=2 ")),
        "{calls}"
    );
    assert!(calls.contains("--dependency=afterany:103"), "{calls}");
    let again = task(&out, "job.sbatch", 1);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already complete"));
    assert!(!task(&out, "job.sbatch", 4).status.success());
    assert!(task(&out, "job.sbatch", 2).status.success());
    let merge = StdCommand::new("bash")
        .arg(out.join("merge.sbatch"))
        .output()
        .expect("bash");
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    herdlab()
        .args(["-q", "run", "herding-alarm", "--paths", "7", "--out"])
        .arg(t.join("local"))
        .assert()
        .success();
    assert_same_result(&t.join("local"), &out.join("result"));
    herdlab()
        .env("PATH", &path)
        .args(["slurm", "status"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("result/result").not())
        .stdout(predicate::str::contains("is complete"));
    submit()
        .assert()
        .success()
        .stdout(predicate::str::contains("nothing to submit"));
    // Another plan in the same folder is refused.
    herdlab()
        .env("PATH", &path)
        .args([
            "slurm",
            "run",
            "herding-alarm",
            "--shards",
            "2",
            "--paths",
            "7",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("another herdlab slurm job"));
}

#[test]
fn a_killed_task_resumes_from_its_checkpoint_to_the_local_result() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let (path, _log) = fake_slurm(t);
    let out = t.join("job");
    herdlab()
        .env("PATH", &path)
        .args([
            "-q", "slurm", "run", "baseline", "--shards", "1", "--paths", "300",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    // The task's `exec` makes the bash process the herdlab run: kill it once a chunk is kept.
    let mut child = StdCommand::new("bash")
        .arg(out.join("job.sbatch"))
        .arg("1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash");
    let shard = out.join("shards/shard-01-of-01");
    let checkpoint = reports::checkpoint::location(&shard);
    let start = Instant::now();
    let has_chunk = || {
        std::fs::read_dir(&checkpoint).is_ok_and(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
        })
    };
    while !has_chunk() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no checkpoint chunk"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the task ended early"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(!shard.exists());
    let resumed = task(&out, "job.sbatch", 1);
    let said = String::from_utf8_lossy(&resumed.stdout);
    assert!(
        resumed.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(said.contains("resumes from"), "{said}");
    assert!(!checkpoint.exists());
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "300", "--out"])
        .arg(t.join("local"))
        .assert()
        .success();
    assert_same_result(&t.join("local"), &shard);
}

#[test]
fn sweep_cells_run_by_hand_assemble_to_the_local_sweep() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let (path, _log) = fake_slurm(t);
    let out = t.join("job");
    let vary = [
        "--vary",
        "models.similarity=0:1:3",
        "--vary",
        "run.quarters=4,6",
    ];
    herdlab()
        .env("PATH", &path)
        .args(["slurm", "sweep", "eu-banks-2018", "--paths", "3"])
        .args(vary)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    for i in 1..=6 {
        let o = task(&out, "job.sbatch", i);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let merge = StdCommand::new("bash")
        .arg(out.join("merge.sbatch"))
        .output()
        .expect("bash");
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    herdlab()
        .args(["-q", "sweep", "eu-banks-2018", "--paths", "3"])
        .args(vary)
        .arg("--out")
        .arg(t.join("local"))
        .assert()
        .success();
    assert_same_sweep(&t.join("local"), &out.join("result"), 6);
}

// ---- a real single-node Slurm ----

/// Writes straight to stderr, past the test harness's capture, so CI logs show the skip.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn search_path() -> String {
    std::env::var("HERDLAB_SLURM_PATH").unwrap_or_else(|_| {
        format!(
            "{}:/usr/local/sbin:/usr/sbin:/sbin",
            std::env::var("PATH").unwrap_or_default()
        )
    })
}

fn find(program: &str, path: &str) -> Option<PathBuf> {
    path.split(':')
        .map(|d| Path::new(d).join(program))
        .find(|p| p.is_file())
}

/// Runs a command with a time limit; `None` if it cannot start or does not finish.
fn bounded(cmd: &mut StdCommand, limit: Duration) -> Option<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut out = child.stdout.take()?;
    let mut err = child.stderr.take()?;
    let o = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let e = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                return Some(Output {
                    status,
                    stdout: o.join().unwrap_or_default(),
                    stderr: e.join().unwrap_or_default(),
                });
            }
            Ok(None) if start.elapsed() < limit => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')))
}

/// A single-node Slurm started by this test; dropping it cancels its jobs and stops it.
struct Slurm {
    dir: tempfile::TempDir,
    conf: PathBuf,
    path: String,
}

impl Slurm {
    fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, program: &str) -> StdCommand {
        let mut c = StdCommand::new(program);
        c.env("SLURM_CONF", &self.conf).env("PATH", &self.path);
        c
    }

    fn log_tail(&self) -> String {
        let mut s = String::new();
        for f in ["log/slurmctld.log", "log/slurmd.log", "munge/munged.log"] {
            let text = std::fs::read_to_string(self.dir().join(f)).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let from = lines.len().saturating_sub(15);
            s.push_str(&format!("--- {f}\n{}\n", lines[from..].join("\n")));
        }
        s
    }

    /// Starts munged, slurmctld and slurmd as in NOTES.md; `Err` says why not.
    fn start() -> Result<Slurm, String> {
        let path = search_path();
        for p in [
            "munged",
            "slurmctld",
            "slurmd",
            "sbatch",
            "squeue",
            "sinfo",
            "scancel",
            "runuser",
        ] {
            find(p, &path).ok_or_else(|| format!("`{p}` not found in {path}"))?;
        }
        let uid = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| {
                        l.strip_prefix("Uid:")
                            .map(|v| v.split_whitespace().next().map(String::from))
                    })
                    .flatten()
            });
        if uid.as_deref() != Some("0") {
            return Err("slurmd needs root, and this test does not run as root".into());
        }
        if !Path::new("/etc/munge/munge.key").is_file() {
            return Err("/etc/munge/munge.key is missing".into());
        }
        let host = bounded(
            StdCommand::new("hostname").arg("-s"),
            Duration::from_secs(5),
        )
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|h| !h.is_empty())
        .ok_or("`hostname -s` gave no name")?;
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mem_mb = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|s| {
                s.lines().find_map(|l| {
                    l.strip_prefix("MemTotal:")
                        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                })
            })
            .map_or(1024, |kb| kb / 1024 * 9 / 10);
        let dir = tempfile::Builder::new()
            .prefix("herdlab-slurm-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let s = dir.path().to_path_buf();
        std::fs::set_permissions(&s, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        for d in ["munge", "state", "spool", "log", "jobs"] {
            std::fs::create_dir_all(s.join(d)).map_err(|e| e.to_string())?;
        }
        let conf = s.join("slurm.conf");
        let slurm = Slurm {
            dir,
            conf: conf.clone(),
            path: path.clone(),
        };
        let munge = s.join("munge");
        // Ok, or what the command said on failure.
        let run = |c: &mut StdCommand| match bounded(c, Duration::from_secs(20)) {
            Some(o) if o.status.success() => Ok(()),
            Some(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_string()),
            None => Err("did not start, or did not return within 20 s".to_string()),
        };
        let ok = |c: &mut StdCommand| run(c).is_ok();
        if !ok(StdCommand::new("chown").arg("munge:munge").arg(&munge)) {
            return Err("cannot chown the munge folder to user munge".into());
        }
        std::fs::set_permissions(&munge, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
        let socket = munge.join("munge.socket.2");
        let started = run(slurm
            .command("runuser")
            .args(["-u", "munge", "--", "munged"])
            .arg(format!("--socket={}", socket.display()))
            .arg(format!("--pid-file={}", munge.join("munged.pid").display()))
            .arg(format!("--log-file={}", munge.join("munged.log").display()))
            .arg(format!("--seed-file={}", munge.join("seed").display())));
        if let Err(why) = started {
            return Err(format!("munged did not start: {why}\n{}", slurm.log_tail()));
        }
        let p = |f: &str| s.join(f).display().to_string();
        let text = format!(
            "ClusterName=herdlabtest\n\
             SlurmctldHost={host}(127.0.0.1)\n\
             SlurmctldPort=16817\nSlurmdPort=16818\n\
             SlurmUser=root\n\
             AuthType=auth/munge\nAuthInfo=socket={sock}\nCredType=cred/munge\n\
             ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n\
             JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n\
             SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\n\
             MpiDefault=none\nReturnToService=2\n\
             StateSaveLocation={state}\nSlurmdSpoolDir={spool}\n\
             SlurmctldPidFile={ctldpid}\nSlurmdPidFile={dpid}\n\
             SlurmctldLogFile={ctldlog}\nSlurmdLogFile={dlog}\n\
             NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} CoresPerSocket={cpus} ThreadsPerCore=1 RealMemory={mem_mb} State=UNKNOWN\n\
             PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP\n",
            sock = socket.display(),
            state = p("state"),
            spool = p("spool"),
            ctldpid = p("slurmctld.pid"),
            dpid = p("slurmd.pid"),
            ctldlog = p("log/slurmctld.log"),
            dlog = p("log/slurmd.log"),
        );
        std::fs::write(&conf, text).map_err(|e| e.to_string())?;
        for d in ["slurmctld", "slurmd"] {
            if let Err(why) = run(slurm.command(d).arg("-f").arg(&conf)) {
                return Err(format!("{d} did not start: {why}\n{}", slurm.log_tail()));
            }
        }
        let start = Instant::now();
        loop {
            let state = bounded(
                slurm.command("sinfo").args(["-h", "-o", "%T"]),
                Duration::from_secs(15),
            )
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
            if state.starts_with("idle") || state.starts_with("mixed") {
                return Ok(slurm);
            }
            if start.elapsed() > Duration::from_secs(60) {
                return Err(format!(
                    "the node is not idle after 60 s (sinfo: {state:?})\n{}",
                    slurm.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = bounded(
            self.command("scancel").args(["--user", "root"]),
            Duration::from_secs(20),
        );
        // Stop the daemons this test started, by their pid files: slurmd, slurmctld, munged.
        for pid_file in ["slurmd.pid", "slurmctld.pid", "munge/munged.pid"] {
            let Some(pid) = std::fs::read_to_string(self.dir().join(pid_file))
                .ok()
                .and_then(|s| s.trim().parse::<u32>().ok())
            else {
                continue;
            };
            let _ = bounded(
                StdCommand::new("kill").args(["-TERM", &pid.to_string()]),
                Duration::from_secs(5),
            );
            let start = Instant::now();
            while alive(pid) && start.elapsed() < Duration::from_secs(15) {
                std::thread::sleep(Duration::from_millis(100));
            }
            if alive(pid) {
                let _ = bounded(
                    StdCommand::new("kill").args(["-KILL", &pid.to_string()]),
                    Duration::from_secs(5),
                );
            }
        }
    }
}

#[test]
fn a_real_slurm_runs_a_sharded_run_and_a_sweep_identical_to_local_runs() {
    let slurm = match Slurm::start() {
        Ok(s) => s,
        Err(why) => {
            say(&format!(
                "SKIPPED a_real_slurm_runs_a_sharded_run_and_a_sweep_identical_to_local_runs: \
                 no single-node Slurm here: {why}"
            ));
            return;
        }
    };
    say("slurm test: single-node Slurm is up; submitting");
    let jobs = slurm.dir().join("jobs");
    let run_out = jobs.join("run");
    let sweep_out = jobs.join("sweep");
    let vary = [
        "--vary",
        "models.similarity=0,1",
        "--vary",
        "run.quarters=4,6",
    ];
    let env = |c: &mut Command| {
        c.env("SLURM_CONF", &slurm.conf).env("PATH", &slurm.path);
    };
    let mut c = herdlab();
    env(&mut c);
    c.args([
        "slurm",
        "run",
        "herding-alarm",
        "--shards",
        "4",
        "--paths",
        "8",
    ])
    .args(["--time", "10", "--out"])
    .arg(&run_out)
    .assert()
    .success()
    .stdout(predicate::str::contains("submitted array job"));
    let mut c = herdlab();
    env(&mut c);
    c.args(["slurm", "sweep", "baseline", "--paths", "4"])
        .args(vary)
        .arg("--out")
        .arg(&sweep_out)
        .assert()
        .success();
    // Local references while the cluster works.
    let local = slurm.dir().join("local");
    herdlab()
        .args(["-q", "run", "herding-alarm", "--paths", "8", "--out"])
        .arg(local.join("run"))
        .assert()
        .success();
    herdlab()
        .args(["-q", "sweep", "baseline", "--paths", "4"])
        .args(vary)
        .arg("--out")
        .arg(local.join("sweep"))
        .assert()
        .success();
    let start = Instant::now();
    let limit = Duration::from_secs(240);
    for out in [&run_out, &sweep_out] {
        loop {
            let mut c = slurm.command(
                assert_cmd::cargo::cargo_bin("herdlab")
                    .to_str()
                    .unwrap_or("herdlab"),
            );
            c.args(["slurm", "status"]).arg(out);
            let o = bounded(&mut c, Duration::from_secs(60)).expect("status finishes");
            if o.status.success() {
                break;
            }
            if start.elapsed() > limit {
                let logs: String = std::fs::read_dir(out.join("logs"))
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.ok())
                    .map(|e| {
                        format!(
                            "--- {}\n{}\n",
                            e.path().display(),
                            std::fs::read_to_string(e.path()).unwrap_or_default()
                        )
                    })
                    .collect();
                panic!(
                    "{} not finished after {} s:\n{}{}\n{logs}{}",
                    out.display(),
                    limit.as_secs(),
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr),
                    slurm.log_tail()
                );
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    }
    say(&format!(
        "slurm test: both jobs finished in {} s",
        start.elapsed().as_secs()
    ));
    assert_same_result(&local.join("run"), &run_out.join("result"));
    assert_same_sweep(&local.join("sweep"), &sweep_out.join("result"), 4);
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&run_out.join("result/manifest.json"))).expect("json");
    assert_eq!(manifest["merged_from"].as_array().map(Vec::len), Some(4));
    // A resubmission of a finished job submits nothing.
    let mut c = herdlab();
    env(&mut c);
    c.args([
        "slurm",
        "run",
        "herding-alarm",
        "--shards",
        "4",
        "--paths",
        "8",
    ])
    .arg("--out")
    .arg(&run_out)
    .assert()
    .success()
    .stdout(predicate::str::contains("nothing to submit"));
}
