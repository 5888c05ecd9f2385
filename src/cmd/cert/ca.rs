//! `samlkit cert ca new`: a private certificate authority for mutual-TLS client certificates.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, SubsecRound, Utc};
use clap::{Args, Subcommand};
use samlkit_cert::{KeyType, PrivateKey, Subject, tls};

use super::new::{
    KeyPairFiles, names_a_directory, parse_days, refuse_existing, with_suffix, write_key_pair,
};
use crate::error::CliError;
use crate::now::parse_rfc3339;

#[derive(Args)]
#[command(
    subcommand_required = true,
    after_help = "A private CA issues the client certificates of a mutual-TLS integration: the \
    server trusts the CA certificate, each client gets a certificate from `samlkit cert sign`.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca/example-ca\n  \
    samlkit cert show ca/example-ca.crt"
)]
pub(crate) struct CaArgs {
    #[command(subcommand)]
    command: CaCommand,
}

#[derive(Subcommand)]
enum CaCommand {
    /// Create a CA key and self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign).
    New(CaNewArgs),
}

pub(crate) fn run(args: CaArgs) -> Result<ExitCode, CliError> {
    match args.command {
        CaCommand::New(args) => run_new(args),
    }
}

#[derive(Args)]
#[command(after_help = "Writes PREFIX.crt (the CA certificate: give it to the servers that \
    must trust your clients, e.g. as `--client-ca` or in Salesforce's mutual-TLS trust) and \
    PREFIX.key (PKCS#8 PEM, mode 0600: it signs certificates, keep it offline). Existing files \
    are never replaced unless --force is given. The CA certificate has basicConstraints \
    CA:TRUE (critical) with pathlen --path-len, and keyUsage keyCertSign, cRLSign.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --org \"Example Corp\" --out ca/example-ca\n  \
    openssl x509 -in ca/example-ca.crt -noout -ext basicConstraints,keyUsage\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca/example-ca   # exit 2: exists")]
pub(crate) struct CaNewArgs {
    /// Common name (CN) of the CA, e.g. "Example mTLS CA".
    #[arg(long, value_name = "NAME")]
    cn: String,
    /// Organization (O).
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// Validity in days, from --now (or the current time).
    #[arg(long = "valid-days", alias = "days", value_name = "N", default_value = "3650", value_parser = parse_days, allow_hyphen_values = true)]
    days: u32,
    /// How many intermediate CAs may follow below this one (0: it issues leaf certificates
    /// only).
    #[arg(long, value_name = "N", default_value = "0")]
    path_len: u8,
    /// Key type: rsa-2048, rsa-3072, rsa-4096, ec-p256 or ec-p384.
    #[arg(long, value_name = "TYPE", default_value = "rsa-3072", value_parser = super::new::parse_key_type)]
    key_type: KeyType,
    /// Output prefix: writes PREFIX.crt and PREFIX.key.
    #[arg(long, value_name = "PREFIX")]
    out: PathBuf,
    /// Replace PREFIX.crt and PREFIX.key if they exist.
    #[arg(long)]
    force: bool,
    /// Print the new certificate's details as one line of JSON.
    #[arg(long)]
    json: bool,
    /// Start the validity at this instant (RFC 3339 or a date) instead of the current time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    now: Option<DateTime<Utc>>,
}

fn run_new(args: CaNewArgs) -> Result<ExitCode, CliError> {
    let now = args.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let subject = Subject { organization: args.org, ..Subject::new(args.cn.clone()) };
    let prefix = if names_a_directory(&args.out) {
        args.out.join(super::new::cn_file_name(&args.cn)?)
    } else {
        args.out
    };
    let cert_path = with_suffix(&prefix, "crt");
    let key_path = with_suffix(&prefix, "key");
    refuse_existing(&key_path, &cert_path, args.force)?;
    let key = PrivateKey::generate(args.key_type).map_err(CliError::input)?;
    let cert = tls::new_ca(&key, &subject, now, args.days, Some(args.path_len))
        .map_err(CliError::input)?;
    let files = KeyPairFiles { key_path, cert_path, force: args.force, json: args.json };
    write_key_pair(&files, &key, &cert, now, "CA ")
}
