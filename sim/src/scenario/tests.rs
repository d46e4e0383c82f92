use std::path::{Path, PathBuf};

use super::*;
use crate::error::{Error, Problem, Result};

const MINIMAL: &str = r#"
version = 1
[[regions]]
name = "north"
[[regions]]
name = "south"
firm_share = 3.0
[[models.families]]
name = "A"
[[models.families]]
name = "B"
[[banks]]
id = "B1"
equity = 10.0
sme_loans = 100.0
other_assets = 50.0
family = "A"
regions = { north = 1.0, south = 1.0 }
[[banks]]
id = "B2"
equity = 5.0
sme_loans = 40.0
family = "B"
regions = { south = 1.0 }
"#;

fn parse(text: &str) -> Result<Scenario> {
    Scenario::from_toml_str(text, "test.toml", &MapSources::default())
}

fn problems(text: &str) -> Vec<Problem> {
    match parse(text) {
        Err(Error::Invalid { problems, .. }) => problems,
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn minimal_scenario_takes_defaults() {
    let s = parse(MINIMAL).expect("valid");
    assert_eq!(s.run.paths, 1000);
    assert_eq!(s.run.quarters, 12);
    assert_eq!(s.firms.lgd, 0.45);
    assert_eq!(s.regions[1].firm_share, 0.75);
    assert_eq!(s.banks[0].regions, vec![(0, 0.5), (1, 0.5)]);
    assert_eq!(s.banks[1].family, 1);
    assert_eq!(s.banks[0].params.threshold, -0.5);
    // weight calibrates expected SME credit to the banks' books: 140 / (10,000 * E[d]).
    let mean_need = (0.5f64 * 0.8 * 0.8).exp();
    assert!((s.firms.weight - 140.0 / (10_000.0 * mean_need)).abs() < 1e-15);
    assert_eq!(s.rates.shock, Shock::None);
}

#[test]
fn every_bad_value_is_reported_with_field_value_and_range() {
    let text = MINIMAL.replace(
        "version = 1",
        "version = 1\n[firms]\nlgd = 1.5\npd_cutoff = -0.1\n[run]\nquarters = 0",
    );
    let p = problems(&text);
    let find = |path: &str| {
        p.iter()
            .find(|x| x.path == path)
            .unwrap_or_else(|| panic!("{path} not in {p:?}"))
    };
    assert_eq!(find("firms.lgd").value, "1.5");
    assert!(find("firms.lgd").allowed.contains("[0, 1]"));
    assert!(find("firms.pd_cutoff").allowed.contains("(0, 1]"));
    assert_eq!(find("run.quarters").value, "0");
    let msg = parse(&text).expect_err("invalid").to_string();
    assert!(msg.starts_with("test.toml: 3 invalid value(s)"), "{msg}");
    assert!(msg.contains("firms.lgd = 1.5: must be in [0, 1]"), "{msg}");
}

#[test]
fn unknown_fields_are_errors_naming_the_field() {
    let text = MINIMAL.replace(
        "[[models.families]]\nname = \"A\"",
        "[[models.families]]\nname = \"A\"\nsimilarity = 0.3",
    );
    let msg = parse(&text).expect_err("unknown field").to_string();
    assert!(msg.contains("test.toml"), "{msg}");
    assert!(msg.contains("unknown field `similarity`"), "{msg}");
    let msg = parse(&MINIMAL.replace("equity = 5.0", "equity = 5.0\nequity_ratio = 0.1"))
        .expect_err("unknown")
        .to_string();
    assert!(msg.contains("equity_ratio"), "{msg}");
}

#[test]
fn wrong_types_and_bad_toml_are_parse_errors() {
    let msg = parse(&MINIMAL.replace("equity = 5.0", "equity = \"five\""))
        .expect_err("type")
        .to_string();
    assert!(msg.contains("test.toml") && msg.contains("equity"), "{msg}");
    let msg = parse("version = 1\n[run\npaths = 3")
        .expect_err("syntax")
        .to_string();
    assert!(msg.starts_with("test.toml:"), "{msg}");
}

#[test]
fn missing_and_wrong_version() {
    let p = problems(&MINIMAL.replace("version = 1", ""));
    assert!(
        p.iter()
            .any(|x| x.path == "version" && x.value == "(missing)")
    );
    let p = problems(&MINIMAL.replace("version = 1", "version = 7"));
    assert!(p.iter().any(|x| x.path == "version" && x.value == "7"));
}

#[test]
fn references_to_unknown_regions_and_families_are_named() {
    let p = problems(
        &MINIMAL
            .replace("regions = { south = 1.0 }", "regions = { west = 1.0 }")
            .replace("family = \"B\"", "family = \"Z\""),
    );
    assert!(
        p.iter()
            .any(|x| x.path == "banks[1].regions.west" && x.allowed.contains("\"north\"")),
        "{p:?}"
    );
    assert!(
        p.iter()
            .any(|x| x.path == "banks[1].family" && x.value == "\"Z\""),
        "{p:?}"
    );
}

#[test]
fn duplicate_ids_and_names_are_refused() {
    let p = problems(&MINIMAL.replace("id = \"B2\"", "id = \"B1\""));
    assert!(
        p.iter().any(|x| x.path == "banks" && x.value == "\"B1\""),
        "{p:?}"
    );
    let p = problems(&MINIMAL.replace("name = \"south\"", "name = \"north\""));
    assert!(p.iter().any(|x| x.path == "regions[1].name"), "{p:?}");
}

#[test]
fn factor_loadings_must_leave_room_for_the_firm() {
    let p = problems(&MINIMAL.replace(
        "version = 1",
        "version = 1\n[firms]\nrho_global = 0.6\nrho_region = 0.5",
    ));
    assert!(p.iter().any(|x| x.path == "firms.rho_region"), "{p:?}");
}

#[test]
fn nan_and_infinity_are_refused() {
    let p = problems(&MINIMAL.replace("equity = 5.0", "equity = nan"));
    assert!(
        p.iter()
            .any(|x| x.path == "banks[1].equity" && x.value == "nan"),
        "{p:?}"
    );
    let p = problems(&MINIMAL.replace("version = 1", "version = 1\n[rates]\nsigma = inf"));
    assert!(
        p.iter()
            .any(|x| x.path == "rates.sigma" && x.value == "inf"),
        "{p:?}"
    );
}

#[test]
fn shocks_of_every_kind() {
    let with = |shock: &str| {
        parse(&MINIMAL.replace(
            "version = 1",
            &format!("version = 1\n[run]\nquarters = 4\n[rates.shock]\n{shock}"),
        ))
    };
    let s = with("kind = \"step\"\nsize = 3.0\nat = 2").expect("step");
    assert_eq!(
        (1..=4).map(|t| s.rates.shock.at(t)).collect::<Vec<_>>(),
        vec![0.0, 3.0, 3.0, 3.0]
    );
    let s = with("kind = \"ramp\"\nsize = 3.0\nstart = 2\nend = 4").expect("ramp");
    assert_eq!(
        (1..=5).map(|t| s.rates.shock.at(t)).collect::<Vec<_>>(),
        vec![0.0, 1.0, 2.0, 3.0, 3.0]
    );
    let s = with("kind = \"path\"\nvalues = [0.5, 1.0, 1.5, 1.0]").expect("path");
    assert_eq!(s.rates.shock.at(3), 1.5);
    let err = with("kind = \"path\"\nvalues = [0.5]").expect_err("length");
    assert!(
        err.to_string()
            .contains("rates.shock.values = 1 value(s): one value per quarter: 4"),
        "{err}"
    );
    let err = with("kind = \"step\"\nsize = 3.0\nvalues = [1.0]").expect_err("unused");
    assert!(err.to_string().contains("rates.shock.values"), "{err}");
    let err = with("kind = \"jump\"").expect_err("kind");
    assert!(
        err.to_string().contains("rates.shock.kind = \"jump\""),
        "{err}"
    );
}

#[test]
fn bank_groups_generate_reproducible_banks() {
    let text = r#"
version = 1
[[regions]]
name = "r1"
[[regions]]
name = "r2"
[[regions]]
name = "r3"
[[models.families]]
name = "A"
[[models.families]]
name = "B"
[[bank_groups]]
prefix = "G"
count = 12
assets = { dist = "lognormal", median = 1000.0, sigma = 1.0 }
equity_ratio = 0.1
sme_share = 0.4
bond_share = 0.2
interbank_share = 0.1
regions = ["r1", "r2", "r3"]
regions_each = 2
families = ["A", "B"]
threshold = -1.0
"#;
    let a = parse(text).expect("valid");
    let b = parse(text).expect("valid");
    assert_eq!(a, b);
    assert_eq!(a.banks.len(), 12);
    assert_eq!(a.banks[0].id, "G01");
    assert_eq!(a.banks[11].id, "G12");
    let bank = &a.banks[0];
    let assets = bank.assets();
    assert!((bank.equity / assets - 0.1).abs() < 1e-12);
    assert!((bank.sme_loans / assets - 0.4).abs() < 1e-12);
    assert!((bank.other_assets / assets - 0.3).abs() < 1e-12);
    assert_eq!(bank.regions.len(), 2);
    assert_eq!(a.banks[1].family, 1);
    assert_eq!(bank.params.threshold, -1.0);
    assert!(
        a.banks
            .iter()
            .map(|b| b.assets())
            .any(|x| (x - assets).abs() > 1.0),
        "sizes vary"
    );
    // Shares above 1 are refused, naming the group.
    let p = problems(&text.replace("sme_share = 0.4", "sme_share = 0.8"));
    assert!(
        p.iter().any(|x| x.path == "bank_groups[0].sme_share"),
        "{p:?}"
    );
}

#[test]
fn adoption_shares_assign_by_assets() {
    let text = r#"
version = 1
[[regions]]
name = "r"
[[models.families]]
name = "A"
[[models.families]]
name = "B"
[adoption]
shares = { A = 0.75, B = 0.25 }
[[bank_groups]]
prefix = "G"
count = 8
assets = { dist = "fixed", value = 100.0 }
regions = ["r"]
"#;
    let s = parse(text).expect("valid");
    let shares = s.family_shares();
    assert!(
        (shares[0] - 0.75).abs() < 1e-12 && (shares[1] - 0.25).abs() < 1e-12,
        "{shares:?}"
    );
    let p = problems(&text.replace("B = 0.25", "B = 0.5"));
    assert!(p.iter().any(|x| x.path == "adoption.shares"), "{p:?}");
    let p = problems(&text.replace("shares = { A = 0.75, B = 0.25 }", ""));
    assert!(
        p.iter()
            .any(|x| x.path == "adoption.shares" && x.allowed.contains("\"G01\"")),
        "{p:?}"
    );
}

#[test]
fn diversity_cap_moves_smallest_banks_of_the_largest_family() {
    let text = r#"
version = 1
[[regions]]
name = "r"
[[models.families]]
name = "A"
[[models.families]]
name = "B"
[[models.families]]
name = "C"
[[banks]]
id = "big"
equity = 10.0
other_assets = 400.0
family = "A"
[[banks]]
id = "mid"
equity = 10.0
other_assets = 300.0
family = "A"
[[banks]]
id = "small"
equity = 10.0
other_assets = 200.0
family = "A"
[[banks]]
id = "tiny"
equity = 10.0
other_assets = 100.0
family = "B"
[policy.diversity_cap]
cap = 0.4
[firms]
weight = 1.0
"#;
    let s = parse(text).expect("valid");
    // Start: A 0.9, B 0.1, C 0. Move "small" (0.2) to C: A 0.7. Move "mid" (0.3) to B
    // (0.1 < 0.2): A 0.4, B 0.4, C 0.2. Done.
    let moves: Vec<(&str, &str)> = s
        .policy
        .reassignments
        .iter()
        .map(|m| (m.bank.as_str(), m.to.as_str()))
        .collect();
    assert_eq!(moves, vec![("small", "C"), ("mid", "B")]);
    let shares = s.family_shares();
    assert!(shares.iter().all(|&x| x <= 0.4 + 1e-12), "{shares:?}");
    // A cap no whole-bank move can meet is an error with the best share reachable.
    let p = problems(&text.replace("cap = 0.4", "cap = 0.3"));
    assert!(
        p.iter()
            .any(|x| x.path == "policy.diversity_cap.cap" && x.allowed.contains("0.4")),
        "{p:?}"
    );
}

#[test]
fn base_files_are_merged_and_the_child_wins() {
    let mut files = MapSources::default();
    files
        .0
        .insert(PathBuf::from("dir/base.toml"), MINIMAL.to_string());
    let child = "base = \"base.toml\"\nname = \"child\"\n[models]\nsimilarity = 0.9\n";
    files
        .0
        .insert(PathBuf::from("dir/child.toml"), child.to_string());
    let s = Scenario::load(Path::new("dir/child.toml"), &files).expect("valid");
    assert_eq!(s.name, "child");
    assert_eq!(s.models.similarity, 0.9);
    assert_eq!(s.banks.len(), 2);
    let s2 = Scenario::from_toml_str(child, "dir/child.toml", &files).expect("valid");
    assert_eq!(s, s2);
    // loops are refused
    files.0.insert(
        PathBuf::from("dir/loop.toml"),
        "base = \"loop.toml\"\nversion = 1\n".into(),
    );
    let err = Scenario::load(Path::new("dir/loop.toml"), &files).expect_err("loop");
    assert!(err.to_string().contains("loop"), "{err}");
    // a missing base names the file
    let err =
        Scenario::from_toml_str("base = \"nope.toml\"", "dir/x.toml", &files).expect_err("missing");
    assert!(
        err.to_string()
            .contains("dir/nope.toml (named by dir/x.toml base): cannot read"),
        "{err}"
    );
}

#[test]
fn csv_banks_in_our_format() {
    let mut files = MapSources::default();
    files.0.insert(
        PathBuf::from("s/banks.csv"),
        "id,equity,sme_loans,bonds,interbank_assets,interbank_liabilities,other_assets,family,regions\n\
         X1,10,100,20,5,5,30,A,north:0.25;south:0.75\n\
         X2,8,50,10,0,0,20,,south\n"
            .into(),
    );
    let text = MINIMAL.replace(
        "[[banks]]\nid = \"B2\"",
        "[[bank_files]]\npath = \"banks.csv\"\nfamilies = [\"B\"]\n[[banks]]\nid = \"B2\"",
    );
    let s = Scenario::from_toml_str(&text, "s/scn.toml", &files).expect("valid");
    let x1 = s.banks.iter().find(|b| b.id == "X1").expect("X1");
    assert_eq!(x1.family, 0);
    assert_eq!(x1.regions, vec![(0, 0.25), (1, 0.75)]);
    let x2 = s.banks.iter().find(|b| b.id == "X2").expect("X2");
    assert_eq!(x2.family, 1, "round-robin family from the file entry");
    // A bad cell names the file, row and column.
    files.0.insert(
        PathBuf::from("s/banks.csv"),
        "id,equity,sme_loans\nX1,-3,abc\n".into(),
    );
    let err = Scenario::from_toml_str(&text, "s/scn.toml", &files)
        .expect_err("bad cells")
        .to_string();
    assert!(
        err.contains("s/banks.csv: row 2, column equity = -3"),
        "{err}"
    );
    assert!(
        err.contains("s/banks.csv: row 2, column sme_loans = \"abc\""),
        "{err}"
    );
    files
        .0
        .insert(PathBuf::from("s/banks.csv"), "name,capital\n".into());
    let err = Scenario::from_toml_str(&text, "s/scn.toml", &files)
        .expect_err("bad header")
        .to_string();
    assert!(err.contains("missing column(s): id, equity"), "{err}");
    let err = Scenario::from_toml_str(&text.replace("banks.csv", "gone.csv"), "s/scn.toml", &files)
        .expect_err("missing");
    assert!(err.to_string().contains("s/gone.csv"), "{err}");
}

#[test]
fn csv_rw_other_is_checked_against_the_bank_rw_other_range() {
    // Regression (issue 16): the column was looked up as `banks[].rw_other`, not a parameter, and
    // release builds checked it against the first entry of the table (`run.paths`, [1, 1e9]):
    // 0.5 was refused and 20 accepted.
    let text = MINIMAL.replace(
        "[[banks]]\nid = \"B2\"",
        "[[bank_files]]\npath = \"banks.csv\"\n[[banks]]\nid = \"B2\"",
    );
    let files = |rw_other: &str| {
        let mut files = MapSources::default();
        files.0.insert(
            PathBuf::from("s/banks.csv"),
            format!("id,equity,sme_loans,regions,family,rw_other\nX1,10,100,north,A,{rw_other}\n"),
        );
        files
    };
    let s = Scenario::from_toml_str(&text, "s/scn.toml", &files("0.5")).expect("valid");
    let x1 = s.banks.iter().find(|b| b.id == "X1").expect("X1");
    assert_eq!(x1.params.rw_other, 0.5);
    let err = Scenario::from_toml_str(&text, "s/scn.toml", &files("20"))
        .expect_err("above the range of bank.rw_other")
        .to_string();
    assert!(
        err.contains("s/banks.csv: row 2, column rw_other = 20: a finite number >= 0 and <= 10"),
        "{err}"
    );
}

#[test]
fn docs_parameter_table_is_current() {
    let doc = include_str!("../../../docs/scenario.md");
    let table = params::markdown_table();
    assert!(
        doc.contains(&table),
        "docs/scenario.md's parameter table is out of date; replace it with:\n{table}"
    );
}

#[test]
fn data_paths_in_a_base_file_are_relative_to_that_file() {
    // Regression: a base file's bank CSV was looked up beside the child file.
    let root = std::env::temp_dir().join(format!("herdlab-base-paths-{}", std::process::id()));
    let (a, b) = (root.join("a"), root.join("b"));
    std::fs::create_dir_all(&a).expect("mkdir");
    std::fs::create_dir_all(&b).expect("mkdir");
    let base = MINIMAL.replace(
        "[[banks]]\nid = \"B2\"",
        "[[bank_files]]\npath = \"banks.csv\"\nfamilies = [\"B\"]\n[[banks]]\nid = \"B2\"",
    );
    std::fs::write(a.join("base.toml"), base).expect("write");
    std::fs::write(
        a.join("banks.csv"),
        "id,equity,sme_loans,regions\nX1,10,100,north\n",
    )
    .expect("write");
    std::fs::write(
        b.join("child.toml"),
        "base = \"../a/base.toml\"\nname = \"child\"\n",
    )
    .expect("write");
    let s = Scenario::load(&b.join("child.toml"), &FsSources).expect("loads");
    assert!(s.banks.iter().any(|x| x.id == "X1"));
    let text = std::fs::read_to_string(b.join("child.toml")).expect("read");
    let s2 = Scenario::from_toml_str(
        &text,
        &b.join("child.toml").display().to_string(),
        &FsSources,
    )
    .expect("loads");
    assert_eq!(s, s2);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn hostile_files_get_short_clear_errors() {
    // Deeply nested values hit the parser's recursion limit: an error, not a crash; and the
    // offending line is not echoed whole.
    let deep = format!(
        "version = 1\na = {}{}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let msg = parse(&deep).expect_err("too deep").to_string();
    assert!(
        msg.starts_with("test.toml:"),
        "{}",
        &msg[..200.min(msg.len())]
    );
    assert!(
        msg.lines().all(|l| l.chars().count() <= 200),
        "a line of {} chars",
        msg.lines().map(str::len).max().unwrap_or(0)
    );
    let msg = parse("").expect_err("empty").to_string();
    assert!(msg.contains("version = (missing)"), "{msg}");
    // Not UTF-8: the file and the byte offset.
    let dir = std::env::temp_dir().join(format!("herdlab-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let f = dir.join("bin.toml");
    std::fs::write(&f, [b'v', 0xff, 0xfe]).expect("write");
    let msg = Scenario::load(&f, &FsSources)
        .expect_err("binary")
        .to_string();
    assert!(
        msg.contains("bin.toml") && msg.contains("not UTF-8") && msg.contains("offset 1"),
        "{msg}"
    );
    // A huge file is refused by its size before it is read (a sparse file: no disk used).
    let huge = dir.join("huge.toml");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(3 << 30))
        .expect("sparse file");
    let msg = Scenario::load(&huge, &FsSources)
        .expect_err("huge")
        .to_string();
    assert!(
        msg.contains("huge.toml: cannot read: the file is 3072.0 MiB; scenario and data files are read whole, up to 256 MiB"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
