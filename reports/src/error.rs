//! The error type of the reports crate, and the exit code each error maps to.

use std::path::PathBuf;

/// Exit codes of the `herdlab` tool (documented in `docs/outputs.md`).
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Bad command-line usage (clap's own code).
    pub const USAGE: u8 = 2;
    /// An invalid scenario or data file, or a bad sweep parameter.
    pub const INVALID: u8 = 3;
    /// A file could not be read or written, or a result folder is unusable.
    pub const IO: u8 = 4;
    /// The engine refused to run (too large for the memory limit, bad run options).
    pub const REFUSED: u8 = 5;
    /// `herdlab monitor` raised a herding alarm (the folder is written).
    pub const ALARM: u8 = 10;
    /// Interrupted by Ctrl-C (128 + SIGINT).
    pub const INTERRUPTED: u8 = 130;
}

/// Everything that can go wrong while running scenarios and writing or reading results.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The engine failed (invalid scenario, refused run, cancelled).
    #[error(transparent)]
    Sim(#[from] sim::Error),
    /// `herdlab monitor` read the log, wrote its folder and raised a herding alarm: not a
    /// failure, reported with its own exit status ([`monitor::EXIT_ALARM`]) for cron and schedulers.
    #[error("herding alarm raised ({alarms} alarm(s)); results in {}", folder.display())]
    AlarmRaised {
        /// How many alarms.
        alarms: usize,
        /// The result folder written.
        folder: PathBuf,
    },
    /// The herding monitor could not read a decision log or write its results.
    #[error(transparent)]
    Monitor(#[from] monitor::Error),
    /// A file or folder could not be read or written.
    #[error("{}: {action}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done, e.g. `cannot write`.
        action: &'static str,
        /// The cause.
        source: std::io::Error,
    },
    /// A result file could not be encoded or decoded.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The result folder exists already and `--force` was not given.
    #[error(
        "{}: a result folder already exists there; choose another --out or pass --force to replace it",
        path.display()
    )]
    Exists {
        /// The folder.
        path: PathBuf,
    },
    /// `--force` was given for a folder that is not a herdlab result folder: it is never replaced.
    #[error(
        "{}: not a herdlab result folder (no manifest.json, comparison.json or sweep.json), so --force will not replace it; it holds {}. Choose another --out",
        path.display(),
        holds
    )]
    NotAResultFolder {
        /// The folder.
        path: PathBuf,
        /// What is in it (a few names, and how many more).
        holds: String,
    },
    /// A scenario argument names neither a file nor a bundled scenario.
    #[error(
        "{name}: no such scenario file, and no bundled scenario of that name (see `herdlab scenarios`)"
    )]
    UnknownScenario {
        /// The argument.
        name: String,
    },
    /// A sweep parameter path or value list is wrong.
    #[error("--vary {spec}: {message}")]
    Sweep {
        /// The `PATH=VALUES` argument, or the path.
        spec: String,
        /// What is wrong.
        message: String,
    },
    /// Shards cannot be merged.
    #[error("cannot merge: {0}")]
    Merge(String),
    /// A command-line value is wrong in a way clap cannot check (e.g. `--shard 4/3`).
    #[error("{0}")]
    Usage(String),
    /// Some scenario files did not validate (their problems were printed).
    #[error("{0}")]
    Invalid(String),
    /// The user pressed Ctrl-C.
    #[error("interrupted: no result folder was written")]
    Interrupted,
    /// The user pressed Ctrl-C during a checkpointed run; the finished paths are kept.
    #[error(
        "interrupted: no result folder was written; {done} of {total} paths are kept in {}; \
         continue with `herdlab run --resume {}`",
        checkpoint.display(),
        target.display()
    )]
    InterruptedKept {
        /// Paths kept.
        done: u64,
        /// Paths of the run.
        total: u64,
        /// The checkpoint folder.
        checkpoint: PathBuf,
        /// The result folder the run writes.
        target: PathBuf,
    },
    /// The user pressed Ctrl-C during a sweep; the finished cells are kept.
    #[error(
        "interrupted: no result folder was written; {done} of {total} sweep cells are kept in {}; \
         run the same command with --resume to continue",
        checkpoint.display()
    )]
    InterruptedCells {
        /// Cells kept.
        done: u64,
        /// Cells of the sweep.
        total: u64,
        /// Where they are kept.
        checkpoint: PathBuf,
    },
    /// A checkpoint is in the way, missing, or unusable.
    #[error("{0}")]
    Checkpoint(String),
    /// A result folder does not match its manifest: files missing, altered (their SHA-256
    /// digest differs from the one recorded), or fewer or more paths than the manifest says.
    #[error(
        "{}: the result folder does not match its manifest.json: {}; nothing was read from it",
        dir.display(),
        problems.join("; ")
    )]
    Damaged {
        /// The folder.
        dir: PathBuf,
        /// Each problem, naming the file.
        problems: Vec<String>,
    },
    /// Another process is writing the same result folder: it holds the folder's lock
    /// ([`crate::lock`]). Nothing was read or changed.
    #[error(
        "{}: another herdlab process{} is writing this folder (it holds the lock {}); nothing \
         was changed. Wait for it to finish (or stop it), or choose another --out",
        folder.display(),
        pid_text(pid),
        lock.display()
    )]
    Locked {
        /// The result folder.
        folder: PathBuf,
        /// Its lock file.
        lock: PathBuf,
        /// The process holding the lock, as its lock file says (`None` if not yet written).
        pid: Option<u32>,
    },
}

/// ` (pid N)`, or nothing when the process id is unknown.
fn pid_text(pid: &Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

impl Error {
    /// The process exit code for this error (see [`exit`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Sim(e) => match e {
                sim::Error::Read { .. } => exit::IO,
                sim::Error::Parse { .. }
                | sim::Error::Invalid { .. }
                | sim::Error::Incomparable(_) => exit::INVALID,
                sim::Error::Cancelled => exit::INTERRUPTED,
                _ => exit::REFUSED,
            },
            Error::AlarmRaised { .. } => exit::ALARM,
            Error::Monitor(e) => match e {
                monitor::Error::Io { .. } => exit::IO,
                _ => exit::INVALID,
            },
            Error::Io { .. }
            | Error::Format { .. }
            | Error::Exists { .. }
            | Error::NotAResultFolder { .. }
            | Error::Checkpoint(_)
            | Error::Locked { .. }
            | Error::Damaged { .. } => exit::IO,
            Error::UnknownScenario { .. }
            | Error::Sweep { .. }
            | Error::Merge(_)
            | Error::Invalid(_) => exit::INVALID,
            Error::Usage(_) => exit::USAGE,
            Error::Interrupted | Error::InterruptedKept { .. } | Error::InterruptedCells { .. } => {
                exit::INTERRUPTED
            }
        }
    }

    /// An I/O error on `path` while doing `action`.
    pub fn io(path: impl Into<PathBuf>, action: &'static str, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// A format error on `path`.
    pub fn format(path: impl Into<PathBuf>, message: impl std::fmt::Display) -> Error {
        Error::Format {
            path: path.into(),
            message: message.to_string(),
        }
    }
}

impl From<crate::toml_path::PathError> for Error {
    /// A bad parameter path or a place it names that does not fit the scenario (an override or
    /// a `--vary` parameter).
    fn from(e: crate::toml_path::PathError) -> Error {
        Error::Sweep {
            spec: e.path,
            message: e.message,
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
