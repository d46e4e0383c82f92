//! Reliability round 2 (issue 22, items 6-8 and 10-13), end to end through the `herdlab`
//! binary: one writer per result folder, result folders checked against the digests and path
//! count of their manifests (merge, resume, report), command-line values read exactly and blamed
//! on the flag, comparisons across currencies, empty shards without invented statistics, and one
//! error per bad CSV cell with `-q` keeping warnings. Runs are tiny (a path or two of small
//! scenarios, a few dozen for a run kept busy); run in release.

use std::path::Path;
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn herdlab() -> Command {
    Command::cargo_bin("herdlab").expect("the herdlab binary is built")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn stderr_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

fn spawn(args: &[&str]) -> Child {
    StdCommand::new(assert_cmd::cargo::cargo_bin("herdlab"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn herdlab")
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

/// The checkpoint chunks kept beside the result folder `out`.
fn chunks(out: &Path) -> Vec<String> {
    let dir = reports::checkpoint::location(out);
    std::fs::read_dir(&dir)
        .map(|_| entries(&dir))
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.starts_with("paths-") && n.ends_with(".jsonl"))
        .collect()
}

/// Waits until `child` has kept a checkpoint chunk of `out`, so it is surely writing the folder.
fn wait_for_a_chunk(child: &mut Child, out: &Path) {
    let start = Instant::now();
    while chunks(out).is_empty() {
        assert!(
            child.try_wait().expect("wait").is_none(),
            "the run ended before it kept a chunk"
        );
        assert!(start.elapsed() < Duration::from_secs(120), "no chunk kept");
        std::thread::sleep(Duration::from_millis(5));
    }
}

// Item 6: no lock on the result folder. A second `run` on a folder being written was told to
// `--resume` the first's checkpoint, and with `--force` deleted it.

#[test]
fn a_second_writer_of_a_folder_being_written_is_refused_naming_the_live_process() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    // A shard to merge and a decision log to monitor, into the busy folder.
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "1", "--out"])
        .arg(t.join("one"))
        .assert()
        .success();
    herdlab()
        .args(["-q", "run", "regional-monoculture", "--paths", "1"])
        .args(["--decision-log", "0", "--out"])
        .arg(t.join("logged"))
        .assert()
        .success();
    let log = t.join("logged/decision-log/path-0.csv");
    assert!(log.is_file(), "{}", log.display());

    let out = t.join("busy");
    let out_s = out.to_str().expect("utf8");
    // About 30 ms a path on one thread: a few seconds to refuse five writers in.
    let run = [
        "-q",
        "run",
        "baseline",
        "--paths",
        "150",
        "--threads",
        "1",
        "--checkpoint-every",
        "1",
        "--out",
        out_s,
    ];
    let mut first = spawn(&run);
    wait_for_a_chunk(&mut first, &out);
    let said = format!(
        "another herdlab process (pid {}) is writing this folder",
        first.id()
    );
    let one = t.join("one");
    let seconds: [Vec<&str>; 5] = [
        run.to_vec(),
        [&run[..], &["--force"]].concat(),
        vec!["run", "--resume", out_s],
        vec!["merge", one.to_str().expect("utf8"), "--out", out_s],
        vec![
            "monitor",
            log.to_str().expect("utf8"),
            "--no-alarm",
            "--out",
            out_s,
        ],
    ];
    for args in &seconds {
        let kept = chunks(&out);
        let a = herdlab().args(args).assert().code(4);
        let err = stderr_of(&a);
        assert!(
            err.contains(&said) && err.contains(out_s),
            "{args:?}: {err}"
        );
        assert!(!err.contains("--resume"), "{args:?}: {err}");
        // Nothing of the first run's was removed.
        let now = chunks(&out);
        assert!(
            kept.iter().all(|c| now.contains(c)),
            "{args:?}: {kept:?} -> {now:?}"
        );
    }
    let done = first.wait_with_output().expect("wait");
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let jsonl = String::from_utf8(read(&out.join("paths.jsonl"))).expect("utf8");
    assert_eq!(jsonl.lines().count(), 150);
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&out.join("summary.json"))).expect("json");
    assert_eq!(summary["paths"], 150);
    // No checkpoint and no lock are left behind.
    assert_eq!(entries(t), ["busy", "logged", "one"]);

    // A writer killed with -9 does not block the next: the OS released its lock.
    let out = t.join("killed");
    let out_s = out.to_str().expect("utf8");
    let mut child = spawn(&[
        "-q",
        "run",
        "baseline",
        "--paths",
        "40",
        "--threads",
        "1",
        "--checkpoint-every",
        "1",
        "--out",
        out_s,
    ]);
    wait_for_a_chunk(&mut child, &out);
    child.kill().expect("kill -9");
    let _ = child.wait();
    assert!(
        t.join(".killed.lock").is_file(),
        "the dead writer's lock file"
    );
    herdlab()
        .args(["-q", "run", "--resume", out_s, "--threads", "1"])
        .assert()
        .success();
    assert!(out.join("manifest.json").is_file());
    assert_eq!(entries(t), ["busy", "killed", "logged", "one"]);
}

/// `text` with one digit of the first number after `"key":` changed (one value edited).
fn edit_value(text: &str, key: &str) -> String {
    let at = text.find(&format!("\"{key}\":")).expect("key") + key.len() + 3;
    let (i, d) = text[at..]
        .char_indices()
        .find(|(_, c)| ('1'..='8').contains(c))
        .expect("a digit");
    let mut out = text.to_string();
    let bumped = char::from(d as u8 + 1).to_string();
    out.replace_range(at + i..at + i + 1, &bumped);
    out
}

// Item 7: `merge` trusted shard data: a shard's paths.jsonl copied from a run with another seed
// merged with exit 0 and the wrong mean; an edited value merged silently; `--resume` took edited
// checkpoint chunks.

#[test]
fn merge_and_resume_refuse_data_that_does_not_match_its_recorded_digest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let shard = |seed: &str, i: u32, dir: &str| {
        herdlab()
            .args(["-q", "run", "baseline", "--paths", "4", "--seed", seed])
            .args(["--shard", &format!("{i}/2"), "--out"])
            .arg(t.join(dir))
            .assert()
            .success();
    };
    shard("3", 1, "s1");
    shard("3", 2, "s2");
    shard("4", 2, "other");
    let jsonl = t.join("s2/paths.jsonl");
    let original = read(&jsonl);
    let merge = |out: &str| {
        herdlab()
            .args(["-q", "merge"])
            .args([t.join("s1"), t.join("s2")])
            .arg("--out")
            .arg(t.join(out))
            .assert()
    };
    // paths.jsonl of the same shard of another seed: the same path indices, other numbers.
    std::fs::copy(t.join("other/paths.jsonl"), &jsonl).expect("copy");
    let a = merge("m1").code(3);
    let err = stderr_of(&a);
    assert!(
        err.contains("cannot merge")
            && err.contains(&t.join("s2").display().to_string())
            && err.contains("paths.jsonl")
            && err.contains("SHA-256"),
        "{err}"
    );
    assert!(!t.join("m1").exists());
    // One value edited.
    let text = String::from_utf8(original.clone()).expect("utf8");
    std::fs::write(&jsonl, edit_value(&text, "supply")).expect("edit");
    let err = stderr_of(&merge("m2").code(3));
    assert!(
        err.contains("paths.jsonl") && err.contains("SHA-256"),
        "{err}"
    );
    assert!(!t.join("m2").exists());
    // Any data file of a shard is checked, not only the one merge reads.
    std::fs::write(&jsonl, &original).expect("restore");
    let csv = t.join("s1/paths.csv");
    let saved = read(&csv);
    std::fs::write(&csv, [&saved[..], b"9,9\n"].concat()).expect("append");
    let err = stderr_of(&merge("m3").code(3));
    assert!(
        err.contains("paths.csv") && err.contains("SHA-256"),
        "{err}"
    );
    std::fs::write(&csv, &saved).expect("restore");
    // The manifests must agree too: a whole shard of another seed is refused by its seed.
    herdlab()
        .args(["-q", "merge"])
        .args([t.join("s1"), t.join("other")])
        .arg("--out")
        .arg(t.join("m4"))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("seed"));
    // Restored, the shards merge.
    merge("merged").success();

    // `--resume` checks each kept chunk against the digest recorded when it was kept.
    let out = t.join("resumed");
    let out_s = out.to_str().expect("utf8");
    let mut child = spawn(&[
        "-q",
        "run",
        "baseline",
        "--paths",
        "40",
        "--threads",
        "1",
        "--checkpoint-every",
        "1",
        "--out",
        out_s,
    ]);
    wait_for_a_chunk(&mut child, &out);
    child.kill().expect("kill -9");
    let _ = child.wait();
    let chunk = chunks(&out).into_iter().next().expect("a chunk");
    let file = reports::checkpoint::location(&out).join(&chunk);
    let text = String::from_utf8(read(&file)).expect("utf8");
    std::fs::write(&file, edit_value(&text, "supply")).expect("edit");
    let err = stderr_of(
        &herdlab()
            .args(["-q", "run", "--resume", out_s])
            .assert()
            .code(4),
    );
    assert!(err.contains(&chunk) && err.contains("SHA-256"), "{err}");
    assert!(!out.exists());
}

/// Copies the files of the result folder `from` to a new folder `to`.
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for name in entries(from) {
        if from.join(&name).is_file() {
            std::fs::copy(from.join(&name), to.join(&name)).expect("copy");
        }
    }
}

/// A damaged copy's name, how it is damaged, and what the refusal must say.
type Damage<'a> = (&'a str, &'a dyn Fn(&Path), &'a [&'a str]);

// Item 8: `report` on a damaged folder (half of paths.jsonl, summary.json or paths.csv deleted)
// exited 0 and reported the paths it found.

#[test]
fn report_refuses_a_folder_that_does_not_match_its_manifest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let good = t.join("good");
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "4", "--out"])
        .arg(&good)
        .assert()
        .success();
    let report = |dir: &Path| {
        herdlab()
            .args(["-q", "report", "--format", "svg"])
            .arg(dir)
            .assert()
    };
    let damaged = |name: &str, damage: &dyn Fn(&Path)| {
        let dir = t.join(name);
        copy_folder(&good, &dir);
        damage(&dir);
        dir
    };
    let half = |dir: &Path| {
        let text = String::from_utf8(read(&dir.join("paths.jsonl"))).expect("utf8");
        let kept: String = text.lines().take(2).map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.join("paths.jsonl"), kept).expect("halve");
    };
    let cases: [Damage<'_>; 4] = [
        (
            "half",
            &half,
            &["paths.jsonl holds 2 paths", "says 4", "SHA-256"],
        ),
        (
            "no-summary",
            &|d: &Path| std::fs::remove_file(d.join("summary.json")).expect("rm"),
            &["summary.json is missing"],
        ),
        (
            "no-csv",
            &|d: &Path| std::fs::remove_file(d.join("paths.csv")).expect("rm"),
            &["paths.csv is missing"],
        ),
        (
            "edited",
            &|d: &Path| {
                let text = String::from_utf8(read(&d.join("paths.jsonl"))).expect("utf8");
                std::fs::write(d.join("paths.jsonl"), edit_value(&text, "supply")).expect("edit");
            },
            &["paths.jsonl does not match", "SHA-256"],
        ),
    ];
    for (name, damage, said) in cases {
        let dir = damaged(name, damage);
        let err = stderr_of(&report(&dir).code(4));
        assert!(err.contains(&dir.display().to_string()), "{name}: {err}");
        for s in said {
            assert!(err.contains(s), "{name}: {s:?} missing from {err}");
        }
        assert!(!dir.join("charts").exists(), "{name}: charts written");
    }
    // A folder written before digests were recorded: what can be checked is, and the report
    // says the digests are absent rather than failing.
    let without_digests = |dir: &Path| {
        let file = dir.join("manifest.json");
        let mut m: serde_json::Value = serde_json::from_slice(&read(&file)).expect("json");
        assert!(m["sha256"].is_object(), "the manifest records digests");
        m.as_object_mut().expect("object").remove("sha256");
        std::fs::write(&file, serde_json::to_vec_pretty(&m).expect("json")).expect("write");
    };
    let old = damaged("old", &without_digests);
    let a = report(&old).success();
    assert!(
        stderr_of(&a).contains("no SHA-256 digests"),
        "{}",
        stderr_of(&a)
    );
    assert!(old.join("charts").is_dir());
    let old_half = damaged("old-half", &|d: &Path| {
        without_digests(d);
        half(d);
    });
    let err = stderr_of(&report(&old_half).code(4));
    assert!(err.contains("paths.jsonl holds 2 paths"), "{err}");
    report(&good).success();
}

// Item 10: command-line values misreported and blamed on the file.

#[test]
fn command_line_values_are_read_exactly_and_errors_blame_the_flag() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    // (arguments, the value as typed, what is allowed): usage errors (exit 2) naming the flag,
    // never the scenario file, and never a rounded value.
    let cases: [(&[&str], &str, &str); 8] = [
        (
            &["run", "baseline", "--seed", "9007199254740993"],
            "9007199254740993",
            "9007199254740991",
        ),
        (
            &["run", "baseline", "--seed", "99999999999999999999999"],
            "99999999999999999999999",
            "9007199254740991",
        ),
        (
            &["run", "baseline", "--paths", "18446744073709551615"],
            "18446744073709551615",
            "1000000000",
        ),
        (
            &["run", "baseline", "--paths", "1e3"],
            "1e3",
            "whole number",
        ),
        (&["run", "baseline", "--paths", "0"], "0", "1000000000"),
        (
            &["run", "baseline", "--max-memory", "1e30T"],
            "1e30T",
            "16 EiB",
        ),
        (
            &["run", "baseline", "--max-memory", "20000000T"],
            "20000000T",
            "16 EiB",
        ),
        (
            &["compare", "baseline", "rate-shock", "--threads", "0"],
            "0",
            "at least 1",
        ),
    ];
    for (args, typed, allowed) in cases {
        let flag = args[args.len() - 2];
        let a = herdlab().args(args).arg("--out").arg(&out).assert().code(2);
        let err = stderr_of(&a);
        assert!(
            err.contains(flag) && err.contains(&format!("'{typed}'")) && err.contains(allowed),
            "{args:?}: {err}"
        );
        assert!(!err.contains("baseline.toml"), "{args:?}: {err}");
        assert!(!out.exists());
    }
    for (flag, typed, allowed) in [
        ("--width", "nan", "inches"),
        ("--width", "1e300", "inches"),
        ("--height", "inf", "inches"),
        ("--height", "0", "inches"),
        ("--dpi", "-1", "36 to 1200"),
        ("--dpi", "NaN", "36 to 1200"),
    ] {
        let a = herdlab()
            .arg("report")
            .arg(tmp.path())
            .arg(format!("{flag}={typed}"))
            .assert()
            .code(2);
        let err = stderr_of(&a);
        assert!(
            err.contains(flag) && err.contains(&format!("'{typed}'")) && err.contains(allowed),
            "{flag} {typed}: {err}"
        );
    }
    // Each value within its range, but a chart too small in pixels: both flags named.
    herdlab()
        .arg("report")
        .arg(tmp.path())
        .args(["--width", "0.5", "--dpi", "40"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--width 0.5"))
        .stderr(predicate::str::contains("--dpi 40"))
        .stderr(predicate::str::contains("64 to 20000 pixels"));
    // The largest seed is taken exactly, and recorded exactly.
    herdlab()
        .args(["-q", "run", "baseline", "--paths", "1"])
        .args(["--seed", "9007199254740991", "--max-memory", "1.5G"])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(&out.join("manifest.json"))).expect("json");
    assert_eq!(manifest["seed"].as_u64(), Some(9_007_199_254_740_991));
    assert_eq!(manifest["max_memory"].as_u64(), Some(3 << 29));
    // A value in the file is reported as written, not as the nearest double.
    let file = tmp.path().join("s.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scenarios/baseline.toml"
    ))
    .expect("baseline");
    std::fs::write(
        &file,
        text.replace("[run]\n", "[run]\nseed = 9007199254740993\n")
            .replacen("seed = 20261124\n", "", 1),
    )
    .expect("write");
    herdlab()
        .arg("validate")
        .arg(&file)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "run.seed = 9007199254740993: must be in [0, 9007199254740991]",
        ));
}

// Item 11: `compare` across currencies reported a money difference.

#[test]
fn compare_refuses_scenarios_in_different_currencies() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("c");
    herdlab()
        .args([
            "compare",
            "baseline",
            "eu-banks-2018",
            "--paths",
            "1",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains("\"CNY million\""))
        .stderr(predicate::str::contains("\"EUR million\""))
        .stderr(predicate::str::contains("eu-banks-2018"))
        .stderr(predicate::str::contains("currency"));
    assert!(!out.exists(), "nothing is run or written");
    // A scenario that names no currency (bench-standard) is not guessed to be in the other's:
    // the message says it names none and how to name it.
    herdlab()
        .args([
            "compare",
            "baseline",
            "bench-standard",
            "--paths",
            "1",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "\"bench-standard\" names no `currency` (so its money is in plain \"million\")",
        ))
        .stderr(predicate::str::contains(
            "add `currency = \"CNY million\"` to it",
        ));
    assert!(!out.exists(), "nothing is run or written");
}

// Item 12: an empty shard reported n = 0 with mean = min = max = 0.

#[test]
fn an_empty_shard_reports_no_statistic_and_merges_to_the_unsharded_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let t = tmp.path();
    let shard = |i: u32| {
        herdlab()
            .args([
                "run",
                "baseline",
                "--paths",
                "2",
                "--seed",
                "3",
                "--threads",
                "1",
            ])
            .args(["--shard", &format!("{i}/4"), "--out"])
            .arg(t.join(format!("s{i}")))
            .assert()
            .success()
    };
    // Shard 1/4 of 2 paths holds paths [0, 0): none.
    let a = shard(1);
    let stdout = String::from_utf8_lossy(&a.get_output().stdout).into_owned();
    assert!(
        stdout.contains("no statistic") && stdout.contains("shard 1/4 (paths 0..0)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("credit_gap_share"),
        "no rows of invented zeros: {stdout}"
    );
    let s1 = t.join("s1");
    let summary: serde_json::Value =
        serde_json::from_slice(&read(&s1.join("summary.json"))).expect("json");
    assert_eq!(summary["paths"], 0);
    let m = &summary["path_measures"][0];
    for field in ["mean", "std_dev", "min", "max", "mean_low", "mean_high"] {
        assert!(m[field].is_null(), "{field}: {m}");
    }
    for t in m["tail"].as_array().expect("tail") {
        assert!(t["var"].is_null() && t["es"].is_null(), "{t}");
    }
    let q = &summary["quarter_measures"][0]["quarters"][0];
    assert!(q["mean"].is_null() && q["mean_low"].is_null(), "{q}");
    for p in [
        &summary["systemic_event"],
        &summary["bank_failures"][0]["failure"],
    ] {
        assert_eq!(p["n"], 0);
        for field in ["estimate", "low", "high"] {
            assert!(p[field].is_null(), "{field}: {p}");
        }
    }
    let csv = String::from_utf8(read(&s1.join("quarters.csv"))).expect("utf8");
    let row = csv.lines().nth(1).expect("a row per measure and quarter");
    assert!(
        row.starts_with("rate,percent,1,0,,,,,"),
        "empty cells, no zeros: {row}"
    );
    // herdlab's own readers read it: the report says there is no statistic...
    herdlab()
        .arg("-q")
        .arg("report")
        .arg(&s1)
        .assert()
        .success();
    let html = String::from_utf8(read(&s1.join("report.html"))).expect("utf8");
    assert!(html.contains("no statistic"), "report.html");
    // ... and merging it with the other shards gives the unsharded run, byte for byte.
    for i in 2..=4 {
        shard(i);
    }
    herdlab()
        .args([
            "-q", "run", "baseline", "--paths", "2", "--seed", "3", "--out",
        ])
        .arg(t.join("whole"))
        .assert()
        .success();
    herdlab()
        .args(["-q", "merge"])
        .args([t.join("s4"), s1.clone(), t.join("s3"), t.join("s2")])
        .arg("--out")
        .arg(t.join("merged"))
        .assert()
        .success();
    for f in ["summary.json", "quarters.csv", "paths.csv", "paths.jsonl"] {
        assert!(
            read(&t.join("whole").join(f)) == read(&t.join("merged").join(f)),
            "{f} differs between the unsharded run and the merged shards"
        );
    }
    // Merging the empty shard alone with a shard of a one-path run also works.
    herdlab()
        .args([
            "-q", "run", "baseline", "--paths", "1", "--seed", "3", "--shard", "1/2",
        ])
        .arg("--out")
        .arg(t.join("e1"))
        .assert()
        .success();
    herdlab()
        .args([
            "-q", "run", "baseline", "--paths", "1", "--seed", "3", "--shard", "2/2",
        ])
        .arg("--out")
        .arg(t.join("e2"))
        .assert()
        .success();
    herdlab()
        .args(["merge"])
        .args([t.join("e1"), t.join("e2")])
        .arg("--out")
        .arg(t.join("em"))
        .assert()
        .success()
        .stdout(predicate::str::contains("baseline: 1 paths"));
}

// Item 13: a NaN cell gave a second, invented error; `-q` hid the degenerate-system warnings.

const DEGENERATE: &str = r#"version = 1
name = "degenerate"
[run]
paths = 2
quarters = 2
[firms]
count = 300
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
"#;

#[test]
fn a_nan_bank_cell_is_one_error_and_quiet_keeps_warnings() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("eba.csv"),
        "bank,country,gov_bonds,corp_bonds,interbank_assets,cet1_capital,cet1_ratio_pct,total_exposure\n\
         E1,north,1,1,1,5,NaN,100\n",
    )
    .expect("write");
    let file = dir.join("s.toml");
    std::fs::write(
        &file,
        format!(
            "{DEGENERATE}\n[[bank_files]]\npath = \"eba.csv\"\nformat = \"eba2018\"\nfamilies = [\"A\"]\n"
        ),
    )
    .expect("write");
    let a = herdlab().arg("validate").arg(&file).assert().code(3);
    let err = stderr_of(&a);
    assert!(
        err.contains("eba.csv: row 2, column cet1_ratio_pct = nan")
            && err.contains("1 invalid value(s)"),
        "{err}"
    );
    assert!(!err.contains("a positive percentage"), "{err}");
    // `-q`: no progress and no summary table, but the warnings and notes stay on stderr.
    let file = dir.join("degenerate.toml");
    std::fs::write(&file, DEGENERATE).expect("write");
    let a = herdlab()
        .args(["-q", "run"])
        .arg(&file)
        .arg("--out")
        .arg(dir.join("out"))
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let err = stderr_of(&a);
    for said in [
        "warning: ",
        "banks[0].equity: bank \"B1\" starts with equity 0",
        "regions[1]: no solvent bank lends in region \"west\"",
        "note: every bank had failed by the end of 2 of 2 paths",
    ] {
        assert!(err.contains(said), "-q run: {said} missing from {err}");
    }
    let a = herdlab()
        .args(["-q", "compare"])
        .args([&file, &file])
        .arg("--out")
        .arg(dir.join("cmp"))
        .assert()
        .success();
    assert!(
        stderr_of(&a).contains("warning: "),
        "-q compare: {}",
        stderr_of(&a)
    );
}
