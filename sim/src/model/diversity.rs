//! The diversity cap (MODEL.md §8): a rule of the model, applied to the banks before the run.

use crate::scenario::{Bank, Family, Reassignment, family_shares};

/// The diversity cap's rule (MODEL.md §8), applied before the run: while the family with the
/// largest share of system assets is over `cap`, move its smallest bank (ties: the earlier in
/// bank order) to the family with the smallest share (ties: the earlier family), provided the
/// move lowers the largest share. Returns the moves, or the smallest largest share reached when
/// the cap cannot be met.
pub fn apply_diversity_cap(
    banks: &mut [Bank],
    families: &[Family],
    cap: f64,
) -> Result<Vec<Reassignment>, f64> {
    let mut moves = Vec::new();
    let total: f64 = banks.iter().map(Bank::assets).sum();
    if total <= 0.0 || families.len() < 2 {
        let shares = family_shares(banks, families.len());
        let max = shares.iter().copied().fold(0.0, f64::max);
        return if max <= cap + 1e-12 {
            Ok(moves)
        } else {
            Err(max)
        };
    }
    loop {
        let shares = family_shares(banks, families.len());
        let (fmax, smax) = argmax(&shares);
        if smax <= cap + 1e-12 {
            return Ok(moves);
        }
        let (fmin, smin) = argmin(&shares);
        // smallest bank of the largest family
        let Some(bi) = (0..banks.len())
            .filter(|&i| banks[i].family == fmax)
            .min_by(|&a, &b| {
                banks[a]
                    .assets()
                    .total_cmp(&banks[b].assets())
                    .then(a.cmp(&b))
            })
        else {
            return Err(smax);
        };
        let s = banks[bi].assets() / total;
        // The move must lower the maximum: the receiving family stays below the old maximum.
        if smin + s >= smax - 1e-12 {
            return Err(smax);
        }
        moves.push(Reassignment {
            bank: banks[bi].id.clone(),
            from: families[fmax].name.clone(),
            to: families[fmin].name.clone(),
        });
        banks[bi].family = fmin;
    }
}

fn argmax(xs: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::NEG_INFINITY);
    for (i, &x) in xs.iter().enumerate() {
        if x > best.1 {
            best = (i, x);
        }
    }
    best
}

fn argmin(xs: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, &x) in xs.iter().enumerate() {
        if x < best.1 {
            best = (i, x);
        }
    }
    best
}
