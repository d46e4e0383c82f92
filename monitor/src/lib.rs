//! The herding monitor (MODEL.md §10): the herding measures of the engine computed on a log of
//! credit decisions, with bootstrap intervals and the herding-alarm rule, so that a supervisor can
//! run them on real decision logs and a modeller on the engine's own simulated ones.
//!
//! A log has one row per application: `quarter`, `bank`, `applicant`, `approved`, and optionally
//! `region`, `family`, `amount`, `creditworthy` (CSV with a header, or Parquet). It is read in
//! quarter order and streamed: each quarter is measured and dropped when the next one starts, so
//! memory grows with the banks, applicants per quarter and quarters, not with the rows of the log.
//! See `docs/monitor.md` for the format, the measures and the memory bound.
//!
//! ```
//! use monitor::{Request, Settings, run};
//! let dir = std::env::temp_dir().join(format!("monitor-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let log = dir.join("log.csv");
//! let mut text = String::from("quarter,bank,applicant,approved\n");
//! for q in 1..=2 {
//!     for j in 0..40 {
//!         // Two banks, every applicant asks both; they decide alike on 3 of 4 applicants.
//!         let a = j % 2 == 0;
//!         let b = if j % 4 == 1 { !a } else { a };
//!         text += &format!("{q},A,f{j},{}\n{q},B,f{j},{}\n", u8::from(a), u8::from(b));
//!     }
//! }
//! std::fs::write(&log, text)?;
//! let report = run(&Request { log, settings: Settings::default() })?;
//! assert_eq!(report.quarters.len(), 2);
//! let q = &report.quarters[0];
//! assert_eq!(q.multi_bank_applicants, 40);
//! assert!(q.decision_agreement.is_some_and(|r| r > 0.4));
//! std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod alarm;
pub mod error;
mod monitor;
pub mod output;
mod quarter;
mod reader;

pub use alarm::{AlarmEvent, AlarmRule, Measure};
pub use error::{Error, FamilyChange, Inconsistency, Place, Result};
pub use monitor::{LogFormat, Monitor, MonitorReport, Request, run};
pub use quarter::{QuarterMeasures, Settings};
pub use reader::{CSV_BUFFER_BYTES, PARQUET_BATCH_ROWS};

/// Exit status the `herdlab monitor` command should return when the log was read and an alarm
/// was raised (0: read, no alarm; the CLI's usual codes for errors).
pub const EXIT_ALARM: i32 = 10;
