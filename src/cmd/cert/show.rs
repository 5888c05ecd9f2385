//! `samlkit cert show`: what a certificate says about itself.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use samlkit_cert::expiry::DEFAULT_WARN_DAYS;
use samlkit_cert::tls::chain::{self, Link};
use samlkit_cert::{Certificate, Expiry};
use serde_json::json;

use crate::error::CliError;
use crate::io::{CREDENTIAL, load_key, load_trusted, read_input, shown_path};
use crate::now::{NowArg, format_rfc3339};
use crate::table::key_values;

#[derive(Args)]
#[command(after_help = "Every certificate in each file is shown. A file of several \
    certificates is read as a chain, leaf first: each certificate says whether the next one \
    signed it, and the last one whether it is a self-signed root. --ca-file completes the \
    chain with the issuers it holds (shown after the file's own certificates, marked \
    `from --ca-file`). A certificate signing request (PEM CERTIFICATE REQUEST) shows its subject, key, \
    requested names and whether its signature holds. With --key, also says whether the private \
    key belongs to each file's first certificate, and exits 1 if it does not.\n\nExamples:\n  \
    samlkit cert show fixtures/certs/idp.crt\n  \
    samlkit cert show fixtures/certs/idp.crt fixtures/certs/expired.crt\n  \
    samlkit cert show fixtures/certs/idp.der --key fixtures/keys/idp.key --json\n  \
    samlkit cert show fixtures/certs/idp.crt --key fixtures/keys/attacker.key   # exit 1\n  \
    samlkit cert ca new --cn \"Example Root CA\" --path-len 1 --out root\n  \
    samlkit cert ca new --cn \"Example Issuing CA\" --ca root.crt --ca-key root.key --out issuing\n  \
    samlkit cert show issuing.crt --ca-file root.crt")]
pub(crate) struct ShowArgs {
    /// Certificate or request files: PEM, DER, or the bare base64 of a certificate (`-` reads
    /// standard input).
    #[arg(value_name = "CERT", required = true)]
    certs: Vec<String>,
    /// CA certificates that complete each file's chain (repeatable): the issuer of its last
    /// certificate, and that one's issuer, up to a root.
    #[arg(long = "ca-file", value_name = "CA.pem")]
    ca_files: Vec<String>,
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
    let pool = load_trusted(&args.ca_files)?;
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
        let chain = Chain::of(certs, &pool);
        show_certificates(&args, file, &chain, key.as_ref().map(|(p, k)| (*p, k)), now)?;
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
                "key_usage": request.key_usage,
                "extended_key_usage": request.extended_key_usage,
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
            if !request.key_usage.is_empty() {
                pairs.push(("key usage", request.key_usage.join(", ")));
            }
            if !request.extended_key_usage.is_empty() {
                pairs.push(("eku", request.extended_key_usage.join(", ")));
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

/// A file's certificates, the issuers `--ca-file` adds after them, and how each links to the
/// next.
struct Chain {
    certs: Vec<Certificate>,
    /// How many of `certs` came from the file (the rest from `--ca-file`).
    from_file: usize,
    links: Vec<Link>,
    /// Whether `--ca-file` was given (an issuer not found was looked for there too).
    pool_given: bool,
}

impl Chain {
    fn of(mut certs: Vec<Certificate>, pool: &[Certificate]) -> Chain {
        let from_file = certs.len();
        let added = chain::complete(&certs, pool);
        certs.extend(added);
        let links = chain::links(&certs);
        Chain { certs, from_file, links, pool_given: !pool.is_empty() }
    }

    /// Whether to say how each certificate links to the next: for a file of several, or when
    /// --ca-file was given to complete it.
    fn shown(&self) -> bool {
        self.certs.len() > 1 || self.pool_given
    }

    /// The `chain` line of certificate `index`.
    fn describe_link(&self, index: usize) -> String {
        let name = |i: usize| {
            let subject = self.certs.get(i).map(|c| c.info().subject.as_str()).unwrap_or("");
            format!("#{} ({subject})", i + 1)
        };
        match self.links.get(index) {
            Some(Link::SignedByNext) => format!("signed by the next, {}", name(index + 1)),
            Some(Link::NotSignedByNext { issuer_at }) => {
                let elsewhere = issuer_at.map(|at| format!("; its issuer is #{}", at + 1));
                format!(
                    "NOT signed by the next, {}{}",
                    name(index + 1),
                    elsewhere.unwrap_or_default()
                )
            }
            Some(Link::Root) => "root (self-signed)".to_string(),
            Some(Link::IssuerNotGiven) if self.pool_given => {
                "its issuer is not in this file or --ca-file".to_string()
            }
            Some(Link::IssuerNotGiven) | None => {
                "its issuer is not in this file (--ca-file can add it)".to_string()
            }
        }
    }

    fn link_name(&self, index: usize) -> &'static str {
        match self.links.get(index) {
            Some(Link::SignedByNext) => "signed_by_next",
            Some(Link::NotSignedByNext { .. }) => "not_signed_by_next",
            Some(Link::Root) => "root",
            Some(Link::IssuerNotGiven) | None => "issuer_not_given",
        }
    }
}

fn show_certificates(
    args: &ShowArgs,
    file: &str,
    chain: &Chain,
    key: Option<(&str, &samlkit_cert::PrivateKey)>,
    now: DateTime<Utc>,
) -> Result<(), CliError> {
    let label = shown_path(file);
    let certs = &chain.certs;
    let numbered = certs.len() > 1;
    let mut mismatch = false;
    for (index, cert) in certs.iter().enumerate() {
        let from_ca_file = index >= chain.from_file;
        let name = match (numbered, from_ca_file) {
            (true, false) => format!("{label} (#{} of {})", index + 1, certs.len()),
            (true, true) => format!("{label} (#{} of {}, from --ca-file)", index + 1, certs.len()),
            (false, _) => label.to_string(),
        };
        // Only the first certificate (the leaf) has to match the key.
        let matches =
            key.filter(|_| !from_ca_file).map(|(path, key)| (path, cert.matches_key(key)));
        if index == 0 && matches.is_some_and(|(_, ok)| !ok) {
            mismatch = true;
        }
        if args.json {
            let mut line = describe_json(&name, cert, now, matches.map(|(_, ok)| ok));
            line["chain_index"] = json!(index + 1);
            line["chain_length"] = json!(certs.len());
            line["chain_link"] = json!(chain.link_name(index));
            line["signed_by_next"] = json!(
                (index + 1 < certs.len())
                    .then(|| chain.links.get(index) == Some(&Link::SignedByNext))
            );
            line["from_ca_file"] = json!(from_ca_file);
            println!("{}", crate::shown::json_line(line.to_string()));
        } else {
            if index > 0 {
                println!();
            }
            let link = chain.shown().then(|| chain.describe_link(index));
            print!("{}", describe_with(&name, cert, now, matches, link));
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
    describe_with(name, cert, now, key_match, None)
}

/// [`describe`] with a `chain` line (how the certificate links to the next one) after its
/// issuer.
fn describe_with(
    name: &str,
    cert: &Certificate,
    now: DateTime<Utc>,
    key_match: Option<(&str, bool)>,
    chain_link: Option<String>,
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
    ];
    if let Some(link) = chain_link {
        pairs.push(("chain", link));
    }
    pairs.extend([
        ("serial", info.serial.clone()),
        ("not before", format_rfc3339(info.not_before)),
        ("not after", format_rfc3339(info.not_after)),
        ("days left", format!("{} ({})", expiry.days_left, expiry.status)),
        ("key", info.key.to_string()),
        ("signature", info.signature_algorithm.clone()),
        ("sha1", cert.sha1_fingerprint()),
        ("sha256", cert.sha256_fingerprint()),
    ]);
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
