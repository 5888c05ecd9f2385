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
use crate::io::{load_certificate, load_key};
use crate::now::parse_rfc3339;

#[derive(Args)]
#[command(
    subcommand_required = true,
    after_help = "A private CA issues the client certificates of a mutual-TLS integration: the \
    server trusts the CA certificate, each client gets a certificate from `samlkit cert sign`. \
    With --ca and --ca-key, `cert ca new` makes an intermediate CA under a root (a 3-level PKI: \
    root, issuing CA, clients).\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca/example-ca\n  \
    samlkit cert show ca/example-ca.crt\n  \
    samlkit cert ca new --cn \"Example Root CA\" --path-len 1 --out ca/root\n  \
    samlkit cert ca new --cn \"Example Issuing CA\" --ca ca/root.crt --ca-key ca/root.key \\\n      \
    --out ca/issuing"
)]
pub(crate) struct CaArgs {
    #[command(subcommand)]
    command: CaCommand,
}

#[derive(Subcommand)]
enum CaCommand {
    /// Create a CA key and a CA certificate (basicConstraints CA:TRUE, keyCertSign): a
    /// self-signed root, or with --ca an intermediate issued by a parent CA.
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
    CA:TRUE (critical) with pathlen --path-len, and keyUsage keyCertSign, cRLSign. It is \
    self-signed (a root), unless --ca and --ca-key name a parent CA: then it is an intermediate \
    CA issued by the parent, whose pathlen must allow it (a root that has intermediates below \
    it needs --path-len 1 or more; an intermediate's --path-len must be below its parent's). \
    Serve the intermediate with its clients' certificates: `samlkit cert chain CLIENT.crt \
    PREFIX.crt -o chain.pem`.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --org \"Example Corp\" --out ca/example-ca\n  \
    openssl x509 -in ca/example-ca.crt -noout -ext basicConstraints,keyUsage\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca/example-ca   # exit 2: exists\n  \
    samlkit cert ca new --cn \"Example Root CA\" --path-len 1 --out ca/root\n  \
    samlkit cert ca new --cn \"Example Issuing CA\" --ca ca/root.crt --ca-key ca/root.key \\\n      \
    --out ca/issuing\n  \
    openssl verify -CAfile ca/root.crt ca/issuing.crt\n  \
    samlkit cert ca new --cn \"Too Deep\" --ca ca/issuing.crt --ca-key ca/issuing.key \\\n      \
    --out ca/deep   # exit 2: pathlen:0")]
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
    /// The parent CA certificate: make an intermediate CA issued by it instead of a root.
    #[arg(long, value_name = "PARENT.crt", requires = "ca_key")]
    ca: Option<String>,
    /// The parent CA's private key (with --ca).
    #[arg(long, value_name = "PARENT.key", requires = "ca")]
    ca_key: Option<String>,
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
    let parent = match (&args.ca, &args.ca_key) {
        (Some(ca), Some(ca_key)) => Some((load_certificate(ca)?, load_key(ca_key)?)),
        _ => None,
    };
    let key = PrivateKey::generate(args.key_type).map_err(CliError::input)?;
    let path_len = Some(args.path_len);
    let cert = match &parent {
        None => tls::new_ca(&key, &subject, now, args.days, path_len),
        Some((ca, ca_key)) => {
            tls::new_intermediate_ca(&key, &subject, now, args.days, path_len, ca, ca_key)
        }
    }
    .map_err(CliError::input)?;
    let files = KeyPairFiles { key_path, cert_path, force: args.force, json: args.json };
    write_key_pair(&files, &key, &cert, now, "CA ")
}
