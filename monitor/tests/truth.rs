//! The monitor on logs with known truth (tests/common): its systemic-rejection ratio and decision
//! agreement against the exact values of the generative model, the alarm on a shared model and not
//! on independent ones, CSV and Parquet alike, and follow mode equal to one pass.

mod common;

use common::{Model, mean_se, write_csv, write_parquet};
use monitor::{AlarmRule, Measure, Monitor, MonitorReport, Request, Settings, run};

const QUARTERS: u32 = 12;

fn model(own_weight: f64, seed: u64) -> Model {
    Model {
        families: &[],
        quarters: QUARTERS,
        firms: 8000,
        banks: 6,
        cw_share: 0.6,
        own_weight,
        seed,
    }
}

fn report_of(m: &Model, dir: &std::path::Path, name: &str) -> MonitorReport {
    let path = dir.join(name);
    write_csv(&m.rows(), &path);
    run(&Request {
        log: path,
        settings: Settings::default(),
    })
    .expect("monitor run")
}

/// Each quarter is an independent sample, so the mean over the 12 quarters has a standard error
/// estimated from their spread; the test allows 4 of them (with 11 degrees of freedom a false
/// failure has probability about 0.2%; the estimators' O(1/n) bias is far below one standard
/// error at ~4800 measured applicants a quarter).
fn assert_within_4_se(what: &str, xs: &[f64], truth: f64) {
    assert_eq!(xs.len(), QUARTERS as usize, "{what}: one value per quarter");
    let (m, se) = mean_se(xs);
    eprintln!("{what}: mean {m:.4}, se {se:.4}, truth {truth:.4}");
    assert!(
        (m - truth).abs() <= 4.0 * se,
        "{what}: mean {m:.4} over {} quarters, truth {truth:.4}, se {se:.4}",
        xs.len()
    );
}

fn series(r: &MonitorReport, f: fn(&monitor::QuarterMeasures) -> Option<f64>) -> Vec<f64> {
    r.quarters.iter().filter_map(f).collect()
}

#[test]
fn systemic_rejection_ratio_and_agreement_match_the_truth_for_shared_and_independent_models() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (w, seed) in [(1.0, 11), (0.3, 12)] {
        let m = model(w, seed);
        let r = report_of(&m, dir.path(), &format!("w{w}.csv"));
        assert!(r.creditworthy_known);
        assert_eq!(r.quarters.len(), QUARTERS as usize);
        let ratio = series(&r, |q| q.systemic_rejection_ratio);
        assert_within_4_se(&format!("ratio, w = {w}"), &ratio, m.true_ratio());
        let agree = series(&r, |q| q.decision_agreement);
        assert_within_4_se(&format!("agreement, w = {w}"), &agree, m.true_agreement());
        // The bootstrap interval (999 resamples, 95%) covers the truth in most quarters: 9 or
        // more of 12 (fewer has probability 0.2% at 95% coverage).
        let covered = r
            .quarters
            .iter()
            .filter(|q| {
                matches!((q.ratio_ci_low, q.ratio_ci_high),
                    (Some(lo), Some(hi)) if lo <= m.true_ratio() && m.true_ratio() <= hi)
            })
            .count();
        assert!(
            covered >= 9,
            "w = {w}: interval covers the truth in {covered} of 12 quarters"
        );
        // Regions: both present each quarter, with their own measures.
        assert_eq!(r.regions.len(), 2 * QUARTERS as usize);
        let north: Vec<f64> = r
            .regions
            .iter()
            .filter(|q| q.region.as_deref() == Some("north"))
            .filter_map(|q| q.systemic_rejection_ratio)
            .collect();
        assert_within_4_se(&format!("north ratio, w = {w}"), &north, m.true_ratio());
    }
    // The model's truth itself: 1 under independence, well above with a shared model.
    assert!((model(1.0, 0).true_ratio() - 1.0).abs() < 1e-12);
    assert!(model(0.3, 0).true_ratio() > 2.5);
    assert!(model(1.0, 0).true_agreement().abs() < 1e-12);
}

#[test]
fn the_alarm_fires_on_the_shared_model_and_not_on_independent_ones() {
    // Rule: systemic-rejection ratio above 2.0 for 2 consecutive quarters, response 1 quarter later.
    let rule = AlarmRule {
        measure: Measure::SystemicRejectionRatio,
        threshold: 2.0,
        persistence: 2,
        lag: 1,
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = Settings {
        alarm: Some(rule),
        ..Settings::default()
    };
    let mut reports = Vec::new();
    for (w, seed) in [(1.0, 21), (0.3, 22)] {
        let path = dir.path().join(format!("alarm{w}.csv"));
        // 3 000 applicants a quarter: the shared model's ratio (2.79) is then more than 3
        // standard errors above the threshold in each region and quarter, the independent
        // one's (1) more than 10 below.
        let m = Model {
            families: &[],
            firms: 3000,
            ..model(w, seed)
        };
        write_csv(&m.rows(), &path);
        reports.push(
            run(&Request {
                log: path,
                settings: settings.clone(),
            })
            .expect("monitor run"),
        );
    }
    let (indep, shared) = (&reports[0], &reports[1]);
    assert!(!indep.alarm_raised(), "independent: {:?}", indep.alarms);
    assert!(
        indep
            .quarters
            .iter()
            .all(|q| q.over_threshold == Some(false))
    );
    assert!(shared.alarm_raised());
    let first = &shared.alarms[0];
    assert_eq!(first.region, None);
    assert_eq!((first.first_quarter_over, first.raised_quarter), (1, 2));
    assert_eq!(first.response_quarter, 3);
    assert!(shared.quarters[1].alarm && !shared.quarters[0].alarm);
    // The regions' own series raise their own alarms too.
    assert!(
        shared
            .alarms
            .iter()
            .any(|a| a.region.as_deref() == Some("north"))
    );
}

#[test]
fn csv_and_parquet_give_identical_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = Model {
        families: &[],
        firms: 2000,
        ..model(0.3, 31)
    }
    .rows();
    let (csv, pq) = (dir.path().join("log.csv"), dir.path().join("log.parquet"));
    write_csv(&rows, &csv);
    write_parquet(&rows, &pq);
    let a = run(&Request {
        log: csv,
        settings: Settings::default(),
    })
    .expect("csv");
    let b = run(&Request {
        log: pq,
        settings: Settings::default(),
    })
    .expect("parquet");
    assert_eq!(a.format, monitor::LogFormat::Csv);
    assert_eq!(b.format, monitor::LogFormat::Parquet);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.quarters, b.quarters);
    assert_eq!(a.regions, b.regions);
    assert_eq!(a.alarms, b.alarms);
    // And a second run is bit-identical (keyed bootstrap).
    let c = run(&Request {
        log: dir.path().join("log.csv"),
        settings: Settings::default(),
    })
    .expect("csv again");
    assert_eq!(a, c);
}

#[test]
fn follow_mode_reads_only_what_was_appended_and_matches_one_pass() {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = Model {
        families: &[],
        quarters: 6,
        firms: 500,
        ..model(0.3, 41)
    };
    let whole = dir.path().join("whole.csv");
    write_csv(&m.rows(), &whole);
    let text = std::fs::read(&whole).expect("read");
    let one_pass = run(&Request {
        log: whole.clone(),
        settings: Settings::default(),
    })
    .expect("one pass");

    // Cut in the middle of a line of quarter 4.
    let q4 = text
        .windows(3)
        .position(|w| w == b"\n4,")
        .expect("quarter 4 starts");
    let cut = q4 + 40;
    let grown = dir.path().join("grown.csv");
    std::fs::write(&grown, &text[..cut]).expect("write part");
    let mut mon = Monitor::new(Settings::default()).expect("monitor");
    let read1 = mon.update(&grown).expect("first update");
    let r1 = mon.report();
    assert_eq!(
        r1.quarters.iter().map(|q| q.quarter).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(r1.pending_quarter, Some(4));
    // Nothing new: nothing read.
    assert_eq!(mon.update(&grown).expect("idle update"), 0);
    // The rest arrives, and the log ends.
    std::fs::write(&grown, &text).expect("write all");
    let read2 = mon.update(&grown).expect("second update");
    assert_eq!(read1 + read2, one_pass.rows);
    let end = mon.finish().expect("finish");
    assert_eq!(end.quarters, one_pass.quarters);
    assert_eq!(end.regions, one_pass.regions);
    assert_eq!(end.alarms, one_pass.alarms);
    // Another file is refused.
    assert!(matches!(
        Monitor::new(Settings::default()).and_then(|mut m| {
            m.update(&grown)?;
            m.update(&whole)
        }),
        Err(monitor::Error::OtherFile { .. })
    ));
}

#[test]
fn lsv_on_opposite_moves_by_region_has_its_hand_value() {
    // Four banks in two regions. Quarter 1: each approves 2 of 4 applicants in each region.
    // Quarter 2: every bank approves 3 of 4 in the north and 1 of 4 in the south: all loosen in
    // one market and all tighten in the other. p = 1/2; H = |1 - 1/2| - E|Bin(4, 1/2)/4 - 1/2|
    // = 1/2 - 3/16 = 5/16 in each market.
    let mut s = String::from("quarter,bank,applicant,approved,region\n");
    for (q, north, south) in [(1, 2, 2), (2, 3, 1)] {
        for b in 0..4 {
            for j in 0..4 {
                s += &format!("{q},b{b},n{j},{},north\n", u8::from(j < north));
                s += &format!("{q},b{b},s{j},{},south\n", u8::from(j < south));
            }
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("lsv.csv");
    std::fs::write(&path, s).expect("write");
    let r = run(&Request {
        log: path,
        settings: Settings::default(),
    })
    .expect("run");
    assert_eq!(r.quarters[0].lsv, None);
    assert_eq!(r.quarters[1].lsv_markets, 2);
    let h = r.quarters[1].lsv.expect("lsv defined");
    assert!((h - 5.0 / 16.0).abs() < 1e-15, "{h}");
    // Without a creditworthy column every applicant is measured; identical decisions of the four
    // banks on shared applicants, but fewer than min_shared (30) shared: no pair qualifies.
    assert_eq!(r.quarters[0].decision_agreement, None);
    assert_eq!(r.quarters[0].measured_applicants, 8);
    // Systemic rejection by hand in quarter 1: 4 of 8 applicants rejected by all 4 banks; every
    // bank rejects half, so the baseline is 1/16 and the ratio 8.
    assert_eq!(r.quarters[0].systemic_rejection, Some(0.5));
    assert_eq!(r.quarters[0].systemic_rejection_baseline, Some(1.0 / 16.0));
    assert_eq!(r.quarters[0].systemic_rejection_ratio, Some(8.0));
}

#[test]
fn follow_mode_on_a_rewritten_parquet_log_reads_only_the_new_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = Model {
        families: &[],
        quarters: 5,
        firms: 400,
        ..model(0.3, 51)
    }
    .rows();
    let whole = dir.path().join("whole.parquet");
    write_parquet(&rows, &whole);
    let one_pass = run(&Request {
        log: whole,
        settings: Settings::default(),
    })
    .expect("one pass");
    // The first three quarters and part of the fourth, then the whole log, rewritten by rename.
    let cut = rows.iter().position(|r| r.quarter == 4).expect("quarter 4") + 100;
    let grown = dir.path().join("grown.parquet");
    write_parquet(&rows[..cut], &grown);
    let mut mon = Monitor::new(Settings::default()).expect("monitor");
    assert_eq!(mon.update(&grown).expect("first"), cut as u64);
    assert_eq!(mon.report().pending_quarter, Some(4));
    assert_eq!(mon.update(&grown).expect("unchanged"), 0);
    let tmp = dir.path().join("grown.parquet.tmp");
    write_parquet(&rows, &tmp);
    std::fs::rename(&tmp, &grown).expect("rename");
    assert_eq!(
        mon.update(&grown).expect("second"),
        (rows.len() - cut) as u64
    );
    let end = mon.finish().expect("finish");
    assert_eq!(end.quarters, one_pass.quarters);
    assert_eq!(end.regions, one_pass.regions);
}

#[test]
fn the_shared_model_excess_finds_the_banks_that_share_a_family_and_alarms_on_them_only() {
    // Six banks whose families' errors have correlation 1 − w = 0.5. In the monoculture banks
    // 0, 1 and 2 use one family (3 of the 15 bank pairs, so 1/5 of the shared applicants: each
    // applicant asks distinct banks uniformly); in the twin every bank has its own.
    const MONO: &[usize] = &[0, 0, 0, 1, 2, 3];
    const DIVERSE: &[usize] = &[0, 1, 2, 3, 4, 5];
    let rule = AlarmRule {
        measure: Measure::SharedModelExcess,
        threshold: 0.05,
        persistence: 2,
        lag: 1,
    };
    let settings = Settings {
        alarm: Some(rule),
        ..Settings::default()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut reports = Vec::new();
    for (families, seed) in [(MONO, 31), (DIVERSE, 32)] {
        let m = Model {
            families,
            ..model(0.5, seed)
        };
        let path = dir.path().join(format!("families{seed}.csv"));
        write_csv(&m.rows(), &path);
        reports.push(
            run(&Request {
                log: path,
                settings: settings.clone(),
            })
            .expect("monitor run"),
        );
    }
    let (mono, diverse) = (&reports[0], &reports[1]);
    // Truth: banks of one family decide alike (correlation 1); banks of different families
    // correlate as two banks with error correlation 0.5, the generator's `true_agreement` at
    // w = 0.5; the excess is 1/5 × (1 − that).
    let cross = model(0.5, 0).true_agreement();
    let excess = (1.0 - cross) / 5.0;
    assert_within_4_se(
        "cross-family agreement, monoculture",
        &series(mono, |q| q.cross_family_agreement),
        cross,
    );
    assert_within_4_se(
        "cross-family agreement, diverse",
        &series(diverse, |q| q.cross_family_agreement),
        cross,
    );
    assert_within_4_se(
        "same-family share",
        &series(mono, |q| q.same_family_share),
        0.2,
    );
    assert_within_4_se(
        "shared-model excess, monoculture",
        &series(mono, |q| q.shared_model_excess),
        excess,
    );
    for q in &mono.quarters {
        let same = q.same_family_agreement.expect("same-family pairs");
        assert!((same - 1.0).abs() < 1e-12, "quarter {}: {same}", q.quarter);
    }
    // The diverse twin has no pair of one family: its excess is 0 exactly, never undefined.
    for q in diverse.quarters.iter().chain(&diverse.regions) {
        assert_eq!(q.same_family_agreement, None);
        assert_eq!(q.same_family_share, Some(0.0));
        assert_eq!(q.shared_model_excess, Some(0.0));
    }
    // The alarm (excess above 0.05 for 2 quarters) is raised on the monoculture in quarter 2, in
    // the whole log and in both regions, and never on the twin.
    assert!(!diverse.alarm_raised(), "{:?}", diverse.alarms);
    let raised: Vec<(Option<&str>, u32)> = mono
        .alarms
        .iter()
        .map(|a| (a.region.as_deref(), a.raised_quarter))
        .collect();
    assert_eq!(
        raised,
        [(None, 2), (Some("north"), 2), (Some("south"), 2)],
        "{:?}",
        mono.alarms
    );
    // A log without a family column has no family measures.
    let plain = report_of(&model(0.5, 33), dir.path(), "plain.csv");
    assert!(
        plain
            .quarters
            .iter()
            .all(|q| q.shared_model_excess.is_none()
                && q.same_family_share.is_none()
                && q.cross_family_agreement.is_none())
    );
}
