//! The throughput report: how fast the engine runs a scenario, against how fast this machine makes
//! the random draws the work needs, from one run on this machine.
//!
//! ```text
//! cargo run --release -p herdlab-benches --bin throughput -- [--paths N] [--scenario FILE] [--repeat R]
//! cargo run --release -p herdlab-benches --bin throughput -- --big [--firms N] [--banks N] [--quarters N]
//! ```
//!
//! The first form runs the scenario (default `bench-standard.toml`, 100 paths) on one thread and
//! on all threads and prints paths per second, firm-quarters per second per core, the ceiling
//! (firm-quarters per second per core if a firm-quarter cost nothing but its keyed draws, timed
//! in the same run with the engine's own `sim::rng::Key`), the ratio of the two, the speed-up
//! from one to all threads, and peak memory against the engine's own estimate. With
//! `--repeat R` it times the draws and both runs R times, one after the other, and keeps the best
//! of each, so that on a host whose speed drifts both sides of the ratio come from its fast
//! stretches.
//!
//! `--big` builds a scenario in code (default 10,000,000 firms and 1,000 banks on an interbank
//! network with Eisenberg–Noe clearing and fire sales, 2 quarters), runs one path on one thread
//! and reports its time and peak memory. Run it in its own process: peak memory is the process's.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use herdlab_benches::bundled;
use sim::model::Model;
use sim::montecarlo::{RunOptions, Silent, run};
use sim::rng::{Key, Purpose};
use sim::scenario::{MapSources, Scenario};

struct Args {
    paths: u64,
    scenario: String,
    repeat: usize,
    big: bool,
    firms: usize,
    banks: usize,
    quarters: u32,
}

fn parse_args() -> Result<Args> {
    let mut a = Args {
        paths: 100,
        scenario: "bench-standard.toml".into(),
        repeat: 1,
        big: false,
        firms: 10_000_000,
        banks: 1000,
        quarters: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
        match flag.as_str() {
            "--paths" => a.paths = value("--paths")?.parse().context("--paths")?,
            "--scenario" => a.scenario = value("--scenario")?,
            "--repeat" => a.repeat = value("--repeat")?.parse().context("--repeat")?,
            "--big" => a.big = true,
            "--firms" => a.firms = value("--firms")?.parse().context("--firms")?,
            "--banks" => a.banks = value("--banks")?.parse().context("--banks")?,
            "--quarters" => a.quarters = value("--quarters")?.parse().context("--quarters")?,
            "-h" | "--help" => {
                println!(
                    "throughput [--paths N] [--scenario FILE] [--repeat R]\n\
                     throughput --big [--firms N] [--banks N] [--quarters N]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    if a.paths == 0 || a.repeat == 0 {
        bail!("--paths and --repeat must be at least 1");
    }
    Ok(a)
}

/// A field of `/proc/self/status` in bytes (`VmHWM`: peak resident memory, `VmRSS`: now).
fn proc_status_bytes(field: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Nanoseconds per draw of `draw(key.entity(i))`, best of three batches of `n`.
fn time_draws(n: u64, draw: fn(Key) -> f64) -> f64 {
    let key = Key::new(1).path(0).purpose(Purpose::FirmShock).quarter(1);
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let mut acc = 0.0;
        for i in 0..n {
            acc += draw(key.entity(black_box(i)));
        }
        black_box(acc);
        best = best.min(start.elapsed());
    }
    best.as_secs_f64() * 1e9 / n as f64
}

/// Nanoseconds per normal draw made as the engine makes most of them: the uniforms of a block of
/// 256 keys, then `normal::inv_cdf_in_place` on the block; best of three batches of `n`.
fn time_normals_batched(n: u64) -> f64 {
    let key = Key::new(1).path(0).purpose(Purpose::FirmShock).quarter(1);
    let mut block = vec![0.0; 256];
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let mut acc = 0.0;
        for first in (0..n).step_by(block.len()) {
            for (x, i) in block.iter_mut().zip(first..) {
                *x = key.entity(black_box(i)).uniform();
            }
            sim::normal::inv_cdf_in_place(&mut block);
            acc += block.iter().sum::<f64>();
        }
        black_box(acc);
        best = best.min(start.elapsed());
    }
    best.as_secs_f64() * 1e9 / n as f64
}

/// Nanoseconds per uniform and per normal of the fastest well-kept generator at hand:
/// `rand_xoshiro`'s Xoshiro256++ (one 64-bit state step per uniform) and `rand_distr`'s ziggurat
/// `StandardNormal`; best of three batches of `n` each. The honest ceiling (issue 21): what a
/// firm-quarter's draws would cost with a sequential generator, not with the engine's keyed ones.
fn time_xoshiro(n: u64) -> (f64, f64) {
    use rand::{RngExt, SeedableRng};
    use rand_distr::{Distribution, StandardNormal};
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(black_box(7));
    let (mut best_u, mut best_n) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let start = Instant::now();
        let mut acc = 0.0;
        for _ in 0..n {
            acc += rng.random::<f64>();
        }
        black_box(acc);
        best_u = best_u.min(start.elapsed());
        let start = Instant::now();
        let mut acc = 0.0;
        for _ in 0..n {
            let z: f64 = StandardNormal.sample(&mut rng);
            acc += z;
        }
        black_box(acc);
        best_n = best_n.min(start.elapsed());
    }
    (
        best_u.as_secs_f64() * 1e9 / n as f64,
        best_n.as_secs_f64() * 1e9 / n as f64,
    )
}

/// The time of one run of `paths` paths on `threads` threads, in seconds.
fn time_run(s: &Scenario, paths: u64, threads: usize) -> Result<f64> {
    let opts = RunOptions {
        paths: Some(paths),
        threads: Some(threads),
        ..Default::default()
    };
    let start = Instant::now();
    let out = run(s, &opts, &Silent)?;
    black_box(out.paths.len());
    Ok(start.elapsed().as_secs_f64())
}

fn report(a: &Args) -> Result<()> {
    let s = bundled(&a.scenario).with_context(|| format!("loading {}", a.scenario))?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let fq_per_path = (s.firms.count as u64 * u64::from(s.run.quarters)).max(1) as f64;
    println!(
        "scenario {} : {} firms, {} banks, {} quarters; {} paths; {threads} cores",
        a.scenario,
        s.firms.count,
        s.banks.len(),
        s.run.quarters,
        a.paths
    );

    // The draws a firm-quarter needs, counted on the first paths (init draws amortised).
    let model = Model::new(&s)?;
    let count_paths = a.paths.min(4);
    let (mut uniforms, mut normals) = (0u64, 0u64);
    for p in 0..count_paths {
        let (_, d) = model.simulate_path_counted(p)?;
        uniforms += d.uniforms;
        normals += d.normals;
    }
    let u_fq = uniforms as f64 / (count_paths as f64 * fq_per_path);
    let n_fq = normals as f64 / (count_paths as f64 * fq_per_path);
    println!(
        "draws per firm-quarter : {u_fq:.3} uniforms + {n_fq:.3} normals (counted on {count_paths} paths)"
    );

    // Each repetition times the draws, then the runs, so that on a host whose speed drifts the
    // best draw costs and the best runs come from the same stretches of time.
    let rss_before = proc_status_bytes("VmRSS").unwrap_or(0);
    let single_paths = (a.paths / threads as u64).max(1);
    let (mut ns_u, mut ns_n_one, mut ns_n_block) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
    let (mut xo_u, mut xo_n) = (f64::INFINITY, f64::INFINITY);
    let (mut t1, mut tn) = (f64::INFINITY, f64::INFINITY);
    let (mut hwm1, mut hwmn) = (0, 0);
    for r in 0..a.repeat {
        ns_u = ns_u.min(time_draws(20_000_000, Key::uniform));
        ns_n_one = ns_n_one.min(time_draws(20_000_000, Key::normal));
        ns_n_block = ns_n_block.min(time_normals_batched(20_000_000));
        let (u, n) = time_xoshiro(20_000_000);
        xo_u = xo_u.min(u);
        xo_n = xo_n.min(n);
        t1 = t1.min(time_run(&s, single_paths, 1)?);
        if r == 0 {
            hwm1 = proc_status_bytes("VmHWM").unwrap_or(0);
        }
        tn = tn.min(time_run(&s, a.paths, threads)?);
        if r == 0 {
            hwmn = proc_status_bytes("VmHWM").unwrap_or(0);
        }
    }
    // The ceiling takes the cheaper way of making a normal: the machine's limit, not the engine's.
    let ns_n = ns_n_one.min(ns_n_block);
    let ceiling = 1e9 / (u_fq * ns_u + n_fq * ns_n);
    let honest = 1e9 / (u_fq * xo_u + n_fq * xo_n);
    println!(
        "draw cost              : uniform {ns_u:.2} ns, normal {ns_n_one:.2} ns one by one, {ns_n_block:.2} ns in blocks of 256"
    );
    println!(
        "xoshiro256++/ziggurat  : uniform {xo_u:.2} ns, normal {xo_n:.2} ns (rand_xoshiro, rand_distr)"
    );

    let rate1 = single_paths as f64 / t1;
    let raten = a.paths as f64 / tn;
    let fq_core1 = rate1 * fq_per_path;
    let fq_coren = raten * fq_per_path / threads as f64;
    let speedup = raten / rate1;
    println!();
    println!("1 thread    : {single_paths} paths in {t1:.3} s = {rate1:.2} paths/s");
    println!(
        "{threads} threads   : {} paths in {tn:.3} s = {raten:.2} paths/s",
        a.paths
    );
    println!(
        "firm-quarters/s/core   : {:.3e} (1 thread), {:.3e} ({threads} threads)",
        fq_core1, fq_coren
    );
    println!(
        "ceiling (draws only)   : {ceiling:.3e} firm-quarters/s/core (the engine's keyed draws)"
    );
    println!(
        "ratio to ceiling       : {:.1}% (1 thread), {:.1}% ({threads} threads)",
        100.0 * fq_core1 / ceiling,
        100.0 * fq_coren / ceiling
    );
    println!(
        "honest ceiling         : {honest:.3e} firm-quarters/s/core (the same draws from xoshiro256++ and the ziggurat)"
    );
    println!(
        "ratio to honest ceiling: {:.1}% (1 thread), {:.1}% ({threads} threads)",
        100.0 * fq_core1 / honest,
        100.0 * fq_coren / honest
    );
    println!(
        "speed-up 1 -> {threads}       : {speedup:.2}x, parallel efficiency {:.1}%",
        100.0 * speedup / threads as f64
    );
    println!(
        "time for 1000 paths    : {:.1} s at the {threads}-thread rate",
        1000.0 / raten
    );
    let per_path = model.path_bytes();
    println!();
    println!(
        "memory                 : RSS before runs {:.1} MiB; peak {:.1} MiB after 1 thread, {:.1} MiB after {threads} threads",
        mib(rss_before),
        mib(hwm1),
        mib(hwmn)
    );
    println!(
        "engine estimate        : {:.2} MiB per path in flight ({:.1} bytes per firm), x{threads} = {:.1} MiB",
        mib(per_path),
        per_path as f64 / s.firms.count.max(1) as f64,
        mib(per_path * threads as u64)
    );
    Ok(())
}

/// A scenario of `firms` firms and `banks` banks in 10 regions, on an Erdős–Rényi interbank
/// network with Eisenberg–Noe clearing and fire sales, with a shock that fails 5 banks in quarter 1.
fn big_scenario(firms: usize, banks: usize, quarters: u32) -> Result<Scenario> {
    let regions: Vec<String> = (1..=10).map(|r| format!("r{r:02}")).collect();
    let list = regions
        .iter()
        .map(|r| format!("{r:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut text = format!(
        r#"
version = 1
name = "big"
[run]
paths = 1
seed = 1
quarters = {quarters}
probe_firms = 200
[rates.shock]
kind = "step"
size = 2.0
at = 1
[firms]
count = {firms}
[[models.families]]
name = "m1"
[[models.families]]
name = "m2"
[[models.families]]
name = "m3"
[[models.families]]
name = "m4"
[adoption]
shares = {{ m1 = 0.4, m2 = 0.3, m3 = 0.2, m4 = 0.1 }}
[[bank_groups]]
prefix = "B"
count = {banks}
assets = {{ dist = "lognormal", median = 2000.0, sigma = 0.6 }}
equity_ratio = 0.06
sme_share = 0.35
bond_share = 0.2
interbank_share = 0.1
regions = [{list}]
regions_each = 2
[contagion.interbank]
clearing = "eisenberg-noe"
[contagion.interbank.network]
kind = "erdos-renyi"
mean_degree = 5.0
[contagion.fire_sales]
assets = [{{ name = "gov", depth = 50000.0, share = 0.6 }}, {{ name = "corp", depth = 10000.0, share = 0.4 }}]
[[shocks]]
kind = "bank-failure"
quarter = 1
random = 5
asset_loss = 0.2
"#
    );
    for r in &regions {
        text.push_str(&format!("[[regions]]\nname = {r:?}\n"));
    }
    Ok(Scenario::from_toml_str(
        &text,
        "big.toml",
        &MapSources::default(),
    )?)
}

fn big(a: &Args) -> Result<()> {
    let rss0 = proc_status_bytes("VmRSS").unwrap_or(0);
    let start = Instant::now();
    let s = big_scenario(a.firms, a.banks, a.quarters)?;
    let model = Model::new(&s)?;
    let built = start.elapsed().as_secs_f64();
    let hwm_model = proc_status_bytes("VmHWM").unwrap_or(0);
    let start = Instant::now();
    let path = model.simulate_path(0)?;
    let secs = start.elapsed().as_secs_f64();
    let hwm = proc_status_bytes("VmHWM").unwrap_or(0);
    let q = path.quarters.last().cloned().unwrap_or_default();
    println!(
        "{} firms, {} banks, {} quarters, 1 path on 1 thread",
        a.firms, a.banks, a.quarters
    );
    println!("scenario and model     : {built:.2} s");
    println!(
        "path                   : {secs:.2} s ({:.3e} firm-quarters/s); last quarter: {} bank failures, {} contagion rounds",
        a.firms as f64 * f64::from(a.quarters) / secs,
        q.failed_banks,
        q.contagion_rounds
    );
    println!(
        "peak memory (VmHWM)    : {:.1} MiB ({:.1} MiB after building the model; {:.1} MiB at start)",
        mib(hwm),
        mib(hwm_model),
        mib(rss0)
    );
    let per_path = model.path_bytes();
    println!(
        "engine estimate        : {:.1} MiB per path ({:.1} bytes per firm); measured peak {:.1} bytes per firm",
        mib(per_path),
        per_path as f64 / a.firms.max(1) as f64,
        hwm.saturating_sub(rss0) as f64 / a.firms.max(1) as f64
    );
    let limit = 4u64 << 30;
    println!(
        "4 GiB target           : {}",
        if hwm <= limit { "met" } else { "NOT met" }
    );
    Ok(())
}

fn main() -> Result<()> {
    let a = parse_args()?;
    if a.big { big(&a) } else { report(&a) }
}
