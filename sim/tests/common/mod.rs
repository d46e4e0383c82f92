//! Shared helpers for the engine's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sim::montecarlo::{RunOptions, Shard, Silent, run};
use sim::results::PathResult;
use sim::scenario::{FsSources, MapSources, Scenario};

/// The repository's `scenarios/` folder.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scenarios")
}

/// Loads a bundled scenario by file name.
pub fn bundled(name: &str) -> Scenario {
    Scenario::load(&scenarios_dir().join(name), &FsSources)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A bundled scenario with `firms` firms (a test's firm count sets its run time, not its
/// coverage: every code path of the quarter loop runs with a few thousand firms).
pub fn with_firms(name: &str, firms: usize) -> Scenario {
    let s = bundled(name);
    Scenario {
        firms: sim::scenario::Firms {
            count: firms,
            ..s.firms.clone()
        },
        ..s
    }
}

/// Parses scenario text with no data files.
pub fn parse(text: &str) -> Scenario {
    Scenario::from_toml_str(text, "test.toml", &MapSources::default())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `paths` paths (or the scenario's) on `threads` threads, shard `shard`.
pub fn run_with(s: &Scenario, paths: Option<u64>, threads: usize, shard: Shard) -> Vec<PathResult> {
    let opts = RunOptions {
        paths,
        shard,
        threads: Some(threads),
        max_memory: None,
    };
    run(s, &opts, &Silent)
        .unwrap_or_else(|e| panic!("{e}"))
        .paths
}

/// Runs all paths on two threads.
pub fn run_all(s: &Scenario, paths: u64) -> Vec<PathResult> {
    run_with(s, Some(paths), 2, Shard::WHOLE)
}

/// A bit-exact fingerprint of results: Debug formatting prints the shortest representation that
/// round-trips, so two floats print alike only when their bits are equal (for non-NaN values).
pub fn fingerprint(paths: &[PathResult]) -> String {
    format!("{paths:?}")
}

/// A one-region scenario with `banks` identical banks, each using its own family or all one.
pub struct Small {
    pub banks: usize,
    pub families: usize,
    pub similarity: f64,
    pub fine_tuning: f64,
    pub firms: usize,
    pub quarters: u32,
    pub extra: String,
    pub firms_extra: String,
}

impl Default for Small {
    fn default() -> Self {
        Small {
            banks: 5,
            families: 5,
            similarity: 0.5,
            fine_tuning: 0.1,
            firms: 2000,
            quarters: 4,
            extra: String::new(),
            firms_extra: String::new(),
        }
    }
}

impl Small {
    /// The scenario text.
    pub fn text(&self) -> String {
        let mut s = format!(
            "version = 1\n{extra}\n[run]\nquarters = {q}\nseed = 7\n\n[[regions]]\nname = \"r\"\n\n[models]\nsimilarity = {sim}\n",
            extra = self.extra,
            q = self.quarters,
            sim = self.similarity
        );
        for m in 0..self.families {
            s.push_str(&format!(
                "\n[[models.families]]\nname = \"f{m}\"\nerror_scale = 0.5\nrate_reaction = 0.2\n"
            ));
        }
        for b in 0..self.banks {
            s.push_str(&format!(
                "\n[[banks]]\nid = \"b{b}\"\nequity = 100.0\nsme_loans = 1000.0\nother_assets = 200.0\nfamily = \"f{}\"\nfine_tuning = {}\nregions = {{ r = 1.0 }}\n",
                b % self.families,
                self.fine_tuning
            ));
        }
        s.push_str(&format!(
            "\n[firms]\ncount = {}\nweight = 0.5\n{}\n",
            self.firms, self.firms_extra
        ));
        s
    }

    /// The scenario.
    pub fn scenario(&self) -> Scenario {
        parse(&self.text())
    }
}
