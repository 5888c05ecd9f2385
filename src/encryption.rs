//! The command-line side of XML Encryption: `issue --encrypt-for` (and its algorithm flags) and
//! `verify --decrypt-key` / `samlkit decrypt --key` (loading the SP's keys, PEM/DER or keystore).
//! The rules live in `samlkit-saml` (`verify/decrypt.rs`, `encrypt.rs`); this file only turns
//! flags into library calls, so `verify.rs` and `issue.rs` keep one-line hooks.

use std::io::Write;

use clap::{Args, ValueEnum};
use samlkit_cert::{Certificate, keystore};
use samlkit_dsig::{DataAlgorithm, DecryptionKey, EncryptOptions, KeyTransport, OaepHash};
use samlkit_saml::{
    AssertionEncryption, ResponseParams, SigningCredential, SigningProfile, SpMetadata,
    VerifiedAssertion, VerifyPolicy, read_sp_metadata, sign_and_encrypt, sign_document,
};

use crate::cmd::cert::password::{Purpose, read_password};
use crate::error::{CliError, saml_message};
use crate::io::{KEYSTORE, SAML_MESSAGE, load_certificate, read_input, shown_path};

/// `issue`'s encryption flags, and SP metadata as input.
#[derive(Args, Debug, Default)]
pub(crate) struct EncryptionArgs {
    /// Encrypt the (signed) Assertion to this SP certificate (PEM or DER): the Response then
    /// carries a saml:EncryptedAssertion. `--target response|both` signs the Response over it.
    #[arg(long, value_name = "SP_CERT")]
    encrypt_for: Option<String>,
    /// Content encryption algorithm [default: aes256-gcm, or what --sp-metadata lists].
    #[arg(long, value_enum, value_name = "ALG")]
    enc_alg: Option<EncAlg>,
    /// Key transport: rsa-oaep-mgf1p (MGF1-SHA1, what most SPs expect) or xmlenc 1.1 rsa-oaep
    /// (MGF1 with the --oaep-digest hash). RSA-1_5 is never produced. [default: rsa-oaep-mgf1p]
    #[arg(long, value_enum, value_name = "ALG")]
    key_transport: Option<KeyTransportArg>,
    /// The OAEP digest. [default: sha1]
    #[arg(long, value_enum, value_name = "DIGEST")]
    oaep_digest: Option<OaepDigestArg>,
    /// Also encrypt the Subject's NameID as a saml:EncryptedID (inside the signed Assertion).
    #[arg(long)]
    encrypt_name_id: bool,
    /// The SP's metadata: its entityID is the audience, its HTTP-POST AssertionConsumerService
    /// the recipient (flags given explicitly win); with --encrypt, its encryption certificate.
    #[arg(long, value_name = "FILE")]
    sp_metadata: Option<String>,
    /// The AssertionConsumerService `index` to send to (with --sp-metadata).
    #[arg(long, value_name = "N", requires = "sp_metadata")]
    acs_index: Option<u32>,
    /// Encrypt to the `KeyDescriptor use="encryption"` certificate of --sp-metadata (preferring
    /// GCM unless the SP lists only CBC).
    #[arg(long, requires = "sp_metadata", conflicts_with = "encrypt_for")]
    encrypt: bool,
    /// Verify the signature of --sp-metadata with this certificate (refused if unsigned).
    #[arg(long, value_name = "CERT", requires = "sp_metadata")]
    sp_metadata_cert: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub(crate) enum EncAlg {
    #[default]
    Aes256Gcm,
    Aes128Gcm,
    Aes256Cbc,
    Aes128Cbc,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub(crate) enum KeyTransportArg {
    #[default]
    RsaOaepMgf1p,
    RsaOaep,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum)]
pub(crate) enum OaepDigestArg {
    #[default]
    Sha1,
    Sha256,
}

/// The encryption options from `--enc-alg`, `--key-transport` and `--oaep-digest` (or the
/// `idp serve` keys of the same names); without `--enc-alg`, what the SP's metadata prefers,
/// else AES-256-GCM.
pub(crate) fn encrypt_options(
    enc_alg: Option<EncAlg>,
    key_transport: Option<KeyTransportArg>,
    oaep_digest: Option<OaepDigestArg>,
    sp_preferred: Option<DataAlgorithm>,
) -> EncryptOptions {
    let data = match enc_alg {
        Some(EncAlg::Aes256Gcm) => DataAlgorithm::Aes256Gcm,
        Some(EncAlg::Aes128Gcm) => DataAlgorithm::Aes128Gcm,
        Some(EncAlg::Aes256Cbc) => DataAlgorithm::Aes256Cbc,
        Some(EncAlg::Aes128Cbc) => DataAlgorithm::Aes128Cbc,
        None => sp_preferred.unwrap_or(DataAlgorithm::Aes256Gcm),
    };
    let digest = match oaep_digest.unwrap_or_default() {
        OaepDigestArg::Sha1 => OaepHash::Sha1,
        OaepDigestArg::Sha256 => OaepHash::Sha256,
    };
    let key_transport = match key_transport.unwrap_or_default() {
        KeyTransportArg::RsaOaepMgf1p => KeyTransport::RsaOaepMgf1p { digest },
        KeyTransportArg::RsaOaep => KeyTransport::RsaOaep { digest, mgf: digest },
    };
    EncryptOptions { data, key_transport }
}

impl EncryptionArgs {
    fn options(&self, sp: Option<&SpMetadata>) -> EncryptOptions {
        encrypt_options(
            self.enc_alg,
            self.key_transport,
            self.oaep_digest,
            sp.map(|sp| sp.preferred_data_algorithm),
        )
    }

    fn encrypting(&self) -> bool {
        self.encrypt_for.is_some() || self.encrypt
    }

    /// Reads `--sp-metadata` (verifying it with `--sp-metadata-cert`), once, and checks that the
    /// algorithm flags come with something to encrypt to.
    pub(crate) fn sp_metadata(&self) -> Result<Option<SpMetadata>, CliError> {
        let tuned = self.enc_alg.is_some()
            || self.key_transport.is_some()
            || self.oaep_digest.is_some()
            || self.encrypt_name_id;
        if tuned && !self.encrypting() {
            return Err(CliError::input(
                "--enc-alg, --key-transport, --oaep-digest and --encrypt-name-id need --encrypt-for SP_CERT (or --sp-metadata FILE --encrypt)",
            ));
        }
        let Some(path) = &self.sp_metadata else { return Ok(None) };
        let trusted = self.sp_metadata_cert.as_deref().map(load_certificate).transpose()?;
        let bytes = read_input(path, SAML_MESSAGE)?;
        let shown = shown_path(path);
        let sp =
            read_sp_metadata(&bytes, self.acs_index, trusted.as_ref().map(std::slice::from_ref))
                .map_err(|e| {
                    let message = format!("{shown}: {}", saml_message(&e));
                    if e.kind().is_input_error()
                        || e.kind() == samlkit_saml::ErrorKind::UnexpectedDocument
                    {
                        CliError::input(message)
                    } else {
                        CliError::check(message)
                    }
                })?;
        if self.encrypt && sp.encryption_certificate.is_none() {
            return Err(CliError::input(format!(
                "{shown}: --encrypt needs a KeyDescriptor use=\"encryption\" in the SP metadata"
            )));
        }
        Ok(Some(sp))
    }

    /// The audience, recipient and Destination from the SP metadata, where no flag gave them.
    pub(crate) fn fill_from_metadata(sp: Option<&SpMetadata>, params: &mut ResponseParams) {
        let Some(sp) = sp else { return };
        if params.audiences.is_empty() {
            params.audiences.push(sp.entity_id.clone());
        }
        if params.recipient.is_none() {
            params.recipient = Some(sp.acs_url.clone());
        }
        if params.destination.is_none() {
            params.destination = params.recipient.clone();
        }
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
        sp: Option<&SpMetadata>,
    ) -> Result<String, CliError> {
        let fail = |e: samlkit_saml::SamlError| CliError::input(saml_message(&e));
        let sp_cert: Certificate = match (&self.encrypt_for, sp) {
            (Some(path), _) => load_certificate(path)?,
            (None, Some(sp)) if self.encrypt => sp
                .encryption_certificate
                .clone()
                .ok_or_else(|| CliError::input("the SP metadata has no encryption certificate"))?,
            _ => {
                return match profile {
                    Some(p) => sign_document(xml, signing, &p).map_err(fail),
                    None => Ok(xml.to_string()),
                };
            }
        };
        let encryption = AssertionEncryption {
            recipient: &sp_cert,
            options: self.options(sp),
            name_id: self.encrypt_name_id,
        };
        sign_and_encrypt(xml, signing, profile, &encryption).map_err(fail)
    }
}

/// `verify`'s decryption flags.
#[derive(Args, Debug, Default)]
pub(crate) struct DecryptionArgs {
    /// The SP's private key for encrypted assertions (PKCS#8/PKCS#1 PEM or DER, or a JKS/PKCS#12
    /// keystore, its password from --password-env/--password-file/--password-stdin or the
    /// prompt). Repeatable, for a key rotation.
    #[arg(long = "decrypt-key", value_name = "KEY")]
    decrypt_keys: Vec<String>,
    /// Accept AES-CBC encrypted assertions that no Response signature covers (unauthenticated
    /// encryption: an attacker can use the SP as a padding oracle).
    #[arg(long)]
    allow_cbc_unsigned: bool,
}

impl DecryptionArgs {
    /// The keys given, loaded.
    pub(crate) fn load(&self) -> Result<Vec<DecryptionKey>, CliError> {
        load_decryption_keys(&self.decrypt_keys)
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
pub(crate) fn load_decryption_keys(paths: &[String]) -> Result<Vec<DecryptionKey>, CliError> {
    let mut keys = Vec::new();
    for path in paths {
        let shown = shown_path(path);
        let bytes = read_input(path, KEYSTORE)?;
        let unusable = |e: samlkit_dsig::SignatureError| CliError::input(format!("{shown}: {e}"));
        if keystore::detect(&bytes).is_ok() {
            let password = read_password(Purpose::Existing, "keystore password")?;
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
