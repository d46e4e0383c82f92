//! Contagion channels (MODEL.md §6–7): interbank clearing, DebtRank, network generation and
//! reconstruction, and fire sales. Pure functions of their inputs.
//!
//! Conventions shared by every module: banks are indexed `0..n`; the
//! exposure matrix `X` has `X[(i, j)]` = amount bank `i` has lent to bank `j`
//! (an asset of `i`, a liability of `j`); the liability matrix is `L = X^T`
//! (`L[(i, j)]` = what `i` owes `j`). All functions validate their inputs and
//! return [`ContagionError`] instead of panicking.

pub mod clearing;
pub mod debtrank;
mod error;
pub mod firesale;
pub mod network;

pub use error::ContagionError;
