//! Writes a large decision log for measuring the monitor: `cargo run --release -p
//! herdlab-monitor --example bigloggen -- PATH [ROWS]` (default 50 000 000 rows; CSV, or Parquet
//! when PATH ends in `.parquet`).
//!
//! The log has a bounded shape: 500 000 applicants a quarter (so ~1.25 million rows and 40
//! quarters for 50 million rows), 20 banks in 4 regions, each applicant asking 2 or 3 banks, banks
//! 0-9 sharing one model's error and banks 10-19 using their own, `creditworthy` filled in. Every
//! value is a keyed draw (`sim::rng`), so the file is the same on every machine.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use sim::rng::Key;

const APPLICANTS: u64 = 500_000;
const BANKS: u64 = 20;
const REGIONS: u64 = 4;

/// Parquet columns being filled: quarter, bank, applicant, approved, region, creditworthy.
type Columns = (
    Vec<u32>,
    Vec<String>,
    Vec<String>,
    Vec<bool>,
    Vec<String>,
    Vec<bool>,
);

/// The rows of one applicant: `(bank, approved)` for each bank asked, its region and whether it
/// is creditworthy.
fn applicant(key: Key, quarter: u32, j: u64, out: &mut Vec<(u64, bool)>) -> (u64, bool) {
    let k = key.quarter(quarter).entity(j);
    let quality = k.entity(1).normal();
    let shared = k.entity(2).normal();
    let asks = 2 + (k.entity(3).bits() & 1);
    out.clear();
    let mut n = 4;
    while (out.len() as u64) < asks {
        let b = k.entity(n).bits() % BANKS;
        n += 1;
        if out.iter().any(|&(x, _)| x == b) {
            continue;
        }
        let error = if b < BANKS / 2 {
            shared
        } else {
            k.entity(100 + b).normal()
        };
        out.push((b, quality + 0.8 * error >= -0.3));
    }
    (j % REGIONS, quality > 0.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(args.next().ok_or("usage: bigloggen PATH [ROWS]")?);
    let rows: u64 = match args.next() {
        Some(r) => r.parse()?,
        None => 50_000_000,
    };
    let key = Key::new(2026);
    let parquet = path.extension().is_some_and(|e| e == "parquet");
    let mut asked = Vec::with_capacity(3);
    let mut written = 0u64;
    let started = std::time::Instant::now();
    if parquet {
        use arrow_array::{ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array};
        use arrow_schema::{DataType, Field, Schema};
        let schema = Arc::new(Schema::new(vec![
            Field::new("quarter", DataType::UInt32, false),
            Field::new("bank", DataType::Utf8, false),
            Field::new("applicant", DataType::Utf8, false),
            Field::new("approved", DataType::Boolean, false),
            Field::new("region", DataType::Utf8, false),
            Field::new("creditworthy", DataType::Boolean, false),
        ]));
        let file = std::fs::File::create(&path)?;
        let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None)?;
        let mut cols: Columns = Default::default();
        let flush = |c: &mut Columns,
                     w: &mut parquet::arrow::ArrowWriter<std::fs::File>|
         -> Result<(), Box<dyn std::error::Error>> {
            let arrays: Vec<ArrayRef> = vec![
                Arc::new(UInt32Array::from(std::mem::take(&mut c.0))),
                Arc::new(StringArray::from(std::mem::take(&mut c.1))),
                Arc::new(StringArray::from(std::mem::take(&mut c.2))),
                Arc::new(BooleanArray::from(std::mem::take(&mut c.3))),
                Arc::new(StringArray::from(std::mem::take(&mut c.4))),
                Arc::new(BooleanArray::from(std::mem::take(&mut c.5))),
            ];
            w.write(&RecordBatch::try_new(schema.clone(), arrays)?)?;
            Ok(())
        };
        'outer: for quarter in 1.. {
            for j in 0..APPLICANTS {
                let (region, cw) = applicant(key, quarter, j, &mut asked);
                for &(b, approved) in &asked {
                    cols.0.push(quarter);
                    cols.1.push(format!("bank{b:02}"));
                    cols.2.push(format!("a{j:06}"));
                    cols.3.push(approved);
                    cols.4.push(format!("r{region}"));
                    cols.5.push(cw);
                    written += 1;
                    if cols.0.len() == 1 << 16 {
                        flush(&mut cols, &mut w)?;
                    }
                    if written == rows {
                        break 'outer;
                    }
                }
            }
        }
        if !cols.0.is_empty() {
            flush(&mut cols, &mut w)?;
        }
        w.close()?;
    } else {
        let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        w.write_all(b"quarter,bank,applicant,approved,region,creditworthy\n")?;
        'outer: for quarter in 1.. {
            for j in 0..APPLICANTS {
                let (region, cw) = applicant(key, quarter, j, &mut asked);
                for &(b, approved) in &asked {
                    writeln!(
                        w,
                        "{quarter},bank{b:02},a{j:06},{},r{region},{}",
                        u8::from(approved),
                        u8::from(cw)
                    )?;
                    written += 1;
                    if written == rows {
                        break 'outer;
                    }
                }
            }
        }
        w.flush()?;
    }
    eprintln!(
        "wrote {written} rows to {} in {:.1} s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
