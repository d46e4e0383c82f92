//! Interruption and recovery of `herdlab run`: Ctrl-C, `kill -9` while paths run and while the
//! result folder is written, a full disk, and `herdlab run --resume` to the bytes of an
//! uninterrupted run (run in release).

use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

/// The data files of a result folder; only `manifest.json` (times, command line) may differ.
const DATA: [&str; 7] = [
    "summary.json",
    "quarters.csv",
    "paths.csv",
    "paths.parquet",
    "path_quarters.csv",
    "path_quarters.parquet",
    "paths.jsonl",
];

/// Paths of the interrupted runs: long enough (a few seconds) to interrupt reliably.
const PATHS: &str = "300";

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn spawn(args: &[&str], out: &Path) -> Child {
    StdCommand::new(assert_cmd::cargo::cargo_bin("herdlab"))
        .args(args)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn herdlab")
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn checkpoint_of(out: &Path) -> PathBuf {
    reports::checkpoint::location(out)
}

fn chunks(out: &Path) -> usize {
    std::fs::read_dir(checkpoint_of(out))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
                .count()
        })
        .unwrap_or(0)
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn assert_same_data(a: &Path, b: &Path) {
    for f in DATA {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.display()));
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

/// The uninterrupted run everything is compared with.
fn reference(dir: &Path) -> PathBuf {
    let out = dir.join("reference");
    herdlab()
        .args(["-q", "run", "baseline", "--paths", PATHS, "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

fn kill(child: &Child, signal: &str) {
    let ok = StdCommand::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// Starts `run baseline` into `out` with `every` paths per checkpoint chunk, and `kill -9`s it
/// once `chunks` chunks are kept.
fn killed_run(out: &Path, every: u32, kept: usize) {
    let every = every.to_string();
    let child = spawn(
        &[
            "run",
            "baseline",
            "--paths",
            PATHS,
            "--checkpoint-every",
            &every,
        ],
        out,
    );
    wait_until("checkpoint chunks", || chunks(out) >= kept);
    kill(&child, "-KILL");
    let status = child.wait_with_output().expect("wait").status;
    assert_eq!(status.code(), None, "the run was not killed");
}

#[test]
fn resume_after_ctrl_c_gives_the_bytes_of_an_uninterrupted_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let reference = reference(tmp.path());
    let out = tmp.path().join("run");
    let args = [
        "run",
        "baseline",
        "--paths",
        PATHS,
        "--checkpoint-every",
        "4",
    ];
    let child = spawn(&args, &out);
    wait_until("three checkpoint chunks", || chunks(&out) >= 3);
    kill(&child, "-INT");
    let done = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("paths are kept in"), "{stderr}");
    assert!(
        stderr.contains(&format!("herdlab run --resume {}", out.display())),
        "{stderr}"
    );
    assert!(!out.exists(), "an interrupted run left its result folder");

    // Running the same command again would throw the finished paths away: it is refused.
    herdlab()
        .args(["-q"])
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("--resume").and(predicate::str::contains("--force")));

    // Resume with another thread count and chunk size: same bytes.
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .args(["--threads", "1", "--checkpoint-every", "7"])
        .assert()
        .success();
    assert_same_data(&reference, &out);
    assert!(
        !checkpoint_of(&out).exists(),
        "the checkpoint was not removed"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["resumed"].as_array().map(Vec::len), Some(1));
    assert_eq!(manifest["command_line"][1], "run");
    assert_eq!(manifest["command_line"][2], "baseline");
    assert_eq!(entries(tmp.path()), ["reference", "run"]);
}

#[test]
fn a_run_killed_while_paths_run_or_while_writing_leaves_no_result_and_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let reference = reference(tmp.path());

    // Killed while paths run.
    let out = tmp.path().join("paths-phase");
    killed_run(&out, 3, 2);
    assert!(!out.exists());
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .assert()
        .success();
    assert_same_data(&reference, &out);

    // Killed while the result folder is written: the work happens under `.NAME.partial-PID`,
    // so the folder's final name never appears half-written.
    let out = tmp.path().join("write-phase");
    let mut child = spawn(&["run", "baseline", "--paths", PATHS], &out);
    let partial = format!(".write-phase.partial-{}", child.id());
    let mut finished_first = false;
    wait_until("the write phase", || {
        if tmp.path().join(&partial).exists() {
            return true;
        }
        finished_first = matches!(child.try_wait(), Ok(Some(_)));
        finished_first
    });
    if finished_first {
        // Too quick to catch on this machine; the paths phase above still tested a kill.
        eprintln!("the run finished before the write phase was seen; skipping that kill");
        assert_same_data(&reference, &out);
    } else {
        kill(&child, "-KILL");
        let _ = child.wait();
        assert!(
            !out.exists() || out.join("manifest.json").is_file(),
            "a half-written result folder has the final name"
        );
        if out.exists() {
            eprintln!("the rename happened before the kill; the folder is complete");
            if checkpoint_of(&out).exists() {
                // Killed between the rename and removing the checkpoint: resume tidies up.
                herdlab()
                    .args(["run", "--resume"])
                    .arg(&out)
                    .assert()
                    .success()
                    .stdout(predicate::str::contains("is complete"));
            }
        } else {
            assert!(checkpoint_of(&out).exists(), "the finished paths were lost");
            herdlab()
                .args(["-q", "run", "--resume"])
                .arg(&out)
                .assert()
                .success();
        }
        assert_same_data(&reference, &out);
    }
    // The killed process's `.partial-PID` folder was cleared away by the next write.
    assert_eq!(
        entries(tmp.path()),
        ["paths-phase", "reference", "write-phase"]
    );
}

#[test]
fn a_run_begun_with_another_draw_scheme_is_not_resumed() {
    // The checkpoint of a run started by a herdlab of draw scheme 1 (its manifest names no
    // scheme): its paths would not match the new ones, so resuming is refused, naming both.
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("old");
    killed_run(&out, 2, 2);
    let info = checkpoint_of(&out).join("checkpoint.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&info).expect("checkpoint.json"))
            .expect("json");
    assert_eq!(
        json["manifest"]["draw_scheme"],
        serde_json::json!(sim::rng::DRAW_SCHEME)
    );
    json["manifest"]
        .as_object_mut()
        .expect("manifest")
        .remove("draw_scheme");
    std::fs::write(&info, json.to_string()).expect("write");
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("random-number scheme 1"))
        .stderr(predicate::str::contains(format!(
            "draws with scheme {}",
            sim::rng::DRAW_SCHEME
        )));
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn resume_without_a_checkpoint_or_with_a_damaged_one_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("nothing");
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "there is no interrupted run to resume",
        ));
    herdlab()
        .args(["-q", "run", "baseline", "--resume"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));

    let out = tmp.path().join("damaged");
    killed_run(&out, 2, 2);
    let ckpt = checkpoint_of(&out);
    let chunk = entries(&ckpt)
        .into_iter()
        .find(|n| n.ends_with(".jsonl"))
        .expect("a chunk");
    let file = ckpt.join(&chunk);
    let text = std::fs::read_to_string(&file).expect("chunk");
    std::fs::write(&file, &text[..text.len() / 2]).expect("truncate");
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains(chunk.as_str()));
    // --force on the original command starts over and clears the damaged checkpoint.
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "5", "--force", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(!ckpt.exists());
    assert!(out.join("manifest.json").is_file());
}

/// Mounts a tmpfs of `kib` KiB at `dir`, or says why not.
fn mount_tmpfs(dir: &Path, kib: u64) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let out = StdCommand::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
        .arg(dir)
        .output()
        .map_err(|e| format!("cannot run mount: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_fails_cleanly_and_the_run_resumes_once_there_is_room() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let reference = reference(tmp.path());
    let size_of = |f: &str| {
        std::fs::metadata(reference.join(f))
            .expect("size")
            .len()
            .div_ceil(1024)
    };
    let jsonl = size_of("paths.jsonl");
    let manifest = size_of("manifest.json");
    let whole: u64 = DATA.iter().map(|f| size_of(f)).sum::<u64>() + manifest;
    // Room for the checkpoint (its chunks hold what paths.jsonl holds) but not for the result
    // folder as well.
    let disk = tmp.path().join("disk");
    let kib = jsonl + manifest + 4 * 64 + whole / 3;
    if let Err(why) = mount_tmpfs(&disk, kib) {
        eprintln!("skipping the full-disk test: cannot mount a small tmpfs ({why})");
        return;
    }
    let _unmount = Unmount(disk.clone());
    let out = disk.join("run");
    let run = herdlab()
        .args([
            "-q",
            "run",
            "baseline",
            "--paths",
            PATHS,
            "--checkpoint-every",
            "50",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(4);
    let stderr = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("run --resume"), "{stderr}");
    assert!(!out.exists(), "a result folder was left on a full disk");
    // Nothing but the whole chunks of the checkpoint is left behind.
    assert_eq!(entries(&disk), [".run.checkpoint"]);
    assert!(
        entries(&checkpoint_of(&out))
            .iter()
            .all(|n| n == "checkpoint.json" || n.ends_with(".jsonl")),
        "a temporary file was left in the checkpoint"
    );

    // Make room (tmpfs grows on a remount and keeps its files) and resume.
    let grown = StdCommand::new("mount")
        .args(["-o", &format!("remount,size={}k", 4 * kib + 1024)])
        .arg(&disk)
        .status()
        .expect("mount");
    assert!(grown.success());
    herdlab()
        .args(["-q", "run", "--resume"])
        .arg(&out)
        .assert()
        .success();
    assert_same_data(&reference, &out);
}

#[test]
fn resume_after_the_folder_was_written_only_removes_the_leftover_checkpoint() {
    // As if killed between renaming the result folder into place and removing the checkpoint.
    let tmp = tempfile::tempdir().expect("tempdir");
    let reference = reference(tmp.path());
    let out = tmp.path().join("late");
    killed_run(&out, 2, 1);
    std::fs::rename(&reference, &out).expect("the finished folder");
    herdlab()
        .args(["run", "--resume"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("is complete"));
    assert!(!checkpoint_of(&out).exists());
    assert!(out.join("manifest.json").is_file());
    assert_eq!(entries(tmp.path()), ["late"]);
}

#[test]
fn an_interrupted_sweep_resumes_from_its_finished_cells_to_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let args = [
        "sweep",
        "baseline",
        "--vary",
        "rates.shock.size=0,1,2",
        "--paths",
        "150",
    ];
    herdlab()
        .arg("-q")
        .args(args)
        .arg("--out")
        .arg(t.join("whole"))
        .assert()
        .success();
    let out = t.join("sweep");
    let child = spawn(&args, &out);
    let first = checkpoint_of(&out).join("cell-0001/manifest.json");
    wait_until("the first cell kept", || first.is_file());
    kill(&child, "-INT");
    let done = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("sweep cells are kept in"), "{stderr}");
    assert!(!out.exists());
    // The same command without --resume would throw the cells away: refused.
    herdlab()
        .arg("-q")
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("--resume"));
    let kept_manifest = std::fs::read_to_string(&first).expect("kept manifest");
    herdlab()
        .args(args)
        .arg("--out")
        .arg(&out)
        .arg("--resume")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "cells were kept from the interrupted sweep",
        ));
    for f in ["grid.csv", "sweep.json"] {
        let a = std::fs::read(t.join("whole").join(f)).expect("whole");
        let b = std::fs::read(out.join(f)).expect("resumed");
        assert!(a == b, "{f} differs");
    }
    for c in 1..=3 {
        let cell = format!("cell-{c:04}");
        assert_same_data(&t.join("whole").join(&cell), &out.join(&cell));
    }
    // The kept cell was reused, not run again.
    assert_eq!(
        std::fs::read_to_string(out.join("cell-0001/manifest.json")).expect("manifest"),
        kept_manifest
    );
    assert!(!checkpoint_of(&out).exists());
}

#[test]
fn a_checkpoint_without_a_finished_path_does_not_block_the_same_command() {
    // Issue 22 item 3: a run that died before its first chunk (an out-of-memory abort, kill -9)
    // left a checkpoint of 0 paths, and the same command was then refused ("an interrupted run
    // writing this folder is kept ... (0 of N paths done)").
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    let child = spawn(
        &[
            "run",
            "baseline",
            "--paths",
            "100000",
            "--checkpoint-every",
            "100000",
        ],
        &out,
    );
    wait_until("the checkpoint's info file", || {
        checkpoint_of(&out).join("checkpoint.json").is_file()
    });
    kill(&child, "-KILL");
    let status = child.wait_with_output().expect("wait").status;
    assert_eq!(status.code(), None, "the run was not killed");
    assert_eq!(chunks(&out), 0, "no chunk was finished");
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "3", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("manifest.json").is_file());
    assert!(
        !checkpoint_of(&out).exists(),
        "the empty checkpoint was replaced, then removed"
    );
}
