//! The charts' error type.

use std::path::PathBuf;

/// What can go wrong when building or rendering a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The chart's input is inconsistent or not finite; names the chart and the problem.
    #[error("{chart} chart: {message}")]
    InvalidInput {
        /// Chart kind, e.g. `fan`.
        chart: &'static str,
        /// What is wrong, naming the field and value.
        message: String,
    },
    /// A measure asked for by name is not in the results.
    #[error("unknown measure `{name}`; available: {available}")]
    UnknownMeasure {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        available: String,
    },
    /// The output settings are out of range.
    #[error("output settings: {0}")]
    Output(String),
    /// Plotting failed (a backend or font error).
    #[error("drawing {chart} chart: {message}")]
    Draw {
        /// Chart kind.
        chart: &'static str,
        /// The backend's message.
        message: String,
    },
    /// The embedded font could not be registered.
    #[error("embedded font `{0}` could not be parsed")]
    Font(&'static str),
    /// Writing a file failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Encoding CSV failed.
    #[error("encoding CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Encoding PNG failed.
    #[error("encoding PNG: {0}")]
    Png(#[from] png::EncodingError),
}

/// Result of the chart functions.
pub type Result<T> = std::result::Result<T, Error>;
