//! gradwork: exact, explainable deep-learning exercises.
//!
//! ```
//! use gradwork::{grad, Num, Tensor};
//!
//! // y = Σ (wᵢ·xᵢ)² = (1/3)² + (1/3)² + (1.3/3)² = 3.69/9 = 0.41, exactly.
//! let w = Tensor::<Num>::parse("[1/3, 1/3, 1/3]")?;
//! let x = Tensor::<Num>::parse("[1, 1, 1.3]")?;
//! let y = w.mul(&x)?.powi(2)?.sum_all()?;
//! assert_eq!(y.to_string(), "0.41");
//! // ∂y/∂wᵢ = 2·wᵢ·xᵢ² = [2/3, 2/3, 2·1.69/3 = 169/150]
//! let g = grad(&y, &[&w])?;
//! assert_eq!(g[0].to_string(), "[2/3 ≈ 0.6667, 2/3 ≈ 0.6667, 169/150 ≈ 1.127]");
//! # Ok::<(), gradwork::Error>(())
//! ```
//!
//! Nothing a user writes may panic the library: `unwrap` and `expect` are
//! denied outside tests; the few invariants that hold by construction say so
//! with `#[allow]` and a reason at the spot.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod autograd;
pub mod boundary;
pub mod budget;
pub mod error;
pub mod explain;
pub mod lang;
pub mod metric;
pub mod nn;
pub mod num;
pub mod serve;
pub mod tape;
pub mod tensor;

pub use autograd::{backward, grad, Tensor};
pub use error::{Error, Result};
pub use num::Num;
pub use tensor::{Element, Idx};
