//! `samlkit cert import`: the key and certificate chain out of a JKS or PKCS#12 keystore.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use samlkit_cert::{CertError, keystore};

use super::password::{Purpose, read_password};
use crate::error::CliError;
use crate::io::{KEYSTORE, read_input, write_public, write_secret};

/// Extract a key and its certificate chain from a JKS or PKCS#12 keystore.
#[derive(Args)]
#[command(after_help = "\
The format is recognised from the file's first bytes (JKS: FEEDFEED; PKCS#12: a PFX structure).
The keystore's integrity hash or MAC is checked with the password before anything is used, so a
wrong password or a modified file is refused (exit 2).

Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.crt (PEM, leaf first) after checking
Salesforce's rules: the key is RSA 2048/3072/4096 stored as PKCS#8 and matches the first
certificate, each certificate followed by its issuer. A broken rule exits 1 and writes nothing.

Examples:
  export KS_PASS='choose-a-long-one'
  samlkit cert export --format jks --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \\
      --out idp.jks --password-env KS_PASS
  samlkit cert import idp.jks --password-env KS_PASS --out idp-from-jks")]
pub(crate) struct ImportArgs {
    /// The keystore file (JKS or PKCS#12), or - for standard input.
    #[arg(value_name = "KEYSTORE")]
    keystore: String,
    /// The entry to extract (needed when the keystore holds several keys).
    #[arg(long, value_name = "NAME")]
    alias: Option<String>,
    /// Output prefix: writes PREFIX.key and PREFIX.crt.
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// Replace PREFIX.key and PREFIX.crt if they exist.
    #[arg(long)]
    force: bool,
}

/// Runs `samlkit cert import`.
pub(crate) fn run(args: ImportArgs) -> Result<ExitCode, CliError> {
    let bytes = read_input(&args.keystore, KEYSTORE)?;
    let shown = &args.keystore;
    let format = keystore::detect(&bytes).map_err(|e| CliError::input(format!("{shown}: {e}")))?;
    let key_path = with_suffix(&args.out, "key");
    let crt_path = with_suffix(&args.out, "crt");
    if !args.force {
        // Check both before writing either, so a refusal never leaves half an import behind.
        for path in [&key_path, &crt_path] {
            if path.exists() {
                return Err(CliError::input(format!(
                    "{} already exists; use --force to overwrite it",
                    path.display()
                )));
            }
        }
    }
    let password = read_password(Purpose::Existing, "keystore password")?;
    // Every keystore error names the file it is about.
    let in_file = |e: CertError| CliError::from(e).map_message(|m| format!("{shown}: {m}"));
    let contents = keystore::read(&bytes, &password).map_err(in_file)?;
    let entry = contents.select(args.alias.as_deref()).map_err(in_file)?;
    let credential = entry.decode().map_err(in_file)?;
    keystore::check_salesforce(&credential, &entry.pkcs8_der).map_err(in_file)?;

    let chain_pem: String = credential.chain.iter().map(|c| c.to_pem()).collect();
    write_secret(&key_path, credential.key.to_pkcs8_pem().as_bytes(), args.force)?;
    write_public(&crt_path, chain_pem.as_bytes(), args.force)?;
    println!(
        "imported '{}' from {format}: {} key -> {} (mode 0600), {} certificate(s) -> {}",
        credential.alias,
        credential.key.algorithm(),
        key_path.display(),
        credential.chain.len(),
        crt_path.display(),
    );
    if let Some(leaf) = credential.chain.first() {
        println!("leaf: {} (SHA-256 {})", leaf.info().subject, leaf.sha256_fingerprint());
    }
    Ok(ExitCode::SUCCESS)
}

/// PREFIX + "." + suffix (a prefix that already has a dot keeps it: `a.b` -> `a.b.key`).
fn with_suffix(prefix: &std::path::Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}
