//! The Parquet tables of a result folder (issue 17): `paths.parquet` with integer counts and
//! units, the long `path_quarters.parquet`, and the key-value metadata a data scientist reads.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use arrow_array::{Array, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array};
use arrow_schema::DataType;
use assert_cmd::Command;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use sim::results::{PathSummary, QuarterRecord};

fn read_parquet(path: &Path) -> (RecordBatch, HashMap<String, String>) {
    let file = File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("parquet");
    let kv: HashMap<String, String> = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| {
            kv.iter()
                .filter_map(|x| Some((x.key.clone(), x.value.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let mut batches = builder
        .with_batch_size(1 << 20)
        .build()
        .expect("reader")
        .map(|b| b.expect("batch"));
    let batch = batches.next().expect("one batch");
    assert!(batches.next().is_none(), "a small file is one batch");
    (batch, kv)
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("csv");
    let mut lines = text.lines();
    let header = lines
        .next()
        .expect("header")
        .split(',')
        .map(String::from)
        .collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn parquet_tables_hold_integer_counts_units_provenance_and_the_long_quarters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("run");
    Command::cargo_bin("herdlab")
        .expect("binary")
        .args(["run", "vendor-drift", "--paths", "3", "--seed", "5"])
        .args(["--out"])
        .arg(&out)
        .assert()
        .success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("json");
    let currency = manifest["scenario"]["currency"].as_str().expect("currency");

    // paths.parquet: provenance, units, integer counts, the values of paths.csv.
    let (paths, kv) = read_parquet(&out.join("paths.parquet"));
    assert_eq!(
        kv["herdlab.scenario"],
        manifest["scenario_name"].as_str().expect("present")
    );
    assert_eq!(kv["herdlab.seed"], "5");
    assert_eq!(kv["herdlab.paths"], "0..3");
    assert_eq!(
        kv["herdlab.version"],
        manifest["version"].as_str().expect("present")
    );
    assert_eq!(kv["herdlab.currency"], currency);
    let units: HashMap<String, String> =
        serde_json::from_str(&kv["herdlab.units"]).expect("units json");
    assert_eq!(
        units["credit_gap"], currency,
        "money is named by its currency"
    );
    assert_eq!(units["bank_failures"], "banks");
    let schema = paths.schema();
    for m in PathSummary::MEASURES {
        let field = schema.field_with_name(m.name).expect("column");
        let want = if reports::tables::is_count(m) {
            DataType::Int64
        } else {
            DataType::Float64
        };
        assert_eq!(field.data_type(), &want, "{}", m.name);
        let unit = if m.unit == "money" { currency } else { m.unit };
        assert_eq!(field.metadata()["unit"], unit, "{}", m.name);
    }
    for name in [
        "firm_defaults",
        "bank_failures",
        "alarm_quarter",
        "model_switches",
        "retrainings",
    ] {
        assert_eq!(
            schema.field_with_name(name).expect("present").data_type(),
            &DataType::Int64,
            "{name}"
        );
    }
    let (header, rows) = csv_rows(&out.join("paths.csv"));
    assert_eq!(
        header,
        schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect::<Vec<_>>()
    );
    for (c, name) in header.iter().enumerate() {
        let col = paths.column(c);
        for (r, row) in rows.iter().enumerate() {
            let want: f64 = row[c].parse().expect("number");
            let got = match col.data_type() {
                DataType::Int64 => col
                    .as_any()
                    .downcast_ref::<arrow_array::Int64Array>()
                    .expect("present")
                    .value(r) as f64,
                DataType::UInt64 => col
                    .as_any()
                    .downcast_ref::<UInt64Array>()
                    .expect("present")
                    .value(r) as f64,
                _ => col
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .expect("present")
                    .value(r),
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{name} row {r}");
        }
    }

    // path_quarters.parquet: long, one row per path, quarter and measure; the same numbers as
    // path_quarters.csv and path_families.csv.
    let (long, kv) = read_parquet(&out.join("path_quarters.parquet"));
    assert_eq!(kv["herdlab.seed"], "5");
    let names: Vec<String> = long
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "path", "quarter", "measure", "region", "family", "value", "unit"
        ]
    );
    let n_regions = manifest["scenario"]["regions"]
        .as_array()
        .expect("present")
        .len();
    let n_families = manifest["scenario"]["models"]["families"]
        .as_array()
        .expect("present")
        .len();
    let per_quarter = QuarterRecord::MEASURES.len()
        + 3 * n_regions
        + reports::output::FAMILY_MEASURES.len() * n_families;
    let quarters = manifest["scenario"]["run"]["quarters"]
        .as_u64()
        .expect("present") as usize;
    assert_eq!(long.num_rows(), 3 * quarters * per_quarter);
    let col = |name: &str| {
        long.column(long.schema().index_of(name).expect("present"))
            .clone()
    };
    let path = col("path");
    let path = path
        .as_any()
        .downcast_ref::<UInt64Array>()
        .expect("present");
    let quarter = col("quarter");
    let quarter = quarter
        .as_any()
        .downcast_ref::<UInt32Array>()
        .expect("present");
    let measure = col("measure");
    let measure = measure
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("present");
    let region = col("region");
    let region = region
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("present");
    let family = col("family");
    let family = family
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("present");
    let value = col("value");
    let value = value
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("present");
    let unit = col("unit");
    let unit = unit
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("present");
    let mut long_values = HashMap::new();
    for i in 0..long.num_rows() {
        let key = if !family.is_null(i) {
            let m = measure
                .value(i)
                .strip_prefix("family_")
                .expect("family measure");
            format!(
                "{}|{}|{m}|{}",
                path.value(i),
                quarter.value(i),
                family.value(i)
            )
        } else if !region.is_null(i) {
            format!(
                "{}|{}|{}[{}]",
                path.value(i),
                quarter.value(i),
                measure.value(i),
                region.value(i)
            )
        } else {
            format!(
                "{}|{}|{}",
                path.value(i),
                quarter.value(i),
                measure.value(i)
            )
        };
        assert!(
            !unit.value(i).is_empty() && unit.value(i) != "money",
            "row {i}"
        );
        assert!(
            long_values.insert(key, value.value(i)).is_none(),
            "row {i} twice"
        );
    }
    let (header, rows) = csv_rows(&out.join("path_quarters.csv"));
    let mut checked = 0;
    for row in &rows {
        for (name, text) in header.iter().zip(row).skip(1) {
            let key = format!("{}|{}|{name}", row[0], row[1]);
            let want: f64 = text.parse().expect("number");
            assert_eq!(long_values[&key].to_bits(), want.to_bits(), "{key}");
            checked += 1;
        }
    }
    let (header, rows) = csv_rows(&out.join("path_families.csv"));
    for row in &rows {
        for (name, text) in header.iter().zip(row).skip(3) {
            let key = format!("{}|{}|{name}|{}", row[0], row[1], row[2]);
            let want: f64 = text.parse().expect("number");
            assert_eq!(long_values[&key].to_bits(), want.to_bits(), "{key}");
            checked += 1;
        }
    }
    assert_eq!(checked, long.num_rows(), "every long row is in a CSV file");
}
