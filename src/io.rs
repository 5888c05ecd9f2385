//! Everything the commands read and write: files and standard input, private keys,
//! certificates, trusted certificates and signing credentials (a key with its certificate).
//! Each loader names the file in its error, so every command words the same failure the same way.

use std::fs;
use std::io::Read;
use std::path::Path;

use samlkit_cert::{Certificate, PrivateKey, Signer};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::{ErrorKind, SigningCredential};

use crate::error::CliError;
use crate::write::{Existing, Secrecy, write_file};

/// How much one input may hold, and what it is (for the message that refuses a bigger one).
#[derive(Clone, Copy, Debug)]
pub(crate) struct InputLimit {
    /// The most bytes accepted.
    pub(crate) bytes: u64,
    /// What the input is, after "the limit for" (`a SAML message`).
    pub(crate) what: &'static str,
}

/// A SAML message as captured (XML, base64, form body): [`samlkit_saml::MAX_MESSAGE_BYTES`].
pub(crate) const SAML_MESSAGE: InputLimit =
    InputLimit { bytes: samlkit_saml::MAX_MESSAGE_BYTES, what: "a SAML message" };
/// A message to send by HTTP-Redirect: what may be inflated on the other side.
pub(crate) const REDIRECT_MESSAGE: InputLimit = InputLimit {
    bytes: samlkit_saml::redirect::MAX_INFLATED_BYTES as u64,
    what: "an HTTP-Redirect message",
};
/// An HTTP-Redirect URL (or its query string).
pub(crate) const REDIRECT_URL: InputLimit =
    InputLimit { bytes: samlkit_saml::redirect::MAX_URL_BYTES as u64, what: "a redirect URL" };
/// A JWT.
pub(crate) const TOKEN: InputLimit =
    InputLimit { bytes: samlkit_cert::jwt::MAX_TOKEN_BYTES as u64, what: "a token" };
/// A certificate, a bundle of them or a private key (a system CA bundle is about 200 KiB).
pub(crate) const CREDENTIAL: InputLimit =
    InputLimit { bytes: 4 * 1024 * 1024, what: "a certificate or key file" };
/// A PKCS#12 or JKS keystore.
pub(crate) const KEYSTORE: InputLimit = InputLimit { bytes: 16 * 1024 * 1024, what: "a keystore" };
/// A certificate inventory (TOML).
pub(crate) const INVENTORY: InputLimit =
    InputLimit { bytes: 4 * 1024 * 1024, what: "an inventory file" };

/// Reads a whole input: a path, or `-` for standard input. At most `limit.bytes + 1` bytes are
/// read: a bigger input is refused as soon as that byte arrives, never read to its end (a
/// stream of zeros on standard input costs no more memory than the limit).
pub(crate) fn read_input(path: &str, limit: InputLimit) -> Result<Vec<u8>, CliError> {
    if path == "-" {
        let bytes = read_at_most(std::io::stdin().lock(), limit.bytes, 0)
            .map_err(|e| CliError::input(format!("cannot read standard input: {e}")))?;
        check_size(shown_path(path), bytes, limit).map_err(CliError::input)
    } else {
        read_file(Path::new(path), limit).map_err(CliError::input)
    }
}

/// [`read_input`] for a file named by path (no standard input), with the error as text.
pub(crate) fn read_file(path: &Path, limit: InputLimit) -> Result<Vec<u8>, String> {
    read_file_expecting(path, limit, None)
}

/// [`read_file`] of a file whose length is already known (`expected`, from a recent look at
/// its metadata; only the buffer's first size, so a file that changed since is still read
/// whole), sparing the look-up of its metadata.
pub(crate) fn read_file_expecting(
    path: &Path,
    limit: InputLimit,
    expected: Option<u64>,
) -> Result<Vec<u8>, String> {
    let file = fs::File::open(path).map_err(|e| cannot_read(path, &e))?;
    read_opened_file(path, file, limit, expected)
}

/// [`read_file_expecting`] of a file already open (read from its current position).
pub(crate) fn read_opened_file(
    path: &Path,
    file: fs::File,
    limit: InputLimit,
    expected: Option<u64>,
) -> Result<Vec<u8>, String> {
    // Sized from the file's length, the buffer is read in one go instead of growing from 32
    // bytes (ten reads for a 6 KB response; twenty-eight and several reallocations for 10 MB).
    let expected = expected
        .unwrap_or_else(|| file.metadata().map_or(0, |m| m.len()))
        .min(limit.bytes.saturating_add(1));
    let bytes = read_at_most(file, limit.bytes, usize::try_from(expected).unwrap_or(0))
        .map_err(|e| cannot_read(path, &e))?;
    check_size(&path.display().to_string(), bytes, limit)
}

/// The message for a file that cannot be opened or read: `cannot read PATH: REASON`.
pub(crate) fn cannot_read(path: &Path, e: &std::io::Error) -> String {
    format!("cannot read {}: {}", path.display(), describe_io(e))
}

fn check_size(shown: &str, bytes: Vec<u8>, limit: InputLimit) -> Result<Vec<u8>, String> {
    if bytes.len() as u64 > limit.bytes {
        return Err(format!(
            "{shown}: larger than {} (the limit for {})",
            samlkit_xml::format_size(limit.bytes),
            limit.what
        ));
    }
    Ok(bytes)
}

/// Up to `limit + 1` bytes of `reader`: one byte more than allowed is enough to refuse.
/// `expected`: how many bytes are likely (the buffer starts with room for one more, so the
/// read that finds the end needs no new allocation).
fn read_at_most(reader: impl Read, limit: u64, expected: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(expected.saturating_add(1));
    reader.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Writes a public file (certificate, CSR, metadata, signed document) atomically and durably
/// with mode 0644 (see [`crate::write`]). Refuses to replace an existing file unless `force`
/// is set.
pub(crate) fn write_public(path: &Path, contents: &[u8], force: bool) -> Result<(), CliError> {
    write_file(path, contents, Secrecy::Public, Existing::from_force(force))
}

/// Writes a secret (private key, keystore) atomically and durably, with mode 0600 from the
/// moment the file exists (see [`crate::write`]). Refuses to replace an existing file unless
/// `force` is set.
pub(crate) fn write_secret(path: &Path, contents: &[u8], force: bool) -> Result<(), CliError> {
    write_file(path, contents, Secrecy::Secret, Existing::from_force(force))
}

/// An I/O error in plain words, without Rust's `(os error N)` suffix.
pub(crate) fn describe_io(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let s = e.to_string();
            let s = match s.find(" (os error") {
                Some(i) => &s[..i],
                None => s.as_str(),
            };
            // Rust's "Is a directory": messages continue in lower case after the file name.
            crate::now::lowercase_first(s)
        }
    }
}

/// The one rule for the values users paste (a JWT, a redirect URL), the same in every command:
/// the positional argument is a file path, or `-` for standard input; the value itself is
/// given with a flag (`--token`, `--url`). For old scripts, a positional argument that names no
/// file and has the shape of the value itself (`looks_literal`) is still taken as the value.
pub(crate) fn file_or_literal(
    positional: Option<&str>,
    literal: Option<&str>,
    limit: InputLimit,
    looks_literal: fn(&str) -> bool,
    flag: &str,
) -> Result<String, CliError> {
    if let Some(value) = literal {
        return Ok(value.to_string());
    }
    let arg = positional.unwrap_or("-");
    if arg != "-" && !Path::new(arg).exists() && looks_literal(arg) {
        return Ok(arg.to_string());
    }
    if arg != "-" && !Path::new(arg).exists() {
        return Err(CliError::input(format!(
            "cannot read {arg}: no such file or directory (give the value itself with {flag})"
        )));
    }
    let bytes = read_input(arg, limit)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::input(format!("{}: not UTF-8 text", shown_path(arg))))?;
    Ok(text.trim_start_matches('\u{feff}').trim().to_string())
}

/// How a path is named in messages: as given; standard input is `-` in every command, as on
/// the command line.
pub(crate) fn shown_path(path: &str) -> &str {
    path
}

/// Every certificate in a PEM or DER file (or `-`), in file order, with the file named in
/// errors. Never empty: a file without a certificate is an input error.
pub(crate) fn load_certificates(path: &str) -> Result<Vec<Certificate>, CliError> {
    let bytes = read_input(path, CREDENTIAL)?;
    let certs = Certificate::load_all(&bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", shown_path(path))))?;
    if certs.is_empty() {
        return Err(no_certificate(path));
    }
    Ok(certs)
}

/// The first certificate of a PEM or DER file (a bundle's leaf).
pub(crate) fn load_certificate(path: &str) -> Result<Certificate, CliError> {
    load_certificates(path)?.into_iter().next().ok_or_else(|| no_certificate(path))
}

fn no_certificate(path: &str) -> CliError {
    CliError::input(format!("{}: no certificate", shown_path(path)))
}

/// Every certificate of every `--cert` file, in order. Several are trusted during a rotation,
/// when the old and the new key both sign.
pub(crate) fn load_trusted(paths: &[String]) -> Result<Vec<Certificate>, CliError> {
    let mut trusted = Vec::new();
    for path in paths {
        trusted.extend(load_certificates(path)?);
    }
    Ok(trusted)
}

/// A private key in any supported format, with the file named in errors.
/// A passphrase-protected PKCS#8 key (`ENCRYPTED PRIVATE KEY`) is decrypted with the password
/// from `--password-env`, `--password-file`, `--password-stdin` or the terminal prompt.
pub(crate) fn load_key(path: &str) -> Result<PrivateKey, CliError> {
    let bytes = read_input(path, CREDENTIAL)?;
    let shown = shown_path(path);
    if samlkit_cert::encrypted_key::is_encrypted_pkcs8(&bytes) {
        use crate::cmd::cert::password::{Purpose, read_password};
        let password = read_password(Purpose::Existing, &format!("password of {shown}"))?;
        let der = samlkit_cert::encrypted_key::decrypt_pkcs8(&bytes, password.as_bytes())
            .map_err(|e| CliError::input(format!("{shown}: {e}")))?;
        return PrivateKey::from_der(&der).map_err(|e| CliError::input(format!("{shown}: {e}")));
    }
    PrivateKey::load(&bytes).map_err(|e| CliError::input(format!("{shown}: {e}")))
}

/// A private key ready to sign, for the commands that need no certificate (`jwt`, `redirect
/// sign`).
pub(crate) fn load_signer(path: &str) -> Result<Signer, CliError> {
    load_key(path)?.signer().map_err(|e| CliError::input(format!("{path}: {e}")))
}

/// A private key and its certificate (with the rest of a PEM bundle's chain), each file read
/// once. Every command that takes `--key` and `--cert` together loads them as one of these.
pub(crate) struct Credential {
    key: PrivateKey,
    /// The certificate of the key: the first in the `--cert` file.
    leaf: Certificate,
    /// The certificates after it in the file (its issuers, in file order).
    issuers: Vec<Certificate>,
    key_path: String,
    cert_path: String,
}

impl Credential {
    /// Reads `--key` and every certificate of `--cert`. Whether they belong together is checked
    /// by [`Credential::matched`], or by the caller's own rules (keystore export).
    pub(crate) fn load(key_path: &str, cert_path: &str) -> Result<Self, CliError> {
        let key = load_key(key_path)?;
        Self::with_certificates(key, key_path, load_certificates(cert_path)?, cert_path)
    }

    /// A key already read and the certificates of `cert_path`, also already read (so a file,
    /// or standard input, is never read twice).
    pub(crate) fn with_certificates(
        key: PrivateKey,
        key_path: &str,
        certs: Vec<Certificate>,
        cert_path: &str,
    ) -> Result<Self, CliError> {
        let mut certs = certs.into_iter();
        let leaf = certs.next().ok_or_else(|| no_certificate(cert_path))?;
        Ok(Credential {
            key,
            leaf,
            issuers: certs.collect(),
            key_path: key_path.to_string(),
            cert_path: cert_path.to_string(),
        })
    }

    /// The same credential once its certificate is known to belong to its key (exit 2 if not).
    pub(crate) fn matched(self) -> Result<Self, CliError> {
        if !self.leaf.matches_key(&self.key) {
            return Err(CliError::input(format!(
                "the certificate {} does not belong to the private key {}",
                self.cert_path, self.key_path
            )));
        }
        Ok(self)
    }

    /// A `warning:` line on stderr when the certificate is expired, not yet valid, or inside
    /// the 60-day renewal window at `now`: what is signed with it now will be refused (or soon
    /// be) by an SP that checks the certificate's dates.
    pub(crate) fn warn_if_due(&self, now: chrono::DateTime<chrono::Utc>) {
        warn_if_due(&self.leaf, &self.cert_path, now);
    }

    /// The key and its certificate as the library signs with them; the library refuses a pair
    /// that does not belong together (exit 2, naming both files).
    pub(crate) fn signing(&self) -> Result<SigningCredential, CliError> {
        SigningCredential::new(&self.key, self.leaf.clone()).map_err(|e| match e.kind() {
            ErrorKind::KeyMismatch => CliError::input(format!(
                "the certificate {} does not belong to the private key {}",
                self.cert_path, self.key_path
            )),
            _ => {
                CliError::input(format!("cannot use private key {}: {}", self.key_path, e.detail()))
            }
        })
    }

    /// The key's certificate (the one that goes into KeyInfo).
    pub(crate) fn certificate(&self) -> &Certificate {
        &self.leaf
    }

    /// The key and the whole chain, leaf first.
    pub(crate) fn into_key_and_chain(self) -> (PrivateKey, Vec<Certificate>) {
        let mut chain = Vec::with_capacity(1 + self.issuers.len());
        chain.push(self.leaf);
        chain.extend(self.issuers);
        (self.key, chain)
    }

    /// `--alg` (default: rsa-sha256 for RSA keys, the curve's ECDSA for EC keys) and
    /// `--digest`, checked against the key.
    pub(crate) fn algorithms(
        &self,
        alg: Option<&str>,
        digest: &str,
    ) -> Result<(SignatureMethod, DigestMethod), CliError> {
        let key_alg = self.key.algorithm();
        let method = match alg {
            None => SignatureMethod::default_for_key(key_alg),
            // SHA-1 signatures are forgeable with chosen-prefix collisions, and `verify` refuses
            // them without --allow-sha1: nothing here makes one (`issue --break sha1` does, on
            // purpose, for testing SPs).
            Some("rsa-sha1") => {
                return Err(CliError::input(
                    "--alg rsa-sha1 is refused: SHA-1 signatures are broken and samlkit verify rejects them; use rsa-sha256 (or issue --break sha1 to test that an SP refuses SHA-1)",
                ));
            }
            Some(name) => SignatureMethod::from_name(name).ok_or_else(|| {
                CliError::input(format!(
                    "--alg {name:?} is not one of rsa-sha256, rsa-sha384, rsa-sha512, ecdsa-sha256, ecdsa-sha384"
                ))
            })?,
        };
        if method.for_key(key_alg).is_none() {
            return Err(CliError::input(format!(
                "--alg {} does not fit the key ({key_alg})",
                method.name()
            )));
        }
        let digest = match digest {
            "sha256" => DigestMethod::Sha256,
            "sha384" => DigestMethod::Sha384,
            "sha512" => DigestMethod::Sha512,
            other => {
                return Err(CliError::input(format!(
                    "--digest {other:?} is not one of sha256, sha384, sha512"
                )));
            }
        };
        Ok((method, digest))
    }
}

/// See [`Credential::warn_if_due`].
pub(crate) fn warn_if_due(cert: &Certificate, cert_path: &str, now: chrono::DateTime<chrono::Utc>) {
    use samlkit_cert::expiry::{DEFAULT_WARN_DAYS, Expiry, ExpiryStatus};
    let info = cert.info();
    let expiry = Expiry::evaluate(info.not_before, info.not_after, now, DEFAULT_WARN_DAYS);
    if expiry.status == ExpiryStatus::Ok {
        return;
    }
    eprintln!(
        "warning: {}: the signing certificate {} {}",
        crate::shown::terminal(shown_path(cert_path)),
        crate::shown::terminal(&info.subject.to_string()),
        expiry.describe(info.not_before, info.not_after)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A length known from an earlier look is only the buffer's first size: a file that has
    /// grown or shrunk since is read whole, and the limit still holds.
    #[test]
    fn a_stale_expected_length_still_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xml");
        std::fs::write(&path, vec![b'x'; 10_000]).unwrap();
        let limit = InputLimit { bytes: 20_000, what: "a test" };
        for expected in [None, Some(0), Some(10), Some(10_000), Some(1 << 20)] {
            let bytes = read_file_expecting(&path, limit, expected).unwrap();
            assert_eq!(bytes.len(), 10_000, "expected {expected:?}");
        }
        let small = InputLimit { bytes: 9_999, what: "a test" };
        let refused = read_file_expecting(&path, small, Some(10)).unwrap_err();
        assert!(refused.contains("larger than"), "{refused}");
    }
}
