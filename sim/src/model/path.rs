//! One Monte Carlo path: the quarter loop of MODEL.md §5 as a list of named phases, in the order of
//! events written out in `docs/model.md`.
//!
//! [`PathState`] holds everything that lives for the whole path (the firms, the banks, the network,
//! the probe, the records written so far); [`Quarter`] what one quarter has computed so far. A
//! quarter is [`PathState::quarter`]: one method per phase, called in order.

use super::applications::{ActiveBanks, FirmBlock, QuarterInputs};
use super::bank::BankState;
use super::contagion::{self as settle, ContagionState};
use super::draws::{DrawCounts, Tally};
use super::equations as eq;
use super::firms::{self, FACILITY, FIRM_BLOCK, Firms, NO_LENDER};
use super::moving::Motion;
use super::probe::{Probe, Scoring};
use super::summary::summarize_path;
use super::{Model, herding};
use crate::error::{Error, Result};
use crate::montecarlo::{Observer, Silent};
use crate::results::{
    BankOutcome, BankQuarter, FamilyQuarter, PathResult, QuarterRecord, RegionQuarter,
};
use crate::rng::{self, Key, Purpose};
use crate::scenario::{AlarmMeasure, Event, Scenario};

impl Model<'_> {
    /// Simulates path `path`. Deterministic: the result depends on the scenario and the path index
    /// alone. Fails only when a network drawn for this path cannot be built.
    pub fn simulate_path(&self, path: u64) -> Result<PathResult> {
        simulate(self, path, (), (), &Silent).map(|(r, ())| r)
    }

    /// [`Model::simulate_path`], also counting the keyed draws the path made.
    pub fn simulate_path_counted(&self, path: u64) -> Result<(PathResult, DrawCounts)> {
        simulate(self, path, DrawCounts::default(), (), &Silent)
    }

    /// [`Model::simulate_path`], asking `observer` before the path is set up, before each quarter
    /// and before each round of contagion inside a quarter whether to stop (then the path returns
    /// [`Error::Cancelled`]) and, when `log` is given, recording every credit
    /// decision of every bank in it (MODEL.md §10's decision log). The result is the same, bit
    /// for bit, as [`Model::simulate_path`]'s.
    pub fn simulate_path_with(
        &self,
        path: u64,
        observer: &dyn Observer,
        log: Option<&mut dyn DecisionLog>,
    ) -> Result<PathResult> {
        match log {
            Some(log) => simulate(self, path, (), log, observer),
            None => simulate(self, path, (), (), observer),
        }
        .map(|(r, ())| r)
    }
}

/// One credit decision of one bank on one firm's application (a row of MODEL.md §10's decision
/// log). A firm asks the banks of its order in turn until one funds it; the log also holds the
/// decisions of the banks after the funding one (each scores the firm exactly as it would if
/// asked; those decisions change nothing in the path), so that it is a log of parallel
/// applications, the form §10's measures assume. `position` and `funded` let a sequential log be
/// recovered: keep each firm's decisions up to the funded one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    /// Quarter, 1-based.
    pub quarter: u32,
    /// The bank (index into [`Scenario::banks`]).
    pub bank: u32,
    /// The firm (its index).
    pub firm: u32,
    /// The firm's region (index into [`Scenario::regions`]).
    pub region: u32,
    /// The bank's model family (index into the scenario's families).
    pub family: u32,
    /// Whether the bank approved (its model, then human review of a rejection where that is on;
    /// before capacity: an approval the bank could not fund is still an approval).
    pub approved: bool,
    /// The credit asked for, in money.
    pub amount: f64,
    /// Whether the firm was creditworthy (`PD_jt <= pd_cutoff`), known ex post.
    pub creditworthy: bool,
    /// The bank's place in the firm's application order, 1-based.
    pub position: u32,
    /// Whether this decision funded the firm (an approval from a bank with capacity left, the
    /// first in the order).
    pub funded: bool,
}

/// Where a path's credit decisions go (the engine's own decision log, MODEL.md §10).
pub trait DecisionLog {
    /// Records one decision; decisions come in the order they are made.
    fn record(&mut self, decision: &Decision);
}

impl DecisionLog for Vec<Decision> {
    fn record(&mut self, decision: &Decision) {
        self.push(*decision);
    }
}

/// The path's own view of a log: `()` for none (compiled away).
trait Log {
    /// Whether decisions are recorded at all (then the banks after a firm's funding one are
    /// scored too, for the log only).
    const ON: bool;
    fn record(&mut self, decision: &Decision);
}

impl Log for () {
    const ON: bool = false;
    #[inline(always)]
    fn record(&mut self, _: &Decision) {}
}

impl Log for &mut dyn DecisionLog {
    const ON: bool = true;
    #[inline]
    fn record(&mut self, decision: &Decision) {
        (**self).record(decision);
    }
}

/// The path: its start, its quarters in order (asking `observer` before each whether to stop),
/// its results.
fn simulate<T: Tally, L: Log>(
    model: &Model<'_>,
    path: u64,
    tally: T,
    log: L,
    observer: &dyn Observer,
) -> Result<(PathResult, T)> {
    if observer.should_stop() {
        return Err(Error::Cancelled);
    }
    let mut state = PathState::new(model, path, tally, log)?;
    let quarters = model.scenario.run.quarters;
    let stop = || observer.should_stop();
    for t in 1..=quarters {
        if stop() {
            return Err(Error::Cancelled);
        }
        state.quarter(t, &stop)?;
        observer.quarter_done(path, t, quarters);
    }
    Ok(state.finish())
}

/// Per-path keys of the draws made per bank, fixed before the quarter loop.
struct BankKeys {
    /// Fine-tuning errors `v_ij`.
    fine_tune: Vec<Key>,
    /// The independence baseline's model errors.
    independent: Vec<Key>,
}

/// Per-bank constants of the credit decisions on this path.
struct Lending {
    /// The weights of each bank's score.
    score_weights: Vec<eq::ScoreWeights>,
    /// Each bank's family's error scale `sigma_a(i)`.
    error_scale: Vec<f64>,
    /// Each bank's family now.
    family: Vec<usize>,
    /// Each bank's fine-tuning weight `w_i`.
    fine_tuning: Vec<f64>,
    /// Each bank's score shift this quarter (its family's regime-shift bias and bias incidents)
    /// and the scale of its family's incident noise (MODEL.md 4.1).
    shift: Vec<f64>,
    noise: Vec<f64>,
    /// Human review of rejections: (share re-scored, its error scale).
    review: Option<(f64, f64)>,
    /// The weights of the latent default variable.
    latent: eq::LatentWeights,
}

/// Buffers reused from quarter to quarter.
struct Scratch {
    block: FirmBlock,
    /// Per bank (and a sink for firms without a bank lender): the balance maturing this quarter.
    maturing: Vec<f64>,
    need_uniform: Vec<f64>,
    /// Each bank's threshold this quarter.
    theta: Vec<f64>,
    /// Applications and approvals this quarter, `bank * regions + region`.
    applications: Vec<u32>,
    approvals: Vec<u32>,
}

/// Everything one path carries from quarter to quarter.
struct PathState<'m, 's, T, L> {
    model: &'m Model<'s>,
    s: &'s Scenario,
    path: u64,
    root: Key,
    keys: BankKeys,
    lending: Lending,
    firms: Firms,
    banks: Vec<BankState>,
    contagion: ContagionState,
    probe: Probe,
    /// What moves of the models (MODEL.md 4.1).
    motion: Motion,
    /// The Ornstein–Uhlenbeck deviation `x_t` and the rate of the quarter before.
    ou: f64,
    rate_prev: f64,
    /// The quarter the herding alarm was raised in, if it has been.
    alarm_quarter: Option<u32>,
    /// Each bank's approval rate in each region last quarter (NaN where it had no applicant).
    approval_rate_prev: Option<Vec<f64>>,
    scratch: Scratch,
    draws: T,
    log: L,
    records: Vec<QuarterRecord>,
    region_records: Vec<RegionQuarter>,
    bank_quarters: Vec<BankQuarter>,
    family_records: Vec<FamilyQuarter>,
}

/// What one quarter has computed so far, read by the phases after the one that set it.
struct Quarter {
    t: u32,
    rec: QuarterRecord,
    reg: Vec<RegionQuarter>,
    /// `r_t` and `dr_t = r_t - r_0`.
    rate: f64,
    dr: f64,
    /// Whether the alarm's response is in force, and the capital buffer it releases.
    response: bool,
    release: f64,
    /// Every bank's equity and cumulative flows at the start of the quarter.
    equity_start: Vec<f64>,
    flows_start: Vec<super::bank::Channels>,
    /// Per region: the default index without the firm's quality, and the systematic part of the
    /// latent variable.
    region_index: Vec<f64>,
    systematic: Vec<f64>,
    /// Firms alive at the start of the quarter.
    alive_start: usize,
    /// Systemic rejection: creditworthy applicants counted, those rejected by every bank they
    /// asked, and the sum of their probabilities of that under independent models.
    sr_n: usize,
    sr_count: usize,
    sr_base: f64,
}

impl<'m, 's, T: Tally, L: Log> PathState<'m, 's, T, L> {
    /// The path at its start (before quarter 1): firms drawn, banks holding their first loans,
    /// the network in place, the probe scored.
    fn new(model: &'m Model<'s>, path: u64, mut draws: T, log: L) -> Result<Self> {
        let s = model.scenario;
        let root = Key::new(s.run.seed).path(path);
        let keys = BankKeys {
            fine_tune: bank_keys(model, root, Purpose::FineTuneError),
            independent: bank_keys(model, root, Purpose::IndependentError),
        };
        let firms = Firms::draw(model, root, &mut draws);

        // §5 banks at the start: the SME book is the simulated one.
        let mut banks: Vec<BankState> = s.banks.iter().map(BankState::new).collect();
        // §6 the interbank network: drawn once for the run, or for this path. Banks' interbank
        // assets and liabilities are the network's row and column sums.
        let exposures = model.network_of_path(path)?;
        if let Some(x) = &exposures {
            for (i, b) in banks.iter_mut().enumerate() {
                b.interbank_assets = x.row(i).sum();
                b.interbank_liabilities = x.column(i).sum();
            }
        }
        let contagion = ContagionState::new(s, exposures);
        for (j, &l) in firms.lender.iter().enumerate() {
            if let Some(b) = banks.get_mut(l as usize) {
                b.loans += firms.size[j];
            }
        }
        for (i, b) in banks.iter_mut().enumerate() {
            b.car_prev = b.car(risk_weights(s, i));
        }
        let probe = Probe::new(model);

        let lending = Lending {
            score_weights: s
                .banks
                .iter()
                .map(|b| {
                    eq::ScoreWeights::new(
                        s.models.families[b.family].error_scale,
                        b.params.fine_tuning,
                    )
                })
                .collect(),
            error_scale: s
                .banks
                .iter()
                .map(|b| s.models.families[b.family].error_scale)
                .collect(),
            family: s.banks.iter().map(|b| b.family).collect(),
            fine_tuning: s.banks.iter().map(|b| b.params.fine_tuning).collect(),
            shift: vec![0.0; s.banks.len()],
            noise: vec![0.0; s.banks.len()],
            review: s.policy.review.as_ref().map(|r| (r.share, r.error_scale)),
            latent: eq::LatentWeights::new(s.firms.rho_global, s.firms.rho_region),
        };
        let (nb, nr, quarters) = (s.banks.len(), s.regions.len(), s.run.quarters as usize);
        Ok(PathState {
            model,
            s,
            path,
            root,
            keys,
            lending,
            firms,
            banks,
            contagion,
            probe,
            motion: Motion::new(s),
            ou: 0.0,
            rate_prev: s.rates.initial,
            alarm_quarter: None,
            approval_rate_prev: None,
            scratch: Scratch {
                block: FirmBlock::new(),
                maturing: Vec::with_capacity(nb + 1),
                need_uniform: Vec::with_capacity(FIRM_BLOCK),
                theta: vec![0.0; nb],
                applications: vec![0; nb * nr],
                approvals: vec![0; nb * nr],
            },
            draws,
            log,
            records: Vec::with_capacity(quarters),
            region_records: Vec::with_capacity(quarters * nr),
            bank_quarters: Vec::with_capacity(if s.run.bank_detail { quarters * nb } else { 0 }),
            family_records: Vec::with_capacity(quarters * s.models.families.len()),
        })
    }

    /// Quarter `t`, phase by phase, in the order of MODEL.md §5. `stop` is asked between the
    /// rounds of contagion, the one phase whose length has no bound but `max_rounds`
    /// ([`Error::Cancelled`] when it says stop).
    fn quarter(&mut self, t: u32, stop: &dyn Fn() -> bool) -> Result<()> {
        let mut q = self.rates(t);
        self.policy_response(&mut q);
        self.failures_at_start(&mut q);
        self.quarter_start(&mut q);
        self.models_move(&q);
        self.income(&q);
        self.bond_revaluation(&mut q);
        self.credit_need(t);
        self.probe_sample(t);
        self.capacity_and_thresholds(&q);
        self.factors(&mut q);
        self.credit_and_defaults(&mut q);
        self.contagion(&mut q, stop)?;
        self.failures(&mut q);
        self.model_measures(&mut q);
        self.credit_measures(&mut q);
        self.herding(&mut q);
        self.alarm(&mut q);
        self.bank_detail(&q);
        self.close(q);
        Ok(())
    }

    /// §2 rates: `r_t = r_0 + shock_t + x_t`, with the Ornstein–Uhlenbeck step of `x_t`.
    fn rates(&mut self, t: u32) -> Quarter {
        let s = self.s;
        self.ou = eq::ou_step(
            self.ou,
            s.rates.kappa,
            s.rates.sigma,
            self.root.purpose(Purpose::RateNoise).quarter(t).normal(),
        );
        self.draws.normals(1);
        let rate = s.rates.initial + s.rates.shock.at(t) + self.ou;
        Quarter {
            t,
            rec: QuarterRecord {
                quarter: f64::from(t),
                rate,
                ..Default::default()
            },
            reg: vec![RegionQuarter::default(); s.regions.len()],
            rate,
            dr: rate - s.rates.initial,
            response: false,
            release: 0.0,
            equity_start: Vec::new(),
            flows_start: Vec::new(),
            region_index: Vec::new(),
            systematic: Vec::new(),
            alive_start: 0,
            sr_n: 0,
            sr_count: 0,
            sr_base: 0.0,
        }
    }

    /// §8 is the alarm's response in force this quarter (from `lag` quarters after the alarm)?
    fn policy_response(&self, q: &mut Quarter) {
        let alarm = self.s.policy.alarm.as_ref();
        q.response = match (alarm, self.alarm_quarter) {
            (Some(a), Some(q0)) => q.t >= q0 + a.lag,
            _ => false,
        };
        q.release = match alarm {
            Some(a) if q.response => a.buffer_release,
            _ => 0.0,
        };
    }

    /// §5.6 on the starting balance sheet: a bank that starts with `E_i < 0` has failed before it
    /// can earn or lend; it is reported as a failure of quarter 1.
    fn failures_at_start(&mut self, q: &mut Quarter) {
        if q.t != 1 {
            return;
        }
        for b in &mut self.banks {
            if b.active() && b.equity < 0.0 {
                b.failed = Some(1);
                q.rec.bank_failures += 1.0;
            }
        }
    }

    /// Every bank's equity and cumulative flows as the quarter starts (for DebtRank and the
    /// per-bank detail).
    fn quarter_start(&self, q: &mut Quarter) {
        q.equity_start = self.banks.iter().map(|b| b.equity).collect();
        if self.s.run.bank_detail {
            q.flows_start = self.banks.iter().map(|b| b.flows).collect();
        }
    }

    /// §4.1 the models move: families retrain, banks review their family (a bank that switches
    /// draws new fine-tuning errors, keyed by the bank and its switch count), incidents start
    /// and end, and every family's error scale and bias are set for the quarter's rate; each
    /// bank's score weights, shift and noise follow its family.
    fn models_move(&mut self, q: &Quarter) {
        let moved = self
            .motion
            .start_quarter(self.model, self.root, q.t, q.rate, &mut self.banks);
        self.draws.uniforms(self.motion.uniforms_drawn);
        for b in moved {
            self.keys.fine_tune[b] = self
                .root
                .purpose(Purpose::SwitchFineTune)
                .entity(self.model.bank_key[b])
                .entity(u64::from(self.motion.switches[b]));
        }
        let l = &mut self.lending;
        for (b, &m) in self.motion.bank_family.iter().enumerate() {
            let f = &self.motion.families[m];
            l.family[b] = m;
            l.error_scale[b] = f.error_scale;
            l.score_weights[b] = eq::ScoreWeights::new(f.error_scale, l.fine_tuning[b]);
            l.shift[b] = self.motion.shift(m);
            l.noise[b] = f.incident_noise;
        }
    }

    /// §5.1 income: `E_i += (spread_i L_i - deposit_beta_i (dr_t / 100) Dep_i) / 4`.
    fn income(&mut self, q: &Quarter) {
        for (b, bank) in self.banks.iter_mut().zip(&self.s.banks) {
            if !b.active() {
                continue;
            }
            let p = &bank.params;
            let deposits = (b.assets() - b.equity - b.interbank_liabilities).max(0.0);
            let income = eq::income(p.spread, b.loans, p.deposit_beta, q.dr, deposits);
            b.equity += income;
            b.flows.income += income;
        }
    }

    /// §5.2 bond revaluation: `E_i -= D_i B_i,fv (r_t - r_t-1) / 100`.
    fn bond_revaluation(&mut self, q: &mut Quarter) {
        for (b, bank) in self.banks.iter_mut().zip(&self.s.banks) {
            if !b.active() {
                continue;
            }
            let loss = eq::bond_loss(bank.params.duration, b.bonds_fv, q.rate, self.rate_prev);
            b.lose(loss, |c| &mut c.bonds);
            b.bonds_fv -= loss;
            b.bonds -= loss;
            q.rec.loss_bonds += loss;
        }
    }

    /// §3 which firms need credit: a maturing loan (probability `nu`), or no loan at all (rationed
    /// last quarter, or never had one); and each bank's balance maturing.
    ///
    /// Without branches (whether a firm needs credit is as good as random): the uniforms of a block
    /// of firms first, then the flags; a firm that needs nothing adds +0.0 to its lender's maturing
    /// sum, which leaves the sum's bits as they are (it is never -0.0), and firms without a bank
    /// lender add to a sink after the banks.
    fn credit_need(&mut self, t: u32) {
        let nb = self.banks.len();
        let nu = self.s.firms.need_probability;
        let kneed = self.root.purpose(Purpose::CreditNeed).quarter(t);
        let Firms {
            size,
            lender,
            alive,
            need,
            ..
        } = &mut self.firms;
        let Scratch {
            maturing,
            need_uniform,
            ..
        } = &mut self.scratch;
        maturing.clear();
        maturing.resize(nb + 1, 0.0);
        for range in firms::blocks(alive.len()) {
            need_uniform.resize(range.len(), 0.0);
            rng::fill_uniforms(kneed, range.start as u64, need_uniform);
            for (&u, j) in need_uniform.iter().zip(range) {
                let has_lender = lender[j] != NO_LENDER;
                let needs = alive[j] & (!has_lender | (u < nu));
                need[j] = needs;
                self.draws.uniforms(u64::from(alive[j] & has_lender));
                maturing[(lender[j] as usize).min(nb)] += masked(size[j], needs);
            }
        }
        for (b, &m) in self.banks.iter_mut().zip(maturing.iter()) {
            b.maturing = m;
        }
    }

    /// §9 the probe sample of decision agreement: drawn afresh from the firms alive at the start
    /// of the quarter.
    fn probe_sample(&mut self, t: u32) {
        self.probe
            .draw_sample(&self.firms.alive, self.root, t, &mut self.draws);
    }

    /// §5.3 capacity `max(0, (E_i - car_min RWA_i) / (car_min rw_sme))`, with the maturing loans
    /// out of the book, and §4 thresholds `theta_it`.
    fn capacity_and_thresholds(&mut self, q: &Quarter) {
        let s = self.s;
        let car_min = s.banking.car_min - q.release;
        for (i, b) in self.banks.iter_mut().enumerate() {
            b.lent = 0.0;
            if !b.active() {
                b.capacity = 0.0;
                continue;
            }
            let p = &s.banks[i].params;
            let rw = risk_weights(s, i);
            let rwa = eq::rwa(
                rw,
                b.loans - b.maturing,
                b.bonds,
                b.interbank_assets,
                b.other,
            );
            b.capacity = eq::capacity(b.equity, car_min, rwa, rw[0]);
            let m = self.lending.family[i];
            b.theta = eq::threshold(
                p.threshold,
                s.models.families[m].rate_reaction,
                q.dr,
                s.banking.capital_pressure,
                (p.car_target - q.release).max(0.0),
                b.car_prev,
            );
            // §4.1 the family's learned offset (0 until it first retrains).
            let offset = self.motion.families[m].offset;
            if offset != 0.0 {
                b.theta += offset;
            }
        }
        for (th, b) in self.scratch.theta.iter_mut().zip(&self.banks) {
            *th = b.theta;
        }
    }

    /// §3 the common and regional factors `Z_t`, `W_r,t` (with any regional shock of the quarter),
    /// and the parts of the default index and latent variable shared by a region's firms.
    fn factors(&mut self, q: &mut Quarter) {
        let s = self.s;
        let t = q.t;
        let z = self.root.purpose(Purpose::CommonFactor).quarter(t).normal();
        let mut w_region: Vec<f64> = self
            .model
            .region_key
            .iter()
            .map(|&k| {
                self.root
                    .purpose(Purpose::RegionFactor)
                    .quarter(t)
                    .entity(k)
                    .normal()
            })
            .collect();
        self.draws.normals(1 + w_region.len() as u64);
        for e in &s.shocks {
            if let Event::Regional {
                quarter,
                region,
                size,
            } = e
                && *quarter == t
            {
                w_region[*region] += size;
            }
        }
        q.region_index = s
            .regions
            .iter()
            .map(|region| eq::region_index(region.pd_intercept, s.firms.lambda, q.dr))
            .collect();
        q.systematic = w_region
            .iter()
            .map(|&w| self.lending.latent.systematic(z, w))
            .collect();
    }

    /// §4 credit decisions and §5.4 defaults, firm by firm in index order; the keyed draws of a
    /// block of firms are made first ([`FirmBlock`]).
    fn credit_and_defaults(&mut self, q: &mut Quarter) {
        let (model, s, t) = (self.model, self.s, q.t);
        let fs = &s.firms;
        let alarm = s.policy.alarm.as_ref();
        let active_region: Vec<ActiveBanks> = model
            .region_banks
            .iter()
            .map(|l| ActiveBanks::new(l.iter().copied().filter(|&(b, _)| self.banks[b].active())))
            .collect();
        let kshock = self.root.purpose(Purpose::FirmShock).quarter(t);
        let korder = self.root.purpose(Purpose::ApplicationOrder).quarter(t);
        let knoise = self.root.purpose(Purpose::IncidentNoise).quarter(t);
        let kbaseline = self.root.purpose(Purpose::BaselineSample).quarter(t);
        let mut market = Market {
            s,
            banks: &mut self.banks,
            applications: &mut self.scratch.applications,
            approvals: &mut self.scratch.approvals,
            review: self.lending.review,
            bank_key: &model.bank_key,
            family: &self.lending.family,
            cutoff_index: model.cutoff_index,
            key_select: self.root.purpose(Purpose::ReviewSelect).quarter(t),
            key_error: self.root.purpose(Purpose::ReviewError).quarter(t),
            key_facility: self.root.purpose(Purpose::FacilityError),
            facility_left: match alarm {
                Some(a) if q.response => a.facility_budget,
                _ => 0.0,
            },
            facility_error: alarm.map_or(0.0, |a| a.facility_error_scale),
        };
        market.applications.fill(0);
        market.approvals.fill(0);
        let firms = &mut self.firms;
        let block = &mut self.scratch.block;
        for range in firms::blocks(firms.alive.len()) {
            block.prepare(
                &QuarterInputs {
                    alive: &firms.alive,
                    need: &firms.need,
                    quality: &firms.quality,
                    firm_region: &model.firm_region,
                    active_region: &active_region,
                    max_applications: s.banking.max_applications,
                    cutoff_index: model.cutoff_index,
                    region_index: &q.region_index,
                    beta: fs.beta,
                    theta: &self.scratch.theta,
                    error_scale: &self.lending.error_scale,
                    review: self.lending.review,
                    score_weights: &self.lending.score_weights,
                    family: &self.lending.family,
                    family_error: &firms.error,
                    key_shock: kshock,
                    key_order: korder,
                    key_fine_tune: &self.keys.fine_tune,
                    shifted: self.motion.shifted_scores,
                    shift: &self.lending.shift,
                    noise: &self.lending.noise,
                    key_noise: knoise,
                    family_key: &model.family_key,
                    baseline_share: model.baseline_share,
                    key_baseline: kbaseline,
                },
                range.clone(),
            );
            self.draws.uniforms(block.uniforms_drawn());
            if self.motion.shifted_scores {
                self.draws
                    .normals(block.incident_noise_draws(&self.lending.noise));
            }
            for j in range {
                if !firms.alive[j] {
                    continue;
                }
                q.alive_start += 1;
                let r = model.firm_region[j] as usize;
                let x = eq::pd_index_from(q.region_index[r], fs.beta, firms.quality[j]);
                let amount = firms.size[j];
                let old = firms.lender[j];
                let applicant = Applicant {
                    firm: j,
                    region: r,
                    quality: firms.quality[j],
                    amount,
                    creditworthy: x <= model.cutoff_index,
                };
                let (new, rationed) = if firms.need[j] {
                    match market.apply(q, block, &mut self.draws, &mut self.log, &applicant) {
                        Some(new) => (new, false),
                        None => (old, true),
                    }
                } else {
                    (old, false)
                };
                self.draws.normals(1);
                // A new loan (bank or facility) repays the maturing one.
                if !rationed && new != old {
                    if let Some(b) = market.banks.get_mut(old as usize) {
                        b.loans -= amount;
                    }
                    if let Some(b) = market.banks.get_mut(new as usize) {
                        b.loans += amount;
                    }
                    firms.lender[j] = new;
                }
                let threshold = if rationed {
                    eq::rationed_index(x, fs.liquidity_pd)
                } else {
                    x
                };
                let latent = self.lending.latent.latent(q.systematic[r], block.shock(j));
                if latent < threshold {
                    // §5.4: the lender of the loan at stake (new, or maturing and not rolled over)
                    // loses lgd x balance; the balance leaves its book.
                    firms.alive[j] = false;
                    q.rec.firm_defaults += 1.0;
                    if rationed {
                        q.rec.rationed_defaults += 1.0;
                        if latent >= x {
                            q.rec.rationing_caused_defaults += 1.0;
                        }
                    }
                    let loser = if rationed { old } else { new };
                    let loss = fs.lgd * amount;
                    if loser == FACILITY {
                        q.rec.facility_losses += loss;
                    } else if let Some(b) = market.banks.get_mut(loser as usize) {
                        b.loans -= amount;
                        b.defaulted += amount;
                        b.lose(loss, |c| &mut c.credit);
                        q.rec.loss_credit += loss;
                    }
                    firms.lender[j] = NO_LENDER;
                } else if rationed {
                    // Survives: repays the maturing loan from its own means, left without credit.
                    if let Some(b) = market.banks.get_mut(old as usize) {
                        b.loans -= amount;
                    }
                    firms.lender[j] = NO_LENDER;
                }
            }
        }
    }

    /// §5.5 contagion: shocks besides the rate path, DebtRank of the quarter's initial losses,
    /// then the contagion rounds (§6 interbank clearing, §7 fire sales) until nothing changes.
    fn contagion(&mut self, q: &mut Quarter, stop: &dyn Fn() -> bool) -> Result<()> {
        let (s, banks, state) = (self.s, &mut self.banks, &mut self.contagion);
        settle::apply_shocks(s, q.t, self.root, banks, state, &mut q.rec);
        settle::debtrank(state, &q.equity_start, banks, &mut q.rec)?;
        settle::contagion_rounds(s, banks, state, &mut q.rec, stop)?;
        q.rec.asset_price = state.prices.iter().copied().fold(1.0, f64::min);
        Ok(())
    }

    /// §5.6 failure — a bank fails when its losses exceed its capital, `E_i < 0` (one left at
    /// exactly zero survives, as in Gai and Kapadia 2010) — and the measures of the banking
    /// system at the end of the quarter: failed
    /// banks and their share of assets, the system CAR of the active banks.
    fn failures(&mut self, q: &mut Quarter) {
        let s = self.s;
        let nb = self.banks.len();
        let mut equity_active = 0.0;
        let mut rwa_active = 0.0;
        for (i, b) in self.banks.iter_mut().enumerate() {
            let rw = risk_weights(s, i);
            let rwa = b.rwa(rw);
            if b.active() && b.equity < 0.0 {
                b.failed = Some(q.t);
                q.rec.bank_failures += 1.0;
            }
            if b.active() {
                equity_active += b.equity;
                rwa_active += rwa;
            }
            b.car_prev = b.car(rw);
        }
        let failed: Vec<usize> = (0..nb).filter(|&i| !self.banks[i].active()).collect();
        let rec = &mut q.rec;
        rec.failed_banks = failed.len() as f64;
        rec.failed_bank_share = if nb > 0 {
            failed.len() as f64 / nb as f64
        } else {
            0.0
        };
        rec.failed_asset_share = if self.model.system_assets > 0.0 {
            total(failed.iter().map(|&i| self.model.bank_assets[i])) / self.model.system_assets
        } else {
            0.0
        };
        rec.system_car = if rwa_active > 0.0 {
            equity_active / rwa_active
        } else {
            0.0
        };
    }

    /// §4.1 the quarter's record of the moving models: the families' experience, shares of
    /// lending, effective number, switches, retrainings and incidents.
    fn model_measures(&mut self, q: &mut Quarter) {
        self.motion
            .end_quarter(&self.banks, &mut q.rec, &mut self.family_records);
    }

    /// §9 the quarter's credit measures as shares: the firm default rate and the credit gap over
    /// creditworthy demand.
    fn credit_measures(&self, q: &mut Quarter) {
        let rec = &mut q.rec;
        rec.firm_default_rate = if q.alive_start > 0 {
            rec.firm_defaults / q.alive_start as f64
        } else {
            0.0
        };
        rec.credit_gap_share = if rec.creditworthy_demand > 0.0 {
            rec.credit_gap / rec.creditworthy_demand
        } else {
            0.0
        };
    }

    /// §9 herding: decision agreement on the probe firms among the active banks, systemic
    /// rejection and its independence baseline, and LSV on the direction of each bank's change in
    /// approval rate, regions as markets.
    fn herding(&mut self, q: &mut Quarter) {
        let rec = &mut q.rec;
        let l = &self.lending;
        let scoring = Scoring {
            weights: &l.score_weights,
            error_scale: &l.error_scale,
            family: &l.family,
            fine_tune: &self.keys.fine_tune,
            independent: &self.keys.independent,
            shifted: self.motion.shifted_scores,
            shift: &l.shift,
            noise: &l.noise,
            key_noise: self.root.purpose(Purpose::IncidentNoise).quarter(q.t),
        };
        let agreement = self.probe.agreement(
            self.model,
            &self.firms,
            &self.banks,
            &scoring,
            &mut self.draws,
        );
        rec.decision_agreement = agreement.agreement;
        rec.decision_agreement_baseline = agreement.baseline;
        rec.decision_agreement_excess = agreement.agreement - agreement.baseline;

        if q.sr_n > 0 {
            rec.systemic_rejection = q.sr_count as f64 / q.sr_n as f64;
            rec.systemic_rejection_baseline = q.sr_base / q.sr_n as f64;
        }
        rec.systemic_rejection_ratio = if q.sr_base > 0.0 {
            q.sr_count as f64 / q.sr_base
        } else {
            1.0
        };

        let nr = self.s.regions.len();
        let Scratch {
            applications,
            approvals,
            ..
        } = &self.scratch;
        let rates_now: Vec<f64> = applications
            .iter()
            .zip(approvals)
            .map(|(&n, &a)| {
                if n > 0 {
                    f64::from(a) / f64::from(n)
                } else {
                    f64::NAN
                }
            })
            .collect();
        if let Some(prev) = &self.approval_rate_prev {
            let markets: Vec<(usize, usize)> = (0..nr)
                .map(|r| {
                    let (mut up, mut moved) = (0, 0);
                    for b in (0..self.banks.len()).filter(|&b| self.banks[b].active()) {
                        let (now, before) = (rates_now[b * nr + r], prev[b * nr + r]);
                        if now.is_nan() || before.is_nan() || now == before {
                            continue;
                        }
                        moved += 1;
                        if now > before {
                            up += 1;
                        }
                    }
                    (up, moved)
                })
                .collect();
            rec.lsv = herding::lsv(&markets, 2).0;
        }
        self.approval_rate_prev = Some(rates_now);
    }

    /// §8 herding alarm: raised the first quarter the watched measure exceeds its threshold.
    fn alarm(&mut self, q: &mut Quarter) {
        let rec = &mut q.rec;
        if let (Some(a), None) = (self.s.policy.alarm.as_ref(), self.alarm_quarter) {
            let value = match a.measure {
                AlarmMeasure::DecisionAgreementExcess => rec.decision_agreement_excess,
                AlarmMeasure::SystemicRejectionRatio => rec.systemic_rejection_ratio,
                AlarmMeasure::Lsv => rec.lsv,
            };
            if value > a.threshold {
                self.alarm_quarter = Some(q.t);
            }
        }
        rec.alarm = f64::from(u8::from(self.alarm_quarter.is_some()));
        rec.response = f64::from(u8::from(q.response));
    }

    /// Per-bank detail (`run.bank_detail`): every bank's equity and the quarter's income and
    /// losses by channel.
    fn bank_detail(&mut self, q: &Quarter) {
        if !self.s.run.bank_detail {
            return;
        }
        let nr = self.s.regions.len();
        let counts =
            |v: &[u32], i: usize| v[i * nr..(i + 1) * nr].iter().map(|&c| u64::from(c)).sum();
        for (i, (b, start)) in self.banks.iter().zip(&q.flows_start).enumerate() {
            let d = b.flows - *start;
            self.bank_quarters.push(BankQuarter {
                loans: b.loans,
                new_lending: b.lent,
                applications: counts(&self.scratch.applications, i),
                approvals: counts(&self.scratch.approvals, i),
                equity: b.equity,
                income: d.income,
                loss_credit: d.credit,
                loss_bonds: d.bonds,
                loss_interbank: d.interbank,
                loss_fire_sales: d.fire_sales,
                loss_shock: d.shock,
            });
        }
    }

    /// The quarter's records join the path's.
    fn close(&mut self, q: Quarter) {
        self.rate_prev = q.rate;
        self.records.push(q.rec);
        self.region_records.extend(q.reg);
    }

    /// The path's result: its records, its summary and every bank's outcome.
    fn finish(self) -> (PathResult, T) {
        let s = self.s;
        let summary = summarize_path(
            &self.records,
            s.firms.count,
            s.banks.len(),
            s.run.systemic_share,
            self.alarm_quarter,
        );
        let banks = self
            .banks
            .iter()
            .map(|b| BankOutcome {
                failed_quarter: b.failed,
                final_equity: b.equity,
                income: b.flows.income,
                loss_credit: b.flows.credit,
                loss_bonds: b.flows.bonds,
                loss_interbank: b.flows.interbank,
                loss_fire_sales: b.flows.fire_sales,
                loss_shock: b.flows.shock,
            })
            .collect();
        let result = PathResult {
            path: self.path,
            quarters: self.records,
            regions: self.region_records,
            summary,
            banks,
            bank_quarters: self.bank_quarters,
            families: self.family_records,
        };
        (result, self.draws)
    }
}

/// The credit market of one quarter: the banks' capacity and the counts of applications, what a
/// firm's application needs besides the firm.
struct Market<'a> {
    s: &'a Scenario,
    banks: &'a mut [BankState],
    applications: &'a mut [u32],
    approvals: &'a mut [u32],
    review: Option<(f64, f64)>,
    bank_key: &'a [u64],
    /// Each bank's model family now (MODEL.md 4.1).
    family: &'a [usize],
    cutoff_index: f64,
    key_select: Key,
    key_error: Key,
    key_facility: Key,
    /// What the emergency facility can still lend this quarter.
    facility_left: f64,
    facility_error: f64,
}

/// A firm that needs credit this quarter.
struct Applicant {
    firm: usize,
    region: usize,
    quality: f64,
    amount: f64,
    creditworthy: bool,
}

impl Market<'_> {
    /// §4 the applicant asks the banks of its order in turn and takes the first approval from a
    /// bank with capacity left (§8: a share of rejections re-scored by human review); failing
    /// that, the emergency facility (§8) lends to it if an independent model finds it
    /// creditworthy. Counts demand, supply, the credit gap (by cause) and systemic rejection.
    /// Returns the new lender (a bank or [`FACILITY`]), or `None` when the firm is rationed.
    #[inline(always)]
    fn apply<L: Log>(
        &mut self,
        q: &mut Quarter,
        block: &FirmBlock,
        draws: &mut impl Tally,
        log: &mut L,
        a: &Applicant,
    ) -> Option<u32> {
        let (j, r, amount) = (a.firm, a.region, a.amount);
        let e = j as u64;
        let nr = self.s.regions.len();
        q.rec.applicants += 1.0;
        q.rec.demand += amount;
        // +0.0 for other firms: the sums' bits stay (see `credit_need`).
        let worthy_amount = masked(amount, a.creditworthy);
        q.rec.creditworthy_demand += worthy_amount;
        q.reg[r].creditworthy_demand += worthy_amount;
        let (order, scores) = block.order(j);
        let mut funded: Option<usize> = None;
        let mut approved_without_capacity = false;
        let mut any_approval = false;
        for (slot, (&b, &sc)) in order.iter().zip(scores).enumerate() {
            let theta = self.banks[b].theta;
            draws.normals(1);
            let mut approve = sc >= theta;
            // §8 human review: a share h of rejections, re-scored independently.
            draws.uniforms(u64::from(!approve && self.review.is_some()));
            if !approve
                && let Some((h, se)) = self.review
                && self.key_select.entity(self.bank_key[b]).entity(e).uniform() < h
            {
                draws.normals(1);
                let bk = self.bank_key[b];
                approve = a.quality + se * self.key_error.entity(bk).entity(e).normal() >= theta;
            }
            self.applications[b * nr + r] += 1;
            log.record(&Decision {
                quarter: q.t,
                bank: b as u32,
                firm: j as u32,
                region: r as u32,
                family: self.family[b] as u32,
                approved: approve,
                amount,
                creditworthy: a.creditworthy,
                position: slot as u32 + 1,
                funded: approve && self.banks[b].capacity >= amount,
            });
            if approve {
                self.approvals[b * nr + r] += 1;
                any_approval = true;
                if self.banks[b].capacity >= amount {
                    self.banks[b].capacity -= amount;
                    self.banks[b].lent += amount;
                    funded = Some(b);
                    if L::ON {
                        self.log_rest(q.t, a, order, scores, slot + 1, log);
                    }
                    break;
                }
                approved_without_capacity = true;
            }
        }
        let counted = a.creditworthy & !order.is_empty();
        q.sr_n += usize::from(counted);
        q.sr_count += usize::from(counted & !any_approval);
        q.sr_base += masked(block.all_reject(j), counted);
        // The facility's draw is made only when it is asked and has the budget.
        draws.normals(u64::from(funded.is_none() && self.facility_left >= amount));
        let fs = &self.s.firms;
        if let Some(b) = funded {
            q.rec.supply += amount;
            q.reg[r].supply += amount;
            Some(b as u32)
        } else if self.facility_left >= amount
            && eq::pd_index(
                self.s.regions[r].pd_intercept,
                fs.lambda,
                q.dr,
                fs.beta,
                a.quality + self.facility_error * self.key_facility.entity(e).normal(),
            ) <= self.cutoff_index
        {
            self.facility_left -= amount;
            q.rec.facility_lending += amount;
            Some(FACILITY)
        } else {
            q.rec.rationed += 1.0;
            if a.creditworthy {
                q.rec.credit_gap += amount;
                q.reg[r].credit_gap += amount;
                if approved_without_capacity || order.is_empty() {
                    q.rec.gap_no_capacity += amount;
                } else {
                    q.rec.gap_rejected += amount;
                }
            }
            None
        }
    }
}

impl Market<'_> {
    /// The decision log only: the decisions of the banks of `order` from `from` on, after the
    /// bank that funded the firm, each made exactly as if the firm had asked (its score against its
    /// threshold, a rejection re-scored by human review with the same keyed draws). Nothing in the
    /// path changes.
    #[cold]
    fn log_rest(
        &self,
        t: u32,
        a: &Applicant,
        order: &[usize],
        scores: &[f64],
        from: usize,
        log: &mut impl Log,
    ) {
        let e = a.firm as u64;
        for (slot, (&b, &sc)) in order.iter().zip(scores).enumerate().skip(from) {
            let theta = self.banks[b].theta;
            let mut approve = sc >= theta;
            if !approve
                && let Some((h, se)) = self.review
                && self.key_select.entity(self.bank_key[b]).entity(e).uniform() < h
            {
                let bk = self.bank_key[b];
                approve = a.quality + se * self.key_error.entity(bk).entity(e).normal() >= theta;
            }
            log.record(&Decision {
                quarter: t,
                bank: b as u32,
                firm: a.firm as u32,
                region: a.region as u32,
                family: self.family[b] as u32,
                approved: approve,
                amount: a.amount,
                creditworthy: a.creditworthy,
                position: slot as u32 + 1,
                funded: false,
            });
        }
    }
}

/// Keys of one purpose for every bank on this path, by the bank's stable key.
fn bank_keys(model: &Model<'_>, root: Key, purpose: Purpose) -> Vec<Key> {
    model
        .bank_key
        .iter()
        .map(|&k| root.purpose(purpose).entity(k))
        .collect()
}

/// Bank `i`'s risk weights: SME, bonds, interbank, other.
fn risk_weights(s: &Scenario, i: usize) -> [f64; 4] {
    [
        s.banking.rw_sme,
        s.banking.rw_bonds,
        s.banking.rw_interbank,
        s.banks[i].params.rw_other,
    ]
}

/// `x` if `keep`, else `+0.0`, without a branch: for sums of non-negative numbers, which adding
/// `+0.0` leaves bit for bit as they are (such a sum is never `-0.0`; a NaN or infinite sum stays
/// the same NaN or infinity). The mask is passed through `black_box` because the compiler turns
/// a plain select or bit mask back into a branch (to skip the load of `x`) where whether to keep
/// is as good as random.
#[inline(always)]
fn masked(x: f64, keep: bool) -> f64 {
    let mask = std::hint::black_box(0u64.wrapping_sub(u64::from(keep)));
    f64::from_bits(x.to_bits() & mask)
}

/// The sum of `xs` from +0.0. `Iterator::sum` of `f64` starts from -0.0, so an empty sum would
/// write a negative zero into the outputs; for any non-empty sum the two agree bit for bit.
pub(crate) fn total(xs: impl Iterator<Item = f64>) -> f64 {
    xs.fold(0.0, |a, b| a + b)
}
