//! The command-line side of XML Encryption: `issue --encrypt-for` (and its algorithm flags) and
//! `verify --decrypt-key` / `samlkit decrypt --key` (loading the SP's keys, PEM/DER or keystore).
//! The rules live in `samlkit-saml` (`verify/decrypt.rs`, `encrypt.rs`); this file only turns
//! flags into library calls, so `verify.rs` and `issue.rs` keep one-line hooks.

use std::io::Write;

use clap::{Args, ValueEnum};
use samlkit_cert::{Certificate, keystore};
use samlkit_dsig::{DataAlgorithm, DecryptionKey, EncryptOptions, KeyTransport, OaepHash};
use samlkit_saml::{
    SignTarget, SigningCredential, SigningProfile, VerifiedAssertion, VerifyPolicy,
    encrypt_assertion, encrypt_name_id, sign_document,
};

use crate::cmd::cert::password::{Purpose, read_password};
use crate::error::{CliError, saml_message};
use crate::io::{KEYSTORE, load_certificate, read_input, shown_path};

/// `issue`'s encryption flags.
#[derive(Args, Debug, Default)]
pub(crate) struct EncryptionArgs {
    /// Encrypt the (signed) Assertion to this SP certificate (PEM or DER): the Response then
    /// carries a saml:EncryptedAssertion. `--sign response|both` signs the Response over it.
    #[arg(long, value_name = "SP_CERT")]
    encrypt_for: Option<String>,
    /// Content encryption algorithm.
    #[arg(long, value_enum, value_name = "ALG", default_value_t = EncAlg::Aes256Gcm, requires = "encrypt_for")]
    enc_alg: EncAlg,
    /// Key transport: rsa-oaep-mgf1p (MGF1-SHA1, what most SPs expect) or xmlenc 1.1 rsa-oaep
    /// (MGF1 with the --oaep-digest hash). RSA-1_5 is never produced.
    #[arg(long, value_enum, value_name = "ALG", default_value_t = KeyTransportArg::RsaOaepMgf1p, requires = "encrypt_for")]
    key_transport: KeyTransportArg,
    /// The OAEP digest.
    #[arg(long, value_enum, value_name = "DIGEST", default_value_t = OaepDigestArg::Sha1, requires = "encrypt_for")]
    oaep_digest: OaepDigestArg,
    /// Also encrypt the Subject's NameID as a saml:EncryptedID (inside the signed Assertion).
    #[arg(long, requires = "encrypt_for")]
    encrypt_name_id: bool,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum EncAlg {
    #[default]
    Aes256Gcm,
    Aes128Gcm,
    Aes256Cbc,
    Aes128Cbc,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum KeyTransportArg {
    #[default]
    RsaOaepMgf1p,
    RsaOaep,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
enum OaepDigestArg {
    #[default]
    Sha1,
    Sha256,
}

impl EncryptionArgs {
    fn options(&self) -> EncryptOptions {
        let data = match self.enc_alg {
            EncAlg::Aes256Gcm => DataAlgorithm::Aes256Gcm,
            EncAlg::Aes128Gcm => DataAlgorithm::Aes128Gcm,
            EncAlg::Aes256Cbc => DataAlgorithm::Aes256Cbc,
            EncAlg::Aes128Cbc => DataAlgorithm::Aes128Cbc,
        };
        let digest = match self.oaep_digest {
            OaepDigestArg::Sha1 => OaepHash::Sha1,
            OaepDigestArg::Sha256 => OaepHash::Sha256,
        };
        let key_transport = match self.key_transport {
            KeyTransportArg::RsaOaepMgf1p => KeyTransport::RsaOaepMgf1p { digest },
            KeyTransportArg::RsaOaep => KeyTransport::RsaOaep { digest, mgf: digest },
        };
        EncryptOptions { data, key_transport }
    }

    /// The `--encrypt-for` certificate, if given (for the `--break` kinds that encrypt).
    pub(crate) fn certificate(&self) -> Result<Option<Certificate>, CliError> {
        self.encrypt_for.as_deref().map(load_certificate).transpose()
    }

    /// Signs `xml` as `profile` says and, with `--encrypt-for`, encrypts in the SAML order:
    /// NameID (if asked), sign the Assertion, encrypt it, sign the Response.
    pub(crate) fn sign_and_encrypt(
        &self,
        xml: &str,
        signing: &SigningCredential,
        profile: Option<SigningProfile>,
    ) -> Result<String, CliError> {
        let fail = |e: samlkit_saml::SamlError| CliError::input(saml_message(&e));
        let Some(path) = &self.encrypt_for else {
            return match profile {
                Some(p) => sign_document(xml, signing, &p).map_err(fail),
                None => Ok(xml.to_string()),
            };
        };
        let sp_cert: Certificate = load_certificate(path)?;
        let opts = self.options();
        let mut text = xml.to_string();
        if self.encrypt_name_id {
            text = encrypt_name_id(&text, &sp_cert, &opts).map_err(fail)?;
        }
        let signs =
            |t: SignTarget| profile.is_some_and(|p| p.target == t || p.target == SignTarget::Both);
        if let Some(p) = profile.filter(|_| signs(SignTarget::Assertion)) {
            text = sign_document(
                &text,
                signing,
                &SigningProfile { target: SignTarget::Assertion, ..p },
            )
            .map_err(fail)?;
        }
        text = encrypt_assertion(&text, &sp_cert, &opts).map_err(fail)?;
        if let Some(p) = profile.filter(|_| signs(SignTarget::Response)) {
            text = sign_document(
                &text,
                signing,
                &SigningProfile { target: SignTarget::Response, ..p },
            )
            .map_err(fail)?;
        }
        Ok(text)
    }
}

/// `verify`'s decryption flags.
#[derive(Args, Debug, Default)]
pub(crate) struct DecryptionArgs {
    /// The SP's private key for encrypted assertions (PKCS#8/PKCS#1 PEM or DER, or a JKS/PKCS#12
    /// keystore with --password-env). Repeatable, for a key rotation.
    #[arg(long = "decrypt-key", value_name = "KEY")]
    decrypt_keys: Vec<String>,
    /// Name of the environment variable that holds the keystore password (--decrypt-key with a
    /// keystore).
    #[arg(long, value_name = "VAR")]
    password_env: Option<String>,
    /// Accept AES-CBC encrypted assertions that no Response signature covers (unauthenticated
    /// encryption: an attacker can use the SP as a padding oracle).
    #[arg(long)]
    allow_cbc_unsigned: bool,
}

impl DecryptionArgs {
    /// The keys given, loaded.
    pub(crate) fn load(&self) -> Result<Vec<DecryptionKey>, CliError> {
        load_decryption_keys(&self.decrypt_keys, self.password_env.as_deref())
    }

    /// The policy with the keys and `--allow-cbc-unsigned`.
    pub(crate) fn apply<'c>(
        &self,
        policy: VerifyPolicy<'c>,
        keys: &'c [DecryptionKey],
    ) -> VerifyPolicy<'c> {
        let policy = policy.decryption_keys(keys);
        if self.allow_cbc_unsigned { policy.allow_cbc_unsigned() } else { policy }
    }
}

/// Loads each key file: a PEM/DER private key, or a keystore (every private key entry in it,
/// with its certificate, which lets the EncryptedKey's certificate pick the key).
pub(crate) fn load_decryption_keys(
    paths: &[String],
    password_env: Option<&str>,
) -> Result<Vec<DecryptionKey>, CliError> {
    let mut keys = Vec::new();
    for path in paths {
        let shown = shown_path(path);
        let bytes = read_input(path, KEYSTORE)?;
        let unusable = |e: samlkit_dsig::SignatureError| CliError::input(format!("{shown}: {e}"));
        if keystore::detect(&bytes).is_ok() {
            let password = read_password(password_env, Purpose::Existing)?;
            let in_file = |e: samlkit_cert::CertError| {
                CliError::from(e).map_message(|m| format!("{shown}: {m}"))
            };
            let contents = keystore::read(&bytes, &password).map_err(in_file)?;
            for entry in &contents.entries {
                let credential = entry.decode().map_err(in_file)?;
                keys.push(
                    DecryptionKey::new(&credential.key, credential.chain.first())
                        .map_err(unusable)?,
                );
            }
        } else {
            let key = samlkit_cert::PrivateKey::load(&bytes)
                .map_err(|e| CliError::input(format!("{shown}: {e}")))?;
            keys.push(DecryptionKey::new(&key, None).map_err(unusable)?);
        }
    }
    Ok(keys)
}

/// The human output's line for an encrypted result.
pub(crate) fn write_human(out: &mut impl Write, v: &VerifiedAssertion) -> std::io::Result<()> {
    if let Some((data, transport)) = v.encryption() {
        let short = |uri: &'static str| uri.rsplit('#').next().unwrap_or(uri);
        let what = if v.encrypted() { "assertion" } else { "elements" };
        writeln!(out, "  encrypted:       {what} ({}, {})", short(data), short(transport))?;
    }
    Ok(())
}
