//! The engine's own decision log (MODEL.md §10) of chosen paths of a run, in the monitor's log
//! format: one row per decision of a bank on a firm's application, with `creditworthy` known, as
//! CSV and Parquet. `herdlab run --decision-log PATHS` writes them into `DIR/decision-log/`, so
//! that `herdlab monitor` can be tested on a log with known truth.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use sim::model::{Decision, Model};
use sim::montecarlo::{Observer, Silent};
use sim::scenario::Scenario;

use super::Result;
use crate::error::Error;
use crate::output::{self, PROGRAM_VERSION};

/// The columns of a decision log, in order.
pub const COLUMNS: [&str; 11] = [
    "path",
    "quarter",
    "bank",
    "applicant",
    "approved",
    "region",
    "family",
    "amount",
    "creditworthy",
    "position",
    "funded",
];

/// Reads the syntax of `--decision-log`: path indices and inclusive ranges separated by commas
/// (`0`, `0,3,7`, `0-19`), as `(first, last)` pairs, without knowing the run's size.
pub fn parse_ranges(text: &str) -> Result<Vec<(u64, u64)>> {
    let index = |part: &str, s: &str| -> Result<u64> {
        s.trim().parse().map_err(|_| {
            Error::Usage(format!(
                "--decision-log {text}: {part:?} is not a path index or range (give indices such as 0, 0,3 or 0-19)"
            ))
        })
    };
    let mut out = Vec::new();
    for part in text.split(',') {
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (index(part, a)?, index(part, b)?),
            None => {
                let p = index(part, part)?;
                (p, p)
            }
        };
        if first > last {
            return Err(Error::Usage(format!(
                "--decision-log {text}: range {part:?} runs backwards (write it as {last}-{first})"
            )));
        }
        out.push((first, last));
    }
    Ok(out)
}

/// Parses `--decision-log` ([`parse_ranges`]) for a run of `paths` paths: the paths in the order
/// given, each once; a path not in the run is an error naming the run's range.
pub fn parse_paths(text: &str, paths: u64) -> Result<Vec<u64>> {
    let ranges = parse_ranges(text)?;
    if let Some(&(_, last)) = ranges.iter().find(|r| r.1 >= paths) {
        return Err(Error::Usage(format!(
            "--decision-log {text}: path {last} is not in the run (paths 0 to {})",
            paths.saturating_sub(1)
        )));
    }
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (first, last) in ranges {
        for p in first..=last {
            if seen.insert(p) {
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// Simulates path `path` of `scenario` again (bit for bit the run's path, `observer` asked before
/// each quarter whether to stop) and returns its decision log.
pub fn simulate_log(
    scenario: &Scenario,
    path: u64,
    observer: &dyn Observer,
) -> Result<Vec<Decision>> {
    let model = Model::new(scenario)?;
    let mut log: Vec<Decision> = Vec::new();
    model.simulate_path_with(path, observer, Some(&mut log))?;
    Ok(log)
}

/// Simulates path `path` of `scenario` again (bit for bit the run's path) with its decision log
/// and writes `path-P.csv` and `path-P.parquet` into `dir` (created), each atomically. Returns the
/// files written.
pub fn write_decision_log(scenario: &Scenario, path: u64, dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create", e))?;
    let log = simulate_log(scenario, path, &Silent)?;
    let rows: Vec<[String; 11]> = log
        .iter()
        .map(|d| {
            [
                path.to_string(),
                d.quarter.to_string(),
                scenario.banks[d.bank as usize].id.clone(),
                format!("f{}", d.firm),
                u8::from(d.approved).to_string(),
                scenario.regions[d.region as usize].name.clone(),
                scenario.models.families[d.family as usize].name.clone(),
                output::num(d.amount),
                u8::from(d.creditworthy).to_string(),
                d.position.to_string(),
                u8::from(d.funded).to_string(),
            ]
        })
        .collect();
    let csv = dir.join(format!("path-{path}.csv"));
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let rows_vec: Vec<Vec<String>> = rows.iter().map(|r| r.to_vec()).collect();
    atomically(&csv, |tmp| output::write_csv(tmp, &header, &rows_vec))?;
    let parquet = dir.join(format!("path-{path}.parquet"));
    atomically(&parquet, |tmp| write_parquet(tmp, scenario, path, &log))?;
    Ok(vec![csv, parquet])
}

/// Writes `target` through a hidden temporary sibling renamed into place.
fn atomically(target: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.partial"));
    let r = write(&tmp).and_then(|()| {
        std::fs::rename(&tmp, target).map_err(|e| Error::io(target, "cannot write", e))
    });
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r
}

/// The decision log of path `path` as one Arrow batch: the columns of [`COLUMNS`] with the types
/// of `path-P.parquet` (what the Python package hands to pandas, too).
pub fn record_batch(
    s: &Scenario,
    path: u64,
    log: &[Decision],
) -> std::result::Result<RecordBatch, arrow_schema::ArrowError> {
    use arrow_array::{
        ArrayRef, BooleanArray, Float64Array, StringArray, UInt32Array, UInt64Array,
    };
    use arrow_schema::{DataType, Field, Schema};

    let fields = vec![
        Field::new("path", DataType::UInt64, false),
        Field::new("quarter", DataType::UInt32, false),
        Field::new("bank", DataType::Utf8, false),
        Field::new("applicant", DataType::Utf8, false),
        Field::new("approved", DataType::Boolean, false),
        Field::new("region", DataType::Utf8, false),
        Field::new("family", DataType::Utf8, false),
        Field::new("amount", DataType::Float64, false),
        Field::new("creditworthy", DataType::Boolean, false),
        Field::new("position", DataType::UInt32, false),
        Field::new("funded", DataType::Boolean, false),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from_iter_values(log.iter().map(|_| path))),
        Arc::new(UInt32Array::from_iter_values(log.iter().map(|d| d.quarter))),
        Arc::new(StringArray::from_iter_values(
            log.iter().map(|d| s.banks[d.bank as usize].id.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            log.iter().map(|d| format!("f{}", d.firm)),
        )),
        Arc::new(BooleanArray::from_iter(
            log.iter().map(|d| Some(d.approved)),
        )),
        Arc::new(StringArray::from_iter_values(
            log.iter()
                .map(|d| s.regions[d.region as usize].name.as_str()),
        )),
        Arc::new(StringArray::from_iter_values(
            log.iter()
                .map(|d| s.models.families[d.family as usize].name.as_str()),
        )),
        Arc::new(Float64Array::from_iter_values(log.iter().map(|d| d.amount))),
        Arc::new(BooleanArray::from_iter(
            log.iter().map(|d| Some(d.creditworthy)),
        )),
        Arc::new(UInt32Array::from_iter_values(
            log.iter().map(|d| d.position),
        )),
        Arc::new(BooleanArray::from_iter(log.iter().map(|d| Some(d.funded)))),
    ];
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
}

fn write_parquet(file: &Path, s: &Scenario, path: u64, log: &[Decision]) -> Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let batch = record_batch(s, path, log).map_err(|e| Error::format(file, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("herdlab {PROGRAM_VERSION}"))
        .build();
    let f = File::create(file).map_err(|e| Error::io(file, "cannot create", e))?;
    let mut w =
        ArrowWriter::try_new(f, batch.schema(), Some(props)).map_err(|e| Error::format(file, e))?;
    w.write(&batch).map_err(|e| Error::format(file, e))?;
    let f = w.into_inner().map_err(|e| Error::format(file, e))?;
    f.sync_all().map_err(|e| Error::io(file, "cannot write", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_lists_and_ranges() {
        assert_eq!(parse_paths("0", 4).ok(), Some(vec![0]));
        assert_eq!(parse_paths("3,0-2,1", 4).ok(), Some(vec![3, 0, 1, 2]));
        assert_eq!(
            parse_ranges("0-18446744073709551615").ok(),
            Some(vec![(0, u64::MAX)])
        );
        for (text, says) in [
            ("0-4", "path 4 is not in the run (paths 0 to 3)"),
            ("2-1", "runs backwards (write it as 1-2)"),
            ("a", "\"a\" is not a path index or range"),
            ("1-", "\"1-\" is not a path index or range"),
            ("", "is not a path index"),
        ] {
            let e = parse_paths(text, 4).expect_err(text).to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
