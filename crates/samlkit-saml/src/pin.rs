//! Certificate pinning by fingerprint: trust the certificate a message carries in its
//! signature's KeyInfo **only** when its SHA-256 fingerprint is one the caller pinned (as IdP
//! admin pages publish it: `sha256:AB:CD:…`). Without a matching pin, a KeyInfo certificate
//! never creates trust.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use samlkit_cert::Certificate;
use samlkit_dsig::NS_DSIG;

use crate::{ErrorKind, SamlError};

/// A pinned SHA-256 fingerprint, normalized to upper-case hex pairs joined by colons (the form
/// [`Certificate::sha256_fingerprint`] prints).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Reads `sha256:AB:CD:…`, `AB:CD:…` or `abcd…` (case, colons and spaces do not matter).
    ///
    /// ```
    /// use samlkit_saml::pin::Fingerprint;
    /// let hex = "ab".repeat(32);
    /// let a = Fingerprint::parse(&format!("sha256:{hex}"))?;
    /// let b = Fingerprint::parse(&"AB:".repeat(32).trim_end_matches(':'))?;
    /// assert_eq!(a, b);
    /// assert!(Fingerprint::parse("sha1:AB:CD").is_err());
    /// # Ok::<(), samlkit_saml::SamlError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Fingerprint, SamlError> {
        let bad = |why: &str| {
            SamlError::new(ErrorKind::MalformedInput, format!("fingerprint {text:?}: {why}"))
        };
        let trimmed = text.trim();
        let body = match trimmed.split_once(':') {
            Some((algorithm, rest)) if algorithm.eq_ignore_ascii_case("sha256") => rest,
            Some((algorithm, _)) if algorithm.len() > 2 => {
                return Err(bad("only sha256 fingerprints are accepted"));
            }
            _ => trimmed,
        };
        let hex: String = body
            .chars()
            .filter(|c| !matches!(c, ':' | ' ' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad("expected 32 bytes of hex (64 digits), as sha256:AB:CD:…"));
        }
        let pairs: Vec<&str> = (0..32).filter_map(|i| hex.get(i * 2..i * 2 + 2)).collect();
        Ok(Fingerprint(pairs.join(":")))
    }

    /// Whether `cert` has this fingerprint.
    pub fn matches(&self, cert: &Certificate) -> bool {
        cert.sha256_fingerprint() == self.0
    }
}

/// The certificates in the message's signatures' KeyInfo (`ds:X509Certificate`) whose SHA-256
/// fingerprint is pinned. `input` is read like [`crate::verify_response`] reads it.
///
/// Errors: [`ErrorKind::UntrustedCertificate`] when the message carries certificates and none
/// is pinned (the message names the fingerprints it carries), or carries none at all; the
/// decoding and parsing errors of [`crate::decode_input`].
pub fn pinned_keyinfo_certificates(
    input: &[u8],
    pins: &[Fingerprint],
) -> Result<Vec<Certificate>, SamlError> {
    let (xml, _) = crate::decode_input(input)?;
    let doc = crate::verify::parse_document(&xml)?;
    let mut carried = Vec::new();
    for node in doc.descendants().filter(|n| n.has_name(NS_DSIG, "X509Certificate")) {
        let inside_keyinfo = node.ancestors().any(|a| a.has_name(NS_DSIG, "KeyInfo"));
        if !inside_keyinfo {
            continue;
        }
        let b64: String =
            node.text_content().chars().filter(|c| !c.is_ascii_whitespace()).collect();
        if let Some(cert) =
            STANDARD.decode(b64.as_bytes()).ok().and_then(|der| Certificate::from_der(&der).ok())
        {
            carried.push(cert);
        }
    }
    if carried.is_empty() {
        return Err(SamlError::new(
            ErrorKind::UntrustedCertificate,
            "the signature's KeyInfo carries no certificate, so a --fingerprint pin cannot apply",
        ));
    }
    let (pinned, other): (Vec<Certificate>, Vec<Certificate>) =
        carried.into_iter().partition(|c| pins.iter().any(|p| p.matches(c)));
    if pinned.is_empty() {
        let seen: Vec<String> = other.iter().map(|c| c.sha256_fingerprint()).collect();
        return Err(SamlError::new(
            ErrorKind::UntrustedCertificate,
            format!(
                "the certificate in the signature's KeyInfo (SHA-256 {}) matches no pinned fingerprint",
                seen.join(", ")
            ),
        ));
    }
    Ok(pinned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(pem: &[u8]) -> Certificate {
        Certificate::load(pem).unwrap()
    }

    #[test]
    fn fingerprints_are_read_in_every_usual_spelling() {
        let fp = cert(include_bytes!("../data/example-idp.crt")).sha256_fingerprint();
        let bare = fp.replace(':', "");
        for text in [
            format!("sha256:{fp}"),
            format!("SHA256:{}", bare.to_lowercase()),
            fp.to_lowercase(),
            fp.replace(':', " "),
            format!("  {bare}\n"),
        ] {
            assert_eq!(Fingerprint::parse(&text).unwrap(), Fingerprint(fp.clone()), "{text}");
        }
        for (text, why) in [
            ("sha1:AB:CD", "only sha256"),
            ("sha256:AB:CD", "expected 32 bytes"),
            (&format!("sha256:{}", "ZZ".repeat(32)), "expected 32 bytes"),
        ] {
            let err = Fingerprint::parse(text).unwrap_err();
            assert!(err.detail().contains(why), "{text}: {err}");
        }
    }

    #[test]
    fn only_a_pinned_keyinfo_certificate_is_returned() {
        let response = include_bytes!("../data/example-response.xml");
        let idp = cert(include_bytes!("../data/example-idp.crt"));
        let attacker = cert(include_bytes!("../data/attacker.crt"));
        let pin = |c: &Certificate| Fingerprint::parse(&c.sha256_fingerprint()).unwrap();

        let pinned = pinned_keyinfo_certificates(response, &[pin(&attacker), pin(&idp)]).unwrap();
        assert_eq!(pinned, vec![idp.clone()]);

        // The attacker's pin does not make the IdP's KeyInfo certificate trusted, and the
        // error names the fingerprint the message carries.
        let err = pinned_keyinfo_certificates(response, &[pin(&attacker)]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UntrustedCertificate);
        assert!(err.detail().contains(&idp.sha256_fingerprint()), "{err}");

        // A message without KeyInfo certificates gives nothing to pin.
        let err = pinned_keyinfo_certificates(b"<x/>", &[pin(&idp)]).unwrap_err();
        assert!(err.detail().contains("carries no certificate"), "{err}");
    }
}
