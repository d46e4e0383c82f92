//! Scenarios: parsed from TOML into [`raw`] types, then validated into a typed [`Scenario`].
//!
//! Validation collects every problem it finds, each naming the field path, the value and what is
//! allowed, and returns them together ([`crate::Error::Invalid`]). Units, defaults and ranges come
//! from one table, [`params::PARAMS`].
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
pub mod contagion;
pub mod moving;
pub mod params;
pub mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Location, Problem, Result};
pub use contagion::{
    AssetClass, ClearingRule, Contagion, Event, FireSales, Interbank, Network, Weights,
};
use params::param;
use raw::{RawBankParams, RawScenario};

/// The scenario format version this engine reads.
pub const FORMAT_VERSION: i64 = 1;

/// Where scenario and data files come from. The engine reads through this trait and never touches
/// the file system itself, except through [`FsSources`].
pub trait Sources: Sync {
    /// Reads a whole text file.
    fn read(&self, path: &Path) -> std::io::Result<String>;
}

/// Reads files from the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct FsSources;

/// The largest scenario or data file read (files are read whole): 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

impl Sources for FsSources {
    /// Reads a regular file of at most [`MAX_FILE_BYTES`]. Anything else (a device such as
    /// `/dev/zero`, a FIFO, a directory, a socket) is refused by its type before it is opened, so
    /// it can neither grow without bound nor block; the read itself stops after the limit in case
    /// the file grows while it is read.
    fn read(&self, path: &Path) -> std::io::Result<String> {
        use std::io::Read;
        let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidData, m);
        let too_large = |size: u64, qualifier: &str| {
            invalid(format!(
                "the file is {qualifier}{:.1} MiB; scenario and data files are read whole, up to {} MiB",
                size as f64 / f64::from(1u32 << 20),
                MAX_FILE_BYTES >> 20
            ))
        };
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(invalid(format!(
                "not a regular file (a {}); scenario and data files must be regular files",
                file_kind(&meta.file_type())
            )));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(too_large(meta.len(), ""));
        }
        let file = std::fs::File::open(path)?;
        let mut bytes = Vec::new();
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(too_large(bytes.len() as u64, "more than "));
        }
        String::from_utf8(bytes).map_err(|e| {
            invalid(format!(
                "not UTF-8 text (first bad byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

/// What kind of file `t` is, for the message refusing one that is not regular.
fn file_kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else {
        "special file"
    }
}

/// Files held in memory, by path (for tests, and for the desktop app's unsaved edits).
#[derive(Clone, Debug, Default)]
pub struct MapSources(pub BTreeMap<PathBuf, String>);

impl Sources for MapSources {
    fn read(&self, path: &Path) -> std::io::Result<String> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }
}

/// The scheduled part of the rate path, `shock_t`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Shock {
    /// No shock.
    None,
    /// `size` from quarter `at` on.
    Step {
        /// Percentage points.
        size: f64,
        /// First quarter in force.
        at: u32,
    },
    /// Linear from 0 before `start` to `size` at `end` and after.
    Ramp {
        /// Percentage points.
        size: f64,
        /// First quarter of the ramp.
        start: u32,
        /// Quarter of full size.
        end: u32,
    },
    /// One value per quarter.
    Path(Vec<f64>),
}

impl Shock {
    /// `shock_t` for quarter `t` (1-based).
    pub fn at(&self, t: u32) -> f64 {
        match self {
            Shock::None => 0.0,
            Shock::Step { size, at } => {
                if t >= *at {
                    *size
                } else {
                    0.0
                }
            }
            Shock::Ramp { size, start, end } => {
                if t < *start {
                    0.0
                } else if t >= *end {
                    *size
                } else {
                    // start <= t < end: the ramp climbs by size / (end - start + 1) a quarter.
                    size * f64::from(t - start + 1) / f64::from(end - start + 1)
                }
            }
            Shock::Path(v) => v.get(t as usize - 1).copied().unwrap_or(0.0),
        }
    }
}

/// Run settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSettings {
    /// Monte Carlo paths.
    pub paths: u64,
    /// Seed.
    pub seed: u64,
    /// Quarters `T`.
    pub quarters: u32,
    /// Failed-asset share that makes a systemic event.
    pub systemic_share: f64,
    /// Firms in the herding probe.
    pub probe_firms: usize,
    /// Keep every bank's balance sheet and losses per quarter.
    pub bank_detail: bool,
}

/// Interest rates (MODEL.md §2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rates {
    /// `r_0`, percent.
    pub initial: f64,
    /// OU mean reversion.
    pub kappa: f64,
    /// OU innovation scale, percentage points.
    pub sigma: f64,
    /// Scheduled shock.
    pub shock: Shock,
}

/// Firm population (MODEL.md §3).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Firms {
    /// `F`.
    pub count: usize,
    /// Real firms per simulated firm (resolved).
    pub weight: f64,
    /// `lambda`.
    pub lambda: f64,
    /// `beta`.
    pub beta: f64,
    /// `rho_g`.
    pub rho_global: f64,
    /// `rho_r`.
    pub rho_region: f64,
    /// `nu`.
    pub need_probability: f64,
    /// `pd_cutoff`.
    pub pd_cutoff: f64,
    /// `pi_liq`.
    pub liquidity_pd: f64,
    /// `lgd`.
    pub lgd: f64,
    /// Median credit need.
    pub size_median: f64,
    /// Log dispersion of credit need.
    pub size_sigma: f64,
}

/// A region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    /// Name.
    pub name: String,
    /// Share of firms (normalised to sum to 1).
    pub firm_share: f64,
    /// `mu_region`.
    pub quality_mean: f64,
    /// `a_region`.
    pub pd_intercept: f64,
}

/// An AI model family.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Family {
    /// Name.
    pub name: String,
    /// `sigma_m`.
    pub error_scale: f64,
    /// `phi_m`.
    pub rate_reaction: f64,
    /// Its regime shift (MODEL.md 4.1; off when `eta` and `zeta` are 0).
    pub shift: moving::Shift,
    /// Its retraining (off when `every` is 0).
    pub retraining: moving::Retraining,
}

/// System-wide banking parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Banking {
    /// `k`.
    pub max_applications: usize,
    /// `car_min`.
    pub car_min: f64,
    /// `psi`.
    pub capital_pressure: f64,
    /// `rw_sme`.
    pub rw_sme: f64,
    /// `rw_bond`.
    pub rw_bonds: f64,
    /// `rw_ib`.
    pub rw_interbank: f64,
}

/// A bank's behavioural and accounting parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BankParams {
    /// Yearly net spread.
    pub spread: f64,
    /// Deposit pass-through.
    pub deposit_beta: f64,
    /// `theta0_i`.
    pub threshold: f64,
    /// `w_i`.
    pub fine_tuning: f64,
    /// `car_target_i`.
    pub car_target: f64,
    /// Share of bonds at fair value.
    pub bond_fv_share: f64,
    /// `D_i`, years.
    pub duration: f64,
    /// Risk weight of other assets.
    pub rw_other: f64,
}

/// A bank at the start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bank {
    /// Unique id.
    pub id: String,
    /// Equity.
    pub equity: f64,
    /// SME loans declared (sets market shares).
    pub sme_loans: f64,
    /// Bonds.
    pub bonds: f64,
    /// Interbank assets.
    pub interbank_assets: f64,
    /// Interbank liabilities.
    pub interbank_liabilities: f64,
    /// Other assets.
    pub other_assets: f64,
    /// Index into [`Models::families`].
    pub family: usize,
    /// Regions served: (index into [`Scenario::regions`], weight), weights summing to 1.
    pub regions: Vec<(usize, f64)>,
    /// Shares of the bank's bonds held in named fire-sale asset classes, by name; classes not
    /// named take their default `share`.
    pub holdings: Vec<(String, f64)>,
    /// Parameters.
    pub params: BankParams,
}

impl Bank {
    /// Total assets at the start (declared).
    pub fn assets(&self) -> f64 {
        self.sme_loans + self.bonds + self.interbank_assets + self.other_assets
    }
}

/// Model families and similarity (MODEL.md §4).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Models {
    /// `rho_model`.
    pub similarity: f64,
    /// Families.
    pub families: Vec<Family>,
    /// The banks' reviews of their family (MODEL.md 4.1, endogenous adoption).
    pub switching: moving::Switching,
    /// Shared-model incidents (MODEL.md 4.1).
    pub incidents: Vec<moving::Incident>,
}

/// Which herding measure the alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum AlarmMeasure {
    /// Excess mean pairwise decision correlation over its independence baseline.
    DecisionAgreementExcess,
    /// Systemic rejection share over its independence baseline.
    SystemicRejectionRatio,
    /// LSV herding measure.
    Lsv,
}

impl AlarmMeasure {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 3] = [
        "decision-agreement-excess",
        "systemic-rejection-ratio",
        "lsv",
    ];
}

/// The herding alarm and its responses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    /// Measure watched.
    pub measure: AlarmMeasure,
    /// Level that raises it.
    pub threshold: f64,
    /// Quarters to the response.
    pub lag: u32,
    /// Facility budget per quarter, money.
    pub facility_budget: f64,
    /// Facility model error scale.
    pub facility_error_scale: f64,
    /// Buffer release, as a ratio (points / 100).
    pub buffer_release: f64,
}

/// Human review of rejections.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    /// `h`.
    pub share: f64,
    /// Error scale of the judgement.
    pub error_scale: f64,
}

/// A bank moved to another family by the diversity cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reassignment {
    /// Bank id.
    pub bank: String,
    /// Family before.
    pub from: String,
    /// Family after.
    pub to: String,
}

/// Policy levers (MODEL.md §8).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    /// Diversity cap, if enabled.
    pub diversity_cap: Option<f64>,
    /// Banks the cap moved, in the order moved.
    pub reassignments: Vec<Reassignment>,
    /// Herding alarm, if enabled.
    pub alarm: Option<Alarm>,
    /// Human review, if enabled.
    pub review: Option<Review>,
}

/// A validated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Money unit label.
    pub currency: String,
    /// Run settings.
    pub run: RunSettings,
    /// Rates.
    pub rates: Rates,
    /// Firms.
    pub firms: Firms,
    /// Regions.
    pub regions: Vec<Region>,
    /// Families.
    pub models: Models,
    /// Banking parameters.
    pub banking: Banking,
    /// Banks, in file order: listed, then groups, then files.
    pub banks: Vec<Bank>,
    /// Policy.
    pub policy: Policy,
    /// Contagion channels.
    pub contagion: Contagion,
    /// Shocks besides the rate path, in file order.
    pub shocks: Vec<Event>,
}

/// Collects problems while validating.
pub(crate) struct Checker {
    pub(crate) problems: Vec<Problem>,
}

impl Checker {
    pub(crate) fn new() -> Self {
        Checker {
            problems: Vec::new(),
        }
    }

    pub(crate) fn problem(
        &mut self,
        path: impl Into<String>,
        value: impl Into<String>,
        allowed: impl Into<String>,
    ) {
        self.problems.push(Problem {
            path: path.into(),
            value: value.into(),
            allowed: allowed.into(),
        });
    }

    /// A number checked against the parameter `spec` (a path in [`params::PARAMS`]), reported at
    /// `at`. Missing values take the default; a missing required value is a problem. Invalid
    /// values are reported and replaced by the default (or the range's lower bound) so that
    /// validation can go on and report the rest.
    pub(crate) fn num(&mut self, spec: &str, at: &str, v: Option<f64>) -> f64 {
        let p = param(spec);
        let fallback = p.default.unwrap_or(if p.range.min.is_finite() {
            p.range.min
        } else {
            0.0
        });
        match v {
            None => {
                if p.default.is_none() {
                    self.problem(
                        at,
                        "(missing)",
                        format!("required, {} in {}", p.unit, p.range.describe()),
                    );
                }
                fallback
            }
            Some(x) if !p.range.contains(x) => {
                self.problem(
                    at,
                    fmt_num(x),
                    format!("must be in {} ({})", p.range.describe(), p.unit),
                );
                fallback
            }
            Some(x) => x,
        }
    }

    /// A number with a default taken from elsewhere (a bank parameter inherited from defaults).
    pub(crate) fn num_or(&mut self, spec: &str, at: &str, v: Option<f64>, default: f64) -> f64 {
        match v {
            None => default,
            Some(_) => self.num(spec, at, v),
        }
    }

    /// A whole number checked against `spec`.
    pub(crate) fn int(&mut self, spec: &str, at: &str, v: Option<i64>) -> i64 {
        let p = param(spec);
        let x = self.num(spec, at, v.map(|x| x as f64));
        debug_assert!(p.integer);
        x as i64
    }
}

/// Formats a number as it would be written in a file.
pub(crate) fn fmt_num(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf".into() } else { "-inf".into() }
    } else if x.abs() >= 1e12 {
        // The shorter of the two forms: `1e308`, not a 309-digit integer; but `9007199254740991`,
        // not `9.007199254740991e15`.
        let (plain, exp) = (format!("{x}"), format!("{x:e}"));
        if exp.len() < plain.len() { exp } else { plain }
    } else {
        format!("{x}")
    }
}

/// A CSV data file opened for reading, with its header row.
pub(crate) struct CsvFile {
    /// The file, as named in errors.
    pub name: String,
    /// The rows after the header.
    pub reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    /// The header row.
    pub headers: csv::StringRecord,
}

/// Reads a CSV data file named by `named_by` (e.g. `scn.toml bank_files[0].path`) and its header.
pub(crate) fn open_csv(sources: &dyn Sources, path: &Path, named_by: &str) -> Result<CsvFile> {
    let name = path.display().to_string();
    let text = sources.read(path).map_err(|source| Error::Read {
        file: format!("{name} (named by {named_by})"),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(std::io::Cursor::new(text.into_bytes()));
    let headers = reader
        .headers()
        .map_err(|e| Error::Parse {
            file: name.clone(),
            message: format!("cannot read the header row: {e}"),
            at: None,
        })?
        .clone();
    Ok(CsvFile {
        name,
        reader,
        headers,
    })
}

/// Deep-merges `over` onto `base`: tables merge key by key; anything else in `over` replaces.
pub fn merge_tables(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge_tables(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Makes the data-file paths a table names (`bank_files[].path`,
/// `contagion.interbank.network.path`) relative to `dir`, the directory of the file that names
/// them, so that they stay right when the table is merged into another file's.
fn resolve_paths(table: &mut toml::Table, dir: &Path) {
    let fix = |v: &mut toml::Value| {
        if let toml::Value::String(p) = v {
            *p = dir.join(&*p).display().to_string();
        }
    };
    if let Some(toml::Value::Array(files)) = table.get_mut("bank_files") {
        for f in files {
            if let Some(p) = f.as_table_mut().and_then(|t| t.get_mut("path")) {
                fix(p);
            }
        }
    }
    if let Some(p) = table
        .get_mut("contagion")
        .and_then(|c| c.as_table_mut())
        .and_then(|c| c.get_mut("interbank"))
        .and_then(|c| c.as_table_mut())
        .and_then(|c| c.get_mut("network"))
        .and_then(|c| c.as_table_mut())
        .and_then(|c| c.get_mut("path"))
    {
        fix(p);
    }
}

/// Reads `path` and every file it names as `base`, merged, as one TOML table. Data-file paths
/// in each file are resolved against that file's directory.
pub fn load_table(path: &Path, sources: &dyn Sources) -> Result<toml::Table> {
    load_chain(path, None, sources)
}

/// [`load_table`] of a file that `named_by` names as its `base`; errors in it say so.
fn load_chain(path: &Path, named_by: Option<&str>, sources: &dyn Sources) -> Result<toml::Table> {
    let mut chain = vec![path.to_path_buf()];
    let mut tables = Vec::new();
    let mut current = path.to_path_buf();
    let mut parent: Option<String> = named_by.map(str::to_string);
    loop {
        let file = match &parent {
            Some(p) => format!("{} (named by {p} base)", current.display()),
            None => current.display().to_string(),
        };
        let text = sources.read(&current).map_err(|source| Error::Read {
            file: file.clone(),
            source,
        })?;
        let mut table = parse_file(&text, &file)?;
        resolve_paths(&mut table, current.parent().unwrap_or(Path::new("")));
        let base = match table.get("base") {
            None => None,
            Some(toml::Value::String(b)) => Some(b.clone()),
            Some(other) => {
                return Err(Error::Parse {
                    file,
                    message: format!(
                        "base = {other}: must be a string naming another scenario file"
                    ),
                    at: None,
                });
            }
        };
        tables.push(table);
        match base {
            None => break,
            Some(b) => {
                let dir = current.parent().unwrap_or(Path::new(""));
                let next = dir.join(b);
                if chain.contains(&next) || chain.len() > 16 {
                    return Err(Error::Parse {
                        file,
                        message: format!(
                            "base = {:?}: files name each other in a loop (or nest deeper than 16)",
                            next.display().to_string()
                        ),
                        at: None,
                    });
                }
                chain.push(next.clone());
                parent = Some(current.display().to_string());
                current = next;
            }
        }
    }
    let mut merged = toml::Table::new();
    for t in tables.into_iter().rev() {
        merge_tables(&mut merged, t);
    }
    merged.remove("base");
    Ok(merged)
}

/// Parses one scenario file's own text: TOML syntax, then the types and names of its values
/// against the scenario format, so that an error points at this file's line and column (not at a
/// merged, re-serialised table) and names the field. Every field of the format is optional, so a
/// partial file (a `base`, or a child overriding a few values) passes the type check.
fn parse_file(text: &str, file: &str) -> Result<toml::Table> {
    let table: toml::Table = toml::from_str(text).map_err(|e| parse_error(&e, text, file))?;
    toml::from_str::<RawScenario>(text).map_err(|e| parse_error(&e, text, file))?;
    Ok(table)
}

/// A parse error of `text` (the file `file`), located with its field path when it is about one
/// value.
fn parse_error(e: &toml::de::Error, text: &str, file: &str) -> Error {
    Error::Parse {
        file: file.into(),
        message: toml_message(e),
        at: e.span().and_then(|span| locate(text, span.start)),
    }
}

/// The line, column and field path of byte offset `pos` of `text`: the field whose key or value
/// is the smallest span around `pos`.
fn locate(text: &str, pos: usize) -> Option<Location> {
    let doc = toml::de::DeTable::parse(text).ok()?;
    let mut best: Option<(usize, String)> = None;
    fields_at(doc.get_ref(), pos, "", &mut best);
    let (_, field) = best?;
    let before = text.get(..pos)?;
    Some(Location {
        line: before.matches('\n').count() + 1,
        column: before.rsplit('\n').next().unwrap_or("").chars().count() + 1,
        field,
    })
}

fn fields_at(
    table: &toml::de::DeTable<'_>,
    pos: usize,
    prefix: &str,
    best: &mut Option<(usize, String)>,
) {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        value_at(&path, Some(k.span()), v, pos, best);
    }
}

fn value_at(
    path: &str,
    key: Option<std::ops::Range<usize>>,
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    pos: usize,
    best: &mut Option<(usize, String)>,
) {
    for span in key.into_iter().chain([v.span()]) {
        if span.contains(&pos) && best.as_ref().is_none_or(|(len, _)| span.len() <= *len) {
            *best = Some((span.len(), path.to_string()));
        }
    }
    match v.get_ref() {
        toml::de::DeValue::Table(t) => fields_at(t, pos, path, best),
        toml::de::DeValue::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                value_at(&format!("{path}[{i}]"), None, x, pos, best);
            }
        }
        _ => {}
    }
}

/// Longest line of a parse message; the parser quotes the offending source line, which in a
/// hostile or generated file can be megabytes long.
const MESSAGE_LINE_MAX: usize = 160;

/// The message with every float quoted by serde (`floating point \`1000...0\``, written out in
/// full) in exponent form when it has 17 or more digits: `floating point \`1e308\``.
fn short_floats(message: &str) -> String {
    const QUOTE: &str = "floating point `";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find(QUOTE) {
        let (head, tail) = rest.split_at(i + QUOTE.len());
        out.push_str(head);
        let end = tail.find('`').unwrap_or(tail.len());
        let (number, after) = tail.split_at(end);
        match number.parse::<f64>() {
            Ok(x) if x.is_finite() && x.abs() >= 1e16 => out.push_str(&format!("{x:e}")),
            _ => out.push_str(number),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The message of a TOML error, with every line cut to [`MESSAGE_LINE_MAX`] characters.
fn toml_message(e: &toml::de::Error) -> String {
    short_floats(&e.to_string())
        .trim_end()
        .replace("\n\n", "\n")
        .lines()
        .map(|l| {
            if l.chars().count() > MESSAGE_LINE_MAX {
                let cut: String = l.chars().take(MESSAGE_LINE_MAX).collect();
                format!("{cut}…")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

impl Scenario {
    /// Loads and validates a scenario file (with its `base` chain and data files).
    pub fn load(path: &Path, sources: &dyn Sources) -> Result<Scenario> {
        let table = load_table(path, sources)?;
        let file = path.display().to_string();
        let raw = raw_from_table(table, &file)?;
        Scenario::from_raw(&raw, &file, Path::new(""), sources)
    }

    /// Parses and validates scenario text. `file` names it in errors and sets the directory data
    /// files are relative to. A `base` field is honoured through `sources`.
    pub fn from_toml_str(text: &str, file: &str, sources: &dyn Sources) -> Result<Scenario> {
        let mut table = parse_file(text, file)?;
        let dir = Path::new(file)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        resolve_paths(&mut table, &dir);
        let table = match table.get("base") {
            Some(toml::Value::String(b)) => {
                let mut merged = load_chain(&dir.join(b), Some(file), sources)?;
                let mut own = table;
                own.remove("base");
                merge_tables(&mut merged, own);
                merged
            }
            _ => table,
        };
        let raw = raw_from_table(table, file)?;
        Scenario::from_raw(&raw, file, Path::new(""), sources)
    }

    /// Validates raw values; data-file paths are relative to `dir`. Every problem found is
    /// reported, not just the first.
    pub fn from_raw(
        raw: &RawScenario,
        file: &str,
        dir: &Path,
        sources: &dyn Sources,
    ) -> Result<Scenario> {
        let mut c = Checker::new();
        let s = validate(raw, &mut c, file, dir, sources)?;
        if c.problems.is_empty() {
            Ok(s)
        } else {
            Err(Error::Invalid {
                file: file.into(),
                problems: c.problems,
            })
        }
    }

    /// Total starting assets of all banks.
    pub fn system_assets(&self) -> f64 {
        self.banks.iter().map(Bank::assets).sum()
    }

    /// Family shares of system assets, in family order.
    pub fn family_shares(&self) -> Vec<f64> {
        family_shares(&self.banks, self.models.families.len())
    }

    /// Degenerate but valid set-ups worth telling the user about before a run, in a fixed order:
    /// banks that start with no equity (no capacity to lend; they fail at their first loss),
    /// every bank doing so, and regions
    /// with firms but no lender that starts solvent (their creditworthy demand all goes
    /// unfunded, counted in `gap_no_capacity`). The run handles each; nothing here is an error.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for (i, b) in self.banks.iter().enumerate() {
            if b.equity <= 0.0 {
                out.push(Warning {
                    field: format!("banks[{i}].equity"),
                    message: format!(
                        "bank {:?} starts with equity {}: it has no capacity to lend and fails \
                         at its first loss (equity below zero)",
                        b.id, b.equity
                    ),
                });
            }
        }
        if !self.banks.is_empty() && self.banks.iter().all(|b| b.equity <= 0.0) {
            out.push(Warning {
                field: "banks".into(),
                message: "every bank starts with no equity: none has capacity to lend, so no \
                          credit is supplied"
                    .into(),
            });
        }
        if self.firms.count > 0 {
            for (r, region) in self.regions.iter().enumerate() {
                let served = self
                    .banks
                    .iter()
                    .any(|b| b.equity > 0.0 && b.regions.iter().any(|&(i, w)| i == r && w > 0.0));
                if region.firm_share > 0.0 && !served {
                    out.push(Warning {
                        field: format!("regions[{r}]"),
                        message: format!(
                            "no solvent bank lends in region {:?}: its firms' creditworthy demand \
                             all goes unfunded (counted in gap_no_capacity)",
                            region.name
                        ),
                    });
                }
            }
        }
        out
    }
}

/// A valid but degenerate part of a scenario ([`Scenario::warnings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The field, as in validation errors (`banks[2].equity`, `regions[1]`).
    pub field: String,
    /// What it means for the run.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Deserialises a merged table into raw types, with a TOML-style message on failure.
pub fn raw_from_table(table: toml::Table, file: &str) -> Result<RawScenario> {
    RawScenario::deserialize_table(table).map_err(|e| Error::Parse {
        file: file.into(),
        message: toml_message(&e),
        at: None,
    })
}

impl RawScenario {
    /// Deserialises from a TOML table.
    pub fn deserialize_table(
        table: toml::Table,
    ) -> std::result::Result<RawScenario, toml::de::Error> {
        // Round-trip through text so the TOML deserializer (with its field paths) reports errors.
        let text = toml::to_string(&table).unwrap_or_default();
        toml::from_str(&text)
    }
}

fn family_shares(banks: &[Bank], families: usize) -> Vec<f64> {
    let total: f64 = banks.iter().map(Bank::assets).sum();
    let mut shares = vec![0.0; families];
    for b in banks {
        if let Some(s) = shares.get_mut(b.family) {
            *s += b.assets();
        }
    }
    if total > 0.0 {
        for s in &mut shares {
            *s /= total;
        }
    }
    shares
}

fn validate(
    raw: &RawScenario,
    c: &mut Checker,
    file: &str,
    dir: &Path,
    sources: &dyn Sources,
) -> Result<Scenario> {
    match raw.version {
        Some(FORMAT_VERSION) => {}
        Some(v) => c.problem(
            "version",
            v.to_string(),
            format!("this herdlab reads version {FORMAT_VERSION}"),
        ),
        None => c.problem(
            "version",
            "(missing)",
            format!("required: version = {FORMAT_VERSION}"),
        ),
    }

    // run
    let quarters = c.int("run.quarters", "run.quarters", raw.run.quarters) as u32;
    let run = RunSettings {
        paths: c.int("run.paths", "run.paths", raw.run.paths) as u64,
        seed: c.int("run.seed", "run.seed", raw.run.seed) as u64,
        quarters,
        systemic_share: c.num(
            "run.systemic_share",
            "run.systemic_share",
            raw.run.systemic_share,
        ),
        probe_firms: c.int("run.probe_firms", "run.probe_firms", raw.run.probe_firms) as usize,
        bank_detail: raw.run.bank_detail.unwrap_or(true),
    };

    let rates = validate_rates(raw, c, quarters);

    // regions
    if raw.regions.is_empty() {
        c.problem("regions", "(none)", "at least one [[regions]] entry");
    }
    let mut regions = Vec::new();
    for (i, r) in raw.regions.iter().enumerate() {
        let at = |f: &str| format!("regions[{i}].{f}");
        let name = match &r.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => {
                c.problem(at("name"), "(missing)", "a non-empty name");
                format!("region{i}")
            }
        };
        if regions.iter().any(|x: &Region| x.name == name) {
            c.problem(
                at("name"),
                format!("{name:?}"),
                "region names must be unique",
            );
        }
        regions.push(Region {
            name,
            firm_share: c.num("regions[].firm_share", &at("firm_share"), r.firm_share),
            quality_mean: c.num(
                "regions[].quality_mean",
                &at("quality_mean"),
                r.quality_mean,
            ),
            pd_intercept: c.num(
                "regions[].pd_intercept",
                &at("pd_intercept"),
                r.pd_intercept,
            ),
        });
    }
    let share_sum: f64 = regions.iter().map(|r| r.firm_share).sum();
    if !regions.is_empty() && share_sum <= 0.0 {
        c.problem(
            "regions[].firm_share",
            "0 in every region",
            "at least one region needs firms",
        );
    } else {
        for r in &mut regions {
            r.firm_share /= share_sum.max(f64::MIN_POSITIVE);
        }
    }

    // models
    let similarity = c.num(
        "models.similarity",
        "models.similarity",
        raw.models.similarity,
    );
    if raw.models.families.is_empty() {
        c.problem(
            "models.families",
            "(none)",
            "at least one [[models.families]] entry",
        );
    }
    let mut families: Vec<Family> = Vec::new();
    for (i, f) in raw.models.families.iter().enumerate() {
        let at = |x: &str| format!("models.families[{i}].{x}");
        let name = match &f.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => {
                c.problem(at("name"), "(missing)", "a non-empty name");
                format!("family{i}")
            }
        };
        if families.iter().any(|x| x.name == name) {
            c.problem(
                at("name"),
                format!("{name:?}"),
                "family names must be unique",
            );
        }
        let (shift, retraining) = moving::family_motion(c, i, f, rates.initial);
        families.push(Family {
            name,
            error_scale: c.num(
                "models.families[].error_scale",
                &at("error_scale"),
                f.error_scale,
            ),
            rate_reaction: c.num(
                "models.families[].rate_reaction",
                &at("rate_reaction"),
                f.rate_reaction,
            ),
            shift,
            retraining,
        });
    }

    // banking
    let b = &raw.banking;
    let banking = Banking {
        max_applications: c.int(
            "banking.max_applications",
            "banking.max_applications",
            b.max_applications,
        ) as usize,
        car_min: c.num("banking.car_min", "banking.car_min", b.car_min),
        capital_pressure: c.num(
            "banking.capital_pressure",
            "banking.capital_pressure",
            b.capital_pressure,
        ),
        rw_sme: c.num("banking.rw_sme", "banking.rw_sme", b.rw_sme),
        rw_bonds: c.num("banking.rw_bonds", "banking.rw_bonds", b.rw_bonds),
        rw_interbank: c.num(
            "banking.rw_interbank",
            "banking.rw_interbank",
            b.rw_interbank,
        ),
    };
    let rw_other_default = c.num("banking.rw_other", "banking.rw_other", b.rw_other);
    let defaults = bank_params(
        c,
        "bank_defaults",
        &raw.bank_defaults,
        None,
        rw_other_default,
    );

    // banks
    let ctx = banks::Ctx {
        regions: &regions,
        families: &families,
        banking: &banking,
        defaults: &defaults,
        file,
        dir,
        sources,
    };
    let mut banks = banks::build_banks(raw, &ctx, c)?;
    banks::adopt_by_shares(raw, &families, &mut banks, c);
    let mut ids: Vec<&str> = banks.iter().map(|b| b.bank.id.as_str()).collect();
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            c.problem(
                "banks",
                format!("{:?}", w[0]),
                "bank ids must be unique across banks, groups and files",
            );
        }
    }
    let mut banks: Vec<Bank> = banks.into_iter().map(|b| b.bank).collect();
    if banks.is_empty() {
        c.problem(
            "banks",
            "(none)",
            "at least one bank, from [[banks]], [[bank_groups]] or [[bank_files]]",
        );
    }

    // firms
    let fr = &raw.firms;
    let count = c.int("firms.count", "firms.count", fr.count) as usize;
    let size_median = c.num("firms.size_median", "firms.size_median", fr.size_median);
    let size_sigma = c.num("firms.size_sigma", "firms.size_sigma", fr.size_sigma);
    let total_sme: f64 = banks.iter().map(|b| b.sme_loans).sum();
    let weight = match fr.weight {
        Some(w) => c.num("firms.weight", "firms.weight", Some(w)),
        None => {
            let mean_need = size_median * (0.5 * size_sigma * size_sigma).exp();
            if count > 0 && total_sme > 0.0 {
                total_sme / (count as f64 * mean_need)
            } else {
                1.0
            }
        }
    };
    let firms = Firms {
        count,
        weight,
        lambda: c.num("firms.lambda", "firms.lambda", fr.lambda),
        beta: c.num("firms.beta", "firms.beta", fr.beta),
        rho_global: c.num("firms.rho_global", "firms.rho_global", fr.rho_global),
        rho_region: c.num("firms.rho_region", "firms.rho_region", fr.rho_region),
        need_probability: c.num(
            "firms.need_probability",
            "firms.need_probability",
            fr.need_probability,
        ),
        pd_cutoff: c.num("firms.pd_cutoff", "firms.pd_cutoff", fr.pd_cutoff),
        liquidity_pd: c.num("firms.liquidity_pd", "firms.liquidity_pd", fr.liquidity_pd),
        lgd: c.num("firms.lgd", "firms.lgd", fr.lgd),
        size_median,
        size_sigma,
    };
    if firms.rho_global + firms.rho_region >= 1.0 {
        c.problem(
            "firms.rho_region",
            fmt_num(firms.rho_region),
            format!(
                "rho_global + rho_region must be below 1 (rho_global = {})",
                fmt_num(firms.rho_global)
            ),
        );
    }
    if firms.count > 0 && total_sme <= 0.0 && fr.weight.is_none() && !banks.is_empty() {
        c.problem(
            "firms.weight",
            "(missing)",
            "required when no bank has SME loans to calibrate it from",
        );
    }

    // policy
    let policy = validate_policy(raw, c, &families, &mut banks, &banking);
    let switching = moving::switching(c, &raw.adoption);
    let incidents = moving::incidents(c, &raw.models.incidents, &families, quarters);

    // contagion and shocks
    let contagion = contagion::validate_contagion(&raw.contagion, c, &banks, file, dir, sources)?;
    let shocks = contagion::validate_events(&raw.shocks, c, &banks, &regions, &contagion, quarters);

    Ok(Scenario {
        name: raw.name.clone().unwrap_or_else(|| {
            Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        description: raw.description.clone().unwrap_or_default(),
        currency: raw.currency.clone().unwrap_or_else(|| "million".into()),
        run,
        rates,
        firms,
        regions,
        models: Models {
            similarity,
            switching,
            incidents,
            families,
        },
        banking,
        banks,
        policy,
        contagion,
        shocks,
    })
}

fn validate_rates(raw: &RawScenario, c: &mut Checker, quarters: u32) -> Rates {
    let r = &raw.rates;
    let shock = match &r.shock {
        None => Shock::None,
        Some(s) => {
            let kind = s.kind.as_deref().unwrap_or("step");
            let used: &[&str] = match kind {
                "none" => &[],
                "step" => &["size", "at"],
                "ramp" => &["size", "start", "end"],
                "path" => &["values"],
                other => {
                    c.problem(
                        "rates.shock.kind",
                        format!("{other:?}"),
                        "one of \"none\", \"step\", \"ramp\", \"path\"",
                    );
                    &[]
                }
            };
            let present = [
                ("size", s.size.is_some()),
                ("at", s.at.is_some()),
                ("start", s.start.is_some()),
                ("end", s.end.is_some()),
                ("values", s.values.is_some()),
            ];
            for (f, is) in present {
                if is && !used.contains(&f) && ["none", "step", "ramp", "path"].contains(&kind) {
                    c.problem(
                        format!("rates.shock.{f}"),
                        "(set)",
                        format!("not used by kind = {kind:?}; remove it"),
                    );
                }
            }
            match kind {
                "step" => Shock::Step {
                    size: c.num("rates.shock.size", "rates.shock.size", s.size),
                    at: c.int("rates.shock.at", "rates.shock.at", s.at) as u32,
                },
                "ramp" => {
                    let start = c.int("rates.shock.start", "rates.shock.start", s.start) as u32;
                    let end = c.int("rates.shock.end", "rates.shock.end", s.end) as u32;
                    if end < start {
                        c.problem(
                            "rates.shock.end",
                            end.to_string(),
                            format!("must be at least rates.shock.start = {start}"),
                        );
                    }
                    Shock::Ramp {
                        size: c.num("rates.shock.size", "rates.shock.size", s.size),
                        start,
                        end: end.max(start),
                    }
                }
                "path" => {
                    let values = s.values.clone().unwrap_or_default();
                    if values.len() != quarters as usize {
                        c.problem(
                            "rates.shock.values",
                            format!("{} value(s)", values.len()),
                            format!("one value per quarter: {quarters}"),
                        );
                    }
                    let checked = values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            c.num(
                                "rates.shock.values[]",
                                &format!("rates.shock.values[{i}]"),
                                Some(*v),
                            )
                        })
                        .collect();
                    Shock::Path(checked)
                }
                _ => Shock::None,
            }
        }
    };
    Rates {
        initial: c.num("rates.initial", "rates.initial", r.initial),
        kappa: c.num("rates.kappa", "rates.kappa", r.kappa),
        sigma: c.num("rates.sigma", "rates.sigma", r.sigma),
        shock,
    }
}

/// Resolves bank parameters: the entry's own, else `inherit` (the defaults), else the registry.
pub(crate) fn bank_params(
    c: &mut Checker,
    prefix: &str,
    p: &RawBankParams,
    inherit: Option<&BankParams>,
    rw_other_default: f64,
) -> BankParams {
    let mut f = |name: &str, v: Option<f64>, inherited: Option<f64>| {
        let spec = format!("bank.{name}");
        let at = format!("{prefix}.{name}");
        match inherited {
            Some(d) => c.num_or(&spec, &at, v, d),
            None => match v {
                None => param(&spec).default.unwrap_or(rw_other_default),
                Some(_) => c.num(&spec, &at, v),
            },
        }
    };
    BankParams {
        spread: f("spread", p.spread, inherit.map(|d| d.spread)),
        deposit_beta: f(
            "deposit_beta",
            p.deposit_beta,
            inherit.map(|d| d.deposit_beta),
        ),
        threshold: f("threshold", p.threshold, inherit.map(|d| d.threshold)),
        fine_tuning: f("fine_tuning", p.fine_tuning, inherit.map(|d| d.fine_tuning)),
        car_target: f("car_target", p.car_target, inherit.map(|d| d.car_target)),
        bond_fv_share: f(
            "bond_fv_share",
            p.bond_fv_share,
            inherit.map(|d| d.bond_fv_share),
        ),
        duration: f("duration", p.duration, inherit.map(|d| d.duration)),
        rw_other: f(
            "rw_other",
            p.rw_other,
            Some(inherit.map_or(rw_other_default, |d| d.rw_other)),
        ),
    }
}

fn validate_policy(
    raw: &RawScenario,
    c: &mut Checker,
    families: &[Family],
    banks: &mut [Bank],
    banking: &Banking,
) -> Policy {
    let p = &raw.policy;
    let mut reassignments = Vec::new();
    let diversity_cap = match &p.diversity_cap {
        Some(d) if d.enabled.unwrap_or(true) => {
            let cap = c.num(
                "policy.diversity_cap.cap",
                "policy.diversity_cap.cap",
                d.cap,
            );
            if !banks.is_empty() && !families.is_empty() {
                match apply_diversity_cap(banks, families, cap) {
                    Ok(moves) => reassignments = moves,
                    Err(best) => c.problem(
                        "policy.diversity_cap.cap",
                        fmt_num(cap),
                        format!(
                            "cannot be met by moving whole banks between the {} families: the lowest largest-family share reachable is {:.4}",
                            families.len(),
                            best
                        ),
                    ),
                }
            }
            Some(cap)
        }
        _ => None,
    };
    let alarm = match &p.herding_alarm {
        Some(a) if a.enabled.unwrap_or(true) => {
            let measure = match a.measure.as_deref().unwrap_or("systemic-rejection-ratio") {
                "decision-agreement-excess" => AlarmMeasure::DecisionAgreementExcess,
                "systemic-rejection-ratio" => AlarmMeasure::SystemicRejectionRatio,
                "lsv" => AlarmMeasure::Lsv,
                other => {
                    c.problem(
                        "policy.herding_alarm.measure",
                        format!("{other:?}"),
                        format!(
                            "one of {}",
                            AlarmMeasure::NAMES.map(|n| format!("{n:?}")).join(", ")
                        ),
                    );
                    AlarmMeasure::SystemicRejectionRatio
                }
            };
            let release_points = c.num(
                "policy.herding_alarm.buffer_release",
                "policy.herding_alarm.buffer_release",
                a.buffer_release,
            );
            let release = release_points / 100.0;
            if release >= banking.car_min {
                c.problem(
                    "policy.herding_alarm.buffer_release",
                    fmt_num(release_points),
                    format!(
                        "must be below banking.car_min = {} points",
                        fmt_num(banking.car_min * 100.0)
                    ),
                );
            }
            Some(Alarm {
                measure,
                threshold: c.num(
                    "policy.herding_alarm.threshold",
                    "policy.herding_alarm.threshold",
                    a.threshold,
                ),
                lag: c.int(
                    "policy.herding_alarm.lag",
                    "policy.herding_alarm.lag",
                    a.lag,
                ) as u32,
                facility_budget: c.num(
                    "policy.herding_alarm.facility_budget",
                    "policy.herding_alarm.facility_budget",
                    a.facility_budget,
                ),
                facility_error_scale: c.num(
                    "policy.herding_alarm.facility_error_scale",
                    "policy.herding_alarm.facility_error_scale",
                    a.facility_error_scale,
                ),
                buffer_release: release.min(banking.car_min * 0.999),
            })
        }
        _ => None,
    };
    let review = match &p.human_review {
        Some(r) if r.enabled.unwrap_or(true) => Some(Review {
            share: c.num(
                "policy.human_review.share",
                "policy.human_review.share",
                r.share,
            ),
            error_scale: c.num(
                "policy.human_review.error_scale",
                "policy.human_review.error_scale",
                r.error_scale,
            ),
        }),
        _ => None,
    };
    Policy {
        diversity_cap,
        reassignments,
        alarm,
        review,
    }
}

/// The diversity cap's rule (MODEL.md §8), applied before the run: while the family with the
/// largest share of system assets is over `cap`, move its smallest bank (ties: the earlier in
/// bank order) to the family with the smallest share (ties: the earlier family), provided the
/// move lowers the largest share. Returns the moves, or the smallest largest share reached when
/// the cap cannot be met.
pub fn apply_diversity_cap(
    banks: &mut [Bank],
    families: &[Family],
    cap: f64,
) -> Result<Vec<Reassignment>, f64> {
    let mut moves = Vec::new();
    let total: f64 = banks.iter().map(Bank::assets).sum();
    if total <= 0.0 || families.len() < 2 {
        let shares = family_shares(banks, families.len());
        let max = shares.iter().copied().fold(0.0, f64::max);
        return if max <= cap + 1e-12 {
            Ok(moves)
        } else {
            Err(max)
        };
    }
    loop {
        let shares = family_shares(banks, families.len());
        let (fmax, smax) = argmax(&shares);
        if smax <= cap + 1e-12 {
            return Ok(moves);
        }
        let (fmin, smin) = argmin(&shares);
        // smallest bank of the largest family
        let Some(bi) = (0..banks.len())
            .filter(|&i| banks[i].family == fmax)
            .min_by(|&a, &b| {
                banks[a]
                    .assets()
                    .total_cmp(&banks[b].assets())
                    .then(a.cmp(&b))
            })
        else {
            return Err(smax);
        };
        let s = banks[bi].assets() / total;
        // The move must lower the maximum: the receiving family stays below the old maximum.
        if smin + s >= smax - 1e-12 {
            return Err(smax);
        }
        moves.push(Reassignment {
            bank: banks[bi].id.clone(),
            from: families[fmax].name.clone(),
            to: families[fmin].name.clone(),
        });
        banks[bi].family = fmin;
    }
}

fn argmax(xs: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &x) in xs.iter().enumerate() {
        if x > best.1 {
            best = (i, x);
        }
    }
    best
}

fn argmin(xs: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, &x) in xs.iter().enumerate() {
        if x < best.1 {
            best = (i, x);
        }
    }
    best
}

#[cfg(test)]
mod tests;
