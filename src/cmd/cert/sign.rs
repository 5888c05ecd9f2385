//! `samlkit cert sign`: issue a certificate from a signing request with a private CA.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, SubsecRound, Utc};
use clap::Args;
use samlkit_cert::tls::{self, AltName, LeafProfile, Usage};

use super::new::{parse_days, parse_san, parse_usage};
use super::show::{describe, describe_json};
use crate::error::CliError;
use crate::io::{CREDENTIAL, load_certificate, load_key, read_input, shown_path, write_public};
use crate::now::parse_rfc3339;

#[derive(Args)]
#[command(after_help = "Checks the request's signature (proof that the requester holds the \
    key), then issues a certificate with the request's subject and names, the usage of --usage \
    (never what the request asks for) and the names of --san, signed by the CA. The CA \
    certificate must be a CA (made by `samlkit cert ca new`) and --ca-key its key. Writes the \
    certificate (PEM) to --out; `samlkit cert chain` then puts it and the CA in one file.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert csr --key fixtures/keys/idp.key --cn client.example.com --out client.csr\n  \
    samlkit cert sign client.csr --ca ca.crt --ca-key ca.key --usage client \\\n      \
    --valid-days 365 --out client.crt\n  \
    openssl verify -purpose sslclient -CAfile ca.crt client.crt\n  \
    samlkit cert sign client.csr --ca client.crt --ca-key fixtures/keys/idp.key \\\n      \
    --out other.crt   # exit 2: not a CA")]
pub(crate) struct SignArgs {
    /// The PKCS#10 request (PEM or DER), e.g. from `samlkit cert csr`.
    #[arg(value_name = "CSR")]
    csr: String,
    /// The CA certificate that issues.
    #[arg(long, value_name = "CA.crt")]
    ca: String,
    /// The CA's private key.
    #[arg(long, value_name = "CA.key")]
    ca_key: String,
    /// What the certificate is for: client (EKU clientAuth, the default), server, client+server
    /// or signing.
    #[arg(long, value_name = "USAGE", default_value = "client", value_parser = parse_usage)]
    usage: Usage,
    /// An extra subject alternative name (repeatable): DNS:NAME, IP:ADDR, email:ADDRESS, URI:URI.
    #[arg(long = "san", value_name = "NAME", value_parser = parse_san)]
    sans: Vec<AltName>,
    /// Validity in days, from --now (or the current time).
    #[arg(long = "valid-days", alias = "days", value_name = "N", default_value = "365", value_parser = parse_days, allow_hyphen_values = true)]
    days: u32,
    /// Where to write the certificate (PEM).
    #[arg(long, short = 'o', value_name = "FILE")]
    out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
    /// Print the new certificate's details as one line of JSON.
    #[arg(long)]
    json: bool,
    /// Start the validity at this instant (RFC 3339 or a date) instead of the current time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    now: Option<DateTime<Utc>>,
}

pub(crate) fn run(args: SignArgs) -> Result<ExitCode, CliError> {
    let now = args.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    if !args.force && args.out.exists() {
        return Err(CliError::input(format!(
            "{} already exists; use --force to overwrite it",
            args.out.display()
        )));
    }
    let csr_bytes = read_input(&args.csr, CREDENTIAL)?;
    let csr_der = samlkit_cert::request::first_request_der(&csr_bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", shown_path(&args.csr))))?;
    let ca = load_certificate(&args.ca)?;
    let ca_key = load_key(&args.ca_key)?;
    let profile = LeafProfile { usage: args.usage, alt_names: args.sans };
    let cert =
        tls::sign_request(&csr_der, &ca, &ca_key, now, args.days, &profile).map_err(|e| {
            let failed = e.is_failed_check();
            let message = format!("{}: {e}", shown_path(&args.csr));
            if failed { CliError::check(message) } else { CliError::input(message) }
        })?;
    write_public(&args.out, cert.to_pem().as_bytes(), args.force)?;
    let shown = args.out.display().to_string();
    if args.json {
        println!("{}", describe_json(&shown, &cert, now, None));
    } else {
        println!("wrote {shown} (certificate, PEM, issued by {})", ca.info().subject);
        println!();
        print!("{}", describe(&shown, &cert, now, None));
    }
    Ok(ExitCode::SUCCESS)
}
