//! `samlkit cert chain`: one PEM file with a chain in the order TLS peers expect.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use samlkit_cert::tls;

use crate::error::CliError;
use crate::io::{load_certificates, write_public};

#[derive(Args)]
#[command(after_help = "Writes the leaf first, then each issuer, as TLS servers and \
    Salesforce's mutual-TLS upload expect. Each file may hold one or more certificates; they \
    are taken in the order given. Every certificate must be signed by the one after it, else \
    nothing is written and the exit status is 1 (the message says where the issuer is, if it \
    is in the list). Without --out the chain goes to standard output.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert csr --key fixtures/keys/idp.key --cn client.example.com --out client.csr\n  \
    samlkit cert sign client.csr --ca ca.crt --ca-key ca.key --out client.crt\n  \
    samlkit cert chain client.crt ca.crt -o chain.pem\n  \
    samlkit cert chain ca.crt client.crt -o wrong.pem   # exit 1: wrong order")]
pub(crate) struct ChainArgs {
    /// The leaf certificate, then its issuer, then that one's issuer, …
    #[arg(value_name = "CERT", required = true)]
    certs: Vec<String>,
    /// Write the chain here (PEM) instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace --out if it exists.
    #[arg(long)]
    force: bool,
}

pub(crate) fn run(args: ChainArgs) -> Result<ExitCode, CliError> {
    let mut chain = Vec::new();
    for file in &args.certs {
        chain.extend(load_certificates(file)?);
    }
    tls::check_chain_order(&chain).map_err(CliError::check)?;
    let pem: String = chain.iter().map(|c| c.to_pem()).collect();
    match &args.out {
        Some(path) => {
            write_public(path, pem.as_bytes(), args.force)?;
            println!("wrote {} ({} certificates, leaf first)", path.display(), chain.len());
            for (i, cert) in chain.iter().enumerate() {
                println!("  {}. {}", i + 1, cert.info().subject);
            }
        }
        None => print!("{pem}"),
    }
    Ok(ExitCode::SUCCESS)
}
