//! The engine's own decision log (MODEL.md §10) and cancellation inside a path.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use sim::error::Error;
use sim::model::{Decision, Model};
use sim::montecarlo::{Observer, RunOptions, Silent, run};

#[test]
fn a_logged_path_is_the_same_path() {
    let s = with_firms("herding-alarm.toml", 3000);
    let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    for p in 0..2 {
        let plain = model.simulate_path(p).unwrap_or_else(|e| panic!("{e}"));
        let mut log: Vec<Decision> = Vec::new();
        let logged = model
            .simulate_path_with(p, &Silent, Some(&mut log))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{plain:?}"), format!("{logged:?}"));
        assert!(!log.is_empty());
    }
}

#[test]
fn the_log_gives_the_engines_systemic_rejection_exactly() {
    // The log holds every decision of every bank of a firm's order (also those after the one
    // that funded it), after human review, so among creditworthy applicants the share rejected by
    // every bank is the engine's in-model systemic rejection, count for count.
    let mut s = with_firms("regional-monoculture.toml", 4000);
    s.policy.review = Some(sim::scenario::Review {
        share: 0.3,
        error_scale: 0.5,
    });
    let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    let mut log: Vec<Decision> = Vec::new();
    let path = model
        .simulate_path_with(0, &Silent, Some(&mut log))
        .unwrap_or_else(|e| panic!("{e}"));
    for (t, rec) in path.quarters.iter().enumerate() {
        let quarter = t as u32 + 1;
        // firm -> (creditworthy, any approval)
        let mut firms: BTreeMap<u32, (bool, bool)> = BTreeMap::new();
        let mut pairs = std::collections::BTreeSet::new();
        for d in log.iter().filter(|d| d.quarter == quarter) {
            assert!(
                pairs.insert((d.bank, d.firm)),
                "a bank decided twice on a firm"
            );
            assert_eq!(s.banks[d.bank as usize].family, d.family as usize);
            let e = firms.entry(d.firm).or_insert((d.creditworthy, false));
            assert_eq!(e.0, d.creditworthy);
            e.1 |= d.approved;
        }
        let worthy: Vec<bool> = firms.values().filter(|v| v.0).map(|v| !v.1).collect();
        let rejected_by_all = worthy.iter().filter(|&&x| x).count() as f64;
        let share = if worthy.is_empty() {
            0.0
        } else {
            rejected_by_all / worthy.len() as f64
        };
        assert_eq!(share, rec.systemic_rejection, "quarter {quarter}");
        assert!(firms.len() as f64 <= rec.applicants);
    }
}

#[test]
fn the_log_holds_every_bank_of_each_order_with_the_funding_one_marked() {
    // A parallel-application log (MODEL.md §10): each firm's decisions are positions 1..n of its
    // order, at most one funded (an approval), and the banks after it are there too.
    let s = with_firms("regional-monoculture.toml", 3000);
    let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    let mut log: Vec<Decision> = Vec::new();
    model
        .simulate_path_with(1, &Silent, Some(&mut log))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut orders: BTreeMap<(u32, u32), Vec<&Decision>> = BTreeMap::new();
    for d in &log {
        orders.entry((d.quarter, d.firm)).or_default().push(d);
    }
    let mut after_funding = 0;
    for ((t, j), ds) in &orders {
        let positions: Vec<u32> = ds.iter().map(|d| d.position).collect();
        let want: Vec<u32> = (1..=ds.len() as u32).collect();
        assert_eq!(positions, want, "quarter {t}, firm {j}");
        assert!(ds.len() <= s.banking.max_applications);
        let funded: Vec<&&Decision> = ds.iter().filter(|d| d.funded).collect();
        assert!(funded.len() <= 1);
        if let Some(f) = funded.first() {
            assert!(f.approved);
            assert!(ds[..f.position as usize - 1].iter().all(|d| !d.funded));
            after_funding += ds.len() - f.position as usize;
        }
    }
    assert!(
        after_funding > 0,
        "no decision after a funding one was logged"
    );
}

/// Stops after `budget` questions.
struct StopAfter {
    asked: AtomicU64,
    budget: u64,
}

impl Observer for StopAfter {
    fn should_stop(&self) -> bool {
        self.asked.fetch_add(1, Ordering::Relaxed) >= self.budget
    }
}

#[test]
fn a_path_stops_between_quarters_when_asked() {
    let s = with_firms("baseline.toml", 2000);
    let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    let stop = StopAfter {
        asked: AtomicU64::new(0),
        budget: 5,
    };
    let r = model.simulate_path_with(0, &stop, None);
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    // Asked before quarters 1 to 6, stopped before the sixth.
    assert_eq!(stop.asked.load(Ordering::Relaxed), 6);
}

#[test]
fn a_run_of_one_long_path_is_cancelled_inside_the_path() {
    // One path only: before, a run asked its observer only between paths, so a single long path
    // (100,000 banks, say) ran to its end whatever the user pressed.
    let s = with_firms("baseline.toml", 2000);
    let stop = StopAfter {
        asked: AtomicU64::new(0),
        budget: 3,
    };
    let opts = RunOptions {
        paths: Some(1),
        threads: Some(1),
        ..RunOptions::default()
    };
    let r = run(&s, &opts, &stop);
    assert!(
        matches!(r, Err(Error::Cancelled)),
        "{:?}",
        r.map(|o| o.paths.len())
    );
}

#[test]
fn the_per_bank_detail_counts_what_the_log_shows() {
    // Per bank and quarter, the detail's applications, approvals and new lending are the log's
    // decisions up to each firm's funding one (the sequential log), count for count and, since
    // both add the amounts in firm order, bit for bit; its SME books add up to the quarter's
    // lending by banks.
    let mut s = with_firms("regional-monoculture.toml", 4000);
    s.policy.review = Some(sim::scenario::Review {
        share: 0.3,
        error_scale: 0.5,
    });
    s.run.bank_detail = true;
    let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    let nb = s.banks.len();
    let mut log: Vec<Decision> = Vec::new();
    let path = model
        .simulate_path_with(0, &Silent, Some(&mut log))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(path.bank_quarters.len(), nb * path.quarters.len());
    let mut seen_rejections = 0;
    for (t, rec) in path.quarters.iter().enumerate() {
        let quarter = t as u32 + 1;
        let mut apps = vec![0u64; nb];
        let mut approvals = vec![0u64; nb];
        let mut lent = vec![0.0f64; nb];
        let mut done: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
        for d in log.iter().filter(|d| d.quarter == quarter) {
            if done.contains(&d.firm) {
                continue; // decided after the funding bank: for the log only
            }
            let b = d.bank as usize;
            apps[b] += 1;
            approvals[b] += u64::from(d.approved);
            if d.funded {
                lent[b] += d.amount;
                done.insert(d.firm);
            }
        }
        let detail = &path.bank_quarters[t * nb..(t + 1) * nb];
        for (b, q) in detail.iter().enumerate() {
            assert_eq!(q.applications, apps[b], "quarter {quarter}, bank {b}");
            assert_eq!(q.approvals, approvals[b], "quarter {quarter}, bank {b}");
            assert_eq!(
                q.new_lending.to_bits(),
                lent[b].to_bits(),
                "quarter {quarter}, bank {b}"
            );
            assert!(q.loans >= 0.0);
            seen_rejections += q.applications - q.approvals;
        }
        let supply: f64 = detail.iter().map(|q| q.new_lending).sum();
        assert!(
            (supply - rec.supply).abs() <= 1e-9 * rec.supply.max(1.0),
            "quarter {quarter}: {supply} vs {}",
            rec.supply
        );
    }
    assert!(seen_rejections > 0, "the case rejects someone");
}
