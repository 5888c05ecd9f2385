//! `samlkit cert export`: a key and its certificate chain as a JKS or PKCS#12 keystore.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use samlkit_cert::keystore::{self, KeyEntry, KeystoreFormat};

use super::password::{Purpose, read_password};
use crate::error::CliError;
use crate::io::{Credential, write_secret};

/// Keystore file formats on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FormatArg {
    /// Java KeyStore: the only format Salesforce imports (Setup > Certificate and Key Management).
    Jks,
    /// PKCS#12 (.p12/.pfx): PBES2/AES-256 with an HMAC-SHA256 MAC.
    P12,
}

/// Package a private key and its certificate as a password-protected keystore.
#[derive(Args)]
#[command(after_help = "\
The password comes from the environment variable named by --password-env, or is asked for twice
on the terminal (never a plain flag). It protects both the keystore and the key, as keytool and
Salesforce expect, and must be at least 6 characters.

JKS exports enforce Salesforce's import rules (RSA 2048/3072/4096 key stored as PKCS#8, matching
the certificate; exit 1 if broken). Any export refuses a key that does not match the certificate.

Examples:
  export KS_PASS='choose-a-long-one'
  samlkit cert export --format jks --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \\
      --alias idp_signing --out idp.jks --password-env KS_PASS
  samlkit cert export --format p12 --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \\
      --out idp.p12 --password-env KS_PASS
  samlkit cert import idp.p12 --password-env KS_PASS --out idp-from-p12")]
pub(crate) struct ExportArgs {
    /// Keystore format.
    #[arg(long, value_enum)]
    format: FormatArg,
    /// Private key (PKCS#8 or PKCS#1, PEM or DER).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Certificate, or a PEM bundle with the chain (leaf first).
    #[arg(long, value_name = "CERT")]
    cert: String,
    /// Entry alias [default: the certificate's CN as a Salesforce unique name, e.g. idp_example_com].
    /// JKS stores aliases lower-case.
    #[arg(long, value_name = "NAME")]
    alias: Option<String>,
    /// The keystore file to write (mode 0600).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

/// Runs `samlkit cert export`.
pub(crate) fn run(args: ExportArgs) -> Result<ExitCode, CliError> {
    // Whether the key and certificate belong together is one of the keystore rules below (a
    // broken rule exits 1), so the credential is loaded without the signing commands' check.
    let credential = Credential::load(&args.key, &args.cert)?;
    let alias = match args.alias {
        Some(alias) => alias,
        None => default_alias(credential.certificate().info().common_name.as_deref()),
    };
    let format = match args.format {
        FormatArg::Jks => KeystoreFormat::Jks,
        FormatArg::P12 => KeystoreFormat::Pkcs12,
    };
    let (key, chain) = credential.into_key_and_chain();
    let credential = keystore::Credential { alias: alias.clone(), key, chain };
    match format {
        KeystoreFormat::Jks => keystore::check_salesforce(&credential, credential.key.pkcs8_der()),
        KeystoreFormat::Pkcs12 => keystore::check_key_and_chain(&credential),
    }?;
    if let Some(leaf) = credential.chain.first() {
        crate::io::warn_if_due(leaf, &args.cert, chrono::Utc::now());
    }
    if !args.force && args.out.exists() {
        return Err(CliError::input(format!(
            "{} already exists; use --force to overwrite it",
            args.out.display()
        )));
    }
    let password = read_password(Purpose::New, "keystore password")?;
    let entry = KeyEntry::new(&alias, &credential.key, &credential.chain);
    let bytes = keystore::write(
        format,
        &entry,
        &password,
        chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).timestamp_millis(),
    )?;
    write_secret(&args.out, &bytes, args.force)?;
    let stored_alias = if format == KeystoreFormat::Jks { alias.to_lowercase() } else { alias };
    println!(
        "wrote {} ({format}, mode 0600): alias '{stored_alias}', {} key, {} certificate(s), leaf {}",
        args.out.display(),
        credential.key.algorithm(),
        credential.chain.len(),
        credential.chain.first().map_or("", |c| c.info().subject.as_str()),
    );
    Ok(ExitCode::SUCCESS)
}

/// A Salesforce "Unique Name" from a common name: letters, digits and single underscores,
/// starting with a letter and not ending with an underscore.
fn default_alias(common_name: Option<&str>) -> String {
    let mut alias = String::new();
    for c in common_name.unwrap_or("").chars() {
        if c.is_ascii_alphanumeric() {
            alias.push(c.to_ascii_lowercase());
        } else if !alias.is_empty() && !alias.ends_with('_') {
            alias.push('_');
        }
    }
    let alias = alias.trim_end_matches('_');
    match alias.chars().next() {
        None => "samlkit_key".to_string(),
        Some(c) if c.is_ascii_digit() => format!("key_{alias}"),
        Some(_) => alias.chars().take(80).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::default_alias;

    #[test]
    fn default_alias_is_a_salesforce_unique_name() {
        for (cn, alias) in [
            (Some("idp.example.com"), "idp_example_com"),
            (Some("  SSO -- Signing 2026 "), "sso_signing_2026"),
            (Some("2026 key"), "key_2026_key"),
            (Some("été"), "t"),
            (Some("---"), "samlkit_key"),
            (None, "samlkit_key"),
        ] {
            assert_eq!(default_alias(cn), alias, "{cn:?}");
        }
    }
}
