//! Helpers for the whole-scenario benchmarks in `benches/`: loading bundled scenarios.
//!
//! Run the benchmarks with `cargo bench -p herdlab-benches`.

use std::path::PathBuf;

use sim::scenario::{FsSources, Scenario};

/// The repository's `scenarios/` folder.
pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scenarios")
}

/// Loads a bundled scenario by file name.
pub fn bundled(name: &str) -> sim::Result<Scenario> {
    Scenario::load(&scenarios_dir().join(name), &FsSources)
}

#[cfg(test)]
mod tests {
    #[test]
    fn benchmark_scenarios_load() {
        for name in [
            "bench-standard.toml",
            "eu-banks-2018.toml",
            "interbank-cascade.toml",
        ] {
            assert!(super::bundled(name).is_ok(), "{name}");
        }
    }
}
