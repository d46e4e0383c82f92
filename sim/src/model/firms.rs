//! The simulated firms of one path (MODEL.md §3, §4): what is drawn once per path — quality, credit
//! need size, the families' model errors, the first lender — and the state that moves each quarter.

use super::Model;
use super::draws::Tally;
use super::equations as eq;
use crate::normal;
use crate::rng::{self, Key, Purpose};

/// `lender` value of a firm with no loan outstanding.
pub(super) const NO_LENDER: u32 = u32::MAX;
/// `lender` value of a firm whose loan is held by the emergency facility.
pub(super) const FACILITY: u32 = u32::MAX - 1;
/// Firms whose keyed draws are made together (for `normal::inv_cdf_in_place` and
/// [`super::applications::FirmBlock`]).
pub(super) const FIRM_BLOCK: usize = 256;

/// The blocks of [`FIRM_BLOCK`] firms that `0..count` is cut into, in order.
pub(super) fn blocks(count: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    (0..count)
        .step_by(FIRM_BLOCK)
        .map(move |start| start..(start + FIRM_BLOCK).min(count))
}

/// Every simulated firm on one path, as columns indexed by firm.
pub(super) struct Firms {
    /// Latent credit quality `q_j`.
    pub(super) quality: Vec<f64>,
    /// Credit need `d_j` in money (the size times the firm weight).
    pub(super) size: Vec<f64>,
    /// Model errors `err_mj`, family by family: `error[m * count + j]`.
    pub(super) error: Vec<f64>,
    /// The bank holding its loan, [`NO_LENDER`] or [`FACILITY`].
    pub(super) lender: Vec<u32>,
    /// Whether it has not defaulted.
    pub(super) alive: Vec<bool>,
    /// Whether it needs credit this quarter.
    pub(super) need: Vec<bool>,
}

impl Firms {
    /// Draws the firms of the path whose draws hang off `root`, and each firm's first lender by
    /// regional market share (§3).
    pub(super) fn draw(model: &Model<'_>, root: Key, draws: &mut impl Tally) -> Self {
        let s = model.scenario;
        let fs = &s.firms;
        let nf = fs.count;
        let nm = s.models.families.len();
        let kq = root.purpose(Purpose::FirmQuality);
        let ksize = root.purpose(Purpose::FirmSize);
        let kc = root.purpose(Purpose::CommonModelError);
        let kfam: Vec<Key> = model
            .family_key
            .iter()
            .map(|&k| root.purpose(Purpose::FamilyModelError).entity(k))
            .collect();
        let mut quality = Vec::with_capacity(nf);
        let mut size = Vec::with_capacity(nf);
        let mut error = vec![0.0; nm * nf];
        let rho = s.models.similarity;
        draws.normals((nf * (3 + nm)) as u64);
        // The normal draws a block of firms at a time, for `inv_cdf_in_place`.
        let mut common = Vec::with_capacity(FIRM_BLOCK);
        for range in blocks(nf) {
            let normals = |key: Key, out: &mut [f64]| {
                rng::fill_uniforms(key, range.start as u64, out);
                normal::inv_cdf_in_place(out);
            };
            quality.resize(range.end, 0.0);
            normals(kq, &mut quality[range.clone()]);
            for (x, j) in quality[range.clone()].iter_mut().zip(range.clone()) {
                *x += s.regions[model.firm_region[j] as usize].quality_mean;
            }
            size.resize(range.end, 0.0);
            normals(ksize, &mut size[range.clone()]);
            for x in &mut size[range.clone()] {
                *x = fs.weight * fs.size_median * (fs.size_sigma * *x).exp();
            }
            common.resize(range.len(), 0.0);
            normals(kc, &mut common);
            for (m, &k) in kfam.iter().enumerate() {
                let own = &mut error[m * nf + range.start..m * nf + range.end];
                normals(k, own);
                for (x, &c) in own.iter_mut().zip(&common) {
                    *x = eq::family_error(rho, c, *x);
                }
            }
        }
        let klend = root.purpose(Purpose::InitialLender);
        let lender = (0..nf)
            .map(|j| {
                let banks = &model.region_banks[model.firm_region[j] as usize];
                if banks.is_empty() {
                    NO_LENDER
                } else {
                    draws.uniforms(1);
                    pick(banks, klend.entity(j as u64).uniform()) as u32
                }
            })
            .collect();
        Firms {
            quality,
            size,
            error,
            lender,
            alive: vec![true; nf],
            need: vec![false; nf],
        }
    }
}

/// Picks an index from `(item, weight)` pairs whose weights sum to about 1, by a uniform `u`.
pub(super) fn pick(list: &[(usize, f64)], u: f64) -> usize {
    let mut acc = 0.0;
    for &(i, w) in list {
        acc += w;
        if u < acc {
            return i;
        }
    }
    list.last().map_or(0, |x| x.0)
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

    #[test]
    fn blocks_cover_every_firm_once_in_order() {
        let b: Vec<_> = blocks(2 * FIRM_BLOCK + 3).collect();
        assert_eq!(
            b,
            vec![
                0..FIRM_BLOCK,
                FIRM_BLOCK..2 * FIRM_BLOCK,
                2 * FIRM_BLOCK..2 * FIRM_BLOCK + 3
            ]
        );
        assert_eq!(blocks(0).count(), 0);
    }
}
