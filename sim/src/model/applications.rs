//! The per-firm draws of a quarter's credit decisions, prepared a block of firms at a time.
//!
//! A firm's application order (MODEL.md §4), the scores its banks give it (from their fine-tuning
//! errors), its own default shock and the decision-agreement baseline do not depend on what the
//! firms before it did: they are pure functions of keyed draws, of the path's firm draws and of the
//! quarter's thresholds. Only who funds a
//! loan depends on the order of firms (through the banks' remaining capacity). So
//! [`FirmBlock::prepare`] computes the former for a block of firms in straight loops — uniforms
//! first, then every inverse normal of the block at once ([`normal::inv_cdf_in_place`]) — and the
//! path's firm loop then walks the block in index order as before. The values are the very same
//! draws and scores, bit for bit; the only difference is that scores are made for every slot of an
//! order,
//! also those after the bank that funds the loan, which are then not used (draws are addressed,
//! so computing one more changes nothing else).

use super::equations as eq;
use crate::normal;
use crate::rng::{self, Key};

/// The most uniforms a slot of an application order draws over all of its region's banks
/// before it takes the running sums of the banks not yet drawn (draw scheme 2). A slot misses
/// with probability the drawn banks' share of the region, so it falls back with probability
/// below that share to this power: never, in practice, unless one bank holds almost the whole
/// market.
pub const ORDER_TRIES: u64 = 16;

/// Regions with more active banks than this locate a uniform among the running sums by bisection
/// rather than by counting (the same entry either way).
const COUNT_BANKS: usize = 64;

/// A region's banks open for applications this quarter, with their market shares.
pub(super) struct ActiveBanks {
    /// Bank indices, in bank order.
    pub(super) banks: Vec<usize>,
    /// Their market shares (positive).
    weights: Vec<f64>,
    /// Running sums of the shares, added in list order from 0.
    cumulative: Vec<f64>,
}

impl ActiveBanks {
    pub(super) fn new(list: impl Iterator<Item = (usize, f64)>) -> Self {
        let (banks, weights): (Vec<usize>, Vec<f64>) = list.unzip();
        let mut cumulative = vec![0.0; weights.len()];
        running_sums(&weights, |_| u64::MAX, &mut cumulative);
        ActiveBanks {
            banks,
            weights,
            cumulative,
        }
    }
}

/// `out[i]`: the sum of `weights[..=i]` without the taken ones, added in list order from 0.
/// `keep[i]` is all ones for a weight still in the list and 0 for a taken one.
///
/// A taken weight is added as `+0.0` (its bits masked off), which leaves a sum of non-negative
/// numbers bit for bit unchanged (the sum is never `-0.0`), so this is exactly the sum over a copy
/// of the list with the taken entries removed, computed without branches.
#[inline(always)]
fn running_sums(weights: &[f64], keep: impl Fn(usize) -> u64, out: &mut [f64]) {
    let mut acc = 0.0;
    for (i, (o, &w)) in out.iter_mut().zip(weights).enumerate() {
        acc += f64::from_bits(w.to_bits() & keep(i));
        *o = acc;
    }
}

/// The entry a uniform `u` in `[0, sums[n-1])` falls in: the first `i` with `u < sums[i]`, which
/// is never a taken entry (its sum equals the one before it). `None` when there is none (rounding
/// at the top, or a NaN).
#[inline(always)]
fn locate(sums: &[f64], u: f64) -> Option<usize> {
    // The sums do not decrease, so the first i with u < sums[i] is the count of sums <= u:
    // counted without branches for a short list, by bisection for a long one.
    let below = if sums.len() <= COUNT_BANKS {
        sums.iter().filter(|&&s| s <= u).count()
    } else {
        sums.partition_point(|&s| s <= u)
    };
    (below < sums.len() && u >= 0.0).then_some(below)
}

/// Draws `out.len()` banks (at most the region's number) without replacement, each draw with
/// probability proportional to market share among the banks not yet drawn (MODEL.md §4), and
/// returns the number of uniforms it drew.
///
/// Draw scheme 2: try `t` of slot `s` uses the uniform at `key.entity(s + (t << 32))`, scaled by
/// the region's total share, and picks the first bank whose running sum exceeds it (the last bank
/// when rounding leaves none); a bank already drawn is a miss and the slot tries again. Rejection
/// from the full distribution gives exactly the distribution among the banks not yet drawn.
/// After [`ORDER_TRIES`] misses the slot scales the uniform at `key.entity(s + (ORDER_TRIES <<
/// 32))` by the sum of the shares not yet drawn and walks their running sums (the rule of scheme
/// 1), which has the same distribution again, so the fallback changes nothing but the cost.
///
/// Scratch: `keep` has one entry per bank of the region, all `u64::MAX`, and is left so; `sums`
/// has one entry per bank.
#[inline(always)]
pub(super) fn draw_order(
    active: &ActiveBanks,
    key: Key,
    out: &mut [usize],
    keep: &mut [u64],
    sums: &mut [f64],
) -> u64 {
    let n = active.banks.len();
    debug_assert!(out.len() <= n && keep.len() == n && sums.len() == n);
    let mut drawn = 0;
    for (slot, o) in out.iter_mut().enumerate() {
        let slot = slot as u64;
        let mut chosen = None;
        for t in 0..ORDER_TRIES {
            drawn += 1;
            let u = key.entity(slot + (t << 32)).uniform() * active.cumulative[n - 1];
            let c = locate(&active.cumulative, u).unwrap_or(n - 1);
            if keep[c] != 0 {
                chosen = Some(c);
                break;
            }
        }
        let c = chosen.unwrap_or_else(|| {
            drawn += 1;
            running_sums(&active.weights, |i| keep[i], sums);
            let u = key.entity(slot + (ORDER_TRIES << 32)).uniform() * sums[n - 1];
            locate(sums, u).unwrap_or_else(|| keep.iter().rposition(|&m| m != 0).unwrap_or(n - 1))
        });
        keep[c] = 0;
        *o = c;
    }
    for o in out.iter_mut() {
        keep[*o] = u64::MAX;
        *o = active.banks[*o];
    }
    drawn
}

/// What the firm loop needs from the keyed draws, for one block of firms.
pub(super) struct FirmBlock {
    /// First firm of the block.
    start: usize,
    /// Each firm's own default shock `e_jt` (drawn for every firm of the block).
    shock: Vec<f64>,
    /// Application orders of the firms that apply, one after the other.
    banks: Vec<usize>,
    /// The score `s_ij` each bank of `banks` gives the firm (from its fine-tuning error `v_ij`).
    scores: Vec<f64>,
    /// Where each firm's order starts in `banks` (and ends: the next firm's start).
    order_at: Vec<usize>,
    /// The decision-agreement baseline: the probability that independent models all reject a
    /// creditworthy applicant (1 for other firms).
    all_reject: Vec<f64>,
    /// Scratch: the firms of the block that apply (offsets from `start`), the creditworthy ones
    /// among them, the firm of each slot of `banks`, each region's number of slots.
    applicants: Vec<u32>,
    creditworthy: Vec<u32>,
    slot_firm: Vec<u32>,
    slots: Vec<usize>,
    keep: Vec<u64>,
    sums: Vec<f64>,
    /// The uniforms the block drew for application orders (a slot may draw more than one) and
    /// for the baseline's sample.
    uniforms: u64,
}

impl FirmBlock {
    /// The uniforms the block drew for application orders ([`draw_order`]) and for the sample of
    /// the systemic-rejection baseline.
    pub(super) fn uniforms_drawn(&self) -> u64 {
        self.uniforms
    }

    /// The incident-noise normals [`FirmBlock::prepare`] drew for the block (MODEL.md 4.1): one
    /// per slot whose bank's family has an incident with noise this quarter.
    pub(super) fn incident_noise_draws(&self, noise: &[f64]) -> u64 {
        self.banks.iter().filter(|&&b| noise[b] > 0.0).count() as u64
    }
}

/// The quarter's inputs to [`FirmBlock::prepare`].
pub(super) struct QuarterInputs<'a> {
    pub(super) alive: &'a [bool],
    pub(super) need: &'a [bool],
    pub(super) quality: &'a [f64],
    pub(super) firm_region: &'a [u32],
    pub(super) active_region: &'a [ActiveBanks],
    pub(super) max_applications: usize,
    /// The firm's default index `a_r + lambda dr - beta q` is at most this when creditworthy.
    pub(super) cutoff_index: f64,
    pub(super) region_index: &'a [f64],
    pub(super) beta: f64,
    /// Per bank: its threshold this quarter and its family's error scale.
    pub(super) theta: &'a [f64],
    pub(super) error_scale: &'a [f64],
    pub(super) review: Option<(f64, f64)>,
    /// Per bank: the weights of its score and its model family.
    pub(super) score_weights: &'a [eq::ScoreWeights],
    pub(super) family: &'a [usize],
    /// The family model errors `err_aj`, family by family (`family * firms + j`).
    pub(super) family_error: &'a [f64],
    pub(super) key_shock: Key,
    pub(super) key_order: Key,
    pub(super) key_fine_tune: &'a [Key],
    /// MODEL.md 4.1: whether any score is shifted or noisy this quarter; if so, per bank the
    /// shift added to its scores and the scale of its family's shared incident noise `n_mjt`
    /// (drawn at `key_noise`, by family key and firm).
    pub(super) shifted: bool,
    pub(super) shift: &'a [f64],
    pub(super) noise: &'a [f64],
    pub(super) key_noise: Key,
    pub(super) family_key: &'a [u64],
    /// The baseline's sample (draw scheme 2): the share of creditworthy applicants in it and the
    /// key of the draw that decides (not drawn when the share is 1).
    pub(super) baseline_share: f64,
    pub(super) key_baseline: Key,
}

impl FirmBlock {
    pub(super) fn new() -> Self {
        FirmBlock {
            start: 0,
            shock: Vec::new(),
            banks: Vec::new(),
            scores: Vec::new(),
            order_at: Vec::new(),
            all_reject: Vec::new(),
            applicants: Vec::new(),
            creditworthy: Vec::new(),
            slot_firm: Vec::new(),
            slots: Vec::new(),
            keep: Vec::new(),
            sums: Vec::new(),
            uniforms: 0,
        }
    }

    /// Draws for firms `range`: every firm's shock, and for the alive firms that need credit the
    /// application order, its fine-tuning errors and (when creditworthy) the baseline.
    pub(super) fn prepare(&mut self, q: &QuarterInputs<'_>, range: std::ops::Range<usize>) {
        prepare_block(self, q, range);
    }

    /// Firm `j`'s default shock.
    #[inline]
    pub(super) fn shock(&self, j: usize) -> f64 {
        self.shock[j - self.start]
    }

    /// Firm `j`'s application order (empty unless it applies) and the scores its banks give it.
    #[inline]
    pub(super) fn order(&self, j: usize) -> (&[usize], &[f64]) {
        let i = j - self.start;
        let span = self.order_at[i]..self.order_at[i + 1];
        (&self.banks[span.clone()], &self.scores[span])
    }

    /// The probability that independent models reject firm `j` at every bank of its order
    /// (computed for creditworthy applicants only).
    #[inline]
    pub(super) fn all_reject(&self, j: usize) -> f64 {
        self.all_reject[j - self.start]
    }
}

/// The body of [`FirmBlock::prepare`], compiled also for wider vector units (AVX2, AVX-512) and
/// chosen at run time: the keyed hashes, inverse normals and counts vectorise there. Integer and
/// IEEE arithmetic give the same bits in every version (Rust never fuses a multiply and an add on
/// its own), which the golden digests check on whatever machine runs them.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+avx+popcnt+sse4.2",
    "x86_64+avx2+avx+popcnt+sse4.2"
))]
fn prepare_block(block: &mut FirmBlock, q: &QuarterInputs<'_>, range: std::ops::Range<usize>) {
    let len = range.len();
    block.start = range.start;
    block.shock.resize(len, 0.0);
    rng::fill_uniforms(q.key_shock, range.start as u64, &mut block.shock);
    normal::inv_cdf_in_place(&mut block.shock);

    // Which firms apply, and where each firm's order starts in `banks`: counted without
    // branches, since whether a firm applies is as good as random (29% of firms on
    // bench-standard) and a mispredicted branch costs about as much as a keyed draw.
    block.slots.clear();
    block.slots.extend(
        q.active_region
            .iter()
            .map(|a| q.max_applications.min(a.banks.len())),
    );
    block.applicants.resize(len, 0);
    block.order_at.resize(len + 1, 0);
    let (mut count, mut at) = (0, 0);
    for (i, j) in range.clone().enumerate() {
        let applies = q.alive[j] & q.need[j];
        block.applicants[count] = i as u32;
        count += usize::from(applies);
        block.order_at[i] = at;
        at += block.slots[q.firm_region[j] as usize] * usize::from(applies);
    }
    block.order_at[len] = at;
    let applicants = &block.applicants[..count];

    // Orders, written straight into `banks`, and the firm of each slot.
    let most = q
        .active_region
        .iter()
        .map(|a| a.banks.len())
        .max()
        .unwrap_or(0);
    block.banks.resize(at, 0);
    block.slot_firm.resize(at, 0);
    block.keep.resize(most, u64::MAX);
    block.sums.resize(most, 0.0);
    block.uniforms = 0;
    for &i in applicants {
        let i = i as usize;
        let j = block.start + i;
        let active = &q.active_region[q.firm_region[j] as usize];
        let n = active.banks.len();
        let span = block.order_at[i]..block.order_at[i + 1];
        block.uniforms += draw_order(
            active,
            q.key_order.entity(j as u64),
            &mut block.banks[span.clone()],
            &mut block.keep[..n],
            &mut block.sums[..n],
        );
        block.slot_firm[span].fill(j as u32);
    }

    baselines(block, q, count);

    // The fine-tuning errors of every slot, then the scores: one flat pass each.
    block.scores.resize(at, 0.0);
    for ((v, &b), &j) in block
        .scores
        .iter_mut()
        .zip(&block.banks)
        .zip(&block.slot_firm)
    {
        *v = q.key_fine_tune[b].entity(u64::from(j)).uniform();
    }
    normal::inv_cdf_in_place(&mut block.scores);
    let firms = q.quality.len();
    for ((sc, &b), &j) in block
        .scores
        .iter_mut()
        .zip(&block.banks)
        .zip(&block.slot_firm)
    {
        let j = j as usize;
        let err = q.family_error[q.family[b] * firms + j];
        *sc = q.score_weights[b].score(q.quality[j], err, *sc);
    }
    // MODEL.md 4.1: the family's shift and its incident's shared noise, the same for every
    // adopter of the family.
    if q.shifted {
        for ((sc, &b), &j) in block
            .scores
            .iter_mut()
            .zip(&block.banks)
            .zip(&block.slot_firm)
        {
            *sc += q.shift[b];
            if q.noise[b] > 0.0 {
                let m = q.family[b];
                *sc += q.noise[b]
                    * q.key_noise
                        .entity(q.family_key[m])
                        .entity(u64::from(j))
                        .normal();
            }
        }
    }
}

/// The systemic-rejection baseline of the block's creditworthy applicants among its first
/// `count` applicants: each one's probability that independent models reject it at every bank of
/// its order (MODEL.md §9), for the applicants of the quarter's sample ([`QuarterInputs::
/// baseline_share`], draw scheme 2; 0 for the others).
#[inline(always)]
fn baselines(block: &mut FirmBlock, q: &QuarterInputs<'_>, count: usize) {
    // The creditworthy applicants, gathered without branches; with a sample, each kept one is
    // weighted by the inverse of the sampling share so that the quarter's sum estimates the sum
    // over all of them without bias.
    block.all_reject.clear();
    block.all_reject.resize(block.shock.len(), 1.0);
    block.creditworthy.resize(count, 0);
    let sampled = q.baseline_share < 1.0;
    let mut worthy = 0;
    for a in 0..count {
        let i = block.applicants[a];
        let j = block.start + i as usize;
        let r = q.firm_region[j] as usize;
        let x = eq::pd_index_from(q.region_index[r], q.beta, q.quality[j]);
        block.creditworthy[worthy] = i;
        let counted = (x <= q.cutoff_index) & (block.slots[r] > 0);
        worthy += usize::from(counted);
    }
    let mut kept = worthy;
    if sampled {
        // Creditworthy applicants left out of the sample add 0 to the quarter's sum.
        block.uniforms += worthy as u64;
        kept = 0;
        for w in 0..worthy {
            let i = block.creditworthy[w];
            let j = block.start + i as usize;
            block.creditworthy[kept] = i;
            block.all_reject[i as usize] = 0.0;
            kept += usize::from(q.key_baseline.entity(j as u64).uniform() < q.baseline_share);
        }
    }
    let weight = 1.0 / q.baseline_share;
    for w in 0..kept {
        let i = block.creditworthy[w] as usize;
        let j = block.start + i;
        let mut p = 1.0;
        for &b in &block.banks[block.order_at[i]..block.order_at[i + 1]] {
            p *= if q.shifted {
                // The same shift, and the incident noise in quadrature with the model's error.
                let scale = q.error_scale[b].hypot(q.noise[b]);
                eq::independent_rejection_shifted(
                    q.quality[j],
                    q.shift[b],
                    q.theta[b],
                    scale,
                    q.review,
                )
            } else {
                eq::independent_rejection(q.quality[j], q.theta[b], q.error_scale[b], q.review)
            };
        }
        block.all_reject[i] = if sampled { p * weight } else { p };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`draw_order`] with its scratch set up, into a new vector.
    fn order_of(active: &ActiveBanks, k: usize, key: Key) -> Vec<usize> {
        let n = active.banks.len();
        let mut out = vec![0; k.min(n)];
        let mut keep = vec![u64::MAX; n];
        let mut sums = vec![0.0; n];
        draw_order(active, key, &mut out, &mut keep, &mut sums);
        assert!(keep.iter().all(|&m| m == u64::MAX), "scratch left as found");
        out
    }

    /// The probability of drawing the ordered banks `seq` (positions in `w`) without replacement,
    /// each draw proportional to the shares not yet drawn (MODEL.md §4).
    fn order_probability(w: &[f64], seq: &[usize]) -> f64 {
        let mut left: f64 = w.iter().sum();
        let mut p = 1.0;
        for &i in seq {
            p *= w[i] / left;
            left -= w[i];
        }
        p
    }

    #[test]
    fn application_orders_have_the_sequential_distribution() {
        // Every ordered pair of 4 banks, and the lists with one bank of 99.99% of the market (a
        // second slot misses 16 times with probability 0.9999^16 = 0.998: the fallback to the
        // running sums) and of 90%: 40,000 orders each; every pair's count is within 4.5 sd of
        // its binomial expectation (about 1 false alarm in 10^5 cells).
        let cases: [&[f64]; 4] = [
            &[0.4, 0.3, 0.2, 0.1],
            &[0.9999, 0.00005, 0.00003, 0.00002],
            &[0.9, 0.05, 0.03, 0.02],
            &[0.25, 0.25, 0.25, 0.25],
        ];
        let n = 40_000u64;
        for (c, w) in cases.iter().enumerate() {
            let active = ActiveBanks::new(w.iter().copied().enumerate());
            let mut counts = [[0u64; 4]; 4];
            for f in 0..n {
                let o = order_of(&active, 2, Key::new(11 + c as u64).entity(f));
                counts[o[0]][o[1]] += 1;
            }
            for (i, row) in counts.iter().enumerate() {
                for (k, &got) in row.iter().enumerate() {
                    let p = if i == k {
                        0.0
                    } else {
                        order_probability(w, &[i, k])
                    };
                    let mean = p * n as f64;
                    let sd = (mean * (1.0 - p)).sqrt().max(0.5);
                    assert!(
                        (got as f64 - mean).abs() <= 4.5 * sd,
                        "case {c}: order ({i}, {k}) drawn {got} times, expected {mean:.1} (sd {sd:.1})"
                    );
                }
            }
        }
    }

    #[test]
    fn long_lists_locate_by_bisection_as_by_counting() {
        // Above COUNT_BANKS banks the uniform is located by bisection: the same entry as the
        // count, on a list with ties (a zero share) and at every sum exactly.
        let mut w: Vec<f64> = (0..200)
            .map(|i| Key::new(3).entity(i).uniform().powi(4))
            .collect();
        w[17] = 0.0;
        let mut sums = vec![0.0; w.len()];
        running_sums(&w, |_| u64::MAX, &mut sums);
        let count = |u: f64| sums.iter().filter(|&&s| s <= u).count();
        for u in sums
            .iter()
            .copied()
            .chain((0..5000).map(|i| Key::new(4).entity(i).uniform() * sums[199]))
        {
            let want = (count(u) < sums.len()).then_some(count(u));
            assert_eq!(locate(&sums, u), want, "u {u}");
        }
        // Orders over 146 banks (a China-scale province) are permutations.
        let active = ActiveBanks::new(w.iter().copied().enumerate().filter(|x| x.1 > 0.0));
        for f in 0..2000 {
            let mut o = order_of(&active, 3, Key::new(5).entity(f));
            o.sort_unstable();
            o.dedup();
            assert_eq!(o.len(), 3);
        }
    }

    #[test]
    fn application_order_is_without_replacement_and_follows_shares() {
        // Three banks with shares 0.6, 0.3, 0.1: the first slot goes to bank 0 with probability
        // 0.6. Over 20,000 keys the frequency has sd sqrt(0.24/20000) = 0.0035; 4 sd tolerance.
        let active = ActiveBanks::new([(0, 0.6), (1, 0.3), (2, 0.1)].into_iter());
        let mut first0 = 0;
        let n = 20_000;
        for i in 0..n {
            let mut sorted = order_of(&active, 3, Key::new(1).entity(i));
            if sorted[0] == 0 {
                first0 += 1;
            }
            sorted.sort_unstable();
            assert_eq!(sorted, vec![0, 1, 2]);
        }
        let f = f64::from(first0) / n as f64;
        assert!((f - 0.6).abs() < 4.0 * 0.0035, "{f}");
        assert_eq!(order_of(&active, 2, Key::new(2)).len(), 2);
        let none = ActiveBanks::new(std::iter::empty());
        assert!(order_of(&none, 3, Key::new(2)).is_empty());
    }

    #[test]
    fn located_entry_is_first_sum_above_the_uniform() {
        let sums = [0.25, 0.25, 0.5, 1.0];
        assert_eq!(locate(&sums, 0.0), Some(0));
        assert_eq!(locate(&sums, 0.25), Some(2));
        assert_eq!(locate(&sums, 0.99), Some(3));
        assert_eq!(locate(&sums, 1.0), None);
        assert_eq!(locate(&sums, f64::NAN), None);
    }
}
