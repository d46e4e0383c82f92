//! The engine's error type.

use std::fmt;

/// One problem with one field of a scenario or data file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where: the field path (`banks[2].equity`) or a data file's row and column.
    pub path: String,
    /// The value found, as written (or `(missing)`).
    pub value: String,
    /// What is allowed.
    pub allowed: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.path, self.value, self.allowed)
    }
}

/// Where in a scenario file a value is: for editors that mark the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line in the file as the user wrote it.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The field path, as in validation errors (`banks[2].equity`, `firms.count`).
    pub field: String,
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything that can go wrong in the engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario or data file could not be read.
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file.
        file: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A scenario file is not valid TOML, has a value of the wrong type, or an unknown field.
    #[error("{file}: {}{message}", at.as_ref().map(|a| format!("{}: ", a.field)).unwrap_or_default())]
    Parse {
        /// The file (a `base` file says which file names it).
        file: String,
        /// What the parser said, with the position and the source line quoted.
        message: String,
        /// Where in `file`, with the field path, when the error is about one value (a wrong type,
        /// an unknown field); `None` for a syntax error or a whole-file problem.
        at: Option<Location>,
    },
    /// A scenario parsed but some values are out of range or inconsistent; every problem is listed.
    #[error("{file}: {} invalid value(s):\n{}", problems.len(), list(problems))]
    Invalid {
        /// The file.
        file: String,
        /// The problems, in file order.
        problems: Vec<Problem>,
    },
    /// Run options that cannot be honoured (a shard out of range, zero threads...).
    #[error("invalid run options: {0}")]
    Options(String),
    /// The run would need more memory than allowed.
    #[error(
        "the run would need about {} of memory per path in flight ({} in all with {threads} thread(s)), more than the limit of {}",
        human_bytes(*per_path), human_bytes(*total), human_bytes(*limit)
    )]
    TooLarge {
        /// Estimated bytes per path.
        per_path: u64,
        /// Estimated bytes in all.
        total: u64,
        /// Threads.
        threads: usize,
        /// The limit.
        limit: u64,
    },
    /// A contagion computation failed (a network that cannot be built, a clearing that cannot be
    /// solved).
    #[error("contagion: {0}")]
    Contagion(String),
    /// Two runs that cannot be compared (money in different currency units).
    #[error("cannot compare: {0}")]
    Incomparable(String),
    /// The observer asked to stop.
    #[error("run cancelled")]
    Cancelled,
}

/// Formats a byte count with a binary unit.
pub fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < UNITS.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

/// The engine's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
