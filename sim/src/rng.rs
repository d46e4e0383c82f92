//! Addressable random numbers (MODEL.md §1).
//!
//! Every draw is a pure function of `(seed, path, purpose, quarter, entity...)`: a [`Key`] absorbs
//! the parts one by one with a bijective 64-bit mixer, and the finished key is turned into a
//! uniform on the open interval (0, 1) or, by the exact inverse normal CDF, into a standard normal.
//! Nothing depends on thread count, shard split, evaluation order or which modules are switched on,
//! so two scenarios run on one seed share every draw of the entities they have in common (common
//! random numbers).
//!
//! Entities are addressed by stable keys: firms by index, banks, families and regions by a hash of
//! their name ([`name_key`]), so that adding a bank to a scenario does not move the draws of the
//! others.
//!
//! ```
//! use sim::rng::{Key, Purpose};
//! let a = Key::new(7).path(3).purpose(Purpose::FirmShock).quarter(2).entity(41).normal();
//! let b = Key::new(7).path(3).purpose(Purpose::FirmShock).quarter(2).entity(41).normal();
//! assert_eq!(a.to_bits(), b.to_bits());
//! ```

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::normal;

/// What a draw is for. The discriminant is part of the key, so values must never be reused or
/// renumbered: add new purposes at the end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u64)]
pub enum Purpose {
    /// Ornstein–Uhlenbeck innovation of the rate, per quarter.
    RateNoise = 1,
    /// Economy-wide factor `Z_t`.
    CommonFactor = 2,
    /// Regional factor `W_{r,t}`, per region.
    RegionFactor = 3,
    /// Firm latent credit quality `q_j`.
    FirmQuality = 4,
    /// Firm credit need size `d_j`.
    FirmSize = 5,
    /// Lender of the firm's loan at the start.
    InitialLender = 6,
    /// Model error shared by all families, `c_j`.
    CommonModelError = 7,
    /// A family's own model error `u_mj`.
    FamilyModelError = 8,
    /// A bank's fine-tuning error `v_ij`.
    FineTuneError = 9,
    /// Whether a firm's loan matures this quarter.
    CreditNeed = 10,
    /// Firm's own default shock `e_jt`.
    FirmShock = 11,
    /// Order of the banks a firm applies to.
    ApplicationOrder = 12,
    /// Whether a rejection goes to human review.
    ReviewSelect = 13,
    /// The human reviewer's independent error.
    ReviewError = 14,
    /// The emergency facility's independent model error.
    FacilityError = 15,
    /// Independent-error baseline of the decision-agreement measure.
    IndependentError = 16,
    /// Bank generation from groups (not per path).
    BankGroup = 17,
    /// Interbank network generation.
    Network = 18,
    /// Idiosyncratic shocks (random failures).
    Shock = 19,
    /// The probe sample of decision agreement, drawn afresh each quarter.
    ProbeSample = 20,
    /// Whether a bank reviews its model family at a review (MODEL.md 4.1), per quarter and bank.
    AdoptionReview = 21,
    /// A bank's fine-tuning errors `v_ij` after a switch of family, per bank and switch count.
    SwitchFineTune = 22,
    /// Whether a random shared-model incident starts, per quarter, incident and family.
    IncidentStart = 23,
    /// The shared noise `n_mjt` of a noise incident, per quarter, family and firm.
    IncidentNoise = 24,
    /// Whether a creditworthy applicant's independence baseline of systemic rejection is computed
    /// (MODEL.md §9, draw scheme 2: [`crate::model::Model::baseline_share`]), per quarter and firm.
    BaselineSample = 25,
}

/// The version of the random-number scheme: which keyed draws a path makes and how they become
/// uniforms, normals and choices. Same scenario + seed + scheme gives the same results bit for
/// bit; results of two schemes differ by Monte Carlo noise only. Recorded in every result
/// folder's manifest; merging shards or resuming a run across schemes is refused.
///
/// - **1** (herdlab up to 0.1 of 2026-12-04): two SplitMix64 rounds per draw (the key absorbing
///   its last part, then a finaliser), application orders by running sums of the shares with the
///   drawn banks left out.
/// - **2**: one mixing round per draw (the key that absorbed the draw's last part is the draw's
///   64 bits); application orders by rejection: a slot redraws over all the region's banks until
///   it hits one not yet drawn (at most [`ORDER_TRIES`](crate::model::ORDER_TRIES) tries, then by
///   the running sums as in scheme 1), which has the same distribution; the independence
///   baseline of systemic rejection summed over a keyed sample of the creditworthy applicants,
///   each weighted by the inverse of the sampling share (an unbiased estimate; all of them in
///   scenarios of up to [`BASELINE_FIRMS`](crate::model::BASELINE_FIRMS) firms).
pub const DRAW_SCHEME: u32 = 2;

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
const ODD: u64 = 0xD6E8_FEB8_6659_FD93;

/// The SplitMix64 finaliser (Stafford's variant 13): a bijection of `u64` with full avalanche.
#[inline]
pub const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Absorbs one key part. For a fixed `h` this is a bijection of `x`, so keys that differ only in
/// their last part never collide.
#[inline]
const fn absorb(h: u64, x: u64) -> u64 {
    mix(h.wrapping_add(GOLDEN) ^ x.wrapping_mul(ODD))
}

/// A stable 64-bit key for a name (FNV-1a, then mixed).
pub fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}

/// A partial address of a draw. Cheap to copy; extend it with [`Key::path`], [`Key::purpose`],
/// [`Key::quarter`] and [`Key::entity`], then draw with [`Key::uniform`] or [`Key::normal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(u64);

impl Key {
    /// The root key of a seed.
    pub const fn new(seed: u64) -> Self {
        Key(absorb(0x6865_7264_6C61_6221, seed))
    }

    /// Adds the Monte Carlo path.
    #[inline]
    pub const fn path(self, path: u64) -> Self {
        Key(absorb(self.0, path ^ 0x01))
    }

    /// Adds the purpose of the draw.
    #[inline]
    pub const fn purpose(self, purpose: Purpose) -> Self {
        Key(absorb(self.0, (purpose as u64) << 8 | 0x02))
    }

    /// Adds the quarter.
    #[inline]
    pub const fn quarter(self, quarter: u32) -> Self {
        Key(absorb(self.0, (quarter as u64) << 8 | 0x03))
    }

    /// Adds an entity (a firm index, a [`name_key`], a slot number...).
    #[inline]
    pub const fn entity(self, entity: u64) -> Self {
        Key(absorb(self.0, entity))
    }

    /// The raw 64 random bits at this address: the key itself, the output of the mixer that
    /// absorbed its last part (draw scheme 2: one mixing round per draw; scheme 1 mixed the key
    /// once more).
    #[inline]
    pub const fn bits(self) -> u64 {
        self.0
    }

    /// A uniform draw on the open interval (0, 1): 53 random bits, centred in their cell.
    #[inline]
    pub fn uniform(self) -> f64 {
        #[cfg(test)]
        note(DRAWN_UNIFORM, 1);
        ((self.bits() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw, by the exact inverse CDF of [`Key::uniform`] (so a draw moves
    /// monotonically with its uniform, which keeps paired comparisons tight).
    #[inline]
    pub fn normal(self) -> f64 {
        #[cfg(test)]
        note(DRAWN_NORMAL, 1);
        normal::inv_cdf(self.uniform())
    }

    /// A seeded generator for work that needs a stream of draws at one address (bank groups,
    /// network generation), for use with `rand` and `rand_distr`.
    pub fn stream(self) -> Xoshiro256PlusPlus {
        Xoshiro256PlusPlus::seed_from_u64(self.bits())
    }
}

/// `out[i] = key.entity(first + i).uniform()` for every `i`: the very draws of
/// [`Key::uniform`], made for a block at once. Compiled also for AVX2 and AVX-512 and chosen at
/// run time, where the keyed hashes vectorise (integer arithmetic gives the same bits in every
/// version).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+avx+popcnt+sse4.2",
    "x86_64+avx2+avx+popcnt+sse4.2"
))]
pub fn fill_uniforms(key: Key, first: u64, out: &mut [f64]) {
    for (x, e) in out.iter_mut().zip(first..) {
        *x = key.entity(e).uniform();
    }
}

/// The draws made on this thread so far, by kind, counted in unit-test builds only (for the
/// test that the path's own [`DrawCounts`](crate::model::DrawCounts) counts what is drawn).
#[cfg(test)]
pub(crate) fn drawn() -> crate::model::DrawCounts {
    let [uniform, normal, block] = DRAWN.get();
    crate::model::DrawCounts {
        uniforms: uniform - normal - block,
        normals: normal + block,
    }
}

// Counters of `drawn`: calls of `Key::uniform` (also those inside `Key::normal` and
// `fill_uniforms`), calls of `Key::normal`, and uniforms made normal in a block
// (`normal::inv_cdf_in_place`).
#[cfg(test)]
thread_local! {
    static DRAWN: std::cell::Cell<[u64; 3]> = const { std::cell::Cell::new([0; 3]) };
}
#[cfg(test)]
const DRAWN_UNIFORM: usize = 0;
#[cfg(test)]
const DRAWN_NORMAL: usize = 1;
#[cfg(test)]
pub(crate) const DRAWN_BLOCK_NORMALS: usize = 2;

/// Adds `n` to the counter `kind` of [`drawn`].
#[cfg(test)]
pub(crate) fn note(kind: usize, n: u64) {
    DRAWN.with(|c| {
        let mut v = c.get();
        v[kind] += n;
        c.set(v);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_on_every_key_part() {
        let base = Key::new(1)
            .path(2)
            .purpose(Purpose::FirmShock)
            .quarter(3)
            .entity(4);
        let variants = [
            Key::new(2)
                .path(2)
                .purpose(Purpose::FirmShock)
                .quarter(3)
                .entity(4),
            Key::new(1)
                .path(3)
                .purpose(Purpose::FirmShock)
                .quarter(3)
                .entity(4),
            Key::new(1)
                .path(2)
                .purpose(Purpose::CreditNeed)
                .quarter(3)
                .entity(4),
            Key::new(1)
                .path(2)
                .purpose(Purpose::FirmShock)
                .quarter(4)
                .entity(4),
            Key::new(1)
                .path(2)
                .purpose(Purpose::FirmShock)
                .quarter(3)
                .entity(5),
        ];
        for v in variants {
            assert_ne!(base.bits(), v.bits());
        }
        assert_eq!(
            base.bits(),
            Key::new(1)
                .path(2)
                .purpose(Purpose::FirmShock)
                .quarter(3)
                .entity(4)
                .bits()
        );
    }

    #[test]
    fn uniforms_are_in_open_unit_interval_and_uniform() {
        // 100,000 draws in 10 bins: each bin count is Binomial(1e5, 0.1), sd = 94.9; a chi-square
        // with 9 degrees of freedom above 27.9 has probability 0.001.
        let key = Key::new(99).path(0).purpose(Purpose::FirmShock).quarter(1);
        let mut bins = [0usize; 10];
        let n = 100_000u64;
        let mut sum = 0.0;
        for j in 0..n {
            let u = key.entity(j).uniform();
            assert!(u > 0.0 && u < 1.0);
            sum += u;
            bins[(u * 10.0) as usize] += 1;
        }
        let expected = n as f64 / 10.0;
        let chi2: f64 = bins
            .iter()
            .map(|&b| (b as f64 - expected).powi(2) / expected)
            .sum();
        assert!(chi2 < 27.9, "chi2 = {chi2}");
        // Mean within 4 standard errors (sd of U(0,1) is 0.2887).
        let mean = sum / n as f64;
        assert!(
            (mean - 0.5).abs() < 4.0 * 0.2887 / (n as f64).sqrt(),
            "mean {mean}"
        );
    }

    #[test]
    fn normals_have_unit_variance_and_no_correlation_between_neighbours() {
        // n = 200,000: se of the mean 0.0022, of the variance sqrt(2/n) = 0.0032, of a lag-1
        // correlation 1/sqrt(n) = 0.0022. Tolerance: 4 standard errors.
        let key = Key::new(5).path(1).purpose(Purpose::FirmQuality);
        let n = 200_000u64;
        let xs: Vec<f64> = (0..n).map(|j| key.entity(j).normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let lag: f64 = xs.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / (n - 1) as f64;
        let se = 1.0 / (n as f64).sqrt();
        assert!(mean.abs() < 4.0 * se, "mean {mean}");
        assert!((var - 1.0).abs() < 4.0 * (2.0f64).sqrt() * se, "var {var}");
        assert!(lag.abs() < 4.0 * se, "lag-1 correlation {lag}");
    }

    #[test]
    fn block_uniforms_are_the_draws_one_by_one() {
        let key = Key::new(3).path(1).purpose(Purpose::CreditNeed).quarter(2);
        for (first, len) in [(0u64, 0usize), (0, 1), (7, 255), (1_000_000, 1000)] {
            let mut out = vec![0.0; len];
            fill_uniforms(key, first, &mut out);
            for (i, x) in out.iter().enumerate() {
                assert_eq!(
                    x.to_bits(),
                    key.entity(first + i as u64).uniform().to_bits()
                );
            }
        }
    }

    #[test]
    fn name_keys_differ_for_similar_names() {
        assert_ne!(name_key("B1"), name_key("B2"));
        assert_ne!(name_key("north"), name_key("North"));
        assert_eq!(name_key("AT01"), name_key("AT01"));
    }
}
