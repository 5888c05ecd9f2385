//! `samlkit cert show`: what a certificate says about itself.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use samlkit_cert::expiry::DEFAULT_WARN_DAYS;
use samlkit_cert::{Certificate, Expiry};
use serde_json::json;

use crate::error::CliError;
use crate::io::{CREDENTIAL, load_key, read_input, shown_path};
use crate::now::{NowArg, format_rfc3339};
use crate::table::key_values;

#[derive(Args)]
#[command(after_help = "Every certificate in each file is shown (a PEM bundle may hold a \
    chain). A certificate signing request (PEM CERTIFICATE REQUEST) shows its subject, key, \
    requested names and whether its signature holds. With --key, also says whether the private \
    key belongs to each file's first certificate, and exits 1 if it does not.\n\nExamples:\n  \
    samlkit cert show fixtures/certs/idp.crt\n  \
    samlkit cert show fixtures/certs/idp.crt fixtures/certs/expired.crt\n  \
    samlkit cert show fixtures/certs/idp.der --key fixtures/keys/idp.key --json\n  \
    samlkit cert show fixtures/certs/idp.crt --key fixtures/keys/attacker.key   # exit 1")]
pub(crate) struct ShowArgs {
    /// Certificate or request files: PEM, DER, or the bare base64 of a certificate (`-` reads
    /// standard input).
    #[arg(value_name = "CERT", required = true)]
    certs: Vec<String>,
    /// A private key file to check against the certificate.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// Print one line of JSON per certificate instead of the summary.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    now: NowArg,
}

pub(crate) fn run(args: ShowArgs) -> Result<ExitCode, CliError> {
    let now = args.now.resolve();
    let key = args.key.as_deref().map(|path| load_key(path).map(|k| (path, k))).transpose()?;
    let mut worst = ExitCode::SUCCESS;
    for (index, file) in args.certs.iter().enumerate() {
        if index > 0 && !args.json {
            println!();
        }
        let bytes = read_input(file, CREDENTIAL)?;
        if samlkit_cert::request::is_request(&bytes) {
            if show_requests(file, &bytes, args.json)? {
                worst = ExitCode::from(crate::error::EXIT_CHECK_FAILED);
            }
            continue;
        }
        let certs = parse_certificates(file, &bytes)?;
        show_certificates(&args, file, &certs, key.as_ref().map(|(p, k)| (*p, k)), now)?;
    }
    Ok(worst)
}

/// Every request in a file; true when one's signature does not hold.
fn show_requests(file: &str, bytes: &[u8], json: bool) -> Result<bool, CliError> {
    use samlkit_cert::request::{RequestSignature, load_requests};
    let label = shown_path(file);
    let requests = load_requests(bytes).map_err(|e| CliError::input(format!("{label}: {e}")))?;
    let mut invalid = false;
    for request in &requests {
        let signature = match request.signature {
            RequestSignature::Valid => "valid (made with this key)".to_string(),
            RequestSignature::Invalid => {
                invalid = true;
                "INVALID (altered, or not made with this key)".to_string()
            }
            RequestSignature::NotChecked(why) => format!("not checked ({why})"),
        };
        if json {
            let line = json!({
                "file": label,
                "type": "certificate_request",
                "subject": request.subject,
                "key_type": request.key.kind(),
                "key_bits": request.key.bits(),
                "alt_names": request.alt_names,
                "signature_algorithm": request.signature_algorithm,
                "signature_valid": matches!(request.signature, RequestSignature::Valid),
            });
            println!("{}", crate::shown::json_line(line.to_string()));
        } else {
            let mut pairs = vec![
                ("request", label.to_string()),
                ("subject", request.subject.clone()),
                ("key", request.key.to_string()),
            ];
            if !request.alt_names.is_empty() {
                pairs.push(("alt names", request.alt_names.join(", ")));
            }
            pairs.push(("signature", format!("{} {signature}", request.signature_algorithm)));
            print!("{}", key_values(&pairs));
        }
    }
    Ok(invalid)
}

fn parse_certificates(file: &str, bytes: &[u8]) -> Result<Vec<Certificate>, CliError> {
    let certs = Certificate::load_all(bytes)
        .map_err(|e| CliError::input(format!("{}: {e}", shown_path(file))))?;
    if certs.is_empty() {
        return Err(CliError::input(format!("{}: no certificate", shown_path(file))));
    }
    Ok(certs)
}

fn show_certificates(
    args: &ShowArgs,
    file: &str,
    certs: &[Certificate],
    key: Option<(&str, &samlkit_cert::PrivateKey)>,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let label = shown_path(file);
    let numbered = certs.len() > 1;
    let mut mismatch = false;
    for (index, cert) in certs.iter().enumerate() {
        let name = if numbered {
            format!("{label} (#{} of {})", index + 1, certs.len())
        } else {
            label.to_string()
        };
        let matches = key.map(|(path, key)| (path, cert.matches_key(key)));
        // Only the first certificate (the leaf) has to match the key.
        if index == 0 && matches.is_some_and(|(_, ok)| !ok) {
            mismatch = true;
        }
        if args.json {
            let line = describe_json(&name, cert, now, matches.map(|(_, ok)| ok));
            println!("{}", crate::shown::json_line(line.to_string()));
        } else {
            if index > 0 {
                println!();
            }
            print!("{}", describe(&name, cert, now, matches));
        }
    }
    if mismatch {
        let key_path = args.key.as_deref().map(shown_path).unwrap_or_default();
        return Err(CliError::check(format!(
            "the private key {key_path} does not match the certificate {label}"
        )));
    }
    Ok(())
}

/// The human summary of one certificate.
pub(crate) fn describe(
    name: &str,
    cert: &Certificate,
    now: DateTime<Utc>,
    key_match: Option<(&str, bool)>,
) -> String {
    let info = cert.info();
    let expiry = Expiry::evaluate(info.not_before, info.not_after, now, DEFAULT_WARN_DAYS);
    let issuer = if info.self_issued {
        format!("{} (self-signed)", info.issuer)
    } else {
        info.issuer.clone()
    };
    let mut pairs = vec![
        ("certificate", name.to_string()),
        ("subject", info.subject.clone()),
        ("issuer", issuer),
        ("serial", info.serial.clone()),
        ("not before", format_rfc3339(info.not_before)),
        ("not after", format_rfc3339(info.not_after)),
        ("days left", format!("{} ({})", expiry.days_left, expiry.status)),
        ("key", info.key.to_string()),
        ("signature", info.signature_algorithm.clone()),
        ("sha1", cert.sha1_fingerprint()),
        ("sha256", cert.sha256_fingerprint()),
    ];
    // What TLS peers check; a certificate samlkit cannot read them from shows none.
    if let Ok(ext) = samlkit_cert::tls::extensions(cert) {
        if !ext.key_usage.is_empty() {
            pairs.push(("key usage", ext.key_usage.join(", ")));
        }
        if !ext.extended_key_usage.is_empty() {
            pairs.push(("eku", ext.extended_key_usage.join(", ")));
        }
        if let Some(bc) = ext.basic_constraints {
            let text = match (bc.ca, bc.path_len) {
                (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
                (true, None) => "CA:TRUE".to_string(),
                (false, _) => "CA:FALSE".to_string(),
            };
            pairs.push(("constraints", text));
        }
        if !ext.alt_names.is_empty() {
            pairs.push(("alt names", ext.alt_names.join(", ")));
        }
    }
    if let Some((key_path, ok)) = key_match {
        let verdict = if ok { "yes" } else { "NO" };
        pairs.push(("key matches", format!("{verdict} ({})", shown_path(key_path))));
    }
    key_values(&pairs)
}

/// The JSON object for one certificate.
pub(crate) fn describe_json(
    name: &str,
    cert: &Certificate,
    now: DateTime<Utc>,
    key_matches: Option<bool>,
) -> serde_json::Value {
    let info = cert.info();
    let expiry = Expiry::evaluate(info.not_before, info.not_after, now, DEFAULT_WARN_DAYS);
    let ext = samlkit_cert::tls::extensions(cert).unwrap_or_default();
    json!({
        "file": name,
        "subject": info.subject,
        "issuer": info.issuer,
        "common_name": info.common_name,
        "self_signed": info.self_issued,
        "serial": info.serial,
        "not_before": format_rfc3339(info.not_before),
        "not_after": format_rfc3339(info.not_after),
        "days_left": expiry.days_left,
        "status": expiry.status.as_str(),
        "key_type": info.key.kind(),
        "key_bits": info.key.bits(),
        "signature_algorithm": info.signature_algorithm,
        "sha1_fingerprint": cert.sha1_fingerprint(),
        "sha256_fingerprint": cert.sha256_fingerprint(),
        "key_matches": key_matches,
        "key_usage": ext.key_usage,
        "extended_key_usage": ext.extended_key_usage,
        "basic_constraints": ext.basic_constraints.map(|bc| json!({"ca": bc.ca, "path_len": bc.path_len})),
        "alt_names": ext.alt_names,
    })
}
