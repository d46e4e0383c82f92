//! Building the interbank exposure matrix of a scenario (MODEL.md §6) from its network settings,
//! with every random draw taken from an addressable key.

use nalgebra::DMatrix;

use crate::contagion::{ContagionError, network};
use crate::rng::Key;
use crate::scenario::{Interbank, Network, Scenario, Weights};

/// RAS tolerance relative to the largest interbank total.
const RAS_REL_TOL: f64 = 1e-10;
/// RAS sweeps at most.
const RAS_MAX_ITER: usize = 10_000;
/// What to do when the links drawn cannot carry the banks' interbank totals.
const SPARSE_HINT: &str = "the links drawn cannot carry these totals: use weights = \"equal\", a denser network, repair = true, or reconstruction";

/// The exposure matrix `X[(i, j)]` (bank `i` lent to bank `j`) for one draw of the network.
///
/// Generated networks take their links from uniforms at `key.entity(1), key.entity(2), ...` and
/// are used as drawn (MODEL.md §6): a bank that draws no borrower has no interbank assets and
/// cannot be hit through the network. Only with `repair = true` (off by default) does a bank with
/// interbank assets but no borrower get one borrower drawn uniformly among the other banks (and
/// likewise a bank with liabilities but no lender), with uniforms taken after the network's.
/// Then weights are put on the links: equal shares of each lender's interbank assets, or maximum
/// entropy (RAS) matching assets and liabilities.
pub fn exposures(s: &Scenario, ib: &Interbank, key: Key) -> Result<DMatrix<f64>, ContagionError> {
    let n = s.banks.len();
    let assets: Vec<f64> = s.banks.iter().map(|b| b.interbank_assets).collect();
    let liabilities: Vec<f64> = s.banks.iter().map(|b| b.interbank_liabilities).collect();
    let scale = assets
        .iter()
        .chain(&liabilities)
        .copied()
        .fold(1.0, f64::max);
    let mut counter = 0u64;
    let mut uniform = move || {
        counter += 1;
        key.entity(counter).uniform()
    };
    let (edges, weights) = match &ib.network {
        Network::Explicit(triples) => {
            let mut x = DMatrix::zeros(n, n);
            for &(i, j, v) in triples {
                x[(i, j)] = v;
            }
            return Ok(x);
        }
        Network::Reconstructed { minimum_density } => {
            let r = if *minimum_density {
                network::minimum_density(&assets, &liabilities)?
            } else {
                network::ras(
                    &assets,
                    &liabilities,
                    None,
                    RAS_REL_TOL * scale,
                    RAS_MAX_ITER,
                )?
            };
            return converged(r);
        }
        Network::ErdosRenyi {
            mean_degree,
            weights,
        } => (
            network::erdos_renyi(n, mean_degree.min((n.max(1) - 1) as f64), &mut uniform)?,
            *weights,
        ),
        Network::CorePeriphery { core, p, weights } => {
            // The core is the `core` largest banks by assets (ties: bank order).
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| {
                s.banks[b]
                    .assets()
                    .total_cmp(&s.banks[a].assets())
                    .then(a.cmp(&b))
            });
            let edges =
                network::core_periphery(n, (*core).min(n), p[0], p[1], p[2], p[3], &mut uniform)?;
            (
                edges
                    .into_iter()
                    .map(|(i, j)| (order[i], order[j]))
                    .collect(),
                *weights,
            )
        }
        Network::ScaleFree { m, weights } => (
            network::scale_free(n, (*m).min(n.saturating_sub(1)).max(1), &mut uniform)?,
            *weights,
        ),
    };
    let edges = if ib.repair {
        repair(n, edges, &assets, &liabilities, &mut uniform)
    } else {
        edges
    };
    match weights {
        Weights::Equal => {
            let mut out_degree = vec![0usize; n];
            for &(i, _) in &edges {
                out_degree[i] += 1;
            }
            let mut x = DMatrix::zeros(n, n);
            for &(i, j) in &edges {
                x[(i, j)] = assets[i] / out_degree[i] as f64;
            }
            Ok(x)
        }
        Weights::Ras => converged(
            network::weighted_on_support(
                &edges,
                &assets,
                &liabilities,
                RAS_REL_TOL * scale,
                RAS_MAX_ITER,
            )
            .map_err(|e| match e {
                ContagionError::Infeasible { message } => ContagionError::Infeasible {
                    message: format!("{message}; {SPARSE_HINT}"),
                },
                other => other,
            })?,
        ),
    }
}

/// The exposures of a reconstruction that met its totals, or an error saying by how much it
/// missed (RAS on a sparse support can be infeasible, and iterations stop at a limit).
fn converged(r: network::Reconstruction) -> Result<DMatrix<f64>, ContagionError> {
    if r.converged {
        Ok(r.exposures)
    } else {
        Err(ContagionError::Infeasible {
            message: format!(
                "maximum-entropy (RAS) weights did not match the banks' interbank totals after {} iterations (largest miss {:.3e}); {SPARSE_HINT}",
                r.iterations, r.max_error
            ),
        })
    }
}

/// Adds a link for every bank with assets but no borrower, and with liabilities but no lender.
fn repair(
    n: usize,
    mut edges: Vec<(usize, usize)>,
    assets: &[f64],
    liabilities: &[f64],
    uniform: &mut dyn FnMut() -> f64,
) -> Vec<(usize, usize)> {
    if n < 2 {
        return Vec::new();
    }
    let other = |i: usize, u: f64| -> usize {
        let k = ((u * (n - 1) as f64) as usize).min(n - 2);
        if k >= i { k + 1 } else { k }
    };
    for i in 0..n {
        if assets[i] > 0.0 && !edges.iter().any(|&(a, _)| a == i) {
            let j = other(i, uniform());
            edges.push((i, j));
        }
        if liabilities[i] > 0.0 && !edges.iter().any(|&(_, b)| b == i) {
            let j = other(i, uniform());
            edges.push((j, i));
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ras_weights_that_cannot_meet_the_totals_are_an_error() {
        // Bank 0 must lend 6, all to bank 1, which borrows only 5: no weights on these two links
        // match the totals.
        let r = network::weighted_on_support(
            &[(0, 1), (1, 2)],
            &[6.0, 4.0, 0.0],
            &[0.0, 5.0, 5.0],
            1e-10,
            2_000,
        )
        .expect("runs");
        let err = converged(r).expect_err("infeasible").to_string();
        assert!(
            err.contains("did not match the banks' interbank totals"),
            "{err}"
        );
        let ok = network::weighted_on_support(
            &[(0, 1), (1, 2), (0, 2)],
            &[6.0, 4.0, 0.0],
            &[0.0, 5.0, 5.0],
            1e-10,
            2_000,
        )
        .expect("runs");
        assert!(converged(ok).is_ok());
    }

    #[test]
    fn repair_gives_every_lender_a_borrower_and_every_borrower_a_lender() {
        let mut u = {
            let mut k = 0u64;
            move || {
                k += 1;
                Key::new(3).entity(k).uniform()
            }
        };
        let e = repair(
            4,
            vec![(0, 1)],
            &[1.0, 1.0, 0.0, 1.0],
            &[1.0, 1.0, 1.0, 0.0],
            &mut u,
        );
        for i in [0, 1, 3] {
            assert!(
                e.iter().any(|&(a, b)| a == i && b != i),
                "lender {i}: {e:?}"
            );
        }
        for j in [0, 1, 2] {
            assert!(
                e.iter().any(|&(a, b)| b == j && a != j),
                "borrower {j}: {e:?}"
            );
        }
        assert!(e.iter().all(|&(a, b)| a != b));
    }
}
