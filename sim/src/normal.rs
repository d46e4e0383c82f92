//! The standard normal distribution, exact to near machine precision.
//!
//! * [`cdf`] gives Φ(x), through W. J. Cody's rational Chebyshev approximations of `erf`/`erfc`
//!   (Math. Comp. 1969; the `CALERF` packet of 1990), with the Gaussian factor `exp(-x²/2)`
//!   evaluated from `x` itself by Cody's splitting trick, so that the far lower tail keeps full
//!   relative accuracy (about 1e-15) down to Φ(-37.5) ≈ 4.6e-308.
//! * [`inv_cdf`] gives Φ⁻¹(p), by M. J. Wichura's algorithm AS 241 (`PPND16`, Appl. Statist. 1988),
//!   relative accuracy about 1e-16.
//! * [`pdf`] gives the density φ(x).
//! * [`bivariate_cdf`] gives Φ₂(h, k; ρ), by A. Genz's (2004) method (`BVND`, after Drezner and
//!   Wesolowsky 1990) with 6-, 12- or 20-point Gauss–Legendre rules, absolute accuracy about 1e-15.
//!
//! Everything here is a pure function of its arguments using only `std` floating-point
//! operations, so results are reproducible run to run on a given platform. A NaN argument gives
//! NaN; apart from [`inv_cdf`] for `p` outside `[0, 1]`, no other input gives NaN.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// 1/√(2π).
const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// 1/√π (Cody's `SQRPI`).
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;
/// Cody's switch point between the `erf` and `erfc` approximations, in units of `x/√2`.
const ERF_THRESHOLD: f64 = 0.46875;

// Cody (1969/1990), erf on |y| <= 0.46875.
const ERF_A: [f64; 5] = [
    3.161_123_743_870_565_6,
    1.138_641_541_510_501_6e2,
    3.774_852_376_853_02e2,
    3.209_377_589_138_469_4e3,
    1.857_777_061_846_031_5e-1,
];
const ERF_B: [f64; 4] = [
    2.360_129_095_234_412_2e1,
    2.440_246_379_344_441_7e2,
    1.282_616_526_077_372_3e3,
    2.844_236_833_439_171e3,
];
// Cody, exp(y²)·erfc(y) on 0.46875 <= y <= 4.
const ERFC_C: [f64; 9] = [
    5.641_884_969_886_701e-1,
    8.883_149_794_388_377,
    6.611_919_063_714_163e1,
    2.986_351_381_974_001e2,
    8.819_522_212_417_69e2,
    1.712_047_612_634_070_7e3,
    2.051_078_377_826_071_6e3,
    1.230_339_354_797_997_2e3,
    2.153_115_354_744_038_3e-8,
];
const ERFC_D: [f64; 8] = [
    1.574_492_611_070_983_5e1,
    1.176_939_508_913_125e2,
    5.371_811_018_620_099e2,
    1.621_389_574_566_690_3e3,
    3.290_799_235_733_459_7e3,
    4.362_619_090_143_247e3,
    3.439_367_674_143_721_6e3,
    1.230_339_354_803_749_5e3,
];
// Cody, exp(y²)·erfc(y) on y > 4.
const ERFC_P: [f64; 6] = [
    3.053_266_349_612_323_6e-1,
    3.603_448_999_498_044_5e-1,
    1.257_817_261_112_292_6e-1,
    1.608_378_514_874_227_5e-2,
    6.587_491_615_298_378e-4,
    1.631_538_713_730_209_7e-2,
];
const ERFC_Q: [f64; 5] = [
    2.568_520_192_289_822,
    1.872_952_849_923_460_4,
    5.279_051_029_514_285e-1,
    6.051_834_131_244_132e-2,
    2.335_204_976_268_691_8e-3,
];

/// `erf(y)` for `|y| <= 0.46875` (Cody's first interval).
fn erf_small(y: f64) -> f64 {
    let ysq = if y.abs() > 1.11e-16 { y * y } else { 0.0 };
    let mut num = ERF_A[4] * ysq;
    let mut den = ysq;
    for i in 0..3 {
        num = (num + ERF_A[i]) * ysq;
        den = (den + ERF_B[i]) * ysq;
    }
    y * (num + ERF_A[3]) / (den + ERF_B[3])
}

/// The scaled complementary error function `exp(y²)·erfc(y)` for `y >= 0.46875` (Cody's second
/// and third intervals); `+inf` gives 0.
fn erfc_scaled(y: f64) -> f64 {
    if y <= 4.0 {
        let mut num = ERFC_C[8] * y;
        let mut den = y;
        for i in 0..7 {
            num = (num + ERFC_C[i]) * y;
            den = (den + ERFC_D[i]) * y;
        }
        (num + ERFC_C[7]) / (den + ERFC_D[7])
    } else {
        // For y beyond ~6.7e7 the rational correction is below rounding and 1/y² may underflow
        // to 0, which the formula handles; y = +inf gives (1/√π - 0)/inf = 0.
        let ysq = 1.0 / (y * y);
        let mut num = ERFC_P[5] * ysq;
        let mut den = ysq;
        for i in 0..4 {
            num = (num + ERFC_P[i]) * ysq;
            den = (den + ERFC_Q[i]) * ysq;
        }
        let r = ysq * (num + ERFC_P[4]) / (den + ERFC_Q[4]);
        (FRAC_1_SQRT_PI - r) / y
    }
}

/// `exp(-x²/2)` without the cancellation error of forming `x²` in floating point: with
/// `xs = trunc(16x)/16`, `x²/2 = xs²/2 + (x - xs)(x + xs)/2` where `xs²/2` is exact.
fn exp_neg_half_sq(x: f64) -> f64 {
    let ax = x.abs();
    if ax.is_nan() {
        return f64::NAN;
    }
    if ax >= 40.0 {
        // exp(-800) underflows to 0 in f64.
        return 0.0;
    }
    // 0 <= 16 ax < 640, so the cast truncates exactly as `trunc` would.
    let k = (ax * 16.0) as usize;
    let xs = k as f64 / 16.0;
    let del = (ax - xs) * (ax + xs);
    exp_neg_half_grid()[k] * (-0.5 * del).exp()
}

/// `exp(-xs²/2)` at the grid points `xs = k/16`, `k < 640`, computed once by the same expression
/// [`exp_neg_half_sq`] would evaluate (so the values are bit-identical), saving one `exp` per call.
fn exp_neg_half_grid() -> &'static [f64; 640] {
    static GRID: std::sync::OnceLock<[f64; 640]> = std::sync::OnceLock::new();
    GRID.get_or_init(|| {
        std::array::from_fn(|k| {
            let xs = k as f64 / 16.0;
            (-0.5 * xs * xs).exp()
        })
    })
}

/// Standard normal density φ(x) = exp(-x²/2)/√(2π).
///
/// Relative accuracy about 1e-16 wherever the result is a normal `f64` (|x| below about 37.5);
/// `±inf` gives 0 and NaN gives NaN.
pub fn pdf(x: f64) -> f64 {
    FRAC_1_SQRT_2PI * exp_neg_half_sq(x)
}

/// Standard normal cumulative distribution function Φ(x) = P(Z ≤ x).
///
/// Relative accuracy about 1e-15 over the whole range where Φ(x) is a normal `f64` (x down to
/// about -37.5, Φ ≈ 4.6e-308); below that the result is subnormal (absolute accuracy only) and
/// reaches exactly 0 below about -38.5. For large positive x the result is `1 - Φ(-x)` rounded,
/// which reaches exactly 1 from about x = 8.3 on. `-inf` gives 0, `+inf` gives 1, NaN gives NaN.
/// The result is always in `[0, 1]`.
pub fn cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs() * FRAC_1_SQRT_2;
    if y <= ERF_THRESHOLD {
        return 0.5 + 0.5 * erf_small(x * FRAC_1_SQRT_2);
    }
    // Lower tail Φ(-|x|) = erfc(|x|/√2)/2 = exp(-x²/2) · [exp(y²) erfc(y)] / 2.
    let tail = 0.5 * erfc_scaled(y) * exp_neg_half_sq(x);
    if x < 0.0 { tail } else { 1.0 - tail }
}

// Wichura (1988), AS 241 PPND16; coefficients listed from the constant term up.
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_5,
    1.331_416_678_917_843_8e2,
    1.971_590_950_306_551_3e3,
    1.373_169_376_550_946e4,
    4.592_195_393_154_987e4,
    6.726_577_092_700_87e4,
    3.343_057_558_358_813e4,
    2.509_080_928_730_122_7e3,
];
const AS241_B: [f64; 8] = [
    1.0,
    4.231_333_070_160_091e1,
    6.871_870_074_920_579e2,
    5.394_196_021_424_751e3,
    2.121_379_430_158_659_7e4,
    3.930_789_580_009_271e4,
    2.872_908_573_572_194_3e4,
    5.226_495_278_852_854e3,
];
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    2.417_807_251_774_506e-1,
    2.272_384_498_926_918_4e-2,
    7.745_450_142_783_414e-4,
];
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    6.897_673_349_851e-1,
    1.481_039_764_274_800_8e-1,
    1.519_866_656_361_645_7e-2,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    2.965_605_718_285_048_7e-1,
    2.653_218_952_657_612_4e-2,
    1.242_660_947_388_078_4e-3,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const AS241_F: [f64; 8] = [
    1.0,
    5.998_322_065_558_88e-1,
    1.369_298_809_227_358e-1,
    1.487_536_129_085_061_5e-2,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

/// Horner evaluation of `c[0] + c[1] r + … + c[7] r⁷`.
#[inline(always)]
fn poly7(c: &[f64; 8], r: f64) -> f64 {
    let mut acc = c[7];
    for &ci in c[..7].iter().rev() {
        acc = acc * r + ci;
    }
    acc
}

/// Inverse of the standard normal distribution function, Φ⁻¹(p), by Wichura's AS 241 (`PPND16`).
///
/// Relative accuracy about 1e-16 for `p` in `(0, 1)`. Note that `p` close to 1 carries only the
/// absolute precision of an `f64` near 1 (spacing 1.1e-16), so for upper-tail quantiles pass the
/// lower tail and negate: `-inv_cdf(1 - p)` is less accurate than `-inv_cdf(q)` with `q` small.
///
/// Edge cases: `p = 0` gives `-inf`, `p = 1` gives `+inf`; `p` outside `[0, 1]` or NaN gives NaN
/// (the engine never passes those). The smallest positive subnormal `p` gives about -38.47.
pub fn inv_cdf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return inv_cdf_central(q);
    }
    inv_cdf_tail(p, q)
}

/// AS 241 on its central interval `|q| <= 0.425`, `q = p - 1/2`.
#[inline(always)]
fn inv_cdf_central(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    q * poly7(&AS241_A, r) / poly7(&AS241_B, r)
}

/// AS 241 on its tails, `|q| > 0.425` with `q = p - 1/2` and `0 < p < 1`.
#[inline(always)]
fn inv_cdf_tail(p: f64, q: f64) -> f64 {
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-tail.ln()).sqrt();
    let value = if r <= 5.0 {
        r -= 1.6;
        poly7(&AS241_C, r) / poly7(&AS241_D, r)
    } else {
        r -= 5.0;
        poly7(&AS241_E, r) / poly7(&AS241_F, r)
    };
    if q < 0.0 { -value } else { value }
}

/// [`inv_cdf`] of every element, in place: `ps[i]` becomes `inv_cdf(ps[i])`, bit for bit.
///
/// The same operations as [`inv_cdf`] in the same order, arranged for throughput: the central
/// interval (85% of uniform draws) is evaluated for a block of elements at once without branches,
/// which the compiler turns into vector instructions, and only the elements in the tails (or at
/// the edges: 0, 1, NaN, outside [0, 1]) are then redone one by one. IEEE arithmetic without
/// contraction gives the same bits in a vector lane as in a scalar register, which the tests
/// check over millions of draws and every switch point.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512dq+avx512vl+avx512bw+avx2+avx+popcnt+sse4.2",
    "x86_64+avx2+avx+popcnt+sse4.2"
))]
pub fn inv_cdf_in_place(ps: &mut [f64]) {
    #[cfg(test)]
    crate::rng::note(crate::rng::DRAWN_BLOCK_NORMALS, ps.len() as u64);
    const BLOCK: usize = 64;
    let mut tail_at = [0u8; BLOCK];
    let mut tail_p = [0.0f64; BLOCK];
    let mut tail_r = [0.0f64; BLOCK];
    let mut tail_v = [0.0f64; BLOCK];
    for block in ps.chunks_mut(BLOCK) {
        // Which elements leave the central interval (NaN compares false, so it is among them),
        // gathered without branches.
        let mut tails = 0;
        for (i, &p) in block.iter().enumerate() {
            tail_at[tails] = i as u8;
            tail_p[tails] = p;
            let central = (p - 0.5).abs() <= 0.425;
            tails += usize::from(!central);
        }
        for x in block.iter_mut() {
            *x = inv_cdf_central(*x - 0.5);
        }
        // The tails as in `inv_cdf_tail`, in passes: the logarithms one by one (libm), then the
        // rational function on `r <= 5` for all of them at once.
        let (at, p) = (&tail_at[..tails], &tail_p[..tails]);
        let (r, v) = (&mut tail_r[..tails], &mut tail_v[..tails]);
        for (r, &p) in r.iter_mut().zip(p) {
            let tail = if p - 0.5 < 0.0 { p } else { 1.0 - p };
            *r = (-tail.ln()).sqrt();
        }
        for (v, &r) in v.iter_mut().zip(r.iter()) {
            let r = r - 1.6;
            *v = poly7(&AS241_C, r) / poly7(&AS241_D, r);
        }
        for ((&i, &p), (&r, &v)) in at.iter().zip(p).zip(r.iter().zip(v.iter())) {
            // Beyond r = 5 (p below 1.4e-11), and at the edges (0, 1, NaN, outside [0, 1], where
            // r is infinite or NaN), the scalar function decides. Negation is a sign-bit flip.
            block[usize::from(i)] = if r <= 5.0 {
                let sign = u64::from(p - 0.5 < 0.0) << 63;
                f64::from_bits(v.to_bits() ^ sign)
            } else {
                inv_cdf(p)
            };
        }
    }
}

// Gauss–Legendre half-rules (abscissae in (0, 1) and weights; the rule is symmetric) with 6, 12
// and 20 points, as tabulated in Genz's BVND.
const GL6_X: [f64; 3] = [
    0.932_469_514_203_152_2,
    0.661_209_386_466_264_7,
    0.238_619_186_083_197,
];
const GL6_W: [f64; 3] = [
    0.171_324_492_379_170_5,
    0.360_761_573_048_138_4,
    0.467_913_934_572_690_4,
];
const GL12_X: [f64; 6] = [
    0.981_560_634_246_719_1,
    0.904_117_256_370_475,
    0.769_902_674_194_305,
    0.587_317_954_286_617_1,
    0.367_831_498_998_180_2,
    0.125_233_408_511_469_2,
];
const GL12_W: [f64; 6] = [
    0.047_175_336_386_511_77,
    0.106_939_325_995_318_3,
    0.160_078_328_543_346_4,
    0.203_167_426_723_065_9,
    0.233_492_536_538_354_7,
    0.249_147_045_813_402_9,
];
const GL20_X: [f64; 10] = [
    0.993_128_599_185_094_9,
    0.963_971_927_277_913_8,
    0.912_234_428_251_326,
    0.839_116_971_822_218_8,
    0.746_331_906_460_150_8,
    0.636_053_680_726_515,
    0.510_867_001_950_827_1,
    0.373_706_088_715_419_6,
    0.227_785_851_141_645_1,
    0.076_526_521_133_497_33,
];
const GL20_W: [f64; 10] = [
    0.017_614_007_139_152_12,
    0.040_601_429_800_386_94,
    0.062_672_048_334_109_06,
    0.083_276_741_576_704_75,
    0.101_930_119_817_240_4,
    0.118_194_531_961_518_4,
    0.131_688_638_449_176_6,
    0.142_096_109_318_382_1,
    0.149_172_986_472_603_7,
    0.152_753_387_130_725_9,
];

/// Limits at or beyond this magnitude are treated as infinite by [`bivariate_cdf`].
const SATURATION: f64 = 40.0;

/// Upper bivariate probability P(X > dh, Y > dk) for finite `dh`, `dk` and `r` in `[-1, 1]`
/// (Genz's `BVND`).
fn bvn_upper(dh: f64, dk: f64, r: f64) -> f64 {
    let (xs, ws): (&[f64], &[f64]) = if r.abs() < 0.3 {
        (&GL6_X, &GL6_W)
    } else if r.abs() < 0.75 {
        (&GL12_X, &GL12_W)
    } else {
        (&GL20_X, &GL20_W)
    };
    let h = dh;
    let mut k = dk;
    let mut hk = h * k;
    let mut bvn = 0.0;
    if r.abs() < 0.925 {
        // Integrate d/dr Φ₂ over [0, r] after the substitution r = sin θ.
        let hs = (h * h + k * k) / 2.0;
        let asr = r.asin();
        for (&x, &w) in xs.iter().zip(ws) {
            let sn = (asr * (1.0 - x) / 2.0).sin();
            bvn += w * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
            let sn = (asr * (1.0 + x) / 2.0).sin();
            bvn += w * ((sn * hk - hs) / (1.0 - sn * sn)).exp();
        }
        return bvn * asr / (4.0 * PI) + cdf(-h) * cdf(-k);
    }
    // |r| >= 0.925: expand around r = ±1 (Drezner–Wesolowsky with Genz's corrections).
    if r < 0.0 {
        k = -k;
        hk = -hk;
    }
    if r.abs() < 1.0 {
        let as_ = (1.0 - r) * (1.0 + r);
        let mut a = as_.sqrt();
        let bs = (h - k) * (h - k);
        let c = (4.0 - hk) / 8.0;
        let d = (12.0 - hk) / 16.0;
        let asr = -(bs / as_ + hk) / 2.0;
        if asr > -100.0 {
            bvn = a
                * asr.exp()
                * (1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0);
        }
        if hk > -100.0 {
            let b = bs.sqrt();
            let sp = (2.0 * PI).sqrt() * cdf(-b / a);
            bvn -= (-hk / 2.0).exp() * sp * b * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0);
        }
        a /= 2.0;
        for (&x, &w) in xs.iter().zip(ws) {
            for sign in [-1.0, 1.0] {
                let t = a + a * sign * x;
                let xs2 = t * t;
                let rs = (1.0 - xs2).sqrt();
                let asr = -(bs / xs2 + hk) / 2.0;
                if asr > -100.0 {
                    let sp = 1.0 + c * xs2 * (1.0 + d * xs2);
                    let ep = (-hk * (1.0 - rs) / (2.0 * (1.0 + rs))).exp() / rs;
                    bvn += a * w * asr.exp() * (ep - sp);
                }
            }
        }
        bvn = -bvn / (2.0 * PI);
    }
    if r > 0.0 {
        bvn + cdf(-h.max(k))
    } else {
        -bvn + (cdf(-h) - cdf(-k)).max(0.0)
    }
}

/// Bivariate standard normal distribution function Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) where X and Y
/// are standard normal with correlation `rho`.
///
/// Genz's (2004) algorithm (`BVND`): Gauss–Legendre quadrature of Plackett's identity for
/// |ρ| < 0.925 and the Drezner–Wesolowsky expansion about ρ = ±1 otherwise; absolute accuracy
/// about 1e-15. Exact limits: ρ = 1 gives Φ(min(h, k)), ρ = -1 gives max(0, Φ(h) + Φ(k) - 1),
/// ρ = 0 gives Φ(h)Φ(k) (up to rounding); infinite `h` or `k` reduce to the univariate [`cdf`].
///
/// `rho` outside `[-1, 1]` is clamped to it. Limits `h` or `k` with |·| >= 40 (including ±inf)
/// are treated as ±inf: -inf gives 0 and +inf gives the univariate Φ of the other limit.
/// Any NaN argument gives NaN. The result is always in
/// `[0, 1]`.
pub fn bivariate_cdf(h: f64, k: f64, rho: f64) -> f64 {
    if h.is_nan() || k.is_nan() || rho.is_nan() {
        return f64::NAN;
    }
    let r = rho.clamp(-1.0, 1.0);
    // Beyond |x| = 40 the marginal probabilities are 0 or 1 to far below f64 resolution
    // (Φ(-40) ≈ 3.7e-350), so such limits are treated as infinite; this also keeps the
    // products h·k of the expansion finite.
    if h <= -SATURATION || k <= -SATURATION {
        return 0.0;
    }
    if h >= SATURATION {
        return cdf(k);
    }
    if k >= SATURATION {
        return cdf(h);
    }
    bvn_upper(-h, -k, r).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_neg_half_sq_grid_is_bit_identical_to_two_exps() {
        // The grid of exp(-xs²/2) replaced a second `exp` per call: check the bits against the
        // direct formula on a fine sweep and near every grid point.
        let direct = |x: f64| {
            let ax = x.abs();
            let xs = (ax * 16.0).trunc() / 16.0;
            let del = (ax - xs) * (ax + xs);
            (-0.5 * xs * xs).exp() * (-0.5 * del).exp()
        };
        let mut xs: Vec<f64> = (0..400_000)
            .map(|i| -40.0 + 80.0 * f64::from(i) / 4e5)
            .collect();
        for k in 0..640 {
            let g = f64::from(k) / 16.0;
            xs.extend([g, g.next_up(), g.next_down(), -g]);
        }
        for x in xs.into_iter().filter(|x| x.abs() < 40.0) {
            assert_eq!(exp_neg_half_sq(x).to_bits(), direct(x).to_bits(), "x = {x}");
        }
    }

    /// Relative error, with `floor` as the smallest denominator.
    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
    }

    #[test]
    fn cdf_known_values() {
        // (x, Φ(x)) for the f64 nearest each literal, from 60-digit reference arithmetic.
        let cases = [
            (1.0, 0.841_344_746_068_542_9),
            (-1.96, 0.024_997_895_148_220_435),
            (-8.0, 6.220_960_574_271_784e-16),
            (-0.1, 0.460_172_162_722_971),
            (-0.6, 0.274_253_117_750_073_6),
            (0.6, 0.725_746_882_249_926_5),
            (-0.66291, 0.253_694_098_389_739_94), // just past Cody's first switch point
            (-2.5, 0.006_209_665_325_776_135),
            (-4.0, 3.167_124_183_311_992_4e-5),
            (-5.656_854_249_492_38, 7.708_628_950_140_032e-9), // y = 4 switch point
            (-6.0, 9.865_876_450_376_98e-10),
            (-12.0, 1.776_482_112_077_679e-33),
            (-30.0, 4.906_713_927_148_187e-198),
            (2.0, 0.977_249_868_051_820_8),
            (5.0, 0.999_999_713_348_428_1),
        ];
        for (x, want) in cases {
            let got = cdf(x);
            assert!(rel(got, want) < 2e-15, "cdf({x}) = {got:e}, want {want:e}");
        }
        assert_eq!(cdf(0.0), 0.5);
        // Tolerance 1e-10 relative, as required for the deepest normal-range tail value.
        let deep = cdf(-37.5);
        assert!(rel(deep, 4.605_353_009_581_955e-308) < 1e-10, "{deep:e}");
        // In fact it keeps ~1e-13 relative accuracy even there.
        assert!(rel(deep, 4.605_353_009_581_955e-308) < 1e-13, "{deep:e}");
    }

    #[test]
    fn cdf_edges_and_range() {
        assert_eq!(cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(cdf(f64::INFINITY), 1.0);
        assert!(cdf(f64::NAN).is_nan());
        assert_eq!(cdf(-1e300), 0.0);
        assert_eq!(cdf(1e300), 1.0);
        assert_eq!(cdf(-39.0), 0.0);
        assert_eq!(cdf(9.0), 1.0);
        // Subnormal region: still positive, ordered and close in absolute terms.
        let sub = cdf(-38.0);
        assert!(sub > 0.0 && sub < 1e-315, "{sub:e}");
        assert!((sub - 2.885_428_35e-316).abs() < 1e-319);
        for x in [
            -1e10,
            -50.0,
            -0.0,
            0.0,
            1e-300,
            3.0,
            50.0,
            f64::MAX,
            f64::MIN,
        ] {
            let p = cdf(x);
            assert!((0.0..=1.0).contains(&p), "cdf({x}) = {p}");
        }
    }

    #[test]
    fn cdf_symmetry() {
        // Φ(x) + Φ(-x) = 1 to rounding of the larger term.
        let mut x = -9.0;
        while x <= 9.0 {
            let s = cdf(x) + cdf(-x);
            assert!((s - 1.0).abs() <= 2.3e-16, "x = {x}: {s}");
            x += 0.013;
        }
    }

    #[test]
    fn cdf_monotone_on_fine_grid() {
        // Non-decreasing on [-40, 40] with step 1e-4, across both of Cody's switch points.
        let mut prev = cdf(-40.0);
        let mut i = 1_u32;
        while i <= 800_000 {
            let x = -40.0 + f64::from(i) * 1e-4;
            let p = cdf(x);
            assert!(p >= prev, "cdf decreases at x = {x}: {prev:e} -> {p:e}");
            prev = p;
            i += 1;
        }
        // Much finer grids (step 1e-9) across Cody's switch points |x|/√2 = 0.46875 and 4, where the
        // two rational approximations meet. (Ulp-level monotonicity is not claimed: rounding of
        // 0.5 ± 0.5·erf makes adjacent f64 arguments differ by ±1 ulp in either direction.)
        for x0 in [
            -5.656_854_249_492_381,
            -0.662_912_607_362_388_1,
            0.662_912_607_362_388_1,
        ] {
            let mut prev = cdf(x0 - 1e-6);
            for i in 1..=2000 {
                let x = x0 - 1e-6 + f64::from(i) * 1e-9;
                let p = cdf(x);
                assert!(p >= prev, "cdf decreases at x = {x:e}");
                prev = p;
            }
        }
    }

    #[test]
    fn pdf_values() {
        assert!(rel(pdf(0.0), FRAC_1_SQRT_2PI) < 1e-16);
        assert!(rel(pdf(1.0), 0.241_970_724_519_143_34) < 1e-15);
        assert!(rel(pdf(-3.3), 0.001_722_568_939_053_680_1) < 1e-15);
        // exp(-x²/2) with large x: 1e-15 relative where naive evaluation loses ~1e-13.
        assert!(
            rel(pdf(37.0), 2.120_006_551_524_605_6e-298) < 2e-15,
            "{:e}",
            pdf(37.0)
        );
        assert_eq!(pdf(f64::INFINITY), 0.0);
        assert_eq!(pdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(pdf(1e200), 0.0);
        assert!(pdf(f64::NAN).is_nan());
        assert_eq!(pdf(2.5), pdf(-2.5));
    }

    #[test]
    fn inv_cdf_known_values() {
        assert_eq!(inv_cdf(0.5), 0.0);
        let cases = [
            (0.975, 1.959_963_984_540_053_8),
            (1e-10, -6.361_340_902_404_057),
            (1e-300, -37.047_096_299_361_2),
            (1e-100, -21.273_453_560_965_326),
            (1e-20, -9.262_340_089_798_407),
            (1e-5, -4.264_890_793_922_825),
            (0.001, -3.090_232_306_167_813_6),
            (0.02425, -1.972_961_051_311_885),
            (0.075, -1.439_531_470_938_456),
            (0.3, -0.524_400_512_708_040_8),
            (0.7, 0.524_400_512_708_040_7),
            (0.999, 3.090_232_306_167_813),
        ];
        for (p, want) in cases {
            let got = inv_cdf(p);
            assert!(rel(got, want) < 1e-15, "inv_cdf({p}) = {got}, want {want}");
        }
        // The values quoted in the brief, to 1e-15 absolute.
        assert!((inv_cdf(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((inv_cdf(1e-10) - -6.361_340_902_404_056).abs() < 1e-15);
    }

    #[test]
    fn inv_cdf_in_place_is_bit_identical_to_inv_cdf() {
        // Uniform draws of the engine's own kind, every switch point and its neighbours, the edges
        // and invalid values, in blocks of every length around the internal block size.
        let mut ps: Vec<f64> = (0..2_000_000u64)
            .map(|i| crate::rng::Key::new(3).entity(i).uniform())
            .collect();
        for p0 in [0.075, 0.925, 0.5, (-25.0f64).exp(), 1.0 - (-25.0f64).exp()] {
            let mut lo = p0;
            let mut hi = p0;
            for _ in 0..40 {
                ps.extend([lo, hi]);
                lo = lo.next_down();
                hi = hi.next_up();
            }
        }
        ps.extend([
            0.0,
            1.0,
            -0.0,
            f64::from_bits(1),
            1.0f64.next_down(),
            -0.1,
            1.5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
        ]);
        for len in [0, 1, 63, 64, 65, 129, ps.len()] {
            let mut xs = ps[ps.len() - len..].to_vec();
            inv_cdf_in_place(&mut xs);
            for (x, &p) in xs.iter().zip(&ps[ps.len() - len..]) {
                assert_eq!(x.to_bits(), inv_cdf(p).to_bits(), "p = {p:e}");
            }
        }
    }

    #[test]
    fn inv_cdf_edges() {
        assert_eq!(inv_cdf(0.0), f64::NEG_INFINITY);
        assert_eq!(inv_cdf(1.0), f64::INFINITY);
        assert!(inv_cdf(-0.1).is_nan());
        assert!(inv_cdf(1.0 + 1e-15).is_nan());
        assert!(inv_cdf(f64::NAN).is_nan());
        assert!(inv_cdf(f64::INFINITY).is_nan());
        let tiny = inv_cdf(f64::from_bits(1)); // smallest positive subnormal
        assert!(tiny.is_finite() && tiny < -38.0 && tiny > -39.0, "{tiny}");
        let near_one = inv_cdf(1.0f64.next_down());
        assert!(near_one.is_finite() && near_one > 8.0, "{near_one}");
    }

    #[test]
    fn round_trip_over_grid() {
        // Lower half [-8, 0]: p = Φ(x) carries full relative precision, so
        // inv_cdf(cdf(x)) = x to 1e-12 (absolute; it is ~1e-15 in practice).
        // Upper half (0, 8]: p near 1 only has the spacing 1.1e-16 of f64 near 1, which alone moves
        // x by up to ulp(p)/φ(x) (0.02 at x = 8), so the round trip is checked through the
        // symmetric form -inv_cdf(cdf(-x)) = x to 1e-12, and inv_cdf(cdf(x)) to 1e-12 plus that
        // unavoidable conditioning term.
        let mut worst = 0.0_f64;
        for i in 0..=1600 {
            let x = -8.0 + f64::from(i) * 0.01;
            if x <= 0.0 {
                let err = (inv_cdf(cdf(x)) - x).abs();
                worst = worst.max(err);
                assert!(err < 1e-12, "x = {x}: {err:e}");
            } else {
                let err = (-inv_cdf(cdf(-x)) - x).abs();
                worst = worst.max(err);
                assert!(err < 1e-12, "x = {x}: {err:e}");
                let direct = (inv_cdf(cdf(x)) - x).abs();
                let conditioning = f64::EPSILON / pdf(x);
                assert!(direct < 1e-12 + conditioning, "x = {x}: {direct:e}");
            }
        }
        assert!(worst < 1e-13, "worst round-trip error {worst:e}");
    }

    #[test]
    fn inv_cdf_monotone_on_fine_grid() {
        let mut prev = inv_cdf(1e-6);
        for i in 1..=999_998 {
            let p = 1e-6 + f64::from(i) * 1e-6;
            let x = inv_cdf(p);
            assert!(x > prev, "inv_cdf not increasing at p = {p}");
            prev = x;
        }
        // Step 1e-12 across the switch points p = 0.075, 0.925 (|p - 1/2| = 0.425) and
        // p = exp(-25) (r = 5).
        for p0 in [0.075, 0.925, (-25.0f64).exp()] {
            let start = p0 - 1000.0 * 1e-12 * p0;
            let mut prev = inv_cdf(start);
            for i in 1..=2000 {
                let p = start + f64::from(i) * 1e-12 * p0;
                let x = inv_cdf(p);
                assert!(x > prev, "inv_cdf not increasing at p = {p:e}");
                prev = x;
            }
        }
        // Log-spaced deep lower tail.
        let mut prev = inv_cdf(1e-300);
        for i in 1..=3000 {
            let p = 10f64.powf(-300.0 + 0.1 * f64::from(i));
            let x = inv_cdf(p);
            assert!(x > prev, "inv_cdf not increasing at p = {p:e}");
            prev = x;
        }
    }

    /// Φ₂(h, k; ρ) by composite Simpson quadrature of ∫_{-∞}^{h} φ(x) Φ((k - ρx)/√(1-ρ²)) dx,
    /// truncated at x = -12 (the neglected mass is below Φ(-12) ≈ 1.8e-33).
    fn bvn_by_quadrature(h: f64, k: f64, rho: f64) -> f64 {
        let lo = -12.0;
        let n = 40_000_u32; // even
        let step = (h - lo) / f64::from(n);
        let s = (1.0 - rho * rho).sqrt();
        let f = |x: f64| pdf(x) * cdf((k - rho * x) / s);
        let mut acc = f(lo) + f(h);
        for i in 1..n {
            let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
            acc += weight * f(lo + f64::from(i) * step);
        }
        acc * step / 3.0
    }

    #[test]
    fn bivariate_against_quadrature_and_tables() {
        // (h, k, ρ, Φ₂) with 50-digit reference values; together they exercise all three
        // Gauss–Legendre rules and both the Plackett and the |ρ| >= 0.925 branches.
        let cases = [
            (1.0, 1.0, 0.5, 0.745_203_586_846_749_7),
            (0.0, 0.0, 0.5, 1.0 / 3.0),
            (-1.0, 0.5, 0.3, 0.133_256_135_449_951_1),
            (0.5, -1.5, -0.8, 0.003_712_111_435_901_821_7),
            (2.0, 1.0, 0.95, 0.841_336_147_032_871_2),
            (-2.0, -2.0, 0.99, 0.019_711_642_648_668_946),
            (1.5, -0.5, -0.95, 0.241_746_628_649_659_48),
            (-3.0, -2.0, 0.6, 0.000_653_954_905_861_568_6),
            (0.2, 0.4, 0.1, 0.394_137_776_441_527_8),
        ];
        for (h, k, rho, want) in cases {
            let got = bivariate_cdf(h, k, rho);
            assert!(
                (got - want).abs() < 1e-14,
                "Φ₂({h}, {k}; {rho}) = {got}, want {want}"
            );
            let quad = bvn_by_quadrature(h, k, rho);
            assert!(
                (got - quad).abs() < 1e-9,
                "Φ₂({h}, {k}; {rho}) = {got}, quadrature {quad}"
            );
        }
        // The tabulated value quoted in the brief (7 digits).
        assert!((bivariate_cdf(1.0, 1.0, 0.5) - 0.745_203_5).abs() < 1e-7);
    }

    #[test]
    fn bivariate_grid_against_quadrature() {
        // A grid over all branches, tolerance 1e-9 against the test's own quadrature.
        for &rho in &[
            -0.999, -0.93, -0.9, -0.5, -0.2, 0.0, 0.1, 0.4, 0.8, 0.92, 0.95, 0.999,
        ] {
            for &h in &[-2.5, -0.7, 0.0, 1.3] {
                for &k in &[-1.8, 0.4, 2.2] {
                    let got = bivariate_cdf(h, k, rho);
                    let quad = bvn_by_quadrature(h, k, rho);
                    assert!(
                        (got - quad).abs() < 1e-9,
                        "Φ₂({h}, {k}; {rho}) = {got} vs {quad}"
                    );
                }
            }
        }
    }

    #[test]
    fn bivariate_origin_is_sheppard() {
        // Φ₂(0, 0; ρ) = 1/4 + asin(ρ)/(2π) exactly; checked to 2e-16 absolute.
        for i in -100..=100 {
            let rho = f64::from(i) / 100.0;
            let got = bivariate_cdf(0.0, 0.0, rho);
            let want = 0.25 + rho.asin() / (2.0 * PI);
            assert!((got - want).abs() < 2e-16, "ρ = {rho}: {got} vs {want}");
        }
    }

    #[test]
    fn bivariate_independence_and_limits() {
        let pts = [-6.0, -2.0, -0.3, 0.0, 0.7, 1.5, 4.0];
        for &h in &pts {
            for &k in &pts {
                let ind = bivariate_cdf(h, k, 0.0);
                assert!(rel(ind, cdf(h) * cdf(k)) < 1e-15, "Φ₂({h}, {k}; 0) = {ind}");
                let up = bivariate_cdf(h, k, 1.0);
                assert_eq!(up, cdf(h.min(k)), "ρ = 1 at ({h}, {k})");
                let down = bivariate_cdf(h, k, -1.0);
                let want = (cdf(h) + cdf(k) - 1.0).max(0.0);
                assert!(
                    (down - want).abs() < 5e-16,
                    "ρ = -1 at ({h}, {k}): {down} vs {want}"
                );
                // Continuity into the limits.
                let near_up = bivariate_cdf(h, k, 1.0 - 1e-12);
                assert!((near_up - up).abs() < 1e-6, "ρ → 1 at ({h}, {k})");
                let near_down = bivariate_cdf(h, k, -1.0 + 1e-12);
                assert!((near_down - down).abs() < 1e-6, "ρ → -1 at ({h}, {k})");
                // Exchange symmetry.
                let a = bivariate_cdf(h, k, 0.37);
                let b = bivariate_cdf(k, h, 0.37);
                assert!((a - b).abs() < 1e-16, "symmetry at ({h}, {k})");
            }
        }
    }

    #[test]
    fn bivariate_edges() {
        assert_eq!(bivariate_cdf(f64::NEG_INFINITY, 1.0, 0.3), 0.0);
        assert_eq!(bivariate_cdf(1.0, f64::NEG_INFINITY, -0.3), 0.0);
        assert_eq!(bivariate_cdf(f64::INFINITY, f64::INFINITY, 0.9), 1.0);
        assert_eq!(bivariate_cdf(f64::INFINITY, 0.5, 0.9), cdf(0.5));
        assert_eq!(bivariate_cdf(-0.5, f64::INFINITY, -0.9), cdf(-0.5));
        assert!(bivariate_cdf(f64::NAN, 0.0, 0.0).is_nan());
        assert!(bivariate_cdf(0.0, f64::NAN, 0.0).is_nan());
        assert!(bivariate_cdf(0.0, 0.0, f64::NAN).is_nan());
        // ρ outside [-1, 1] is clamped.
        assert_eq!(bivariate_cdf(0.3, -0.2, 1.5), bivariate_cdf(0.3, -0.2, 1.0));
        assert_eq!(
            bivariate_cdf(0.3, -0.2, -7.0),
            bivariate_cdf(0.3, -0.2, -1.0)
        );
        // Far tails stay in [0, 1] and are ordered.
        for &(h, k) in &[(-40.0, -40.0), (40.0, 40.0), (-40.0, 40.0), (1e300, -1e300)] {
            for &rho in &[-1.0, -0.95, -0.5, 0.0, 0.5, 0.95, 1.0] {
                let p = bivariate_cdf(h, k, rho);
                assert!((0.0..=1.0).contains(&p), "Φ₂({h}, {k}; {rho}) = {p}");
            }
        }
        // Monotone in ρ (Slepian): Φ₂ increases with ρ.
        let mut prev = bivariate_cdf(0.4, -0.8, -1.0);
        for i in -99..=100 {
            let p = bivariate_cdf(0.4, -0.8, f64::from(i) / 100.0);
            assert!(p >= prev - 1e-16, "not monotone in ρ at {i}");
            prev = p;
        }
    }
}
