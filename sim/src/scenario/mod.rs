//! Scenarios: parsed from TOML into [`raw`] types, then validated into a typed [`Scenario`].
//!
//! Validation collects every problem it finds, each naming the field path, the value and what is
//! allowed, and returns them together ([`crate::Error::Invalid`]). Units, defaults and ranges come
//! from one table, [`params::PARAMS`].
//!
//! The parts, by topic: `types` (the validated [`Scenario`] and its parts), `sources` (where
//! files come from: [`Sources`]), `load` (the `base` chain, data-file paths and located parse
//! errors: [`load_table`]), `check` (collecting problems), `validate` (raw values into a
//! [`Scenario`]), `banks` (listed, generated and CSV banks), [`contagion`], [`moving`] (models
//! that move), [`params`] and [`raw`]. The diversity cap is a model rule and lives in
//! [`crate::model::diversity`].
//!
//! ```
//! use sim::scenario::{MapSources, Scenario};
//! let text = r#"
//! version = 1
//! [[regions]]
//! name = "north"
//! [[models.families]]
//! name = "A"
//! [[banks]]
//! id = "B1"
//! equity = 10.0
//! sme_loans = 100.0
//! regions = { north = 1.0 }
//! "#;
//! let s = Scenario::from_toml_str(text, "example.toml", &MapSources::default()).unwrap();
//! assert_eq!(s.banks.len(), 1);
//! ```

mod banks;
mod check;
pub mod contagion;
mod load;
pub mod moving;
pub mod params;
pub mod raw;
mod sources;
mod types;
mod validate;

pub use crate::model::diversity::apply_diversity_cap;
pub(crate) use check::{Checker, fmt_num};
pub use contagion::{
    AssetClass, ClearingRule, Contagion, Event, FireSales, Interbank, Network, Weights,
};
pub use load::{DATA_FILE_KEYS, for_each_data_file, load_table, merge_tables, raw_from_table};
pub(crate) use sources::{CsvFile, open_csv};
pub use sources::{FsSources, MAX_FILE_BYTES, MapSources, Sources};
pub(crate) use types::family_shares;
pub use types::{
    Alarm, AlarmMeasure, Bank, BankParams, Banking, FORMAT_VERSION, Family, Firms, Models, Policy,
    Rates, Reassignment, Region, Review, RunSettings, Scenario, Shock, Warning,
};
pub(crate) use validate::bank_params;

/// The money unit of a scenario that names no `currency`: `"million"` (of no named currency).
pub const DEFAULT_CURRENCY: &str = "million";

#[cfg(test)]
mod tests;
