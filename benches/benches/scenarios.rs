//! Whole-scenario benchmarks: a few paths of each yardstick scenario, reported per path and per
//! firm-quarter. Speed targets live here and in `docs/performance.md`, never in unit tests.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use herdlab_benches::bundled;
use sim::montecarlo::{RunOptions, Silent, run};

fn whole_scenarios(c: &mut Criterion) {
    for (name, paths) in [
        ("bench-standard.toml", 4u64),
        ("eu-banks-2018.toml", 4),
        ("interbank-cascade.toml", 8),
    ] {
        let Ok(s) = bundled(name) else {
            eprintln!("cannot load {name}");
            continue;
        };
        let firm_quarters = s.firms.count as u64 * u64::from(s.run.quarters);
        let mut group = c.benchmark_group(name.trim_end_matches(".toml"));
        group.sample_size(10);
        for threads in [1usize, 2] {
            let opts = RunOptions {
                paths: Some(paths),
                threads: Some(threads),
                ..Default::default()
            };
            group.throughput(Throughput::Elements(paths.max(1) * firm_quarters.max(1)));
            group.bench_function(format!("{paths}-paths-{threads}-threads"), |b| {
                b.iter(|| black_box(run(&s, &opts, &Silent).map(|o| o.paths.len())))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, whole_scenarios);
criterion_main!(benches);
