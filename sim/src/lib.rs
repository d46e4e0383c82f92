//! # herdlab engine
//!
//! The AI-monoculture credit model of `MODEL.md` and its Monte Carlo core: when many lenders use
//! the same or similar AI credit models and rates jump, how much worse do credit rationing and bank
//! losses get? The engine is pure: it prints nothing and writes no files; progress and
//! cancellation go through [`montecarlo::Observer`].
//!
//! ```
//! use sim::scenario::{MapSources, Scenario};
//! use sim::montecarlo::{run, RunOptions, Silent};
//!
//! let text = r#"
//! version = 1
//! [run]
//! paths = 8
//! quarters = 4
//! [firms]
//! count = 500
//! [rates.shock]
//! kind = "step"
//! size = 3.0
//! at = 2
//! [[regions]]
//! name = "east"
//! [[models.families]]
//! name = "shared-ai"
//! [[banks]]
//! id = "B1"
//! equity = 10.0
//! sme_loans = 100.0
//! other_assets = 20.0
//! regions = { east = 1.0 }
//! "#;
//! let scenario = Scenario::from_toml_str(text, "inline.toml", &MapSources::default())?;
//! let out = run(&scenario, &RunOptions::default(), &Silent)?;
//! let agg = sim::aggregate::aggregate(&scenario, &out.paths);
//! let gap = agg.measure("credit_gap_share").map(|m| m.summary.mean);
//! assert!(gap.is_some_and(|g| (0.0..=1.0).contains(&g)));
//! # Ok::<(), sim::Error>(())
//! ```
//!
//! Modules, in the order of the model: [`rng`] (addressable draws), [`scenario`] (the file
//! format), [`model`] (one path), [`montecarlo`] (many paths), [`aggregate`] (across paths),
//! [`stats`] and [`normal`] (numerics).

pub mod aggregate;
pub mod contagion;
pub mod error;
pub mod fuzzing;
pub mod model;
pub mod montecarlo;
pub mod normal;
pub mod results;
pub mod rng;
pub mod scenario;
pub mod stats;

pub use error::{Error, Location, Problem, Result};
