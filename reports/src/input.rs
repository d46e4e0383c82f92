//! Loading scenarios from files or the bundled set, with command-line overrides and sweep values
//! applied to the merged TOML before validation, and every data file the engine reads recorded so
//! that a result folder carries everything needed to rebuild its scenario.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sim::scenario::{FsSources, MapSources, Scenario, Sources};

use crate::bundled;
use crate::error::{Error, Result};
use crate::sweep::{self, Assignment};

/// Where a scenario comes from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// A file on disk.
    File(PathBuf),
    /// A bundled scenario.
    Bundled(&'static bundled::Bundled),
}

impl Origin {
    /// Resolves a command-line argument: an existing file, else a bundled scenario's name.
    pub fn resolve(arg: &str) -> Result<Origin> {
        let path = Path::new(arg);
        if path.is_file() {
            return Ok(Origin::File(path.to_path_buf()));
        }
        match bundled::find(arg) {
            Some(b) => Ok(Origin::Bundled(b)),
            None if path.exists() => Err(Error::io(
                path,
                "cannot read",
                std::io::Error::other("not a file"),
            )),
            None => Err(Error::UnknownScenario { name: arg.into() }),
        }
    }

    /// The file path (virtual `scenarios/NAME.toml` for bundled scenarios).
    pub fn path(&self) -> PathBuf {
        match self {
            Origin::File(p) => p.clone(),
            Origin::Bundled(b) => b.path(),
        }
    }

    /// Where the files are read from.
    pub fn sources(&self) -> &'static dyn Sources {
        match self {
            Origin::File(_) => &FsSources,
            Origin::Bundled(_) => bundled::sources(),
        }
    }

    /// How the origin is shown in manifests: the path, or `bundled:NAME`.
    pub fn label(&self) -> String {
        match self {
            Origin::File(p) => p.display().to_string(),
            Origin::Bundled(b) => format!("bundled:{}", b.name),
        }
    }

    /// Reads the scenario's merged TOML table (its `base` chain merged).
    pub fn table(&self) -> Result<toml::Table> {
        Ok(sim::scenario::load_table(&self.path(), self.sources())?)
    }
}

/// Everything needed to rebuild a validated scenario without its files: the merged TOML (with
/// overrides applied) and the text of every data file it read. Stored in `manifest.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInput {
    /// The scenario file as named in errors.
    pub file: String,
    /// The directory data files are relative to (empty: the paths in `toml` are already resolved
    /// against the files that name them).
    pub dir: String,
    /// The merged scenario table, with overrides applied, as TOML text.
    pub toml: String,
    /// Data files read while validating, by path.
    pub data_files: BTreeMap<String, String>,
}

/// A [`Sources`] that remembers what it served.
struct Recording<'a> {
    inner: &'a dyn Sources,
    seen: Mutex<BTreeMap<String, String>>,
}

impl Sources for Recording<'_> {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        let text = self.inner.read(path)?;
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(path.display().to_string(), text.clone());
        }
        Ok(text)
    }
}

/// Validates a merged table read from `origin`, with `assignments` applied first. `label` is
/// appended to the file name in errors (e.g. the sweep cell).
pub fn build(
    origin: &Origin,
    mut table: toml::Table,
    assignments: &[Assignment],
    label: &str,
) -> Result<(Scenario, ScenarioInput)> {
    for a in assignments {
        sweep::assign(&mut table, a)?;
    }
    let path = origin.path();
    let file = if label.is_empty() {
        path.display().to_string()
    } else {
        format!("{} ({label})", path.display())
    };
    // `load_table` has already resolved every data path against the file that names it.
    let dir = PathBuf::new();
    let toml_text = toml::to_string(&table).map_err(|e| Error::format(&path, e))?;
    let raw = sim::scenario::raw_from_table(table, &file)?;
    let recording = Recording {
        inner: origin.sources(),
        seen: Mutex::new(BTreeMap::new()),
    };
    let scenario = Scenario::from_raw(&raw, &file, &dir, &recording)?;
    let data_files = recording.seen.into_inner().unwrap_or_default();
    Ok((
        scenario,
        ScenarioInput {
            file,
            dir: dir.display().to_string(),
            toml: toml_text,
            data_files,
        },
    ))
}

impl ScenarioInput {
    /// Rebuilds the validated scenario from the stored text alone.
    pub fn rebuild(&self) -> Result<Scenario> {
        let table: toml::Table =
            toml::from_str(&self.toml).map_err(|e| Error::format(&self.file, e))?;
        let raw = sim::scenario::raw_from_table(table, &self.file)?;
        let files = MapSources(
            self.data_files
                .iter()
                .map(|(k, v)| (PathBuf::from(k), v.clone()))
                .collect(),
        );
        Ok(Scenario::from_raw(
            &raw,
            &self.file,
            Path::new(&self.dir),
            &files,
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundled_scenario_with_a_data_file_rebuilds_from_its_input() {
        let origin = Origin::resolve("eu-banks-2018").expect("bundled");
        let table = origin.table().expect("table");
        let (s, input) = build(&origin, table, &[], "").expect("valid");
        assert_eq!(input.data_files.len(), 1);
        assert_eq!(input.rebuild().expect("rebuilds"), s);
    }
}
