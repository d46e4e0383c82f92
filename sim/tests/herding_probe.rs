//! The decision-agreement probe of MODEL.md v2 §9: a fresh keyed sample of the firms alive at
//! the start of each quarter (it was the first `probe_firms` firms, alive or dead, whose frozen
//! decisions kept the measure flat as defaults thinned the live firms).

mod common;

use common::*;
use sim::montecarlo::Shard;

/// Mean and standard error of `xs`.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn decision_agreement_falls_after_the_shock_as_defaults_thin_the_live_firms() {
    // rate-shock: +300 bp from quarter 2. Agreement peaks with the shock (every family tightens
    // at once) and then falls as defaults leave the better firms, which the banks agree on less.
    // Paired over paths: the last quarter's agreement below the shock quarter's by more than four
    // standard errors of the paired difference (one-sided false-alarm rate about 3e-5).
    let s = with_firms("rate-shock.toml", 5000);
    let shock = 2usize;
    let last = s.run.quarters as usize;
    let paths = run_with(&s, Some(100), 2, Shard::WHOLE);
    let drop: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[shock - 1].decision_agreement - p.quarters[last - 1].decision_agreement)
        .collect();
    let (mean, se) = mean_se(&drop);
    assert!(mean > 4.0 * se, "agreement fell by {mean:.4} ± {se:.4}");
    // The independence baseline is on the same sample, so the excess stays comparable.
    for p in &paths {
        for q in &p.quarters {
            assert!(
                (q.decision_agreement_excess
                    - (q.decision_agreement - q.decision_agreement_baseline))
                    .abs()
                    < 1e-12
            );
        }
    }
}
