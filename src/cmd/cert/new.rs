//! `samlkit cert new`: a fresh key pair and self-signed certificate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, SubsecRound, Utc};
use clap::Args;
use samlkit_cert::tls::{AltName, LeafProfile, Usage};
use samlkit_cert::{Certificate, KeyType, PrivateKey, RsaKeySize, Subject, generate, tls};

use super::show::{describe, describe_json};
use crate::error::CliError;
use crate::io::{describe_io, write_public, write_secret};
use crate::now::parse_rfc3339;

#[derive(Args)]
#[command(after_help = "Writes PREFIX.crt (PEM, share it with service providers) and PREFIX.key \
    (PKCS#8 PEM, mode 0600, keep it secret). The directory is created if needed. Existing \
    files are never replaced unless --force is given. The key is never printed.\n\nSalesforce \
    certificates are RSA (the default, rsa-2048); choose --key-type ec-p256 or ec-p384 only for \
    an identity provider or service provider that signs with ECDSA.\n\nExamples:\n  \
    samlkit cert new --cn idp.example.com --org \"Example Corp\" --valid-days 730 \\\n      \
    --out signing/idp\n  \
    samlkit cert show signing/idp.crt --key signing/idp.key\n  \
    samlkit cert new --cn ec-idp.example.com --key-type ec-p256 --out ec-idp\n  \
    samlkit cert new --cn api-client.example.com --usage client \\\n      \
    --san DNS:api-client.example.com --out mtls/client")]
pub(crate) struct NewArgs {
    /// Common name (CN) of the certificate, e.g. the IdP host name.
    #[arg(long, value_name = "NAME")]
    cn: String,
    /// Organization (O).
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// Organizational unit (OU).
    #[arg(long, value_name = "UNIT")]
    ou: Option<String>,
    /// Two-letter country code (C), e.g. US.
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// E-mail address (emailAddress) in the subject.
    #[arg(long, value_name = "ADDRESS")]
    email: Option<String>,
    /// Validity in days, from --now (or the current time). The same flag as
    /// `samlkit metadata --valid-days`.
    #[arg(long = "valid-days", alias = "days", value_name = "N", default_value = "365", value_parser = parse_days, allow_hyphen_values = true)]
    days: u32,
    /// Key type: rsa-2048, rsa-3072, rsa-4096 (the RSA sizes Salesforce accepts; its
    /// certificates are RSA), ec-p256 or ec-p384 (ECDSA, for IdPs and SPs that use it).
    #[arg(long, value_name = "TYPE", default_value = "rsa-2048", value_parser = parse_key_type)]
    key_type: KeyType,
    /// The former flag: RSA key size in bits, the same as --key-type rsa-BITS.
    #[arg(long, value_name = "BITS", value_parser = parse_key_size, hide = true, conflicts_with = "key_type")]
    key_size: Option<RsaKeySize>,
    /// Output prefix: writes PREFIX.crt and PREFIX.key [default: ./NAME, from --cn]. A
    /// directory (existing, or ending with /) gets DIR/NAME.crt and DIR/NAME.key.
    #[arg(long, value_name = "PREFIX")]
    out: Option<PathBuf>,
    /// What the certificate is for: signing (SAML/XML signatures, the default), client (a
    /// mutual-TLS client: EKU clientAuth), server (EKU serverAuth) or client+server (both).
    #[arg(long, value_name = "USAGE", default_value = "signing", value_parser = parse_usage)]
    usage: Usage,
    /// A subject alternative name (repeatable): DNS:NAME, IP:ADDR, email:ADDRESS or URI:URI;
    /// without a prefix the kind is inferred.
    #[arg(long = "san", value_name = "NAME", value_parser = parse_san)]
    sans: Vec<AltName>,
    /// Replace PREFIX.crt and PREFIX.key if they exist.
    #[arg(long)]
    force: bool,
    /// Print the new certificate's details as one line of JSON.
    #[arg(long)]
    json: bool,
    /// Start the validity at this instant (RFC 3339, e.g. 2026-06-01T00:00:00Z, or a date,
    /// midnight UTC) instead of the current time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    now: Option<DateTime<Utc>>,
}

pub(crate) fn parse_days(value: &str) -> Result<u32, String> {
    let max = generate::MAX_DAYS;
    match value.trim().parse::<u32>() {
        Ok(days) if (1..=max).contains(&days) => Ok(days),
        _ => Err(format!("--valid-days must be a whole number of days from 1 to {max}, e.g. 365")),
    }
}

/// `--usage`, shared by `cert sign`.
pub(crate) fn parse_usage(value: &str) -> Result<Usage, String> {
    Usage::from_name(value.trim())
        .ok_or_else(|| format!("--usage must be one of {}", Usage::ALL.map(Usage::name).join(", ")))
}

/// `--san`, shared by `cert sign`.
pub(crate) fn parse_san(value: &str) -> Result<AltName, String> {
    AltName::parse(value).map_err(|e| match e {
        samlkit_cert::CertError::InvalidParameter { reason, .. } => {
            format!("--san {reason} (use DNS:NAME, IP:ADDR, email:ADDRESS or URI:URI)")
        }
        other => other.to_string(),
    })
}

pub(crate) fn parse_key_type(value: &str) -> Result<KeyType, String> {
    KeyType::from_name(value.trim()).ok_or_else(|| {
        format!("--key-type must be one of {}", KeyType::ALL.map(KeyType::name).join(", "))
    })
}

fn parse_key_size(value: &str) -> Result<RsaKeySize, String> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|bits| RsaKeySize::try_from(bits).ok())
        .ok_or_else(|| "--key-size must be 2048, 3072 or 4096".to_string())
}

pub(crate) fn run(args: NewArgs) -> Result<ExitCode, CliError> {
    // Whole seconds: certificates carry no fractions, so `days left` of a new certificate is
    // exactly --days.
    let now = args.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let subject = Subject {
        common_name: args.cn.clone(),
        organization: args.org,
        organizational_unit: args.ou,
        country: args.country,
        email: args.email,
        ..Subject::default()
    };
    let prefix = match args.out {
        // A directory (existing, or written with a trailing slash): the files go inside it,
        // named after the CN, never as the hidden `DIR/.crt` and `DIR/.key`.
        Some(dir) if names_a_directory(&dir) => dir.join(cn_file_name(&args.cn)?),
        Some(prefix) => prefix,
        None => default_prefix(&args.cn)?,
    };
    let cert_path = with_suffix(&prefix, "crt");
    let key_path = with_suffix(&prefix, "key");
    refuse_existing(&key_path, &cert_path, args.force)?;
    let key_type = args.key_size.map_or(args.key_type, KeyType::Rsa);
    let key = PrivateKey::generate(key_type).map_err(CliError::input)?;
    // Validate the subject (and build the certificate) before anything touches the disk.
    let profile = LeafProfile { usage: args.usage, alt_names: args.sans };
    let cert =
        tls::self_signed_leaf(&key, &subject, now, args.days, &profile).map_err(CliError::input)?;
    let files = KeyPairFiles { key_path, cert_path, force: args.force, json: args.json };
    write_key_pair(&files, &key, &cert, now, "")
}

/// Refuses, unless `force`, when either file of a key pair exists: both are checked before
/// either is written, so a refusal leaves nothing half-done.
pub(super) fn refuse_existing(
    key_path: &Path,
    cert_path: &Path,
    force: bool,
) -> Result<(), CliError> {
    if force {
        return Ok(());
    }
    match [key_path, cert_path].into_iter().find(|path| path.exists()) {
        Some(path) => Err(CliError::input(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        ))),
        None => Ok(()),
    }
}

/// Where a new key pair goes, and how the command reports it.
pub(super) struct KeyPairFiles {
    pub(super) key_path: PathBuf,
    pub(super) cert_path: PathBuf,
    pub(super) force: bool,
    pub(super) json: bool,
}

/// Writes the key (0600) and the certificate, creating their directory, then prints what was
/// written and the certificate's details (`kind` prefixes the labels, e.g. `"CA "`).
pub(super) fn write_key_pair(
    files: &KeyPairFiles,
    key: &PrivateKey,
    cert: &Certificate,
    now: DateTime<Utc>,
    kind: &str,
) -> Result<ExitCode, CliError> {
    let KeyPairFiles { key_path, cert_path, force, json } = files;
    if let Some(dir) = key_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::input(format!(
                "cannot create directory {}: {}",
                dir.display(),
                describe_io(&e)
            ))
        })?;
    }
    write_secret(key_path, key.to_pkcs8_pem().as_bytes(), *force)?;
    write_public(cert_path, cert.to_pem().as_bytes(), *force)?;
    let cert_shown = cert_path.display().to_string();
    if *json {
        let mut value = describe_json(&cert_shown, cert, now, None);
        value["key_file"] = serde_json::Value::String(key_path.display().to_string());
        println!("{value}");
    } else {
        println!("wrote {cert_shown} ({kind}certificate, PEM)");
        println!("wrote {} ({kind}private key, PKCS#8 PEM, mode 0600)", key_path.display());
        println!();
        print!("{}", describe(&cert_shown, cert, now, None));
    }
    Ok(ExitCode::SUCCESS)
}

/// `./NAME` from the common name (see [`cn_file_name`]).
fn default_prefix(cn: &str) -> Result<PathBuf, CliError> {
    Ok(PathBuf::from(".").join(cn_file_name(cn)?))
}

/// Whether `--out` names a directory: one that exists, or a path ending with `/`.
pub(crate) fn names_a_directory(out: &std::path::Path) -> bool {
    out.is_dir() || out.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR)
}

/// The common name as a file name, keeping only characters that are safe in one.
pub(crate) fn cn_file_name(cn: &str) -> Result<String, CliError> {
    let name: String = cn
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        return Err(CliError::input("cannot derive a file name from --cn; give --out PREFIX"));
    }
    Ok(name.to_string())
}

/// `PREFIX.ext`, appending (not replacing) so `idp.example.com` gives `idp.example.com.crt`.
pub(crate) fn with_suffix(prefix: &std::path::Path, ext: &str) -> PathBuf {
    let mut name = prefix.as_os_str().to_os_string();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_key_size_parsers() {
        assert_eq!(parse_usage("client+server"), Ok(Usage::ClientServer));
        assert_eq!(
            parse_usage("tls").unwrap_err(),
            "--usage must be one of signing, client, server, client+server"
        );
        assert_eq!(parse_days("365"), Ok(365));
        for bad in ["0", "-1", "abc", "1.5", "36501", ""] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_key_size("4096"), Ok(RsaKeySize::Bits4096));
        assert!(parse_key_size("1024").is_err());
        assert_eq!(parse_key_type("ec-p384"), Ok(KeyType::EcP384));
        assert_eq!(parse_key_type("rsa-3072"), Ok(KeyType::Rsa(RsaKeySize::Bits3072)));
        assert_eq!(
            parse_key_type("rsa-1024").unwrap_err(),
            "--key-type must be one of rsa-2048, rsa-3072, rsa-4096, ec-p256, ec-p384"
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(default_prefix("idp.example.com").unwrap(), PathBuf::from("./idp.example.com"));
        assert_eq!(default_prefix("a/b c").unwrap(), PathBuf::from("./a_b_c"));
        assert!(default_prefix("..").is_err());
        assert_eq!(with_suffix(std::path::Path::new("/x/idp"), "key"), PathBuf::from("/x/idp.key"));
    }
}
