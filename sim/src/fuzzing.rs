//! Entry points of the fuzz targets in `fuzz/` (`cargo +nightly fuzz run scenario`), kept in the
//! library so that the inputs the fuzzers found, saved in `fuzz/regressions/`, also run under
//! `cargo test` (see `sim/tests/fuzz_regressions.rs`).
//!
//! Each function feeds arbitrary bytes to the scenario parser and validator, or to a data-file
//! loader, and checks the contract of docs/robustness.md: the input is accepted or refused with
//! an error that names the file, and nothing panics. Valid scenarios small enough to run in a few
//! milliseconds are also compiled and run for one path, whose every quarter measure must be
//! finite.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::error::Error;
use crate::model::Model;
use crate::results::{PathSummary, QuarterRecord};
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

/// Runs one path of a valid scenario if it is small, and checks its measures are finite.
fn run_if_small(s: &Scenario) {
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
    let sources = MapSources(files);
    match Scenario::from_toml_str(text, SCENARIO_FILE, &sources) {
        Ok(s) => run_if_small(&s),
        Err(e) => check_error(&e, SCENARIO_FILE),
    }
}

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
}

/// Validates a scenario that reads `csv` as [`DATA_FILE`] with the loader `which % 3` picks: 0 our
/// bank CSV, 1 the EBA 2018 compilation, 2 an explicit interbank exposure matrix.
pub fn load_data_file(which: u8, csv: &str) -> crate::error::Result<Scenario> {
    let scenario = match which % 3 {
        0 => format!("{BASE}\n[[bank_files]]\npath = \"data.csv\"\nfamilies = [\"A\", \"B\"]\n"),
        1 => format!(
            "{BASE}{EBA_REGIONS}\n[[bank_files]]\npath = \"data.csv\"\nformat = \"eba2018\"\n\
             families = [\"A\", \"B\"]\n"
        ),
        _ => format!(
            "{BASE}\n[contagion.interbank]\nclearing = \"eisenberg-noe\"\n\
             [contagion.interbank.network]\nkind = \"explicit\"\npath = \"data.csv\"\n"
        ),
    };
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from(DATA_FILE), csv.to_string());
    Scenario::from_toml_str(&scenario, SCENARIO_FILE, &MapSources(files))
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
