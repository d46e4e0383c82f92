//! The Arrow tables of a result: one row per path (`paths.parquet`) and the long per-quarter table
//! (`path_quarters.parquet`), with their units and provenance as Arrow metadata, and their Parquet
//! files. The Python package hands the same tables to pandas, so the two never drift apart.
//!
//! Metadata (kept in the Parquet file's key-value metadata through the Arrow schema):
//! - on the schema: `herdlab.version`, `herdlab.scenario`, `herdlab.seed`, `herdlab.paths` (the
//!   range held, `first..end`), `herdlab.currency` and `herdlab.units` (a JSON object from column
//!   or measure name to unit, `money` resolved to the scenario's currency);
//! - on every measure column: `unit`.
//!
//! Nothing time-dependent goes in, so the files of one scenario, seed and range are the same bytes
//! whichever front end wrote them.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use sim::results::{MeasureInfo, PathResult, PathSummary, QuarterRecord};
use sim::scenario::Scenario;

use crate::error::{Error, Result};
use crate::output::{FAMILY_MEASURES, PROGRAM_VERSION};

/// Units whose values count something (firms, banks, quarters, rounds) or flag it (0/1): such a
/// column is written as a 64-bit integer.
pub const COUNT_UNITS: [&str; 5] = ["firms", "banks", "quarter", "rounds", "0/1"];

/// Measures that count although their unit is shared with a non-count measure (`retrainings`
/// counts families; `final_effective_families` is an effective number, not a count).
pub const COUNT_MEASURES: [&str; 1] = ["retrainings"];

/// Whether a measure is a count (or a 0/1 flag), written as an integer column.
pub fn is_count(m: &MeasureInfo) -> bool {
    COUNT_UNITS.contains(&m.unit) || COUNT_MEASURES.contains(&m.name)
}

/// A unit as readers should see it: `money` becomes the scenario's currency (`CNY million`).
pub fn unit_label<'a>(unit: &'a str, scenario: &'a Scenario) -> &'a str {
    if unit == "money" {
        &scenario.currency
    } else {
        unit
    }
}

/// Provenance written into every table's metadata: it depends only on the scenario (as run, so
/// with its seed) and the paths held, never on the front end or the time.
#[derive(Clone, Debug)]
pub struct Provenance<'a> {
    /// The scenario as run.
    pub scenario: &'a Scenario,
    /// The paths the table holds, `first..end` (`0..0` for none).
    pub paths: std::ops::Range<u64>,
}

impl<'a> Provenance<'a> {
    /// The provenance of `paths` (in path order) of `scenario`.
    pub fn of(scenario: &'a Scenario, paths: &[PathResult]) -> Self {
        let range = match (paths.first(), paths.last()) {
            (Some(a), Some(b)) => a.path..b.path + 1,
            _ => 0..0,
        };
        Provenance {
            scenario,
            paths: range,
        }
    }

    /// The schema metadata, with `units` (column or measure name to unit) as `herdlab.units`.
    fn metadata(&self, units: &BTreeMap<String, String>) -> HashMap<String, String> {
        let mut m = HashMap::new();
        m.insert("herdlab.version".into(), PROGRAM_VERSION.into());
        m.insert("herdlab.scenario".into(), self.scenario.name.clone());
        m.insert("herdlab.seed".into(), self.scenario.run.seed.to_string());
        m.insert(
            "herdlab.paths".into(),
            format!("{}..{}", self.paths.start, self.paths.end),
        );
        m.insert("herdlab.currency".into(), self.scenario.currency.clone());
        m.insert(
            "herdlab.units".into(),
            serde_json::to_string(units).unwrap_or_default(),
        );
        m
    }
}

fn unit_field(name: &str, data_type: DataType, unit: &str) -> Field {
    Field::new(name, data_type, false)
        .with_metadata(HashMap::from([("unit".to_string(), unit.to_string())]))
}

/// A column of `values`: 64-bit integers when `count` and every value is a whole number that a
/// double holds exactly (|x| ≤ 2^53), doubles otherwise (so a count is never truncated).
fn measure_column(values: Vec<f64>, count: bool) -> (DataType, ArrayRef) {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if count && values.iter().all(|x| x.fract() == 0.0 && x.abs() <= EXACT) {
        let ints = Int64Array::from_iter_values(values.iter().map(|&x| x as i64));
        (DataType::Int64, Arc::new(ints))
    } else {
        (DataType::Float64, Arc::new(Float64Array::from(values)))
    }
}

/// One row per path: `path`, every [`PathSummary`] measure (counts as `Int64`), then
/// `credit_gap[REGION]` per region; the columns of `paths.csv`.
pub fn paths_batch(prov: &Provenance<'_>, paths: &[PathResult]) -> Result<RecordBatch, ArrowError> {
    let scenario = prov.scenario;
    let nr = scenario.regions.len();
    let mut units = BTreeMap::new();
    let mut fields = vec![Field::new("path", DataType::UInt64, false)];
    let mut columns: Vec<ArrayRef> = vec![Arc::new(UInt64Array::from_iter_values(
        paths.iter().map(|p| p.path),
    ))];
    let values: Vec<Vec<f64>> = paths.iter().map(|p| p.summary.values()).collect();
    for (k, m) in PathSummary::MEASURES.iter().enumerate() {
        let unit = unit_label(m.unit, scenario);
        let (ty, col) = measure_column(values.iter().map(|v| v[k]).collect(), is_count(m));
        fields.push(unit_field(m.name, ty, unit));
        columns.push(col);
        units.insert(m.name.to_string(), unit.to_string());
    }
    for (r, region) in scenario.regions.iter().enumerate() {
        let name = format!("credit_gap[{}]", region.name);
        let unit = scenario.currency.as_str();
        fields.push(unit_field(&name, DataType::Float64, unit));
        columns.push(Arc::new(Float64Array::from_iter_values(
            paths.iter().map(|p| p.region_gap_total(r, nr)),
        )));
        units.insert(name, unit.to_string());
    }
    let schema = Schema::new_with_metadata(fields, prov.metadata(&units));
    RecordBatch::try_new(Arc::new(schema), columns)
}

/// The per-region measures of a quarter, in the long table and `path_quarters.csv`.
pub const REGION_MEASURES: [&str; 3] = ["creditworthy_demand", "credit_gap", "supply"];

/// The long per-quarter table: one row per path, quarter and measure, with columns `path`,
/// `quarter`, `measure`, `region` (null for whole-economy measures), `family` (null but for the
/// model families' records, MODEL.md 4.1, whose measures are named `family_share` …), `value` and
/// `unit`. It holds everything `path_quarters.csv` and `path_families.csv` hold.
pub fn path_quarters_batch(
    prov: &Provenance<'_>,
    paths: &[PathResult],
) -> Result<RecordBatch, ArrowError> {
    let scenario = prov.scenario;
    let nr = scenario.regions.len();
    let families: Vec<&str> = scenario
        .models
        .families
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    let nm = families.len().max(1);
    let family_names: Vec<String> = FAMILY_MEASURES
        .iter()
        .map(|m| format!("family_{}", m.0))
        .collect();
    let mut units = BTreeMap::new();
    for m in QuarterRecord::MEASURES {
        units.insert(m.name.to_string(), unit_label(m.unit, scenario).to_string());
    }
    for (name, m) in family_names.iter().zip(FAMILY_MEASURES.iter()) {
        units.insert(name.clone(), m.1.to_string());
    }
    let mut rows = LongRows::default();
    for p in paths {
        for (t, q) in p.quarters.iter().enumerate() {
            let t1 = t as u32 + 1;
            for (m, v) in QuarterRecord::MEASURES.iter().zip(q.values()) {
                rows.push((p.path, t1), m.name, None, None, v);
            }
            for (r, reg) in scenario.regions.iter().enumerate() {
                let x = p.region(t1, r, nr).cloned().unwrap_or_default();
                let values = [x.creditworthy_demand, x.credit_gap, x.supply];
                for (m, v) in REGION_MEASURES.iter().zip(values) {
                    rows.push((p.path, t1), m, Some(reg.name.as_str()), None, v);
                }
            }
            for (k, f) in p.families.iter().skip(t * nm).take(nm).enumerate() {
                for (name, m) in family_names.iter().zip(FAMILY_MEASURES.iter()) {
                    let fam = families.get(k).copied();
                    rows.push((p.path, t1), name.as_str(), None, fam, (m.2)(f));
                }
            }
        }
    }
    let LongRows {
        path,
        quarter,
        measure,
        region,
        family,
        value,
    } = rows;
    let unit: Vec<&str> = measure
        .iter()
        .map(|m| units.get(*m).map_or("", String::as_str))
        .collect();
    let fields = vec![
        Field::new("path", DataType::UInt64, false),
        Field::new("quarter", DataType::UInt32, false),
        Field::new("measure", DataType::Utf8, false),
        Field::new("region", DataType::Utf8, true),
        Field::new("family", DataType::Utf8, true),
        Field::new("value", DataType::Float64, false),
        Field::new("unit", DataType::Utf8, false),
    ];
    let columns: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(path)),
        Arc::new(UInt32Array::from(quarter)),
        Arc::new(StringArray::from(measure)),
        Arc::new(StringArray::from(region)),
        Arc::new(StringArray::from(family)),
        Arc::new(Float64Array::from(value)),
        Arc::new(StringArray::from(unit)),
    ];
    let schema = Schema::new_with_metadata(fields, prov.metadata(&units));
    RecordBatch::try_new(Arc::new(schema), columns)
}

/// The columns of the long table, filled row by row.
#[derive(Default)]
struct LongRows<'a> {
    path: Vec<u64>,
    quarter: Vec<u32>,
    measure: Vec<&'a str>,
    region: Vec<Option<&'a str>>,
    family: Vec<Option<&'a str>>,
    value: Vec<f64>,
}

impl<'a> LongRows<'a> {
    fn push(
        &mut self,
        (path, quarter): (u64, u32),
        measure: &'a str,
        region: Option<&'a str>,
        family: Option<&'a str>,
        value: f64,
    ) {
        self.path.push(path);
        self.quarter.push(quarter);
        self.measure.push(measure);
        self.region.push(region);
        self.family.push(family);
        self.value.push(value);
    }
}

/// Writes `batch` as a Snappy-compressed Parquet file and syncs it to disk. Its schema metadata
/// goes into the file's key-value metadata (in key order) as well as into the encoded Arrow
/// schema, so readers that do not decode the Arrow schema see it too.
pub fn write_parquet(path: &Path, batch: &RecordBatch) -> Result<()> {
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;

    let schema = batch.schema();
    let sorted: BTreeMap<&String, &String> = schema.metadata().iter().collect();
    let kv = sorted
        .into_iter()
        .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
        .collect();
    let props = WriterProperties::builder()
        .set_key_value_metadata(Some(kv))
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("herdlab {PROGRAM_VERSION}"))
        .build();
    let file = File::create(path).map_err(|e| Error::io(path, "cannot create", e))?;
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props))
        .map_err(|e| Error::format(path, e))?;
    w.write(batch).map_err(|e| Error::format(path, e))?;
    let file = w.into_inner().map_err(|e| Error::format(path, e))?;
    file.sync_all()
        .map_err(|e| Error::io(path, "cannot write", e))
}
