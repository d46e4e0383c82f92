//! MODEL.md 4.1, "the models move": each mechanism's equations on whole paths, its effect against
//! a hand-derived expectation, common random numbers with the twin that has it off, and
//! determinism across threads and shards with every mechanism on. Statistical tests state their
//! tolerance in standard errors (across paths). Heavy: run in release mode.

mod common;

use common::*;
use sim::montecarlo::Shard;
use sim::results::PathResult;
use sim::scenario::Scenario;

/// One region, six equal banks alternating between families `a` and `b` (`a`: banks 0, 2, 4),
/// a deterministic rate path (2%, then 5% from quarter 3), `firms` firms, `quarters` quarters.
/// `families` is appended to each family's table (`{a}` and `{b}` entries), `extra` to the file.
fn scenario(a: &str, b: &str, extra: &str, firms: usize, quarters: u32) -> Scenario {
    let mut s = format!(
        "version = 1\n[run]\nquarters = {quarters}\nseed = 11\nprobe_firms = 400\n\
         [rates]\ninitial = 2.0\nsigma = 0.0\n[rates.shock]\nkind = \"step\"\nsize = 3.0\nat = 3\n\
         [[regions]]\nname = \"r\"\n[models]\nsimilarity = 0.5\n\
         [[models.families]]\nname = \"a\"\nrate_reaction = 0.2\n{a}\n{sa}\n\
         [[models.families]]\nname = \"b\"\nrate_reaction = 0.2\n{b}\n{sb}\n",
        sa = scale(a),
        sb = scale(b),
    );
    for i in 0..6 {
        s.push_str(&format!(
            "[[banks]]\nid = \"b{i}\"\nequity = 100.0\nsme_loans = 1000.0\nother_assets = 200.0\n\
             family = \"{}\"\nfine_tuning = 0.1\nregions = {{ r = 1.0 }}\n",
            if i % 2 == 0 { "a" } else { "b" }
        ));
    }
    s.push_str(&format!(
        "[firms]\ncount = {firms}\nweight = 0.5\n{extra}\n"
    ));
    parse(&s)
}

/// `error_scale = 0.5` unless the family's text sets it.
fn scale(family: &str) -> &'static str {
    if family.contains("error_scale") {
        ""
    } else {
        "error_scale = 0.5"
    }
}

/// Mean and standard error of a sample.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Family `m`'s record in quarter `t` (1-based) of a path of a two-family scenario.
fn family(p: &PathResult, t: usize, m: usize) -> &sim::results::FamilyQuarter {
    &p.families[(t - 1) * 2 + m]
}

#[test]
fn regime_shift_error_scale_and_bias_follow_the_rate() {
    // Family a trained at 2%: eta = 0.2, zeta = 0.1; b has no shift. At 5% a's scale is
    // 0.5 (1 + 0.2 x 3) = 0.8 and its bias 0.3; b keeps 0.5 exactly.
    let s = scenario("eta = 0.2\nzeta = 0.1\nr_train = 2.0", "", "", 600, 5);
    for p in run_all(&s, 3) {
        for (t, rec) in p.quarters.iter().enumerate() {
            let t = t + 1;
            let gap = (rec.rate - 2.0).abs();
            let a = family(&p, t, 0);
            assert!(
                (a.error_scale - 0.5 * (1.0 + 0.2 * gap)).abs() < 1e-12,
                "{t}: {a:?}"
            );
            assert!(
                (a.bias - 0.1 * (rec.rate - 2.0)).abs() < 1e-12,
                "{t}: {a:?}"
            );
            let b = family(&p, t, 1);
            assert_eq!((b.error_scale, b.bias), (0.5, 0.0));
            assert_eq!(a.r_train, 2.0);
        }
        assert!((family(&p, 4, 0).error_scale - 0.8).abs() < 1e-12);
    }
}

#[test]
fn systemic_rejection_matches_its_baseline_for_independent_shifted_noisy_models() {
    // Every bank its own family, no shared error (similarity 0, all fine-tuning): decisions are
    // independent given the firm even with a regime shift and a noise incident on each family
    // (the incident's noise is shared within a family only). Then systemic rejection equals its
    // baseline in expectation, which holds only if the baseline carries the shift and the noise
    // in quadrature. Quarter 1 only: errors persist over a path, so later quarters' applicants
    // include firms every bank rejected before for their errors, which the per-quarter baseline
    // does not condition on. Tolerance: 4 standard errors of the per-path difference.
    let mut text = String::from(
        "version = 1\n[run]\nquarters = 1\nseed = 5\n[rates]\ninitial = 2.0\nsigma = 0.0\n\
         [rates.shock]\nkind = \"step\"\nsize = 3.0\nat = 1\n[[regions]]\nname = \"r\"\n\
         [models]\nsimilarity = 0.0\n",
    );
    for i in 0..4 {
        text.push_str(&format!(
            "[[models.families]]\nname = \"f{i}\"\nerror_scale = 0.6\neta = 0.3\nzeta = -0.15\n\
             [[banks]]\nid = \"b{i}\"\nequity = 100.0\nsme_loans = 1000.0\nother_assets = 200.0\n\
             family = \"f{i}\"\nfine_tuning = 1.0\nregions = {{ r = 1.0 }}\n\
             [[models.incidents]]\nfamily = \"f{i}\"\nat = 1\nduration = 1\nkind = \"noise\"\nseverity = 0.7\n"
        ));
    }
    text.push_str("[banking]\nmax_applications = 3\n[firms]\ncount = 4000\nweight = 0.5\n");
    let s = parse(&text);
    let paths = run_all(&s, 120);
    let diffs: Vec<f64> = paths
        .iter()
        .map(|p| p.quarters[0].systemic_rejection - p.quarters[0].systemic_rejection_baseline)
        .collect();
    let (m, se) = mean_se(&diffs);
    let base = paths
        .iter()
        .map(|p| p.quarters[0].systemic_rejection_baseline)
        .sum::<f64>()
        / paths.len() as f64;
    assert!(
        base > 0.02,
        "the test needs systemic rejections: baseline {base}"
    );
    assert!(
        m.abs() < 4.0 * se,
        "difference {m} with standard error {se} (baseline {base})"
    );
    for p in &paths {
        assert_eq!(p.quarters[0].incidents_active, 4.0);
    }
}

#[test]
fn retraining_moves_the_training_rate_to_the_window_mean_and_learns_from_defaults() {
    // a retrains every 2 quarters on the last 2: first at the start of quarter 3 (a whole window
    // done), on quarters 1-2 (2%, 2%), then 5 and 7 on quarters at 5%. With eta = 0.2 its
    // scale is the scenario's in quarters 1-2 and 5-8 and 0.5 x 1.6 in quarters 3-4.
    let s = scenario(
        "eta = 0.2\nretrain_every = 2\nwindow = 2\ngamma = 0.5",
        "",
        "",
        3000,
        8,
    );
    let twin = scenario("eta = 0.2\nretrain_every = 2\nwindow = 2", "", "", 3000, 8);
    let (paths, calm) = (run_all(&s, 40), run_all(&twin, 40));
    for p in &paths {
        let r_train: Vec<f64> = (1..=8).map(|t| family(p, t, 0).r_train).collect();
        assert_eq!(r_train, vec![2.0, 2.0, 2.0, 2.0, 5.0, 5.0, 5.0, 5.0]);
        let retrain: Vec<f64> = p.quarters.iter().map(|r| r.retrainings).collect();
        assert_eq!(retrain, vec![0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        assert!((family(p, 3, 0).error_scale - 0.8).abs() < 1e-12);
        assert_eq!(family(p, 5, 0).error_scale, 0.5);
        // Quarter 3's retraining learns from the calm window itself: no offset yet.
        assert_eq!(family(p, 3, 0).offset, 0.0);
        assert_eq!(family(p, 5, 1).offset, 0.0, "b never retrains");
    }
    // After the shock the adopters' default rate is above the calm one, so the offset learned
    // in quarter 5 is positive on (almost) every path and tightens a's banks together: the credit
    // gap of quarters 5-8 is larger than the twin's without learning (gamma = 0), paired on
    // common random numbers, by more than 4 standard errors.
    let offsets: Vec<f64> = paths.iter().map(|p| family(p, 5, 0).offset).collect();
    let (m, se) = mean_se(&offsets);
    assert!(m > 4.0 * se, "offset {m} ± {se}");
    let diffs: Vec<f64> = paths
        .iter()
        .zip(&calm)
        .map(|(p, c)| {
            (4..8)
                .map(|t| p.quarters[t].credit_gap - c.quarters[t].credit_gap)
                .sum()
        })
        .collect();
    let (m, se) = mean_se(&diffs);
    assert!(m > 4.0 * se, "credit gap difference {m} ± {se}");
    // Quarters before the first retraining are the twin's, bit for bit.
    for (p, c) in paths.iter().zip(&calm) {
        assert_eq!(
            format!("{:?}", &p.quarters[..4]),
            format!("{:?}", &c.quarters[..4])
        );
    }
}

/// Two regions, a safe one (`pd_intercept` -3.5) served by a's banks (0, 2, 4) and a risky one
/// (-1.2) served by b's, so that b's adopters' credit-loss rate is the higher on every path;
/// banks review every 2 quarters on the last 2. 3,000 firms, 6 quarters.
fn adoption(review: &str, extra: &str) -> Scenario {
    adoption_with(review, extra, 3000, 6)
}

/// [`adoption`] with `firms` firms and `quarters` quarters.
fn adoption_with(review: &str, extra: &str, firms: usize, quarters: u32) -> Scenario {
    let mut s = format!(
        "version = 1\n[run]\nquarters = {quarters}\nseed = 3\nprobe_firms = 200\n\
         [[regions]]\nname = \"safe\"\npd_intercept = -3.5\n\
         [[regions]]\nname = \"risky\"\npd_intercept = -1.2\n\
         [models]\nsimilarity = 0.5\n\
         [[models.families]]\nname = \"a\"\n[[models.families]]\nname = \"b\"\n"
    );
    for i in 0..6 {
        let (fam, region) = if i % 2 == 0 {
            ("a", "safe")
        } else {
            ("b", "risky")
        };
        s.push_str(&format!(
            "[[banks]]\nid = \"b{i}\"\nequity = 100.0\nsme_loans = 1000.0\nother_assets = 200.0\n\
             family = \"{fam}\"\nregions = {{ {region} = 1.0 }}\n"
        ));
    }
    s.push_str(&format!(
        "[firms]\ncount = {firms}\nweight = 0.5\n\
         [adoption]\nreview_every = 2\nreview_window = 2\n{review}\n{extra}\n"
    ));
    parse(&s)
}

#[test]
fn with_certain_reviews_every_adopter_of_the_worse_family_switches_at_the_first_review() {
    // switch_prob = 1 and threshold 0: at the start of quarter 3 the three banks of b move to a,
    // and a holds all lending from then on (effective number of families 1).
    let s = adoption("switch_prob = 1.0\nswitch_cost = 0.01", "");
    for p in run_all(&s, 6) {
        let switches: Vec<f64> = p.quarters.iter().map(|r| r.model_switches).collect();
        assert_eq!(
            switches,
            vec![0.0, 0.0, 3.0, 0.0, 0.0, 0.0],
            "path {}",
            p.path
        );
        assert!(p.quarters[1].effective_families > 1.5);
        for t in 3..=6 {
            assert_eq!(p.quarters[t - 1].effective_families, 1.0);
            assert_eq!(family(&p, t, 0).adopters, 6.0);
            assert_eq!(family(&p, t, 0).share, 1.0);
        }
        assert!(p.quarters[2].switching_costs > 0.0);
        assert_eq!(p.summary.model_switches, 3.0);
        assert_eq!(p.summary.final_effective_families, 1.0);
    }
}

#[test]
fn the_diversity_cap_stops_switches_that_would_breach_it() {
    // Equal banks: a holds 3/6 of assets. Cap 0.7: one switch (4/6) fits, a second (5/6) does not.
    let s = adoption("switch_prob = 1.0", "[policy.diversity_cap]\ncap = 0.7");
    for p in run_all(&s, 4) {
        assert_eq!(p.summary.model_switches, 1.0, "path {}", p.path);
        assert_eq!(family(&p, 6, 0).adopters, 4.0);
    }
}

#[test]
fn the_number_of_reviews_follows_switch_prob() {
    // switch_prob = 0.4: at the first review each of b's three banks reviews (and so switches)
    // with probability 0.4, independently: 1.2 switches a path on average, standard error
    // sqrt(3 x 0.4 x 0.6 / paths). Tolerance 4 standard errors.
    let s = adoption_with("switch_prob = 0.4", "", 600, 3);
    let n = 200;
    let switches: Vec<f64> = run_all(&s, n)
        .iter()
        .map(|p| p.summary.model_switches)
        .collect();
    let mean = switches.iter().sum::<f64>() / n as f64;
    let se = (3.0 * 0.4 * 0.6 / n as f64).sqrt();
    assert!(
        (mean - 1.2).abs() < 4.0 * se,
        "mean {mean}, expected 1.2 ± {se}"
    );
}

#[test]
fn switch_costs_are_paid_from_equity_and_keep_the_accounts_whole() {
    let s = adoption("switch_prob = 1.0\nswitch_cost = 0.02", "");
    for p in run_all(&s, 3) {
        for (i, b) in p.banks.iter().enumerate() {
            let losses =
                b.loss_credit + b.loss_bonds + b.loss_interbank + b.loss_fire_sales + b.loss_shock;
            let start = s.banks[i].equity;
            assert!(
                (start + b.income - losses - b.final_equity).abs() < 1e-9 * start,
                "bank {i}: {b:?}"
            );
        }
        let costs: f64 = p.quarters.iter().map(|r| r.switching_costs).sum();
        assert!(costs > 0.0 && costs < 0.02 * 3.0 * 2000.0, "{costs}");
    }
}

#[test]
fn a_scheduled_bias_incident_hits_its_quarters_and_widens_the_gap() {
    // a's model turns against everyone (score - 1.5) in quarters 4 and 5. Quarters 1-3 are the
    // twin's bit for bit (common random numbers); the credit gap of quarters 4-5 is larger, by
    // more than 4 standard errors of the paired difference.
    let inc = "[[models.incidents]]\nfamily = \"a\"\nat = 4\nduration = 2\nkind = \"bias\"\nseverity = -1.5";
    let hit = scenario("", "", inc, 1500, 6);
    let twin = scenario("", "", "", 1500, 6);
    let (a, b) = (run_all(&hit, 30), run_all(&twin, 30));
    for (p, c) in a.iter().zip(&b) {
        let active: Vec<f64> = p.quarters.iter().map(|r| r.incidents_active).collect();
        assert_eq!(active, vec![0.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert_eq!(family(p, 4, 0).incident, 1.0);
        assert_eq!(family(p, 4, 1).incident, 0.0);
        assert_eq!(
            format!("{:?}", &p.quarters[..3]),
            format!("{:?}", &c.quarters[..3])
        );
    }
    let diffs: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(p, c)| {
            (3..5)
                .map(|t| p.quarters[t].credit_gap - c.quarters[t].credit_gap)
                .sum()
        })
        .collect();
    let (m, se) = mean_se(&diffs);
    assert!(m > 4.0 * se, "{m} ± {se}");
}

#[test]
fn a_noise_incident_makes_its_adopters_agree_more() {
    // Shared noise on a's scores (severity 1) for the whole run: a's three banks make the same
    // extra errors, so decision agreement over all banks rises above the twin's, paired, by more
    // than 4 standard errors.
    let inc = "[[models.incidents]]\nfamily = \"a\"\nat = 1\nduration = 4\nkind = \"noise\"\nseverity = 1.0";
    let (a, b) = (
        run_all(&scenario("", "", inc, 1500, 4), 30),
        run_all(&scenario("", "", "", 1500, 4), 30),
    );
    let diffs: Vec<f64> = a
        .iter()
        .zip(&b)
        .map(|(p, c)| p.summary.decision_agreement_excess - c.summary.decision_agreement_excess)
        .collect();
    let (m, se) = mean_se(&diffs);
    assert!(m > 4.0 * se, "{m} ± {se}");
}

#[test]
fn random_incidents_start_at_their_rate() {
    // Rate 0.3 a quarter for each family, one quarter long: every family-quarter is hit
    // independently with probability 0.3. Tolerance 4 binomial standard errors.
    let inc = "[[models.incidents]]\nrate = 0.3\nduration = 1\nkind = \"bias\"\nseverity = 0.5";
    let paths = run_all(&scenario("", "", inc, 200, 8), 60);
    let hits: f64 = paths
        .iter()
        .flat_map(|p| &p.families)
        .map(|f| f.incident)
        .sum();
    let n = (60 * 8 * 2) as f64;
    let se = (0.3 * 0.7 / n).sqrt();
    assert!((hits / n - 0.3).abs() < 4.0 * se, "{} ± {se}", hits / n);
}

/// Every mechanism on at once.
fn everything() -> Scenario {
    scenario(
        "eta = 0.3\nzeta = 0.05\nretrain_every = 2\nwindow = 2\ngamma = 0.3",
        "error_scale = 1.0\neta = 0.1\nretrain_every = 3\nwindow = 1\ngamma = 0.2",
        "[adoption]\nreview_every = 2\nreview_window = 2\nswitch_prob = 0.6\nswitch_cost = 0.01\n\
         [[models.incidents]]\nfamily = \"a\"\nat = 5\nduration = 2\nkind = \"noise\"\nseverity = 0.5\n\
         [[models.incidents]]\nrate = 0.2\nduration = 2\nkind = \"bias\"\nseverity = -0.4",
        1200,
        8,
    )
}

#[test]
fn every_mechanism_on_is_deterministic_across_threads_and_shards() {
    let s = everything();
    let whole = fingerprint(&run_with(&s, Some(8), 2, Shard::WHOLE));
    assert_eq!(whole, fingerprint(&run_with(&s, Some(8), 1, Shard::WHOLE)));
    let mut parts = run_with(&s, Some(8), 2, Shard { index: 0, count: 3 });
    parts.extend(run_with(&s, Some(8), 1, Shard { index: 1, count: 3 }));
    parts.extend(run_with(&s, Some(8), 2, Shard { index: 2, count: 3 }));
    parts.sort_by_key(|p| p.path);
    assert_eq!(whole, fingerprint(&parts));
    // Something moved: switches, retrainings and incidents all happened somewhere.
    let all = run_with(&s, Some(8), 2, Shard::WHOLE);
    let sum = |f: fn(&sim::results::QuarterRecord) -> f64| -> f64 {
        all.iter().flat_map(|p| &p.quarters).map(f).sum()
    };
    assert!(sum(|r| r.model_switches) > 0.0);
    assert!(sum(|r| r.retrainings) > 0.0);
    assert!(sum(|r| r.incidents_active) > 0.0);
}

#[test]
fn a_scenario_with_every_mechanism_off_gives_the_v1_outputs() {
    // The defaults written out: the same paths, bit for bit, as the file without them.
    let off = scenario(
        "eta = 0.0\nzeta = 0.0\nretrain_every = 0\ngamma = 0.0",
        "eta = 0.0",
        "[adoption]\nreview_every = 0\nswitch_prob = 1.0",
        800,
        5,
    );
    let plain = scenario("", "", "", 800, 5);
    assert_eq!(
        fingerprint(&run_all(&off, 3)),
        fingerprint(&run_all(&plain, 3))
    );
}

/// The bundled twin pair `reference` / `scenario` with 5,000 firms, paired on 60 paths.
fn pair(reference: &str, scenario: &str) -> sim::aggregate::Comparison {
    let (a, b) = (with_firms(reference, 5000), with_firms(scenario, 5000));
    let (ra, rb) = (run_all(&a, 60), run_all(&b, 60));
    sim::aggregate::compare(&a, &ra, &b, &rb).expect("paired")
}

/// The 95% interval of the paired difference of `measure` lies above zero (`up`) or below it.
fn assert_direction(cmp: &sim::aggregate::Comparison, measure: &str, up: bool) {
    let d = cmp
        .measure(measure)
        .unwrap_or_else(|| panic!("{measure}"))
        .difference;
    let ok = if up { d.low > 0.0 } else { d.high < 0.0 };
    assert!(ok, "{measure}: {} [{}, {}]", d.mean, d.low, d.high);
}

#[test]
fn the_bundled_twin_pairs_show_the_directions_model_md_predicts() {
    // vendor-incident: the shared-model failure widens the east's credit gap far more under the
    // monoculture (all three eastern banks on vendor-a) than under diverse models.
    let cmp = pair("vendor-incident-diverse.toml", "vendor-incident.toml");
    assert_direction(&cmp, "credit_gap[east]", true);
    // vendor-drift: with no cap adoption concentrates (fewer effective families at the end than
    // under the cap, which holds the start's diversity) and banks switch more.
    let cmp = pair("vendor-drift-capped.toml", "vendor-drift.toml");
    assert_direction(&cmp, "final_effective_families", false);
    assert_direction(&cmp, "model_switches", true);
    // procyclical-retraining: the retraining after the bad spell tightens every adopter at once.
    let cmp = pair(
        "procyclical-retraining-frozen.toml",
        "procyclical-retraining.toml",
    );
    assert_direction(&cmp, "credit_gap", true);
    // regime-shift: models trained at 2% overrate firms at 5% (zeta > 0): more credit, more
    // losses, and more herding (their grown errors land on the same firms).
    let cmp = pair("regime-shift-frozen.toml", "regime-shift.toml");
    assert_direction(&cmp, "credit_gap", false);
    assert_direction(&cmp, "bank_losses", true);
    assert_direction(&cmp, "decision_agreement_excess", true);
}

#[test]
fn without_a_cap_adoption_ends_below_the_starting_number_of_families() {
    let s = with_firms("vendor-drift.toml", 4000);
    for p in run_all(&s, 12) {
        let first = p.quarters[0].effective_families;
        assert!(
            p.summary.final_effective_families < first,
            "path {}: {first} -> {}",
            p.path,
            p.summary.final_effective_families
        );
    }
}

#[test]
fn the_frozen_twins_are_the_v1_scenarios() {
    // regime-shift-frozen is rate-shock with the v1 families written out: the same paths.
    let a = run_all(&with_firms("regime-shift-frozen.toml", 2000), 3);
    let b = run_all(&with_firms("rate-shock.toml", 2000), 3);
    assert_eq!(fingerprint(&a), fingerprint(&b));
}

#[test]
fn bad_mechanism_parameters_are_refused_naming_the_field() {
    let base = |extra: &str, fam: &str| {
        format!(
            "version = 1\n[run]\nquarters = 4\n[[regions]]\nname = \"r\"\n\
             [[models.families]]\nname = \"a\"\n{fam}\n\
             [[banks]]\nid = \"b\"\nequity = 10.0\nsme_loans = 100.0\nregions = {{ r = 1.0 }}\n{extra}\n"
        )
    };
    let cases = [
        (
            base(
                "[[models.incidents]]\nfamily = \"zz\"\nat = 1\nkind = \"bias\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].family",
            "one of the families: a",
        ),
        (
            base(
                "[[models.incidents]]\nfamily = \"a\"\nat = 1\nrate = 0.1\nkind = \"bias\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].rate",
            "not both",
        ),
        (
            base(
                "[[models.incidents]]\nfamily = \"a\"\nkind = \"bias\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].at",
            "or `rate`",
        ),
        (
            base(
                "[[models.incidents]]\nfamily = \"a\"\nat = 9\nkind = \"bias\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].at",
            "run.quarters = 4",
        ),
        (
            base(
                "[[models.incidents]]\nat = 2\nkind = \"bias\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].family",
            "the family a scheduled incident hits",
        ),
        (
            base(
                "[[models.incidents]]\nfamily = \"a\"\nat = 1\nkind = \"spike\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].kind",
            "\"noise\" or \"bias\"",
        ),
        (
            base(
                "[[models.incidents]]\nfamily = \"a\"\nat = 1\nkind = \"noise\"\nseverity = -1.0",
                "",
            ),
            "models.incidents[0].severity",
            "at least 0",
        ),
        (
            base(
                "[[models.incidents]]\nrate = 1.5\nkind = \"noise\"\nseverity = 1.0",
                "",
            ),
            "models.incidents[0].rate",
            "[0, 1]",
        ),
        (base("", "eta = -0.1"), "models.families[0].eta", "[0, 10]"),
        (
            base("", "window = 0"),
            "models.families[0].window",
            "[1, 1000]",
        ),
        (
            base("[adoption]\nswitch_prob = 2.0", ""),
            "adoption.switch_prob",
            "[0, 1]",
        ),
        (
            base("[adoption]\nreview_every = 1.5", ""),
            "adoption.review_every",
            "",
        ),
    ];
    for (text, field, allowed) in cases {
        let err = sim::scenario::Scenario::from_toml_str(
            &text,
            "t.toml",
            &sim::scenario::MapSources::default(),
        )
        .expect_err(field)
        .to_string();
        assert!(
            err.contains(field) && err.contains(allowed),
            "{field}: {err}"
        );
    }
}
