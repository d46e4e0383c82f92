//! A small generative model of decision logs with known truth, for the monitor's tests.
//!
//! Each quarter `firms` applicants arrive; a share `cw_share` is creditworthy with quality
//! `q = Q_GOOD`, the others have `q = Q_BAD`. Each asks 2 or 3 distinct banks (equally likely) of
//! `banks`. Bank `b` approves when `q + e_bj >= 0`, with `e_bj = sqrt(1 - w) c_j + sqrt(w) v_bj`:
//! `c_j` the error every bank shares (one model), `v_bj` each bank's own. `w = 1` is independent
//! models; `w < 1` a shared model. Firm `j` lives in region `j % 2`.
//!
//! With `families` (bank `b` uses family `families[b]`) the own part is the family's instead:
//! `e_bj = sqrt(1 - w) c_j + sqrt(w) u_{f(b)j}`, so banks of one family decide alike on every
//! applicant and banks of different families have error correlation `1 - w`; the log then has a
//! `family` column.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use sim::normal::{cdf, pdf};
use sim::rng::Key;

pub const Q_GOOD: f64 = 0.5;
pub const Q_BAD: f64 = -1.0;

/// One row of a generated log.
#[derive(Clone, Debug)]
pub struct Row {
    pub quarter: u32,
    pub bank: String,
    pub applicant: String,
    pub approved: bool,
    pub region: String,
    pub creditworthy: bool,
    pub family: Option<String>,
}

/// The model's parameters.
#[derive(Clone, Copy, Debug)]
pub struct Model {
    pub quarters: u32,
    pub firms: usize,
    pub banks: usize,
    pub cw_share: f64,
    /// Own-error weight `w` (1: independent models).
    pub own_weight: f64,
    pub seed: u64,
    /// Each bank's model family; empty: every bank its own model and no `family` column.
    pub families: &'static [usize],
}

impl Model {
    pub fn rows(&self) -> Vec<Row> {
        let mut rng = Key::new(self.seed).stream();
        let mut out = Vec::new();
        let (sw, so) = ((1.0 - self.own_weight).sqrt(), self.own_weight.sqrt());
        for quarter in 1..=self.quarters {
            for j in 0..self.firms {
                let cw = rng.random::<f64>() < self.cw_share;
                let q = if cw { Q_GOOD } else { Q_BAD };
                let c: f64 = StandardNormal.sample(&mut rng);
                let k = if rng.random::<bool>() { 2 } else { 3 };
                let mut asked: Vec<usize> = Vec::with_capacity(k);
                while asked.len() < k {
                    let b = rng.random_range(0..self.banks);
                    if !asked.contains(&b) {
                        asked.push(b);
                    }
                }
                let own: Vec<f64> = if self.families.is_empty() {
                    Vec::new()
                } else {
                    let n = self.families.iter().max().map_or(0, |m| m + 1);
                    (0..n).map(|_| StandardNormal.sample(&mut rng)).collect()
                };
                for b in asked {
                    let v: f64 = if self.families.is_empty() {
                        StandardNormal.sample(&mut rng)
                    } else {
                        own[self.families[b]]
                    };
                    out.push(Row {
                        quarter,
                        bank: format!("bank{b}"),
                        applicant: format!("firm{j}"),
                        approved: q + sw * c + so * v >= 0.0,
                        region: if j % 2 == 0 { "north" } else { "south" }.to_string(),
                        creditworthy: cw,
                        family: (!self.families.is_empty())
                            .then(|| format!("vendor-{}", self.families[b])),
                    });
                }
            }
        }
        out
    }

    /// Rejection probability of a creditworthy applicant at one bank.
    pub fn p_reject(&self) -> f64 {
        cdf(-Q_GOOD)
    }

    /// Probability that a creditworthy applicant is rejected by all of `k` banks:
    /// `∫ φ(c) Φ((-q - sqrt(1-w) c) / sqrt(w))^k dc` (Simpson, 4000 intervals on [-10, 10]).
    pub fn p_all_reject(&self, k: i32) -> f64 {
        let w = self.own_weight;
        if w >= 1.0 {
            return self.p_reject().powi(k);
        }
        let (sw, so) = ((1.0 - w).sqrt(), w.sqrt());
        let f = |c: f64| pdf(c) * cdf((-Q_GOOD - sw * c) / so).powi(k);
        let (a, b, n) = (-10.0, 10.0, 4000);
        let h = (b - a) / n as f64;
        let mut s = f(a) + f(b);
        for i in 1..n {
            s += f(a + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        s * h / 3.0
    }

    /// The systemic-rejection ratio the monitor estimates: `E[all rejected] / E[product of rates]`
    /// with k = 2 or 3 equally likely.
    pub fn true_ratio(&self) -> f64 {
        let p = self.p_reject();
        (self.p_all_reject(2) + self.p_all_reject(3)) / (p * p + p * p * p)
    }

    /// The decision correlation of two banks on a creditworthy applicant.
    pub fn true_agreement(&self) -> f64 {
        let p = self.p_reject();
        (self.p_all_reject(2) - p * p) / (p * (1.0 - p))
    }
}

pub fn write_csv(rows: &[Row], path: &Path) {
    let families = rows.iter().any(|r| r.family.is_some());
    let mut s = String::from("quarter,bank,applicant,approved,region,creditworthy");
    s.push_str(if families { ",family\n" } else { "\n" });
    for r in rows {
        let _ = write!(
            s,
            "{},{},{},{},{},{}",
            r.quarter,
            r.bank,
            r.applicant,
            u8::from(r.approved),
            r.region,
            if r.creditworthy { "true" } else { "false" }
        );
        if families {
            let _ = write!(s, ",{}", r.family.as_deref().unwrap_or(""));
        }
        s.push('\n');
    }
    std::fs::write(path, s).expect("write test log");
}

/// The same rows as Parquet (quarter Int64, approved Boolean, creditworthy Int8), in batches.
pub fn write_parquet(rows: &[Row], path: &Path) {
    use arrow_array::{ArrayRef, BooleanArray, Int8Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    let schema = Arc::new(Schema::new(vec![
        Field::new("quarter", DataType::Int64, false),
        Field::new("bank", DataType::Utf8, false),
        Field::new("applicant", DataType::Utf8, false),
        Field::new("approved", DataType::Boolean, false),
        Field::new("region", DataType::Utf8, true),
        Field::new("creditworthy", DataType::Int8, true),
    ]));
    let file = std::fs::File::create(path).expect("create parquet");
    let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None).expect("writer");
    for chunk in rows.chunks(10_000) {
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(
                chunk.iter().map(|r| i64::from(r.quarter)),
            )),
            Arc::new(StringArray::from_iter_values(
                chunk.iter().map(|r| r.bank.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                chunk.iter().map(|r| r.applicant.as_str()),
            )),
            Arc::new(BooleanArray::from_iter(
                chunk.iter().map(|r| Some(r.approved)),
            )),
            Arc::new(StringArray::from_iter(
                chunk.iter().map(|r| Some(r.region.as_str())),
            )),
            Arc::new(Int8Array::from_iter(
                chunk.iter().map(|r| Some(i8::from(r.creditworthy))),
            )),
        ];
        let batch = RecordBatch::try_new(schema.clone(), cols).expect("batch");
        w.write(&batch).expect("write batch");
    }
    w.close().expect("close parquet");
}

/// Mean and standard error of the mean of a sample.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}
