//! Passwords: the rules a chosen one must meet (`rules`, shared with the WASM client, and
//! `strength` with its `common` list), how they are hashed (`hash`), and creating, resetting and
//! changing them (`set`). Signing in with one is in `super::sign_in`, beside every other sign-in.

pub mod rules;

#[cfg(feature = "ssr")]
mod common;
#[cfg(feature = "ssr")]
pub mod hash;
#[cfg(feature = "ssr")]
mod set;
#[cfg(feature = "ssr")]
pub mod strength;

pub use rules::{Password, PasswordError, MAX_LENGTH, MIN_LENGTH};
#[cfg(feature = "ssr")]
pub(in crate::accounts) use set::Origin;
#[cfg(feature = "ssr")]
pub use set::PatientDetails;
