//! Statistical tests of the model against closed forms and its own independence baselines.
//! Each states its tolerance in standard errors. Heavy: the README runs the suite in release mode.

mod common;

use common::*;
use sim::model::equations::ou_variance;
use sim::normal;
use sim::stats;

/// Mean and standard error of a sample.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let s = stats::summarize(xs, &[]);
    (s.mean, s.std_error)
}

#[test]
fn one_shared_model_without_fine_tuning_makes_all_banks_decide_alike() {
    // One family, rho_model = 1, w = 0, no capital pressure: every bank's score of a firm is the
    // same number and thresholds are equal, so decisions agree exactly: correlation 1 in every
    // quarter, and a creditworthy firm rejected by one bank is rejected by all.
    let s = Small {
        families: 1,
        similarity: 1.0,
        fine_tuning: 0.0,
        extra: "[banking]\ncapital_pressure = 0.0".into(),
        ..Small::default()
    }
    .scenario();
    for p in run_all(&s, 4) {
        for q in &p.quarters {
            assert!(
                (q.decision_agreement - 1.0).abs() < 1e-12,
                "quarter {}: {}",
                q.quarter,
                q.decision_agreement
            );
            assert!(q.decision_agreement_baseline < 1.0);
            assert!(
                q.systemic_rejection_ratio > 1.0,
                "shared model rejects together: {}",
                q.systemic_rejection_ratio
            );
            assert_eq!(q.gap_rejected + q.gap_no_capacity, q.credit_gap);
        }
    }
}

#[test]
fn independent_model_errors_show_no_excess_agreement() {
    // Every bank its own family, rho_model = 0, w = 0: model errors are independent, so decision
    // agreement equals its independence baseline in expectation. Mean over 200 paths of quarter 1's
    // excess is within 4 standard errors of 0.
    let s = Small {
        banks: 6,
        families: 6,
        similarity: 0.0,
        fine_tuning: 0.0,
        firms: 1000,
        quarters: 1,
        ..Small::default()
    }
    .scenario();
    let paths = run_all(&s, 200);
    let excess: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].decision_agreement_excess)
        .collect();
    let (m, se) = mean_se(&excess);
    assert!(se > 0.0);
    assert!(m.abs() < 4.0 * se, "excess agreement {m} (se {se})");
    // Systemic rejection equals its independence expectation: (actual - baseline) has mean 0.
    let diff: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].systemic_rejection - p.quarters[0].systemic_rejection_baseline)
        .collect();
    let (m, se) = mean_se(&diff);
    assert!(
        m.abs() < 4.0 * se,
        "systemic rejection minus baseline {m} (se {se})"
    );
}

#[test]
fn shared_errors_show_excess_agreement_and_homogenised_outcomes() {
    // One family, high similarity: excess agreement is positive and systemic rejection exceeds
    // independence, each by more than 4 standard errors.
    let s = Small {
        families: 1,
        similarity: 0.8,
        fine_tuning: 0.1,
        firms: 1000,
        quarters: 1,
        ..Small::default()
    }
    .scenario();
    let paths = run_all(&s, 50);
    let excess: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].decision_agreement_excess)
        .collect();
    let (m, se) = mean_se(&excess);
    assert!(m > 4.0 * se && m > 0.1, "excess agreement {m} (se {se})");
    let ratio: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].systemic_rejection_ratio)
        .collect();
    let (m, se) = mean_se(&ratio);
    assert!(m - 1.0 > 4.0 * se, "systemic rejection ratio {m} (se {se})");
}

/// Firms with no rationing, no shock, no rate noise: nobody ever needs credit (nu = 0, every firm
/// starts with a loan), so defaults follow the one-factor model alone.
fn no_rationing(extra_firms: &str, quarters: u32, firms: usize) -> sim::scenario::Scenario {
    Small {
        banks: 2,
        families: 1,
        firms,
        quarters,
        extra: "[rates]\nsigma = 0.0".into(),
        firms_extra: format!("need_probability = 0.0\n{extra_firms}"),
        ..Small::default()
    }
    .scenario()
}

#[test]
fn default_rate_matches_the_unconditional_pd() {
    // PD_j = Phi(a - beta q_j), q_j ~ N(0, 1): the unconditional default probability is
    // Phi(a / sqrt(1 + beta^2)). The quarter-1 default rate averaged over 400 paths is within 4
    // standard errors (across paths) of it.
    let (a, beta) = (-2.2f64, 0.5f64);
    let s = no_rationing(
        &format!("beta = {beta}\nrho_global = 0.1\nrho_region = 0.05\n"),
        1,
        5000,
    );
    assert_eq!(s.regions[0].pd_intercept, -2.4, "default intercept");
    let s = {
        let mut s = s;
        s.regions[0].pd_intercept = a;
        s
    };
    let paths = run_all(&s, 400);
    let rates: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].firm_default_rate)
        .collect();
    let (m, se) = mean_se(&rates);
    let exact = normal::cdf(a / (1.0 + beta * beta).sqrt());
    assert!(
        (m - exact).abs() < 4.0 * se,
        "default rate {m} vs {exact} (se {se})"
    );
    for p in &paths {
        assert_eq!(p.quarters[0].rationed, 0.0);
    }
}

#[test]
fn default_rates_follow_the_one_factor_vasicek_distribution() {
    // Homogeneous PD p (beta = 0), one factor rho: the default rate of a large portfolio has
    // P(DR <= x) = Phi((sqrt(1 - rho) Phi^-1(x) - Phi^-1(p)) / sqrt(rho)). Every quarter's rate is
    // an independent draw (survivors keep the same PD). At the Vasicek 10%, 25%, 50%, 75% and 90%
    // quantiles, the empirical CDF over n = 300 paths x 4 quarters is within 4 binomial standard
    // errors sqrt(q(1-q)/n) of q (the finite portfolio of 20,000 firms blurs the quantiles by
    // far less than that).
    let (p, rho) = (0.02f64, 0.12f64);
    let a = normal::inv_cdf(p);
    let mut s = no_rationing(
        &format!("beta = 0.0\nrho_global = {rho}\nrho_region = 0.0\n"),
        4,
        20_000,
    );
    s.regions[0].pd_intercept = a;
    let paths = run_all(&s, 300);
    let rates: Vec<f64> = paths
        .iter()
        .flat_map(|x| x.quarters.iter().map(|q| q.firm_default_rate))
        .collect();
    let n = rates.len() as f64;
    for q in [0.1, 0.25, 0.5, 0.75, 0.9] {
        let x = normal::cdf((a + rho.sqrt() * normal::inv_cdf(q)) / (1.0 - rho).sqrt());
        let below = rates.iter().filter(|&&r| r <= x).count() as f64 / n;
        let se = (q * (1.0 - q) / n).sqrt();
        assert!(
            (below - q).abs() < 4.0 * se,
            "P(DR <= {x:.5}) = {below}, expected {q} (se {se:.4})"
        );
    }
}

#[test]
fn rate_noise_has_the_ornstein_uhlenbeck_moments() {
    // x_t = (1 - kappa) x_{t-1} + sigma eps_t from 0: mean 0 and variance
    // sigma^2 (1 - (1-kappa)^(2t)) / (1 - (1-kappa)^2). Over 2,000 paths, the mean of r_t - r_0 is
    // within 4 standard errors of 0, and the sample variance within 4 of its standard error
    // var * sqrt(2 / (n - 1)) of the exact value, at t = 1 and t = 6.
    let s = Small {
        firms: 0,
        quarters: 6,
        extra: "[rates]\ninitial = 2.0\nkappa = 0.3\nsigma = 0.25".into(),
        ..Small::default()
    }
    .scenario();
    let paths = run_all(&s, 2000);
    for t in [1usize, 6] {
        let xs: Vec<f64> = paths.iter().map(|p| p.quarters[t - 1].rate - 2.0).collect();
        let sum = stats::summarize(&xs, &[]);
        let var = ou_variance(0.3, 0.25, t as u32);
        assert!(
            sum.mean.abs() < 4.0 * sum.std_error,
            "t {t}: mean {}",
            sum.mean
        );
        let sample_var = sum.std_dev * sum.std_dev;
        let se = var * (2.0 / (xs.len() as f64 - 1.0)).sqrt();
        assert!(
            (sample_var - var).abs() < 4.0 * se,
            "t {t}: var {sample_var} vs {var}"
        );
    }
}

#[test]
fn a_rate_shock_raises_defaults_and_the_credit_gap_on_common_random_numbers() {
    let base = bundled("baseline.toml");
    let shock = bundled("rate-shock.toml");
    let small = |s: sim::scenario::Scenario| sim::scenario::Scenario {
        firms: sim::scenario::Firms {
            count: 4000,
            ..s.firms.clone()
        },
        ..s
    };
    let (a, b) = (small(base), small(shock));
    let (ra, rb) = (run_all(&a, 60), run_all(&b, 60));
    let cmp = sim::aggregate::compare(&a, &ra, &b, &rb).expect("paired");
    for name in [
        "firm_defaults",
        "credit_gap_share",
        "loss_bonds",
        "bank_losses",
    ] {
        let d = cmp.measure(name).expect(name).difference;
        assert!(
            d.low > 0.0,
            "{name}: shock minus baseline {} [{}, {}]",
            d.mean,
            d.low,
            d.high
        );
    }
}

#[test]
fn the_shared_model_widens_the_affected_regions_credit_gap() {
    // The documented case: regional-monoculture against its diverse twin, paired on common random
    // numbers. The east's credit gap is larger with the shared model; the 95% interval of the
    // paired difference lies above zero.
    let twin = bundled("regional-monoculture-diverse.toml");
    let mono = bundled("regional-monoculture.toml");
    let small = |s: sim::scenario::Scenario| sim::scenario::Scenario {
        firms: sim::scenario::Firms {
            count: 6000,
            ..s.firms.clone()
        },
        ..s
    };
    let (a, b) = (small(twin), small(mono));
    let (ra, rb) = (run_all(&a, 80), run_all(&b, 80));
    let cmp = sim::aggregate::compare(&a, &ra, &b, &rb).expect("paired");
    let d = cmp.measure("credit_gap[east]").expect("east").difference;
    assert!(
        d.low > 0.0,
        "east gap: monoculture minus diverse {} [{}, {}]",
        d.mean,
        d.low,
        d.high
    );
    let d = cmp
        .measure("systemic_rejection_ratio")
        .expect("ratio")
        .difference;
    assert!(
        d.low > 0.0,
        "systemic rejection ratio {} [{}, {}]",
        d.mean,
        d.low,
        d.high
    );
}

#[test]
fn the_herding_alarm_starts_the_facility_after_its_lag() {
    // A threshold of 0 on the systemic rejection ratio fires in quarter 1; with lag 2 the
    // facility lends from quarter 3 on and not before.
    let s = Small {
        families: 1,
        similarity: 0.9,
        extra: "[policy.herding_alarm]\nmeasure = \"systemic-rejection-ratio\"\nthreshold = 0.0\nlag = 2\nfacility_budget = 1e9\nbuffer_release = 2.0".into(),
        ..Small::default()
    }
    .scenario();
    for p in run_all(&s, 3) {
        assert_eq!(p.summary.alarm_quarter, 1.0);
        let q = &p.quarters;
        assert_eq!(
            (q[0].response, q[1].response, q[2].response),
            (0.0, 0.0, 1.0)
        );
        assert_eq!(q[0].facility_lending + q[1].facility_lending, 0.0);
        assert!(q[2].facility_lending > 0.0);
        assert!(
            q[2].credit_gap < q[1].credit_gap,
            "the facility closes part of the gap"
        );
    }
}

#[test]
fn human_review_by_a_perfect_judge_overturns_model_rejections() {
    // Reviewing every rejection with an error-free judgement approves exactly the firms whose
    // true quality clears the threshold, so fewer creditworthy firms are rejected everywhere.
    let plain = Small {
        families: 1,
        similarity: 1.0,
        ..Small::default()
    }
    .scenario();
    let reviewed = Small {
        families: 1,
        similarity: 1.0,
        extra: "[policy.human_review]\nshare = 1.0\nerror_scale = 0.0".into(),
        ..Small::default()
    }
    .scenario();
    let (a, b) = (run_all(&plain, 5), run_all(&reviewed, 5));
    for (pa, pb) in a.iter().zip(&b) {
        assert!(pb.quarters[0].gap_rejected < pa.quarters[0].gap_rejected);
        assert!(pb.quarters[0].supply > pa.quarters[0].supply);
    }
}

#[test]
fn the_sampled_systemic_rejection_baseline_is_unbiased_and_moves_no_other_draw() {
    // Draw scheme 2: a keyed 30% sample of the creditworthy applicants, weighted by 1/0.3,
    // estimates the exact baseline without bias. Per path and quarter the difference from the
    // exact sum has mean 0; over 40 paths x 12 quarters its mean is within 4 se of 0. The
    // sample's draws have a purpose of their own, so everything else is bit for bit the same.
    let s = with_firms("regional-monoculture.toml", 20_000);
    let exact = sim::model::Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(exact.baseline_share, 1.0, "exact below BASELINE_FIRMS");
    let mut sampled = sim::model::Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
    sampled.baseline_share = 0.3;
    let mut diffs = Vec::new();
    for p in 0..40 {
        let a = exact.simulate_path(p).unwrap_or_else(|e| panic!("{e}"));
        let mut b = sampled.simulate_path(p).unwrap_or_else(|e| panic!("{e}"));
        for (x, y) in a.quarters.iter().zip(&mut b.quarters) {
            assert!(y.systemic_rejection_baseline >= 0.0);
            diffs.push(y.systemic_rejection_baseline - x.systemic_rejection_baseline);
            // Only the baseline and the ratio built on it differ.
            y.systemic_rejection_baseline = x.systemic_rejection_baseline;
            y.systemic_rejection_ratio = x.systemic_rejection_ratio;
        }
        b.summary = a.summary.clone();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "path {p}");
    }
    assert!(
        diffs.iter().any(|d| *d != 0.0),
        "the sample changed nothing"
    );
    let (mean, se) = mean_se(&diffs);
    assert!(mean.abs() <= 4.0 * se, "bias {mean} (se {se})");
}
