//! Key pairs, X.509 certificates, CSRs, fingerprints, expiry and the certificate inventory.
//!
//! This crate owns everything about the signing credential itself. It never reads the clock or
//! the environment: every time-dependent function takes `now` as a parameter.
#![forbid(unsafe_code)]

pub mod keystore;
