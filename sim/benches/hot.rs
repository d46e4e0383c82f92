//! Micro-benchmarks of the engine's hot code: keyed draws (one by one and in blocks), one quarter of credit decisions,
//! Eisenberg–Noe clearing on 1,000 banks and fire-sale rounds on 1,000 banks × 3 assets.
//!
//! `cargo bench -p herdlab-sim --bench hot` (whole scenarios: `cargo bench -p herdlab-benches`).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::DMatrix;
use sim::contagion::{clearing, firesale};
use sim::model::Model;
use sim::rng::{Key, Purpose};
use sim::scenario::{FsSources, RunSettings, Scenario};

fn draws(c: &mut Criterion) {
    let key = Key::new(1).path(0).purpose(Purpose::FirmShock).quarter(1);
    let n = 1000u64;
    let mut group = c.benchmark_group("draws");
    group.throughput(Throughput::Elements(n));
    group.bench_function("uniform", |b| {
        b.iter(|| {
            (0..n)
                .map(|i| key.entity(black_box(i)).uniform())
                .sum::<f64>()
        })
    });
    group.bench_function("normal", |b| {
        b.iter(|| {
            (0..n)
                .map(|i| key.entity(black_box(i)).normal())
                .sum::<f64>()
        })
    });
    // As the engine makes most normals: uniforms of a block of keys, then one pass of AS 241.
    let mut block = vec![0.0; n as usize];
    group.bench_function("normal-in-blocks", |b| {
        b.iter(|| {
            for (x, i) in block.iter_mut().zip(0..n) {
                *x = key.entity(black_box(i)).uniform();
            }
            sim::normal::inv_cdf_in_place(&mut block);
            block.iter().sum::<f64>()
        })
    });
    group.finish();
}

/// bench-standard with one quarter (and, for the credit decisions, its 100,000 firms).
fn one_quarter(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bench-standard.toml");
    let Ok(s) = Scenario::load(&file, &FsSources) else {
        eprintln!("cannot load {}", file.display());
        return;
    };
    let s = Scenario {
        run: RunSettings {
            quarters: 1,
            ..s.run.clone()
        },
        ..s
    };
    let Ok(model) = Model::new(&s) else {
        return;
    };
    let mut group = c.benchmark_group("credit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(s.firms.count as u64));
    group.bench_function("bench-standard-one-quarter", |b| {
        b.iter(|| {
            model
                .simulate_path(black_box(0))
                .map(|p| p.summary.credit_gap)
        })
    });
    group.finish();
}

/// A directed Erdős–Rényi exposure matrix on `n` banks with mean degree 5, each lender's 20
/// interbank assets in equal parts, as liabilities `L = X^T`, and external assets that leave
/// `defaults` banks short (external assets 0).
fn network(n: usize, defaults: usize) -> (DMatrix<f64>, Vec<f64>) {
    let key = Key::new(7).purpose(Purpose::Network);
    let p = 5.0 / (n - 1) as f64;
    let mut x = DMatrix::zeros(n, n);
    for i in 0..n {
        let links: Vec<usize> = (0..n)
            .filter(|&j| j != i && key.entity((i * n + j) as u64).uniform() < p)
            .collect();
        for &j in &links {
            x[(i, j)] = 20.0 / links.len() as f64;
        }
    }
    let external = (0..n)
        .map(|i| if i < defaults { 0.0 } else { 100.0 })
        .collect();
    (x.transpose(), external)
}

fn clearing_1000(c: &mut Criterion) {
    let mut group = c.benchmark_group("clearing");
    group.sample_size(10);
    for defaults in [10usize, 100] {
        let (l, e) = network(1000, defaults);
        group.bench_function(format!("eisenberg-noe-1000-banks-{defaults}-short"), |b| {
            b.iter(|| clearing::eisenberg_noe(&l, &e).map(|r| r.rounds))
        });
    }
    // A system-wide crisis: every bank's external assets cover half of what it owes, so most
    // banks default and the linear system is nearly the whole network.
    let (l, _) = network(1000, 0);
    let e: Vec<f64> = (0..1000).map(|i| 0.5 * l.row(i).sum()).collect();
    group.bench_function("eisenberg-noe-1000-banks-all-half-short", |b| {
        b.iter(|| clearing::eisenberg_noe(&l, &e).map(|r| r.rounds))
    });
    group.finish();
}

fn fire_sales_1000(c: &mut Criterion) {
    let (n, k) = (1000usize, 3usize);
    let key = Key::new(11);
    let holdings = DMatrix::from_fn(n, k, |i, a| {
        100.0 * key.entity((i * k + a) as u64).uniform()
    });
    let prices = vec![1.0; k];
    let depth = vec![20_000.0, 10_000.0, 5_000.0];
    // Equity 3-6% of assets: the thinner banks exceed leverage 20 and sell.
    let other: Vec<f64> = (0..n).map(|_| 500.0).collect();
    let equity: Vec<f64> = (0..n)
        .map(|i| {
            let assets = other[i] + (0..k).map(|a| holdings[(i, a)]).sum::<f64>();
            assets * (0.03 + 0.03 * key.entity(1_000_000 + i as u64).uniform())
        })
        .collect();
    let rule = firesale::LeverageRule {
        lev_max: 25.0,
        lev_target: 20.0,
    };
    let mut group = c.benchmark_group("fire-sales");
    group.sample_size(20);
    group.bench_function("1000-banks-3-assets", |b| {
        b.iter(|| {
            firesale::fire_sale(&holdings, &prices, &depth, &equity, &other, rule, 100)
                .map(|r| r.prices)
        })
    });
    group.finish();
}

criterion_group!(benches, draws, one_quarter, clearing_1000, fire_sales_1000);
criterion_main!(benches);
