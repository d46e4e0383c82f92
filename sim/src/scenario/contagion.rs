//! The contagion and shock parts of a scenario (MODEL.md §6–7): the interbank network and clearing
//! rule, fire sales, and shocks besides the rate path.

use std::path::Path;

use serde::Serialize;

use super::raw::{RawContagion, RawEvent, RawFireSales, RawInterbank, RawNetwork};
use super::{Bank, Checker, Region, Sources, fmt_num};
use crate::error::Result;

/// How interbank payments clear when banks fail.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum ClearingRule {
    /// Greatest Eisenberg–Noe clearing vector.
    EisenbergNoe,
    /// Rogers–Veraart with default costs.
    RogersVeraart {
        /// Recovery on external assets.
        alpha: f64,
        /// Recovery on interbank assets.
        beta: f64,
    },
    /// Furfine rounds with a fixed loss given default.
    Furfine {
        /// Loss given default.
        lgd: f64,
    },
}

/// How weights are put on a generated network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Weights {
    /// Each bank's interbank assets split evenly over its borrowers (Gai–Kapadia).
    Equal,
    /// Maximum entropy (RAS) on the generated links, matching assets and liabilities.
    Ras,
}

/// Where the exposure matrix comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Network {
    /// Given: `(lender, borrower, amount)` by bank index.
    Explicit(Vec<(usize, usize, f64)>),
    /// Directed Erdős–Rényi with a mean out-degree.
    ErdosRenyi {
        /// Mean borrowers per bank.
        mean_degree: f64,
        /// Weights.
        weights: Weights,
    },
    /// Core–periphery: the `core` largest banks form the core.
    CorePeriphery {
        /// Core size.
        core: usize,
        /// Link probabilities core→core, core→periphery, periphery→core, periphery→periphery.
        p: [f64; 4],
        /// Weights.
        weights: Weights,
    },
    /// Barabási–Albert preferential attachment, links both ways.
    ScaleFree {
        /// Links per new bank.
        m: usize,
        /// Weights.
        weights: Weights,
    },
    /// Reconstructed from each bank's total interbank assets and liabilities.
    Reconstructed {
        /// `true`: minimum density; `false`: maximum entropy (RAS).
        minimum_density: bool,
    },
}

/// The interbank channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Interbank {
    /// Clearing rule.
    pub clearing: ClearingRule,
    /// Exposure network.
    pub network: Network,
    /// Draw a generated network afresh on every path (else once for the run).
    pub resample_per_path: bool,
    /// Generated networks: give a bank that drew no borrower (no lender) one drawn at random,
    /// instead of using the network as drawn (MODEL.md §6). Default `false`.
    pub repair: bool,
}

/// A marketable asset class.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssetClass {
    /// Name.
    pub name: String,
    /// Depth, money.
    pub depth: f64,
    /// Share of every bank's bonds in this class.
    pub share: f64,
}

/// The fire-sale channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FireSales {
    /// Share of bank `i`'s bonds in class `a`: `shares[i * assets.len() + a]` (the bank's own
    /// `holdings` where given, else the class's `share`).
    pub shares: Vec<f64>,
    /// Leverage above which banks sell.
    pub lev_max: f64,
    /// Leverage sellers return to.
    pub lev_target: f64,
    /// Rounds per cascade.
    pub max_rounds: usize,
    /// Asset classes.
    pub assets: Vec<AssetClass>,
}

/// Contagion settings; a channel is `None` when switched off.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Contagion {
    /// Interbank channel.
    pub interbank: Option<Interbank>,
    /// Fire-sale channel.
    pub fire_sales: Option<FireSales>,
    /// Contagion rounds per quarter.
    pub max_rounds: usize,
}

/// A shock besides the rate path.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Event {
    /// Banks fail: named ones and `random` drawn per path.
    BankFailure {
        /// Quarter.
        quarter: u32,
        /// Named banks, by index.
        banks: Vec<usize>,
        /// Banks drawn uniformly at random among the others still active.
        random: usize,
        /// Loss on non-interbank assets beyond equity, as a share.
        asset_loss: f64,
    },
    /// A marketable asset class's price falls.
    AssetPrice {
        /// Quarter.
        quarter: u32,
        /// Asset class index.
        asset: usize,
        /// Fall, as a share of the price.
        size: f64,
    },
    /// A region's factor shifts.
    Regional {
        /// Quarter.
        quarter: u32,
        /// Region index.
        region: usize,
        /// Shift in standard deviations (negative: more defaults).
        size: f64,
    },
}

impl Event {
    /// The quarter of the event.
    pub fn quarter(&self) -> u32 {
        match self {
            Event::BankFailure { quarter, .. }
            | Event::AssetPrice { quarter, .. }
            | Event::Regional { quarter, .. } => *quarter,
        }
    }
}

fn enabled(e: Option<bool>) -> bool {
    e.unwrap_or(true)
}

/// `[contagion]`: the round limit, the interbank channel and fire sales, each when enabled.
pub(crate) fn validate_contagion(
    raw: &RawContagion,
    c: &mut Checker,
    banks: &[Bank],
    file: &str,
    dir: &Path,
    sources: &dyn Sources,
) -> Result<Contagion> {
    let max_rounds = c.int(
        "contagion.max_rounds",
        "contagion.max_rounds",
        raw.max_rounds,
    ) as usize;
    let interbank = match &raw.interbank {
        Some(ib) if enabled(ib.enabled) => {
            Some(validate_interbank(ib, c, banks, file, dir, sources)?)
        }
        _ => None,
    };
    let fire_sales = match &raw.fire_sales {
        Some(fs) if enabled(fs.enabled) => Some(validate_fire_sales(fs, c, banks)),
        _ => None,
    };
    Ok(Contagion {
        interbank,
        fire_sales,
        max_rounds,
    })
}

/// `[contagion.interbank]`: the clearing rule (its parameters only where the rule uses them) and
/// the network.
fn validate_interbank(
    ib: &RawInterbank,
    c: &mut Checker,
    banks: &[Bank],
    file: &str,
    dir: &Path,
    sources: &dyn Sources,
) -> Result<Interbank> {
    let at = "contagion.interbank";
    let clearing = match ib.clearing.as_deref().unwrap_or("eisenberg-noe") {
        "eisenberg-noe" => ClearingRule::EisenbergNoe,
        "rogers-veraart" => ClearingRule::RogersVeraart {
            alpha: c.num(
                "contagion.interbank.alpha",
                "contagion.interbank.alpha",
                ib.alpha,
            ),
            beta: c.num(
                "contagion.interbank.beta",
                "contagion.interbank.beta",
                ib.beta,
            ),
        },
        "furfine" => ClearingRule::Furfine {
            lgd: c.num("contagion.interbank.lgd", "contagion.interbank.lgd", ib.lgd),
        },
        other => {
            c.problem(
                format!("{at}.clearing"),
                format!("{other:?}"),
                "one of \"eisenberg-noe\", \"rogers-veraart\", \"furfine\"",
            );
            ClearingRule::EisenbergNoe
        }
    };
    for (name, v, used) in [
        (
            "alpha",
            ib.alpha,
            matches!(clearing, ClearingRule::RogersVeraart { .. }),
        ),
        (
            "beta",
            ib.beta,
            matches!(clearing, ClearingRule::RogersVeraart { .. }),
        ),
        (
            "lgd",
            ib.lgd,
            matches!(clearing, ClearingRule::Furfine { .. }),
        ),
    ] {
        if v.is_some() && !used {
            c.problem(
                format!("{at}.{name}"),
                "(set)",
                "not used by this clearing rule; remove it",
            );
        }
    }
    let default_net = RawNetwork {
        kind: Some("reconstructed".into()),
        ..Default::default()
    };
    let net = ib.network.as_ref().unwrap_or(&default_net);
    let (network, resample_per_path) = validate_network(net, c, banks, file, dir, sources)?;
    Ok(Interbank {
        clearing,
        network,
        resample_per_path,
        repair: net.repair.unwrap_or(false),
    })
}

/// `[contagion.fire_sales]`: leverage limits, the asset classes and each bank's shares in them.
fn validate_fire_sales(fs: &RawFireSales, c: &mut Checker, banks: &[Bank]) -> FireSales {
    let at = "contagion.fire_sales";
    let lev_max = c.num(
        "contagion.fire_sales.lev_max",
        &format!("{at}.lev_max"),
        fs.lev_max,
    );
    let lev_target = c.num(
        "contagion.fire_sales.lev_target",
        &format!("{at}.lev_target"),
        fs.lev_target,
    );
    if lev_target > lev_max {
        c.problem(
            format!("{at}.lev_target"),
            fmt_num(lev_target),
            format!("must be at most lev_max = {}", fmt_num(lev_max)),
        );
    }
    if fs.assets.is_empty() {
        c.problem(
            format!("{at}.assets"),
            "(none)",
            "at least one [[contagion.fire_sales.assets]] class",
        );
    }
    let mut assets: Vec<AssetClass> = Vec::new();
    for (i, a) in fs.assets.iter().enumerate() {
        let aat = |f: &str| format!("{at}.assets[{i}].{f}");
        let name = match &a.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => {
                c.problem(aat("name"), "(missing)", "a non-empty name");
                format!("asset{i}")
            }
        };
        if assets.iter().any(|x| x.name == name) {
            c.problem(
                aat("name"),
                format!("{name:?}"),
                "asset names must be unique",
            );
        }
        assets.push(AssetClass {
            name,
            depth: c.num(
                "contagion.fire_sales.assets[].depth",
                &aat("depth"),
                a.depth,
            ),
            share: c.num(
                "contagion.fire_sales.assets[].share",
                &aat("share"),
                a.share,
            ),
        });
    }
    let total: f64 = assets.iter().map(|a| a.share).sum();
    if total > 1.0 + 1e-9 {
        c.problem(
            format!("{at}.assets[].share"),
            fmt_num(total),
            "shares of bonds sum to at most 1",
        );
    }
    check_holdings(c, banks, &assets);
    let shares = banks
        .iter()
        .flat_map(|b| {
            assets
                .iter()
                .map(|a| {
                    b.holdings
                        .iter()
                        .find(|(n, _)| n == &a.name)
                        .map_or(a.share, |(_, v)| *v)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    FireSales {
        shares,
        lev_max,
        lev_target: lev_target.min(lev_max),
        max_rounds: c.int(
            "contagion.fire_sales.max_rounds",
            &format!("{at}.max_rounds"),
            fs.max_rounds,
        ) as usize,
        assets,
    }
}

/// Every bank's own holdings name existing asset classes, lie in [0, 1], and together with the
/// default shares of the classes it does not name sum to at most 1.
fn check_holdings(c: &mut Checker, banks: &[Bank], assets: &[AssetClass]) {
    for b in banks {
        let mut sum = 0.0;
        for (name, share) in &b.holdings {
            let at = format!("bank {:?} holdings.{name}", b.id);
            if !assets.iter().any(|a| &a.name == name) {
                let names: Vec<String> = assets.iter().map(|a| format!("{:?}", a.name)).collect();
                c.problem(
                    &at,
                    format!("{name:?}"),
                    format!(
                        "an asset class of [[contagion.fire_sales.assets]]: {}",
                        names.join(", ")
                    ),
                );
            }
            if !(0.0..=1.0).contains(share) {
                c.problem(
                    &at,
                    fmt_num(*share),
                    "a share of the bank's bonds in [0, 1]",
                );
            }
            sum += share;
        }
        let rest: f64 = assets
            .iter()
            .filter(|a| !b.holdings.iter().any(|(n, _)| n == &a.name))
            .map(|a| a.share)
            .sum();
        if sum + rest > 1.0 + 1e-9 {
            c.problem(
                format!("bank {:?} holdings", b.id),
                fmt_num(sum + rest),
                "shares of the bank's bonds over all asset classes (its own, else the class's share) sum to at most 1",
            );
        }
    }
}

/// `[contagion.interbank.network]`: the network and whether it is drawn again on every path.
fn validate_network(
    n: &RawNetwork,
    c: &mut Checker,
    banks: &[Bank],
    file: &str,
    dir: &Path,
    sources: &dyn Sources,
) -> Result<(Network, bool)> {
    let at = |f: &str| format!("contagion.interbank.network.{f}");
    let weights = match n.weights.as_deref() {
        None | Some("equal") => Weights::Equal,
        Some("ras") => Weights::Ras,
        Some(other) => {
            c.problem(
                at("weights"),
                format!("{other:?}"),
                "one of \"equal\", \"ras\"",
            );
            Weights::Equal
        }
    };
    let per_path = match n.resample.as_deref() {
        None | Some("run") => false,
        Some("path") => true,
        Some(other) => {
            c.problem(
                at("resample"),
                format!("{other:?}"),
                "one of \"run\", \"path\"",
            );
            false
        }
    };
    let kind = n.kind.as_deref().unwrap_or("reconstructed");
    check_network_fields(n, c, kind);
    let network = match kind {
        "explicit" => match &n.path {
            None => {
                c.problem(
                    at("path"),
                    "(missing)",
                    "the path of a CSV exposure matrix, relative to the scenario",
                );
                Network::Explicit(Vec::new())
            }
            Some(rel) => Network::Explicit(read_matrix(&dir.join(rel), c, banks, file, sources)?),
        },
        "erdos-renyi" => Network::ErdosRenyi {
            mean_degree: c.num(
                "contagion.interbank.network.mean_degree",
                &at("mean_degree"),
                n.mean_degree,
            ),
            weights,
        },
        "core-periphery" => Network::CorePeriphery {
            core: c.int("contagion.interbank.network.core", &at("core"), n.core) as usize,
            p: [
                c.num(
                    "contagion.interbank.network.p_core_core",
                    &at("p_core_core"),
                    n.p_core_core,
                ),
                c.num(
                    "contagion.interbank.network.p_core_periphery",
                    &at("p_core_periphery"),
                    n.p_core_periphery,
                ),
                c.num(
                    "contagion.interbank.network.p_periphery_core",
                    &at("p_periphery_core"),
                    n.p_periphery_core,
                ),
                c.num(
                    "contagion.interbank.network.p_periphery_periphery",
                    &at("p_periphery_periphery"),
                    n.p_periphery_periphery,
                ),
            ],
            weights,
        },
        "scale-free" => Network::ScaleFree {
            m: c.int("contagion.interbank.network.m", &at("m"), n.m) as usize,
            weights,
        },
        "reconstructed" => Network::Reconstructed {
            minimum_density: match n.method.as_deref() {
                None | Some("ras") => false,
                Some("minimum-density") => true,
                Some(other) => {
                    c.problem(
                        at("method"),
                        format!("{other:?}"),
                        "one of \"ras\", \"minimum-density\"",
                    );
                    false
                }
            },
        },
        other => {
            c.problem(
                at("kind"),
                format!("{other:?}"),
                "one of \"explicit\", \"erdos-renyi\", \"core-periphery\", \"scale-free\", \"reconstructed\"",
            );
            Network::Reconstructed {
                minimum_density: false,
            }
        }
    };
    if let Network::CorePeriphery { core, .. } = &network
        && *core > banks.len()
    {
        c.problem(
            at("core"),
            core.to_string(),
            format!("at most the number of banks, {}", banks.len()),
        );
    }
    Ok((network, per_path))
}

/// The fields of `[contagion.interbank.network]` set but not used by its `kind` (a problem each).
/// An unknown kind is reported by the caller.
fn check_network_fields(n: &RawNetwork, c: &mut Checker, kind: &str) {
    let at = |f: &str| format!("contagion.interbank.network.{f}");
    let allowed: &[&str] = match kind {
        "explicit" => &["path"],
        "erdos-renyi" => &["mean_degree", "weights", "resample", "repair"],
        "core-periphery" => &[
            "core",
            "p_core_core",
            "p_core_periphery",
            "p_periphery_core",
            "p_periphery_periphery",
            "weights",
            "resample",
            "repair",
        ],
        "scale-free" => &["m", "weights", "resample", "repair"],
        "reconstructed" => &["method"],
        _ => &[],
    };
    let set = [
        ("path", n.path.is_some()),
        ("mean_degree", n.mean_degree.is_some()),
        ("core", n.core.is_some()),
        ("p_core_core", n.p_core_core.is_some()),
        ("p_core_periphery", n.p_core_periphery.is_some()),
        ("p_periphery_core", n.p_periphery_core.is_some()),
        ("p_periphery_periphery", n.p_periphery_periphery.is_some()),
        ("m", n.m.is_some()),
        ("method", n.method.is_some()),
        ("weights", n.weights.is_some()),
        ("resample", n.resample.is_some()),
        ("repair", n.repair.is_some()),
    ];
    if !allowed.is_empty() {
        for (f, is) in set {
            if is && !allowed.contains(&f) {
                c.problem(
                    at(f),
                    "(set)",
                    format!("not used by kind = {kind:?}; remove it"),
                );
            }
        }
    }
}

/// Reads an exposure matrix: a header row of borrower ids (the first cell is ignored), then one
/// row per lender: its id, then the amounts lent to each borrower. Missing banks lend and borrow
/// nothing.
fn read_matrix(
    path: &Path,
    c: &mut Checker,
    banks: &[Bank],
    file: &str,
    sources: &dyn Sources,
) -> Result<Vec<(usize, usize, f64)>> {
    let super::CsvFile {
        name,
        mut reader,
        headers,
    } = super::open_csv(
        sources,
        path,
        &format!("{file} contagion.interbank.network.path"),
    )?;
    let index = |id: &str| banks.iter().position(|b| b.id == id);
    if headers.is_empty() || headers.iter().all(|h| h.trim().is_empty()) {
        c.problem(
            format!("{name}: header"),
            "(empty)",
            "a header row of borrower ids (the first cell is ignored), then one row per lender",
        );
        return Ok(Vec::new());
    }
    let mut columns = Vec::new();
    for (k, h) in headers.iter().enumerate().skip(1) {
        match index(h) {
            Some(j) => {
                if columns.iter().any(|&(_, x)| x == j) {
                    c.problem(
                        format!("{name}: header, column {}", k + 1),
                        format!("{h:?}"),
                        "each borrower once",
                    );
                } else {
                    columns.push((k, j));
                }
            }
            None => c.problem(
                format!("{name}: header, column {}", k + 1),
                format!("{h:?}"),
                "the id of a bank of the scenario",
            ),
        }
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (r, rec) in reader.records().enumerate() {
        let row = r + 2;
        let rec = match rec {
            Ok(x) => x,
            Err(e) => {
                c.problem(
                    format!("{name}: row {row}"),
                    "(unreadable)",
                    format!("{} fields like the header ({e})", headers.len()),
                );
                continue;
            }
        };
        let id = rec.get(0).unwrap_or("");
        let Some(i) = index(id) else {
            c.problem(
                format!("{name}: row {row}, column 1"),
                format!("{id:?}"),
                "the id of a bank of the scenario",
            );
            continue;
        };
        if seen.contains(&i) {
            c.problem(
                format!("{name}: row {row}, column 1"),
                format!("{id:?}"),
                "each lender once",
            );
            continue;
        }
        seen.push(i);
        for &(k, j) in &columns {
            let cell = rec.get(k).unwrap_or("").trim();
            let at = format!("{name}: row {row}, column {}", headers.get(k).unwrap_or(""));
            match cell.parse::<f64>() {
                Ok(x) if (0.0..=super::params::MAX_MONEY).contains(&x) => {
                    if i == j && x != 0.0 {
                        c.problem(at, cell, "0 (a bank does not lend to itself)");
                    } else if x > 0.0 {
                        out.push((i, j, x));
                    }
                }
                Ok(_) => c.problem(at, cell, "a finite number >= 0 and <= 1e15"),
                Err(_) => c.problem(at, format!("{cell:?}"), "a number"),
            }
        }
    }
    out.sort_by_key(|a| (a.0, a.1));
    Ok(out)
}

pub(crate) fn validate_events(
    raw: &[RawEvent],
    c: &mut Checker,
    banks: &[Bank],
    regions: &[Region],
    contagion: &Contagion,
    quarters: u32,
) -> Vec<Event> {
    let mut out = Vec::new();
    for (i, e) in raw.iter().enumerate() {
        let at = |f: &str| format!("shocks[{i}].{f}");
        let quarter = c.int("shocks[].quarter", &at("quarter"), e.quarter) as u32;
        if quarter > quarters {
            c.problem(
                at("quarter"),
                quarter.to_string(),
                format!("at most run.quarters = {quarters}"),
            );
        }
        let kind = e.kind.as_deref().unwrap_or("");
        let used: &[&str] = match kind {
            "bank-failure" => &["banks", "random", "asset_loss"],
            "asset-price" => &["asset", "size"],
            "regional" => &["region", "size"],
            other => {
                c.problem(
                    at("kind"),
                    format!("{other:?}"),
                    "one of \"bank-failure\", \"asset-price\", \"regional\"",
                );
                continue;
            }
        };
        for (f, is) in [
            ("banks", e.banks.is_some()),
            ("random", e.random.is_some()),
            ("asset_loss", e.asset_loss.is_some()),
            ("asset", e.asset.is_some()),
            ("region", e.region.is_some()),
            ("size", e.size.is_some()),
        ] {
            if is && !used.contains(&f) {
                c.problem(
                    at(f),
                    "(set)",
                    format!("not used by kind = {kind:?}; remove it"),
                );
            }
        }
        match kind {
            "bank-failure" => {
                let mut named = Vec::new();
                for (k, id) in e.banks.iter().flatten().enumerate() {
                    match banks.iter().position(|b| &b.id == id) {
                        Some(b) if !named.contains(&b) => named.push(b),
                        Some(_) => c.problem(
                            format!("shocks[{i}].banks[{k}]"),
                            format!("{id:?}"),
                            "each bank once",
                        ),
                        None => c.problem(
                            format!("shocks[{i}].banks[{k}]"),
                            format!("{id:?}"),
                            "the id of a bank of the scenario",
                        ),
                    }
                }
                let random = c.int("shocks[].random", &at("random"), e.random) as usize;
                if named.len() + random > banks.len() {
                    c.problem(
                        at("random"),
                        random.to_string(),
                        format!("named + random failures at most the {} banks", banks.len()),
                    );
                }
                if named.is_empty() && random == 0 {
                    c.problem(
                        at("banks"),
                        "(none)",
                        "name banks, or set random to a positive number",
                    );
                }
                out.push(Event::BankFailure {
                    quarter,
                    banks: named,
                    random,
                    asset_loss: c.num("shocks[].asset_loss", &at("asset_loss"), e.asset_loss),
                });
            }
            "asset-price" => {
                let assets = contagion
                    .fire_sales
                    .as_ref()
                    .map(|f| f.assets.as_slice())
                    .unwrap_or(&[]);
                let name = e.asset.clone().unwrap_or_default();
                let asset = assets.iter().position(|a| a.name == name);
                if asset.is_none() {
                    c.problem(
                        at("asset"),
                        format!("{name:?}"),
                        if assets.is_empty() {
                            "an asset class of [[contagion.fire_sales.assets]] (fire sales are off)"
                                .to_string()
                        } else {
                            format!(
                                "one of {}",
                                assets
                                    .iter()
                                    .map(|a| format!("{:?}", a.name))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        },
                    );
                }
                let size = c.num("shocks[].size", &at("size"), e.size);
                if !(0.0..1.0).contains(&size) {
                    c.problem(at("size"), fmt_num(size), "a price fall in [0, 1)");
                }
                out.push(Event::AssetPrice {
                    quarter,
                    asset: asset.unwrap_or(0),
                    size,
                });
            }
            _ => {
                let name = e.region.clone().unwrap_or_default();
                let region = regions.iter().position(|r| r.name == name);
                if region.is_none() {
                    c.problem(
                        at("region"),
                        format!("{name:?}"),
                        "the name of a region of the scenario",
                    );
                }
                out.push(Event::Regional {
                    quarter,
                    region: region.unwrap_or(0),
                    size: c.num("shocks[].size", &at("size"), e.size),
                });
            }
        }
    }
    out
}
