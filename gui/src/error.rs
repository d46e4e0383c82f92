//! The errors of the app: what failed, for the status bar (shown with `{}`).

use std::path::PathBuf;

use crate::chart::Chart;

/// Everything that can go wrong in the app.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuiError {
    /// The service layer (runs, result folders, reports) failed.
    #[error(transparent)]
    Service(#[from] reports::Error),
    /// A chart could not be drawn or written.
    #[error(transparent)]
    Chart(#[from] reports::charts::Error),
    /// The engine failed (a comparison of incompatible runs).
    #[error(transparent)]
    Sim(#[from] sim::Error),
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file the app reads is not what it expects.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The current result has no such chart.
    #[error("this run has no {0} chart")]
    NoChart(Chart),
    /// The action needs something that is not there yet, or a value is wrong (the message says
    /// which and what to do).
    #[error("{0}")]
    Needs(String),
    /// The worker thread could not be started.
    #[error("cannot start the worker thread: {0}")]
    Thread(std::io::Error),
}

impl GuiError {
    /// A message for the user about what the action needs.
    pub fn needs(message: impl Into<String>) -> GuiError {
        GuiError::Needs(message.into())
    }
}

/// The result type of the app.
pub type Result<T, E = GuiError> = std::result::Result<T, E>;
