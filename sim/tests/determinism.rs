//! MODEL.md §1: results are bit-identical for any thread count and any shard split, and two
//! scenarios on one seed share their draws.

mod common;

use common::*;
use sim::montecarlo::Shard;

#[test]
fn identical_results_for_any_worker_count_and_shard_split() {
    let s = bundled("herding-alarm.toml");
    let s = sim::scenario::Scenario {
        firms: sim::scenario::Firms {
            count: 3000,
            ..s.firms.clone()
        },
        ..s
    };
    let paths = 12;
    let reference = fingerprint(&run_with(&s, Some(paths), 1, Shard::WHOLE));
    for threads in [2, 4] {
        assert_eq!(
            reference,
            fingerprint(&run_with(&s, Some(paths), threads, Shard::WHOLE)),
            "{threads} threads"
        );
    }
    for count in [2u64, 3, 5] {
        let mut merged = Vec::new();
        for index in 0..count {
            merged.extend(run_with(&s, Some(paths), 2, Shard { index, count }));
        }
        assert_eq!(reference, fingerprint(&merged), "{count} shards");
    }
}

#[test]
fn a_path_depends_on_its_index_alone() {
    let s = Small::default().scenario();
    let all = run_all(&s, 6);
    let last = run_with(&s, Some(6), 1, Shard { index: 5, count: 6 });
    assert_eq!(fingerprint(&all[5..]), fingerprint(&last));
    assert_ne!(
        fingerprint(&all[..1]),
        fingerprint(&all[1..2]),
        "paths differ"
    );
}

#[test]
fn scenarios_on_one_seed_share_their_draws() {
    // B differs from A only in the banks' thresholds: rates and firms' needs are the same draws,
    // so the rate path is identical and quarter 1's credit demand too.
    let a = Small::default().scenario();
    let mut b = a.clone();
    for bank in &mut b.banks {
        bank.params.threshold += 0.5;
    }
    let (ra, rb) = (run_all(&a, 5), run_all(&b, 5));
    for (pa, pb) in ra.iter().zip(&rb) {
        for (qa, qb) in pa.quarters.iter().zip(&pb.quarters) {
            assert_eq!(qa.rate.to_bits(), qb.rate.to_bits());
        }
        assert_eq!(
            pa.quarters[0].demand.to_bits(),
            pb.quarters[0].demand.to_bits()
        );
        assert!(
            pb.quarters[0].supply < pa.quarters[0].supply,
            "stricter banks lend less"
        );
    }
}

#[test]
fn switching_a_lever_on_at_zero_strength_changes_nothing() {
    // Human review of a share 0 of rejections, and an alarm that never fires, draw nothing that
    // moves any other draw.
    let base = Small::default();
    let a = base.scenario();
    let with_levers = Small {
        extra: "[policy.human_review]\nshare = 0.0\n[policy.herding_alarm]\nthreshold = 1e6\nfacility_budget = 100.0".into(),
        ..Small::default()
    };
    let b = with_levers.scenario();
    assert!(b.policy.review.is_some() && b.policy.alarm.is_some());
    assert_eq!(fingerprint(&run_all(&a, 4)), fingerprint(&run_all(&b, 4)));
}

#[test]
fn adding_a_bank_keeps_the_firms_draws() {
    // Firm draws are keyed by firm index, not by the bank list: with one more bank in the
    // system, quarter 1 demand (firms needing credit) stays bit-identical.
    let a = Small::default().scenario();
    let b = Small {
        banks: 6,
        families: 5,
        ..Small::default()
    }
    .scenario();
    let (ra, rb) = (run_all(&a, 3), run_all(&b, 3));
    for (pa, pb) in ra.iter().zip(&rb) {
        assert_eq!(
            pa.quarters[0].demand.to_bits(),
            pb.quarters[0].demand.to_bits()
        );
        assert_eq!(pa.quarters[0].rate.to_bits(), pb.quarters[0].rate.to_bits());
    }
}

#[test]
fn contagion_runs_are_identical_for_any_worker_count_and_shard_split() {
    // Networks drawn per path, random bank failures, clearing rounds: all keyed draws.
    let s = bundled("interbank-cascade.toml");
    let reference = fingerprint(&run_with(&s, Some(6), 1, Shard::WHOLE));
    assert_eq!(
        reference,
        fingerprint(&run_with(&s, Some(6), 2, Shard::WHOLE))
    );
    let mut merged = Vec::new();
    for index in 0..3 {
        merged.extend(run_with(&s, Some(6), 2, Shard { index, count: 3 }));
    }
    assert_eq!(reference, fingerprint(&merged));
    // Fire sales and Rogers-Veraart on a reconstructed network, with shocks.
    let path = scenarios_dir().join("rate-shock.toml");
    let text = format!(
        "base = {:?}\n[firms]\ncount = 1500\n[contagion.interbank]\nclearing = \"rogers-veraart\"\nalpha = 0.6\nbeta = 0.9\n[contagion.fire_sales]\nlev_max = 15.0\nlev_target = 13.0\nassets = [{{ name = \"gov\", depth = 100000.0, share = 0.8 }}]\n[[shocks]]\nkind = \"bank-failure\"\nquarter = 3\nrandom = 2\nasset_loss = 0.3\n",
        path.display().to_string()
    );
    let s = sim::scenario::Scenario::from_toml_str(&text, "t.toml", &sim::scenario::FsSources)
        .expect("valid");
    let reference = fingerprint(&run_with(&s, Some(5), 1, Shard::WHOLE));
    assert_eq!(
        reference,
        fingerprint(&run_with(&s, Some(5), 4, Shard::WHOLE))
    );
    let mut merged = Vec::new();
    for index in 0..2 {
        merged.extend(run_with(&s, Some(5), 2, Shard { index, count: 2 }));
    }
    assert_eq!(reference, fingerprint(&merged));
}
