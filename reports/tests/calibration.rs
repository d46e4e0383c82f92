//! Calibration against published data (docs/validation.md (Calibration)): every calm economy of
//! the bundled scenarios has the annual SME default and rejection rates its header cites, and the
//! EBA 2018 adverse comparison gives the headline numbers the page reports.

#[path = "../examples/common/eba.rs"]
#[allow(dead_code)]
mod eba;

use sim::montecarlo::{RunOptions, Silent, run};
use sim::results::PathResult;
use sim::scenario::{FsSources, Scenario, Shock};

fn load(name: &str) -> Scenario {
    let path = eba::root().join("scenarios").join(name);
    Scenario::load(&path, &FsSources).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn paths(s: &Scenario, n: u64) -> Vec<PathResult> {
    let options = RunOptions {
        paths: Some(n),
        threads: Some(2),
        ..RunOptions::default()
    };
    run(s, &options, &Silent)
        .unwrap_or_else(|e| panic!("{}: {e}", s.name))
        .paths
}

/// Mean and standard error of `xs`.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// A scenario's calm economy: its rate shock and scheduled shocks switched off, `firms` firms
/// (the firm weight keeps the money the same; fewer firms only add noise, which the standard
/// errors carry).
fn calm(name: &str, firms: usize) -> Scenario {
    let mut s = load(name);
    s.rates.shock = Shock::None;
    s.shocks.clear();
    s.firms.count = firms;
    s
}

/// Annual SME default rate (from the share of firms defaulting over the path) and the share of
/// applicants rationed, per path.
fn annual_rates(s: &Scenario, ps: &[PathResult]) -> (Vec<f64>, Vec<f64>) {
    let years = f64::from(s.run.quarters) / 4.0;
    let default = ps
        .iter()
        .map(|p| 1.0 - (1.0 - p.summary.firm_default_share).powf(1.0 / years))
        .collect();
    let rejected = ps
        .iter()
        .map(|p| {
            let rationed: f64 = p.quarters.iter().map(|q| q.rationed).sum();
            let applicants: f64 = p.quarters.iter().map(|q| q.applicants).sum();
            rationed / applicants
        })
        .collect();
    (default, rejected)
}

#[test]
fn calm_economies_default_and_reject_within_their_published_ranges() {
    // Ranges from the scenario headers: annual SME default rate 1.5-4% (NFRA inclusive small and
    // micro NPL ratios, euro-area small-firm bad-debt rates, Moody's RiskCalc), rejections 5-15%
    // of applicants (ECB SAFE, World Bank Enterprise Surveys). Tolerance: the mean over paths
    // must lie inside the range by 4 standard errors, so a calibration that sits at an edge
    // fails rather than passing by luck.
    for (name, firms, n) in [
        ("baseline.toml", 8000, 40),
        ("eu-banks-2018.toml", 15000, 16),
        ("china-region.toml", 8000, 40),
    ] {
        let s = calm(name, firms);
        let ps = paths(&s, n);
        let (default, rejected) = annual_rates(&s, &ps);
        for (what, xs, lo, hi) in [
            ("annual default rate", &default, 0.015, 0.04),
            ("rejection rate", &rejected, 0.05, 0.15),
        ] {
            let (m, se) = mean_se(xs);
            assert!(
                m - 4.0 * se > lo && m + 4.0 * se < hi,
                "{name}: {what} {m:.4} (s.e. {se:.4}) outside [{lo}, {hi}] by 4 s.e."
            );
        }
    }
}

#[test]
fn the_rate_shock_is_severe_but_plausible() {
    // rate-shock's header: about 4% of SMEs default a year, within the 3-6% of bad years.
    let mut s = load("rate-shock.toml");
    s.firms.count = 8000;
    let ps = paths(&s, 40);
    let (default, _) = annual_rates(&s, &ps);
    let (m, se) = mean_se(&default);
    assert!(
        m - 4.0 * se > 0.03 && m + 4.0 * se < 0.06,
        "rate-shock: annual default rate {m:.4} (s.e. {se:.4}) outside [0.03, 0.06]"
    );
}

/// The headline numbers of docs/validation.md (Calibration) ("The EBA 2018 adverse scenario, bank
/// by bank"), from `cargo run --release -p herdlab-reports --example eba_adverse` (200 paths).
const DOC_HERDLAB_END_PCT: f64 = 12.76;
const DOC_CORR_END: f64 = 0.958;
const DOC_CORR_DROP: f64 = 0.51;
const DOC_MEAN_ABS_GAP: f64 = 2.25;

#[test]
fn the_eba_comparison_gives_the_documented_numbers() {
    // 16 paths of the full scenario: the documented numbers (200 paths) must lie within 4
    // standard errors of this run's (the system ratio's over paths; a delete-one jackknife over
    // paths for the correlations and the mean gap), plus the rounding of the page.
    let s = load("eba-2018-adverse.toml");
    let ps = paths(&s, 16);
    let ids: Vec<String> = s.banks.iter().map(|b| b.id.clone()).collect();
    let cmp = eba::compare(&ids, &ps).unwrap_or_else(|e| panic!("{e}"));
    let h = &cmp.headline;
    assert!((h.start_pct - 14.51).abs() < 0.005, "start {}", h.start_pct);
    assert!(
        (h.eba_end_pct - 10.31).abs() < 0.005,
        "EBA end {}",
        h.eba_end_pct
    );
    let [se_ce, se_cd, se_gap] = cmp.jackknife_se;
    for (what, got, se, doc, rounding) in [
        (
            "system end CET1",
            h.herdlab_end_pct,
            h.herdlab_end_se,
            DOC_HERDLAB_END_PCT,
            0.005,
        ),
        (
            "correlation of end ratios",
            h.corr_end,
            se_ce,
            DOC_CORR_END,
            0.0005,
        ),
        (
            "correlation of drops",
            h.corr_drop,
            se_cd,
            DOC_CORR_DROP,
            0.005,
        ),
        (
            "mean absolute gap",
            h.mean_abs_gap,
            se_gap,
            DOC_MEAN_ABS_GAP,
            0.005,
        ),
    ] {
        assert!(
            (got - doc).abs() <= 4.0 * se + rounding,
            "{what}: {got:.4} (s.e. {se:.4}) vs documented {doc}"
        );
    }
    // The model leaves out most of the EBA's drop (docs: what it leaves out); it must not be
    // larger than the EBA's.
    assert!(h.herdlab_end_pct > h.eba_end_pct);
}
