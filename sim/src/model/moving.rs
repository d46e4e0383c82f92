//! The models move (MODEL.md 4.1) on one path: regime shift, retraining with procyclical
//! learning, endogenous adoption and shared-model incidents.
//!
//! [`Motion`] holds what moves: each family's training rate, learned offset and incidents, each
//! bank's family and switch count, and the families' history of books, defaults and credit
//! losses that retraining and reviews learn from. [`Motion::start_quarter`] runs before the
//! quarter's income (retraining, then reviews and switches, then incidents, then the regime
//! shift at the quarter's rate); [`Motion::end_quarter`] records the quarter once its defaults and
//! failures are known. With every mechanism off, nothing here changes a decision: the families'
//! scales are the scenario's, bit for bit, and no shift or noise is added to any score.

use super::Model;
use super::bank::BankState;
use super::equations as eq;
use crate::results::{FamilyQuarter, QuarterRecord};
use crate::rng::{Key, Purpose};
use crate::scenario::moving::{IncidentKind, IncidentStart};
use crate::scenario::{Family, Scenario};

/// One family's state in the current quarter.
#[derive(Clone, Debug)]
pub(super) struct FamilyNow {
    /// `r_train_m`.
    pub(super) r_train: f64,
    /// `offset_m`, added to every adopter's threshold.
    pub(super) offset: f64,
    /// `sigma_mt`.
    pub(super) error_scale: f64,
    /// `bias_mt`.
    pub(super) bias: f64,
    /// The sum of the active bias incidents' severities.
    pub(super) incident_bias: f64,
    /// The scale of the active noise incidents' shared noise (their severities in quadrature).
    pub(super) incident_noise: f64,
    /// Whether an incident hits it this quarter.
    pub(super) incident: bool,
}

/// One family's record of one quarter, what retraining and reviews learn from.
#[derive(Clone, Copy, Debug, Default)]
struct Experience {
    /// Its adopters' SME book at the start of the quarter.
    book: f64,
    /// The balance of their loans that defaulted.
    defaulted: f64,
    /// Their credit losses.
    losses: f64,
}

/// What moves on one path.
pub(super) struct Motion {
    /// Per family, this quarter.
    pub(super) families: Vec<FamilyNow>,
    /// Per bank, its family now.
    pub(super) bank_family: Vec<usize>,
    /// Per bank, how often it has switched.
    pub(super) switches: Vec<u32>,
    /// Per bank, its cumulative defaulted balance and credit losses and its book at the start of
    /// the quarter.
    start_defaulted: Vec<f64>,
    start_losses: Vec<f64>,
    start_book: Vec<f64>,
    /// Per random incident and family: the last quarter of the incident under way (0: none).
    until: Vec<Vec<u32>>,
    /// `history[(t - 1) * M + m]`: family `m`'s experience in quarter `t`.
    history: Vec<Experience>,
    /// The rate of each quarter so far.
    rates: Vec<f64>,
    /// This quarter's retrainings, switches and their costs.
    retrained: u32,
    switched: u32,
    switch_costs: f64,
    /// Whether scores need the shift and noise pass this quarter.
    pub(super) shifted_scores: bool,
    /// Uniform draws made this quarter (adoption reviews and random incident starts), for the
    /// path's draw counts.
    pub(super) uniforms_drawn: u64,
}

impl Motion {
    /// Every family as the scenario describes it, every bank with its scenario family.
    pub(super) fn new(s: &Scenario) -> Self {
        Motion {
            families: s
                .models
                .families
                .iter()
                .map(|f| FamilyNow {
                    r_train: f.shift.r_train,
                    offset: 0.0,
                    error_scale: f.error_scale,
                    bias: 0.0,
                    incident_bias: 0.0,
                    incident_noise: 0.0,
                    incident: false,
                })
                .collect(),
            bank_family: s.banks.iter().map(|b| b.family).collect(),
            switches: vec![0; s.banks.len()],
            start_defaulted: vec![0.0; s.banks.len()],
            start_losses: vec![0.0; s.banks.len()],
            start_book: vec![0.0; s.banks.len()],
            until: vec![vec![0; s.models.families.len()]; s.models.incidents.len()],
            history: Vec::with_capacity(s.run.quarters as usize * s.models.families.len()),
            rates: Vec::with_capacity(s.run.quarters as usize),
            retrained: 0,
            switched: 0,
            switch_costs: 0.0,
            shifted_scores: false,
            uniforms_drawn: 0,
        }
    }

    /// Quarter `t` at rate `rate` begins: families retrain, banks review their family (a switch
    /// costs equity and is returned as `(bank, switch count)` so that the caller can redraw its
    /// fine-tuning errors), incidents start and end, and every family's scale and bias are set
    /// for the rate.
    pub(super) fn start_quarter(
        &mut self,
        model: &Model<'_>,
        root: Key,
        t: u32,
        rate: f64,
        banks: &mut [BankState],
    ) -> Vec<usize> {
        let s = model.scenario;
        self.retrained = 0;
        self.switched = 0;
        self.switch_costs = 0.0;
        self.uniforms_drawn = 0;
        for (i, f) in s.models.families.iter().enumerate() {
            self.retrain(i, f, t);
        }
        let moved = self.review(model, root, t, banks);
        self.incidents(model, root, t);
        for (now, f) in self.families.iter_mut().zip(&s.models.families) {
            now.error_scale =
                eq::shifted_error_scale(f.error_scale, f.shift.eta, rate, now.r_train);
            now.bias = if f.shift.zeta == 0.0 {
                0.0
            } else {
                eq::shift_bias(f.shift.zeta, rate, now.r_train)
            };
        }
        self.shifted_scores = self
            .families
            .iter()
            .any(|f| f.bias != 0.0 || f.incident_bias != 0.0 || f.incident_noise != 0.0);
        for (i, b) in banks.iter().enumerate() {
            self.start_defaulted[i] = b.defaulted;
            self.start_losses[i] = b.flows.credit;
            self.start_book[i] = if b.active() { b.loans } else { 0.0 };
        }
        self.rates.push(rate);
        moved
    }

    /// §4.1 retraining of family `m` at the start of quarter `t`: every `every` quarters once a
    /// whole window has passed, on the last `window` quarters; `r_train` becomes the window's
    /// mean rate and the offset `gamma (DR_window - DR_0)`, where the rates are the adopters'
    /// defaulted balance over their book summed over the quarters (`DR_0`: the path's first
    /// window). A family without a book in either window keeps its offset.
    fn retrain(&mut self, m: usize, f: &Family, t: u32) {
        let r = &f.retraining;
        let done = t - 1;
        if r.every == 0 || done < r.window || !done.is_multiple_of(r.every) {
            return;
        }
        let w = r.window as usize;
        let nm = self.families.len();
        let rate_over = |from: usize, to: usize| {
            let (mut d, mut b) = (0.0, 0.0);
            for q in from..to {
                let e = &self.history[q * nm + m];
                d += e.defaulted;
                b += e.book;
            }
            eq::window_rate(d, b)
        };
        let now = done as usize;
        let recent = rate_over(now - w, now);
        let calm = rate_over(0, w);
        let mean_rate = super::total(self.rates[now - w..now].iter().copied()) / w as f64;
        let fam = &mut self.families[m];
        fam.r_train = mean_rate;
        if let (Some(recent), Some(calm)) = (recent, calm) {
            fam.offset = eq::learned_offset(r.gamma, recent, calm);
        }
        self.retrained += 1;
    }

    /// §4.1 reviews at the start of quarter `t`: every `review_every` quarters, each active bank
    /// reviews with probability `switch_prob` (a keyed draw) and moves to the family with the
    /// lowest credit-loss rate over the last `review_window` quarters (losses over mean book,
    /// pooled over each family's adopters) when its own family's rate is worse by more than
    /// `switch_threshold` and the move keeps the best family within the diversity cap (shares of
    /// system starting assets). Banks review in bank order; a switch costs `switch_cost` of the
    /// bank's SME book. Returns the banks that switched.
    fn review(
        &mut self,
        model: &Model<'_>,
        root: Key,
        t: u32,
        banks: &mut [BankState],
    ) -> Vec<usize> {
        let s = model.scenario;
        let sw = &s.models.switching;
        let done = t - 1;
        if !sw.on() || done == 0 || !done.is_multiple_of(sw.review_every) {
            return Vec::new();
        }
        let nm = self.families.len();
        let from = done.saturating_sub(sw.review_window) as usize;
        let quarters = (done as usize - from) as f64;
        let rates: Vec<Option<f64>> = (0..nm)
            .map(|m| {
                let (mut losses, mut book) = (0.0, 0.0);
                for q in from..done as usize {
                    let e = &self.history[q * nm + m];
                    losses += e.losses;
                    book += e.book;
                }
                eq::window_rate(losses, book / quarters)
            })
            .collect();
        let Some(best) = best_family(&rates) else {
            return Vec::new();
        };
        let best_rate = rates[best].unwrap_or(f64::INFINITY);
        let mut family_assets = vec![0.0; nm];
        for (i, &m) in self.bank_family.iter().enumerate() {
            family_assets[m] += model.bank_assets[i];
        }
        let key = root.purpose(Purpose::AdoptionReview).quarter(t);
        let mut moved = Vec::new();
        for (i, b) in banks.iter_mut().enumerate() {
            if !b.active() {
                continue;
            }
            self.uniforms_drawn += 1;
            if key.entity(model.bank_key[i]).uniform() >= sw.switch_prob {
                continue;
            }
            let own = self.bank_family[i];
            let Some(own_rate) = rates[own] else { continue };
            if own == best || own_rate - best_rate <= sw.switch_threshold {
                continue;
            }
            if let Some(cap) = s.policy.diversity_cap
                && model.system_assets > 0.0
                && (family_assets[best] + model.bank_assets[i]) / model.system_assets > cap + 1e-12
            {
                continue;
            }
            family_assets[own] -= model.bank_assets[i];
            family_assets[best] += model.bank_assets[i];
            self.bank_family[i] = best;
            self.switches[i] += 1;
            let cost = sw.switch_cost * b.loans;
            b.equity -= cost;
            b.flows.income -= cost;
            self.switched += 1;
            self.switch_costs += cost;
            moved.push(i);
        }
        moved
    }

    /// §4.1 the incidents under way in quarter `t`: scheduled ones from `at` for `duration`
    /// quarters; random ones start with probability `rate` (a keyed draw per quarter, incident and
    /// family) for a family they are not already hitting.
    fn incidents(&mut self, model: &Model<'_>, root: Key, t: u32) {
        for f in &mut self.families {
            f.incident_bias = 0.0;
            f.incident_noise = 0.0;
            f.incident = false;
        }
        let mut noise_var = vec![0.0; self.families.len()];
        let key = root.purpose(Purpose::IncidentStart).quarter(t);
        for (k, inc) in model.scenario.models.incidents.iter().enumerate() {
            let hit: Vec<usize> = match inc.start {
                IncidentStart::At(at) => match inc.family {
                    Some(m) if t >= at && t - at < inc.duration => vec![m],
                    _ => Vec::new(),
                },
                IncidentStart::Random(p) => {
                    let targets: Vec<usize> = match inc.family {
                        Some(m) => vec![m],
                        None => (0..self.families.len()).collect(),
                    };
                    let mut hit = Vec::new();
                    for m in targets {
                        let until = &mut self.until[k][m];
                        if *until < t {
                            self.uniforms_drawn += 1;
                            if key.entity(k as u64).entity(model.family_key[m]).uniform() < p {
                                *until = t + inc.duration - 1;
                            }
                        }
                        if *until >= t {
                            hit.push(m);
                        }
                    }
                    hit
                }
            };
            for m in hit {
                let f = &mut self.families[m];
                f.incident = true;
                match inc.kind {
                    IncidentKind::Bias => f.incident_bias += inc.severity,
                    IncidentKind::Noise => noise_var[m] += inc.severity * inc.severity,
                }
            }
        }
        for (f, v) in self.families.iter_mut().zip(noise_var) {
            f.incident_noise = v.sqrt();
        }
    }

    /// The score shift of family `m` this quarter: its regime-shift bias and any bias incident.
    #[inline]
    pub(super) fn shift(&self, m: usize) -> f64 {
        self.families[m].bias + self.families[m].incident_bias
    }

    /// Quarter `t` ends: each family's experience is recorded (its adopters' book at the start,
    /// their defaulted balance and credit losses) and the quarter's measures written: each
    /// family's share of the active banks' SME lending, the Herfindahl index and the effective
    /// number of families, switches, retrainings and incidents.
    pub(super) fn end_quarter(
        &mut self,
        banks: &[BankState],
        rec: &mut QuarterRecord,
        out: &mut Vec<FamilyQuarter>,
    ) {
        let nm = self.families.len();
        let mut exp = vec![Experience::default(); nm];
        let mut lending = vec![0.0; nm];
        let mut adopters = vec![0.0; nm];
        for (i, b) in banks.iter().enumerate() {
            let m = self.bank_family[i];
            exp[m].book += self.start_book[i];
            exp[m].defaulted += b.defaulted - self.start_defaulted[i];
            exp[m].losses += b.flows.credit - self.start_losses[i];
            if b.active() {
                lending[m] += b.loans.max(0.0);
                adopters[m] += 1.0;
            }
        }
        self.history.extend(exp);
        let total = super::total(lending.iter().copied());
        let shares: Vec<f64> = lending
            .iter()
            .map(|&l| if total > 0.0 { l / total } else { 0.0 })
            .collect();
        let hhi = eq::herfindahl(&shares);
        rec.family_hhi = hhi;
        rec.effective_families = if hhi > 0.0 { 1.0 / hhi } else { 0.0 };
        rec.model_switches = f64::from(self.switched);
        rec.switching_costs = self.switch_costs;
        rec.retrainings = f64::from(self.retrained);
        rec.incidents_active = self.families.iter().filter(|f| f.incident).count() as f64;
        out.extend(
            self.families
                .iter()
                .zip(shares)
                .zip(adopters)
                .map(|((f, share), adopters)| FamilyQuarter {
                    share,
                    adopters,
                    error_scale: f.error_scale,
                    bias: f.bias,
                    offset: f.offset,
                    r_train: f.r_train,
                    incident: f64::from(u8::from(f.incident)),
                }),
        );
    }
}

/// The family with the lowest rate among those with one (ties: the earlier family).
fn best_family(rates: &[Option<f64>]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (m, r) in rates.iter().enumerate() {
        if let Some(r) = *r
            && best.is_none_or(|(_, b)| r < b)
        {
            best = Some((m, r));
        }
    }
    best.map(|(m, _)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn best_family_is_the_lowest_rate_with_ties_to_the_earlier() {
        assert_eq!(
            best_family(&[Some(0.02), None, Some(0.01), Some(0.01)]),
            Some(2)
        );
        assert_eq!(best_family(&[None, None]), None);
        assert_eq!(best_family(&[Some(0.0)]), Some(0));
    }
}
