//! Small real runs of the engine, shared by the tests and the gallery example.
#![allow(dead_code, missing_docs)]

use std::path::Path;
use std::sync::OnceLock;

use sim::aggregate::{Aggregates, Comparison};
use sim::montecarlo::{RunOptions, Silent};
use sim::results::PathResult;
use sim::scenario::{FsSources, Scenario};

pub const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");

/// One run: the scenario, its paths and their aggregates.
pub struct Run {
    pub scenario: Scenario,
    pub paths: Vec<PathResult>,
    pub aggregates: Aggregates,
}

/// Loads a bundled scenario, shrinks it (firms, paths) and runs it.
pub fn run(file: &str, firms: Option<usize>, paths: u64) -> Run {
    let mut scenario = Scenario::load(&Path::new(SCENARIOS).join(file), &FsSources)
        .expect("bundled scenario loads");
    if let Some(f) = firms {
        scenario.firms.count = f;
    }
    let out = sim::montecarlo::run(
        &scenario,
        &RunOptions {
            paths: Some(paths),
            ..Default::default()
        },
        &Silent,
    )
    .expect("run succeeds");
    let aggregates = sim::aggregate::aggregate(&scenario, &out.paths);
    Run {
        scenario,
        paths: out.paths,
        aggregates,
    }
}

/// Regional monoculture (three regions, a rate shock), 2,000 firms, 40 paths.
pub fn monoculture() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run("regional-monoculture.toml", Some(2000), 40))
}

/// Its twin with diverse models, same paths.
pub fn diverse() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run("regional-monoculture-diverse.toml", Some(2000), 40))
}

/// The diverse twin against the monoculture.
pub fn comparison() -> &'static Comparison {
    static CMP: OnceLock<Comparison> = OnceLock::new();
    CMP.get_or_init(|| {
        let (a, b) = (monoculture(), diverse());
        sim::aggregate::compare(&a.scenario, &a.paths, &b.scenario, &b.paths).expect("paired")
    })
}

/// The interbank cascade (1,000 banks, firms off), 12 paths.
pub fn cascade() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| run("interbank-cascade.toml", None, 12))
}

/// A 3 × 3 sweep of the monoculture scenario over model similarity and the size of the rate step
/// in quarter 2 (1,000 firms, 8 paths per point): mean credit gap share (%) with 95% intervals.
pub fn sweep() -> &'static reports::charts::SweepGrid {
    static GRID: OnceLock<reports::charts::SweepGrid> = OnceLock::new();
    GRID.get_or_init(|| {
        let base = Scenario::load(
            &Path::new(SCENARIOS).join("regional-monoculture.toml"),
            &FsSources,
        )
        .expect("loads");
        let xs = vec![0.0, 0.35, 0.7];
        let ys = vec![0.0, 1.5, 3.0];
        let (mut mean, mut low, mut high) = (Vec::new(), Vec::new(), Vec::new());
        for &size in &ys {
            let (mut m, mut l, mut h) = (Vec::new(), Vec::new(), Vec::new());
            for &sim_x in &xs {
                let mut s = base.clone();
                s.firms.count = 1000;
                s.models.similarity = sim_x;
                s.rates.shock = sim::scenario::Shock::Step { size, at: 2 };
                let out = sim::montecarlo::run(
                    &s,
                    &RunOptions {
                        paths: Some(8),
                        ..Default::default()
                    },
                    &Silent,
                )
                .expect("runs");
                let agg = sim::aggregate::aggregate(&s, &out.paths);
                let g = &agg.measure("credit_gap_share").expect("measure").summary;
                m.push(g.mean * 100.0);
                l.push((g.mean - 1.96 * g.std_error) * 100.0);
                h.push((g.mean + 1.96 * g.std_error) * 100.0);
            }
            mean.push(m);
            low.push(l);
            high.push(h);
        }
        reports::charts::SweepGrid {
            title: "Credit gap share over model similarity and rate shock — regional-monoculture"
                .into(),
            subtitle: Some("Mean over 8 paths per point (1,000 firms)".into()),
            note: None,
            x_param: "models.similarity".into(),
            x_values: xs,
            y_param: "rate step in quarter 2 (percentage points)".into(),
            y_values: ys,
            measure: "Credit gap share, mean (%)".into(),
            values: mean,
            low: Some(low),
            high: Some(high),
        }
    })
}

/// Sweep lines: one line per minimum CAR over similarity, with the 95% intervals as bands.
pub fn sweep_lines() -> reports::charts::SweepLines {
    let g = sweep();
    let lo = g.low.as_ref().expect("bands");
    let hi = g.high.as_ref().expect("bands");
    reports::charts::SweepLines {
        title: "Credit gap share over model similarity — regional-monoculture".into(),
        subtitle: Some("Mean over 8 paths per point (1,000 firms)".into()),
        note: None,
        param: g.x_param.clone(),
        values: g.x_values.clone(),
        y_label: "Credit gap share, mean (%)".into(),
        band_label: "95% confidence interval".into(),
        series: g
            .y_values
            .iter()
            .enumerate()
            .map(|(i, y)| reports::charts::SweepSeries {
                name: format!("rate step {y} pp"),
                mean: g.values[i].clone(),
                low: Some(lo[i].clone()),
                high: Some(hi[i].clone()),
            })
            .collect(),
    }
}

/// The monoculture scenario's interbank network, reconstructed by RAS (maximum entropy).
pub fn monoculture_network() -> reports::charts::NetworkChart {
    let m = monoculture();
    let assets: Vec<f64> = m
        .scenario
        .banks
        .iter()
        .map(|b| b.interbank_assets)
        .collect();
    let liab: Vec<f64> = m
        .scenario
        .banks
        .iter()
        .map(|b| b.interbank_liabilities)
        .collect();
    let r = sim::contagion::network::ras(&assets, &liab, None, 1e-9, 10_000).expect("ras");
    let labels = reports::charts::Labels::from_scenario(&m.scenario);
    reports::charts::network_from(
        &m.scenario,
        &r.exposures,
        &reports::charts::failure_probabilities(&m.aggregates),
        &labels,
    )
    .expect("network")
}

/// The cascade scenario's network (first draw) with its failure probabilities.
pub fn cascade_network() -> reports::charts::NetworkChart {
    let c = cascade();
    let ib = c
        .scenario
        .contagion
        .interbank
        .as_ref()
        .expect("interbank on");
    let x =
        sim::model::network::exposures(&c.scenario, ib, sim::rng::Key::new(c.scenario.run.seed))
            .expect("exposures");
    let labels = reports::charts::Labels::from_scenario(&c.scenario);
    reports::charts::network_from(
        &c.scenario,
        &x,
        &reports::charts::failure_probabilities(&c.aggregates),
        &labels,
    )
    .expect("network")
}
