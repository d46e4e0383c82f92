//! Honest provenance: what a run from the app was built from, and how to get it again.
//!
//! A run of an edited scenario records `scenario.toml (bundled:NAME, edited)` as its origin, not
//! the untouched bundled scenario; its result folder holds `scenario.toml`, the scenario exactly as
//! run (edits and the top bar's paths and seed included), and its manifest's command line runs
//! that file: `herdlab run DIR/scenario.toml --paths N --seed S --out DIR` writes the same data
//! files byte for byte. The edits are the differences between the origin's own table and the
//! table run, listed as `path: old → new`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use reports::input::Origin;
use reports::service::Prepared;

use crate::error::{GuiError, Result};

/// The file a result folder written by the app holds its scenario in.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// The marker of an edited origin: `scenario.toml (bundled:NAME, edited)`.
const EDITED: &str = ", edited)";

/// The origin recorded for a run of `origin` with `edits` (nothing said when there are none).
pub fn origin_label(origin: &str, edits: &[String]) -> String {
    if edits.is_empty() {
        origin.to_string()
    } else {
        format!("{SCENARIO_FILE} ({origin}{EDITED}")
    }
}

/// The scenario an origin recorded by [`origin_label`] was edited from (`None`: not edited).
pub fn edited_from(recorded: &str) -> Option<&str> {
    recorded
        .strip_prefix(SCENARIO_FILE)?
        .strip_prefix(" (")?
        .strip_suffix(EDITED)
}

/// A value, short, for a list of edits.
fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Float(x) => format!("{x}"),
        other => other.to_string(),
    }
}

fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&join(k), v, out);
            }
        }
        toml::Value::Array(items) if items.iter().any(toml::Value::is_table) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), item, out);
            }
        }
        leaf => {
            out.insert(prefix.to_string(), show(leaf));
        }
    }
}

/// The differences between `origin` and `edited` as `path: old → new` (`(none)` for a value
/// added or removed), sorted by path; `base`, `description` and the keys in `skip` (the top bar's
/// paths and seed, shown apart) are left out.
pub fn diff(origin: &toml::Table, edited: &toml::Table, skip: &[&str]) -> Vec<String> {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    flatten("", &toml::Value::Table(origin.clone()), &mut a);
    flatten("", &toml::Value::Table(edited.clone()), &mut b);
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let none = "(none)".to_string();
    keys.into_iter()
        .filter(|k| !matches!(k.as_str(), "base" | "description") && !skip.contains(&k.as_str()))
        .filter_map(|k| {
            let (x, y) = (a.get(k).unwrap_or(&none), b.get(k).unwrap_or(&none));
            (x != y).then(|| format!("{k}: {x} → {y}"))
        })
        .collect()
}

/// The edits of a prepared run against its origin's own scenario: what the user changed in the
/// editor (the top bar's paths and seed are overrides, recorded apart). Reads the origin's file.
pub fn edits(p: &Prepared) -> Result<Vec<String>> {
    let origin = p.origin.table()?;
    let run: toml::Table = toml::from_str(&p.input.toml).map_err(|e| GuiError::Format {
        path: PathBuf::from(&p.input.file),
        message: e.to_string(),
    })?;
    let skip: Vec<&str> = p
        .overrides
        .iter()
        .filter_map(|o| o.split_once('=').map(|(k, _)| k.trim()))
        .collect();
    Ok(diff(&origin, &run, &skip))
}

/// The edits of a run read back from its manifest: its recorded scenario against the scenario it
/// was edited from (empty when the origin is not an edited one, or is no longer readable).
pub fn edits_of_manifest(m: &reports::output::Manifest) -> Vec<String> {
    let Some(origin) = edited_from(&m.scenario_origin) else {
        return Vec::new();
    };
    let origin = origin.strip_prefix("bundled:").unwrap_or(origin);
    let (Ok(o), Ok(run)) = (
        Origin::resolve(origin).and_then(|o| o.table()),
        toml::from_str::<toml::Table>(&m.input.toml),
    ) else {
        return Vec::new();
    };
    let skip: Vec<&str> = m
        .overrides
        .iter()
        .filter_map(|o| o.split_once('=').map(|(k, _)| k.trim()))
        .collect();
    diff(&o, &run, &skip)
}

/// The command line that reproduces the result folder `out` from the `scenario.toml` saved in
/// it: `herdlab run OUT/scenario.toml --paths N --seed S --out OUT --report`.
pub fn command_line(out: &Path, paths: u64, seed: u64) -> Vec<String> {
    vec![
        "herdlab".into(),
        "run".into(),
        out.join(SCENARIO_FILE).display().to_string(),
        "--paths".into(),
        paths.to_string(),
        "--seed".into(),
        seed.to_string(),
        "--out".into(),
        out.display().to_string(),
        "--report".into(),
    ]
}

/// Writes the scenario as run (the manifest's merged TOML, overrides applied) into `dir` as
/// `scenario.toml`, with data files referred to by absolute path or copied into `dir/data/`
/// ([`reports::service::save_scenario`]), so that `herdlab run dir/scenario.toml` reads it.
pub fn save_into(dir: &Path, m: &reports::output::Manifest) -> reports::Result<()> {
    let mut table: toml::Table = toml::from_str(&m.input.toml)
        .map_err(|e| reports::Error::format(Path::new(&m.input.file), e))?;
    // Data files named relative to the scenario's own folder: make them absolute first.
    if !m.input.dir.is_empty() {
        let base = Path::new(&m.input.dir);
        reports::toml_path::for_each_data_file(&mut table, |v| -> reports::Result<()> {
            if let Some(p) = v.as_str().map(PathBuf::from)
                && p.is_relative()
                && base.join(&p).is_file()
            {
                *v = toml::Value::String(base.join(&p).display().to_string());
            }
            Ok(())
        })?;
    }
    let header = format!(
        "# The scenario as run by herdlab-gui (from {}), overrides included.\n# Reproduce the folder with `{}`.\n",
        m.scenario_origin,
        m.command_line.join(" ")
    );
    reports::service::save_scenario(&table, &dir.join(SCENARIO_FILE), &header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_are_listed_as_paths_with_old_and_new_values() {
        let a: toml::Table = toml::from_str(
            "name = 'x'\n[firms]\nlgd = 0.45\n[[regions]]\nname = 'east'\nfirm_share = 1.0\n",
        )
        .expect("toml");
        let b: toml::Table = toml::from_str(
            "name = 'x'\n[firms]\nlgd = 0.3\n[run]\npaths = 20\n[[regions]]\nname = 'east'\nfirm_share = 2.0\n",
        )
        .expect("toml");
        assert_eq!(
            diff(&a, &b, &["run.paths"]),
            vec!["firms.lgd: 0.45 → 0.3", "regions[0].firm_share: 1 → 2"]
        );
        assert!(diff(&a, &a, &[]).is_empty());
    }

    #[test]
    fn an_edited_origin_names_what_it_was_edited_from() {
        let e = vec!["firms.lgd: 0.45 → 0.3".to_string()];
        let l = origin_label("bundled:regional-monoculture", &e);
        assert_eq!(l, "scenario.toml (bundled:regional-monoculture, edited)");
        assert_eq!(edited_from(&l), Some("bundled:regional-monoculture"));
        assert_eq!(origin_label("bundled:baseline", &[]), "bundled:baseline");
        assert_eq!(edited_from("bundled:baseline"), None);
    }
}
