//! The probe sample of decision agreement (MODEL.md §9): every active bank's decision on the same
//! firms, with the banks' own models and with independent model errors of the same scale.
//!
//! The sample is drawn afresh each quarter from the firms alive at its start, by keyed draws at
//! `(path, ProbeSample, quarter, ...)`, so two scenarios run on the same seed draw the same
//! candidates and their samples differ only where their firms' survival does (common random
//! numbers). How, with `A` firms alive of `F` and `S = probe_firms`:
//! - `A <= S`: every alive firm;
//! - `S < A <= 2 S`: the `S` alive firms with the smallest keyed uniform at
//!   `(..., entity 1, firm)` — a uniformly random subset, in `O(A)`;
//! - `A > 2 S`: candidates `j_k = floor(u_k F)` for `k = 0, 1, ...` with `u_k` at
//!   `(..., entity 0, k)`, each taken if alive and not yet taken, until `S` are taken — also a
//!   uniformly random subset, in about `S F / (A - S) <= 2 S F / A` draws.
//!
//! A firm's scores are its own persistent draws (its fine-tuning error `v_ij` at each bank, the
//! same draw its applications use, and an independent error at `(path, IndependentError, bank,
//! firm)`), so a firm sampled twice is scored the same way both times.

use super::draws::Tally;
use super::equations as eq;
use super::herding;
use super::{Model, bank::BankState, firms::Firms};
use crate::normal;
use crate::rng::{Key, Purpose};

/// How every bank scores a firm this quarter (its family now, MODEL.md 4.1), for the probe.
pub(super) struct Scoring<'a> {
    /// Per bank: its score weights, its family's error scale and its family.
    pub(super) weights: &'a [eq::ScoreWeights],
    pub(super) error_scale: &'a [f64],
    pub(super) family: &'a [usize],
    /// Per bank: the keys of its fine-tuning errors and of its independent model's errors.
    pub(super) fine_tune: &'a [Key],
    pub(super) independent: &'a [Key],
    /// Whether any score is shifted or noisy; per bank the shift and the incident noise's scale,
    /// drawn at `key_noise` by family key and firm.
    pub(super) shifted: bool,
    pub(super) shift: &'a [f64],
    pub(super) noise: &'a [f64],
    pub(super) key_noise: Key,
}

/// The probe of one path: its sample this quarter and the scratch its decisions need.
pub(super) struct Probe {
    /// `probe_firms`.
    size: usize,
    /// The firms of this quarter's sample.
    sample: Vec<u32>,
    /// Scratch: the sample's uniforms (made normal in place), the active banks' decisions with
    /// their own models and with independent errors, bank after bank.
    draws: Vec<f64>,
    decisions: Vec<bool>,
    independent_decisions: Vec<bool>,
    /// Scratch for the sample: the alive firms' keyed uniforms.
    ranked: Vec<(f64, u32)>,
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
    /// A probe of `probe_firms` firms, before its first sample.
    pub(super) fn new(model: &Model<'_>) -> Self {
        let size = model
            .scenario
            .run
            .probe_firms
            .min(model.scenario.firms.count);
        Probe {
            size,
            sample: Vec::with_capacity(size),
            draws: Vec::with_capacity(size),
            decisions: Vec::new(),
            independent_decisions: Vec::new(),
            ranked: Vec::new(),
        }
    }

    /// Draws quarter `t`'s sample from the firms alive now (at the start of the quarter), with
    /// the path's root key `root`.
    pub(super) fn draw_sample(
        &mut self,
        alive: &[bool],
        root: Key,
        t: u32,
        draws: &mut impl Tally,
    ) {
        let key = root.purpose(Purpose::ProbeSample).quarter(t);
        self.sample.clear();
        let firms = alive.len();
        let count = alive.iter().filter(|&&a| a).count();
        if count <= self.size {
            self.sample
                .extend((0..firms).filter(|&j| alive[j]).map(|j| j as u32));
        } else if count <= 2 * self.size {
            let by_firm = key.entity(1);
            self.ranked.clear();
            self.ranked.extend(
                (0..firms)
                    .filter(|&j| alive[j])
                    .map(|j| (by_firm.entity(j as u64).uniform(), j as u32)),
            );
            draws.uniforms(count as u64);
            self.ranked
                .sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            self.sample
                .extend(self.ranked[..self.size].iter().map(|&(_, j)| j));
        } else {
            let candidates = key.entity(0);
            // Taken firms, sorted, for the membership test.
            self.ranked.clear();
            let mut k = 0u64;
            while self.sample.len() < self.size {
                let u = candidates.entity(k).uniform();
                k += 1;
                let j = ((u * firms as f64) as usize).min(firms - 1);
                if !alive[j] {
                    continue;
                }
                let at = self.ranked.partition_point(|&(_, x)| x < j as u32);
                if self.ranked.get(at).is_some_and(|&(_, x)| x == j as u32) {
                    continue;
                }
                self.ranked.insert(at, (0.0, j as u32));
                self.sample.push(j as u32);
            }
            draws.uniforms(k);
        }
    }

    /// The firms of this quarter's sample.
    #[cfg(test)]
    pub(super) fn sample(&self) -> &[u32] {
        &self.sample
    }

    /// Decision agreement among the active banks at their thresholds of this quarter, on this
    /// quarter's sample: every active bank scores every sampled firm with its model
    /// (`score_ij`, MODEL.md §4) and with an independent error of its family's scale.
    pub(super) fn agreement(
        &mut self,
        model: &Model<'_>,
        firms: &Firms,
        banks: &[BankState],
        scoring: &Scoring<'_>,
        draws: &mut impl Tally,
    ) -> Agreement {
        let s = model.scenario;
        let nf = s.firms.count;
        let np = self.sample.len();
        self.decisions.clear();
        self.independent_decisions.clear();
        let mut active = 0;
        for (b, state) in banks.iter().enumerate().filter(|(_, b)| b.active()) {
            active += 1;
            let m = scoring.family[b];
            let weights = scoring.weights[b];
            let sigma = scoring.error_scale[b];
            let errors = &firms.error[m * nf..(m + 1) * nf];
            let theta = state.theta;
            self.normals(scoring.fine_tune[b]);
            if scoring.shifted {
                // MODEL.md 4.1: the family's shift and its incident's shared noise, as in the
                // credit decisions; the independent model has the same shift and the noise in
                // quadrature with its error.
                let (shift, noise) = (scoring.shift[b], scoring.noise[b]);
                if noise > 0.0 {
                    draws.normals(np as u64);
                }
                let key = scoring.key_noise.entity(model.family_key[m]);
                self.decisions
                    .extend(self.sample.iter().zip(&self.draws).map(|(&j, &v)| {
                        let n = if noise > 0.0 {
                            noise * key.entity(u64::from(j)).normal()
                        } else {
                            0.0
                        };
                        let j = j as usize;
                        weights.score(firms.quality[j], errors[j], v) + shift + n >= theta
                    }));
                self.normals(scoring.independent[b]);
                let scale = sigma.hypot(noise);
                self.independent_decisions.extend(
                    self.sample
                        .iter()
                        .zip(&self.draws)
                        .map(|(&j, &v)| firms.quality[j as usize] + shift + scale * v >= theta),
                );
            } else {
                self.decisions
                    .extend(self.sample.iter().zip(&self.draws).map(|(&j, &v)| {
                        let j = j as usize;
                        weights.score(firms.quality[j], errors[j], v) >= theta
                    }));
                self.normals(scoring.independent[b]);
                self.independent_decisions.extend(
                    self.sample
                        .iter()
                        .zip(&self.draws)
                        .map(|(&j, &v)| firms.quality[j as usize] + sigma * v >= theta),
                );
            }
        }
        draws.normals(2 * (active * np) as u64);
        Agreement {
            agreement: herding::mean_pairwise_correlation(&self.decisions, active, np).0,
            baseline: herding::mean_pairwise_correlation(&self.independent_decisions, active, np).0,
        }
    }

    /// `draws[i]`: the normal at `key.entity(sample[i])`, for every firm of the sample.
    fn normals(&mut self, key: Key) {
        self.draws.clear();
        self.draws.extend(
            self.sample
                .iter()
                .map(|&j| key.entity(u64::from(j)).uniform()),
        );
        normal::inv_cdf_in_place(&mut self.draws);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::draws::DrawCounts;
    use crate::scenario::{MapSources, Scenario};

    fn probe(size: usize, firms: usize) -> Probe {
        let text = format!(
            "version = 1\nname = \"p\"\n[run]\nprobe_firms = {size}\n[firms]\ncount = {firms}\n\
             [[regions]]\nname = \"r\"\nfirm_share = 1.0\n[[models.families]]\nname = \"a\"\n\
             [[banks]]\nid = \"b\"\nequity = 10.0\nsme_loans = 100.0\nregions = {{ r = 1.0 }}\n"
        );
        let s = Scenario::from_toml_str(&text, "t.toml", &MapSources::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
        Probe::new(&model)
    }

    fn sample(p: &mut Probe, alive: &[bool], quarter: u32) -> Vec<u32> {
        let mut d = DrawCounts::default();
        p.draw_sample(alive, Key::new(7).path(3), quarter, &mut d);
        p.sample().to_vec()
    }

    #[test]
    fn the_sample_has_only_alive_firms_each_once() {
        let mut p = probe(50, 1000);
        for dead_every in [2, 3, 7, 20, 1000] {
            // 1000 / dead_every firms dead: every branch of the sampling is taken.
            for alive_share in [1, 2] {
                let alive: Vec<bool> = (0..1000)
                    .map(|j| j % dead_every != 0 && (alive_share == 1 || j < 95))
                    .collect();
                let count = alive.iter().filter(|&&a| a).count();
                let s = sample(&mut p, &alive, 4);
                assert_eq!(s.len(), count.min(50), "{dead_every} {alive_share}");
                let mut sorted = s.clone();
                sorted.sort_unstable();
                sorted.dedup();
                assert_eq!(sorted.len(), s.len(), "a firm taken twice");
                assert!(s.iter().all(|&j| alive[j as usize]), "a dead firm taken");
            }
        }
    }

    #[test]
    fn the_sample_is_fresh_each_quarter_and_the_same_for_the_same_key() {
        let mut p = probe(50, 1000);
        let alive = vec![true; 1000];
        let a = sample(&mut p, &alive, 1);
        let b = sample(&mut p, &alive, 2);
        assert_eq!(a, sample(&mut p, &alive, 1));
        let shared = a.iter().filter(|j| b.contains(j)).count();
        // Two independent samples of 50 of 1000 share 2.5 firms on average.
        assert!(shared < 15, "{shared}");
    }

    #[test]
    fn a_dead_firm_changes_only_its_own_place_in_the_sample() {
        // Common random numbers: killing one sampled firm replaces it and keeps the others.
        let mut p = probe(50, 1000);
        let alive = vec![true; 1000];
        let a = sample(&mut p, &alive, 3);
        let mut fewer = alive.clone();
        fewer[a[10] as usize] = false;
        let b = sample(&mut p, &fewer, 3);
        let kept = a.iter().filter(|j| b.contains(j)).count();
        assert_eq!(kept, 49);
    }

    #[test]
    fn every_firm_is_equally_likely_to_be_sampled() {
        // Each alive firm is in a quarter's sample with probability S / A, in both ways of
        // sampling (A > 2 S and S < A <= 2 S).
        let mut p = probe(30, 400);
        for (alive_count, quarters) in [(300usize, 400u32), (50, 400)] {
            let alive: Vec<bool> = (0..400).map(|j| j < alive_count).collect();
            let mut hits = vec![0u32; 400];
            for t in 0..quarters {
                for j in sample(&mut p, &alive, t) {
                    hits[j as usize] += 1;
                }
            }
            let expected = f64::from(quarters) * 30.0 / alive_count.max(30) as f64;
            // The firms' mean inclusion is exact; each firm's count is binomial: check the
            // first and second halves of the alive firms agree within 4 standard errors.
            let half = alive_count / 2;
            let mean = |r: std::ops::Range<usize>| {
                r.clone().map(|j| f64::from(hits[j])).sum::<f64>() / r.len() as f64
            };
            let se = (expected * (1.0 - expected / f64::from(quarters)) / half as f64).sqrt();
            let (lo, hi) = (mean(0..half), mean(half..alive_count));
            assert!(
                (lo - expected).abs() < 4.0 * se,
                "{lo} vs {expected} ± {se}"
            );
            assert!(
                (hi - expected).abs() < 4.0 * se,
                "{hi} vs {expected} ± {se}"
            );
        }
    }
}
