//! The [`Monitor`]: reads a log quarter by quarter, measures each quarter when the next one
//! starts (or the log ends), keeps the measures and drops the rows.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::alarm::{self, AlarmEvent, Measure};
use crate::error::{Error, Result};
use crate::quarter::{
    self, Applicant, BankFamily, CW_UNKNOWN, Context, Counts, Decision, NO_FAMILY, NO_REGION,
    Quarter,
};
use crate::reader::{self, CsvCursor, RowIn};
use crate::{QuarterMeasures, Settings};

/// The file format of a log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LogFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Everything the monitor found: per-quarter measures of the whole log and of each region, and
/// the alarms. Serialises as the result folder's `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonitorReport {
    /// The log read.
    pub log: PathBuf,
    /// Its format.
    pub format: LogFormat,
    /// Data rows read.
    pub rows: u64,
    /// The settings used.
    pub settings: Settings,
    /// Whether the log has a `creditworthy` column (the measures then use creditworthy applicants).
    pub creditworthy_known: bool,
    /// Measures of the whole log, one per quarter, ascending.
    pub quarters: Vec<QuarterMeasures>,
    /// Measures of each region, by quarter then region name (empty without a `region` column).
    pub regions: Vec<QuarterMeasures>,
    /// Alarms raised, on the whole log's series and then each region's, in quarter order.
    pub alarms: Vec<AlarmEvent>,
    /// A quarter read but not yet measured (follow mode: it is measured when the next quarter
    /// starts or on [`Monitor::finish`]).
    pub pending_quarter: Option<u32>,
    /// Largest working state held, in bytes (the crate's own accounting; see `docs/monitor.md`).
    pub peak_state_bytes: u64,
}

impl MonitorReport {
    /// Whether any alarm was raised.
    pub fn alarm_raised(&self) -> bool {
        !self.alarms.is_empty()
    }
}

#[derive(Debug)]
enum Source {
    Csv(CsvCursor),
    Parquet { rows: u64, len: u64 },
}

/// A herding monitor following one log. Feed it with [`Monitor::update`] (as often as the log
/// grows), close it with [`Monitor::finish`], read it with [`Monitor::report`].
///
/// After an error the monitor refuses further work ([`Error::Poisoned`]): start a new one.
#[derive(Debug)]
pub struct Monitor {
    settings: Settings,
    path: Option<PathBuf>,
    source: Option<Source>,
    banks: HashMap<Box<str>, u32>,
    bank_names: Vec<Box<str>>,
    regions: HashMap<Box<str>, u32>,
    region_names: Vec<Box<str>>,
    families: HashMap<Box<str>, u32>,
    creditworthy_known: Option<bool>,
    current: Option<Quarter>,
    last_closed: Option<u32>,
    previous: Option<(usize, usize, Vec<Counts>)>,
    quarters: Vec<QuarterMeasures>,
    regions_out: Vec<QuarterMeasures>,
    rows: u64,
    peak: usize,
    finished: bool,
    poisoned: bool,
}

impl Monitor {
    /// A monitor with these settings (checked).
    pub fn new(settings: Settings) -> Result<Self> {
        settings.validate()?;
        Ok(Monitor {
            settings,
            path: None,
            source: None,
            banks: HashMap::new(),
            bank_names: Vec::new(),
            regions: HashMap::new(),
            region_names: Vec::new(),
            families: HashMap::new(),
            creditworthy_known: None,
            current: None,
            last_closed: None,
            previous: None,
            quarters: Vec::new(),
            regions_out: Vec::new(),
            rows: 0,
            peak: 0,
            finished: false,
            poisoned: false,
        })
    }

    /// Reads what was appended to the log since the last call: for CSV the complete lines after
    /// the byte offset already read; for Parquet (which cannot be appended to in place: rewrite
    /// the file whole, by rename) the rows after those already read. Quarters that are complete
    /// (a later quarter has started) are measured. Returns the rows read.
    pub fn update(&mut self, path: &Path) -> Result<u64> {
        self.guard(|m| m.read(path, true))
    }

    /// Reads the rest of the log (for CSV also a last line without its newline), measures the
    /// last quarter and returns the report. An empty log is an error.
    pub fn finish(&mut self) -> Result<MonitorReport> {
        self.guard(|m| {
            if let Some(path) = m.path.clone() {
                m.read(&path, false)?;
            }
            if m.rows == 0 {
                return Err(Error::Empty {
                    path: m.path.clone().unwrap_or_default(),
                });
            }
            m.close_current()?;
            m.finished = true;
            Ok(m.report())
        })
    }

    /// The report of the quarters measured so far.
    pub fn report(&self) -> MonitorReport {
        let mut quarters = self.quarters.clone();
        let mut regions = self.regions_out.clone();
        let mut alarms = Vec::new();
        if let Some(rule) = &self.settings.alarm {
            let value = |m: &QuarterMeasures| match rule.measure {
                Measure::SystemicRejectionRatio => m.systemic_rejection_ratio,
                Measure::DecisionAgreement => m.decision_agreement,
                Measure::Lsv => m.lsv,
                Measure::SharedModelExcess => m.shared_model_excess,
            };
            let series: Vec<(u32, Option<f64>)> =
                quarters.iter().map(|m| (m.quarter, value(m))).collect();
            let (flags, events) = alarm::evaluate(rule, None, &series);
            for (m, (over, raised)) in quarters.iter_mut().zip(flags) {
                (m.over_threshold, m.alarm) = (over, raised);
            }
            alarms.extend(events);
            // Each region's own series (LSV is defined for the whole log only).
            let mut names: Vec<&str> = regions.iter().filter_map(|m| m.region.as_deref()).collect();
            names.sort_unstable();
            names.dedup();
            let names: Vec<String> = names.into_iter().map(str::to_string).collect();
            for name in &names {
                let idx: Vec<usize> = (0..regions.len())
                    .filter(|&i| regions[i].region.as_deref() == Some(name))
                    .collect();
                let series: Vec<(u32, Option<f64>)> = idx
                    .iter()
                    .map(|&i| (regions[i].quarter, value(&regions[i])))
                    .collect();
                let (flags, events) = alarm::evaluate(rule, Some(name), &series);
                for (&i, (over, raised)) in idx.iter().zip(flags) {
                    (regions[i].over_threshold, regions[i].alarm) = (over, raised);
                }
                alarms.extend(events);
            }
            alarms.sort_by(|a, b| {
                (a.raised_quarter, a.region.is_some(), &a.region).cmp(&(
                    b.raised_quarter,
                    b.region.is_some(),
                    &b.region,
                ))
            });
        }
        MonitorReport {
            log: self.path.clone().unwrap_or_default(),
            format: match self.source {
                Some(Source::Parquet { .. }) => LogFormat::Parquet,
                _ => LogFormat::Csv,
            },
            rows: self.rows,
            settings: self.settings.clone(),
            creditworthy_known: self.creditworthy_known.unwrap_or(false),
            quarters,
            regions,
            alarms,
            pending_quarter: self.current.as_ref().map(|q| q.quarter),
            peak_state_bytes: self.peak as u64,
        }
    }

    /// Largest working state held so far, in bytes: the open quarter's rows, applicants and names,
    /// the bank and region tables and the previous quarter's counters (not the measures kept).
    pub fn peak_state_bytes(&self) -> usize {
        self.peak
    }

    fn guard<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        if self.poisoned {
            return Err(Error::Poisoned);
        }
        let out = f(self);
        if out.is_err() {
            self.poisoned = true;
        }
        out
    }

    fn read(&mut self, path: &Path, complete_only: bool) -> Result<u64> {
        match &self.path {
            Some(p) if p != path => {
                return Err(Error::OtherFile {
                    follows: p.clone(),
                    given: path.to_path_buf(),
                });
            }
            Some(_) => {}
            None => {
                let parquet = reader::is_parquet(path)?;
                self.path = Some(path.to_path_buf());
                self.source = Some(if parquet {
                    Source::Parquet { rows: 0, len: 0 }
                } else {
                    Source::Csv(CsvCursor::default())
                });
            }
        }
        if self.finished {
            return Ok(0);
        }
        let mut source = self.source.take();
        let out = match &mut source {
            Some(Source::Csv(cur)) => {
                reader::read_csv(path, cur, complete_only, &mut |row| self.push(row))
            }
            Some(Source::Parquet { rows, len }) => {
                let now = std::fs::metadata(path)
                    .map_err(|e| Error::io(path, "cannot read", e))?
                    .len();
                if now == *len && *rows > 0 {
                    Ok(0)
                } else {
                    let r = reader::read_parquet(path, *rows, &mut |row| self.push(row));
                    if let Ok(n) = &r {
                        *rows += n;
                        *len = now;
                    }
                    r
                }
            }
            None => Ok(0),
        };
        self.source = source;
        out
    }

    fn push(&mut self, r: RowIn<'_>) -> Result<()> {
        if self.creditworthy_known.is_none() {
            self.creditworthy_known = Some(r.cw_column);
        }
        match &self.current {
            Some(q) if r.quarter < q.quarter => {
                return Err(self.out_of_order(&r, q.quarter));
            }
            Some(q) if r.quarter > q.quarter => self.close_current()?,
            Some(_) => {}
            None => {
                if let Some(last) = self.last_closed
                    && r.quarter <= last
                {
                    return Err(self.out_of_order(&r, last));
                }
            }
        }
        let q = self
            .current
            .get_or_insert_with(|| Quarter::new(r.quarter, r.place));
        let bank = match self.banks.get(r.bank) {
            Some(&b) => b,
            None => {
                let b = self.bank_names.len() as u32;
                self.banks.insert(r.bank.into(), b);
                self.bank_names.push(r.bank.into());
                b
            }
        };
        let region = match r.region {
            None => NO_REGION,
            Some(name) => match self.regions.get(name) {
                Some(&g) => g,
                None => {
                    let g = self.region_names.len() as u32;
                    self.regions.insert(name.into(), g);
                    self.region_names.push(name.into());
                    g
                }
            },
        };
        let cw = r.creditworthy.map_or(CW_UNKNOWN, u8::from);
        let (row, line) = (
            r.place.row,
            r.place.line.map_or(0, std::num::NonZeroU64::get),
        );
        if let Some(name) = r.family {
            let family = match self.families.get(name) {
                Some(&f) => f,
                None => {
                    let f = self.families.len() as u32;
                    self.families.insert(name.into(), f);
                    f
                }
            };
            let b = bank as usize;
            if q.bank_family.len() <= b {
                q.bank_family.resize(b + 1, BankFamily::UNKNOWN);
            }
            let known = q.bank_family[b];
            if known.family == NO_FAMILY {
                q.bank_family[b] = BankFamily { family, row, line };
            } else if known.family != family {
                let earlier = self
                    .families
                    .iter()
                    .find(|(_, v)| **v == known.family)
                    .map_or_else(String::new, |(k, _)| k.to_string());
                return Err(Error::FamilyChanged(Box::new(crate::error::FamilyChange {
                    path: self.path.clone().unwrap_or_default(),
                    place: r.place,
                    first: quarter::place(known.row, known.line),
                    quarter: r.quarter,
                    bank: r.bank.to_string(),
                    family: name.to_string(),
                    earlier,
                })));
            }
        }
        let app = match q.names.get(r.applicant) {
            Some(&a) => {
                let known = q.apps[a as usize];
                let col = if known.region != region {
                    Some("region")
                } else if known.creditworthy != cw {
                    Some("creditworthy")
                } else {
                    None
                };
                if let Some(column) = col {
                    let show_region = |g: u32| {
                        if g == NO_REGION {
                            String::new()
                        } else {
                            self.region_names[g as usize].to_string()
                        }
                    };
                    let show_cw = |c: u8| match c {
                        0 => "0".to_string(),
                        1 => "1".to_string(),
                        _ => String::new(),
                    };
                    let (value, earlier) = if column == "region" {
                        (show_region(region), show_region(known.region))
                    } else {
                        (show_cw(cw), show_cw(known.creditworthy))
                    };
                    return Err(Error::Inconsistent(Box::new(crate::error::Inconsistency {
                        path: self.path.clone().unwrap_or_default(),
                        place: r.place,
                        first: quarter::place(known.row, known.line),
                        column,
                        applicant: r.applicant.to_string(),
                        value,
                        earlier,
                    })));
                }
                a
            }
            None => {
                let a = q.apps.len() as u32;
                q.names.insert(r.applicant.into(), a);
                q.name_bytes += r.applicant.len();
                q.apps.push(Applicant {
                    region,
                    creditworthy: cw,
                    row,
                    line,
                });
                a
            }
        };
        q.decisions.push(Decision {
            app,
            bank,
            approved: r.approved,
            row,
            line,
        });
        self.rows += 1;
        Ok(())
    }

    fn out_of_order(&self, r: &RowIn<'_>, after: u32) -> Error {
        Error::OutOfOrder {
            path: self.path.clone().unwrap_or_default(),
            place: r.place,
            quarter: r.quarter,
            after,
        }
    }

    fn state_bytes(&self) -> usize {
        let table = |m: &HashMap<Box<str>, u32>, names: &[Box<str>]| {
            m.capacity() * (size_of::<(Box<str>, u32)>() + 1)
                + names
                    .iter()
                    .map(|n| 2 * n.len() + size_of::<Box<str>>())
                    .sum::<usize>()
        };
        self.current.as_ref().map_or(0, Quarter::state_bytes)
            + table(&self.banks, &self.bank_names)
            + table(&self.regions, &self.region_names)
            + self.families.capacity() * (size_of::<(Box<str>, u32)>() + 1)
            + self.families.keys().map(|k| k.len()).sum::<usize>()
            + self
                .previous
                .as_ref()
                .map_or(0, |p| p.2.capacity() * size_of::<Counts>())
    }

    fn close_current(&mut self) -> Result<()> {
        self.peak = self.peak.max(self.state_bytes());
        let Some(q) = self.current.take() else {
            return Ok(());
        };
        let path = self.path.clone().unwrap_or_default();
        let quarter = q.quarter;
        let measured = quarter::measure(
            q,
            &Context {
                path: &path,
                settings: &self.settings,
                bank_names: &self.bank_names,
                region_names: &self.region_names,
                has_creditworthy: self.creditworthy_known.unwrap_or(false),
                previous: self.previous.as_ref(),
            },
        )?;
        self.quarters.push(measured.overall);
        let mut regions = measured.regions;
        regions.sort_by(|a, b| a.region.cmp(&b.region));
        self.regions_out.extend(regions);
        self.previous = Some(measured.counts);
        self.last_closed = Some(quarter);
        self.peak = self.peak.max(self.state_bytes());
        Ok(())
    }
}

/// What [`run`] does: the log, and the settings of the measures and the alarm.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The log (CSV or Parquet, told apart by the Parquet magic bytes).
    pub log: PathBuf,
    /// Settings.
    pub settings: Settings,
}

/// Reads a whole log and returns its report: the entry point of `herdlab monitor LOG`.
pub fn run(request: &Request) -> Result<MonitorReport> {
    let mut m = Monitor::new(request.settings.clone())?;
    m.update(&request.log)?;
    m.finish()
}
