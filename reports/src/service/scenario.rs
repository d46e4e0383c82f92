//! Scenarios edited outside a file (the desktop app's editor, Python): saved as TOML the command
//! line reads.

use std::path::{Path, PathBuf};

use super::ServiceError;
use crate::error::Result;
use crate::{bundled, toml_path};

/// Writes a merged scenario table as a TOML file at `path` that `herdlab run` reads unchanged:
/// `base` is dropped (the table is merged already), each data file it names
/// ([`toml_path::DATA_FILE_KEYS`]) is referred to by absolute path when it is on disk, or copied
/// from the bundled data into `data/` beside the file; `header` (comment lines) goes first.
pub fn save_scenario(table: &toml::Table, path: &Path, header: &str) -> Result<()> {
    let mut table = table.clone();
    table.remove("base");
    let dir = path.parent().unwrap_or(Path::new(""));
    let cwd = std::env::current_dir().map_err(|e| ServiceError::io(".", "cannot read", e))?;
    toml_path::for_each_data_file(&mut table, |v| -> Result<()> {
        let Some(p) = v.as_str().map(PathBuf::from) else {
            return Ok(());
        };
        if p.is_absolute() {
            return Ok(());
        }
        if p.is_file() {
            *v = toml::Value::String(cwd.join(&p).display().to_string());
            return Ok(());
        }
        if let Some(text) = bundled::sources().0.get(&p) {
            let name = p.file_name().map(PathBuf::from).unwrap_or_default();
            let rel = PathBuf::from("data").join(name);
            let target = dir.join(&rel);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| ServiceError::io(parent, "cannot create folder", e))?;
            }
            std::fs::write(&target, text)
                .map_err(|e| ServiceError::io(&target, "cannot write", e))?;
            *v = toml::Value::String(rel.display().to_string());
        }
        Ok(())
    })?;
    let text = toml::to_string_pretty(&table).map_err(|e| ServiceError::format(path, e))?;
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ServiceError::io(dir, "cannot create folder", e))?;
    }
    std::fs::write(path, format!("{header}{text}"))
        .map_err(|e| ServiceError::io(path, "cannot write", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Origin;

    #[test]
    fn a_saved_bundled_scenario_with_a_data_file_reads_back_the_same() {
        let origin = Origin::resolve("eu-banks-2018").expect("bundled");
        let table = origin.table().expect("table");
        let (before, _) = crate::input::build(&origin, table.clone(), &[], "").expect("valid");
        let tmp = std::env::temp_dir().join(format!("herdlab-save-{}", std::process::id()));
        let file = tmp.join("copy.toml");
        save_scenario(&table, &file, "# a copy\n").expect("saved");
        let text = std::fs::read_to_string(&file).expect("written");
        assert!(text.starts_with("# a copy\n"));
        let after = sim::scenario::Scenario::load(&file, &sim::scenario::FsSources).expect("valid");
        let _ = std::fs::remove_dir_all(&tmp);
        assert_eq!(after.banks, before.banks);
        assert_eq!(after.run, before.run);
    }
}
