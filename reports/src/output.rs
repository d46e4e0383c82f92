//! Result folders: writing them atomically, and reading back what `merge` needs.
//!
//! A result folder holds `manifest.json`, `summary.json`, `quarters.csv`, `paths.csv`,
//! `paths.parquet`, `path_quarters.csv`, `path_quarters.parquet` and `paths.jsonl` (see `docs/outputs.md`). Everything but
//! `manifest.json` depends only on the scenario and the path results, so a merged set of shards
//! writes the same bytes as one unsharded run. Folders are built under a hidden sibling
//! `.<name>.partial-<pid>` and renamed into place as the last step ([`AtomicDir`]). The manifest
//! records the SHA-256 digest of every data file, and readers check a folder against it
//! ([`verify_folder`]) before they use it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sim::aggregate::{
    Aggregates, BankFailure, CONFIDENCE, MeasureStats, QUARTER_QUANTILES, QuarterStats,
};
use sim::results::{FamilyQuarter, PathResult, PathSummary, QuarterRecord};
use sim::scenario::Scenario;
use sim::stats::{Proportion, Summary, TailRisk};

use crate::error::{Error, Result};
use crate::input::ScenarioInput;

/// Format tag of `manifest.json`.
pub const MANIFEST_FORMAT: &str = "herdlab-result";
/// Format tag of `summary.json`.
pub const SUMMARY_FORMAT: &str = "herdlab-summary";
/// Version of the result folder layout.
pub const FORMAT_VERSION: u32 = 1;
/// The program version written to manifests.
pub const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The files of a result folder, in the order they are written (the manifest last).
pub const FILES: [&str; 9] = [
    "paths.jsonl",
    "paths.csv",
    "paths.parquet",
    "path_quarters.csv",
    "path_quarters.parquet",
    "path_families.csv",
    "quarters.csv",
    "summary.json",
    "manifest.json",
];

/// Which part of the paths a result holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// Shard number, 1-based (`--shard I/K` gives `I`).
    pub index: u64,
    /// Number of shards.
    pub count: u64,
    /// First path index held (0-based).
    pub first_path: u64,
    /// One past the last path index held.
    pub end_path: u64,
}

/// A shard that went into a merged result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergedShard {
    /// The shard's folder as given to `merge`.
    pub dir: String,
    /// Its shard.
    pub shard: ShardInfo,
    /// When it started (RFC 3339, UTC).
    pub started: String,
    /// When it finished.
    pub finished: String,
    /// Threads it used.
    pub threads: usize,
}

/// `manifest.json`: how a result was made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_FORMAT`].
    pub format: String,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `herdlab`.
    pub program: String,
    /// Program version.
    pub version: String,
    /// The random-number scheme the paths were drawn with ([`sim::rng::DRAW_SCHEME`]); 1 in
    /// folders written before herdlab recorded it. Results of two schemes differ by Monte Carlo
    /// noise only, and are never merged or resumed into one another.
    #[serde(default = "draw_scheme_1")]
    pub draw_scheme: u32,
    /// The command line, argument by argument.
    pub command_line: Vec<String>,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// End time, RFC 3339 UTC.
    pub finished: String,
    /// Scenario name.
    pub scenario_name: String,
    /// Scenario file, or `bundled:NAME`.
    pub scenario_origin: String,
    /// Seed of the run.
    pub seed: u64,
    /// Total paths of the run (all shards).
    pub paths: u64,
    /// The shard this folder holds.
    pub shard: ShardInfo,
    /// Worker threads.
    pub threads: usize,
    /// Memory limit in bytes, if any.
    pub max_memory: Option<u64>,
    /// Values set on top of the scenario file (`run.seed = 7`, sweep values), in order applied.
    pub overrides: Vec<String>,
    /// For a merged result, the shards merged; empty otherwise.
    pub merged_from: Vec<MergedShard>,
    /// For a run continued by `herdlab run --resume`, when each resumption started (RFC 3339
    /// UTC); absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<String>,
    /// The SHA-256 digest of each data file of the folder (every file of [`FILES`] but
    /// `manifest.json`), by file name, as 64 lowercase hexadecimal digits; empty (absent from the
    /// file) in folders written before herdlab recorded digests, and in checkpoints.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sha256: BTreeMap<String, String>,
    /// What the scenario was built from: merged TOML with overrides, and data files.
    pub input: ScenarioInput,
    /// The resolved, validated scenario.
    pub scenario: serde_json::Value,
}

/// The draw scheme of a manifest that does not name one (written before herdlab recorded it).
fn draw_scheme_1() -> u32 {
    1
}

/// The hidden sibling `.NAME.SUFFIX` of the result folder `target` (its checkpoint, its lock);
/// `NAME` is `result` when `target` has no file name.
pub(crate) fn hidden_sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "result".into());
    target
        .parent()
        .unwrap_or(Path::new(""))
        .join(format!(".{name}.{suffix}"))
}

/// A folder being built under a temporary name, renamed into place by [`AtomicDir::commit`] and
/// removed if dropped uncommitted.
#[derive(Debug)]
pub struct AtomicDir {
    target: PathBuf,
    temp: PathBuf,
    force: bool,
    committed: bool,
}

impl AtomicDir {
    /// Checks that `target` may be written without creating anything: it is absent, or `force`
    /// is given and it is a herdlab result folder (see [`is_result_folder`]) or an empty folder.
    /// `--force` never replaces anything else: a file, or a folder holding the user's own files.
    pub fn check(target: &Path, force: bool) -> Result<()> {
        if !target.exists() {
            return Ok(());
        }
        if !force {
            return Err(Error::Exists {
                path: target.to_path_buf(),
            });
        }
        let empty = std::fs::read_dir(target).is_ok_and(|mut d| d.next().is_none());
        if !is_result_folder(target) && !empty {
            return Err(Error::NotAResultFolder {
                path: target.to_path_buf(),
                holds: describe_contents(target),
            });
        }
        Ok(())
    }

    /// Starts building `target` in a temporary sibling folder.
    pub fn create(target: &Path, force: bool) -> Result<AtomicDir> {
        Self::check(target, force)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| !n.is_empty() && *n != "." && *n != "..")
            .ok_or_else(|| {
                Error::io(
                    target,
                    "cannot use as a result folder",
                    std::io::Error::other("give a folder name, not `.`, `..` or `/`"),
                )
            })?;
        let parent = target.parent().unwrap_or(Path::new(""));
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io(parent, "cannot create folder", e))?;
        }
        remove_stale_partials(parent, name);
        let temp = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if temp.exists() {
            std::fs::remove_dir_all(&temp)
                .map_err(|e| Error::io(&temp, "cannot remove stale folder", e))?;
        }
        std::fs::create_dir(&temp).map_err(|e| Error::io(&temp, "cannot create folder", e))?;
        Ok(AtomicDir {
            target: target.to_path_buf(),
            temp,
            force,
            committed: false,
        })
    }

    /// Where to write the files.
    pub fn path(&self) -> &Path {
        &self.temp
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the folder into place (replacing an old one if `force`, and only a herdlab
    /// result folder: checked again, since the folder may have changed while the run ran).
    pub fn commit(mut self) -> Result<PathBuf> {
        if self.target.exists() {
            Self::check(&self.target, self.force)?;
            let old = self.temp.with_extension("old");
            std::fs::rename(&self.target, &old)
                .map_err(|e| Error::io(&self.target, "cannot replace", e))?;
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, "cannot remove", e))?;
        }
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| Error::io(&self.target, "cannot create result folder", e))?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

/// Whether `dir` is a folder herdlab wrote: a run or a monitor (its `manifest.json`), a comparison
/// (`comparison.json`) or a sweep (`sweep.json`) result folder.
pub fn is_result_folder(dir: &Path) -> bool {
    dir.is_dir()
        && ["manifest.json", "comparison.json", "sweep.json"]
            .iter()
            .any(|f| dir.join(f).is_file())
}

/// A few names of what `path` holds, for a refusal: `a file`, or up to five entries (sorted) and
/// how many more.
fn describe_contents(path: &Path) -> String {
    if !path.is_dir() {
        return "a file, not a folder".to_string();
    }
    let mut names: Vec<String> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if e.path().is_dir() {
                        format!("{name}/")
                    } else {
                        name
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    match names.len() {
        0 => "nothing".to_string(),
        n if n <= 5 => names.join(", "),
        n => format!("{} and {} more", names[..5].join(", "), n - 5),
    }
}

/// Removes `.NAME.partial-PID` folders left in `parent` by killed processes (on Linux, where a
/// process's liveness can be read from `/proc`; elsewhere they are left alone).
fn remove_stale_partials(parent: &Path, name: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.partial-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for AtomicDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.temp);
        }
    }
}

/// Everything one result folder is written from.
#[derive(Debug)]
pub struct ResultData<'a> {
    /// The manifest.
    pub manifest: &'a Manifest,
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The path results, in path order.
    pub paths: &'a [PathResult],
}

/// Writes a result folder's files into `dir` (which must exist) and returns the aggregates.
pub fn write_result(dir: &Path, data: &ResultData<'_>) -> Result<Aggregates> {
    let scenario = data.scenario;
    let paths = data.paths;
    write_jsonl(&dir.join("paths.jsonl"), paths)?;
    let (header, rows) = path_table(scenario, paths);
    write_csv(&dir.join("paths.csv"), &header, &rows)?;
    let prov = crate::tables::Provenance::of(scenario, paths);
    let (file, table) = ("paths.parquet", crate::tables::paths_batch(&prov, paths));
    let table = table.map_err(|e| Error::format(dir.join(file), e))?;
    crate::tables::write_parquet(&dir.join(file), &table)?;
    write_path_quarters(&dir.join("path_quarters.csv"), scenario, paths)?;
    let (file, table) = (
        "path_quarters.parquet",
        crate::tables::path_quarters_batch(&prov, paths),
    );
    let table = table.map_err(|e| Error::format(dir.join(file), e))?;
    crate::tables::write_parquet(&dir.join(file), &table)?;
    write_path_families(&dir.join("path_families.csv"), scenario, paths)?;
    let agg = sim::aggregate::aggregate(scenario, paths);
    write_quarters(&dir.join("quarters.csv"), &agg, scenario, paths)?;
    let summary = summary_file(scenario, &agg);
    write_json(&dir.join("summary.json"), &summary)?;
    let mut manifest = data.manifest.clone();
    manifest.sha256 = BTreeMap::new();
    for name in DATA_FILES {
        let (digest, _) = sha256_file(&dir.join(name))?;
        manifest.sha256.insert(name.to_string(), digest);
    }
    write_json(&dir.join("manifest.json"), &manifest)?;
    Ok(agg)
}

/// The data files of a result folder: [`FILES`] but `manifest.json`, which records their digests.
pub const DATA_FILES: [&str; 8] = [
    "paths.jsonl",
    "paths.csv",
    "paths.parquet",
    "path_quarters.csv",
    "path_quarters.parquet",
    "path_families.csv",
    "quarters.csv",
    "summary.json",
];

/// The SHA-256 digest of a file's bytes as 64 lowercase hexadecimal digits, and the number of
/// lines it holds (newlines, plus a last line without one), read in one pass.
pub fn sha256_file(path: &Path) -> Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    let mut f = File::open(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, "cannot read", e)),
        };
        hasher.update(&buf[..n]);
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    if last != b'\n' {
        lines += 1;
    }
    let hex = hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        });
    Ok((hex, lines))
}

/// What [`verify_folder`] could check of a result folder that passed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Whether the manifest records digests and every data file matched its own; `false` for a
    /// folder written before herdlab recorded digests (only the files' presence and the path
    /// count were checked).
    pub digests: bool,
}

/// Checks the result folder `dir` against its manifest before anything reads it: every data file
/// is there, each matches the SHA-256 digest the manifest records for it (when it records them),
/// and `paths.jsonl` holds as many paths as the manifest's shard. Every problem found is reported
/// at once ([`Error::Damaged`]), naming the file and what is wrong with it.
pub fn verify_folder(dir: &Path, manifest: &Manifest) -> Result<Verified> {
    let recorded = !manifest.sha256.is_empty();
    let mut problems = Vec::new();
    for name in DATA_FILES {
        let file = dir.join(name);
        if !file.is_file() {
            problems.push(format!("{name} is missing"));
            continue;
        }
        let (digest, lines) = sha256_file(&file)?;
        if name == "paths.jsonl" {
            let want = manifest
                .shard
                .end_path
                .saturating_sub(manifest.shard.first_path);
            if lines != want {
                problems.push(format!(
                    "paths.jsonl holds {lines} paths, but manifest.json says {want} (paths {}..{})",
                    manifest.shard.first_path, manifest.shard.end_path
                ));
            }
        }
        if recorded {
            match manifest.sha256.get(name) {
                Some(d) if *d == digest => {}
                Some(_) => problems.push(format!(
                    "{name} does not match the SHA-256 digest manifest.json records for it \
                     (it was altered, or copied from another run)"
                )),
                None => problems.push(format!(
                    "manifest.json records no SHA-256 digest for {name}"
                )),
            }
        }
    }
    if problems.is_empty() {
        Ok(Verified { digests: recorded })
    } else {
        Err(Error::Damaged {
            dir: dir.to_path_buf(),
            problems,
        })
    }
}

/// The note for a folder whose manifest records no digests (written by an older herdlab).
pub fn no_digests_note(dir: &Path) -> String {
    format!(
        "{}: manifest.json records no SHA-256 digests of the data files (written by an older \
         herdlab): the files' presence and the path count were checked, not their contents",
        dir.display()
    )
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(|e| Error::io(path, "cannot create", e))
}

fn finish(path: &Path, w: BufWriter<File>) -> Result<()> {
    let f = w
        .into_inner()
        .map_err(|e| Error::io(path, "cannot write", e.into_error()))?;
    f.sync_all().map_err(|e| Error::io(path, "cannot write", e))
}

/// Writes a value as pretty JSON with a final newline.
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<()> {
    let mut w = create(path)?;
    serde_json::to_writer_pretty(&mut w, value).map_err(|e| Error::format(path, e))?;
    w.write_all(b"\n")
        .map_err(|e| Error::io(path, "cannot write", e))?;
    finish(path, w)
}

/// Writes a CSV table of preformatted cells.
pub fn write_csv(path: &Path, header: &[String], rows: &[Vec<String>]) -> Result<()> {
    let file = File::create(path).map_err(|e| Error::io(path, "cannot create", e))?;
    let mut w = csv::Writer::from_writer(BufWriter::new(file));
    let csv_err = |e: csv::Error| Error::format(path, e);
    w.write_record(header).map_err(csv_err)?;
    for r in rows {
        w.write_record(r).map_err(csv_err)?;
    }
    let inner = w
        .into_inner()
        .map_err(|e| Error::io(path, "cannot write", e.into_error()))?;
    finish(path, inner)
}

/// A number as written in CSV files: Rust's shortest round-trip form.
pub fn num(x: f64) -> String {
    format!("{x}")
}

/// Writes `paths.jsonl`: one path's result per line.
pub(crate) fn write_jsonl(path: &Path, paths: &[PathResult]) -> Result<()> {
    let mut w = create(path)?;
    for p in paths {
        serde_json::to_writer(&mut w, p).map_err(|e| Error::format(path, e))?;
        w.write_all(b"\n")
            .map_err(|e| Error::io(path, "cannot write", e))?;
    }
    finish(path, w)
}

/// Whether `paths` are exactly the results of `range`, in path order.
pub fn holds_paths(paths: &[PathResult], range: std::ops::Range<u64>) -> bool {
    paths.len() as u64 == range.end.saturating_sub(range.start)
        && paths.iter().zip(range).all(|(p, want)| p.path == want)
}

/// Reads `paths.jsonl`.
pub fn read_paths(path: &Path) -> Result<Vec<PathResult>> {
    let f = File::open(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let mut out = Vec::new();
    for (i, line) in BufReader::new(f).lines().enumerate() {
        let line = line.map_err(|e| Error::io(path, "cannot read", e))?;
        if line.trim().is_empty() {
            continue;
        }
        let p: PathResult = serde_json::from_str(&line)
            .map_err(|e| Error::format(path, format!("line {}: {e}", i + 1)))?;
        out.push(p);
    }
    Ok(out)
}

/// Reads `manifest.json`.
pub fn read_manifest(path: &Path) -> Result<Manifest> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::format(path, e))?;
    if m.format != MANIFEST_FORMAT {
        return Err(Error::format(
            path,
            format!("format is {:?}, not {MANIFEST_FORMAT:?}", m.format),
        ));
    }
    Ok(m)
}

/// Column names of the per-region total credit gap: `credit_gap[east]`.
fn region_columns(scenario: &Scenario, what: &str) -> Vec<String> {
    scenario
        .regions
        .iter()
        .map(|r| format!("{what}[{}]", r.name))
        .collect()
}

/// `paths.csv`: header and rows (path, every [`PathSummary`] measure, region credit gaps).
pub fn path_table(scenario: &Scenario, paths: &[PathResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["path".to_string()];
    header.extend(PathSummary::MEASURES.iter().map(|m| m.name.to_string()));
    header.extend(region_columns(scenario, "credit_gap"));
    let nr = scenario.regions.len();
    let rows = paths
        .iter()
        .map(|p| {
            let mut row = vec![p.path.to_string()];
            row.extend(p.summary.values().into_iter().map(num));
            row.extend((0..nr).map(|r| num(p.region_gap_total(r, nr))));
            row
        })
        .collect();
    (header, rows)
}

fn write_path_quarters(path: &Path, scenario: &Scenario, paths: &[PathResult]) -> Result<()> {
    let mut header = vec!["path".to_string()];
    header.extend(QuarterRecord::MEASURES.iter().map(|m| m.name.to_string()));
    for what in ["creditworthy_demand", "credit_gap", "supply"] {
        header.extend(region_columns(scenario, what));
    }
    let nr = scenario.regions.len();
    let mut rows = Vec::new();
    for p in paths {
        for (t, q) in p.quarters.iter().enumerate() {
            let mut row = vec![p.path.to_string()];
            row.extend(q.values().into_iter().map(num));
            let regions: Vec<_> = (0..nr)
                .map(|r| p.region(t as u32 + 1, r, nr).cloned().unwrap_or_default())
                .collect();
            row.extend(regions.iter().map(|x| num(x.creditworthy_demand)));
            row.extend(regions.iter().map(|x| num(x.credit_gap)));
            row.extend(regions.iter().map(|x| num(x.supply)));
            rows.push(row);
        }
    }
    write_csv(path, &header, &rows)
}

/// A column of a family's record: name, unit and how to read it.
pub type FamilyMeasure = (&'static str, &'static str, fn(&FamilyQuarter) -> f64);

/// The columns of a family's record (MODEL.md 4.1), with their units, in `path_families.csv` and
/// (as `family_NAME[FAMILY]`) in `quarters.csv`.
pub const FAMILY_MEASURES: [FamilyMeasure; 7] = [
    ("share", "share", |f| f.share),
    ("adopters", "banks", |f| f.adopters),
    ("error_scale", "quality units", |f| f.error_scale),
    ("bias", "quality units", |f| f.bias),
    ("offset", "threshold points", |f| f.offset),
    ("r_train", "percent", |f| f.r_train),
    ("incident", "0/1", |f| f.incident),
];

/// One row per path, quarter and model family: the family's record (MODEL.md 4.1).
fn write_path_families(path: &Path, scenario: &Scenario, paths: &[PathResult]) -> Result<()> {
    let mut header: Vec<String> = ["path", "quarter", "family"].map(String::from).to_vec();
    header.extend(FAMILY_MEASURES.iter().map(|m| m.0.to_string()));
    let names: Vec<&str> = scenario
        .models
        .families
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let mut rows = Vec::new();
    for p in paths {
        for (i, f) in p.families.iter().enumerate() {
            let (t, m) = (i / names.len().max(1), i % names.len().max(1));
            let mut row = vec![
                p.path.to_string(),
                (t + 1).to_string(),
                names.get(m).copied().unwrap_or("?").to_string(),
            ];
            row.extend(FAMILY_MEASURES.iter().map(|x| num((x.2)(f))));
            rows.push(row);
        }
    }
    write_csv(path, &header, &rows)
}

/// Per quarter, the across-path summaries of every family's record: `family_share[FAMILY]` and
/// the other [`FAMILY_MEASURES`], with their units.
fn family_series(scenario: &Scenario, paths: &[PathResult]) -> Vec<(String, String, Vec<Summary>)> {
    let nm = scenario.models.families.len();
    let quarters = scenario.run.quarters as usize;
    let mut out = Vec::new();
    for (name, unit, get) in FAMILY_MEASURES {
        for (m, fam) in scenario.models.families.iter().enumerate() {
            let series = (0..quarters)
                .map(|t| {
                    let xs: Vec<f64> = paths
                        .iter()
                        .filter_map(|p| p.families.get(t * nm + m).map(get))
                        .collect();
                    sim::stats::summarize(&xs, &QUARTER_QUANTILES)
                })
                .collect();
            out.push((
                format!("family_{name}[{}]", fam.name),
                unit.to_string(),
                series,
            ));
        }
    }
    out
}

/// Lower and upper ends of the 95% confidence interval of a mean (Student t, n - 1 degrees of
/// freedom; the mean itself when n < 2).
pub fn mean_interval(s: &Summary) -> (f64, f64) {
    if s.n < 2 {
        return (s.mean, s.mean);
    }
    let t = sim::stats::student_t_quantile(0.5 + CONFIDENCE / 2.0, (s.n - 1) as f64);
    (s.mean - t * s.std_error, s.mean + t * s.std_error)
}

/// Column name of a quantile: `q05` for 0.05.
fn quantile_name(p: f64) -> String {
    format!("q{:02}", (p * 100.0).round() as u32)
}

fn write_quarters(
    path: &Path,
    agg: &Aggregates,
    scenario: &Scenario,
    paths: &[PathResult],
) -> Result<()> {
    let mut header: Vec<String> = [
        "measure",
        "unit",
        "quarter",
        "n",
        "mean",
        "std_error",
        "mean_low",
        "mean_high",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(QUARTER_QUANTILES.iter().map(|&p| quantile_name(p)));
    // One row of a measure's quarter; the statistics' cells are empty where there is no
    // observation (an empty shard), never an invented 0.
    let row = |name: &str, unit: &str, t: usize, s: &Summary| {
        let mut row = vec![
            name.to_string(),
            unit.to_string(),
            (t + 1).to_string(),
            s.n.to_string(),
        ];
        match s.observed() {
            Some(s) => {
                let (lo, hi) = mean_interval(s);
                row.extend([num(s.mean), num(s.std_error), num(lo), num(hi)]);
                row.extend(s.quantiles.iter().map(|&(_, v)| num(v)));
            }
            None => row.extend(std::iter::repeat_n(String::new(), 4 + s.quantiles.len())),
        }
        row
    };
    let mut rows = Vec::new();
    for m in agg.quarter_measures.iter().chain(&agg.region_gap_share) {
        for (t, s) in m.quarters.iter().enumerate() {
            rows.push(row(&m.name, &m.unit, t, s));
        }
    }
    for (name, unit, series) in family_series(scenario, paths) {
        for (t, s) in series.iter().enumerate() {
            rows.push(row(&name, &unit, t, s));
        }
    }
    write_csv(path, &header, &rows)
}

/// A summary with the confidence interval of its mean. With no observation (an empty shard)
/// every statistic is `null` (`None`), the interval too.
#[derive(Debug, Serialize)]
pub struct Estimate<'a> {
    /// Mean, standard deviation, standard error, min, max, quantiles.
    #[serde(flatten)]
    pub summary: &'a Summary,
    /// Lower end of the 95% interval of the mean (`None` without observations).
    pub mean_low: Option<f64>,
    /// Upper end.
    pub mean_high: Option<f64>,
}

impl<'a> Estimate<'a> {
    fn of(summary: &'a Summary) -> Self {
        let interval = summary.observed().map(mean_interval);
        Estimate {
            summary,
            mean_low: interval.map(|i| i.0),
            mean_high: interval.map(|i| i.1),
        }
    }
}

/// VaR and expected shortfall at one level in `summary.json`; `None` (`null`) without
/// observations.
#[derive(Debug, Serialize)]
pub struct TailOut {
    /// Confidence level.
    pub level: f64,
    /// Value at risk.
    pub var: Option<f64>,
    /// Expected shortfall.
    pub es: Option<f64>,
}

/// A per-path measure in `summary.json`.
#[derive(Debug, Serialize)]
pub struct MeasureOut<'a> {
    /// Name.
    pub name: &'a str,
    /// Unit.
    pub unit: &'a str,
    /// Statistics.
    #[serde(flatten)]
    pub estimate: Estimate<'a>,
    /// VaR and expected shortfall, for loss measures.
    pub tail: Vec<TailOut>,
}

/// One quarter of a per-quarter measure.
#[derive(Debug, Serialize)]
pub struct QuarterOut<'a> {
    /// Quarter, 1-based.
    pub quarter: usize,
    /// Statistics.
    #[serde(flatten)]
    pub estimate: Estimate<'a>,
}

/// A per-quarter measure in `summary.json`.
#[derive(Debug, Serialize)]
pub struct QuarterMeasureOut<'a> {
    /// Name.
    pub name: &'a str,
    /// Unit.
    pub unit: &'a str,
    /// One entry per quarter.
    pub quarters: Vec<QuarterOut<'a>>,
}

/// `summary.json`: every aggregate, and nothing that depends on how the run was split.
#[derive(Debug, Serialize)]
pub struct SummaryFile<'a> {
    /// Always [`SUMMARY_FORMAT`].
    pub format: &'static str,
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// Scenario name.
    pub scenario: &'a str,
    /// Scenario description.
    pub description: &'a str,
    /// Money unit.
    pub currency: &'a str,
    /// Seed.
    pub seed: u64,
    /// Paths aggregated.
    pub paths: usize,
    /// Quarters per path.
    pub quarters: u32,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// Per-path measures.
    pub path_measures: Vec<MeasureOut<'a>>,
    /// Per-region credit gap summed over quarters.
    pub region_gap: Vec<MeasureOut<'a>>,
    /// Per-quarter measures.
    pub quarter_measures: Vec<QuarterMeasureOut<'a>>,
    /// Per-region, per-quarter credit gap share.
    pub region_gap_share: Vec<QuarterMeasureOut<'a>>,
    /// Probability of a systemic event.
    pub systemic_event: &'a Proportion,
    /// Per bank failure probability.
    pub bank_failures: &'a [BankFailure],
}

fn measure_out(m: &MeasureStats) -> MeasureOut<'_> {
    MeasureOut {
        name: &m.name,
        unit: &m.unit,
        estimate: Estimate::of(&m.summary),
        tail: m
            .tail
            .iter()
            .map(|t: &TailRisk| {
                let observed = m.summary.observed().is_some();
                TailOut {
                    level: t.level,
                    var: observed.then_some(t.var),
                    es: observed.then_some(t.es),
                }
            })
            .collect(),
    }
}

fn quarter_out(m: &QuarterStats) -> QuarterMeasureOut<'_> {
    QuarterMeasureOut {
        name: &m.name,
        unit: &m.unit,
        quarters: m
            .quarters
            .iter()
            .enumerate()
            .map(|(t, s)| QuarterOut {
                quarter: t + 1,
                estimate: Estimate::of(s),
            })
            .collect(),
    }
}

/// Builds `summary.json`'s content.
pub fn summary_file<'a>(scenario: &'a Scenario, agg: &'a Aggregates) -> SummaryFile<'a> {
    SummaryFile {
        format: SUMMARY_FORMAT,
        format_version: FORMAT_VERSION,
        scenario: &scenario.name,
        description: &scenario.description,
        currency: &scenario.currency,
        seed: scenario.run.seed,
        paths: agg.paths,
        quarters: scenario.run.quarters,
        confidence: CONFIDENCE,
        path_measures: agg.path_measures.iter().map(measure_out).collect(),
        region_gap: agg.region_gap.iter().map(measure_out).collect(),
        quarter_measures: agg.quarter_measures.iter().map(quarter_out).collect(),
        region_gap_share: agg.region_gap_share.iter().map(quarter_out).collect(),
        systemic_event: &agg.systemic_event,
        bank_failures: &agg.bank_failures,
    }
}

/// The current time as RFC 3339 UTC with seconds, e.g. `2026-11-24T09:30:00Z`.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A Markdown table of measures (name, unit, meaning), as it stands in `docs/outputs.md`.
pub fn measure_table(measures: &[sim::results::MeasureInfo]) -> String {
    let mut out = String::from("| column | unit | meaning |\n|---|---|---|\n");
    for m in measures {
        out.push_str(&format!("| `{}` | {} | {} |\n", m.name, m.unit, m.doc));
    }
    out
}

/// Headline measures: the summary tables of the command line, the columns of `grid.csv`, the
/// desktop app's dashboard.
pub const HEADLINE: [&str; 8] = [
    "credit_gap",
    "credit_gap_share",
    "bank_losses",
    "firm_defaults",
    "bank_failures",
    "systemic_event",
    "decision_agreement_excess",
    "systemic_rejection_ratio",
];

/// The mean, standard error and 95% interval of a headline measure (the Wilson interval for
/// `systemic_event`); `None` when the aggregates lack the measure or have no observation of it
/// (an empty shard).
pub fn headline(agg: &Aggregates, name: &str) -> Option<(f64, f64, f64, f64)> {
    if name == "systemic_event" {
        let p = agg.systemic_event.observed()?;
        let se = agg.measure(name).map_or(0.0, |m| m.summary.std_error);
        return Some((p.estimate, se, p.low, p.high));
    }
    let m = agg.measure(name)?.summary.observed()?;
    let (lo, hi) = mean_interval(m);
    Some((m.mean, m.std_error, lo, hi))
}

/// A number for people to read, with about four significant digits (tables, plot labels).
pub fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.3}")
    } else if a >= 0.001 {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// Folder names for scenarios in a comparison: each scenario's name, with `-2`, `-3`... added to
/// repeats.
pub fn unique_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let mut candidate = n.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{n}-{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_outputs_measure_tables_are_current() {
        let doc = include_str!("../../docs/outputs.md");
        for (what, table) in [
            ("PathSummary", measure_table(PathSummary::MEASURES)),
            ("QuarterRecord", measure_table(QuarterRecord::MEASURES)),
        ] {
            assert!(
                doc.contains(&table),
                "docs/outputs.md's {what} table is out of date; replace it with:\n{table}"
            );
        }
        for f in FILES {
            assert!(
                doc.contains(&format!("`{f}`")),
                "docs/outputs.md does not document {f}"
            );
        }
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn quantile_columns() {
        let names: Vec<String> = QUARTER_QUANTILES
            .iter()
            .map(|&p| quantile_name(p))
            .collect();
        assert_eq!(names, ["q05", "q25", "q50", "q75", "q95"]);
    }

    #[test]
    fn an_uncommitted_folder_leaves_nothing() {
        let tmp = std::env::temp_dir().join(format!("herdlab-atomic-{}", std::process::id()));
        let target = tmp.join("result");
        {
            let d = AtomicDir::create(&target, false).expect("create");
            std::fs::write(d.path().join("x"), "1").expect("write");
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0), 0);
        let d = AtomicDir::create(&target, false).expect("create");
        d.commit().expect("commit");
        assert!(target.is_dir());
        assert!(AtomicDir::create(&target, false).is_err());
        AtomicDir::create(&target, true)
            .expect("force")
            .commit()
            .expect("replace");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
