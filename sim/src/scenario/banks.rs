//! Banks from a scenario: listed one by one, generated from groups, or loaded from CSV files.

use std::path::Path;

use rand_distr::{Distribution, LogNormal, Pareto};

use super::params::MAX_MONEY;
use super::raw::{RawBank, RawBankFile, RawBankGroup, RawScenario};
use super::{Bank, BankParams, Banking, Checker, Family, Region, Sources, bank_params, fmt_num};
use crate::error::Result;
use crate::rng::{Key, Purpose, name_key};

/// What building banks needs from the rest of the scenario.
pub(crate) struct Ctx<'a> {
    pub regions: &'a [Region],
    pub families: &'a [Family],
    pub banking: &'a Banking,
    pub defaults: &'a BankParams,
    pub file: &'a str,
    pub dir: &'a Path,
    pub sources: &'a dyn Sources,
}

/// A bank whose family may still be open (to be set by `[adoption]`).
pub(crate) struct Pending {
    pub bank: Bank,
    pub family_set: bool,
}

impl Ctx<'_> {
    /// The index of `name` among `names`, or a problem at `at` listing what is allowed.
    fn lookup<'n>(
        c: &mut Checker,
        at: &str,
        name: &str,
        names: impl Iterator<Item = &'n str> + Clone,
        what: &str,
    ) -> Option<usize> {
        let idx = names.clone().position(|n| n == name);
        if idx.is_none() {
            let list: Vec<String> = names.map(|n| format!("{n:?}")).collect();
            c.problem(
                at,
                format!("{name:?}"),
                format!("one of the {what}: {}", list.join(", ")),
            );
        }
        idx
    }

    fn family(&self, c: &mut Checker, at: &str, name: &str) -> Option<usize> {
        let names = self.families.iter().map(|f| f.name.as_str());
        Self::lookup(c, at, name, names, "families in [[models.families]]")
    }

    fn region(&self, c: &mut Checker, at: &str, name: &str) -> Option<usize> {
        let names = self.regions.iter().map(|r| r.name.as_str());
        Self::lookup(c, at, name, names, "regions in [[regions]]")
    }

    /// Normalised region weights from (name, weight) pairs.
    fn regions_of<'n>(
        &self,
        c: &mut Checker,
        at: &str,
        pairs: impl Iterator<Item = (&'n str, f64)>,
        needs_region: bool,
    ) -> Vec<(usize, f64)> {
        let mut out: Vec<(usize, f64)> = Vec::new();
        for (name, w) in pairs {
            let wat = format!("{at}.{name}");
            let w = c.num("banks[].regions.*", &wat, Some(w));
            if let Some(r) = self.region(c, &wat, name) {
                if out.iter().any(|(x, _)| *x == r) {
                    c.problem(&wat, format!("{name:?}"), "each region once");
                } else if w > 0.0 {
                    out.push((r, w));
                }
            }
        }
        let total: f64 = out.iter().map(|(_, w)| w).sum();
        if total > 0.0 {
            for (_, w) in &mut out {
                *w /= total;
            }
        } else if needs_region {
            c.problem(
                at,
                "(none)",
                "a bank with SME loans must serve at least one region with a positive weight",
            );
        }
        out.sort_by_key(|(r, _)| *r);
        out
    }
}

pub(crate) fn build_banks(
    raw: &RawScenario,
    ctx: &Ctx<'_>,
    c: &mut Checker,
) -> Result<Vec<Pending>> {
    let mut out = Vec::new();
    for (i, b) in raw.banks.iter().enumerate() {
        out.push(listed_bank(b, &format!("banks[{i}]"), ctx, c));
    }
    for (g, group) in raw.bank_groups.iter().enumerate() {
        out.extend(group_banks(group, &format!("bank_groups[{g}]"), ctx, c));
    }
    for (f, file) in raw.bank_files.iter().enumerate() {
        out.extend(file_banks(file, &format!("bank_files[{f}]"), ctx, c)?);
    }
    Ok(out)
}

fn listed_bank(b: &RawBank, at: &str, ctx: &Ctx<'_>, c: &mut Checker) -> Pending {
    let f = |x: &str| format!("{at}.{x}");
    let id = match &b.id {
        Some(id) if !id.trim().is_empty() => id.clone(),
        _ => {
            c.problem(f("id"), "(missing)", "a non-empty, unique bank id");
            at.to_string()
        }
    };
    let sme_loans = c.num("banks[].sme_loans", &f("sme_loans"), b.sme_loans);
    let regions = ctx.regions_of(
        c,
        &f("regions"),
        b.regions.iter().map(|(k, v)| (k.as_str(), *v)),
        sme_loans > 0.0,
    );
    let family = b
        .family
        .as_ref()
        .and_then(|n| ctx.family(c, &f("family"), n));
    let bank = Bank {
        id,
        equity: c.num("banks[].equity", &f("equity"), b.equity),
        sme_loans,
        bonds: c.num("banks[].bonds", &f("bonds"), b.bonds),
        interbank_assets: c.num(
            "banks[].interbank_assets",
            &f("interbank_assets"),
            b.interbank_assets,
        ),
        interbank_liabilities: c.num(
            "banks[].interbank_liabilities",
            &f("interbank_liabilities"),
            b.interbank_liabilities,
        ),
        other_assets: c.num("banks[].other_assets", &f("other_assets"), b.other_assets),
        family: family.unwrap_or(0),
        regions,
        holdings: b.holdings.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        params: bank_params(
            c,
            at,
            &b.params(),
            Some(ctx.defaults),
            ctx.defaults.rw_other,
        ),
    };
    check_balance_sheet(&bank, at, c);
    Pending {
        bank,
        family_set: b.family.is_some(),
    }
}

/// Liabilities other than equity and interbank (deposits) are the residual and may not be negative.
fn check_balance_sheet(b: &Bank, at: &str, c: &mut Checker) {
    let deposits = b.assets() - b.equity - b.interbank_liabilities;
    if deposits < -1e-9 * b.assets().max(1.0) {
        c.problem(
            format!("{at}.equity"),
            fmt_num(b.equity),
            format!(
                "equity + interbank liabilities ({}) may not exceed total assets ({}): deposits are the residual",
                fmt_num(b.equity + b.interbank_liabilities),
                fmt_num(b.assets())
            ),
        );
    }
}

fn group_banks(g: &RawBankGroup, at: &str, ctx: &Ctx<'_>, c: &mut Checker) -> Vec<Pending> {
    let f = |x: &str| format!("{at}.{x}");
    let prefix = match &g.prefix {
        Some(p) if !p.trim().is_empty() => p.clone(),
        _ => {
            c.problem(f("prefix"), "(missing)", "a non-empty id prefix");
            at.to_string()
        }
    };
    let count = c.int("bank_groups[].count", &f("count"), g.count).max(0) as usize;
    let equity_ratio = c.num(
        "bank_groups[].equity_ratio",
        &f("equity_ratio"),
        g.equity_ratio,
    );
    let sme_share = c.num("bank_groups[].sme_share", &f("sme_share"), g.sme_share);
    let bond_share = c.num("bank_groups[].bond_share", &f("bond_share"), g.bond_share);
    let ib_share = c.num(
        "bank_groups[].interbank_share",
        &f("interbank_share"),
        g.interbank_share,
    );
    let ibl_share = match g.interbank_liability_share {
        None => ib_share,
        v => c.num(
            "bank_groups[].interbank_liability_share",
            &f("interbank_liability_share"),
            v,
        ),
    };
    if sme_share + bond_share + ib_share > 1.0 + 1e-12 {
        c.problem(
            f("sme_share"),
            fmt_num(sme_share),
            format!(
                "sme_share + bond_share + interbank_share must be at most 1 (it is {})",
                fmt_num(sme_share + bond_share + ib_share)
            ),
        );
    }
    if equity_ratio + ibl_share > 1.0 {
        c.problem(
            f("equity_ratio"),
            fmt_num(equity_ratio),
            "equity_ratio + interbank_liability_share must be at most 1",
        );
    }
    let regions: Vec<usize> = g
        .regions
        .iter()
        .enumerate()
        .filter_map(|(i, name)| ctx.region(c, &format!("{at}.regions[{i}]"), name))
        .collect();
    if regions.is_empty() && sme_share > 0.0 {
        c.problem(
            f("regions"),
            "(none)",
            "a group with SME loans must list at least one region",
        );
    }
    let each = match g.regions_each {
        None => regions.len().max(1),
        v => (c
            .int("bank_groups[].regions_each", &f("regions_each"), v)
            .max(1) as usize)
            .min(regions.len().max(1)),
    };
    let families: Vec<usize> = match (&g.family, &g.families) {
        (Some(_), Some(_)) => {
            c.problem(
                f("families"),
                "(set)",
                "set either family or families, not both",
            );
            Vec::new()
        }
        (Some(n), None) => ctx.family(c, &f("family"), n).into_iter().collect(),
        (None, Some(list)) => {
            if list.is_empty() {
                c.problem(f("families"), "[]", "at least one family name");
            }
            list.iter()
                .enumerate()
                .filter_map(|(i, n)| ctx.family(c, &format!("{at}.families[{i}]"), n))
                .collect()
        }
        (None, None) => Vec::new(),
    };
    let sizes = group_sizes(g, at, &prefix, count, c);
    let params = bank_params(
        c,
        at,
        &g.params(),
        Some(ctx.defaults),
        ctx.defaults.rw_other,
    );
    let width = count.to_string().len().max(2);
    (0..count)
        .map(|i| {
            let assets = sizes.get(i).copied().unwrap_or(0.0);
            let served: Vec<(usize, f64)> = if regions.is_empty() {
                Vec::new()
            } else {
                let mut s: Vec<usize> = (0..each)
                    .map(|k| regions[(i * each + k) % regions.len()])
                    .collect();
                s.sort_unstable();
                s.dedup();
                let w = 1.0 / s.len() as f64;
                s.into_iter().map(|r| (r, w)).collect()
            };
            Pending {
                bank: Bank {
                    id: format!("{prefix}{:0width$}", i + 1),
                    equity: equity_ratio * assets,
                    sme_loans: sme_share * assets,
                    bonds: bond_share * assets,
                    interbank_assets: ib_share * assets,
                    interbank_liabilities: ibl_share * assets,
                    other_assets: (1.0 - sme_share - bond_share - ib_share).max(0.0) * assets,
                    family: if families.is_empty() {
                        0
                    } else {
                        families[i % families.len()]
                    },
                    regions: served,
                    holdings: Vec::new(),
                    params: params.clone(),
                },
                family_set: !families.is_empty(),
            }
        })
        .collect()
}

/// Total assets of a group's banks. The draws come from a stream keyed by the group prefix alone,
/// so a group's banks are fixed by the file, whatever the run seed.
fn group_sizes(
    g: &RawBankGroup,
    at: &str,
    prefix: &str,
    count: usize,
    c: &mut Checker,
) -> Vec<f64> {
    let f = |x: &str| format!("{at}.assets.{x}");
    let Some(a) = &g.assets else {
        c.problem(
            format!("{at}.assets"),
            "(missing)",
            "a size distribution: { dist = \"fixed\" | \"lognormal\" | \"pareto\", ... }",
        );
        return vec![0.0; count];
    };
    let mut rng = Key::new(0)
        .purpose(Purpose::BankGroup)
        .entity(name_key(prefix))
        .stream();
    let kind = a.dist.as_deref().unwrap_or("fixed");
    let sizes = match kind {
        "fixed" => {
            let v = c.num("bank_groups[].assets.value", &f("value"), a.value);
            vec![v; count]
        }
        "lognormal" => {
            let median = c.num("bank_groups[].assets.median", &f("median"), a.median);
            let sigma = c.num("bank_groups[].assets.sigma", &f("sigma"), a.sigma);
            match LogNormal::new(median.max(f64::MIN_POSITIVE).ln(), sigma) {
                Ok(d) => (0..count).map(|_| d.sample(&mut rng)).collect(),
                Err(_) => vec![median; count],
            }
        }
        "pareto" => {
            let min = c.num("bank_groups[].assets.min", &f("min"), a.min);
            let alpha = c.num("bank_groups[].assets.alpha", &f("alpha"), a.alpha);
            match Pareto::new(min.max(f64::MIN_POSITIVE), alpha.max(f64::MIN_POSITIVE)) {
                Ok(d) => (0..count).map(|_| d.sample(&mut rng)).collect(),
                Err(_) => vec![min; count],
            }
        }
        other => {
            c.problem(
                f("dist"),
                format!("{other:?}"),
                "one of \"fixed\", \"lognormal\", \"pareto\"",
            );
            vec![0.0; count]
        }
    };
    // A lognormal or Pareto draw can exceed any bound: refuse a group whose largest bank does.
    let largest = sizes
        .iter()
        .copied()
        .find(|x| x.is_nan())
        .unwrap_or_else(|| sizes.iter().copied().fold(0.0, f64::max));
    if largest.is_nan() || largest > MAX_MONEY {
        c.problem(
            format!("{at}.assets"),
            format!("(largest drawn bank: {})", fmt_num(largest)),
            format!(
                "every drawn bank's total assets at most {} (money); lower the median, min or sigma, or raise alpha",
                fmt_num(MAX_MONEY)
            ),
        );
        return vec![0.0; count];
    }
    sizes
}

/// Reads one cell as a finite number in `range`, or records a problem naming file, row and
/// column and returns `None` (so that no check downstream invents a second problem from a
/// placeholder). A missing column reads as 0.
fn cell(
    c: &mut Checker,
    file: &str,
    row: usize,
    rec: &csv::StringRecord,
    col: Option<usize>,
    name: &str,
    range: std::ops::RangeInclusive<f64>,
) -> Option<f64> {
    let at = format!("{file}: row {row}, column {name}");
    let Some(col) = col else {
        return Some(0.0);
    };
    let text = rec.get(col).unwrap_or("").trim();
    match text.parse::<f64>() {
        Ok(x) if range.contains(&x) => Some(x),
        Ok(x) => {
            c.problem(
                at,
                fmt_num(x),
                format!(
                    "a finite number >= {} and <= {}",
                    range.start(),
                    fmt_num(*range.end())
                ),
            );
            None
        }
        Err(_) => {
            c.problem(at, format!("{text:?}"), "a number");
            None
        }
    }
}

/// The smallest CET1 ratio of an EBA row, in percent: below it, risk-weighted assets
/// (`cet1_capital / ratio`) would leave the range of money amounts.
const MIN_CET1_RATIO_PCT: f64 = 1e-6;

/// Money columns of bank files: 0 to [`MAX_MONEY`].
const MONEY: std::ops::RangeInclusive<f64> = 0.0..=MAX_MONEY;

/// Banks from a CSV file (`[[bank_files]]` entry `fb`, at `at`): the header checked against the
/// format, then one bank per row. A row with a problem is reported and left out, so that no later
/// check (a bank's balance sheet, the system's totals) invents a second problem from its
/// placeholders.
fn file_banks(fb: &RawBankFile, at: &str, ctx: &Ctx<'_>, c: &mut Checker) -> Result<Vec<Pending>> {
    let Some(rel) = &fb.path else {
        c.problem(
            format!("{at}.path"),
            "(missing)",
            "the path of a CSV file, relative to the scenario",
        );
        return Ok(Vec::new());
    };
    let path = ctx.dir.join(rel);
    let super::CsvFile {
        name: file,
        mut reader,
        headers,
    } = super::open_csv(ctx.sources, &path, &format!("{} {at}.path", ctx.file))?;
    let format = fb.format.as_deref().unwrap_or("herdlab");
    if !header_fits(format, &headers, &file, at, c) {
        return Ok(Vec::new());
    }
    let sme_share = c.num(
        "bank_files[].sme_share",
        &format!("{at}.sme_share"),
        fb.sme_share,
    );
    let params = bank_params(
        c,
        at,
        &fb.params(),
        Some(ctx.defaults),
        ctx.defaults.rw_other,
    );
    let families: Vec<usize> = fb
        .families
        .iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, n)| ctx.family(c, &format!("{at}.families[{i}]"), n))
        .collect();
    let mut rows = Vec::new();
    // The file's row number of each kept row (rows with a problem are left out).
    let mut row_numbers = Vec::new();
    let mut read = 0usize;
    for (i, rec) in reader.records().enumerate() {
        let row = i + 2; // 1-based, after the header
        read += 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                c.problem(
                    format!("{file}: row {row}"),
                    "(unreadable)",
                    format!("a CSV row with {} fields ({e})", headers.len()),
                );
                continue;
            }
        };
        let rec = FileRow {
            file: &file,
            row,
            rec: &rec,
            headers: &headers,
        };
        let problems_before = c.problems.len();
        let pending = match format {
            "eba2018" => eba_row(&rec, sme_share, &params, ctx, c),
            _ => herdlab_row(&rec, &params, ctx, c),
        };
        if c.problems.len() == problems_before {
            rows.push(pending);
            row_numbers.push(row);
        }
    }
    if format == "eba2018" {
        // Interbank liabilities are not published: give each bank a share of the system's
        // interbank assets proportional to its total exposure, so that the totals match.
        let ia: f64 = rows.iter().map(|p| p.bank.interbank_assets).sum();
        let size: f64 = rows.iter().map(|p| p.bank.assets()).sum();
        for p in &mut rows {
            p.bank.interbank_liabilities = if size > 0.0 {
                ia * p.bank.assets() / size
            } else {
                0.0
            };
        }
    }
    for (i, (p, &row)) in rows.iter_mut().zip(&row_numbers).enumerate() {
        if p.bank.id.is_empty() && format == "herdlab" {
            c.problem(
                format!("{file}: row {row}, column id"),
                "\"\"",
                "a non-empty bank id",
            );
        }
        if !families.is_empty() && !p.family_set {
            p.bank.family = families[i % families.len()];
            p.family_set = true;
        }
        check_balance_sheet(&p.bank, &format!("{file}: row {row}"), c);
    }
    if read == 0 {
        c.problem(file.clone(), "(no rows)", "at least one bank");
    }
    Ok(rows)
}

/// Whether a bank file's header has the columns its `format` needs; if not (or the format is
/// unknown), the problem is recorded.
fn header_fits(
    format: &str,
    headers: &csv::StringRecord,
    file: &str,
    at: &str,
    c: &mut Checker,
) -> bool {
    let required: &[&str] = match format {
        "herdlab" => &["id", "equity"],
        "eba2018" => &[
            "bank",
            "country",
            "gov_bonds",
            "corp_bonds",
            "interbank_assets",
            "cet1_capital",
            "cet1_ratio_pct",
            "total_exposure",
        ],
        other => {
            c.problem(
                format!("{at}.format"),
                format!("{other:?}"),
                "one of \"herdlab\", \"eba2018\"",
            );
            return false;
        }
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|n| !headers.iter().any(|h| h == *n))
        .collect();
    if !missing.is_empty() {
        c.problem(
            format!("{file}: header"),
            headers.iter().collect::<Vec<_>>().join(","),
            format!("missing column(s): {}", missing.join(", ")),
        );
        return false;
    }
    true
}

/// One data row of a bank file, with what reading its cells needs.
struct FileRow<'a> {
    /// The file, as named in problems.
    file: &'a str,
    /// The row's 1-based line number in the file (the header is line 1).
    row: usize,
    /// The row's cells.
    rec: &'a csv::StringRecord,
    /// The header row.
    headers: &'a csv::StringRecord,
}

impl FileRow<'_> {
    /// The index of the column named `name`, if the header has it.
    fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// The trimmed text of the cell in column `name` (empty when the column is missing).
    fn text(&self, name: &str) -> String {
        self.col(name)
            .and_then(|k| self.rec.get(k))
            .unwrap_or("")
            .trim()
            .to_string()
    }

    /// The cell in column `name` as a number in `range` (see [`cell`]).
    fn cell(
        &self,
        c: &mut Checker,
        name: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Option<f64> {
        cell(
            c,
            self.file,
            self.row,
            self.rec,
            self.col(name),
            name,
            range,
        )
    }
}

/// A bank from a row of the EBA 2018 transparency exercise: SME loans a share of total exposure,
/// the other assets' risk weight implied by the CET1 ratio, bonds split into "gov" and "corp"
/// holdings. Its interbank liabilities are set once the whole file is read.
fn eba_row(
    rec: &FileRow<'_>,
    sme_share: f64,
    params: &BankParams,
    ctx: &Ctx<'_>,
    c: &mut Checker,
) -> Pending {
    let (file, row) = (rec.file, rec.row);
    let id = rec.text("bank");
    let country = rec.text("country");
    let gov = rec.cell(c, "gov_bonds", MONEY);
    let corp = rec.cell(c, "corp_bonds", MONEY);
    let ib = rec.cell(c, "interbank_assets", MONEY);
    let cet1 = rec.cell(c, "cet1_capital", MONEY);
    let ratio = rec.cell(c, "cet1_ratio_pct", 0.0..=100.0);
    let te = rec.cell(c, "total_exposure", MONEY);
    // A cell already reported stays out of the checks below, which would only
    // invent a second problem from its placeholder.
    if ratio.is_some_and(|r| r < MIN_CET1_RATIO_PCT) {
        c.problem(
            format!("{file}: row {row}, column cet1_ratio_pct"),
            fmt_num(ratio.unwrap_or(0.0)),
            format!("a positive percentage (at least {MIN_CET1_RATIO_PCT})"),
        );
    }
    let all_read = [gov, corp, ib, te].iter().all(Option::is_some);
    let [gov, corp, ib, cet1, ratio, te] =
        [gov, corp, ib, cet1, ratio, te].map(|x| x.unwrap_or(0.0));
    let sme = sme_share * te;
    let bonds = gov + corp;
    let other = te - sme - bonds - ib;
    if other < 0.0 && all_read {
        c.problem(
            format!("{file}: row {row}, column total_exposure"),
            fmt_num(te),
            format!(
                "must cover SME loans + bonds + interbank assets = {}",
                fmt_num(sme + bonds + ib)
            ),
        );
    }
    let rwa = if ratio >= MIN_CET1_RATIO_PCT {
        cet1 / (ratio / 100.0)
    } else {
        0.0
    };
    let b = ctx.banking;
    let rw_other = if other > 0.0 {
        ((rwa - b.rw_sme * sme - b.rw_bonds * bonds - b.rw_interbank * ib) / other).max(0.0)
    } else {
        params.rw_other
    };
    let region = ctx.region(c, &format!("{file}: row {row}, column country"), &country);
    let bank = Bank {
        id,
        equity: cet1,
        sme_loans: sme,
        bonds,
        interbank_assets: ib,
        interbank_liabilities: f64::NAN, // set below, once totals are known
        other_assets: other.max(0.0),
        family: 0,
        regions: region.map(|r| vec![(r, 1.0)]).unwrap_or_default(),
        // The published split of securities: classes named "gov" and "corp".
        holdings: if bonds > 0.0 {
            vec![
                ("corp".to_string(), corp / bonds),
                ("gov".to_string(), gov / bonds),
            ]
        } else {
            Vec::new()
        },
        params: BankParams {
            rw_other,
            ..params.clone()
        },
    };
    if bank.id.is_empty() {
        c.problem(
            format!("{file}: row {row}, column bank"),
            "\"\"",
            "a non-empty bank id",
        );
    }
    Pending {
        bank,
        family_set: false,
    }
}

/// A bank from a row of a herdlab bank file: one column per balance-sheet item, `regions` and
/// `holdings` as `name:weight;...`, an optional `family` and `rw_other`.
fn herdlab_row(rec: &FileRow<'_>, params: &BankParams, ctx: &Ctx<'_>, c: &mut Checker) -> Pending {
    let (file, row) = (rec.file, rec.row);
    let id = rec.text("id");
    let sme = rec.cell(c, "sme_loans", MONEY).unwrap_or(0.0);
    let regions_text = rec.text("regions");
    let pairs: Vec<(String, f64)> = regions_text
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once(':') {
            Some((n, w)) => (
                n.trim().to_string(),
                w.trim().parse::<f64>().unwrap_or(f64::NAN),
            ),
            None => (s.to_string(), 1.0),
        })
        .collect();
    let regions = ctx.regions_of(
        c,
        &format!("{file}: row {row}, column regions"),
        pairs.iter().map(|(n, w)| (n.as_str(), *w)),
        sme > 0.0,
    );
    let family_name = rec.text("family");
    let family = if family_name.is_empty() {
        None
    } else {
        ctx.family(
            c,
            &format!("{file}: row {row}, column family"),
            &family_name,
        )
    };
    let mut bp = params.clone();
    if rec.col("rw_other").is_some() && !rec.text("rw_other").is_empty() {
        let spec = super::params::param("bank.rw_other");
        bp.rw_other = rec
            .cell(c, "rw_other", spec.range.min..=spec.range.max)
            .unwrap_or(bp.rw_other);
    }
    let bank = Bank {
        id,
        equity: rec.cell(c, "equity", MONEY).unwrap_or(0.0),
        sme_loans: sme,
        bonds: rec.cell(c, "bonds", MONEY).unwrap_or(0.0),
        interbank_assets: rec.cell(c, "interbank_assets", MONEY).unwrap_or(0.0),
        interbank_liabilities: rec.cell(c, "interbank_liabilities", MONEY).unwrap_or(0.0),
        other_assets: rec.cell(c, "other_assets", MONEY).unwrap_or(0.0),
        family: family.unwrap_or(0),
        regions,
        holdings: parse_pairs(&rec.text("holdings"))
            .into_iter()
            .map(|(n, w)| {
                if !(0.0..=1.0).contains(&w) {
                    c.problem(
                        format!("{file}: row {row}, column holdings"),
                        format!("{n}:{w}"),
                        "shares in [0, 1]",
                    );
                }
                (n, w)
            })
            .collect(),
        params: bp,
    };

    Pending {
        family_set: family.is_some(),
        bank,
    }
}

/// Parses `name:weight;name:weight` (a bare name has weight 1; a bad weight is NaN, which the
/// range checks refuse).
fn parse_pairs(text: &str) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = text
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once(':') {
            Some((n, w)) => (
                n.trim().to_string(),
                w.trim().parse::<f64>().unwrap_or(f64::NAN),
            ),
            None => (s.to_string(), 1.0),
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Gives banks without an explicit family one by `[adoption] shares` of system assets: banks in
/// descending order of assets (ties: bank order) each go to the family furthest below its target
/// (target share x assets of these banks, minus what it has; ties: family order).
pub(crate) fn adopt_by_shares(
    raw: &RawScenario,
    families: &[Family],
    banks: &mut [Pending],
    c: &mut Checker,
) {
    for (id, family) in &raw.adoption.banks {
        let at = format!("adoption.banks.{id}");
        let Some(f) = families.iter().position(|f| &f.name == family) else {
            c.problem(
                at,
                format!("{family:?}"),
                "a family named in [[models.families]]",
            );
            continue;
        };
        match banks.iter_mut().find(|b| &b.bank.id == id) {
            Some(b) => {
                b.bank.family = f;
                b.family_set = true;
            }
            None => c.problem(at, format!("{id:?}"), "the id of a bank of this scenario"),
        }
    }
    let shares = &raw.adoption.shares;
    let mut target = vec![0.0; families.len()];
    for (name, &s) in shares {
        let at = format!("adoption.shares.{name}");
        let s = c.num("adoption.shares.*", &at, Some(s));
        match families.iter().position(|f| &f.name == name) {
            Some(i) => target[i] = s,
            None => c.problem(
                at,
                format!("{name:?}"),
                "a family named in [[models.families]]",
            ),
        }
    }
    let open: Vec<usize> = (0..banks.len()).filter(|&i| !banks[i].family_set).collect();
    if open.is_empty() {
        return;
    }
    if shares.is_empty() {
        if families.len() > 1 {
            c.problem(
                "adoption.shares",
                "(missing)",
                format!(
                    "{} bank(s) (first: {:?}) have no family: give them one, or set [adoption] shares",
                    open.len(),
                    banks[open[0]].bank.id
                ),
            );
        }
        return;
    }
    let sum: f64 = target.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        c.problem("adoption.shares", fmt_num(sum), "shares must sum to 1");
        return;
    }
    let mut order = open;
    order.sort_by(|&a, &b| {
        banks[b]
            .bank
            .assets()
            .total_cmp(&banks[a].bank.assets())
            .then(a.cmp(&b))
    });
    let total: f64 = order.iter().map(|&i| banks[i].bank.assets()).sum();
    let mut have = vec![0.0; families.len()];
    for i in order {
        let mut best = 0;
        let mut gap = f64::NEG_INFINITY;
        for (f, (&t, &h)) in target.iter().zip(&have).enumerate() {
            if t <= 0.0 {
                continue;
            }
            let g = t * total - h;
            if g > gap {
                gap = g;
                best = f;
            }
        }
        banks[i].bank.family = best;
        banks[i].family_set = true;
        have[best] += banks[i].bank.assets();
    }
}
