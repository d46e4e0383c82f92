//! `compare`: scenarios on common random numbers, paired differences against the first.

use std::path::{Path, PathBuf};

use serde::Serialize;
use sim::aggregate::{Aggregates, Comparison};
use sim::montecarlo::Shard;
use sim::scenario::Scenario;

use super::{
    Finished, Monitor, Prepared, RunSettings, ServiceError, check_stop, prepare, report_html,
    run_one, warn, write_into,
};
use crate::error::Result;
use crate::input::Origin;
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir};
use crate::sweep::{Assignment, ParamPath};

/// A comparison of scenarios on common random numbers (`herdlab compare`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareRequest {
    /// The reference scenario A, then the scenarios compared with it (files or bundled names).
    pub scenarios: Vec<String>,
    /// Run settings; paths and seed default to A's, and apply to all.
    pub settings: RunSettings,
    /// Result folder [default: `results/compare-A-B...`].
    pub out: Option<PathBuf>,
    /// Replace an existing result folder.
    pub force: bool,
    /// Recorded in the manifests.
    pub command_line: Vec<String>,
}

/// A finished comparison, its folder written.
#[derive(Clone, Debug)]
pub struct CompareOutcome {
    /// The scenarios as run, the reference first.
    pub scenarios: Vec<Scenario>,
    /// Their folder names inside the result folder (scenario names made unique).
    pub names: Vec<String>,
    /// Each scenario's aggregates.
    pub aggregates: Vec<Aggregates>,
    /// Paired differences of each scenario after the first against the first.
    pub comparisons: Vec<Comparison>,
    /// The result folder.
    pub folder: PathBuf,
    /// report.html, when the settings asked for the report.
    pub report: Option<PathBuf>,
}

/// The assignments that make a scenario run on `reference`'s paths and seed: common random
/// numbers.
pub fn crn_overrides(reference: &Scenario) -> Result<Vec<Assignment>> {
    // A validated scenario's paths and seed are at most 1e9 and 2^53 - 1: exact as integers.
    let integer = |x: u64, what: &str| {
        i64::try_from(x)
            .map(toml::Value::Integer)
            .map_err(|_| ServiceError::Usage(format!("{what} {x}: out of range")))
    };
    Ok(vec![
        Assignment {
            path: ParamPath::parse("run.paths")?,
            value: integer(reference.run.paths, "paths")?,
        },
        Assignment {
            path: ParamPath::parse("run.seed")?,
            value: integer(reference.run.seed, "seed")?,
        },
    ])
}

/// Runs the scenarios on common random numbers and writes their result folders, the paired
/// differences against the first, `comparison.csv` and `comparison.json`.
pub fn compare(request: &CompareRequest, monitor: &dyn Monitor) -> Result<CompareOutcome> {
    if request.scenarios.len() < 2 {
        return Err(ServiceError::Usage(
            "a comparison needs a reference scenario and at least one other".into(),
        ));
    }
    let options = request.settings.options(Shard::WHOLE)?;
    let overrides = request.settings.overrides()?;
    let mut origins = Vec::new();
    for s in &request.scenarios {
        origins.push(Origin::resolve(s)?);
    }
    let mut prepared: Vec<Prepared> = Vec::new();
    for origin in origins {
        let assignments = match prepared.first() {
            // Every scenario runs on A's paths and seed: common random numbers.
            Some(a) => crn_overrides(&a.scenario)?,
            None => overrides.clone(),
        };
        let p = prepare(origin, &assignments, "")?;
        warn(monitor, &p, &mut Default::default());
        if let Some(a) = prepared.first() {
            // Refused before anything runs, not after.
            sim::aggregate::check_comparable(&a.scenario, &p.scenario)?;
        }
        prepared.push(p);
    }
    let names = output::unique_names(
        &prepared
            .iter()
            .map(|p| p.scenario.name.clone())
            .collect::<Vec<_>>(),
    );
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("compare-{}", names.join("-"))));
    AtomicDir::check(&out, request.force)?;
    let _lock = FolderLock::acquire(&out)?;
    let dir = AtomicDir::create(&out, request.force)?;
    let a = &prepared[0];
    let line = &request.command_line;
    let fa = run_one(monitor, a, &options, &names[0], line)?;
    let mut aggregates = vec![write_into(&dir.path().join(&names[0]), &a.scenario, &fa)?];
    let mut comparisons = Vec::new();
    for (p, name) in prepared.iter().zip(&names).skip(1) {
        let f = run_one(monitor, p, &options, name, line)?;
        aggregates.push(write_into(&dir.path().join(name), &p.scenario, &f)?);
        comparisons.push(sim::aggregate::compare(
            &a.scenario,
            &fa.paths,
            &p.scenario,
            &f.paths,
        )?);
    }
    let others: Vec<&Scenario> = prepared.iter().skip(1).map(|p| &p.scenario).collect();
    write_comparison_index(dir.path(), &a.scenario, &others, &names, &comparisons)?;
    check_stop(monitor)?;
    let folder = dir.commit()?;
    let report = if request.settings.report {
        report_html(&folder)?
    } else {
        None
    };
    Ok(CompareOutcome {
        scenarios: prepared.into_iter().map(|p| p.scenario).collect(),
        names,
        aggregates,
        comparisons,
        folder,
        report,
    })
}

/// The folder name `herdlab compare` gives a comparison of these scenarios:
/// `compare-A-B...` of their unique names.
pub fn comparison_folder(scenarios: &[&Scenario]) -> String {
    let names = output::unique_names(&scenarios.iter().map(|s| s.name.clone()).collect::<Vec<_>>());
    format!("compare-{}", names.join("-"))
}

/// Writes a comparison already run as `herdlab compare` writes it, to `out` (atomically,
/// replacing an existing folder only when `force`): `runs[0]` is the reference and
/// `comparisons[i]` the paired differences of `runs[i + 1]` against it. Returns the folder.
pub fn write_comparison_folder(
    out: &Path,
    force: bool,
    runs: &[(&Scenario, &Finished)],
    comparisons: &[Comparison],
) -> Result<PathBuf> {
    let names = output::unique_names(&runs.iter().map(|(s, _)| s.name.clone()).collect::<Vec<_>>());
    let Some(((reference, _), others)) = runs.split_first() else {
        return Err(ServiceError::Usage(
            "a comparison needs a reference scenario".into(),
        ));
    };
    AtomicDir::check(out, force)?;
    let _lock = FolderLock::acquire(out)?;
    let dir = AtomicDir::create(out, force)?;
    for ((s, f), name) in runs.iter().zip(&names) {
        write_into(&dir.path().join(name), s, f)?;
    }
    let others: Vec<&Scenario> = others.iter().map(|(s, _)| *s).collect();
    write_comparison_index(dir.path(), reference, &others, &names, comparisons)?;
    dir.commit()
}

/// One row of `comparison.csv` per measure.
fn comparison_rows(reference: &str, scenario: &str, c: &Comparison) -> Vec<Vec<String>> {
    c.measures
        .iter()
        .chain(&c.region_gap)
        .map(|m| {
            let d = &m.difference;
            vec![
                scenario.to_string(),
                reference.to_string(),
                m.name.clone(),
                m.unit.clone(),
                d.n.to_string(),
                output::num(d.mean_a),
                output::num(d.mean_b),
                output::num(d.mean),
                output::num(d.std_error),
                output::num(d.low),
                output::num(d.high),
                output::num(d.confidence),
                output::num(d.correlation),
            ]
        })
        .collect()
}

#[derive(Serialize)]
struct ComparisonEntry<'a> {
    scenario: &'a str,
    folder: &'a str,
    comparison: &'a Comparison,
}

#[derive(Serialize)]
struct ComparisonFile<'a> {
    format: &'static str,
    format_version: u32,
    reference: &'a str,
    reference_folder: &'a str,
    seed: u64,
    paths: u64,
    comparisons: Vec<ComparisonEntry<'a>>,
}

/// Writes the index of a comparison folder, `comparison.csv` and `comparison.json`, as
/// `herdlab compare` does: `reference` runs in folder `names[0]`, `others[i]` in `names[i + 1]`
/// with paired differences `comparisons[i]` against the reference.
pub fn write_comparison_index(
    dir: &Path,
    reference: &Scenario,
    others: &[&Scenario],
    names: &[String],
    comparisons: &[Comparison],
) -> Result<()> {
    if names.len() != others.len() + 1 || comparisons.len() != others.len() {
        return Err(ServiceError::Usage(
            "a comparison needs one folder name per scenario and one comparison per variant".into(),
        ));
    }
    let rows: Vec<Vec<String>> = names
        .iter()
        .skip(1)
        .zip(comparisons)
        .flat_map(|(name, c)| comparison_rows(&names[0], name, c))
        .collect();
    let header: Vec<String> = [
        "scenario",
        "reference",
        "measure",
        "unit",
        "n",
        "mean_reference",
        "mean_scenario",
        "difference",
        "std_error",
        "low",
        "high",
        "confidence",
        "correlation",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    output::write_csv(&dir.join("comparison.csv"), &header, &rows)?;
    let file = ComparisonFile {
        format: "herdlab-comparison",
        format_version: output::FORMAT_VERSION,
        reference: &reference.name,
        reference_folder: &names[0],
        seed: reference.run.seed,
        paths: reference.run.paths,
        comparisons: others
            .iter()
            .zip(names.iter().skip(1))
            .zip(comparisons)
            .map(|((s, n), c)| ComparisonEntry {
                scenario: &s.name,
                folder: n,
                comparison: c,
            })
            .collect(),
    };
    output::write_json(&dir.join("comparison.json"), &file)?;
    Ok(())
}
