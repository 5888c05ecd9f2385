//! A secure XML tree on quick-xml, Canonical XML 1.0 and Exclusive XML Canonicalization, and
//! XML Signature (enveloped) creation and verification.
//!
//! No DTDs, no entity expansion beyond the five predefined entities, bounded size and depth.
#![forbid(unsafe_code)]
