//! # herdlab reports
//!
//! Result folders of herdlab runs (JSON, CSV, Parquet; see `docs/outputs.md`) and the `herdlab`
//! command-line tool built on them.
//!
//! ```no_run
//! use reports::service::{self, Quiet, RunRequest};
//!
//! // A file path, or a bundled scenario's name; written to results/baseline like `herdlab run`.
//! let mut request = RunRequest::new("baseline");
//! request.settings.paths = Some(200);
//! let outcome = service::run(&request, &Quiet)?;
//! let (mean, _, low, high) = reports::output::headline(&outcome.aggregates, "credit_gap")
//!     .expect("a headline measure");
//! println!("credit gap {mean} [{low}, {high}] in {}", outcome.folder.display());
//! # Ok::<(), reports::Error>(())
//! ```
//!
//! Front ends (the `herdlab` command line, the desktop app, the Slurm driver, Python) call
//! [`service`]: typed requests (run, resume, compare, sweep, merge, report, validate, load) and
//! typed outcomes, progress through a [`service::Monitor`]. Beneath it: [`bundled`] (the
//! scenarios built into the program), [`input`] (loading scenarios with overrides),
//! [`toml_path`] (places in a scenario table named by a path; the data-file keys), [`sweep`]
//! (sweep parameters and grids), [`checkpoint`] (finished chunks of long runs, for
//! `run --resume`), [`lock`] (one writer per result folder), [`output`] (result folders),
//! [`merge`] (shards into one result), [`charts`] (publication charts), [`report`] (charts and
//! report.html of a result folder), [`slurm`] (array jobs on a Slurm cluster). The command
//! line's flags live in the binary, not here.

pub mod bundled;
pub mod charts;
pub mod checkpoint;
pub mod error;
pub mod input;
pub mod lock;
pub mod merge;
pub mod output;
pub mod report;
pub mod service;
pub mod slurm;
pub mod sweep;
pub mod tables;
pub mod toml_path;

pub use error::{Error, Result, exit};
