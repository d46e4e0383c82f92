//! A plain simulation of Gai & Kapadia (2010), "Contagion in financial networks", Proc. R. Soc. A
//! 466:2401–2423, written from the paper's set-up and not from the engine, to check the engine's
//! cascade experiment (`scenarios/interbank-cascade.toml`) independently.
//!
//! The set-up (their section 4): `n` banks on a directed Erdős–Rényi graph, each ordered pair
//! `(i, j)` linked with probability `p = z / (n - 1)` (a link: `i` lent to `j`); each bank's
//! interbank assets are 20% of its assets, split evenly over its borrowers; its capital buffer is
//! 4% of its assets; a failed borrower repays nothing (zero recovery). One bank, drawn at random,
//! fails. A bank with `k` borrowers, `f` of which have failed, has lost `f × 20 / k` of 4 units of
//! capital and fails when that loss *exceeds* its capital: `5 f > k` (exact, in integers). A bank
//! with no borrower cannot be hit. Contagion: more than 5% of the banks fail; its extent: the
//! share of banks failing, given contagion.
//!
//! Randomness: SplitMix64 (Steele, Lea & Flood 2014), unrelated to the engine's keyed draws.
#![allow(dead_code)]

/// SplitMix64: a small, well-mixed 64-bit generator.
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// One draw of the experiment: the number of banks that fail.
pub fn failures(n: usize, z: f64, rng: &mut SplitMix64) -> usize {
    let (borrowers, creditors) = network(n, z, rng);
    cascade(&borrowers, &creditors, rng)
}

/// The number of links of one draw of the network (a check of the generator).
pub fn links(n: usize, z: f64, rng: &mut SplitMix64) -> usize {
    network(n, z, rng).0.iter().sum()
}

/// One draw of the network: each bank's number of borrowers, and each bank's lenders.
fn network(n: usize, z: f64, rng: &mut SplitMix64) -> (Vec<usize>, Vec<Vec<usize>>) {
    let p = z / (n - 1) as f64;
    let mut borrowers = vec![0usize; n];
    // creditors[j]: the banks that lent to j.
    let mut creditors: Vec<Vec<usize>> = vec![Vec::new(); n];
    // The n (n - 1) ordered pairs in turn, each linked with probability p: the gap to the next
    // link is geometric, floor(ln U / ln(1 - p)) pairs (Batagelj & Brandes 2005).
    let pairs = n * (n - 1);
    if p > 0.0 {
        let log_q = (1.0 - p).ln();
        let mut k: usize = 0;
        loop {
            let u = 1.0 - rng.uniform(); // in (0, 1]
            let gap = (u.ln() / log_q).floor();
            if gap >= (pairs - k) as f64 {
                break;
            }
            k += gap as usize;
            let (i, r) = (k / (n - 1), k % (n - 1));
            let j = if r >= i { r + 1 } else { r };
            borrowers[i] += 1;
            creditors[j].push(i);
            k += 1;
            if k >= pairs {
                break;
            }
        }
    }
    (borrowers, creditors)
}

/// One random initial failure, then failures spread to every bank that has lost more than its
/// capital; returns how many banks fail.
fn cascade(borrowers: &[usize], creditors: &[Vec<usize>], rng: &mut SplitMix64) -> usize {
    let n = borrowers.len();
    let first = ((rng.uniform() * n as f64) as usize).min(n - 1);
    let mut failed = vec![false; n];
    let mut hits = vec![0usize; n];
    failed[first] = true;
    let mut queue = vec![first];
    let mut count = 1;
    while let Some(j) = queue.pop() {
        for &i in &creditors[j] {
            if failed[i] {
                continue;
            }
            hits[i] += 1;
            if 5 * hits[i] > borrowers[i] {
                failed[i] = true;
                count += 1;
                queue.push(i);
            }
        }
    }
    count
}

/// The two curves at one mean degree: how many of `runs` draws saw contagion, and the extent
/// (share of banks failing) of each draw with contagion.
#[derive(Clone, Debug, Default)]
pub struct Curves {
    /// Draws.
    pub runs: usize,
    /// Draws with contagion (more than 5% of banks failing).
    pub contagions: usize,
    /// The failing share of each draw with contagion.
    pub extents: Vec<f64>,
}

impl Curves {
    /// From the failing shares of every draw.
    pub fn from_shares(shares: &[f64]) -> Self {
        let extents: Vec<f64> = shares.iter().copied().filter(|&s| s > 0.05).collect();
        Curves {
            runs: shares.len(),
            contagions: extents.len(),
            extents,
        }
    }

    /// Probability of contagion.
    pub fn probability(&self) -> f64 {
        self.contagions as f64 / self.runs.max(1) as f64
    }

    /// Its binomial standard error.
    pub fn probability_se(&self) -> f64 {
        let p = self.probability();
        (p * (1.0 - p) / self.runs.max(1) as f64).sqrt()
    }

    /// Mean extent given contagion (NaN without contagion) and its standard error.
    pub fn extent(&self) -> (f64, f64) {
        let k = self.extents.len();
        if k == 0 {
            return (f64::NAN, f64::NAN);
        }
        let m = self.extents.iter().sum::<f64>() / k as f64;
        if k < 2 {
            return (m, f64::NAN);
        }
        let var = self.extents.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (k - 1) as f64;
        (m, (var / k as f64).sqrt())
    }
}

/// The plain simulation's curves at mean degree `z`: `runs` draws of `n` banks.
pub fn simulate(n: usize, z: f64, runs: usize, seed: u64) -> Curves {
    let mut rng = SplitMix64::new(seed ^ z.to_bits());
    let shares: Vec<f64> = (0..runs)
        .map(|_| failures(n, z, &mut rng) as f64 / n as f64)
        .collect();
    Curves::from_shares(&shares)
}

/// Pooled two-proportion z statistic of `a` against `b` (0 when both are 0 or both are 1).
pub fn two_proportion_z(a: &Curves, b: &Curves) -> f64 {
    let (na, nb) = (a.runs as f64, b.runs as f64);
    let pooled = (a.contagions + b.contagions) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se > 0.0 {
        (a.probability() - b.probability()) / se
    } else {
        0.0
    }
}

/// z statistic of the difference of the two mean extents (`None` when either side has fewer than
/// `min` contagions, too few for a standard error).
pub fn extent_z(a: &Curves, b: &Curves, min: usize) -> Option<f64> {
    if a.contagions < min || b.contagions < min {
        return None;
    }
    let ((ma, sa), (mb, sb)) = (a.extent(), b.extent());
    let se = (sa * sa + sb * sb).sqrt();
    Some(if se > 0.0 { (ma - mb) / se } else { 0.0 })
}
