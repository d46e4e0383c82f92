//! One quarter of a log held in memory, and its measures (MODEL.md §10) once it is complete.
//!
//! The state of a quarter is one 32-byte [`Decision`] per row, one [`Applicant`] and one
//! interned name per applicant, and counters per bank and region: it grows with the quarter's
//! rows and applicants, never with the log. It is dropped when the measures are computed.

use std::collections::HashMap;

use rand_distr::{Binomial, Distribution};
use serde::{Deserialize, Serialize};
use sim::model::herding;
use sim::rng::{Key, name_key};

use crate::error::{Error, Place, Result};

/// Marks an applicant without a region.
pub(crate) const NO_REGION: u32 = u32::MAX;
/// Creditworthiness not given.
pub(crate) const CW_UNKNOWN: u8 = 2;
/// Marks a bank whose model family the quarter's rows do not give.
pub(crate) const NO_FAMILY: u32 = u32::MAX;

/// A bank's model family in a quarter, and the row that first gave it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BankFamily {
    pub family: u32,
    pub row: u64,
    pub line: u64,
}

impl BankFamily {
    pub const UNKNOWN: BankFamily = BankFamily {
        family: NO_FAMILY,
        row: 0,
        line: 0,
    };
}

/// One row: a bank's decision on an applicant.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decision {
    pub app: u32,
    pub bank: u32,
    pub approved: bool,
    pub row: u64,
    /// CSV line, 0 for Parquet.
    pub line: u64,
}

/// What the quarter knows of an applicant.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Applicant {
    pub region: u32,
    pub creditworthy: u8,
    pub row: u64,
    pub line: u64,
}

pub(crate) fn place(row: u64, line: u64) -> Place {
    Place {
        row,
        line: std::num::NonZeroU64::new(line),
    }
}

/// The rows of one quarter.
#[derive(Debug)]
pub(crate) struct Quarter {
    pub quarter: u32,
    pub first: Place,
    pub names: HashMap<Box<str>, u32>,
    pub name_bytes: usize,
    pub apps: Vec<Applicant>,
    pub decisions: Vec<Decision>,
    /// Each bank's model family this quarter, by bank id (shorter when the last banks have none).
    pub bank_family: Vec<BankFamily>,
}

impl Quarter {
    pub fn new(quarter: u32, first: Place) -> Self {
        Quarter {
            quarter,
            first,
            names: HashMap::new(),
            name_bytes: 0,
            apps: Vec::new(),
            decisions: Vec::new(),
            bank_family: Vec::new(),
        }
    }

    /// Bytes held: the vectors' and the name table's capacity and the names themselves.
    pub fn state_bytes(&self) -> usize {
        self.decisions.capacity() * size_of::<Decision>()
            + self.apps.capacity() * size_of::<Applicant>()
            + self.bank_family.capacity() * size_of::<BankFamily>()
            + self.names.capacity() * (size_of::<(Box<str>, u32)>() + 1)
            + self.name_bytes
    }

    pub fn applicant_name(&self, id: u32) -> String {
        self.names
            .iter()
            .find(|(_, v)| **v == id)
            .map_or_else(String::new, |(k, _)| k.to_string())
    }
}

/// The measures of MODEL.md §10 for one quarter, of the whole log or of one region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuarterMeasures {
    /// Quarter.
    pub quarter: u32,
    /// Region; `None` for the whole log.
    pub region: Option<String>,
    /// Decisions (rows).
    pub rows: u64,
    /// Distinct applicants.
    pub applicants: u64,
    /// Banks with decisions.
    pub banks: u64,
    /// Share of decisions that approve.
    pub approval_rate: f64,
    /// Applicants the measures use: the creditworthy ones when `creditworthy` is known, else all.
    pub measured_applicants: u64,
    /// Measured applicants who asked two banks or more.
    pub multi_bank_applicants: u64,
    /// Share of the multi-bank applicants rejected by every bank they asked.
    pub systemic_rejection: Option<f64>,
    /// Its independence baseline: mean over them of the product of the asked banks' rejection
    /// rates this quarter.
    pub systemic_rejection_baseline: Option<f64>,
    /// `systemic_rejection / systemic_rejection_baseline`.
    pub systemic_rejection_ratio: Option<f64>,
    /// Lower end of the bootstrap interval of the ratio.
    pub ratio_ci_low: Option<f64>,
    /// Upper end of the bootstrap interval of the ratio.
    pub ratio_ci_high: Option<f64>,
    /// Mean pairwise correlation of decisions on shared applicants, weighted by the number shared.
    pub decision_agreement: Option<f64>,
    /// Bank pairs in it.
    pub agreement_pairs: u64,
    /// Shared applicants summed over those pairs.
    pub agreement_shared: u64,
    /// Decision agreement over the pairs of banks of one model family (both families given in
    /// the log and equal), weighted by the number shared.
    pub same_family_agreement: Option<f64>,
    /// Decision agreement over the pairs of banks of different model families.
    pub cross_family_agreement: Option<f64>,
    /// Share of the shared applicants (over the pairs whose families are both given) that
    /// same-family pairs hold.
    pub same_family_share: Option<f64>,
    /// Shared-model excess: the decision agreement that sharing a model family adds, beyond what
    /// banks of different families show on the same applicants, as a share of all the agreement
    /// weight: `same_family_share × (same_family_agreement − reference)`, where the reference is
    /// this group's cross-family agreement, or the whole log's in the quarter when the group has
    /// no cross-family pair. 0 when no pair shares a family; `None` without families in the log
    /// or without any cross-family pair to compare with.
    pub shared_model_excess: Option<f64>,
    /// LSV herding measure on the direction of each bank's approval-rate change since the previous
    /// quarter of the log, regions as markets (whole log only).
    pub lsv: Option<f64>,
    /// Markets in the LSV mean.
    pub lsv_markets: u64,
    /// Whether the alarm's measure is above its threshold (`None`: undefined, or no alarm rule).
    pub over_threshold: Option<bool>,
    /// Whether an alarm is raised in this quarter.
    pub alarm: bool,
}

/// Settings of the measures (units and defaults on each field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Fewest shared applicants for a bank pair to enter decision agreement. Default 30.
    pub min_shared: u64,
    /// Bootstrap resamples of the systemic-rejection ratio; 0 turns the interval off. Default 999.
    pub resamples: u32,
    /// Confidence of the bootstrap interval, in (0, 1). Default 0.95.
    pub confidence: f64,
    /// Seed of the bootstrap draws (keyed by quarter and region). Default 0.
    pub seed: u64,
    /// Fewest banks moving in a region for it to count as an LSV market. Default 2 (the engine's).
    pub lsv_min_traders: u64,
    /// The alarm rule; `None` computes no alarms.
    pub alarm: Option<crate::alarm::AlarmRule>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_shared: 30,
            resamples: 999,
            confidence: 0.95,
            seed: 0,
            lsv_min_traders: 2,
            alarm: Some(crate::alarm::AlarmRule::default()),
        }
    }
}

impl Settings {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<()> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::Setting {
                name: "confidence",
                value: self.confidence.to_string(),
                allowed: "strictly between 0 and 1",
            });
        }
        if self.min_shared < 2 {
            return Err(Error::Setting {
                name: "min_shared",
                value: self.min_shared.to_string(),
                allowed: "2 or more applicants",
            });
        }
        if let Some(a) = &self.alarm {
            a.validate()?;
        }
        Ok(())
    }
}

/// Per bank and region slot: applications and approvals, all and creditworthy.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counts {
    pub apps: u32,
    pub approved: u32,
    pub cw_apps: u32,
    pub cw_approved: u32,
}

/// Context a quarter is measured in.
pub(crate) struct Context<'a> {
    pub path: &'a std::path::Path,
    pub settings: &'a Settings,
    pub bank_names: &'a [Box<str>],
    pub region_names: &'a [Box<str>],
    pub has_creditworthy: bool,
    /// Approval counts per bank and region slot of the previous quarter, `(banks, slots, counts)`.
    pub previous: Option<&'a (usize, usize, Vec<Counts>)>,
}

/// Accumulates one group (the whole log or a region).
#[derive(Default)]
struct Group {
    rows: u64,
    approved: u64,
    applicants: u64,
    banks: Vec<bool>,
    measured: u64,
    multi: u64,
    all_rejected: u64,
    baseline_sum: f64,
    atoms: HashMap<(u64, bool), u64>,
    pairs: HashMap<(u32, u32), [u64; 4]>,
}

/// A measured quarter: the whole log's measures, each region's, and the counts LSV needs next.
pub(crate) struct Measured {
    pub overall: QuarterMeasures,
    pub regions: Vec<QuarterMeasures>,
    pub counts: (usize, usize, Vec<Counts>),
}

/// Measures a complete quarter. Sorts its decisions by (applicant, bank) and refuses duplicates
/// and single-bank quarters.
pub(crate) fn measure(mut q: Quarter, cx: &Context<'_>) -> Result<Measured> {
    let nb = cx.bank_names.len();
    let nr = cx.region_names.len();
    let slots = nr + 1; // the last slot: no region
    q.decisions.sort_unstable_by_key(|d| (d.app, d.bank, d.row));
    for w in q.decisions.windows(2) {
        if w[0].app == w[1].app && w[0].bank == w[1].bank {
            return Err(Error::Duplicate {
                path: cx.path.to_path_buf(),
                place: place(w[1].row, w[1].line),
                first: place(w[0].row, w[0].line),
                quarter: q.quarter,
                bank: cx.bank_names[w[0].bank as usize].to_string(),
                applicant: q.applicant_name(w[0].app),
            });
        }
    }
    let slot = |a: &Applicant| {
        if a.region == NO_REGION {
            nr
        } else {
            a.region as usize
        }
    };
    let mut counts = vec![Counts::default(); nb * slots];
    for d in &q.decisions {
        let a = &q.apps[d.app as usize];
        let c = &mut counts[d.bank as usize * slots + slot(a)];
        c.apps += 1;
        c.approved += u32::from(d.approved);
        if a.creditworthy == 1 {
            c.cw_apps += 1;
            c.cw_approved += u32::from(d.approved);
        }
    }
    let banks_active: Vec<u32> = (0..nb as u32)
        .filter(|&b| (0..slots).any(|s| counts[b as usize * slots + s].apps > 0))
        .collect();
    if banks_active.len() < 2 {
        let bank = banks_active
            .first()
            .map_or_else(String::new, |&b| cx.bank_names[b as usize].to_string());
        return Err(Error::OneBank {
            path: cx.path.to_path_buf(),
            quarter: q.quarter,
            first: q.first,
            bank,
        });
    }
    // Rejection rates per bank: over the whole quarter (group 0) and per region (group 1 + r),
    // among creditworthy applicants when the log says which they are.
    let rate = |b: usize, group: Option<usize>| -> f64 {
        let (mut n, mut a) = (0u64, 0u64);
        let range = match group {
            None => 0..slots,
            Some(s) => s..s + 1,
        };
        for s in range {
            let c = &counts[b * slots + s];
            if cx.has_creditworthy {
                n += u64::from(c.cw_apps);
                a += u64::from(c.cw_approved);
            } else {
                n += u64::from(c.apps);
                a += u64::from(c.approved);
            }
        }
        if n == 0 {
            0.0
        } else {
            1.0 - a as f64 / n as f64
        }
    };
    let overall_rates: Vec<f64> = (0..nb).map(|b| rate(b, None)).collect();
    let region_rates: Vec<Vec<f64>> = (0..nr)
        .map(|r| (0..nb).map(|b| rate(b, Some(r))).collect())
        .collect();

    let mut groups: Vec<Group> = (0..=nr)
        .map(|_| Group {
            banks: vec![false; nb],
            ..Group::default()
        })
        .collect();
    let mut start = 0;
    while start < q.decisions.len() {
        let app_id = q.decisions[start].app;
        let mut end = start + 1;
        while end < q.decisions.len() && q.decisions[end].app == app_id {
            end += 1;
        }
        let asked = &q.decisions[start..end];
        let a = q.apps[app_id as usize];
        let measured = !cx.has_creditworthy || a.creditworthy == 1;
        let (g0, rest) = groups.split_at_mut(1);
        let mut targets: [(Option<&mut Group>, &[f64]); 2] =
            [(Some(&mut g0[0]), &overall_rates), (None, &[])];
        if a.region != NO_REGION {
            targets[1] = (
                Some(&mut rest[a.region as usize]),
                &region_rates[a.region as usize],
            );
        }
        for (g, rates) in targets {
            let Some(g) = g else { continue };
            g.applicants += 1;
            g.rows += asked.len() as u64;
            for d in asked {
                g.approved += u64::from(d.approved);
                g.banks[d.bank as usize] = true;
            }
            if !measured {
                continue;
            }
            g.measured += 1;
            if asked.len() >= 2 {
                g.multi += 1;
                let all_rejected = asked.iter().all(|d| !d.approved);
                g.all_rejected += u64::from(all_rejected);
                let p: f64 = asked.iter().map(|d| rates[d.bank as usize]).product();
                g.baseline_sum += p;
                *g.atoms.entry((p.to_bits(), all_rejected)).or_insert(0) += 1;
                for (i, x) in asked.iter().enumerate() {
                    for y in &asked[i + 1..] {
                        let c = g.pairs.entry((x.bank, y.bank)).or_insert([0; 4]);
                        c[0] += 1;
                        c[1] += u64::from(x.approved);
                        c[2] += u64::from(y.approved);
                        c[3] += u64::from(x.approved && y.approved);
                    }
                }
            }
        }
        start = end;
    }

    let lsv = previous_lsv(&counts, nb, slots, cx);
    let family = |b: u32| {
        q.bank_family
            .get(b as usize)
            .map_or(NO_FAMILY, |f| f.family)
    };
    let mut splits = Vec::with_capacity(groups.len());
    let mut out: Vec<QuarterMeasures> = groups
        .into_iter()
        .enumerate()
        .map(|(k, g)| {
            let region = (k > 0).then(|| cx.region_names[k - 1].to_string());
            let (m, split) = finish(g, q.quarter, region, cx, &family);
            splits.push(split);
            m
        })
        .collect();
    // The whole log's cross-family agreement is the reference of a region without its own.
    let whole_cross = splits[0].cross.mean();
    for (m, split) in out.iter_mut().zip(&splits) {
        (m.same_family_share, m.shared_model_excess) = split.excess(whole_cross);
    }
    // `groups` holds the whole log's group and one per region, so `out` is never empty.
    let mut overall = out.remove(0);
    (overall.lsv, overall.lsv_markets) = lsv;
    out.retain(|m| m.rows > 0);
    Ok(Measured {
        overall,
        regions: out,
        counts: (nb, slots, counts),
    })
}

/// LSV of this quarter against the previous one: per region slot, the banks whose approval rate
/// rose, and those whose rate moved at all.
fn previous_lsv(
    counts: &[Counts],
    nb: usize,
    slots: usize,
    cx: &Context<'_>,
) -> (Option<f64>, u64) {
    let Some((pnb, pslots, prev)) = cx.previous else {
        return (None, 0);
    };
    let nr_prev = pslots - 1;
    let mut markets = Vec::with_capacity(slots);
    for s in 0..slots {
        // The no-region slot is the last one in both quarters; a region new this quarter has no
        // previous rates.
        let ps = if s == slots - 1 {
            Some(nr_prev)
        } else if s < nr_prev {
            Some(s)
        } else {
            None
        };
        let (mut up, mut moved) = (0usize, 0usize);
        for b in 0..nb {
            let now = &counts[b * slots + s];
            let before = match ps {
                Some(ps) if b < *pnb => &prev[b * pslots + ps],
                _ => continue,
            };
            if now.apps == 0 || before.apps == 0 {
                continue;
            }
            let (rn, rb) = (
                f64::from(now.approved) / f64::from(now.apps),
                f64::from(before.approved) / f64::from(before.apps),
            );
            if rn == rb {
                continue;
            }
            moved += 1;
            up += usize::from(rn > rb);
        }
        if moved > 0 {
            markets.push((up, moved));
        }
    }
    let (h, n) = herding::lsv(&markets, cx.settings.lsv_min_traders as usize);
    if n == 0 {
        (None, 0)
    } else {
        (Some(h), n as u64)
    }
}

/// A weighted sum of pair correlations and its weight.
#[derive(Clone, Copy, Debug, Default)]
struct Weighted {
    sum: f64,
    weight: u64,
}

impl Weighted {
    fn add(&mut self, r: f64, w: u64) {
        self.sum += w as f64 * r;
        self.weight += w;
    }

    fn mean(&self) -> Option<f64> {
        (self.weight > 0).then(|| self.sum / self.weight as f64)
    }
}

/// A group's decision agreement split by whether the pair's banks share a model family.
#[derive(Clone, Copy, Debug, Default)]
struct FamilySplit {
    same: Weighted,
    cross: Weighted,
}

impl FamilySplit {
    /// `(same_family_share, shared_model_excess)`; the reference is the group's own
    /// cross-family agreement, else `fallback`.
    fn excess(&self, fallback: Option<f64>) -> (Option<f64>, Option<f64>) {
        let known = self.same.weight + self.cross.weight;
        if known == 0 {
            return (None, None);
        }
        let share = self.same.weight as f64 / known as f64;
        let excess = match (self.same.mean(), self.cross.mean().or(fallback)) {
            (None, Some(_)) => Some(0.0),
            (Some(same), Some(reference)) => Some(share * (same - reference)),
            (_, None) => None,
        };
        (Some(share), excess)
    }
}

fn finish(
    g: Group,
    quarter: u32,
    region: Option<String>,
    cx: &Context<'_>,
    family: &impl Fn(u32) -> u32,
) -> (QuarterMeasures, FamilySplit) {
    let banks = g.banks.iter().filter(|&&b| b).count() as u64;
    let defined = g.multi > 0 && banks >= 2;
    let share = defined.then(|| g.all_rejected as f64 / g.multi as f64);
    let baseline = defined.then(|| g.baseline_sum / g.multi as f64);
    let ratio = (defined && g.baseline_sum > 0.0).then(|| g.all_rejected as f64 / g.baseline_sum);
    let (lo, hi) = match ratio {
        Some(_) => bootstrap(&g.atoms, g.multi, quarter, region.as_deref(), cx.settings),
        None => (None, None),
    };
    // Decision agreement: pairs in bank order, each with enough shared applicants and varying
    // decisions, weighted by the number shared.
    let mut pairs: Vec<(&(u32, u32), &[u64; 4])> = g.pairs.iter().collect();
    pairs.sort_unstable_by_key(|(k, _)| **k);
    let (mut all, mut used) = (Weighted::default(), 0u64);
    let mut split = FamilySplit::default();
    for (&(x, y), c) in pairs {
        if c[0] < cx.settings.min_shared {
            continue;
        }
        if let Some(r) = herding::binary_correlation(c[0], c[1], c[2], c[3]) {
            all.add(r, c[0]);
            used += 1;
            let (fx, fy) = (family(x), family(y));
            if fx != NO_FAMILY && fy != NO_FAMILY {
                if fx == fy {
                    split.same.add(r, c[0]);
                } else {
                    split.cross.add(r, c[0]);
                }
            }
        }
    }
    let m = QuarterMeasures {
        quarter,
        region,
        rows: g.rows,
        applicants: g.applicants,
        banks,
        approval_rate: if g.rows > 0 {
            g.approved as f64 / g.rows as f64
        } else {
            0.0
        },
        measured_applicants: g.measured,
        multi_bank_applicants: g.multi,
        systemic_rejection: share,
        systemic_rejection_baseline: baseline,
        systemic_rejection_ratio: ratio,
        ratio_ci_low: lo,
        ratio_ci_high: hi,
        decision_agreement: all.mean(),
        agreement_pairs: used,
        agreement_shared: all.weight,
        same_family_agreement: split.same.mean(),
        cross_family_agreement: split.cross.mean(),
        same_family_share: None,
        shared_model_excess: None,
        lsv: None,
        lsv_markets: 0,
        over_threshold: None,
        alarm: false,
    };
    (m, split)
}

/// Percentile bootstrap interval of the ratio `sum(all rejected) / sum(baseline)` over the
/// multi-bank applicants, resampled with replacement, the banks' rates held at their estimates.
///
/// Applicants with the same baseline product and outcome are interchangeable, so the resample is
/// drawn as multinomial counts over those atoms (sequential binomials, atoms in key order): the
/// same distribution as resampling applicants one by one, at a cost that does not grow with them.
/// The draws are keyed by seed, quarter and region.
fn bootstrap(
    atoms: &HashMap<(u64, bool), u64>,
    n: u64,
    quarter: u32,
    region: Option<&str>,
    s: &Settings,
) -> (Option<f64>, Option<f64>) {
    if s.resamples == 0 || n == 0 {
        return (None, None);
    }
    let mut atoms: Vec<(u64, bool, u64)> = atoms.iter().map(|(k, &c)| (k.0, k.1, c)).collect();
    atoms.sort_unstable();
    let mut rng = Key::new(s.seed)
        .entity(name_key("herdlab-monitor systemic-rejection bootstrap"))
        .quarter(quarter)
        .entity(name_key(region.unwrap_or("")))
        .stream();
    let mut ratios = Vec::with_capacity(s.resamples as usize);
    for _ in 0..s.resamples {
        let (mut left, mut weight_left) = (n, n);
        let (mut num, mut den) = (0.0, 0.0);
        for &(p_bits, rejected, c) in &atoms {
            if left == 0 {
                break;
            }
            let k = if c == weight_left {
                left
            } else {
                Binomial::new(left, c as f64 / weight_left as f64).map_or(0, |b| b.sample(&mut rng))
            };
            left -= k;
            weight_left -= c;
            num += if rejected { k as f64 } else { 0.0 };
            den += k as f64 * f64::from_bits(p_bits);
        }
        if den > 0.0 {
            ratios.push(num / den);
        }
    }
    if ratios.is_empty() {
        return (None, None);
    }
    let tail = (1.0 - s.confidence) / 2.0;
    let q = sim::stats::quantiles(&ratios, &[tail, 1.0 - tail]);
    (Some(q[0]), Some(q[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Atoms of a sample: 20 000 applicants over three baseline values, with rejection-by-all
    /// shares 3 times the baseline.
    fn atoms() -> (Atoms, u64) {
        let mut a = Atoms::default();
        let mut n = 0;
        for (p, count) in [(0.04f64, 8000u64), (0.09, 7000), (0.16, 5000)] {
            let rejected = (count as f64 * 3.0 * p).round() as u64;
            a.insert((p.to_bits(), true), rejected);
            a.insert((p.to_bits(), false), count - rejected);
            n += count;
        }
        (a, n)
    }

    type Atoms = HashMap<(u64, bool), u64>;

    #[test]
    fn the_bootstrap_interval_matches_the_delta_method_and_is_keyed() {
        let (a, n) = atoms();
        let s = Settings::default();
        let (lo, hi) = bootstrap(&a, n, 3, None, &s);
        let (lo, hi) = (lo.unwrap_or(f64::NAN), hi.unwrap_or(f64::NAN));
        // Delta method: R = Σx / Σp, Var(R) ≈ Var(x − R p) / (n p̄²).
        let (mut sx, mut sp) = (0.0, 0.0);
        for (&(p, x), &c) in &a {
            sx += c as f64 * f64::from(u8::from(x));
            sp += c as f64 * f64::from_bits(p);
        }
        let r = sx / sp;
        let pbar = sp / n as f64;
        let var: f64 = a
            .iter()
            .map(|(&(p, x), &c)| {
                let d = f64::from(u8::from(x)) - r * f64::from_bits(p);
                c as f64 * d * d
            })
            .sum::<f64>()
            / n as f64;
        let sd = (var / n as f64).sqrt() / pbar;
        // The percentile interval's half-width against 1.96 sd: with 999 resamples the 2.5% and
        // 97.5% quantiles are each within about 5% of their limit (one standard error of a tail
        // quantile), so 15% is three of them.
        let half = (hi - lo) / 2.0;
        assert!(
            (half / (1.96 * sd) - 1.0).abs() < 0.15,
            "half {half}, sd {sd}"
        );
        assert!(lo < r && r < hi, "{lo} {r} {hi}");
        // Keyed: the same address gives the same interval; another seed or quarter another.
        assert_eq!(bootstrap(&a, n, 3, None, &s), (Some(lo), Some(hi)));
        assert_ne!(bootstrap(&a, n, 4, None, &s), (Some(lo), Some(hi)));
        let other = Settings {
            seed: 1,
            ..Settings::default()
        };
        assert_ne!(bootstrap(&a, n, 3, None, &other), (Some(lo), Some(hi)));
        let off = Settings {
            resamples: 0,
            ..Settings::default()
        };
        assert_eq!(bootstrap(&a, n, 3, None, &off), (None, None));
    }
}
