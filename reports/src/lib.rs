//! # herdlab reports
//!
//! Result folders of herdlab runs (JSON, CSV, Parquet; see `docs/outputs.md`) and the `herdlab`
//! command-line tool built on them.
//!
//! ```no_run
//! use reports::input::{self, Origin};
//! use reports::output::{self, AtomicDir};
//!
//! let origin = Origin::resolve("baseline")?; // a file path, or a bundled scenario's name
//! let (scenario, _input) = input::build(&origin, origin.table()?, &[], "")?;
//! let out = sim::montecarlo::run(&scenario, &Default::default(), &sim::montecarlo::Silent)?;
//! let agg = sim::aggregate::aggregate(&scenario, &out.paths);
//! let dir = AtomicDir::create("results/example".as_ref(), true)?;
//! output::write_json(&dir.path().join("summary.json"), &output::summary_file(&scenario, &agg))?;
//! dir.commit()?;
//! # Ok::<(), reports::Error>(())
//! ```
//!
//! Modules: [`bundled`] (the scenarios built into the program), [`input`] (loading scenarios
//! with overrides), [`checkpoint`] (finished chunks of long runs, for `run --resume`), [`sweep`] (parameter paths and grids), [`output`] (result folders),
//! [`merge`] (shards into one result), [`progress`] (progress bar and Ctrl-C), [`charts`]
//! (publication charts), [`report`] (charts and report.html of a result folder), [`slurm`] (array
//! jobs on a Slurm cluster), [`commands`] (the command line).

pub mod bundled;
pub mod charts;
pub mod checkpoint;
pub mod commands;
pub mod error;
pub mod input;
pub mod merge;
pub mod output;
pub mod progress;
pub mod report;
pub mod slurm;
pub mod sweep;

pub use error::{Error, Result, exit};
