//! `samlkit decode`: what users paste, unwrapped and pretty-printed, verified never.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use samlkit_saml::decode::{Decoded, Found, decode, pretty_xml};
use serde::Serialize;

use crate::error::CliError;
use crate::io::{SAML_MESSAGE, read_input};

/// Decode a captured SAML message or JWT for reading (nothing is verified)
///
/// Takes what users paste — base64, deflate+base64 (HTTP-Redirect encoding), a URL-encoded form
/// body (SAMLResponse=…&RelayState=…), a whole HTTP-Redirect URL, the HTML auto-POST page, raw
/// XML, or a JWT — and prints the XML pretty-printed (a JWT: its header and claims as JSON).
/// Standard error says which layers were taken off and that NOTHING WAS VERIFIED: use
/// `samlkit verify` (or `jwt verify`, `redirect verify`) before trusting any of it. A local,
/// offline replacement for pasting production messages into online decoders.
///
/// FILE is a path, or `-` (the default) for standard input.
///
/// Examples:
///
///     samlkit decode fixtures/captured/saml-response.b64
///     samlkit decode - < fixtures/captured/form-body.txt
///     samlkit decode --raw fixtures/captured/form-body.txt > message.xml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct DecodeArgs {
    /// Write the exact decoded bytes (not pretty-printed) to standard output.
    #[arg(long, conflicts_with = "json")]
    raw: bool,
    /// One JSON object: kind, layers, relay_state, sig_alg, signature, notes, and the content
    /// (xml, or the JWT's header and claims).
    #[arg(long)]
    json: bool,
    /// The captured message; `-` (the default) is standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    file: String,
}

#[derive(Serialize)]
struct JsonOut<'d> {
    kind: Found,
    layers: &'d [samlkit_saml::decode::Layer],
    relay_state: Option<&'d str>,
    sig_alg: Option<&'d str>,
    signature: Option<&'d str>,
    notes: &'d [String],
    verified: bool,
    root: Option<String>,
    xml: Option<&'d str>,
    jwt: Option<&'d samlkit_saml::decode::JwtParts>,
}

pub(crate) fn run(args: DecodeArgs) -> Result<ExitCode, CliError> {
    let bytes = read_input(&args.file, SAML_MESSAGE)?;
    let shown = crate::io::shown_path(&args.file);
    let decoded =
        decode(&bytes).map_err(|e| CliError::input(format!("{shown}: {}", e.detail())))?;
    let mut out = std::io::stdout().lock();
    let written = if args.raw {
        out.write_all(&decoded.content)
    } else if args.json {
        let root = match decoded.xml() {
            Some(xml) => Some(pretty(xml, shown)?.root),
            None => None,
        };
        let line = serde_json::to_string(&JsonOut {
            kind: decoded.found,
            layers: &decoded.layers,
            relay_state: decoded.relay_state.as_deref(),
            sig_alg: decoded.sig_alg.as_deref(),
            signature: decoded.signature.as_deref(),
            notes: &decoded.notes,
            verified: false,
            root,
            xml: decoded.xml(),
            jwt: decoded.jwt.as_ref(),
        })
        .map_err(|e| CliError::input(format!("cannot write JSON: {e}")))?;
        writeln!(out, "{line}")
    } else {
        let (text, what) = match (&decoded.jwt, decoded.xml()) {
            (Some(jwt), _) => (jwt_text(jwt), String::new()),
            (None, Some(xml)) => {
                let pretty = pretty(xml, shown)?;
                (pretty.text, format!(" ({})", pretty.root))
            }
            (None, None) => (String::new(), String::new()),
        };
        report(&decoded, &what);
        out.write_all(text.as_bytes())
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
    if args.raw || args.json {
        report(&decoded, "");
    }
    Ok(ExitCode::SUCCESS)
}

fn pretty(xml: &str, shown: &str) -> Result<samlkit_saml::decode::PrettyXml, CliError> {
    pretty_xml(xml).map_err(|e| CliError::input(format!("{shown}: {}", e.detail())))
}

/// The stderr lines: the layers, the parameters that travelled along, and the warning.
fn report(decoded: &Decoded, root: &str) {
    let term = crate::shown::terminal;
    eprintln!("decoded: {}{root}", decoded.describe());
    for (name, value) in [
        ("RelayState", &decoded.relay_state),
        ("SigAlg", &decoded.sig_alg),
        ("Signature", &decoded.signature),
    ] {
        if let Some(value) = value {
            eprintln!("{name}: {}", term(value));
        }
    }
    for note in &decoded.notes {
        eprintln!("note: {}", term(note));
    }
    eprintln!(
        "NOTHING WAS VERIFIED: the signature, issuer and dates are unchecked; use samlkit verify"
    );
}

/// A JWT's header and claims as indented JSON, one after the other.
fn jwt_text(jwt: &samlkit_saml::decode::JwtParts) -> String {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let signature =
        if jwt.has_signature { "" } else { "\n(no signature part: the token is unsigned)" };
    format!("{}\n{}{signature}\n", pretty(&jwt.header), pretty(&jwt.claims))
}
