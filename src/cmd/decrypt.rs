//! `samlkit decrypt --key SP.key FILE`: the document with every EncryptedAssertion, EncryptedID
//! and EncryptedAttribute replaced by its plaintext, for reading a captured response offline
//! (instead of pasting a production response into an online tool). Nothing is verified, and
//! stderr says so.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use samlkit_saml::{decode_input, decrypt_document};

use crate::encryption::load_decryption_keys;
use crate::error::{CliError, saml_message};
use crate::io::{SAML_MESSAGE, read_input};

/// Decrypt the encrypted elements of a SAML message, for reading it.
///
/// Writes the document with each saml:EncryptedAssertion, EncryptedID and EncryptedAttribute
/// replaced by its plaintext. NOTHING IS VERIFIED: not the signatures, not who encrypted it
/// (anyone can encrypt to the SP's public certificate). Use `samlkit verify --decrypt-key` to
/// check a response. RSA-1_5 key transport is refused. Exit 1 when decryption fails.
#[derive(Args)]
#[command(after_help = "\
Examples:
  samlkit decrypt --key fixtures/xmlenc/sp.key fixtures/xmlenc/generated/adfs-cbc-oaep-sha1.xml
  samlkit decrypt --key fixtures/xmlenc/sp-old.key --key fixtures/xmlenc/sp.key \\
      fixtures/xmlenc/generated/okta-sibling-key.xml > opened.xml")]
pub(crate) struct DecryptArgs {
    /// The SP's private key (PKCS#8/PKCS#1 PEM or DER, or a JKS/PKCS#12 keystore, its password
    /// from --password-env/--password-file/--password-stdin or the prompt). Repeatable.
    #[arg(long = "key", value_name = "KEY", required = true)]
    keys: Vec<String>,
    /// The message: raw XML, base64 or a form body; `-` (the default) is standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
}

pub(crate) fn run(args: DecryptArgs) -> Result<ExitCode, CliError> {
    let keys = load_decryption_keys(&args.keys)?;
    let bytes = read_input(&args.file, SAML_MESSAGE)?;
    let (xml, _) = decode_input(&bytes).map_err(|e| CliError::input(saml_message(&e)))?;
    let opened = decrypt_document(&xml, &keys).map_err(|e| {
        let message = saml_message(&e);
        if e.kind().is_input_error() { CliError::input(message) } else { CliError::check(message) }
    })?;
    eprintln!(
        "warning: {} element(s) decrypted; nothing was verified (signatures, issuer, conditions): use samlkit verify --decrypt-key to check this response",
        opened.decrypted
    );
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(opened.xml.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
