//! The added variance of the sampled systemic-rejection baseline (draw scheme 2, MODEL.md §9):
//! runs paths of a scenario with the baseline summed over every creditworthy applicant and over
//! the keyed sample (`Model::baseline_share`), on the same draws otherwise, and prints per
//! quarter the path-to-path variance of the exact baseline, the variance the sample adds (of
//! the difference) and their ratio, for the baseline and for the systemic-rejection ratio.
//!
//! `cargo run --release -p herdlab-benches --example baseline_variance -- bench-standard.toml 200 0.25`

use anyhow::{Context, Result};
use herdlab_benches::bundled;
use sim::model::Model;

/// Mean and (n - 1) variance.
fn moments(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "bench-standard.toml".into());
    let paths: u64 = args
        .next()
        .map_or(Ok(200), |p| p.parse())
        .context("paths")?;
    let s = bundled(&name)?;
    let mut sampled = Model::new(&s)?;
    if let Some(share) = args.next() {
        sampled.baseline_share = share.parse().context("share")?;
    }
    let mut exact = Model::new(&s)?;
    exact.baseline_share = 1.0;
    println!(
        "{name}: {} firms, {paths} paths, baseline share {}",
        s.firms.count, sampled.baseline_share
    );
    let quarters = s.run.quarters as usize;
    // [quarter] -> per path (exact, sampled) of (baseline, ratio)
    let mut base = vec![Vec::new(); quarters];
    let mut ratio = vec![Vec::new(); quarters];
    for p in 0..paths {
        let a = exact.simulate_path(p)?;
        let b = sampled.simulate_path(p)?;
        for (t, (x, y)) in a.quarters.iter().zip(&b.quarters).enumerate() {
            base[t].push((x.systemic_rejection_baseline, y.systemic_rejection_baseline));
            ratio[t].push((x.systemic_rejection_ratio, y.systemic_rejection_ratio));
        }
    }
    println!(
        "quarter | baseline: mean, path var, added var, added/path, bias/se | ratio: path var, added var, added/path"
    );
    let mut worst: f64 = 0.0;
    for t in 0..quarters {
        let ex: Vec<f64> = base[t].iter().map(|x| x.0).collect();
        let diff: Vec<f64> = base[t].iter().map(|x| x.1 - x.0).collect();
        let (m, v) = moments(&ex);
        let (dm, dv) = moments(&diff);
        let rex: Vec<f64> = ratio[t]
            .iter()
            .map(|x| x.0)
            .filter(|x| x.is_finite())
            .collect();
        let rdiff: Vec<f64> = ratio[t]
            .iter()
            .filter(|x| x.0.is_finite() && x.1.is_finite())
            .map(|x| x.1 - x.0)
            .collect();
        let (_, rv) = moments(&rex);
        let (_, rdv) = moments(&rdiff);
        worst = worst.max(dv / v).max(rdv / rv);
        println!(
            "{:>7} | {m:.5}, {v:.3e}, {dv:.3e}, {:.2}%, {:+.2} | {rv:.3e}, {rdv:.3e}, {:.2}%",
            t + 1,
            100.0 * dv / v,
            dm / (dv / paths as f64).sqrt(),
            100.0 * rdv / rv
        );
    }
    println!("largest added/path variance: {:.2}%", 100.0 * worst);
    Ok(())
}
