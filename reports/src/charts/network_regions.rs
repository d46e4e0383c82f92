//! Banks by home region. A bank's home region is the region of the largest share of its SME lending
//! (`sim::scenario::Bank::regions`). A bank whose largest share is shared by two or more regions
//! (a national bank serving every region alike) has no single home; it is counted in a group of
//! its own, "several regions", rather than given to whichever region is listed first.

use sim::scenario::{Bank, Scenario};

/// The name of the group of banks without a single home region.
pub const SEVERAL_REGIONS: &str = "several regions";

/// Shares this close (relative) count as equal when finding the largest.
const TIE: f64 = 1e-9;

/// The index (into `Scenario::regions`) of `bank`'s home region: the region of its largest
/// lending share; `None` when two or more regions share the largest share, or it serves none.
pub fn home_region(bank: &Bank) -> Option<usize> {
    let top = bank
        .regions
        .iter()
        .map(|(_, w)| *w)
        .fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    let mut best = bank
        .regions
        .iter()
        .filter(|(_, w)| (top - w).abs() <= TIE * top.abs().max(1e-300));
    let (r, _) = best.next()?;
    match best.next() {
        Some(_) => None,
        None => Some(*r),
    }
}

/// The banks of a scenario in groups by home region: the regions home to at least one bank, in
/// scenario order, then [`SEVERAL_REGIONS`] when some bank has no single home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegionGroups {
    /// Group names: region names, then possibly [`SEVERAL_REGIONS`].
    pub names: Vec<String>,
    /// The group of each bank, in scenario order (an index into `names`).
    pub of_bank: Vec<usize>,
}

impl RegionGroups {
    /// Groups `scenario`'s banks by home region.
    pub fn of(scenario: &Scenario) -> RegionGroups {
        let homes: Vec<Option<usize>> = scenario.banks.iter().map(home_region).collect();
        let mut names = Vec::new();
        let mut slot = vec![usize::MAX; scenario.regions.len()];
        for (r, region) in scenario.regions.iter().enumerate() {
            if homes.contains(&Some(r)) {
                slot[r] = names.len();
                names.push(region.name.clone());
            }
        }
        let several = homes.contains(&None).then(|| {
            names.push(SEVERAL_REGIONS.to_string());
            names.len() - 1
        });
        let of_bank = homes
            .iter()
            .map(|h| match h {
                Some(r) => slot.get(*r).copied().unwrap_or(0),
                None => several.unwrap_or(0),
            })
            .collect();
        RegionGroups { names, of_bank }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no groups (a scenario without banks).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank(regions: &[(usize, f64)]) -> Bank {
        let b = crate::bundled::find("baseline").expect("bundled");
        let s = Scenario::load(&b.path(), crate::bundled::sources()).expect("loads");
        let mut bank = s.banks[0].clone();
        bank.regions = regions.to_vec();
        bank
    }

    #[test]
    fn the_home_region_is_the_largest_share_and_a_tie_has_none() {
        assert_eq!(home_region(&bank(&[(0, 1.0)])), Some(0));
        assert_eq!(home_region(&bank(&[(0, 0.3), (2, 0.7)])), Some(2));
        assert_eq!(home_region(&bank(&[(1, 0.5), (2, 0.5)])), None);
        let third = 1.0 / 3.0;
        assert_eq!(
            home_region(&bank(&[(0, third), (1, third), (2, third)])),
            None
        );
        assert_eq!(home_region(&bank(&[])), None);
    }
}
