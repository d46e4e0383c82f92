//! Contagion inside the engine (MODEL.md §6–7): switches, hand-computed cascades through the
//! whole quarter loop, loss attribution, reconstruction, shocks and the classic network experiment.

mod common;

use std::path::PathBuf;

use common::*;
use sim::model::Model;
use sim::results::QuarterRecord;
use sim::scenario::{FsSources, MapSources, Scenario};

fn with_base(base: &str, extra: &str) -> Scenario {
    let path = scenarios_dir().join(base);
    let text = format!("base = {:?}\n{extra}", path.display().to_string());
    Scenario::from_toml_str(&text, "test.toml", &FsSources).unwrap_or_else(|e| panic!("{e}"))
}

/// The rate shock with every channel on, a bank failure, an asset-price fall and a regional shock.
const STRESS: &str = r#"
[contagion.interbank]
clearing = "eisenberg-noe"
[contagion.interbank.network]
kind = "reconstructed"
[contagion.fire_sales]
lev_max = 15.0
lev_target = 13.0
assets = [{ name = "gov", depth = 200000.0, share = 0.7 }, { name = "corp", depth = 50000.0, share = 0.3 }]
[[shocks]]
kind = "bank-failure"
quarter = 3
banks = ["E3"]
asset_loss = 0.3
[[shocks]]
kind = "asset-price"
quarter = 4
asset = "gov"
size = 0.1
[[shocks]]
kind = "regional"
quarter = 2
region = "east"
size = -1.5
"#;

fn small(s: Scenario) -> Scenario {
    Scenario {
        firms: sim::scenario::Firms {
            count: 3000,
            ..s.firms.clone()
        },
        ..s
    }
}

#[test]
fn channels_switched_off_give_the_engine_results_bit_for_bit() {
    let plain = small(bundled("rate-shock.toml"));
    let off = small(with_base(
        "rate-shock.toml",
        "[contagion.interbank]\nenabled = false\n[contagion.fire_sales]\nenabled = false\nassets = [{ name = \"gov\", depth = 1.0, share = 1.0 }]\n",
    ));
    assert!(off.contagion.interbank.is_none() && off.contagion.fire_sales.is_none());
    assert_eq!(
        fingerprint(&run_all(&plain, 4)),
        fingerprint(&run_all(&off, 4))
    );
}

#[test]
fn a_network_with_no_failure_leaves_the_credit_results_unchanged() {
    // Interbank clearing only acts when a bank is insolvent and fire sales only when leverage is
    // above lev_max: with neither, credit results match the plain run (to rounding: the network's
    // row sums replace the declared interbank totals), and the draws are shared.
    let plain = small(bundled("baseline.toml"));
    let on = small(with_base(
        "baseline.toml",
        "[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 3.0\n[contagion.fire_sales]\nassets = [{ name = \"gov\", depth = 1000.0, share = 1.0 }]\n",
    ));
    let (a, b) = (run_all(&plain, 3), run_all(&on, 3));
    for (pa, pb) in a.iter().zip(&b) {
        for (qa, qb) in pa.quarters.iter().zip(&pb.quarters) {
            assert_eq!(qa.rate.to_bits(), qb.rate.to_bits());
            assert_eq!(qb.loss_interbank + qb.loss_fire_sales, 0.0);
            for name in ["supply", "credit_gap", "firm_defaults", "loss_credit"] {
                let (x, y) = (qa.get(name).unwrap_or(0.0), qb.get(name).unwrap_or(0.0));
                assert!(
                    (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                    "{name}: {x} vs {y}"
                );
            }
        }
        assert!(
            pb.quarters.iter().any(|q| q.debtrank > 0.0),
            "DebtRank of credit losses is reported"
        );
    }
}

/// Three banks, firms off: A owes B 10 and C 10. A fails at quarter 1 losing its equity and a
/// quarter of its external assets (5 + 0.25 x 40 = 15), leaving external net worth
/// e_A = E + IBL - IB = -10 + 20 - 0 = 10 for its interbank creditors.
fn triangle(clearing: &str) -> Scenario {
    let text = format!(
        r#"
version = 1
[run]
quarters = 1
probe_firms = 0
[rates]
sigma = 0.0
[firms]
count = 0
weight = 1.0
[[regions]]
name = "r"
[[models.families]]
name = "m"
[[banks]]
id = "A"
equity = 5.0
other_assets = 40.0
interbank_liabilities = 20.0
[[banks]]
id = "B"
equity = 8.0
interbank_assets = 10.0
other_assets = 90.0
[[banks]]
id = "C"
equity = 4.0
interbank_assets = 10.0
other_assets = 30.0
[contagion.interbank]
{clearing}
[contagion.interbank.network]
kind = "explicit"
path = "x.csv"
[[shocks]]
kind = "bank-failure"
quarter = 1
banks = ["A"]
asset_loss = 0.25
"#
    );
    let mut files = MapSources::default();
    files.0.insert(
        PathBuf::from("t/x.csv"),
        "lender,A,B,C\nA,0,0,0\nB,10,0,0\nC,10,0,0\n".into(),
    );
    Scenario::from_toml_str(&text, "t/triangle.toml", &files).unwrap_or_else(|e| panic!("{e}"))
}

fn final_equity(s: &Scenario) -> (Vec<f64>, QuarterRecord) {
    let p = run_all(s, 1).remove(0);
    (
        p.banks.iter().map(|b| b.final_equity).collect(),
        p.quarters[0].clone(),
    )
}

#[test]
fn eisenberg_noe_in_the_loop_matches_the_hand_computation() {
    // A pays its external net worth 10 of the 20 it owes: B and C each lose 5. B keeps 3; C is
    // left with -1 and fails (nobody is exposed to C).
    let (e, q) = final_equity(&triangle("clearing = \"eisenberg-noe\""));
    assert!(
        (e[1] - 3.0).abs() < 1e-9 && (e[2] + 1.0).abs() < 1e-9,
        "{e:?}"
    );
    assert!((q.loss_interbank - 10.0).abs() < 1e-9);
    assert!((q.loss_shock - 15.0).abs() < 1e-9);
    assert_eq!(q.bank_failures, 2.0);
    // DebtRank: h_A = 1; W_BA = min(1, 10/8) = W_CA = min(1, 10/4) = 1, so B and C are fully
    // distressed: R = (8 + 4) / (5 + 8 + 4) in both forms.
    assert!((q.debtrank - 12.0 / 17.0).abs() < 1e-9, "{}", q.debtrank);
    assert!((q.debtrank_single_hit - 12.0 / 17.0).abs() < 1e-9);
}

#[test]
fn rogers_veraart_in_the_loop_matches_the_hand_computation() {
    // With alpha = 0.5, A pays 0.5 x 10 = 5: B and C lose 7.5 each; B keeps 0.5, C ends at -3.5.
    let (e, q) = final_equity(&triangle(
        "clearing = \"rogers-veraart\"\nalpha = 0.5\nbeta = 1.0",
    ));
    assert!(
        (e[1] - 0.5).abs() < 1e-9 && (e[2] + 3.5).abs() < 1e-9,
        "{e:?}"
    );
    assert!((q.loss_interbank - 15.0).abs() < 1e-9);
}

#[test]
fn furfine_in_the_loop_matches_the_hand_computation() {
    // lgd 0.6 on exposures of 10: B and C lose 6 each; B keeps 2, C ends at -2 and fails.
    let (e, q) = final_equity(&triangle("clearing = \"furfine\"\nlgd = 0.6"));
    assert!(
        (e[1] - 2.0).abs() < 1e-9 && (e[2] + 2.0).abs() < 1e-9,
        "{e:?}"
    );
    assert_eq!(q.bank_failures, 2.0);
}

#[test]
fn every_unit_of_lost_equity_is_attributed_to_one_channel() {
    let s = small(with_base("rate-shock.toml", STRESS));
    let paths = run_all(&s, 4);
    let mut channels_seen = [0.0f64; 5];
    for p in &paths {
        for (i, b) in p.banks.iter().enumerate() {
            let start = s.banks[i].equity;
            let losses =
                b.loss_credit + b.loss_bonds + b.loss_interbank + b.loss_fire_sales + b.loss_shock;
            let expected = start + b.income - losses;
            assert!(
                (b.final_equity - expected).abs() <= 1e-9 * start.max(1.0),
                "bank {i}: {} vs {expected}",
                b.final_equity
            );
            // Per quarter, the bank's channels add up to its totals.
            let nb = s.banks.len();
            let per_quarter: f64 = p
                .bank_quarters
                .iter()
                .skip(i)
                .step_by(nb)
                .map(|q| q.loss_interbank + q.loss_fire_sales)
                .sum();
            assert!(
                (per_quarter - b.loss_interbank - b.loss_fire_sales).abs() <= 1e-9 * start.max(1.0)
            );
        }
        // The system's quarterly channel totals are the banks' sums.
        for (t, q) in p.quarters.iter().enumerate() {
            let nb = s.banks.len();
            let banks = &p.bank_quarters[t * nb..(t + 1) * nb];
            let sum = |f: fn(&sim::results::BankQuarter) -> f64| banks.iter().map(f).sum::<f64>();
            assert!((sum(|b| b.loss_credit) - q.loss_credit).abs() < 1e-6);
            assert!((sum(|b| b.loss_interbank) - q.loss_interbank).abs() < 1e-6);
            assert!((sum(|b| b.loss_fire_sales) - q.loss_fire_sales).abs() < 1e-6);
            assert!((sum(|b| b.loss_shock) - q.loss_shock).abs() < 1e-6);
            channels_seen[0] += q.loss_credit;
            channels_seen[1] += q.loss_bonds.abs();
            channels_seen[2] += q.loss_interbank;
            channels_seen[3] += q.loss_fire_sales;
            channels_seen[4] += q.loss_shock;
        }
    }
    assert!(
        channels_seen.iter().all(|&x| x > 0.0),
        "every channel is exercised: {channels_seen:?}"
    );
}

#[test]
fn fire_sale_prices_never_rise() {
    let s = small(with_base("rate-shock.toml", STRESS));
    for p in run_all(&s, 4) {
        let prices: Vec<f64> = p.quarters.iter().map(|q| q.asset_price).collect();
        assert!(prices.windows(2).all(|w| w[1] <= w[0]), "{prices:?}");
        assert!(prices.last().is_some_and(|&x| x < 1.0), "{prices:?}");
    }
}

#[test]
fn the_asset_price_shock_costs_every_holder_its_share() {
    let s = small(with_base(
        "baseline.toml",
        "[rates]\nsigma = 0.0\n[contagion.fire_sales]\nlev_max = 1000.0\nlev_target = 900.0\nassets = [{ name = \"gov\", depth = 1e12, share = 0.5 }]\n[[shocks]]\nkind = \"asset-price\"\nquarter = 1\nasset = \"gov\"\nsize = 0.2\n",
    ));
    let bonds: f64 = s.banks.iter().map(|b| b.bonds).sum();
    for p in run_all(&s, 2) {
        assert!((p.quarters[0].loss_shock - bonds * 0.5 * 0.2).abs() < 1e-6 * bonds);
        assert!((p.quarters[0].asset_price - 0.8).abs() < 1e-12);
    }
}

#[test]
fn a_regional_shock_raises_that_quarters_defaults_path_by_path() {
    // A lower regional factor lowers every firm's latent variable in that region and nothing
    // else, so on common random numbers defaults can only rise.
    let plain = small(bundled("baseline.toml"));
    let shocked = small(with_base(
        "baseline.toml",
        "[[shocks]]\nkind = \"regional\"\nquarter = 2\nregion = \"east\"\nsize = -2.0\n",
    ));
    let (a, b) = (run_all(&plain, 6), run_all(&shocked, 6));
    for (pa, pb) in a.iter().zip(&b) {
        assert_eq!(pa.quarters[0], pb.quarters[0], "quarter 1 is untouched");
        assert!(pb.quarters[1].firm_defaults > pa.quarters[1].firm_defaults);
    }
}

#[test]
fn reconstructed_networks_reproduce_the_interbank_totals() {
    for method in ["ras", "minimum-density"] {
        let s = with_base(
            "eu-banks-2018.toml",
            &format!(
                "[contagion.interbank.network]\nkind = \"reconstructed\"\nmethod = {method:?}\n"
            ),
        );
        let model = Model::new(&s).expect("network");
        let x = model.exposures.as_ref().expect("exposures");
        let scale: f64 = s.banks.iter().map(|b| b.interbank_assets).sum();
        for (i, b) in s.banks.iter().enumerate() {
            assert_eq!(x[(i, i)], 0.0);
            assert!(
                (x.row(i).sum() - b.interbank_assets).abs() <= 1e-9 * scale,
                "{method} row {i}"
            );
            assert!(
                (x.column(i).sum() - b.interbank_liabilities).abs() <= 1e-9 * scale,
                "{method} column {i}"
            );
        }
    }
}

#[test]
fn generated_networks_are_reproducible_and_follow_the_seed() {
    let net = "[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 3.0\nweights = \"equal\"\n";
    let a = with_base("baseline.toml", net);
    let mut b = a.clone();
    b.run.seed += 1;
    let exposures = |s: &Scenario| Model::new(s).expect("network").exposures.expect("x");
    let (xa, xa2, xb) = (exposures(&a), exposures(&a), exposures(&b));
    assert_eq!(xa, xa2);
    assert_ne!(xa, xb);
    // Equal weights: each lender's interbank assets split evenly over its borrowers.
    for (i, bank) in a.banks.iter().enumerate() {
        assert!(
            (xa.row(i).sum() - bank.interbank_assets).abs() < 1e-9 * bank.interbank_assets.max(1.0)
        );
    }
}

#[test]
fn ras_weights_meet_the_totals_or_are_refused() {
    // On the complete graph maximum-entropy weights match assets and liabilities.
    let dense = with_base(
        "baseline.toml",
        "[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 9.0\nweights = \"ras\"\n",
    );
    let x = Model::new(&dense).expect("network").exposures.expect("x");
    let scale: f64 = dense.banks.iter().map(|b| b.interbank_assets).sum();
    let total_l: f64 = dense.banks.iter().map(|b| b.interbank_liabilities).sum();
    for (i, b) in dense.banks.iter().enumerate() {
        assert!((x.row(i).sum() - b.interbank_assets).abs() <= 1e-8 * scale);
        assert!(
            (x.column(i).sum() - b.interbank_liabilities * scale / total_l).abs() <= 1e-8 * scale
        );
    }
    // Too sparse a network cannot carry the banks' totals: refused, not silently wrong.
    let sparse = with_base(
        "baseline.toml",
        "[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 1.0\nweights = \"ras\"\n",
    );
    let err = Model::new(&sparse).expect_err("infeasible").to_string();
    assert!(
        err.contains("did not match the banks' interbank totals"),
        "{err}"
    );
}

#[test]
fn the_classic_cascade_experiment() {
    let s = bundled("interbank-cascade.toml");
    assert_eq!(s.banks.len(), 1000);
    let paths = run_all(&s, 12);
    let shares: Vec<f64> = paths.iter().map(|p| p.summary.failed_bank_share).collect();
    // At least the initial failure; cascades sweep most of the system on some paths.
    assert!(shares.iter().all(|&x| x >= 0.001));
    assert!(shares.iter().any(|&x| x > 0.5), "{shares:?}");
    // With equity above the whole interbank book no bank can fail from counterparty losses.
    let mut safe = s.clone();
    for b in &mut safe.banks {
        b.equity = 21.0;
        b.other_assets -= 17.0;
    }
    for p in run_all(&safe, 6) {
        assert_eq!(p.summary.failed_bank_share, 0.001);
    }
}

#[test]
fn shocks_and_networks_refuse_bad_references() {
    let bad = |extra: &str| {
        let path = scenarios_dir().join("baseline.toml");
        let text = format!("base = {:?}\n{extra}", path.display().to_string());
        Scenario::from_toml_str(&text, "test.toml", &FsSources)
            .expect_err("invalid")
            .to_string()
    };
    let msg = bad("[[shocks]]\nkind = \"bank-failure\"\nquarter = 2\nbanks = [\"ZZ\"]\n");
    assert!(msg.contains("shocks[0].banks[0] = \"ZZ\""), "{msg}");
    let msg = bad("[[shocks]]\nkind = \"asset-price\"\nquarter = 2\nasset = \"gov\"\nsize = 0.1\n");
    assert!(
        msg.contains("shocks[0].asset = \"gov\"") && msg.contains("fire sales are off"),
        "{msg}"
    );
    let msg = bad("[contagion.interbank]\nclearing = \"magic\"\n");
    assert!(
        msg.contains("contagion.interbank.clearing = \"magic\""),
        "{msg}"
    );
    let msg = bad("[contagion.interbank]\nlgd = 0.5\n");
    assert!(msg.contains("contagion.interbank.lgd"), "{msg}");
    let msg = bad("[contagion.interbank.network]\nkind = \"explicit\"\npath = \"nope.csv\"\n");
    assert!(msg.contains("nope.csv"), "{msg}");
    let msg = bad(
        "[contagion.fire_sales]\nlev_max = 10.0\nlev_target = 20.0\nassets = [{ name = \"a\", depth = 1.0, share = 1.0 }]\n",
    );
    assert!(
        msg.contains("contagion.fire_sales.lev_target = 20"),
        "{msg}"
    );
}

#[test]
fn holdings_per_bank_decide_who_an_asset_price_fall_hits() {
    let text = r#"
version = 1
[run]
quarters = 1
[rates]
sigma = 0.0
[firms]
count = 0
weight = 1.0
[[regions]]
name = "r"
[[models.families]]
name = "m"
[[banks]]
id = "GOV"
equity = 10.0
bonds = 100.0
holdings = { gov = 1.0, corp = 0.0 }
[[banks]]
id = "CORP"
equity = 10.0
bonds = 100.0
holdings = { corp = 1.0, gov = 0.0 }
[[banks]]
id = "MIX"
equity = 10.0
bonds = 100.0
[contagion.fire_sales]
lev_max = 1000.0
lev_target = 900.0
assets = [{ name = "gov", depth = 1e12, share = 0.25 }, { name = "corp", depth = 1e12, share = 0.75 }]
[[shocks]]
kind = "asset-price"
quarter = 1
asset = "gov"
size = 0.1
"#;
    let s = parse(text);
    let p = run_all(&s, 1).remove(0);
    let shock: Vec<f64> = p.banks.iter().map(|b| b.loss_shock).collect();
    assert!(
        (shock[0] - 10.0).abs() < 1e-12 && shock[1].abs() < 1e-12 && (shock[2] - 2.5).abs() < 1e-12,
        "{shock:?}"
    );
    // A class the fire sales do not have is refused, naming the bank.
    let err = Scenario::from_toml_str(
        &text.replace("corp = 0.0 }", "tips = 0.0 }"),
        "t.toml",
        &MapSources::default(),
    )
    .expect_err("unknown class")
    .to_string();
    assert!(err.contains("bank \"GOV\" holdings.tips"), "{err}");
}

#[test]
fn eu_banks_hold_their_published_bond_split() {
    let s = bundled("eu-banks-2018.toml");
    let at01 = s.banks.iter().find(|b| b.id == "AT01").expect("AT01");
    let gov = at01.holdings.iter().find(|(n, _)| n == "gov").map(|x| x.1);
    assert_eq!(gov, Some(27695.0 / (27695.0 + 6545.0)));
}
