//! The Gai & Kapadia (2010) contagion experiment: the engine's `interbank-cascade` scenario swept
//! over mean degree z = 1..10 against a plain simulation written from the paper
//! (`gai_kapadia_plain`), and the paper's two qualitative landmarks.
//!
//! The full-size comparison (300 engine paths per degree) is the gallery command's
//! (`docs/validation.md`); this test runs a smaller sweep that fits CI's budget and applies the
//! same statistics.

mod common;
mod gai_kapadia_plain;

use common::*;
use gai_kapadia_plain::{self as gk, Curves};
use sim::scenario::{Network, Scenario};

/// Engine paths per degree in CI (the gallery runs 300).
const ENGINE_RUNS: u64 = 40;
/// Plain-simulation draws per degree.
const PLAIN_RUNS: usize = 300;

/// The bundled experiment at mean degree `z`.
fn at_degree(z: f64) -> Scenario {
    let mut s = bundled("interbank-cascade.toml");
    let ib = s.contagion.interbank.as_mut().expect("interbank channel");
    match &mut ib.network {
        Network::ErdosRenyi { mean_degree, .. } => *mean_degree = z,
        other => panic!("interbank-cascade is not Erdős–Rényi: {other:?}"),
    }
    s
}

fn engine_curves(z: f64, runs: u64) -> Curves {
    let shares: Vec<f64> = run_all(&at_degree(z), runs)
        .iter()
        .map(|p| p.summary.failed_bank_share)
        .collect();
    Curves::from_shares(&shares)
}

#[test]
fn the_bundled_scenario_is_the_papers_set_up() {
    let s = bundled("interbank-cascade.toml");
    assert_eq!(s.banks.len(), 1000);
    for b in &s.banks {
        let assets = b.assets();
        assert!((b.interbank_assets - 0.2 * assets).abs() < 1e-12 * assets);
        assert!((b.equity - 0.04 * assets).abs() < 1e-12 * assets);
    }
    let ib = s.contagion.interbank.as_ref().expect("interbank channel");
    assert!(!ib.repair, "the network is used as drawn");
    assert!(ib.resample_per_path);
    let text = format!("{:?}", ib.clearing);
    assert!(
        text.contains("Furfine") && text.contains("lgd: 1.0"),
        "{text}"
    );
    assert!(matches!(ib.network, Network::ErdosRenyi { .. }));
}

/// The plain simulation itself against the paper's arithmetic: with z = 0 nobody but the first
/// bank fails; on a large dense network (z = 30, every bank has about 30 borrowers, needs more
/// than 6 to fail) one failure spreads nowhere.
#[test]
fn the_plain_simulation_follows_the_papers_rule() {
    let mut rng = gk::SplitMix64::new(1);
    for _ in 0..20 {
        assert_eq!(gk::failures(200, 0.0, &mut rng), 1);
        assert!(gk::failures(200, 30.0, &mut rng) < 5);
    }
}

/// The plain generator's links: at z = 4 on 500 banks, 40 draws give 40 x 500 x 4 = 80,000
/// links in expectation; the count is binomial with sd ~ 283, so within 5 sd of 80,000.
#[test]
fn the_plain_generator_draws_the_mean_degree() {
    let mut rng = gk::SplitMix64::new(9);
    let (n, z) = (500usize, 4.0);
    let links: usize = (0..40).map(|_| gk::links(n, z, &mut rng)).sum();
    assert!((links as f64 - 80_000.0).abs() < 5.0 * 283.0, "{links}");
}

/// The engine's sweep against the plain simulation, degree by degree: the probability of
/// contagion by a pooled two-proportion test and the mean extent given contagion by a
/// two-sample z test (where both sides saw at least 5 contagions), each held to |z| < 4 — a
/// false alarm of about 6e-5 per comparison, 1e-3 over the 20 — and the paper's landmarks:
/// contagion is rare at z = 1 (P < 0.15) and at z = 8 (P < 0.02), likely at z = 3 (P > 0.5;
/// about 0.78, 4 standard errors above 0.5 at 40 paths), and near-total when it happens inside
/// the window (mean extent above 0.9 for z = 3..6).
#[test]
fn the_engine_reproduces_the_gai_kapadia_curves() {
    let mut report = String::new();
    for z in 1..=10 {
        let z = f64::from(z);
        let engine = engine_curves(z, ENGINE_RUNS);
        let plain = gk::simulate(1000, z, PLAIN_RUNS, 2010);
        let zp = gk::two_proportion_z(&engine, &plain);
        let ze = gk::extent_z(&engine, &plain, 5);
        report.push_str(&format!(
            "z = {z}: engine P = {:.3} ({}/{}), plain P = {:.3} ({}/{}), z-stat {zp:.2}; extent engine {:.3}, plain {:.3}, z-stat {ze:?}\n",
            engine.probability(),
            engine.contagions,
            engine.runs,
            plain.probability(),
            plain.contagions,
            plain.runs,
            engine.extent().0,
            plain.extent().0,
        ));
        assert!(
            zp.abs() < 4.0,
            "probability of contagion differs:\n{report}"
        );
        if let Some(ze) = ze {
            assert!(ze.abs() < 4.0, "extent of contagion differs:\n{report}");
        }
        if z == 1.0 {
            assert!(engine.probability() < 0.15, "{report}");
        }
        if z == 8.0 {
            assert!(engine.probability() < 0.02, "{report}");
        }
        if z == 3.0 {
            assert!(engine.probability() > 0.5, "{report}");
        }
        if (3.0..=6.0).contains(&z) {
            assert!(engine.extent().0 > 0.9, "{report}");
        }
    }
    eprintln!("{report}");
}
