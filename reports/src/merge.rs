//! Merging shard result folders into the result of one unsharded run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sim::aggregate::Aggregates;
use sim::montecarlo::Shard;

use crate::error::{Error, Result};
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir, Manifest, MergedShard, ResultData, ShardInfo};

/// A merged result as written.
#[derive(Debug)]
pub struct Merged {
    /// Its folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// Its aggregates.
    pub aggregates: Aggregates,
    /// The shards whose manifests record no digests (written by an older herdlab): only their
    /// files' presence and path counts could be checked.
    pub unverified: Vec<PathBuf>,
}

fn shard_name(m: &Manifest) -> String {
    format!("{}/{}", m.shard.index, m.shard.count)
}

/// Reads the shards in `dirs`, checks they are the complete set of shards of one run and that
/// each folder matches its manifest (files present, SHA-256 digests, path count: see
/// [`output::verify_folder`]), and writes the merged result to `out` with the same writer as a
/// run.
pub fn merge(dirs: &[PathBuf], out: &Path, force: bool, command_line: &[String]) -> Result<Merged> {
    let started = output::now_rfc3339();
    AtomicDir::check(out, force)?;
    let _lock = FolderLock::acquire(out)?;
    if dirs.is_empty() {
        return Err(Error::Merge("no shard folders given".into()));
    }
    let mut manifests = Vec::new();
    for d in dirs {
        let path = d.join("manifest.json");
        if !path.is_file() {
            return Err(Error::Merge(format!(
                "{} is not a complete result folder (it has no manifest.json)",
                d.display()
            )));
        }
        manifests.push((d.clone(), output::read_manifest(&path)?));
    }
    let mut unverified = Vec::new();
    for (d, m) in &manifests {
        let verified = output::verify_folder(d, m).map_err(|e| Error::Merge(e.to_string()))?;
        if !verified.digests {
            unverified.push(d.clone());
        }
    }
    let (first_dir, first) = manifests[0].clone();
    let first_dir = &first_dir;
    for (d, m) in &manifests[1..] {
        let differ = |what: &str, a: &dyn std::fmt::Display, b: &dyn std::fmt::Display| {
            Error::Merge(format!(
                "{} has {what} {a} but {} has {what} {b}; shards must come from one run",
                d.display(),
                first_dir.display()
            ))
        };
        if m.version != first.version {
            return Err(differ("program version", &m.version, &first.version));
        }
        if m.draw_scheme != first.draw_scheme {
            return Err(Error::Merge(format!(
                "{} was drawn with random-number scheme {} but {} with scheme {}; results of \
                 two schemes differ by Monte Carlo noise and cannot be merged: rerun the shards \
                 of scheme {} with this herdlab (scheme {})",
                d.display(),
                m.draw_scheme,
                first_dir.display(),
                first.draw_scheme,
                m.draw_scheme.min(first.draw_scheme),
                sim::rng::DRAW_SCHEME
            )));
        }
        if m.format_version != first.format_version {
            return Err(differ(
                "format version",
                &m.format_version,
                &first.format_version,
            ));
        }
        if m.scenario_name != first.scenario_name {
            return Err(differ("scenario", &m.scenario_name, &first.scenario_name));
        }
        if m.seed != first.seed {
            return Err(differ("seed", &m.seed, &first.seed));
        }
        if m.paths != first.paths {
            return Err(differ("total paths", &m.paths, &first.paths));
        }
        if m.shard.count != first.shard.count {
            return Err(differ("shard count", &m.shard.count, &first.shard.count));
        }
        if m.scenario != first.scenario {
            return Err(Error::Merge(format!(
                "{} and {} were run on different scenarios (same name {:?}, different settings)",
                d.display(),
                first_dir.display(),
                m.scenario_name
            )));
        }
    }
    let count = first.shard.count;
    let mut by_index: BTreeMap<u64, (PathBuf, Manifest)> = BTreeMap::new();
    for (d, m) in manifests {
        if m.shard.index == 0 || m.shard.index > count {
            return Err(Error::Merge(format!(
                "{} holds shard {}, which does not exist",
                d.display(),
                shard_name(&m)
            )));
        }
        if let Some((other, _)) = by_index.get(&m.shard.index) {
            return Err(Error::Merge(format!(
                "shard {} is given twice: {} and {}",
                shard_name(&m),
                other.display(),
                d.display()
            )));
        }
        by_index.insert(m.shard.index, (d, m));
    }
    let missing: Vec<String> = (1..=count)
        .filter(|i| !by_index.contains_key(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Merge(format!(
            "shard{} {} missing (all {count} shards of the run are needed)",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ") + if missing.len() == 1 { " is" } else { " are" }
        )));
    }
    let total = first.paths;
    let mut paths = Vec::new();
    let mut merged_from = Vec::new();
    for (i, (d, m)) in &by_index {
        let expected = Shard {
            index: i - 1,
            count,
        }
        .paths(total);
        let mut these = output::read_paths(&d.join("paths.jsonl"))?;
        let indices_ok = output::holds_paths(&these, expected.clone());
        if !indices_ok || m.shard.first_path != expected.start || m.shard.end_path != expected.end {
            return Err(Error::Merge(format!(
                "{}: paths.jsonl does not hold paths {}..{} of shard {}; the folder is damaged",
                d.display(),
                expected.start,
                expected.end,
                shard_name(m)
            )));
        }
        paths.append(&mut these);
        merged_from.push(MergedShard {
            dir: d.display().to_string(),
            shard: m.shard,
            started: m.started.clone(),
            finished: m.finished.clone(),
            threads: m.threads,
        });
    }
    let (_, base) = &by_index[&1];
    let scenario = base.input.rebuild()?;
    let resolved = serde_json::to_value(&scenario).map_err(|e| Error::format(first_dir, e))?;
    if resolved != base.scenario {
        return Err(Error::Merge(format!(
            "the scenario stored in {} does not rebuild to the scenario it records (was it made by another version?)",
            first_dir.display()
        )));
    }
    let mut manifest = base.clone();
    manifest.command_line = command_line.to_vec();
    manifest.started = started;
    manifest.shard = ShardInfo {
        index: 1,
        count: 1,
        first_path: 0,
        end_path: total,
    };
    manifest.threads = merged_from.iter().map(|s| s.threads).max().unwrap_or(0);
    manifest.merged_from = merged_from;
    let dir = AtomicDir::create(out, force)?;
    manifest.finished = output::now_rfc3339();
    let aggregates = output::write_result(
        dir.path(),
        &ResultData {
            manifest: &manifest,
            scenario: &scenario,
            paths: &paths,
        },
    )?;
    let dir = dir.commit()?;
    Ok(Merged {
        dir,
        manifest,
        aggregates,
        unverified,
    })
}
