//! Where `verify` takes trust from besides `--cert`: the signing certificates of an IdP's
//! metadata (`--idp-metadata`, its own signature checked when `--metadata-cert` is given), and
//! `--fingerprint` pins on the certificate a message carries in its KeyInfo. A KeyInfo
//! certificate is trusted only when a pin matches it.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use samlkit_cert::Certificate;
use samlkit_saml::IdentityProvider;
use samlkit_saml::pin::{Fingerprint, pinned_keyinfo_certificates};

use crate::error::CliError;
use crate::io::{SAML_MESSAGE, load_trusted, read_input};

/// The trust flags of `verify`.
pub(super) struct TrustArgs<'a> {
    pub(super) certs: &'a [String],
    pub(super) idp_metadata: Option<&'a str>,
    pub(super) metadata_certs: &'a [String],
    pub(super) fingerprints: &'a [String],
}

/// The certificates every file is verified against, and the pins checked per file.
pub(super) struct Trust {
    pub(super) certificates: Vec<Certificate>,
    pins: Vec<Fingerprint>,
}

impl Trust {
    /// Reads `--cert`, `--idp-metadata` (checked against `--metadata-cert` when given) and
    /// `--fingerprint`.
    pub(super) fn load(args: &TrustArgs<'_>, now: DateTime<Utc>) -> Result<Trust, CliError> {
        let mut certificates = load_trusted(args.certs)?;
        if let Some(path) = args.idp_metadata {
            let bytes = read_input(path, SAML_MESSAGE)?;
            let shown = crate::io::shown_path(path);
            let idp = if args.metadata_certs.is_empty() {
                IdentityProvider::from_unverified_metadata(&bytes, now)
            } else {
                IdentityProvider::from_metadata(&bytes, &load_trusted(args.metadata_certs)?, now)
            }
            .map_err(|e| {
                CliError::from(e).map_message(|m| format!("--idp-metadata {shown}: {m}"))
            })?;
            certificates.extend(idp.signing_certificates().iter().cloned());
        }
        let pins = args
            .fingerprints
            .iter()
            .map(|f| {
                Fingerprint::parse(f).map_err(|e| CliError::input(format!("--{}", e.detail())))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Trust { certificates, pins })
    }

    /// The certificates to verify `message` against: the common ones, plus the KeyInfo
    /// certificates a `--fingerprint` pins (an error when pins are given and none matches).
    pub(super) fn for_message(
        &self,
        message: &[u8],
    ) -> Result<Cow<'_, [Certificate]>, samlkit_saml::SamlError> {
        if self.pins.is_empty() {
            return Ok(Cow::Borrowed(&self.certificates));
        }
        let pinned = match pinned_keyinfo_certificates(message, &self.pins) {
            Ok(pinned) => pinned,
            // With other trust configured, an unpinned KeyInfo is simply not trusted.
            Err(_) if !self.certificates.is_empty() => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut all = self.certificates.clone();
        all.extend(pinned);
        Ok(Cow::Owned(all))
    }
}
