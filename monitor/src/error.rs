//! The monitor's errors: every bad log names its file, and where it can the data row (1-based,
//! the header not counted), the line of a CSV file, the column and the value.

use std::fmt;
use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// Where in a log a value sits: data row (1-based, header not counted) and, for CSV, the line
/// (1-based, header included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// 1-based data row.
    pub row: u64,
    /// 1-based line of a CSV file; `None` for Parquet.
    pub line: Option<std::num::NonZeroU64>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "row {} (line {line})", self.row),
            None => write!(f, "row {}", self.row),
        }
    }
}

/// Everything that can go wrong reading a log or writing results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file cannot be opened, read or written.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a readable CSV or Parquet file.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// A required column is missing.
    #[error(
        "{}: no column `{column}` (the log needs quarter, bank, applicant, approved; found: {found})",
        path.display()
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The missing column.
        column: &'static str,
        /// The columns the file has, comma-separated.
        found: String,
    },
    /// A known column appears twice in the header.
    #[error("{}: column `{column}` appears twice", path.display())]
    DuplicateColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A Parquet column has a type the monitor cannot read as that column.
    #[error("{}: column `{column}` has type {found}; allowed: {allowed}", path.display())]
    ColumnType {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
        /// Its Arrow type.
        found: String,
        /// The types allowed.
        allowed: &'static str,
    },
    /// A value cannot be read as its column's type.
    #[error("{}: {place}, column `{column}`: {value:?} is not allowed: {allowed}", path.display())]
    BadValue {
        /// The file.
        path: PathBuf,
        /// Where.
        place: Place,
        /// The column.
        column: &'static str,
        /// The value as found (`""` for an empty or null cell).
        value: String,
        /// What the column accepts.
        allowed: &'static str,
    },
    /// The log has a quarter earlier than one already read.
    #[error(
        "{}: {place}: quarter {quarter} comes after quarter {after}; the log must be sorted by quarter (rows of one quarter together, quarters ascending)",
        path.display()
    )]
    OutOfOrder {
        /// The file.
        path: PathBuf,
        /// Where.
        place: Place,
        /// The quarter of the row.
        quarter: u32,
        /// The quarter read before it.
        after: u32,
    },
    /// The same (quarter, bank, applicant) appears on two rows.
    #[error(
        "{}: {place}: quarter {quarter}, bank {bank:?}, applicant {applicant:?} repeats {first}; each (quarter, bank, applicant) may appear once",
        path.display()
    )]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The second row.
        place: Place,
        /// The first row.
        first: Place,
        /// The quarter.
        quarter: u32,
        /// The bank.
        bank: String,
        /// The applicant.
        applicant: String,
    },
    /// An applicant's region or creditworthiness differs between its rows of one quarter.
    #[error(
        "{}: {}, column `{}`: applicant {:?} has {:?} here but {:?} at {} of the same quarter; an applicant has one {} per quarter",
        .0.path.display(), .0.place, .0.column, .0.applicant, .0.value, .0.earlier, .0.first, .0.column
    )]
    Inconsistent(Box<Inconsistency>),
    /// A bank's model family differs between its rows of one quarter.
    #[error(
        "{}: {}, column `family`: bank {:?} has family {:?} here but {:?} at {} of quarter {}; a bank uses one model family per quarter",
        .0.path.display(), .0.place, .0.bank, .0.family, .0.earlier, .0.first, .0.quarter
    )]
    FamilyChanged(Box<FamilyChange>),
    /// A quarter's decisions all come from one bank: no measure of herding is defined.
    #[error(
        "{}: quarter {quarter} (from {first}) has decisions of one bank only ({bank:?}); herding needs two banks or more",
        path.display()
    )]
    OneBank {
        /// The file.
        path: PathBuf,
        /// The quarter.
        quarter: u32,
        /// Its first row.
        first: Place,
        /// The only bank.
        bank: String,
    },
    /// The log has no data rows.
    #[error("{}: the log has no data rows", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A setting is out of its range.
    #[error("monitor setting `{name}` = {value} is not allowed: {allowed}")]
    Setting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: String,
        /// The allowed range.
        allowed: &'static str,
    },
    /// `Monitor::update` was given another file than the one it follows.
    #[error("the monitor follows {}, not {}", follows.display(), given.display())]
    OtherFile {
        /// The file followed.
        follows: PathBuf,
        /// The file given.
        given: PathBuf,
    },
    /// A followed file shrank or was replaced: what was read can no longer be trusted.
    #[error("{}: the file is shorter than the {read} bytes already read; a followed log may only grow", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes (CSV) or rows (Parquet) already read.
        read: u64,
    },
    /// An earlier error left the monitor in an unknown state.
    #[error("the monitor stopped at an earlier error; start a new one")]
    Poisoned,
}

/// The details of [`Error::FamilyChanged`].
#[derive(Debug)]
pub struct FamilyChange {
    /// The file.
    pub path: PathBuf,
    /// The row that disagrees.
    pub place: Place,
    /// The row that first gave the bank's family in the quarter.
    pub first: Place,
    /// The quarter.
    pub quarter: u32,
    /// The bank.
    pub bank: String,
    /// The family on this row.
    pub family: String,
    /// The family on the first row.
    pub earlier: String,
}

/// The details of [`Error::Inconsistent`].
#[derive(Debug)]
pub struct Inconsistency {
    /// The file.
    pub path: PathBuf,
    /// The row that disagrees.
    pub place: Place,
    /// The applicant's first row in the quarter.
    pub first: Place,
    /// The column.
    pub column: &'static str,
    /// The applicant.
    pub applicant: String,
    /// The value on this row.
    pub value: String,
    /// The value on the first row.
    pub earlier: String,
}

impl Error {
    pub(crate) fn io(path: &std::path::Path, what: &'static str, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            what,
            source,
        }
    }

    pub(crate) fn format(path: &std::path::Path, e: impl fmt::Display) -> Self {
        Error::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}
