//! `samlkit mtls lint`: a client chain checked before a server refuses it with a bare alert.

use std::process::ExitCode;

use clap::Args;
use samlkit_cert::tls::lint::{LintOptions, Profile, Severity, lint};
use serde_json::json;

use crate::error::CliError;
use crate::io::{load_certificates, load_key, load_trusted, shown_path};
use crate::now::NowArg;

#[derive(Args)]
#[command(after_help = "Checks, each with its own line: order (leaf first, each certificate \
    signed by the next), anchor (the chain ends at a self-signed root, or reaches a --ca-file \
    certificate), issuer-ca (issuers are CAs), client-auth (the leaf has the clientAuth \
    extended key usage; dual-use serverAuth+clientAuth is a warning), key-usage, self-signed \
    (salesforce-inbound: the leaf must be CA-issued), key (--key matches the leaf), key-size \
    (RSA 2048 bits or more), validity (now, and within --warn-days as a warning). Exit 0 when \
    no check fails (warnings allowed), 1 when one does, 2 when the input cannot be read.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert csr --key fixtures/keys/idp.key --cn client.example.com --out client.csr\n  \
    samlkit cert sign client.csr --ca ca.crt --ca-key ca.key --usage client --out client.crt\n  \
    samlkit cert chain client.crt ca.crt -o chain.pem\n  \
    samlkit mtls lint chain.pem --key fixtures/keys/idp.key\n  \
    samlkit mtls lint client.crt --ca-file ca.crt --profile salesforce-inbound --json\n  \
    samlkit mtls lint fixtures/certs/idp.crt --profile salesforce-inbound   # exit 1: self-signed")]
pub(crate) struct LintArgs {
    /// The chain as the client sends it: one PEM file, leaf first.
    #[arg(value_name = "CHAIN.pem")]
    chain: String,
    /// The client's private key, to check it matches the leaf.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// The server's rules: generic, or salesforce-inbound (not self-signed, clientAuth named).
    #[arg(long, value_name = "PROFILE", default_value = "generic", value_parser = parse_profile)]
    profile: Profile,
    /// CA certificates the server trusts (repeatable); without it a self-signed root must end
    /// the chain.
    #[arg(long = "ca-file", value_name = "CA.pem")]
    ca_files: Vec<String>,
    /// Warn when a certificate expires within this many days.
    #[arg(long, value_name = "N", default_value = "30")]
    warn_days: u32,
    /// One line of JSON: every finding and the verdict.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    now: NowArg,
}

fn parse_profile(value: &str) -> Result<Profile, String> {
    Profile::from_name(value.trim())
        .ok_or_else(|| "--profile must be generic or salesforce-inbound".to_string())
}

pub(crate) fn run(args: LintArgs) -> Result<ExitCode, CliError> {
    let now = args.now.resolve();
    let chain = load_certificates(&args.chain)?;
    let trusted = load_trusted(&args.ca_files)?;
    let key = args.key.as_deref().map(load_key).transpose()?;
    let options = LintOptions {
        profile: args.profile,
        trusted: &trusted,
        key: key.as_ref(),
        warn_days: args.warn_days,
        now,
    };
    let report = lint(&chain, &options);
    let label = shown_path(&args.chain);
    if args.json {
        let findings: Vec<_> = report
            .findings
            .iter()
            .map(|f| json!({"check": f.check, "severity": f.severity.name(), "message": f.message}))
            .collect();
        let line = json!({
            "file": label,
            "profile": args.profile.name(),
            "certificates": chain.iter().map(|c| c.info().subject.clone()).collect::<Vec<_>>(),
            "passed": report.passed(),
            "findings": findings,
        });
        println!("{}", crate::shown::json_line(line.to_string()));
    } else {
        println!("{label}: {} certificate(s), profile {}", chain.len(), args.profile.name());
        for f in &report.findings {
            let mark = match f.severity {
                Severity::Ok => "ok  ",
                Severity::Warning => "warn",
                Severity::Error => "FAIL",
            };
            println!("  {mark}  {:<11}  {}", f.check, f.message);
        }
    }
    let errors: Vec<_> = report.findings.iter().filter(|f| f.is_error()).collect();
    match errors.as_slice() {
        [] => Ok(ExitCode::SUCCESS),
        [only] => Err(CliError::check(format!("{label}: {}: {}", only.check, only.message))),
        [first, rest @ ..] => Err(CliError::check(format!(
            "{label}: {}: {} (and {} more failed check(s))",
            first.check,
            first.message,
            rest.len()
        ))),
    }
}
