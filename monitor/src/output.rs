//! Writers of a report: `summary.json` and the per-quarter tables as CSV and Parquet. Each file is
//! written to a temporary file in the target folder, flushed and renamed into place, so a file of
//! that name is always whole; on error the temporary file is removed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::{MonitorReport, QuarterMeasures};

/// The columns of the per-quarter tables, in order.
pub const COLUMNS: [&str; 26] = [
    "quarter",
    "region",
    "rows",
    "applicants",
    "banks",
    "approval_rate",
    "measured_applicants",
    "multi_bank_applicants",
    "systemic_rejection",
    "systemic_rejection_baseline",
    "systemic_rejection_ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "decision_agreement",
    "agreement_pairs",
    "agreement_shared",
    "same_family_agreement",
    "cross_family_agreement",
    "same_family_share",
    "shared_model_excess",
    "lsv",
    "lsv_markets",
    "over_threshold",
    "alarm",
    "response",
    "alarm_measure",
];

/// Writes `path` through a temporary file beside it, renamed into place once complete.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.partial-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, "cannot create", e))?;
        write(&mut f)?;
        f.sync_all()
            .map_err(|e| Error::io(&tmp, "cannot write", e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "cannot write", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `summary.json`: the whole report, pretty-printed.
pub fn write_summary_json(report: &MonitorReport, path: &Path) -> Result<()> {
    write_atomic(path, |f| {
        let mut w = BufWriter::new(f);
        serde_json::to_writer_pretty(&mut w, report).map_err(|e| Error::format(path, e))?;
        w.write_all(b"\n")
            .and_then(|_| w.flush())
            .map_err(|e| Error::io(path, "cannot write", e))
    })
}

/// The rows of the table: the whole log's quarters, then the regions' (the `response` column is 1
/// from an alarm's response quarter on, within its series).
fn table_rows(report: &MonitorReport) -> Vec<(&QuarterMeasures, bool)> {
    let responding = |m: &QuarterMeasures| {
        report
            .alarms
            .iter()
            .any(|a| a.region == m.region && a.response_quarter <= m.quarter)
    };
    report
        .quarters
        .iter()
        .chain(&report.regions)
        .map(|m| (m, responding(m)))
        .collect()
}

fn opt(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// The per-quarter table as CSV (empty cells for undefined measures; `region` empty for the whole
/// log).
pub fn write_quarters_csv(report: &MonitorReport, path: &Path) -> Result<()> {
    let measure = report
        .settings
        .alarm
        .map(|a| serde_json::to_value(a.measure).ok())
        .and_then(|v| v.and_then(|v| v.as_str().map(str::to_string)))
        .unwrap_or_default();
    write_atomic(path, |f| {
        let mut w = csv::Writer::from_writer(BufWriter::new(f));
        let err = |e: csv::Error| Error::format(path, e);
        w.write_record(COLUMNS).map_err(err)?;
        for (m, response) in table_rows(report) {
            w.write_record([
                m.quarter.to_string(),
                m.region.clone().unwrap_or_default(),
                m.rows.to_string(),
                m.applicants.to_string(),
                m.banks.to_string(),
                m.approval_rate.to_string(),
                m.measured_applicants.to_string(),
                m.multi_bank_applicants.to_string(),
                opt(m.systemic_rejection),
                opt(m.systemic_rejection_baseline),
                opt(m.systemic_rejection_ratio),
                opt(m.ratio_ci_low),
                opt(m.ratio_ci_high),
                opt(m.decision_agreement),
                m.agreement_pairs.to_string(),
                m.agreement_shared.to_string(),
                opt(m.same_family_agreement),
                opt(m.cross_family_agreement),
                opt(m.same_family_share),
                opt(m.shared_model_excess),
                opt(m.lsv),
                m.lsv_markets.to_string(),
                m.over_threshold
                    .map(|b| u8::from(b).to_string())
                    .unwrap_or_default(),
                u8::from(m.alarm).to_string(),
                u8::from(response).to_string(),
                measure.clone(),
            ])
            .map_err(err)?;
        }
        w.flush().map_err(|e| Error::io(path, "cannot write", e))
    })
}

/// The per-quarter table as Parquet (nulls for undefined measures), the columns of [`COLUMNS`].
pub fn write_quarters_parquet(report: &MonitorReport, path: &Path) -> Result<()> {
    use arrow_array::{
        ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
    };
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let rows = table_rows(report);
    let measure = report
        .settings
        .alarm
        .map(|a| serde_json::to_value(a.measure).ok())
        .and_then(|v| v.and_then(|v| v.as_str().map(str::to_string)));
    let u64s = |f: fn(&QuarterMeasures) -> u64| -> ArrayRef {
        Arc::new(UInt64Array::from_iter_values(
            rows.iter().map(|(m, _)| f(m)),
        ))
    };
    let f64s = |f: fn(&QuarterMeasures) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from_iter(rows.iter().map(|(m, _)| f(m))))
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt32Array::from_iter_values(
            rows.iter().map(|(m, _)| m.quarter),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|(m, _)| m.region.clone()),
        )),
        u64s(|m| m.rows),
        u64s(|m| m.applicants),
        u64s(|m| m.banks),
        f64s(|m| Some(m.approval_rate)),
        u64s(|m| m.measured_applicants),
        u64s(|m| m.multi_bank_applicants),
        f64s(|m| m.systemic_rejection),
        f64s(|m| m.systemic_rejection_baseline),
        f64s(|m| m.systemic_rejection_ratio),
        f64s(|m| m.ratio_ci_low),
        f64s(|m| m.ratio_ci_high),
        f64s(|m| m.decision_agreement),
        u64s(|m| m.agreement_pairs),
        u64s(|m| m.agreement_shared),
        f64s(|m| m.same_family_agreement),
        f64s(|m| m.cross_family_agreement),
        f64s(|m| m.same_family_share),
        f64s(|m| m.shared_model_excess),
        f64s(|m| m.lsv),
        u64s(|m| m.lsv_markets),
        Arc::new(BooleanArray::from_iter(
            rows.iter().map(|(m, _)| m.over_threshold),
        )),
        Arc::new(BooleanArray::from_iter(
            rows.iter().map(|(m, _)| Some(m.alarm)),
        )),
        Arc::new(BooleanArray::from_iter(rows.iter().map(|(_, r)| Some(*r)))),
        Arc::new(StringArray::from_iter(rows.iter().map(|_| measure.clone()))),
    ];
    let fields: Vec<Field> = COLUMNS
        .iter()
        .zip(&columns)
        .map(|(name, c)| {
            Field::new(
                *name,
                c.data_type().clone(),
                c.null_count() > 0
                    || matches!(
                        c.data_type(),
                        DataType::Float64 | DataType::Utf8 | DataType::Boolean
                    ),
            )
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::format(path, e))?;
    write_atomic(path, |f| {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("herdlab-monitor {}", env!("CARGO_PKG_VERSION")))
            .build();
        let mut w =
            ArrowWriter::try_new(f, schema, Some(props)).map_err(|e| Error::format(path, e))?;
        w.write(&batch).map_err(|e| Error::format(path, e))?;
        w.close().map(|_| ()).map_err(|e| Error::format(path, e))
    })
}

/// Writes `summary.json`, `quarters.csv` and `quarters.parquet` into `dir` (created if missing),
/// each atomically.
pub fn write_tables(report: &MonitorReport, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create", e))?;
    write_summary_json(report, &dir.join("summary.json"))?;
    write_quarters_csv(report, &dir.join("quarters.csv"))?;
    write_quarters_parquet(report, &dir.join("quarters.parquet"))
}
