//! Entry points of the fuzz targets in `fuzz/` (`cargo +nightly fuzz run scenario`), kept in the
//! library so that the inputs the fuzzers found, saved in `fuzz/regressions/`, also run under
//! `cargo test` (see `sim/tests/fuzz_regressions.rs`).
//!
//! Each function feeds arbitrary bytes to the scenario parser and validator, or to a data-file
//! loader, and checks the contract of docs/robustness.md: the input is accepted or refused with
//! an error that names the file (and, for an error located in a file, a line of that file),
//! and nothing panics. The bytes are tried as the scenario itself and as a `base` file that
//! another scenario names, and a data file as one named directly and as one named by a base
//! file in another folder. Every money amount of a valid scenario is finite and at most
//! [`MAX_MONEY`]; valid scenarios small enough to run in a few milliseconds are also compiled and
//! run for one path, whose every quarter measure must be finite.

use std::collections::BTreeMap;
use std::path::PathBuf;

use std::path::Path;

use crate::error::Error;
use crate::model::Model;
use crate::results::{PathSummary, QuarterRecord};
use crate::scenario::params::MAX_MONEY;
use crate::scenario::{MapSources, Scenario};

/// The scenario file name fuzzed text is given.
pub const SCENARIO_FILE: &str = "fuzz/scenario.toml";

/// The data file fuzzed CSV text is given.
pub const DATA_FILE: &str = "fuzz/data.csv";

/// Checks that an error names the file it is about.
fn check_error(e: &Error, file: &str) {
    let text = e.to_string();
    assert!(!text.is_empty(), "an empty error message");
    assert!(
        text.contains(file) || text.contains("fuzz/"),
        "the error does not name the file {file}: {text}"
    );
}

/// Checks that an error located in `file` (whose text is `text`) points at one of its lines.
fn check_location(e: &Error, file: &str, text: &str) {
    if let Error::Parse {
        file: f,
        at: Some(at),
        ..
    } = e
        && f.starts_with(file)
    {
        let lines = text.lines().count().max(1);
        assert!(
            at.line >= 1 && at.line <= lines + 1 && at.column >= 1,
            "{file}: line {} of a {lines}-line file: {e}",
            at.line
        );
        assert!(!at.field.is_empty(), "a located error with no field: {e}");
    }
}

/// Checks that every money amount of a valid scenario's banks is finite and within the bound.
fn check_amounts(s: &Scenario) {
    for b in &s.banks {
        for x in [
            b.equity,
            b.sme_loans,
            b.bonds,
            b.interbank_assets,
            b.interbank_liabilities,
            b.other_assets,
        ] {
            assert!(
                x.is_finite() && x.abs() <= MAX_MONEY,
                "bank {}: an amount of {x} passed validation",
                b.id
            );
        }
    }
}

/// Runs one path of a valid scenario if it is small, and checks its measures are finite.
fn run_if_small(s: &Scenario) {
    check_amounts(s);
    let small = s.firms.count <= 2_000
        && s.banks.len() <= 40
        && s.run.quarters <= 8
        && s.run.probe_firms <= 200;
    if !small {
        return;
    }
    let model = match Model::new(s) {
        Ok(m) => m,
        Err(e) => {
            check_error(&e, SCENARIO_FILE);
            return;
        }
    };
    match model.simulate_path(0) {
        Ok(path) => {
            for q in &path.quarters {
                for (m, v) in QuarterRecord::MEASURES.iter().zip(q.values()) {
                    assert!(v.is_finite(), "quarter measure {} = {v}", m.name);
                }
            }
            for (m, v) in PathSummary::MEASURES.iter().zip(path.summary.values()) {
                assert!(v.is_finite(), "path measure {} = {v}", m.name);
            }
        }
        Err(e) => {
            // Iteration limits and similar refusals are errors, not panics; they say what hit.
            assert!(!e.to_string().is_empty());
        }
    }
}

/// A scenario file's bytes: parsed and validated (with `base = "base.toml"` and one data file
/// available), and run for one path when valid and small.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("fuzz/base.toml"), BASE.to_string());
    files.insert(PathBuf::from(DATA_FILE), BANKS_CSV.to_string());
    let mut sources = MapSources(files);
    match Scenario::from_toml_str(text, SCENARIO_FILE, &sources) {
        Ok(s) => run_if_small(&s),
        Err(e) => {
            check_error(&e, SCENARIO_FILE);
            check_location(&e, SCENARIO_FILE, text);
        }
    }
    // The same bytes as a base file another scenario names (a chain child -> fuzzed ->
    // base.toml when the fuzzed text names one): errors located in it must be its own lines.
    sources
        .0
        .insert(PathBuf::from(FUZZED_BASE_FILE), text.to_string());
    sources
        .0
        .insert(PathBuf::from(CHILD_FILE), CHILD.to_string());
    match Scenario::load(Path::new(CHILD_FILE), &sources) {
        Ok(s) => check_amounts(&s),
        Err(e) => {
            check_error(&e, CHILD_FILE);
            check_location(&e, FUZZED_BASE_FILE, text);
        }
    }
}

/// Where [`scenario`] puts the fuzzed bytes when a child scenario names them as its base.
pub const FUZZED_BASE_FILE: &str = "fuzz/fuzzed.toml";

/// The child scenario naming the fuzzed bytes as its base.
pub const CHILD_FILE: &str = "fuzz/child.toml";

/// The child's text: a few overrides over the fuzzed base.
const CHILD: &str = "base = \"fuzzed.toml\"\nname = \"child\"\n[run]\nquarters = 2\n";

/// A data file's bytes, loaded by the loader the first byte picks (see [`load_data_file`]).
pub fn data_file(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(csv) = std::str::from_utf8(rest) else {
        return;
    };
    match load_data_file(which, csv) {
        Ok(s) => run_if_small(&s),
        Err(e) => check_error(&e, SCENARIO_FILE),
    }
    // The same data file named by a base file in another folder: resolved against the base
    // file, and every error names a file.
    match load_data_file_through_base(which, csv) {
        Ok(s) => check_amounts(&s),
        Err(e) => check_error(&e, "fuzz/"),
    }
}

/// [`load_data_file`] with the scenario that names the data file as the base of another one:
/// `fuzz/child.toml` names `data/base.toml`, which names `data.csv` (so `fuzz/data/data.csv`).
pub fn load_data_file_through_base(which: u8, csv: &str) -> crate::error::Result<Scenario> {
    let base = data_scenario(which);
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("fuzz/data/data.csv"), csv.to_string());
    files.insert(PathBuf::from("fuzz/data/base.toml"), base);
    files.insert(
        PathBuf::from(CHILD_FILE),
        "base = \"data/base.toml\"\nname = \"child\"\n".to_string(),
    );
    Scenario::load(Path::new(CHILD_FILE), &MapSources(files))
}

/// Validates a scenario that reads `csv` as [`DATA_FILE`] with the loader `which % 3` picks: 0 our
/// bank CSV, 1 the EBA 2018 compilation, 2 an explicit interbank exposure matrix.
pub fn load_data_file(which: u8, csv: &str) -> crate::error::Result<Scenario> {
    let scenario = data_scenario(which);
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from(DATA_FILE), csv.to_string());
    Scenario::from_toml_str(&scenario, SCENARIO_FILE, &MapSources(files))
}

/// The scenario that reads `data.csv` with the loader `which % 3` picks.
fn data_scenario(which: u8) -> String {
    match which % 3 {
        0 => format!("{BASE}\n[[bank_files]]\npath = \"data.csv\"\nfamilies = [\"A\", \"B\"]\n"),
        1 => format!(
            "{BASE}{EBA_REGIONS}\n[[bank_files]]\npath = \"data.csv\"\nformat = \"eba2018\"\n\
             families = [\"A\", \"B\"]\n"
        ),
        _ => format!(
            "{BASE}\n[contagion.interbank]\nclearing = \"eisenberg-noe\"\n\
             [contagion.interbank.network]\nkind = \"explicit\"\npath = \"data.csv\"\n"
        ),
    }
}

/// A small valid scenario the fuzzed files build on.
pub const BASE: &str = r#"version = 1
[run]
paths = 1
quarters = 2
probe_firms = 20
[firms]
count = 200
[[regions]]
name = "north"
[[regions]]
name = "south"
[[models.families]]
name = "A"
[[models.families]]
name = "B"
[[banks]]
id = "B1"
equity = 10.0
sme_loans = 100.0
other_assets = 50.0
interbank_assets = 5.0
interbank_liabilities = 5.0
family = "A"
regions = { north = 1.0, south = 1.0 }
[[banks]]
id = "B2"
equity = 5.0
sme_loans = 40.0
interbank_assets = 5.0
interbank_liabilities = 5.0
family = "B"
regions = { south = 1.0 }
"#;

/// Regions named by the countries of the EBA 2018 compilation, for its loader.
const EBA_REGIONS: &str = "\n[[regions]]\nname = \"AT\"\n[[regions]]\nname = \"BE\"\n\
    [[regions]]\nname = \"DE\"\n[[regions]]\nname = \"DK\"\n[[regions]]\nname = \"ES\"\n\
    [[regions]]\nname = \"FI\"\n[[regions]]\nname = \"FR\"\n[[regions]]\nname = \"HU\"\n\
    [[regions]]\nname = \"IE\"\n[[regions]]\nname = \"IT\"\n[[regions]]\nname = \"NL\"\n\
    [[regions]]\nname = \"NO\"\n[[regions]]\nname = \"PL\"\n[[regions]]\nname = \"SE\"\n\
    [[regions]]\nname = \"UK\"\n";

/// A bank file in our format, for scenarios that name `data.csv`.
pub const BANKS_CSV: &str =
    "id,equity,sme_loans,regions\nX1,10,100,north\nX2,4,30,north:0.5;south:0.5\n";
