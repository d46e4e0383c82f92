//! Checkpoints of long runs, and resuming them.
//!
//! While `herdlab run` works towards the result folder `DIR`, it keeps every finished chunk of
//! paths in the hidden sibling folder `.DIR.checkpoint/`:
//!
//! - `checkpoint.json`: the manifest the result folder will get (scenario input, seed, paths,
//!   shard, command line, start time) and the run's settings;
//! - `paths-FIRST-END.jsonl`: the results of paths `FIRST..END` in the `paths.jsonl` format, each
//!   written to a temporary file, flushed to disk and renamed into place, so a file with that name
//!   is always whole. Its SHA-256 digest is recorded in `checkpoint.json` before the rename, and
//!   checked when the run is resumed: a chunk altered, or not kept by this run, is refused.
//!
//! A path's results depend on the scenario and the path's index alone, so the paths of an
//! interrupted run, continued by `herdlab run --resume DIR`, are the paths an uninterrupted run
//! computes, and the result folder written from them has the same bytes (only the manifest's
//! times and thread counts differ, as between any two runs). The checkpoint is removed once the
//! result folder is in place.

use std::collections::BTreeMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sim::results::PathResult;

use crate::error::{Error, Result};
use crate::output::{self, Manifest};

/// The `format` field of `checkpoint.json`.
pub const CHECKPOINT_FORMAT: &str = "herdlab-checkpoint";

const INFO: &str = "checkpoint.json";

/// What `checkpoint.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckpointInfo {
    /// Always [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The result folder the run writes.
    pub target: PathBuf,
    /// Replace an existing result folder (`--force` was given).
    pub force: bool,
    /// Write the charts and report.html too (`--report` was given).
    pub report: bool,
    /// The manifest of the result folder, but for its finishing time and thread count.
    pub manifest: Manifest,
    /// The SHA-256 digest of each chunk kept (`paths-FIRST-END.jsonl`), by file name, as 64
    /// lowercase hexadecimal digits.
    #[serde(default)]
    pub chunks: BTreeMap<String, String>,
}

/// The checkpoint folder of a run and the chunks of paths it holds.
#[derive(Debug)]
pub struct Checkpoint {
    dir: PathBuf,
    info: CheckpointInfo,
    chunks: Vec<Range<u64>>,
    resumed: bool,
}

/// Where the checkpoint of a run writing `target` lives: `.NAME.checkpoint` beside it.
pub fn location(target: &Path) -> PathBuf {
    crate::output::hidden_sibling(target, "checkpoint")
}

fn chunk_name(r: &Range<u64>) -> String {
    format!("paths-{:012}-{:012}.jsonl", r.start, r.end)
}

fn parse_chunk_name(name: &str) -> Option<Range<u64>> {
    let rest = name.strip_prefix("paths-")?.strip_suffix(".jsonl")?;
    let (a, b) = rest.split_once('-')?;
    let (a, b) = (a.parse().ok()?, b.parse().ok()?);
    (a < b).then_some(a..b)
}

/// Writes `path` whole or not at all: `write` fills a temporary file (the output writers flush
/// it to disk), which is renamed into place, and the folder is flushed so the rename survives a
/// crash.
fn write_whole(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let result = write(&tmp).and_then(|()| {
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "cannot write", e))?;
        if let Some(dir) = path.parent()
            && let Ok(d) = File::open(dir)
        {
            let _ = d.sync_all();
        }
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl Checkpoint {
    /// Starts the checkpoint of a new run. An earlier interrupted run's checkpoint for the same
    /// result folder is an error (resume it, or start over with `force`, which removes it),
    /// unless it holds no finished path: then it is replaced.
    pub fn start(info: CheckpointInfo) -> Result<Checkpoint> {
        let dir = location(&info.target);
        // A checkpoint that holds no finished path (a run killed before its first chunk, e.g.
        // by an out-of-memory abort) keeps nothing worth resuming: it is replaced rather than
        // blocking the same command. The caller holds the folder's lock, so no run is using it.
        let empty = Checkpoint::open(&info.target).is_ok_and(|(c, _)| c.done() == 0);
        if dir.exists() {
            if !info.force && !empty {
                let held = Checkpoint::open(&info.target)
                    .map(|(c, _)| format!(" ({} of {} paths done)", c.done(), c.wanted()))
                    .unwrap_or_default();
                return Err(Error::Checkpoint(format!(
                    "{}: an interrupted run writing this folder is kept in {}{held}; continue it \
                     with `herdlab run --resume {}`, or pass --force to start over",
                    info.target.display(),
                    dir.display(),
                    info.target.display()
                )));
            }
            std::fs::remove_dir_all(&dir)
                .map_err(|e| Error::io(&dir, "cannot remove old checkpoint", e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, "cannot create folder", e))?;
        write_whole(&dir.join(INFO), |tmp| output::write_json(tmp, &info))?;
        Ok(Checkpoint {
            dir,
            info,
            chunks: Vec::new(),
            resumed: false,
        })
    }

    /// Opens the checkpoint of an interrupted run writing `target` and reads the paths it holds,
    /// in path order. Leftover temporary files are removed.
    pub fn open(target: &Path) -> Result<(Checkpoint, Vec<PathResult>)> {
        let dir = location(target);
        let info_path = dir.join(INFO);
        if !info_path.is_file() {
            return Err(Error::Checkpoint(format!(
                "{}: there is no interrupted run to resume ({} does not exist)",
                target.display(),
                info_path.display()
            )));
        }
        let text = std::fs::read_to_string(&info_path)
            .map_err(|e| Error::io(&info_path, "cannot read", e))?;
        let info: CheckpointInfo =
            serde_json::from_str(&text).map_err(|e| Error::format(&info_path, e))?;
        if info.format != CHECKPOINT_FORMAT {
            return Err(Error::format(
                &info_path,
                format!("format is {:?}, not {CHECKPOINT_FORMAT:?}", info.format),
            ));
        }
        if info.manifest.draw_scheme != sim::rng::DRAW_SCHEME {
            return Err(Error::Checkpoint(format!(
                "{}: the paths so far were drawn with random-number scheme {}, and this herdlab \
                 draws with scheme {}; their results differ by Monte Carlo noise, so the run \
                 cannot be resumed: start it again without --resume (or finish it with the \
                 herdlab that started it)",
                info_path.display(),
                info.manifest.draw_scheme,
                sim::rng::DRAW_SCHEME
            )));
        }
        if info.manifest.version != output::PROGRAM_VERSION {
            return Err(Error::Checkpoint(format!(
                "{}: written by herdlab {}, and this is herdlab {}; a run can only be resumed by \
                 the version that started it",
                info_path.display(),
                info.manifest.version,
                output::PROGRAM_VERSION
            )));
        }
        let mut found: Vec<(Range<u64>, PathBuf)> = Vec::new();
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, "cannot read", e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, "cannot read", e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                let _ = std::fs::remove_file(entry.path());
            } else if let Some(r) = parse_chunk_name(&name) {
                found.push((r, entry.path()));
            }
        }
        found.sort_by_key(|(r, _)| (r.start, r.end));
        let wanted = info.manifest.shard.first_path..info.manifest.shard.end_path;
        let mut chunks = Vec::new();
        let mut paths = Vec::new();
        let mut next = wanted.start;
        for (r, file) in found {
            if r.start < next || r.end > wanted.end {
                return Err(Error::Checkpoint(format!(
                    "{}: holds paths {}..{}, which overlap other chunks or lie outside the run's \
                     paths {}..{}; the checkpoint is damaged (start over with --force)",
                    file.display(),
                    r.start,
                    r.end,
                    wanted.start,
                    wanted.end
                )));
            }
            let these = output::read_paths(&file)?;
            if !output::holds_paths(&these, r.clone()) {
                return Err(Error::Checkpoint(format!(
                    "{}: does not hold paths {}..{} as its name says; the checkpoint is damaged \
                     (start over with --force)",
                    file.display(),
                    r.start,
                    r.end
                )));
            }
            let name = chunk_name(&r);
            let (digest, _) = output::sha256_file(&file)?;
            match info.chunks.get(&name) {
                Some(d) if *d == digest => {}
                recorded => {
                    return Err(Error::Checkpoint(format!(
                        "{}: {}; the checkpoint is damaged (start over with --force)",
                        file.display(),
                        if recorded.is_some() {
                            "does not match the SHA-256 digest recorded in checkpoint.json when \
                             it was kept (it was altered)"
                        } else {
                            "was not kept by this run (checkpoint.json records no SHA-256 digest \
                             for it)"
                        }
                    )));
                }
            }
            next = r.end;
            chunks.push(r);
            paths.extend(these);
        }
        let checkpoint = Checkpoint {
            dir,
            info,
            chunks,
            resumed: true,
        };
        Ok((checkpoint, paths))
    }

    /// Writes the result folder to `target` rather than where the run started (the folders were
    /// moved since).
    pub fn retarget(&mut self, target: &Path) {
        self.info.target = target.to_path_buf();
    }

    /// The run's settings and manifest.
    pub fn info(&self) -> &CheckpointInfo {
        &self.info
    }

    /// Whether this checkpoint was opened to resume a run (rather than started by it).
    pub fn is_resumed(&self) -> bool {
        self.resumed
    }

    /// The checkpoint folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The paths the run must produce.
    pub fn wanted(&self) -> u64 {
        self.info.manifest.shard.end_path - self.info.manifest.shard.first_path
    }

    /// How many paths the checkpoint holds.
    pub fn done(&self) -> u64 {
        self.chunks.iter().map(|r| r.end - r.start).sum()
    }

    /// The ranges of paths still to run, in order.
    pub fn missing(&self) -> Vec<Range<u64>> {
        let mut out = Vec::new();
        let mut next = self.info.manifest.shard.first_path;
        for r in &self.chunks {
            if r.start > next {
                out.push(next..r.start);
            }
            next = next.max(r.end);
        }
        if next < self.info.manifest.shard.end_path {
            out.push(next..self.info.manifest.shard.end_path);
        }
        out
    }

    /// Keeps the finished paths `range` (results in path order): the chunk is written to a
    /// temporary file, its digest recorded in `checkpoint.json`, and then it is renamed into place.
    pub fn save(&mut self, range: Range<u64>, paths: &[PathResult]) -> Result<()> {
        let name = chunk_name(&range);
        let file = self.dir.join(&name);
        let info_file = self.dir.join(INFO);
        let info = &mut self.info;
        write_whole(&file, |tmp| {
            output::write_jsonl(tmp, paths)?;
            let (digest, _) = output::sha256_file(tmp)?;
            info.chunks.insert(name, digest);
            write_whole(&info_file, |t| output::write_json(t, &*info))
        })?;
        self.chunks.push(range);
        self.chunks.sort_by_key(|r| r.start);
        Ok(())
    }

    /// Removes the checkpoint (the result folder is in place).
    pub fn remove(self) -> Result<()> {
        std::fs::remove_dir_all(&self.dir)
            .map_err(|e| Error::io(&self.dir, "cannot remove checkpoint", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_names_round_trip_and_sort_by_path() {
        let r = 12..3456;
        assert_eq!(parse_chunk_name(&chunk_name(&r)), Some(r));
        assert!(chunk_name(&(2..9)) < chunk_name(&(10..11)));
        for bad in [
            "paths-1-1.jsonl",
            "paths-a-2.jsonl",
            "paths-3.jsonl",
            "x.jsonl",
        ] {
            assert_eq!(parse_chunk_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_checkpoint_sits_beside_the_result_folder() {
        assert_eq!(
            location(Path::new("results/base")),
            PathBuf::from("results/.base.checkpoint")
        );
        assert_eq!(location(Path::new("out")), PathBuf::from(".out.checkpoint"));
    }
}
