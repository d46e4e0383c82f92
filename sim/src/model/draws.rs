//! Counting the keyed draws a path makes, for the throughput report's ceiling (the draws are the
//! irreducible work of a firm-quarter).
//!
//! The path is generic over a [`Tally`]: [`Model::simulate_path`](super::Model::simulate_path)
//! runs with `()`, which counts nothing and compiles away, and
//! [`Model::simulate_path_counted`](super::Model::simulate_path_counted) with [`DrawCounts`].
//! What is counted is the draws the model needs: a block's draws made for firms that do not use
//! them (the credit-need uniforms of firms without a loan, the scores of banks after the one that
//! funds a loan) are not. The unit tests below check the count against every draw the random
//! number module makes.

/// How many keyed draws a path made, by kind (for the throughput report's ceiling: the draws are
/// the irreducible work of a firm-quarter). Network generation and shocks are not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawCounts {
    /// Uniform draws ([`crate::rng::Key::uniform`]).
    pub uniforms: u64,
    /// Normal draws ([`crate::rng::Key::normal`]).
    pub normals: u64,
}

impl std::ops::Sub for DrawCounts {
    type Output = DrawCounts;

    /// The draws made between two counts (`later - earlier`).
    fn sub(self, earlier: DrawCounts) -> DrawCounts {
        DrawCounts {
            uniforms: self.uniforms - earlier.uniforms,
            normals: self.normals - earlier.normals,
        }
    }
}

/// Where a path adds up its draws: [`DrawCounts`], or `()` for nothing.
pub(super) trait Tally {
    /// Adds `n` uniform draws.
    fn uniforms(&mut self, n: u64);
    /// Adds `n` normal draws.
    fn normals(&mut self, n: u64);
}

impl Tally for () {
    #[inline(always)]
    fn uniforms(&mut self, _: u64) {}
    #[inline(always)]
    fn normals(&mut self, _: u64) {}
}

impl Tally for DrawCounts {
    #[inline(always)]
    fn uniforms(&mut self, n: u64) {
        self.uniforms += n;
    }
    #[inline(always)]
    fn normals(&mut self, n: u64) {
        self.normals += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::rng::drawn;
    use crate::scenario::{MapSources, Scenario};

    /// A scenario in which every draw of its first quarter is one the model needs: no firm defaults (a
    /// very low default intercept, and rationing does not raise it), every firm has a lender, one application per firm (so no
    /// score is made for a bank after the one that funds), human review of rejections on (its
    /// draws are made one by one), the emergency facility off.
    const EVERY_DRAW_NEEDED: &str = r#"
version = 1
name = "every-draw-needed"
[run]
paths = 1
quarters = 4
probe_firms = 50
[firms]
count = 700
liquidity_pd = 0.0
[banking]
max_applications = 1
[[regions]]
name = "east"
firm_share = 0.6
pd_intercept = -9.0
[[regions]]
name = "west"
firm_share = 0.4
pd_intercept = -9.0
[models]
similarity = 0.5
[[models.families]]
name = "a"
[[models.families]]
name = "b"
[policy.human_review]
share = 0.4
error_scale = 0.5
[[banks]]
id = "b1"
equity = 80.0
sme_loans = 800.0
family = "a"
regions = { east = 1.0 }
[[banks]]
id = "b2"
equity = 80.0
sme_loans = 700.0
family = "b"
regions = { east = 0.5, west = 0.5 }
[[banks]]
id = "b3"
equity = 80.0
sme_loans = 600.0
family = "b"
regions = { west = 1.0 }
"#;

    fn scenario(text: &str) -> Scenario {
        Scenario::from_toml_str(text, "test.toml", &MapSources::default())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The draws counted and the draws the random number module made, by kind, for one path.
    fn counted_and_drawn(s: &Scenario) -> (DrawCounts, DrawCounts) {
        let model = Model::new(s).unwrap_or_else(|e| panic!("{e}"));
        let before = drawn();
        let (result, counted) = model
            .simulate_path_counted(0)
            .unwrap_or_else(|e| panic!("{e}"));
        let after = drawn();
        assert_eq!(result.quarters.len(), s.run.quarters as usize);
        (counted, after - before)
    }

    #[test]
    fn the_count_includes_the_draws_of_the_baselines_sample() {
        // Draw scheme 2: with a sampled systemic-rejection baseline, one uniform per creditworthy
        // applicant decides whether it is in the sample.
        let s = scenario(&EVERY_DRAW_NEEDED.replace("quarters = 4", "quarters = 1"));
        let mut model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
        let exact = model
            .simulate_path_counted(0)
            .unwrap_or_else(|e| panic!("{e}"))
            .1;
        model.baseline_share = 0.5;
        let before = drawn();
        let (r, counted) = model
            .simulate_path_counted(0)
            .unwrap_or_else(|e| panic!("{e}"));
        let made = drawn() - before;
        assert_eq!(counted, made);
        assert!(r.quarters[0].systemic_rejection_baseline > 0.0);
        assert!(
            counted.uniforms > exact.uniforms,
            "{counted:?} vs {exact:?}"
        );
        assert_eq!(counted.normals, exact.normals);
    }

    #[test]
    fn the_count_is_every_draw_made_when_every_draw_is_needed() {
        // One quarter: a firm rationed in a quarter has no lender in the next, and its credit-need
        // uniform, made with its block's, goes unused.
        let s = scenario(&EVERY_DRAW_NEEDED.replace("quarters = 4", "quarters = 1"));
        let (counted, made) = counted_and_drawn(&s);
        let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
        let r = model.simulate_path(0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.summary.firm_defaults, 0.0,
            "the scenario must have no defaults"
        );
        // Review must have been exercised: some rejections, so some rationing.
        assert!(r.quarters[0].rationed > 0.0);
        assert!(counted.uniforms > 0 && counted.normals > 0);
        assert_eq!(counted, made);
    }

    #[test]
    fn the_count_never_exceeds_the_draws_made() {
        // Defaults, several applications per firm and the facility: some draws of a block go
        // unused, so the count is below what was made, never above.
        let s = scenario(
            &EVERY_DRAW_NEEDED
                .replace("pd_intercept = -9.0", "pd_intercept = -1.6")
                .replace("max_applications = 1", "max_applications = 3"),
        );
        let (counted, made) = counted_and_drawn(&s);
        assert!(counted.uniforms <= made.uniforms, "{counted:?} {made:?}");
        assert!(counted.normals <= made.normals, "{counted:?} {made:?}");
        assert!(counted.uniforms < made.uniforms, "{counted:?} {made:?}");
    }

    #[test]
    fn the_count_includes_the_draws_of_models_that_move() {
        // MODEL.md 4.1: adoption reviews (a uniform per active bank and review) and random
        // incidents (a uniform per family a quarter; a noise incident's normal per score it
        // touches, in the credit market and the probe). Two quarters in which every applicant is
        // approved (a threshold far below every score), so no firm is rationed and every draw
        // is needed, with a review in quarter 2 and a noise incident in both.
        let s = scenario(&format!(
            "{}\n[adoption]\nreview_every = 1\nswitch_prob = 0.5\n\n\
             [[models.incidents]]\nrate = 1.0\nkind = \"noise\"\nseverity = 0.3\n",
            EVERY_DRAW_NEEDED
                .replace("quarters = 4", "quarters = 2")
                .replace(
                    "[policy.human_review]\nshare = 0.4",
                    "[policy.human_review]\nshare = 0.0"
                )
                .replace("family = \"a\"", "family = \"a\"\nthreshold = -20.0")
                .replace("family = \"b\"", "family = \"b\"\nthreshold = -20.0")
        ));
        let (counted, made) = counted_and_drawn(&s);
        let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
        let r = model.simulate_path(0).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            r.quarters
                .iter()
                .all(|q| q.rationed == 0.0 && q.firm_defaults == 0.0)
        );
        assert!(
            r.quarters.iter().all(|q| q.incidents_active == 2.0),
            "{:?}",
            r.quarters
        );
        assert_eq!(counted, made);
        // Without the mechanisms: fewer of each kind, and still every draw counted.
        let off = scenario(
            &EVERY_DRAW_NEEDED
                .replace("quarters = 4", "quarters = 2")
                .replace(
                    "[policy.human_review]\nshare = 0.4",
                    "[policy.human_review]\nshare = 0.0",
                )
                .replace("family = \"a\"", "family = \"a\"\nthreshold = -20.0")
                .replace("family = \"b\"", "family = \"b\"\nthreshold = -20.0"),
        );
        let (counted_off, made_off) = counted_and_drawn(&off);
        assert_eq!(counted_off, made_off);
        // Reviews: 3 banks in quarter 2; incident starts: 2 families in each quarter (an incident
        // lasts one quarter by default, so each quarter draws again); noise: one normal per
        // score of the market and the probe.
        assert_eq!(counted.uniforms - counted_off.uniforms, 3 + 2 * 2);
        assert!(counted.normals > counted_off.normals);
    }

    #[test]
    fn an_uncounted_run_gives_the_same_path() {
        let s = scenario(EVERY_DRAW_NEEDED);
        let model = Model::new(&s).unwrap_or_else(|e| panic!("{e}"));
        let plain = model.simulate_path(0).unwrap_or_else(|e| panic!("{e}"));
        let (counted, _) = model
            .simulate_path_counted(0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(format!("{plain:?}"), format!("{counted:?}"));
    }
}
