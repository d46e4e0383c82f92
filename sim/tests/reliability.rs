//! Reliability round 2 (issue 22): hostile inputs and sizes that the engine must refuse cleanly,
//! quickly and before a large allocation, and valid scenarios that must stay finite.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::Small;
use sim::Error;
use sim::aggregate::aggregate;
use sim::montecarlo::{RunOptions, Shard, Silent, check, estimate, run};
use sim::results::{PathResult, PathSummary, QuarterRecord};
use sim::scenario::{FsSources, MapSources, Scenario};

/// A fresh, empty directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("herdlab-reliability-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Loads `path` on another thread and waits at most 20 s: a read that blocks (a FIFO) or grows
/// without bound (`/dev/zero`) fails the test instead of hanging it.
fn load_within_20s(path: &Path) -> Result<Scenario, String> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(Scenario::load(&p, &FsSources).map_err(|e| e.to_string()));
    });
    rx.recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("{}: still reading after 20 s", path.display()))
}

fn all_finite(paths: &[PathResult]) {
    for p in paths {
        for q in &p.quarters {
            for (m, v) in QuarterRecord::MEASURES.iter().zip(q.values()) {
                assert!(
                    v.is_finite(),
                    "path {} quarter {}: {} = {v}",
                    p.path,
                    q.quarter,
                    m.name
                );
            }
        }
        for (m, v) in PathSummary::MEASURES.iter().zip(p.summary.values()) {
            assert!(v.is_finite(), "path {}: {} = {v}", p.path, m.name);
        }
        for (i, b) in p.banks.iter().enumerate() {
            for v in [
                b.final_equity,
                b.income,
                b.loss_credit,
                b.loss_bonds,
                b.loss_interbank,
            ] {
                assert!(v.is_finite(), "path {}: bank {i}: {v}", p.path);
            }
        }
    }
}

// Item 2: every file read must be a regular file, read with a bound.

#[test]
fn a_device_a_fifo_or_a_directory_as_base_or_bank_file_is_refused_without_reading_it() {
    let d = temp_dir("special");
    let small = Small::default().text();
    let mut cases: Vec<(String, &str)> = vec![
        ("/dev/zero".into(), "character device"),
        (d.display().to_string(), "directory"),
    ];
    let fifo = d.join("fifo.toml");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => cases.push((fifo.display().to_string(), "FIFO")),
        other => eprintln!("skipping the FIFO case: mkfifo failed ({other:?})"),
    }
    for (special, kind) in &cases {
        // As a base.
        let scn = d.join("base-is-special.toml");
        std::fs::write(&scn, format!("base = {special:?}\nversion = 1\n")).expect("write");
        let started = Instant::now();
        let err = load_within_20s(&scn).expect_err("refused");
        assert!(
            err.contains(special.as_str())
                && err.contains("not a regular file")
                && err.contains(kind),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{err}");
        // As a bank file.
        let scn = d.join("bank-file-is-special.toml");
        let text = format!("{small}\n[[bank_files]]\npath = {special:?}\n");
        std::fs::write(&scn, text).expect("write");
        let err = load_within_20s(&scn).expect_err("refused");
        assert!(
            err.contains(special.as_str()) && err.contains("not a regular file"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}

// Item 3: estimate every large allocation from the validated scenario before building anything.

fn four_gib() -> RunOptions {
    RunOptions {
        paths: Some(2),
        threads: Some(2),
        max_memory: Some(4 << 30),
        ..Default::default()
    }
}

/// Asserts that `run` refuses `s` for size, with the estimate and the limit, within `seconds`.
fn refused_quickly(s: &Scenario, seconds: u64) -> String {
    let started = Instant::now();
    let err = run(s, &four_gib(), &Silent).expect_err("too large");
    let took = started.elapsed();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("more than the limit of 4.0 GiB"), "{msg}");
    assert!(
        took < Duration::from_secs(seconds),
        "refused after {took:?}"
    );
    msg
}

#[test]
fn a_billion_firms_are_refused_in_milliseconds_before_the_firm_table_is_built() {
    // Regression: the firm table (4 bytes a firm) was built before the memory check: 15 s and
    // 3.9 GB before the refusal.
    let s = Small {
        firms: 1_000_000_000,
        ..Small::default()
    }
    .scenario();
    refused_quickly(&s, 2);
}

fn banks_on_a_network(count: usize, mean_degree: f64, resample: &str) -> Scenario {
    let text = format!(
        "{}\n[[bank_groups]]\nprefix = \"G\"\ncount = {count}\nassets = {{ dist = \"fixed\", value = 100.0 }}\nequity_ratio = 0.08\nsme_share = 0.3\nbond_share = 0.1\ninterbank_share = 0.1\nregions = [\"r\"]\nfamilies = [\"f0\"]\n\n[contagion.interbank]\nclearing = \"furfine\"\n\n[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = {mean_degree:?}\nweights = \"equal\"\nresample = \"{resample}\"\n",
        Small {
            firms: 1000,
            ..Small::default()
        }
        .text()
    );
    Scenario::from_toml_str(&text, "big.toml", &MapSources::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_network_of_30_000_banks_drawn_once_is_refused_before_it_is_drawn() {
    // Regression: the 30,000 x 30,000 exposure matrix (7.2 GB) was drawn before the check.
    let s = banks_on_a_network(30_000, 5.0, "run");
    let e = estimate(&s, &four_gib()).expect("estimate");
    assert!(e.shared >= 8 * 30_005u64.pow(2), "{e:?}");
    refused_quickly(&s, 5);
}

#[test]
fn a_hundred_thousand_banks_with_mean_degree_99999_are_refused_not_aborted() {
    // Regression: `memory allocation of ... failed` (SIGABRT). Either way of drawing the network
    // is refused: once for the run (shared) or once per path (per path in flight).
    for resample in ["run", "path"] {
        let s = banks_on_a_network(100_000, 99_999.0, resample);
        let e = estimate(&s, &four_gib()).expect("estimate");
        assert!(e.total() > 80_000_000_000, "{resample}: {e:?}");
        refused_quickly(&s, 5);
    }
}

#[test]
fn check_agrees_with_run_and_passes_what_fits() {
    let s = Small::default().scenario();
    let fits = four_gib();
    let e = check(&s, &fits).expect("a small run fits in 4 GiB");
    assert_eq!(e.in_flight, 2);
    assert!(e.total() >= e.shared + 2 * e.per_path + e.results);
    assert!(run(&s, &fits, &Silent).is_ok());
    // A limit just below the estimate refuses in check and in run alike.
    let tight = RunOptions {
        max_memory: Some(e.total() - 1),
        ..four_gib()
    };
    assert!(matches!(check(&s, &tight), Err(Error::TooLarge { .. })));
    assert!(matches!(
        run(&s, &tight, &Silent),
        Err(Error::TooLarge { .. })
    ));
    // Bad options are refused by check as by run.
    let bad = RunOptions {
        shard: Shard { index: 2, count: 2 },
        ..four_gib()
    };
    assert!(matches!(check(&s, &bad), Err(Error::Options(_))));
}

// Item 4: money amounts are bounded at validation; no validated scenario gives NaN or inf.

fn problems_of(text: &str, files: &MapSources) -> String {
    match Scenario::from_toml_str(text, "s/m.toml", files) {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn money_amounts_above_1e15_are_refused_for_listed_grouped_and_file_banks() {
    let small = Small::default().text();
    for field in ["sme_loans", "equity", "other_assets"] {
        let from = format!("{field} = ");
        let text = small.replacen(
            &format!(
                "{from}{}",
                if field == "sme_loans" {
                    "1000.0"
                } else if field == "equity" {
                    "100.0"
                } else {
                    "200.0"
                }
            ),
            &format!("{from}1e308"),
            1,
        );
        let msg = problems_of(&text, &MapSources::default());
        assert!(
            msg.contains(&format!("banks[0].{field} = 1e308")) && msg.contains("[0, 1e15]"),
            "{msg}"
        );
    }
    let text = small.replacen(
        "other_assets = 200.0",
        "other_assets = 200.0\nbonds = 1e308\ninterbank_assets = 2e15",
        1,
    );
    let msg = problems_of(&text, &MapSources::default());
    assert!(msg.contains("banks[0].bonds = 1e308"), "{msg}");
    assert!(msg.contains("banks[0].interbank_assets = 2e15"), "{msg}");
    // A group: a fixed size above the bound, and draws that exceed it.
    let group = |assets: &str| {
        format!(
            "{small}\n[[bank_groups]]\nprefix = \"G\"\ncount = 20\nassets = {assets}\nequity_ratio = 0.08\nsme_share = 0.3\nregions = [\"r\"]\nfamilies = [\"f0\"]\n"
        )
    };
    let msg = problems_of(
        &group("{ dist = \"fixed\", value = 1e308 }"),
        &MapSources::default(),
    );
    assert!(msg.contains("bank_groups[0].assets.value = 1e308"), "{msg}");
    let msg = problems_of(
        &group("{ dist = \"lognormal\", median = 1e15, sigma = 5.0 }"),
        &MapSources::default(),
    );
    assert!(
        msg.contains("bank_groups[0].assets = (largest drawn bank:")
            && msg.contains("at most 1e15"),
        "{msg}"
    );
    // A bank file.
    let mut files = MapSources::default();
    files.0.insert(
        PathBuf::from("s/banks.csv"),
        "id,equity,sme_loans,interbank_assets,regions,family\nX1,10,100,1e308,r,f0\n".into(),
    );
    let text = format!("{small}\n[[bank_files]]\npath = \"banks.csv\"\n");
    let msg = problems_of(&text, &files);
    assert!(
        msg.contains("s/banks.csv: row 2, column interbank_assets = 1e308")
            && msg.contains("<= 1e15"),
        "{msg}"
    );
}

#[test]
fn the_largest_valid_money_amounts_give_finite_outputs() {
    // Every money amount at the bound, on listed and file banks, with interbank contagion and a
    // fire-sale channel: every measure of every path is finite.
    let mut text = Small::default()
        .text()
        .replace("equity = 100.0", "equity = 1e15")
        .replace("sme_loans = 1000.0", "sme_loans = 1e15")
        .replace(
            "other_assets = 200.0",
            "other_assets = 1e15\nbonds = 1e15\ninterbank_assets = 1e15\ninterbank_liabilities = 1e15",
        )
        .replace("weight = 0.5", "weight = 1e9\nsize_median = 1e15");
    text.push_str("\n[[bank_files]]\npath = \"banks.csv\"\n");
    text.push_str("\n[contagion.interbank]\nclearing = \"eisenberg-noe\"\n\n[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 3.0\nweights = \"equal\"\n");
    let mut files = MapSources::default();
    files.0.insert(
        PathBuf::from("s/banks.csv"),
        "id,equity,sme_loans,bonds,interbank_assets,interbank_liabilities,other_assets,regions,family\nX1,1e15,1e15,1e15,1e15,1e15,1e15,r,f0\nX2,0,1e15,0,1e15,0,0,r,f1\n".into(),
    );
    let s = Scenario::from_toml_str(&text, "s/m.toml", &files).unwrap_or_else(|e| panic!("{e}"));
    let out = run(
        &s,
        &RunOptions {
            paths: Some(3),
            threads: Some(2),
            ..Default::default()
        },
        &Silent,
    )
    .expect("runs");
    all_finite(&out.paths);
}

// Item 9: type errors point at the user's file, line and column, with the field path.

#[test]
fn type_errors_name_the_users_file_line_column_and_field_with_or_without_base() {
    let small = Small::default().text();
    let line_of = |text: &str, needle: &str| {
        text.lines()
            .position(|l| l.starts_with(needle))
            .expect("line")
            + 1
    };
    let bad = small.replace("count = 2000", "count = 1e308");
    let line = line_of(&bad, "count = 1e308");
    // Without base.
    let msg = Scenario::from_toml_str(&bad, "s/m.toml", &MapSources::default())
        .expect_err("wrong type")
        .to_string();
    assert!(msg.starts_with("s/m.toml: firms.count: "), "{msg}");
    assert!(msg.contains(&format!("line {line}, column 9")), "{msg}");
    assert!(
        msg.contains("1e308") && !msg.contains("1000000000000"),
        "{msg}"
    );
    // In a base file, named by the child: the base's own line.
    let mut files = MapSources::default();
    files.0.insert(PathBuf::from("s/base.toml"), bad.clone());
    let child = "# a child\n\nbase = \"base.toml\"\nname = \"child\"\n";
    let msg = Scenario::from_toml_str(child, "s/child.toml", &files)
        .expect_err("wrong type in the base")
        .to_string();
    assert!(
        msg.starts_with("s/base.toml (named by s/child.toml base): firms.count: "),
        "{msg}"
    );
    assert!(msg.contains(&format!("line {line}, column 9")), "{msg}");
    files.0.insert(PathBuf::from("s/child.toml"), child.into());
    let msg = Scenario::load(Path::new("s/child.toml"), &files)
        .expect_err("wrong type in the base")
        .to_string();
    assert!(msg.contains(&format!("line {line}, column 9")), "{msg}");
    // In the child, over a valid base: the child's line, and the field path of a nested value.
    files.0.insert(PathBuf::from("s/base.toml"), small.clone());
    let child = "base = \"base.toml\"\n\n[firms]\nlgd = \"high\"\n";
    let msg = Scenario::from_toml_str(child, "s/child.toml", &files)
        .expect_err("wrong type in the child")
        .to_string();
    assert!(msg.starts_with("s/child.toml: firms.lgd: "), "{msg}");
    assert!(msg.contains("line 4, column 7"), "{msg}");
    // An unknown field deep in an array of tables.
    let child = "base = \"base.toml\"\n[[regions]]\nname = \"r\"\nfirm_shar = 1.0\n";
    let msg = Scenario::from_toml_str(child, "s/child.toml", &files)
        .expect_err("unknown field")
        .to_string();
    assert!(
        msg.starts_with("s/child.toml: regions[0].firm_shar: "),
        "{msg}"
    );
    assert!(msg.contains("line 4"), "{msg}");
}

#[test]
fn type_errors_carry_the_location_in_a_typed_form() {
    let bad = Small::default()
        .text()
        .replace("count = 2000", "count = \"many\"");
    let line = bad
        .lines()
        .position(|l| l.starts_with("count = "))
        .expect("line")
        + 1;
    match Scenario::from_toml_str(&bad, "m.toml", &MapSources::default()) {
        Err(Error::Parse {
            file, at: Some(at), ..
        }) => {
            assert_eq!(file, "m.toml");
            assert_eq!(at.field, "firms.count");
            assert_eq!((at.line, at.column), (line, 9));
        }
        other => panic!("expected a located parse error, got {other:?}"),
    }
}

// Item 12: an empty shard reports no statistic.

#[test]
fn an_empty_shard_reports_no_statistic() {
    let s = Small::default().scenario();
    let out = run(
        &s,
        &RunOptions {
            paths: Some(4),
            // Paths [16/8, 20/8) = [2, 2): none (`--shard 5/8 --paths 4` on the command line).
            shard: Shard { index: 4, count: 8 },
            threads: Some(1),
            ..Default::default()
        },
        &Silent,
    )
    .expect("an empty shard runs");
    assert!(out.paths.is_empty());
    let agg = aggregate(&s, &out.paths);
    assert_eq!(agg.paths, 0);
    let m = agg.measure("bank_losses").expect("measure");
    assert_eq!(m.summary.n, 0);
    assert!(
        m.summary.observed().is_none(),
        "no observation, no statistic"
    );
    let json = serde_json::to_value(&m.summary).expect("json");
    for field in ["mean", "std_dev", "std_error", "min", "max"] {
        assert!(json[field].is_null(), "{field}: {json}");
    }
    // One observation: a statistic, serialised as before.
    let one = run(
        &s,
        &RunOptions {
            paths: Some(1),
            threads: Some(1),
            ..Default::default()
        },
        &Silent,
    )
    .expect("runs");
    let agg = aggregate(&s, &one.paths);
    let m = agg.measure("bank_losses").expect("measure");
    let observed = m.summary.observed().expect("one observation");
    let json = serde_json::to_value(observed).expect("json");
    assert_eq!(json["mean"].as_f64(), Some(observed.mean));
}

// Item 13: a bad CSV cell gives one error, not a second invented one.

#[test]
fn a_nan_cell_gives_one_error_not_a_second_invented_one() {
    let small = Small::default().text();
    let mut files = MapSources::default();
    files.0.insert(
        PathBuf::from("s/eba.csv"),
        "bank,country,gov_bonds,corp_bonds,interbank_assets,cet1_capital,cet1_ratio_pct,total_exposure\nE1,r,1,1,1,5,NaN,100\nE2,r,1,1,1,5,12,abc\n".into(),
    );
    let text = format!(
        "{small}\n[[bank_files]]\npath = \"eba.csv\"\nformat = \"eba2018\"\nfamilies = [\"f0\"]\n"
    );
    let msg = problems_of(&text, &files);
    assert!(
        msg.contains("s/eba.csv: row 2, column cet1_ratio_pct = nan"),
        "{msg}"
    );
    assert!(
        msg.contains("s/eba.csv: row 3, column total_exposure = \"abc\": a number"),
        "{msg}"
    );
    assert!(
        msg.contains(" 2 invalid value(s)"),
        "exactly the two bad cells: {msg}"
    );
    assert!(
        !msg.contains("a positive percentage") && !msg.contains("must cover"),
        "{msg}"
    );
}

/// Says stop at its `at`-th question, counting them.
struct StopAt {
    at: usize,
    asked: std::sync::atomic::AtomicUsize,
}

impl sim::montecarlo::Observer for StopAt {
    fn should_stop(&self) -> bool {
        self.asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 >= self.at
    }
}

#[test]
fn a_path_stops_between_contagion_rounds_inside_its_quarter() {
    // Issue 22 item 5: a quarter of many banks ran to its end whatever the user asked (SIGTERM
    // at 120 s of a 964 s quarter was ignored). The path asks before it is set up (1), before
    // quarter 1 (2), then before each contagion round: the 3rd question is inside the quarter.
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/interbank-cascade.toml");
    let s = Scenario::load(&file, &FsSources).expect("bundled scenario");
    assert_eq!(s.run.quarters, 1);
    let model = sim::model::Model::new(&s).expect("model");
    for at in [1, 2, 3, 4] {
        let obs = StopAt {
            at,
            asked: Default::default(),
        };
        let r = model.simulate_path_with(0, &obs, None);
        assert!(matches!(r, Err(Error::Cancelled)), "stop at question {at}");
        assert_eq!(obs.asked.into_inner(), at, "no question after the stop");
    }
    // Never stopping gives the path itself, with its contagion rounds, each asked about.
    let obs = StopAt {
        at: usize::MAX,
        asked: Default::default(),
    };
    let r = model.simulate_path_with(0, &obs, None).expect("path");
    assert_eq!(r, model.simulate_path(0).expect("path"));
    let rounds = r.quarters[0].contagion_rounds as usize;
    assert!(rounds >= 1);
    // Questions: set-up, quarter 1, each round that changed something and the last that did not.
    assert_eq!(obs.asked.into_inner(), 2 + rounds + 1);
}
