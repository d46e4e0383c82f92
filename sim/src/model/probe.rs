//! The probe sample of decision agreement (MODEL.md §9): every active bank's decision on the same
//! firms, with the banks' own models and with independent model errors of the same scale.

use super::equations as eq;
use super::herding;
use super::{Model, bank::BankState, draws::Tally, firms::Firms};
use crate::rng::Key;

/// The probe firms' scores at every bank: the first `probe_firms` firms. Scores do not change
/// over a path (only thresholds do), so they are computed once.
pub(super) struct Probe {
    /// Probe firms.
    firms: usize,
    /// `score[b * firms + j]`: bank `b`'s score of probe firm `j`.
    score: Vec<f64>,
    /// The same with an independent model error of the bank's family's scale.
    independent: Vec<f64>,
    /// Scratch: the decisions of the active banks, bank after bank.
    decisions: Vec<bool>,
    independent_decisions: Vec<bool>,
}

/// Decision agreement in one quarter: the mean pairwise correlation of the active banks'
/// decisions, and the same with independent model errors.
pub(super) struct Agreement {
    /// Mean pairwise correlation of the banks' decisions.
    pub(super) agreement: f64,
    /// The same with independent model errors.
    pub(super) baseline: f64,
}

impl Probe {
    /// Scores the probe firms at every bank, with the fine-tuning and independent-error keys of
    /// each bank on this path.
    pub(super) fn new(
        model: &Model<'_>,
        firms: &Firms,
        fine_tune: &[Key],
        independent: &[Key],
        draws: &mut impl Tally,
    ) -> Self {
        let s = model.scenario;
        let nf = s.firms.count;
        let nb = s.banks.len();
        let np = s.run.probe_firms.min(nf);
        draws.normals((2 * nb * np) as u64);
        let mut score = vec![0.0; nb * np];
        let mut indep = vec![0.0; nb * np];
        for (b, bank) in s.banks.iter().enumerate() {
            let fam = &s.models.families[bank.family];
            for j in 0..np {
                let e = j as u64;
                score[b * np + j] = eq::score(
                    firms.quality[j],
                    fam.error_scale,
                    bank.params.fine_tuning,
                    firms.error[bank.family * nf + j],
                    fine_tune[b].entity(e).normal(),
                );
                indep[b * np + j] =
                    firms.quality[j] + fam.error_scale * independent[b].entity(e).normal();
            }
        }
        Probe {
            firms: np,
            score,
            independent: indep,
            decisions: Vec::with_capacity(nb * np),
            independent_decisions: Vec::with_capacity(nb * np),
        }
    }

    /// Decision agreement among the active banks at their thresholds of this quarter.
    pub(super) fn agreement(&mut self, banks: &[BankState]) -> Agreement {
        let np = self.firms;
        self.decisions.clear();
        self.independent_decisions.clear();
        let mut active = 0;
        for (b, bank) in banks.iter().enumerate().filter(|(_, b)| b.active()) {
            active += 1;
            let theta = bank.theta;
            let scores = b * np..(b + 1) * np;
            self.decisions
                .extend(self.score[scores.clone()].iter().map(|&sc| sc >= theta));
            self.independent_decisions
                .extend(self.independent[scores].iter().map(|&sc| sc >= theta));
        }
        Agreement {
            agreement: herding::mean_pairwise_correlation(&self.decisions, active, np).0,
            baseline: herding::mean_pairwise_correlation(&self.independent_decisions, active, np).0,
        }
    }
}
