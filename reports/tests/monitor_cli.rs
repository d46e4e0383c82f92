//! `herdlab run --decision-log` and `herdlab monitor` end to end: the engine's own log of a path
//! read back by the monitor (CSV and Parquet alike), the alarm's exit status, clear refusals.

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

#[test]
fn the_engines_decision_log_runs_through_the_monitor() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tmp.path().join("run");
    herdlab()
        .args(["run", "regional-monoculture", "--paths", "3", "--out"])
        .arg(&run)
        .args(["--decision-log", "1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("decision log of path 1"));
    let log = run.join("decision-log");
    let csv = log.join("path-1.csv");
    let text = std::fs::read_to_string(&csv).expect("csv");
    assert!(text.starts_with(
        "path,quarter,bank,applicant,approved,region,family,amount,creditworthy,position,funded\n"
    ));
    // CSV and Parquet give the same measures; without an alarm rule the exit status is 0.
    let (a, b) = (tmp.path().join("m-csv"), tmp.path().join("m-parquet"));
    for (input, out) in [(csv.clone(), &a), (log.join("path-1.parquet"), &b)] {
        herdlab()
            .arg("monitor")
            .arg(&input)
            .arg("--out")
            .arg(out)
            .args(["--no-alarm", "--resamples", "99"])
            .assert()
            .success()
            .stdout(predicate::str::contains("results written to"));
        for f in [
            "summary.json",
            "quarters.csv",
            "quarters.parquet",
            "report.html",
            "manifest.json",
            "monitor-systemic-rejection-ratio.png",
            "monitor-decision-agreement.svg",
        ] {
            assert!(out.join(f).is_file(), "{f} missing in {}", out.display());
        }
    }
    assert_eq!(
        std::fs::read(a.join("quarters.csv")).expect("a"),
        std::fs::read(b.join("quarters.csv")).expect("b")
    );
    // An alarm is exit status 10, with the folder written; --force replaces a monitor folder.
    herdlab()
        .arg("monitor")
        .arg(&csv)
        .arg("--out")
        .arg(&a)
        .args(["--force", "--threshold", "1.0", "--persistence", "1", "-q"])
        .assert()
        .code(10)
        .stderr(predicate::str::contains("herding alarm raised"));
    assert!(a.join("report.html").is_file());
}

#[test]
fn bad_logs_and_flags_are_clear_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let log = tmp.path().join("log.csv");
    std::fs::write(&log, "quarter,bank,applicant\n1,A,f1\n").expect("write");
    herdlab()
        .arg("monitor")
        .arg(&log)
        .arg("--out")
        .arg(tmp.path().join("m"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("approved"));
    assert!(!tmp.path().join("m").exists(), "nothing half-written");
    // --force never replaces a folder herdlab did not write.
    let mine = tmp.path().join("mine");
    std::fs::create_dir_all(&mine).expect("dir");
    std::fs::write(mine.join("notes.md"), "x").expect("write");
    herdlab()
        .arg("monitor")
        .arg(&log)
        .arg("--out")
        .arg(&mine)
        .arg("--force")
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not a herdlab result folder"));
    assert!(mine.join("notes.md").is_file());
    herdlab()
        .args([
            "run",
            "baseline",
            "--paths",
            "2",
            "--decision-log",
            "5",
            "--out",
        ])
        .arg(tmp.path().join("r"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("path 5 is not in the run"));
    herdlab()
        .args(["monitor", "x.csv", "--out"])
        .arg(tmp.path().join("m2"))
        .args(["--measure", "bogus"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "systemic-rejection-ratio, decision-agreement, lsv",
        ));
}

/// The rule that tells the twins apart (docs/monitor.md): shared-model excess above 0.06 for 2
/// consecutive quarters. On 20 paths of each twin it fires on every monoculture path (in the
/// east) and on no diverse path; here, the first three paths of each.
#[test]
fn the_shared_model_excess_alarm_fires_on_the_monoculture_and_not_on_its_diverse_twin() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (scenario, alarm) in [
        ("regional-monoculture", true),
        ("regional-monoculture-diverse", false),
    ] {
        let run = tmp.path().join(scenario);
        herdlab()
            .args(["-q", "run", scenario, "--paths", "3", "--out"])
            .arg(&run)
            .args(["--decision-log", "0,1,2"])
            .assert()
            .success();
        for path in 0..3 {
            let out = tmp.path().join(format!("m-{scenario}-{path}"));
            let a = herdlab()
                .arg("monitor")
                .arg(run.join(format!("decision-log/path-{path}.parquet")))
                .arg("--out")
                .arg(&out)
                .args(["--measure", "shared-model-excess", "--threshold", "0.06"])
                .args(["--persistence", "2", "--resamples", "0"])
                .assert();
            let summary: serde_json::Value = serde_json::from_slice(
                &std::fs::read(out.join("summary.json")).expect("summary.json"),
            )
            .expect("json");
            let alarms = summary["alarms"].as_array().expect("alarms");
            if alarm {
                a.code(10);
                assert!(
                    alarms.iter().any(|a| a["region"] == "east"),
                    "{scenario} path {path}: {alarms:?}"
                );
            } else {
                a.success();
                assert!(alarms.is_empty(), "{scenario} path {path}: {alarms:?}");
            }
            // The west and north have the same banks in both twins: no alarm there.
            assert!(
                alarms
                    .iter()
                    .all(|a| a["region"] != "west" && a["region"] != "north"),
                "{scenario} path {path}: {alarms:?}"
            );
        }
    }
}
