//! Degenerate but valid systems (issue 9): a region no bank lends in, a bank with no equity at
//! the start, and every bank failed. Each is named by `Scenario::warnings` before the run, and the
//! run handles it with finite results that mean what they say.

mod common;

use common::{parse, run_with};
use sim::montecarlo::Shard;
use sim::results::{PathResult, PathSummary, QuarterRecord};
use sim::scenario::Scenario;

const TWO_REGIONS: &str = r#"
version = 1
[run]
paths = 3
quarters = 4
probe_firms = 50
[firms]
count = 2000
[[regions]]
name = "north"
[[regions]]
name = "west"
[[models.families]]
name = "A"
[[banks]]
id = "B1"
equity = 10.0
sme_loans = 100.0
other_assets = 50.0
family = "A"
regions = { north = 1.0 }
[[banks]]
id = "B2"
equity = 6.0
sme_loans = 60.0
other_assets = 20.0
family = "A"
regions = { north = 1.0 }
"#;

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
        for r in &p.regions {
            assert!(r.credit_gap.is_finite() && r.supply.is_finite());
        }
    }
}

fn fields(s: &Scenario) -> Vec<String> {
    s.warnings().into_iter().map(|w| w.field).collect()
}

fn run(s: &Scenario) -> Vec<PathResult> {
    let paths = run_with(s, None, 2, Shard::WHOLE);
    all_finite(&paths);
    paths
}

#[test]
fn a_region_with_no_lender_is_named_and_its_whole_creditworthy_demand_is_the_gap() {
    let s = parse(TWO_REGIONS);
    let w = s.warnings();
    assert_eq!(fields(&s), ["regions[1]"]);
    assert!(w[0].message.contains("\"west\""), "{}", w[0]);
    let n = s.regions.len();
    let mut west_demand = 0.0;
    for p in run(&s) {
        for q in &p.quarters {
            let west = p.region(q.quarter as u32, 1, n).expect("west");
            assert_eq!(west.supply, 0.0);
            assert_eq!(west.credit_gap, west.creditworthy_demand);
            west_demand += west.creditworthy_demand;
            assert!(q.gap_no_capacity >= west.credit_gap - 1e-9 * west.credit_gap.abs());
            let north = p.region(q.quarter as u32, 0, n).expect("north");
            assert!(north.supply > 0.0, "the north is still served");
        }
    }
    assert!(west_demand > 0.0, "the west has firms asking for credit");
}

/// MODEL.md v2 §5.6: a bank fails when its equity falls below zero, so one that starts at exactly
/// zero is not failed at the start; it cannot lend, and fails at its first loss.
#[test]
fn a_bank_with_zero_equity_at_the_start_fails_only_below_zero_and_the_others_go_on() {
    let s = parse(&TWO_REGIONS.replace(
        "regions = { north = 1.0 }\n[[banks]]\nid = \"B2\"\nequity = 6.0",
        "regions = { north = 1.0, west = 1.0 }\n[[banks]]\nid = \"B2\"\nequity = 0.0",
    ));
    assert_eq!(fields(&s), ["banks[1].equity"]);
    assert!(s.warnings()[0].message.contains("\"B2\""));
    for p in run(&s) {
        let b2 = &p.banks[1];
        assert_eq!(
            b2.failed_quarter.is_some(),
            b2.final_equity < 0.0,
            "B2 fails exactly when its equity falls below zero: {b2:?}"
        );
        assert_eq!(p.banks[0].failed_quarter, None, "B1 is sound");
        for q in &p.quarters {
            assert!(q.supply > 0.0, "B1 lends");
            let failed = b2.failed_quarter.is_some_and(|t| t <= q.quarter as u32);
            assert_eq!(q.failed_banks, f64::from(u8::from(failed)));
        }
    }
}

#[test]
fn every_bank_without_equity_is_named_and_no_credit_is_supplied() {
    let s = parse(
        &TWO_REGIONS
            .replace("equity = 10.0", "equity = 0.0")
            .replace("equity = 6.0", "equity = 0.0"),
    );
    assert_eq!(
        fields(&s),
        [
            "banks[0].equity",
            "banks[1].equity",
            "banks",
            "regions[0]",
            "regions[1]"
        ]
    );
    for p in run(&s) {
        assert_eq!(p.summary.failed_bank_share, 1.0);
        // A bank without equity fails at its first loss (which quarter depends on the draws).
        let failed: Vec<f64> = p.quarters.iter().map(|q| q.failed_bank_share).collect();
        assert!(failed.windows(2).all(|w| w[0] <= w[1]), "{failed:?}");
        assert_eq!(failed.last(), Some(&1.0));
        for q in &p.quarters {
            assert_eq!(q.supply, 0.0);
            assert!(q.creditworthy_demand > 0.0);
            assert_eq!(q.credit_gap, q.creditworthy_demand);
            assert_eq!(q.credit_gap_share, 1.0);
        }
    }
}

#[test]
fn every_bank_failing_during_the_run_stops_lending_with_finite_results() {
    let s = parse(&format!(
        "{}\n[[shocks]]\nkind = \"bank-failure\"\nquarter = 2\nbanks = [\"B1\", \"B2\"]\n",
        TWO_REGIONS.replace(
            "regions = { north = 1.0 }",
            "regions = { north = 1.0, west = 1.0 }"
        )
    ));
    assert!(s.warnings().is_empty(), "{:?}", s.warnings());
    for p in run(&s) {
        assert!(p.quarters[0].supply > 0.0);
        assert_eq!(p.quarters[1].bank_failures, 2.0);
        for q in &p.quarters[1..] {
            assert_eq!(q.failed_bank_share, 1.0);
            assert_eq!(q.failed_asset_share, 1.0);
        }
        for q in &p.quarters[2..] {
            assert_eq!(q.supply, 0.0, "no bank is left to lend");
            assert_eq!(q.credit_gap, q.creditworthy_demand);
        }
        assert_eq!(p.summary.systemic_event, 1.0);
        assert!(p.banks.iter().all(|b| b.failed_quarter == Some(2)));
    }
}
