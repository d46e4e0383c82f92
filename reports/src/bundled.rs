//! The bundled scenarios, embedded in the program so that `herdlab run baseline` works from any
//! directory. They are served through [`sim::scenario::MapSources`] under the virtual folder
//! `scenarios/`, so `base` references and data files resolve as they do in the repository.

use std::path::PathBuf;
use std::sync::OnceLock;

use sim::scenario::MapSources;

/// A bundled scenario file.
#[derive(Clone, Copy, Debug)]
pub struct Bundled {
    /// Its name (the file name without `.toml`).
    pub name: &'static str,
    /// The file's text.
    pub text: &'static str,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(Bundled { name: $name, text: include_str!(concat!("../../scenarios/", $name, ".toml")) }),*]
    };
}

/// Every bundled scenario, by name.
pub const SCENARIOS: &[Bundled] = bundled![
    "baseline",
    "rate-shock",
    "regional-monoculture",
    "regional-monoculture-diverse",
    "diversity-cap",
    "herding-alarm",
    "eu-banks-2018",
    "eba-2018-adverse",
    "china-region",
    "china-region-diverse",
    "bench-standard",
    "interbank-cascade",
    "regime-shift",
    "regime-shift-frozen",
    "procyclical-retraining",
    "procyclical-retraining-frozen",
    "vendor-drift",
    "vendor-drift-capped",
    "vendor-incident",
    "vendor-incident-diverse",
    "china-scale",
];

/// Bundled scenarios too large for the tests that run every bundled scenario (they are parsed
/// and checked there; their runs are measured in docs/performance.md): `china-scale`, 52 million
/// firms and 4,000 banks, takes about a minute and 3.3 GiB a path.
pub const HEAVY: &[&str] = &["china-scale"];

/// Bundled data files, by path relative to `scenarios/`.
pub const DATA: &[(&str, &str)] = &[(
    "data/eba2018_banks.csv",
    include_str!("../../scenarios/data/eba2018_banks.csv"),
)];

/// The virtual folder the bundled files live in.
pub const DIR: &str = "scenarios";

impl Bundled {
    /// The virtual path of the file, e.g. `scenarios/baseline.toml`.
    pub fn path(&self) -> PathBuf {
        PathBuf::from(DIR).join(format!("{}.toml", self.name))
    }

    /// The `description` field of the scenario (empty if it has none).
    pub fn description(&self) -> String {
        let own = toml::from_str::<toml::Table>(self.text).ok().and_then(|t| {
            t.get("description")
                .and_then(|d| d.as_str().map(String::from))
        });
        own.unwrap_or_default()
    }
}

/// A bundled scenario by name (with or without `.toml`, with or without `scenarios/`).
pub fn find(name: &str) -> Option<&'static Bundled> {
    let name = name.strip_prefix("scenarios/").unwrap_or(name);
    let name = name.strip_suffix(".toml").unwrap_or(name);
    SCENARIOS.iter().find(|b| b.name == name)
}

/// Every bundled file, served from memory.
pub fn sources() -> &'static MapSources {
    static SOURCES: OnceLock<MapSources> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let mut files = MapSources::default();
        for b in SCENARIOS {
            files.0.insert(b.path(), b.text.to_string());
        }
        for (path, text) in DATA {
            files
                .0
                .insert(PathBuf::from(DIR).join(path), (*text).to_string());
        }
        files
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_scenario_is_valid_and_described() {
        for b in SCENARIOS {
            let s = sim::scenario::Scenario::load(&b.path(), sources())
                .unwrap_or_else(|e| panic!("{}: {e}", b.name));
            assert_eq!(s.name, b.name);
            assert!(!s.description.is_empty(), "{}", b.name);
        }
    }

    #[test]
    fn every_scenario_file_in_the_repository_is_bundled() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("scenarios folder")
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(String::from))
            .filter_map(|n| n.strip_suffix(".toml").map(String::from))
            .collect();
        names.sort();
        let mut bundled: Vec<String> = SCENARIOS.iter().map(|b| b.name.to_string()).collect();
        bundled.sort();
        assert_eq!(names, bundled);
    }
}
