//! End-to-end tests of the `herdlab` binary on bundled scenarios (run in release: debug builds
//! are about 100 times slower).

use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const COMPARED: [&str; 7] = [
    "summary.json",
    "quarters.csv",
    "paths.csv",
    "paths.parquet",
    "path_quarters.csv",
    "path_quarters.parquet",
    "paths.jsonl",
];

#[test]
fn run_writes_a_complete_result_folder_and_a_summary_table() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("baseline");
    herdlab()
        .args(["run", "baseline", "--paths", "6", "--seed", "7", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("credit_gap_share"))
        .stdout(predicate::str::contains("results written to"));
    for f in reports::output::FILES {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).expect("json");
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["paths"], 6);
    assert_eq!(manifest["scenario"]["run"]["paths"], 6);
    assert_eq!(manifest["scenario_origin"], "bundled:baseline");
    let csv = String::from_utf8(read(&out.join("paths.csv"))).expect("utf8");
    assert_eq!(csv.lines().count(), 7);
    // A second run into the same folder is refused unless --force.
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "6", "--out"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn sharded_and_merged_equals_unsharded_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    herdlab()
        .args(["-q", "run", "herding-alarm", "--paths", "7", "--out"])
        .arg(t.join("whole"))
        .assert()
        .success();
    for i in 1..=3 {
        herdlab()
            .args([
                "-q",
                "run",
                "herding-alarm",
                "--paths",
                "7",
                "--threads",
                "1",
            ])
            .args(["--shard", &format!("{i}/3"), "--out"])
            .arg(t.join(format!("s{i}")))
            .assert()
            .success();
    }
    herdlab()
        .args(["-q", "merge"])
        .args([t.join("s3"), t.join("s1"), t.join("s2")])
        .arg("--out")
        .arg(t.join("merged"))
        .assert()
        .success();
    for f in COMPARED {
        assert!(
            read(&t.join("whole").join(f)) == read(&t.join("merged").join(f)),
            "{f} differs between the unsharded run and the merged shards"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&t.join("merged/manifest.json"))).expect("json");
    assert_eq!(manifest["merged_from"].as_array().map(Vec::len), Some(3));
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let shard = |i: u32, seed: &str, name: &str| {
        herdlab()
            .args(["-q", "run", "baseline", "--paths", "4", "--seed", seed])
            .args(["--shard", &format!("{i}/2"), "--out"])
            .arg(t.join(name))
            .assert()
            .success();
    };
    shard(1, "1", "a1");
    shard(2, "1", "a2");
    shard(2, "2", "b2");
    herdlab()
        .arg("merge")
        .arg(t.join("a1"))
        .arg("--out")
        .arg(t.join("m"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("shard 2/2 is missing"));
    herdlab()
        .arg("merge")
        .args([t.join("a1"), t.join("a2"), t.join("a2")])
        .arg("--out")
        .arg(t.join("m"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("shard 2/2 is given twice"));
    herdlab()
        .arg("merge")
        .args([t.join("a1"), t.join("b2")])
        .arg("--out")
        .arg(t.join("m"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("seed 2 but"));
    // A shard written before herdlab recorded its draw scheme (scheme 1) is not merged with one
    // of this scheme.
    let manifest = t.join("a2").join("manifest.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).expect("manifest")).expect("json");
    json.as_object_mut().expect("object").remove("draw_scheme");
    std::fs::write(&manifest, json.to_string()).expect("write");
    herdlab()
        .arg("merge")
        .args([t.join("a1"), t.join("a2")])
        .arg("--out")
        .arg(t.join("m"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("random-number scheme 1"))
        .stderr(predicate::str::contains("cannot be merged"));
    assert!(!t.join("m").exists());
}

fn bad_copy(dir: &Path, name: &str, from: &str, to: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/baseline.toml"
    ))
    .expect("baseline");
    assert!(text.contains(from));
    let p = dir.join(name);
    std::fs::write(&p, text.replace(from, to)).expect("write");
    p
}

#[test]
fn a_bad_scenario_exits_3_naming_the_file_and_field() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bad = bad_copy(tmp.path(), "bad.toml", "lgd = 0.45", "lgd = 1.5");
    herdlab()
        .args(["run", "--paths", "6", "--out"])
        .arg(tmp.path().join("out"))
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad.toml"))
        .stderr(predicate::str::contains("firms.lgd = 1.5"));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn validate_prints_every_problem_of_every_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let a = bad_copy(tmp.path(), "a.toml", "lgd = 0.45", "lgd = 1.5");
    let b = bad_copy(tmp.path(), "b.toml", "equity = 900.0", "equity = -5.0");
    herdlab()
        .arg("validate")
        .args([&a, &b])
        .arg("baseline")
        .assert()
        .code(3)
        .stdout(predicate::str::contains("ok: baseline"))
        .stderr(predicate::str::contains("firms.lgd = 1.5"))
        .stderr(predicate::str::contains("banks[0].equity = -5"));
    herdlab()
        .args(["validate", "baseline", "eu-banks-2018"])
        .assert()
        .success();
}

#[test]
fn sweep_writes_one_cell_per_value_and_a_grid() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("sweep");
    herdlab()
        .args([
            "-q",
            "sweep",
            "baseline",
            "--vary",
            "models.similarity=0:1:3",
        ])
        .args(["--paths", "4", "--out"])
        .arg(&out)
        .assert()
        .success();
    for c in 1..=3 {
        assert!(out.join(format!("cell-{c:04}/summary.json")).is_file());
    }
    let grid = String::from_utf8(read(&out.join("grid.csv"))).expect("utf8");
    let lines: Vec<&str> = grid.lines().collect();
    assert_eq!(lines.len(), 4, "{grid}");
    assert!(lines[0].starts_with("cell,models.similarity,credit_gap_mean"));
    assert!(lines[2].starts_with("2,0.5,"));
    assert!(out.join("sweep.json").is_file());
    // A bad path is named before anything runs.
    herdlab()
        .args([
            "sweep",
            "baseline",
            "--vary",
            "regions[9].firm_share=0.5",
            "--out",
        ])
        .arg(tmp.path().join("bad"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("regions[9]"));
}

#[test]
fn compare_writes_paired_differences() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("cmp");
    herdlab()
        .args(["compare", "baseline", "rate-shock", "--paths", "4", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("rate-shock - baseline"));
    let csv = String::from_utf8(read(&out.join("comparison.csv"))).expect("utf8");
    assert!(csv.starts_with("scenario,reference,measure,unit,n,"));
    assert!(csv.contains("\nrate-shock,baseline,credit_gap,money,4,"));
    assert!(csv.contains("credit_gap[east]"));
    assert!(out.join("comparison.json").is_file());
    assert!(out.join("baseline/summary.json").is_file());
    assert!(out.join("rate-shock/summary.json").is_file());
}

#[test]
fn scenarios_lists_bundled_names_with_descriptions() {
    herdlab()
        .arg("scenarios")
        .assert()
        .success()
        .stdout(predicate::str::contains("regional-monoculture"))
        .stdout(predicate::str::contains("the reference case"));
}

#[test]
fn an_interrupted_run_exits_130_and_leaves_no_complete_folder() {
    // Ctrl-C (SIGINT) and SIGTERM (the default of kill, timeout and Slurm's scancel) alike.
    for signal in ["INT", "TERM"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let out = tmp.path().join("interrupted");
        let bin = assert_cmd::cargo::cargo_bin("herdlab");
        let mut child = StdCommand::new(bin)
            .args(["run", "baseline", "--paths", "100000", "--out"])
            .arg(&out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(700));
        let killed = StdCommand::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let start = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the run did not stop after SIG{signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(130), "SIG{signal}");
        assert!(!out.exists(), "the result folder exists after SIG{signal}");
        // At most the checkpoint of the finished paths (tests/resume.rs resumes from it).
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != ".interrupted.checkpoint")
            .collect();
        assert!(left.is_empty(), "SIG{signal}: left behind: {left:?}");
    }
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // Regression: `herdlab scenarios | head -1` panicked with "Broken pipe".
    let exe = assert_cmd::cargo::cargo_bin("herdlab");
    for _ in 0..5 {
        let mut child = StdCommand::new(&exe)
            .arg("scenarios")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        // 141 (128 + SIGPIPE) when the write met the closed pipe; 0 if it got in first.
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{:?}",
            out.status
        );
    }
}

#[test]
fn degenerate_systems_are_named_by_validate_and_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("degenerate.toml");
    std::fs::write(
        &file,
        r#"version = 1
name = "degenerate"
[run]
paths = 3
quarters = 2
[firms]
count = 500
[[regions]]
name = "north"
[[regions]]
name = "west"
[[models.families]]
name = "A"
[[banks]]
id = "B1"
equity = 0.0
sme_loans = 100.0
family = "A"
regions = { north = 1.0 }
"#,
    )
    .expect("write");
    herdlab()
        .arg("validate")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("ok: "))
        .stderr(predicate::str::contains(
            "banks[0].equity: bank \"B1\" starts with equity 0",
        ))
        .stderr(predicate::str::contains("every bank starts with no equity"))
        .stderr(predicate::str::contains(
            "regions[1]: no solvent bank lends in region \"west\"",
        ));
    let out = tmp.path().join("out");
    herdlab()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: "))
        .stderr(predicate::str::contains(
            "note: every bank had failed by the end of 3 of 3 paths",
        ));
    let csv = String::from_utf8(read(&out.join("path_quarters.csv"))).expect("utf8");
    assert!(!csv.contains("NaN") && !csv.contains("inf"), "{csv}");
}

#[test]
fn force_replaces_a_result_folder_and_refuses_any_other_folder() {
    // Issue 22, item 1: `--force` on a folder holding the user's own files deleted them all.
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("results");
    std::fs::create_dir_all(out.join("important-run")).expect("mkdir");
    std::fs::write(out.join("important-run/data.txt"), "keep me").expect("write");
    std::fs::write(out.join("notes.md"), "keep me too").expect("write");
    herdlab()
        .args(["run", "baseline", "--paths", "4", "--force", "--out"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("not a herdlab result folder"))
        .stderr(predicate::str::contains("notes.md"));
    assert_eq!(
        std::fs::read_to_string(out.join("important-run/data.txt")).expect("kept"),
        "keep me"
    );
    assert!(out.join("notes.md").is_file());

    // A herdlab result folder is replaced.
    let run = tmp.path().join("run");
    for _ in 0..2 {
        herdlab()
            .args(["run", "baseline", "--paths", "4", "--force", "--out"])
            .arg(&run)
            .assert()
            .success();
    }
    assert!(run.join("manifest.json").is_file());
}

/// Issue 22: under `ulimit -v 4G` a run too large for the address space was an abort
/// (`memory allocation of … failed`, SIGABRT) leaving a checkpoint; now the default limit counts
/// the address-space limit, so it is refused with its estimate, and an ordinary run still runs.
#[test]
fn under_an_address_space_limit_a_huge_run_is_refused_and_a_small_one_runs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/baseline.toml"),
    )
    .expect("baseline");
    // 100 million firms: about 5 GiB a path.
    let huge = base.replacen("\ncount = 20000\n", "\ncount = 100000000\n", 1);
    assert_ne!(huge, base, "the firm count line moved: update this test");
    let file = tmp.path().join("huge.toml");
    std::fs::write(&file, huge).expect("write");
    let bin = assert_cmd::cargo::cargo_bin("herdlab");
    let under_4g = |args: &str| {
        StdCommand::new("sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 4000000 && exec {} {args}",
                bin.display()
            ))
            .current_dir(tmp.path())
            .output()
            .expect("sh")
    };
    let out = under_4g("run huge.toml --paths 1 --out huge");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{err}");
    assert!(err.contains("more than the limit of"), "{err}");
    assert!(err.contains("ulimit -v"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "huge.toml")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let out = under_4g("-q run baseline --paths 2 --out small");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.path().join("small/summary.json").is_file());
}
