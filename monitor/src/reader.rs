//! The log readers: CSV (the `csv` crate's record reader, from a byte offset) and Parquet (an
//! Arrow `RecordBatch` reader, from a row offset), both streamed; column names and types checked,
//! every bad value reported with its file, row, line, column and value.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type,
    UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;

use crate::error::{Error, Place, Result};

/// Rows per Parquet batch.
pub const PARQUET_BATCH_ROWS: usize = 65_536;
/// Bytes of the CSV read buffer.
pub const CSV_BUFFER_BYTES: usize = 1 << 20;

/// One row of a log, borrowed from the reader's buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowIn<'a> {
    pub quarter: u32,
    pub bank: &'a str,
    pub applicant: &'a str,
    pub approved: bool,
    pub region: Option<&'a str>,
    /// The bank's model family, when the log gives one.
    pub family: Option<&'a str>,
    pub creditworthy: Option<bool>,
    /// Whether the log has a `creditworthy` column.
    pub cw_column: bool,
    pub place: Place,
}

/// The columns of a log: positions of the required and optional ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Columns {
    pub quarter: usize,
    pub bank: usize,
    pub applicant: usize,
    pub approved: usize,
    pub region: Option<usize>,
    pub family: Option<usize>,
    pub amount: Option<usize>,
    pub creditworthy: Option<usize>,
    pub width: usize,
}

const REQUIRED: [&str; 4] = ["quarter", "bank", "applicant", "approved"];
const OPTIONAL: [&str; 4] = ["region", "family", "amount", "creditworthy"];

impl Columns {
    /// Finds the columns by name (exact, after trimming spaces; other columns are ignored).
    pub fn from_names<'a>(
        path: &Path,
        names: impl Iterator<Item = &'a str> + Clone,
    ) -> Result<Self> {
        let names: Vec<&str> = names.map(str::trim).collect();
        let find = |col: &str| -> Result<Option<usize>> {
            let mut hits = names.iter().enumerate().filter(|(_, n)| **n == col);
            let first = hits.next().map(|(i, _)| i);
            if hits.next().is_some() {
                return Err(Error::DuplicateColumn {
                    path: path.to_path_buf(),
                    column: col.to_string(),
                });
            }
            Ok(first)
        };
        let mut req = [0usize; 4];
        for (k, col) in REQUIRED.iter().enumerate() {
            req[k] = find(col)?.ok_or_else(|| Error::MissingColumn {
                path: path.to_path_buf(),
                column: col,
                found: names.join(", "),
            })?;
        }
        let mut opt = [None; 4];
        for (k, col) in OPTIONAL.iter().enumerate() {
            opt[k] = find(col)?;
        }
        Ok(Columns {
            quarter: req[0],
            bank: req[1],
            applicant: req[2],
            approved: req[3],
            region: opt[0],
            family: opt[1],
            amount: opt[2],
            creditworthy: opt[3],
            width: names.len(),
        })
    }
}

const QUARTER_ALLOWED: &str = "a whole number from 0 to 4294967295";
const BOOL_ALLOWED: &str = "0, 1, true or false";
const TEXT_ALLOWED: &str = "non-empty UTF-8 text";
const AMOUNT_ALLOWED: &str = "a finite number >= 0, or empty";

fn bad(
    path: &Path,
    place: Place,
    column: &'static str,
    value: &[u8],
    allowed: &'static str,
) -> Error {
    Error::BadValue {
        path: path.to_path_buf(),
        place,
        column,
        value: String::from_utf8_lossy(value).into_owned(),
        allowed,
    }
}

fn parse_bool(s: &[u8]) -> Option<bool> {
    match s {
        b"1" => Some(true),
        b"0" => Some(false),
        _ if s.eq_ignore_ascii_case(b"true") => Some(true),
        _ if s.eq_ignore_ascii_case(b"false") => Some(false),
        _ => None,
    }
}

fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// Parses one CSV record into a row.
fn csv_row<'a>(
    path: &Path,
    cols: &Columns,
    rec: &'a csv::ByteRecord,
    place: Place,
) -> Result<RowIn<'a>> {
    if rec.len() != cols.width {
        return Err(Error::Format {
            path: path.to_path_buf(),
            message: format!(
                "{place} has {} fields; the header has {}",
                rec.len(),
                cols.width
            ),
        });
    }
    let field = |i: usize| trim(rec.get(i).unwrap_or_default());
    let q = field(cols.quarter);
    let quarter = std::str::from_utf8(q)
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .ok_or_else(|| bad(path, place, "quarter", q, QUARTER_ALLOWED))?;
    let text = |i: usize, col: &'static str| -> Result<&'a str> {
        let v = trim(rec.get(i).unwrap_or_default());
        match std::str::from_utf8(v) {
            Ok(s) if !s.is_empty() => Ok(s),
            _ => Err(bad(path, place, col, v, TEXT_ALLOWED)),
        }
    };
    let bank = text(cols.bank, "bank")?;
    let applicant = text(cols.applicant, "applicant")?;
    let a = field(cols.approved);
    let approved = parse_bool(a).ok_or_else(|| bad(path, place, "approved", a, BOOL_ALLOWED))?;
    let optional_text = |i: Option<usize>, col: &'static str| -> Result<Option<&'a str>> {
        let Some(i) = i else { return Ok(None) };
        let v = trim(rec.get(i).unwrap_or_default());
        if v.is_empty() {
            return Ok(None);
        }
        std::str::from_utf8(v)
            .map(Some)
            .map_err(|_| bad(path, place, col, v, "UTF-8 text, or empty"))
    };
    let region = optional_text(cols.region, "region")?;
    let family = optional_text(cols.family, "family")?;
    if let Some(i) = cols.amount {
        let v = field(i);
        if !v.is_empty() {
            let x = std::str::from_utf8(v)
                .ok()
                .and_then(|s| s.parse::<f64>().ok());
            if !matches!(x, Some(x) if x.is_finite() && x >= 0.0) {
                return Err(bad(path, place, "amount", v, AMOUNT_ALLOWED));
            }
        }
    }
    let creditworthy = match cols.creditworthy {
        None => None,
        Some(i) => {
            let v = field(i);
            if v.is_empty() {
                None
            } else {
                Some(parse_bool(v).ok_or_else(|| {
                    bad(
                        path,
                        place,
                        "creditworthy",
                        v,
                        "0, 1, true or false, or empty",
                    )
                })?)
            }
        }
    };
    Ok(RowIn {
        quarter,
        bank,
        applicant,
        approved,
        region,
        family,
        creditworthy,
        cw_column: cols.creditworthy.is_some(),
        place,
    })
}

/// Where a CSV log has been read to.
#[derive(Clone, Debug, Default)]
pub(crate) struct CsvCursor {
    /// Bytes consumed.
    pub offset: u64,
    /// Lines consumed (header included).
    pub lines: u64,
    /// Data rows consumed.
    pub rows: u64,
    /// The header's columns, once read.
    pub columns: Option<Columns>,
}

/// The end of the last complete line at or after `from` in a file of `len` bytes: the byte after
/// its last `\n`, or `from` when there is none.
fn complete_end(file: &mut File, path: &Path, from: u64, len: u64) -> Result<u64> {
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > from {
        let start = end.saturating_sub(buf.len() as u64).max(from);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))
            .and_then(|_| file.read_exact(&mut buf[..n]))
            .map_err(|e| Error::io(path, "cannot read", e))?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(from)
}

/// Reads the CSV rows after `cur` (only complete lines when `complete_only`), passing each to
/// `sink`. Returns the rows read.
pub(crate) fn read_csv(
    path: &Path,
    cur: &mut CsvCursor,
    complete_only: bool,
    sink: &mut dyn FnMut(RowIn<'_>) -> Result<()>,
) -> Result<u64> {
    let mut file = File::open(path).map_err(|e| Error::io(path, "cannot open", e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io(path, "cannot read", e))?
        .len();
    if len < cur.offset {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            read: cur.offset,
        });
    }
    let end = if complete_only {
        complete_end(&mut file, path, cur.offset, len)?
    } else {
        len
    };
    if end <= cur.offset {
        return Ok(0);
    }
    file.seek(SeekFrom::Start(cur.offset))
        .map_err(|e| Error::io(path, "cannot read", e))?;
    let input = BufReader::with_capacity(CSV_BUFFER_BYTES, file.take(end - cur.offset));
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let mut rows = 0u64;
    let line_base = cur.lines;
    loop {
        let more = rdr.read_byte_record(&mut rec).map_err(|e| {
            let at = e
                .position()
                .map(|p| format!(" at line {}", line_base + p.line()))
                .unwrap_or_default();
            Error::format(path, format!("not a readable CSV file{at}: {e}"))
        })?;
        if !more {
            break;
        }
        let line = line_base + rec.position().map_or(0, |p| p.line());
        match &cur.columns {
            None => {
                let names: Vec<&str> = rec
                    .iter()
                    .map(|f| std::str::from_utf8(f).unwrap_or(""))
                    .collect();
                cur.columns = Some(Columns::from_names(path, names.iter().copied())?);
            }
            Some(cols) => {
                let place = Place {
                    row: cur.rows + rows + 1,
                    line: std::num::NonZeroU64::new(line),
                };
                sink(csv_row(path, cols, &rec, place)?)?;
                rows += 1;
            }
        }
    }
    cur.rows += rows;
    cur.offset = end;
    cur.lines = line_base + rdr.position().line().saturating_sub(1);
    Ok(rows)
}

/// A column of text of any Arrow string type.
enum Texts<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
}

impl<'a> Texts<'a> {
    fn of(a: &'a dyn Array) -> Option<Self> {
        match a.data_type() {
            DataType::Utf8 => Some(Texts::Utf8(a.as_string::<i32>())),
            DataType::LargeUtf8 => Some(Texts::Large(a.as_string::<i64>())),
            DataType::Utf8View => Some(Texts::View(a.as_string_view())),
            _ => None,
        }
    }

    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Texts::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Texts::View(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// A column of numbers of any Arrow integer or float type, read as `f64` (integers exactly up to
/// 2^53) or as a whole number.
enum Numbers<'a> {
    Int(Box<dyn Fn(usize) -> Option<i128> + 'a>),
    Float(Box<dyn Fn(usize) -> Option<f64> + 'a>),
    Bool(&'a arrow_array::BooleanArray),
}

macro_rules! int_col {
    ($a:expr, $t:ty) => {{
        let a = $a.as_primitive::<$t>();
        Numbers::Int(Box::new(move |i| {
            a.is_valid(i).then(|| i128::from(a.value(i)))
        }))
    }};
}

impl<'a> Numbers<'a> {
    fn of(a: &'a dyn Array) -> Option<Self> {
        Some(match a.data_type() {
            DataType::Int8 => int_col!(a, Int8Type),
            DataType::Int16 => int_col!(a, Int16Type),
            DataType::Int32 => int_col!(a, Int32Type),
            DataType::Int64 => int_col!(a, Int64Type),
            DataType::UInt8 => int_col!(a, UInt8Type),
            DataType::UInt16 => int_col!(a, UInt16Type),
            DataType::UInt32 => int_col!(a, UInt32Type),
            DataType::UInt64 => int_col!(a, UInt64Type),
            DataType::Float32 => {
                let a = a.as_primitive::<Float32Type>();
                Numbers::Float(Box::new(move |i| {
                    a.is_valid(i).then(|| f64::from(a.value(i)))
                }))
            }
            DataType::Float64 => {
                let a = a.as_primitive::<Float64Type>();
                Numbers::Float(Box::new(move |i| a.is_valid(i).then(|| a.value(i))))
            }
            DataType::Boolean => Numbers::Bool(a.as_boolean()),
            _ => return None,
        })
    }

    fn int(&self, i: usize) -> Option<i128> {
        match self {
            Numbers::Int(f) => f(i),
            _ => None,
        }
    }

    /// A 0/1 or boolean value: `Ok(None)` for null, `Err(text)` for another number.
    fn flag(&self, i: usize) -> std::result::Result<Option<bool>, String> {
        match self {
            Numbers::Bool(a) => Ok(a.is_valid(i).then(|| a.value(i))),
            Numbers::Int(f) => match f(i) {
                None => Ok(None),
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                Some(v) => Err(v.to_string()),
            },
            Numbers::Float(_) => Err(String::new()),
        }
    }

    fn float(&self, i: usize) -> Option<f64> {
        match self {
            Numbers::Float(f) => f(i),
            Numbers::Int(f) => f(i).map(|v| v as f64),
            Numbers::Bool(_) => None,
        }
    }
}

const INT_TYPES: &str = "an integer type (Int8..Int64, UInt8..UInt64)";
const TEXT_TYPES: &str = "a string type (Utf8, LargeUtf8, Utf8View)";
const FLAG_TYPES: &str = "Boolean or an integer type holding 0/1";
const NUMBER_TYPES: &str = "a float or integer type";

/// Reads the Parquet rows after the first `skip`, passing each to `sink`. Returns the rows read.
pub(crate) fn read_parquet(
    path: &Path,
    skip: u64,
    sink: &mut dyn FnMut(RowIn<'_>) -> Result<()>,
) -> Result<u64> {
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = File::open(path).map_err(|e| Error::io(path, "cannot open", e))?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::format(path, e))?;
    let total = builder.metadata().file_metadata().num_rows().max(0) as u64;
    if total < skip {
        return Err(Error::Truncated {
            path: path.to_path_buf(),
            read: skip,
        });
    }
    let schema = builder.schema().clone();
    let cols = Columns::from_names(path, schema.fields().iter().map(|f| f.name().as_str()))?;
    // Types, checked before any row is read.
    let check = |i: usize, col: &'static str, ok: fn(&DataType) -> bool, allowed: &'static str| {
        let t = schema.field(i).data_type();
        if ok(t) {
            Ok(())
        } else {
            Err(Error::ColumnType {
                path: path.to_path_buf(),
                column: col,
                found: t.to_string(),
                allowed,
            })
        }
    };
    let is_int = |t: &DataType| t.is_integer();
    let is_text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    let is_flag = |t: &DataType| t.is_integer() || *t == DataType::Boolean;
    let is_number = |t: &DataType| t.is_integer() || t.is_floating();
    check(cols.quarter, "quarter", is_int, INT_TYPES)?;
    check(cols.bank, "bank", is_text, TEXT_TYPES)?;
    check(cols.applicant, "applicant", is_text, TEXT_TYPES)?;
    check(cols.approved, "approved", is_flag, FLAG_TYPES)?;
    for (i, col) in [(cols.region, "region"), (cols.family, "family")] {
        if let Some(i) = i {
            check(i, col, is_text, TEXT_TYPES)?;
        }
    }
    if let Some(i) = cols.amount {
        check(i, "amount", is_number, NUMBER_TYPES)?;
    }
    if let Some(i) = cols.creditworthy {
        check(i, "creditworthy", is_flag, FLAG_TYPES)?;
    }
    if total == skip {
        return Ok(0);
    }
    let reader = builder
        .with_batch_size(PARQUET_BATCH_ROWS)
        .with_offset(skip as usize)
        .build()
        .map_err(|e| Error::format(path, e))?;
    let mut row = skip;
    for batch in reader {
        let batch: RecordBatch = batch.map_err(|e| Error::format(path, e))?;
        let c = |i: usize| batch.column(i).as_ref();
        let missing = || Error::format(path, "a column changed type between batches");
        let quarter = Numbers::of(c(cols.quarter)).ok_or_else(missing)?;
        let bank = Texts::of(c(cols.bank)).ok_or_else(missing)?;
        let applicant = Texts::of(c(cols.applicant)).ok_or_else(missing)?;
        let approved = Numbers::of(c(cols.approved)).ok_or_else(missing)?;
        let region = cols.region.and_then(|i| Texts::of(c(i)));
        let family = cols.family.and_then(|i| Texts::of(c(i)));
        let amount = cols.amount.and_then(|i| Numbers::of(c(i)));
        let creditworthy = cols.creditworthy.and_then(|i| Numbers::of(c(i)));
        for i in 0..batch.num_rows() {
            row += 1;
            let place = Place { row, line: None };
            let q = quarter.int(i);
            let quarter = q.and_then(|v| u32::try_from(v).ok()).ok_or_else(|| {
                let v = q.map(|v| v.to_string()).unwrap_or_default();
                bad(path, place, "quarter", v.as_bytes(), QUARTER_ALLOWED)
            })?;
            let bank_v = required_text(&bank, i, path, place, "bank")?;
            let applicant_v = required_text(&applicant, i, path, place, "applicant")?;
            let approved = match approved.flag(i) {
                Ok(Some(v)) => v,
                Ok(None) => return Err(bad(path, place, "approved", b"", BOOL_ALLOWED)),
                Err(v) => return Err(bad(path, place, "approved", v.as_bytes(), BOOL_ALLOWED)),
            };
            let region = region
                .as_ref()
                .and_then(|t| t.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let family = family
                .as_ref()
                .and_then(|t| t.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty());
            if let Some(x) = amount.as_ref().and_then(|a| a.float(i))
                && !(x.is_finite() && x >= 0.0)
            {
                return Err(bad(
                    path,
                    place,
                    "amount",
                    x.to_string().as_bytes(),
                    AMOUNT_ALLOWED,
                ));
            }
            let creditworthy = match creditworthy.as_ref().map(|a| a.flag(i)) {
                None | Some(Ok(None)) => None,
                Some(Ok(Some(v))) => Some(v),
                Some(Err(v)) => {
                    return Err(bad(
                        path,
                        place,
                        "creditworthy",
                        v.as_bytes(),
                        "0, 1, true or false, or null",
                    ));
                }
            };
            sink(RowIn {
                quarter,
                bank: bank_v,
                applicant: applicant_v,
                approved,
                region,
                family,
                creditworthy,
                cw_column: cols.creditworthy.is_some(),
                place,
            })?;
        }
    }
    Ok(row - skip)
}

fn required_text<'b>(
    t: &Texts<'b>,
    i: usize,
    path: &Path,
    place: Place,
    col: &'static str,
) -> Result<&'b str> {
    match t.get(i).map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        other => Err(bad(
            path,
            place,
            col,
            other.unwrap_or("").as_bytes(),
            TEXT_ALLOWED,
        )),
    }
}

/// Whether a file is Parquet (starts with the magic `PAR1`).
pub(crate) fn is_parquet(path: &Path) -> Result<bool> {
    let mut f = File::open(path).map_err(|e| Error::io(path, "cannot open", e))?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        let n = f
            .read(&mut magic[got..])
            .map_err(|e| Error::io(path, "cannot read", e))?;
        if n == 0 {
            break;
        }
        got += n;
    }
    Ok(got == 4 && &magic == b"PAR1")
}
