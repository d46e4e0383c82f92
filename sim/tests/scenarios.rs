//! Every bundled scenario parses, says what it shows, and runs a few paths.

mod common;

use common::*;
use sim::results::QuarterRecord;

fn bundled_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

#[test]
fn the_bundled_set_is_complete() {
    let names = bundled_files();
    for required in [
        "baseline.toml",
        "rate-shock.toml",
        "regional-monoculture.toml",
        "regional-monoculture-diverse.toml",
        "diversity-cap.toml",
        "herding-alarm.toml",
        "eu-banks-2018.toml",
        "bench-standard.toml",
        "interbank-cascade.toml",
    ] {
        assert!(
            names.iter().any(|n| n == required),
            "{required} missing from scenarios/"
        );
    }
}

#[test]
fn every_bundled_scenario_has_a_header_parses_and_runs() {
    for name in bundled_files() {
        let text = std::fs::read_to_string(scenarios_dir().join(&name)).expect("read");
        assert!(
            text.starts_with("# "),
            "{name}: no comment header saying what it shows"
        );
        let s = bundled(&name);
        assert!(!s.description.is_empty(), "{name}: no description");
        if name == "china-scale.toml" {
            // 52 million firms and 4,000 banks: a minute and 3.3 GiB a path (measured in
            // docs/performance.md); its memory estimate is checked instead.
            let model = sim::model::Model::new(&s).expect("china-scale compiles");
            let gib = model.path_bytes() as f64 / f64::from(1u32 << 30);
            assert!(
                (2.0..8.0).contains(&gib),
                "china-scale estimate {gib:.2} GiB"
            );
            continue;
        }
        let paths = run_all(&s, 2);
        assert_eq!(paths.len(), 2);
        for p in &paths {
            assert_eq!(p.quarters.len(), s.run.quarters as usize);
            for q in &p.quarters {
                for (v, m) in q.values().iter().zip(QuarterRecord::MEASURES) {
                    assert!(v.is_finite(), "{name}: {} = {v}", m.name);
                }
                assert!(q.credit_gap <= q.creditworthy_demand + 1e-9);
                assert!(
                    (q.gap_rejected + q.gap_no_capacity - q.credit_gap).abs()
                        <= 1e-9 * q.credit_gap.max(1.0)
                );
            }
        }
    }
}

#[test]
fn the_twins_differ_in_one_switch_only() {
    let mono = bundled("regional-monoculture.toml");
    let twin = bundled("regional-monoculture-diverse.toml");
    let fam = |s: &sim::scenario::Scenario, id: &str| {
        let b = s.banks.iter().find(|b| b.id == id).expect(id);
        s.models.families[b.family].name.clone()
    };
    assert_eq!(
        [fam(&mono, "E1"), fam(&mono, "E2"), fam(&mono, "E3")],
        ["vendor-a"; 3]
    );
    assert_eq!(
        [fam(&twin, "E1"), fam(&twin, "E2"), fam(&twin, "E3")],
        ["vendor-a", "vendor-b", "vendor-c"]
    );
    let mut same = twin.clone();
    same.name = mono.name.clone();
    same.description = mono.description.clone();
    for (b, m) in same.banks.iter_mut().zip(&mono.banks) {
        b.family = m.family;
    }
    assert_eq!(same, mono);
}

#[test]
fn eu_banks_match_the_published_balance_sheets() {
    let s = bundled("eu-banks-2018.toml");
    assert_eq!(s.banks.len(), 48);
    let at01 = s.banks.iter().find(|b| b.id == "AT01").expect("AT01");
    assert_eq!(at01.equity, 14712.0);
    assert_eq!(at01.bonds, 27695.0 + 6545.0);
    // Risk-weighted assets at the start equal CET1 / CET1 ratio.
    let rwa = s.banking.rw_sme * at01.sme_loans
        + s.banking.rw_bonds * at01.bonds
        + s.banking.rw_interbank * at01.interbank_assets
        + at01.params.rw_other * at01.other_assets;
    assert!((rwa - 14712.0 / 0.1337).abs() < 1e-6 * rwa, "{rwa}");
    let ia: f64 = s.banks.iter().map(|b| b.interbank_assets).sum();
    let il: f64 = s.banks.iter().map(|b| b.interbank_liabilities).sum();
    assert!((ia - il).abs() < 1e-6 * ia);
}

#[test]
fn the_diversity_cap_scenario_meets_its_cap() {
    let s = bundled("diversity-cap.toml");
    assert!(!s.policy.reassignments.is_empty());
    assert!(
        s.family_shares().iter().all(|&x| x <= 0.35 + 1e-12),
        "{:?}",
        s.family_shares()
    );
}
