//! The issuer chain of a certificate file: how each certificate relates to the one after it,
//! and the issuers a trust store adds to complete it.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::tls::chain::{Link, complete, links};
//! use samlkit_cert::tls::{self, LeafProfile, Usage};
//! use samlkit_cert::{PrivateKey, Subject, generate};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/ec-p256.key"))?;
//! let root = tls::new_ca(&key, &Subject::new("Root CA"), now, 3650, Some(1))?;
//! let csr = generate::certificate_request(&key, &Subject::new("client"))?;
//! let profile = LeafProfile { usage: Usage::Client, ..LeafProfile::default() };
//! let leaf = tls::sign_request(csr.der(), &root, &key, now, 365, &profile)?;
//!
//! assert_eq!(links(&[leaf.clone(), root.clone()]), [Link::SignedByNext, Link::Root]);
//! assert_eq!(links(&[leaf.clone()]), [Link::IssuerNotGiven]);
//! // A trust store completes the chain.
//! assert_eq!(complete(&[leaf], &[root.clone()]), [root]);
//! # Ok(()) }
//! ```

use super::is_signed_by;
use crate::certificate::Certificate;

/// How one certificate of a chain relates to the certificate after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Signed by the next certificate, as a chain (leaf first) should be.
    SignedByNext,
    /// Not signed by the next certificate; `issuer_at` is the 0-based position of its issuer
    /// elsewhere in the chain, if it is there.
    NotSignedByNext {
        /// Where its issuer is instead.
        issuer_at: Option<usize>,
    },
    /// The last certificate, self-signed: the chain ends at a root.
    Root,
    /// The last certificate, not self-signed: its issuer is not in the chain.
    IssuerNotGiven,
}

/// One [`Link`] per certificate of `chain`, in order.
pub fn links(chain: &[Certificate]) -> Vec<Link> {
    chain
        .iter()
        .enumerate()
        .map(|(i, cert)| match chain.get(i + 1) {
            Some(next) if is_signed_by(cert, next) => Link::SignedByNext,
            Some(_) => Link::NotSignedByNext {
                issuer_at: chain
                    .iter()
                    .position(|c| c.der() != cert.der() && is_signed_by(cert, c)),
            },
            None if is_signed_by(cert, cert) => Link::Root,
            None => Link::IssuerNotGiven,
        })
        .collect()
}

/// The certificates of `pool` (a trust store, `--ca-file`) that continue `chain` past its
/// last certificate, in order: its issuer, that one's issuer, and so on, until a self-signed
/// root or a certificate whose issuer `pool` does not hold. Each pool certificate is used at
/// most once, so a loop of cross-signatures ends.
pub fn complete(chain: &[Certificate], pool: &[Certificate]) -> Vec<Certificate> {
    let mut added: Vec<Certificate> = Vec::new();
    let Some(mut last) = chain.last() else { return added };
    while !is_signed_by(last, last) {
        let used = |c: &Certificate| chain.iter().chain(added.iter()).any(|u| u.der() == c.der());
        let Some(issuer) = pool.iter().find(|c| !used(c) && is_signed_by(last, c)) else {
            break;
        };
        added.push(issuer.clone());
        last = issuer;
    }
    added
}
