//! `samlkit cert csr`: a PKCS#10 request for an existing key.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use samlkit_cert::Subject;
use samlkit_cert::tls::{self, AltName, RequestProfile, Usage};

use super::new::{parse_san, parse_usage};
use crate::error::CliError;
use crate::io::{load_key, write_public};

#[derive(Args)]
#[command(after_help = "Salesforce's \"Create CA-Signed Certificate\" flow: send the request to \
    your certificate authority, then use the certificate it returns with the same key. The \
    request is signed with the key (SHA-256), proving you hold it; the key itself is not \
    included. --san and --usage ask the CA for subject alternative names and a key usage \
    (extensions in the request; the CA decides what it issues: `samlkit cert sign` copies the \
    names and takes the usage from its own --usage). The PEM request goes to standard output, \
    or to --out FILE.\n\nExamples:\n  \
    samlkit cert csr --key fixtures/keys/idp.key --cn idp.example.com \\\n      \
    --org \"Example Corp\" --country US --out idp.csr\n  \
    openssl req -in idp.csr -noout -subject\n  \
    samlkit cert csr --key fixtures/keys/idp.key --cn client.example.com --usage client \\\n      \
    --san DNS:client.example.com --san IP:127.0.0.1 --out client.csr\n  \
    openssl req -in client.csr -noout -text")]
pub(crate) struct CsrArgs {
    /// The private key to certify (PKCS#8 or PKCS#1, PEM or DER).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Common name (CN).
    #[arg(long, value_name = "NAME")]
    cn: String,
    /// Organization (O), e.g. your company's legal name.
    #[arg(long, value_name = "ORG")]
    org: Option<String>,
    /// Organizational unit (OU).
    #[arg(long, value_name = "UNIT")]
    ou: Option<String>,
    /// Locality (L), the city.
    #[arg(long, value_name = "CITY")]
    locality: Option<String>,
    /// State or province (ST).
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// Two-letter country code (C), e.g. US.
    #[arg(long, value_name = "CC")]
    country: Option<String>,
    /// E-mail address (emailAddress) in the subject.
    #[arg(long, value_name = "ADDRESS")]
    email: Option<String>,
    /// Ask for this usage: client (EKU clientAuth), server, client+server or signing (keyUsage
    /// and extendedKeyUsage as `cert new --usage` sets them). Without it the request asks for
    /// none.
    #[arg(long, value_name = "USAGE", value_parser = parse_usage)]
    usage: Option<Usage>,
    /// Ask for a subject alternative name (repeatable): DNS:NAME, IP:ADDR, email:ADDRESS,
    /// URI:URI.
    #[arg(long = "san", value_name = "NAME", value_parser = parse_san)]
    sans: Vec<AltName>,
    /// Write the PEM request here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

pub(crate) fn run(args: CsrArgs) -> Result<ExitCode, CliError> {
    let key = load_key(&args.key)?;
    let subject = Subject {
        common_name: args.cn,
        organization: args.org,
        organizational_unit: args.ou,
        locality: args.locality,
        state: args.state,
        country: args.country,
        email: args.email,
    };
    let profile = RequestProfile { usage: args.usage, alt_names: args.sans };
    let request = tls::certificate_request(&key, &subject, &profile).map_err(CliError::input)?;
    match args.out {
        Some(path) => {
            write_public(&path, request.to_pem().as_bytes(), args.force)?;
            println!("wrote {} (certificate signing request, PEM)", path.display());
        }
        None => print!("{}", request.to_pem()),
    }
    Ok(ExitCode::SUCCESS)
}
