//! One Monte Carlo path: the quarter loop of MODEL.md §5, in the order of events written out in
//! `docs/model.md`.

use nalgebra::DMatrix;

use super::applications::{ActiveBanks, FirmBlock, QuarterInputs};
use super::contagion::{self as settle, ContagionState};
use super::equations as eq;
use super::{Model, herding, network};
use crate::error::{Error, Result};
use crate::normal;
use crate::results::{
    BankOutcome, BankQuarter, PathResult, PathSummary, QuarterRecord, RegionQuarter,
};
use crate::rng::{self, Key, Purpose};
use crate::scenario::{AlarmMeasure, Event};

/// `lender` value of a firm with no loan outstanding.
const NO_LENDER: u32 = u32::MAX;
/// `lender` value of a firm whose loan is held by the emergency facility.
const FACILITY: u32 = u32::MAX - 1;
/// Firms whose keyed draws are prepared together ([`FirmBlock`]).
const FIRM_BLOCK: usize = 256;

/// A bank's balance sheet and state on one path.
#[derive(Clone, Debug)]
pub(super) struct BankState {
    pub(super) equity: f64,
    pub(super) loans: f64,
    pub(super) bonds: f64,
    pub(super) bonds_fv: f64,
    pub(super) interbank_assets: f64,
    pub(super) interbank_liabilities: f64,
    pub(super) other: f64,
    pub(super) failed: Option<u32>,
    pub(super) car_prev: f64,
    pub(super) capacity: f64,
    pub(super) theta: f64,
    pub(super) maturing: f64,
    pub(super) loss_credit: f64,
    pub(super) loss_bonds: f64,
    pub(super) loss_interbank: f64,
    pub(super) loss_fire_sales: f64,
    pub(super) loss_shock: f64,
    pub(super) income: f64,
}

impl BankState {
    pub(super) fn assets(&self) -> f64 {
        self.loans + self.bonds + self.interbank_assets + self.other
    }
    fn rwa(&self, rw: [f64; 4]) -> f64 {
        eq::rwa(
            rw,
            self.loans,
            self.bonds,
            self.interbank_assets,
            self.other,
        )
    }
}

/// Per-path keys of the draws made per firm or bank, fixed before the quarter loop.
struct PathKeys {
    fine_tune: Vec<Key>,
    independent: Vec<Key>,
}

/// How many keyed draws a path made, by kind (for the throughput report's ceiling: the draws are
/// the irreducible work of a firm-quarter). Network generation and shocks are not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawCounts {
    /// Uniform draws ([`Key::uniform`]).
    pub uniforms: u64,
    /// Normal draws ([`Key::normal`]).
    pub normals: u64,
}

impl Model<'_> {
    /// Simulates path `path`. Deterministic: the result depends on the scenario and the path index
    /// alone. Fails only when a network drawn for this path cannot be built.
    pub fn simulate_path(&self, path: u64) -> Result<PathResult> {
        self.simulate_path_counted(path).map(|(r, _)| r)
    }

    /// [`Model::simulate_path`], also counting the keyed draws the path made.
    pub fn simulate_path_counted(&self, path: u64) -> Result<(PathResult, DrawCounts)> {
        let s = self.scenario;
        let fs = &s.firms;
        let nf = fs.count;
        let nb = s.banks.len();
        let nr = s.regions.len();
        let nm = s.models.families.len();
        let quarters = s.run.quarters;
        let root = Key::new(s.run.seed).path(path);
        let keys = PathKeys {
            fine_tune: self
                .bank_key
                .iter()
                .map(|&k| root.purpose(Purpose::FineTuneError).entity(k))
                .collect(),
            independent: self
                .bank_key
                .iter()
                .map(|&k| root.purpose(Purpose::IndependentError).entity(k))
                .collect(),
        };
        let rw_base = [s.banking.rw_sme, s.banking.rw_bonds, s.banking.rw_interbank];
        let rw_of = |b: usize| {
            [
                rw_base[0],
                rw_base[1],
                rw_base[2],
                s.banks[b].params.rw_other,
            ]
        };

        // ---- firms, drawn once per path (§3, §4)
        let kq = root.purpose(Purpose::FirmQuality);
        let ksize = root.purpose(Purpose::FirmSize);
        let kc = root.purpose(Purpose::CommonModelError);
        let kfam: Vec<Key> = self
            .family_key
            .iter()
            .map(|&k| root.purpose(Purpose::FamilyModelError).entity(k))
            .collect();
        let klend = root.purpose(Purpose::InitialLender);
        let mut q = Vec::with_capacity(nf);
        let mut size = Vec::with_capacity(nf);
        let mut err = vec![0.0; nm * nf];
        let mut lender = Vec::with_capacity(nf);
        let rho = s.models.similarity;
        let mut draws = DrawCounts {
            uniforms: 0,
            normals: (nf * (3 + nm)) as u64,
        };
        // The normal draws a block of firms at a time, for `inv_cdf_in_place`.
        let mut common = Vec::with_capacity(FIRM_BLOCK);
        for start in (0..nf).step_by(FIRM_BLOCK) {
            let range = start..(start + FIRM_BLOCK).min(nf);
            let normals = |key: Key, out: &mut [f64]| {
                rng::fill_uniforms(key, range.start as u64, out);
                normal::inv_cdf_in_place(out);
            };
            q.resize(range.end, 0.0);
            normals(kq, &mut q[range.clone()]);
            for (x, j) in q[range.clone()].iter_mut().zip(range.clone()) {
                *x += s.regions[self.firm_region[j] as usize].quality_mean;
            }
            size.resize(range.end, 0.0);
            normals(ksize, &mut size[range.clone()]);
            for x in &mut size[range.clone()] {
                *x = fs.weight * fs.size_median * (fs.size_sigma * *x).exp();
            }
            common.resize(range.len(), 0.0);
            normals(kc, &mut common);
            for (m, &k) in kfam.iter().enumerate() {
                let own = &mut err[m * nf + range.start..m * nf + range.end];
                normals(k, own);
                for (x, &c) in own.iter_mut().zip(&common) {
                    *x = eq::family_error(rho, c, *x);
                }
            }
        }
        for j in 0..nf {
            let e = j as u64;
            let r = self.firm_region[j] as usize;
            let banks = &self.region_banks[r];
            lender.push(if banks.is_empty() {
                NO_LENDER
            } else {
                draws.uniforms += 1;
                pick(banks, klend.entity(e).uniform()) as u32
            });
        }
        let mut alive = vec![true; nf];
        let mut need = vec![false; nf];

        // ---- banks at the start (§5): the SME book is the simulated one.
        let mut banks: Vec<BankState> = s
            .banks
            .iter()
            .map(|b| BankState {
                equity: b.equity,
                loans: 0.0,
                bonds: b.bonds,
                bonds_fv: b.bonds * b.params.bond_fv_share,
                interbank_assets: b.interbank_assets,
                interbank_liabilities: b.interbank_liabilities,
                other: b.other_assets,
                failed: None,
                car_prev: 0.0,
                capacity: 0.0,
                theta: 0.0,
                maturing: 0.0,
                loss_credit: 0.0,
                loss_bonds: 0.0,
                loss_interbank: 0.0,
                loss_fire_sales: 0.0,
                loss_shock: 0.0,
                income: 0.0,
            })
            .collect();
        // §6 the interbank network: drawn once for the run, or for this path. Banks' interbank
        // assets and liabilities are the network's row and column sums.
        let exposures: Option<DMatrix<f64>> = match &s.contagion.interbank {
            None => None,
            Some(ib) if ib.resample_per_path => Some(
                network::exposures(s, ib, root.purpose(Purpose::Network)).map_err(|e| {
                    Error::Contagion(format!(
                        "path {path}: cannot build the interbank network: {e}"
                    ))
                })?,
            ),
            Some(_) => self.exposures.clone(),
        };
        if let Some(x) = &exposures {
            for (i, b) in banks.iter_mut().enumerate() {
                b.interbank_assets = x.row(i).sum();
                b.interbank_liabilities = x.column(i).sum();
            }
        }
        let mut contagion = ContagionState::new(s, exposures);
        for (j, &l) in lender.iter().enumerate() {
            if let Some(b) = banks.get_mut(l as usize) {
                b.loans += size[j];
            }
        }
        for (i, b) in banks.iter_mut().enumerate() {
            let rwa = b.rwa(rw_of(i));
            b.car_prev = if rwa > 0.0 { b.equity / rwa } else { f64::MAX };
        }

        // ---- probe sample for decision agreement: the first `probe_firms` firms. Scores do not
        // change over a path (only thresholds do), so they are computed once.
        let np = s.run.probe_firms.min(nf);
        draws.normals += (2 * nb * np) as u64;
        let mut probe_score = vec![0.0; nb * np];
        let mut probe_indep = vec![0.0; nb * np];
        for b in 0..nb {
            let bank = &s.banks[b];
            let fam = &s.models.families[bank.family];
            for j in 0..np {
                let e = j as u64;
                probe_score[b * np + j] = eq::score(
                    q[j],
                    fam.error_scale,
                    bank.params.fine_tuning,
                    err[bank.family * nf + j],
                    keys.fine_tune[b].entity(e).normal(),
                );
                probe_indep[b * np + j] =
                    q[j] + fam.error_scale * keys.independent[b].entity(e).normal();
            }
        }

        let review = s.policy.review.as_ref().map(|r| (r.share, r.error_scale));
        let score_weights: Vec<eq::ScoreWeights> = s
            .banks
            .iter()
            .map(|b| {
                eq::ScoreWeights::new(
                    s.models.families[b.family].error_scale,
                    b.params.fine_tuning,
                )
            })
            .collect();
        let latent_weights = eq::LatentWeights::new(fs.rho_global, fs.rho_region);
        let alarm = s.policy.alarm.as_ref();
        let mut alarm_quarter: Option<u32> = None;
        let k_max = s.banking.max_applications;

        let mut records = Vec::with_capacity(quarters as usize);
        let mut bank_quarters = Vec::with_capacity(if s.run.bank_detail {
            quarters as usize * nb
        } else {
            0
        });
        let mut region_records = Vec::with_capacity(quarters as usize * nr);
        let mut apps = vec![0u32; nb * nr];
        let mut approvals = vec![0u32; nb * nr];
        let mut prev_rate: Option<Vec<f64>> = None;
        let mut x_ou = 0.0;
        let mut rate_prev = s.rates.initial;
        let mut block = FirmBlock::new();
        let mut maturing = Vec::with_capacity(nb + 1);
        let mut need_uniform = Vec::with_capacity(FIRM_BLOCK);
        let error_scale: Vec<f64> = s
            .banks
            .iter()
            .map(|b| s.models.families[b.family].error_scale)
            .collect();
        let mut theta = vec![0.0; nb];
        let bank_family: Vec<usize> = s.banks.iter().map(|b| b.family).collect();
        let mut decisions = Vec::with_capacity(nb * np);
        let mut decisions_ind = Vec::with_capacity(nb * np);

        for t in 1..=quarters {
            let mut rec = QuarterRecord {
                quarter: f64::from(t),
                ..Default::default()
            };
            let mut reg = vec![RegionQuarter::default(); nr];

            // §2 rates
            x_ou = eq::ou_step(
                x_ou,
                s.rates.kappa,
                s.rates.sigma,
                root.purpose(Purpose::RateNoise).quarter(t).normal(),
            );
            draws.normals += 2 + nr as u64;
            let rate = s.rates.initial + s.rates.shock.at(t) + x_ou;
            let dr = rate - s.rates.initial;
            rec.rate = rate;

            // §8 alarm response in force this quarter?
            let response = match (alarm, alarm_quarter) {
                (Some(a), Some(q0)) => t >= q0 + a.lag,
                _ => false,
            };
            let release = if response {
                alarm.map_or(0.0, |a| a.buffer_release)
            } else {
                0.0
            };
            let car_min = s.banking.car_min - release;

            // §5.6 on the starting balance sheet: a bank that starts with E_i <= 0 has failed
            // before it can earn or lend; it is reported as a failure of quarter 1.
            if t == 1 {
                for b in banks.iter_mut() {
                    if b.failed.is_none() && b.equity < 0.0 {
                        b.failed = Some(1);
                        rec.bank_failures += 1.0;
                    }
                }
            }

            // §5.1 income, §5.2 bond revaluation
            let equity_start: Vec<f64> = banks.iter().map(|b| b.equity).collect();
            let detail_start: Vec<[f64; 6]> = if s.run.bank_detail {
                banks.iter().map(channels).collect()
            } else {
                Vec::new()
            };
            for (i, b) in banks.iter_mut().enumerate() {
                if b.failed.is_some() {
                    continue;
                }
                let p = &s.banks[i].params;
                let deposits = (b.assets() - b.equity - b.interbank_liabilities).max(0.0);
                let income = eq::income(p.spread, b.loans, p.deposit_beta, dr, deposits);
                b.equity += income;
                b.income += income;
                let loss = eq::bond_loss(p.duration, b.bonds_fv, rate, rate_prev);
                b.equity -= loss;
                b.bonds_fv -= loss;
                b.bonds -= loss;
                b.loss_bonds += loss;
                rec.loss_bonds += loss;
            }

            // §3 which firms need credit: a maturing loan (probability nu), or no loan at all
            // (rationed last quarter, or never had one).
            // Without branches (whether a firm needs credit is as good as random): the uniforms
            // of a block of firms first, then the flags; a firm that needs nothing adds +0.0 to
            // its lender's maturing sum, which leaves the sum's bits as they are (it is never
            // -0.0), and firms without a bank lender add to a sink after the banks.
            let kneed = root.purpose(Purpose::CreditNeed).quarter(t);
            maturing.clear();
            maturing.resize(nb + 1, 0.0);
            for start in (0..nf).step_by(FIRM_BLOCK) {
                let range = start..(start + FIRM_BLOCK).min(nf);
                need_uniform.resize(range.len(), 0.0);
                rng::fill_uniforms(kneed, range.start as u64, &mut need_uniform);
                for (&u, j) in need_uniform.iter().zip(range) {
                    let has_lender = lender[j] != NO_LENDER;
                    let needs = alive[j] & (!has_lender | (u < fs.need_probability));
                    need[j] = needs;
                    draws.uniforms += u64::from(alive[j] & has_lender);
                    maturing[(lender[j] as usize).min(nb)] += masked(size[j], needs);
                }
            }
            for (b, &m) in banks.iter_mut().zip(&maturing) {
                b.maturing = m;
            }

            // §5.3 capacity and §4 thresholds
            for (i, b) in banks.iter_mut().enumerate() {
                if b.failed.is_some() {
                    b.capacity = 0.0;
                    continue;
                }
                let p = &s.banks[i].params;
                let rw = rw_of(i);
                let rwa = eq::rwa(
                    rw,
                    b.loans - b.maturing,
                    b.bonds,
                    b.interbank_assets,
                    b.other,
                );
                b.capacity = eq::capacity(b.equity, car_min, rwa, rw[0]);
                let fam = &s.models.families[s.banks[i].family];
                b.theta = eq::threshold(
                    p.threshold,
                    fam.rate_reaction,
                    dr,
                    s.banking.capital_pressure,
                    (p.car_target - release).max(0.0),
                    b.car_prev,
                );
            }
            for (th, b) in theta.iter_mut().zip(&banks) {
                *th = b.theta;
            }
            let active_region: Vec<ActiveBanks> = self
                .region_banks
                .iter()
                .map(|l| {
                    ActiveBanks::new(
                        l.iter()
                            .copied()
                            .filter(|&(b, _)| banks[b].failed.is_none()),
                    )
                })
                .collect();

            // §3 factors
            let z = root.purpose(Purpose::CommonFactor).quarter(t).normal();
            let mut w_region: Vec<f64> = self
                .region_key
                .iter()
                .map(|&k| {
                    root.purpose(Purpose::RegionFactor)
                        .quarter(t)
                        .entity(k)
                        .normal()
                })
                .collect();
            // Shock: a regional factor shift this quarter.
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
            // Parts of the default index and latent variable shared by a region's firms.
            let region_index: Vec<f64> = s
                .regions
                .iter()
                .map(|region| eq::region_index(region.pd_intercept, fs.lambda, dr))
                .collect();
            let systematic: Vec<f64> = w_region
                .iter()
                .map(|&w| latent_weights.systematic(z, w))
                .collect();
            let kshock = root.purpose(Purpose::FirmShock).quarter(t);
            let korder = root.purpose(Purpose::ApplicationOrder).quarter(t);
            let krsel = root.purpose(Purpose::ReviewSelect).quarter(t);
            let krerr = root.purpose(Purpose::ReviewError).quarter(t);
            let kfac = root.purpose(Purpose::FacilityError);
            let mut facility_left = if response {
                alarm.map_or(0.0, |a| a.facility_budget)
            } else {
                0.0
            };
            apps.fill(0);
            approvals.fill(0);
            let mut alive_start = 0usize;
            let mut sr_n = 0usize;
            let mut sr_count = 0usize;
            let mut sr_base = 0.0;

            // §4 credit decisions and §5.4 defaults, firm by firm in index order; the keyed draws
            // of a block of firms are made first (`FirmBlock`).
            for start in (0..nf).step_by(FIRM_BLOCK) {
                let range = start..(start + FIRM_BLOCK).min(nf);
                block.prepare(
                    &QuarterInputs {
                        alive: &alive,
                        need: &need,
                        quality: &q,
                        firm_region: &self.firm_region,
                        active_region: &active_region,
                        max_applications: k_max,
                        cutoff_index: self.cutoff_index,
                        region_index: &region_index,
                        beta: fs.beta,
                        theta: &theta,
                        error_scale: &error_scale,
                        review,
                        score_weights: &score_weights,
                        family: &bank_family,
                        family_error: &err,
                        key_shock: kshock,
                        key_order: korder,
                        key_fine_tune: &keys.fine_tune,
                    },
                    range.clone(),
                );
                for j in range {
                    if !alive[j] {
                        continue;
                    }
                    alive_start += 1;
                    let e = j as u64;
                    let r = self.firm_region[j] as usize;
                    let region = &s.regions[r];
                    let x = eq::pd_index_from(region_index[r], fs.beta, q[j]);
                    let creditworthy = x <= self.cutoff_index;
                    let amount = size[j];
                    let old = lender[j];
                    let mut new = old;
                    let mut rationed = false;
                    let mut threshold = x;
                    if need[j] {
                        rec.applicants += 1.0;
                        rec.demand += amount;
                        // +0.0 for other firms: the sums' bits stay (see the need flags).
                        let worthy_amount = masked(amount, creditworthy);
                        rec.creditworthy_demand += worthy_amount;
                        reg[r].creditworthy_demand += worthy_amount;
                        let (order, scores) = block.order(j);
                        draws.uniforms += order.len() as u64;
                        let mut funded: Option<usize> = None;
                        let mut approved_without_capacity = false;
                        let mut any_approval = false;
                        for (&b, &sc) in order.iter().zip(scores) {
                            let theta = banks[b].theta;
                            draws.normals += 1;
                            let mut approve = sc >= theta;
                            // §8 human review: a share h of rejections, re-scored independently.
                            draws.uniforms += u64::from(!approve && review.is_some());
                            if !approve
                                && let Some((h, se)) = review
                                && krsel.entity(self.bank_key[b]).entity(e).uniform() < h
                            {
                                draws.normals += 1;
                                let bk = self.bank_key[b];
                                approve = q[j] + se * krerr.entity(bk).entity(e).normal() >= theta;
                            }
                            apps[b * nr + r] += 1;
                            if approve {
                                approvals[b * nr + r] += 1;
                                any_approval = true;
                                if banks[b].capacity >= amount {
                                    banks[b].capacity -= amount;
                                    funded = Some(b);
                                    break;
                                }
                                approved_without_capacity = true;
                            }
                        }
                        let counted = creditworthy & !order.is_empty();
                        sr_n += usize::from(counted);
                        sr_count += usize::from(counted & !any_approval);
                        sr_base += masked(block.all_reject(j), counted);
                        // The facility's draw is made only when it is asked and has the budget.
                        draws.normals += u64::from(funded.is_none() && facility_left >= amount);
                        if let Some(b) = funded {
                            rec.supply += amount;
                            reg[r].supply += amount;
                            new = b as u32;
                        } else if facility_left >= amount
                            && eq::pd_index(
                                region.pd_intercept,
                                fs.lambda,
                                dr,
                                fs.beta,
                                q[j] + alarm.map_or(0.0, |a| a.facility_error_scale)
                                    * kfac.entity(e).normal(),
                            ) <= self.cutoff_index
                        {
                            facility_left -= amount;
                            rec.facility_lending += amount;
                            new = FACILITY;
                        } else {
                            rationed = true;
                            rec.rationed += 1.0;
                            threshold = eq::rationed_index(x, fs.liquidity_pd);
                            if creditworthy {
                                rec.credit_gap += amount;
                                reg[r].credit_gap += amount;
                                if approved_without_capacity || order.is_empty() {
                                    rec.gap_no_capacity += amount;
                                } else {
                                    rec.gap_rejected += amount;
                                }
                            }
                        }
                        // A new loan (bank or facility) repays the maturing one.
                        if !rationed && new != old {
                            if let Some(b) = banks.get_mut(old as usize) {
                                b.loans -= amount;
                            }
                            if let Some(b) = banks.get_mut(new as usize) {
                                b.loans += amount;
                            }
                            lender[j] = new;
                        }
                    }
                    draws.normals += 1;
                    let latent = latent_weights.latent(systematic[r], block.shock(j));
                    if latent < threshold {
                        // §5.4: the lender of the loan at stake (new, or maturing and not rolled over)
                        // loses lgd x balance; the balance leaves its book.
                        alive[j] = false;
                        rec.firm_defaults += 1.0;
                        if rationed {
                            rec.rationed_defaults += 1.0;
                            if latent >= x {
                                rec.rationing_caused_defaults += 1.0;
                            }
                        }
                        let loser = if rationed { old } else { new };
                        let loss = fs.lgd * amount;
                        if loser == FACILITY {
                            rec.facility_losses += loss;
                        } else if let Some(b) = banks.get_mut(loser as usize) {
                            b.loans -= amount;
                            b.equity -= loss;
                            b.loss_credit += loss;
                            rec.loss_credit += loss;
                        }
                        lender[j] = NO_LENDER;
                    } else if rationed {
                        // Survives: repays the maturing loan from its own means, left without credit.
                        if let Some(b) = banks.get_mut(old as usize) {
                            b.loans -= amount;
                        }
                        lender[j] = NO_LENDER;
                    }
                }
            }

            // Shocks besides the rate path, then DebtRank of the quarter's initial losses and the
            // contagion rounds (§5.5: §6 interbank clearing, §7 fire sales).
            settle::apply_shocks(s, t, root, &mut banks, &mut contagion, &mut rec);
            settle::debtrank(&contagion, &equity_start, &banks, &mut rec)?;
            settle::contagion_rounds(s, &mut banks, &mut contagion, &mut rec)?;
            rec.asset_price = contagion.prices.iter().copied().fold(1.0, f64::min);

            // §5.6 failure
            let mut equity_active = 0.0;
            let mut rwa_active = 0.0;
            for (i, b) in banks.iter_mut().enumerate() {
                let rwa = b.rwa(rw_of(i));
                if b.failed.is_none() && b.equity < 0.0 {
                    b.failed = Some(t);
                    rec.bank_failures += 1.0;
                }
                if b.failed.is_none() {
                    equity_active += b.equity;
                    rwa_active += rwa;
                }
                b.car_prev = if rwa > 0.0 { b.equity / rwa } else { f64::MAX };
            }
            let failed: Vec<usize> = (0..nb).filter(|&i| banks[i].failed.is_some()).collect();
            rec.failed_banks = failed.len() as f64;
            rec.failed_bank_share = if nb > 0 {
                failed.len() as f64 / nb as f64
            } else {
                0.0
            };
            rec.failed_asset_share = if self.system_assets > 0.0 {
                total(failed.iter().map(|&i| self.bank_assets[i])) / self.system_assets
            } else {
                0.0
            };
            rec.system_car = if rwa_active > 0.0 {
                equity_active / rwa_active
            } else {
                0.0
            };
            rec.firm_default_rate = if alive_start > 0 {
                rec.firm_defaults / alive_start as f64
            } else {
                0.0
            };
            rec.credit_gap_share = if rec.creditworthy_demand > 0.0 {
                rec.credit_gap / rec.creditworthy_demand
            } else {
                0.0
            };

            // §9 herding: decision agreement on the probe firms, among active banks.
            let active: Vec<usize> = (0..nb).filter(|&i| banks[i].failed.is_none()).collect();
            decisions.clear();
            decisions_ind.clear();
            for &b in &active {
                let theta = banks[b].theta;
                decisions.extend(
                    probe_score[b * np..(b + 1) * np]
                        .iter()
                        .map(|&sc| sc >= theta),
                );
                decisions_ind.extend(
                    probe_indep[b * np..(b + 1) * np]
                        .iter()
                        .map(|&sc| sc >= theta),
                );
            }
            let (agree, _) = herding::mean_pairwise_correlation(&decisions, active.len(), np);
            let (agree_ind, _) =
                herding::mean_pairwise_correlation(&decisions_ind, active.len(), np);
            rec.decision_agreement = agree;
            rec.decision_agreement_baseline = agree_ind;
            rec.decision_agreement_excess = agree - agree_ind;

            // §9 systemic rejection and its independence baseline.
            if sr_n > 0 {
                rec.systemic_rejection = sr_count as f64 / sr_n as f64;
                rec.systemic_rejection_baseline = sr_base / sr_n as f64;
            }
            rec.systemic_rejection_ratio = if sr_base > 0.0 {
                sr_count as f64 / sr_base
            } else {
                1.0
            };

            // §9 LSV on the direction of each bank's approval-rate change, regions as markets.
            let rates_now: Vec<f64> = (0..nb * nr)
                .map(|k| {
                    if apps[k] > 0 {
                        f64::from(approvals[k]) / f64::from(apps[k])
                    } else {
                        f64::NAN
                    }
                })
                .collect();
            if let Some(prev) = &prev_rate {
                let mut markets = Vec::with_capacity(nr);
                for r in 0..nr {
                    let (mut up, mut moved) = (0, 0);
                    for &b in &active {
                        let (now, before) = (rates_now[b * nr + r], prev[b * nr + r]);
                        if now.is_nan() || before.is_nan() || now == before {
                            continue;
                        }
                        moved += 1;
                        if now > before {
                            up += 1;
                        }
                    }
                    markets.push((up, moved));
                }
                rec.lsv = herding::lsv(&markets, 2).0;
            }
            prev_rate = Some(rates_now);

            // §8 herding alarm: raised the first quarter the watched measure exceeds its threshold.
            if let (Some(a), None) = (alarm, alarm_quarter) {
                let value = match a.measure {
                    AlarmMeasure::DecisionAgreementExcess => rec.decision_agreement_excess,
                    AlarmMeasure::SystemicRejectionRatio => rec.systemic_rejection_ratio,
                    AlarmMeasure::Lsv => rec.lsv,
                };
                if value > a.threshold {
                    alarm_quarter = Some(t);
                }
            }
            rec.alarm = f64::from(u8::from(alarm_quarter.is_some()));
            rec.response = f64::from(u8::from(response));

            if s.run.bank_detail {
                for (b, start) in banks.iter().zip(&detail_start) {
                    let now = channels(b);
                    let d = |k: usize| now[k] - start[k];
                    bank_quarters.push(BankQuarter {
                        equity: b.equity,
                        income: d(0),
                        loss_credit: d(1),
                        loss_bonds: d(2),
                        loss_interbank: d(3),
                        loss_fire_sales: d(4),
                        loss_shock: d(5),
                    });
                }
            }

            rate_prev = rate;
            records.push(rec);
            region_records.extend(reg);
        }

        let summary = summarize_path(&records, nf, nb, s.run.systemic_share, alarm_quarter);
        let outcomes = banks
            .iter()
            .map(|b| BankOutcome {
                failed_quarter: b.failed,
                final_equity: b.equity,
                income: b.income,
                loss_credit: b.loss_credit,
                loss_bonds: b.loss_bonds,
                loss_interbank: b.loss_interbank,
                loss_fire_sales: b.loss_fire_sales,
                loss_shock: b.loss_shock,
            })
            .collect();
        let result = PathResult {
            path,
            quarters: records,
            regions: region_records,
            summary,
            banks: outcomes,
            bank_quarters,
        };
        Ok((result, draws))
    }
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

/// A bank's cumulative income and losses by channel: income, credit, bonds, interbank, fire
/// sales, shocks.
fn channels(b: &BankState) -> [f64; 6] {
    [
        b.income,
        b.loss_credit,
        b.loss_bonds,
        b.loss_interbank,
        b.loss_fire_sales,
        b.loss_shock,
    ]
}

/// Picks an index from `(item, weight)` pairs whose weights sum to about 1, by a uniform `u`.
fn pick(list: &[(usize, f64)], u: f64) -> usize {
    let mut acc = 0.0;
    for &(i, w) in list {
        acc += w;
        if u < acc {
            return i;
        }
    }
    list.last().map_or(0, |x| x.0)
}

fn summarize_path(
    records: &[QuarterRecord],
    firms: usize,
    banks: usize,
    systemic_share: f64,
    alarm: Option<u32>,
) -> PathSummary {
    let sum = |f: fn(&QuarterRecord) -> f64| total(records.iter().map(f));
    let last = records.last().cloned().unwrap_or_default();
    let cw = sum(|r| r.creditworthy_demand);
    let gap = sum(|r| r.credit_gap);
    let n = records.len().max(1) as f64;
    let later = records.len().saturating_sub(1).max(1) as f64;
    let mut s = PathSummary {
        credit_gap: gap,
        credit_gap_share: if cw > 0.0 { gap / cw } else { 0.0 },
        peak_credit_gap_share: records
            .iter()
            .map(|r| r.credit_gap_share)
            .fold(0.0, f64::max),
        loss_credit: sum(|r| r.loss_credit),
        loss_bonds: sum(|r| r.loss_bonds),
        loss_interbank: sum(|r| r.loss_interbank),
        loss_fire_sales: sum(|r| r.loss_fire_sales),
        loss_shock: sum(|r| r.loss_shock),
        facility_losses: sum(|r| r.facility_losses),
        facility_lending: sum(|r| r.facility_lending),
        firm_defaults: sum(|r| r.firm_defaults),
        firm_default_share: 0.0,
        rationing_caused_defaults: sum(|r| r.rationing_caused_defaults),
        bank_failures: last.failed_banks,
        failed_bank_share: if banks > 0 {
            last.failed_banks / banks as f64
        } else {
            0.0
        },
        failed_asset_share: last.failed_asset_share,
        systemic_event: f64::from(u8::from(last.failed_asset_share > systemic_share)),
        min_system_car: records
            .iter()
            .map(|r| r.system_car)
            .fold(f64::INFINITY, f64::min),
        final_system_car: last.system_car,
        decision_agreement_excess: sum(|r| r.decision_agreement_excess) / n,
        systemic_rejection_ratio: sum(|r| r.systemic_rejection_ratio) / n,
        lsv: total(records.iter().skip(1).map(|r| r.lsv)) / later,
        alarm_quarter: alarm.map_or(0.0, f64::from),
        max_debtrank: records.iter().map(|r| r.debtrank).fold(0.0, f64::max),
        ..Default::default()
    };
    s.bank_losses =
        s.loss_credit + s.loss_bonds + s.loss_interbank + s.loss_fire_sales + s.loss_shock;
    s.firm_default_share = if firms > 0 {
        s.firm_defaults / firms as f64
    } else {
        0.0
    };
    if !s.min_system_car.is_finite() {
        s.min_system_car = 0.0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_follows_cumulative_weights() {
        let l = [(3, 0.2), (5, 0.5), (7, 0.3)];
        assert_eq!(pick(&l, 0.1), 3);
        assert_eq!(pick(&l, 0.2), 5);
        assert_eq!(pick(&l, 0.69), 5);
        assert_eq!(pick(&l, 0.71), 7);
        assert_eq!(pick(&l, 1.0), 7);
    }
}
