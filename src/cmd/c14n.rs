//! `samlkit c14n`: writes the canonical form of a document, or of one element of it, to stdout.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use samlkit_xml::{C14nAlgorithm, Limits};

use crate::error::CliError;
use crate::io::InputLimit;

/// The largest `--max-size`: the parser addresses the input with 31-bit offsets.
const MAX_SIZE_CEILING: u64 = 0x7fff_ffff;
/// The parser limits for a document of at most `max_size` bytes: the defaults, with the input
/// size set and, above the default size, the node count grown in proportion (the defaults allow
/// 4,000,000 nodes for 64 MiB).
fn limits_for(max_size: u64) -> Limits {
    let defaults = Limits::default();
    let default_size = defaults.max_input_bytes as u64;
    let scaled = (defaults.max_nodes as u64).saturating_mul(max_size) / default_size.max(1);
    let max_nodes = defaults.max_nodes.max(usize::try_from(scaled).unwrap_or(usize::MAX));
    Limits { max_input_bytes: max_size as usize, max_nodes, ..defaults }
}

/// `--max-size`: a byte count, or a number with a binary unit (`KiB`, `MiB`, `GiB`).
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number.parse().map_err(|_| {
        if text.starts_with('-') {
            "must not be negative: write a number of bytes, or e.g. 200MiB, 512KiB, 1GiB"
                .to_string()
        } else {
            format!(
                "{text:?} is not a size (write a number of bytes, or e.g. 200MiB, 512KiB, 1GiB)"
            )
        }
    })?;
    let factor: u64 = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1024,
        "MiB" => 1024 * 1024,
        "GiB" => 1024 * 1024 * 1024,
        other => {
            return Err(format!("unknown unit {other:?} (use KiB, MiB or GiB, or plain bytes)"));
        }
    };
    let bytes = number.saturating_mul(factor);
    if bytes == 0 || bytes > MAX_SIZE_CEILING {
        return Err(format!(
            "{text} is out of range: from 1 byte to {MAX_SIZE_CEILING} bytes (2 GiB - 1)"
        ));
    }
    Ok(bytes)
}

/// Canonicalize an XML document (or the element with a given ID) to stdout.
#[derive(Args)]
#[command(after_help = "\
Writes the canonical form to standard output: Exclusive XML Canonicalization 1.0 by default (the
XML-Signature default for SAML), Canonical XML 1.0 with --alg inclusive, and either with comments.
Use it to see the exact octets a signature's digest covers.

Examples:
  samlkit c14n fixtures/c14n/inputs/saml-response-pretty.xml
  samlkit c14n --alg inclusive --id _a1 fixtures/c14n/inputs/saml-response-pretty.xml
  samlkit c14n --id _a1 --prefixes \"xs xsi\" - < fixtures/c14n/inputs/saml-response-pretty.xml

Errors (malformed XML, a DOCTYPE, an unknown or duplicated --id) exit 2 with one
`error: FILE:LINE:COLUMN: ...` line and nothing on stdout.")]
pub(crate) struct C14nArgs {
    /// Canonicalization algorithm: exclusive C14N 1.0 (exc, exc-comments) or Canonical XML 1.0
    /// (inclusive, inclusive-comments).
    #[arg(long, value_enum, default_value = "exc")]
    alg: Alg,
    /// Exclusive C14N InclusiveNamespaces PrefixList, space separated ("#default" is the default
    /// namespace): these prefixes are rendered like inclusive C14N would.
    #[arg(long, value_name = "\"P1 P2\"")]
    prefixes: Option<String>,
    /// Canonicalize only the element whose ID, Id or id attribute equals this value, as a
    /// document subset (inherited namespaces and xml:* attributes as the algorithm requires).
    #[arg(long)]
    id: Option<String>,
    /// Largest document accepted, in bytes or with a unit (KiB, MiB, GiB): `200MiB`. Above
    /// 64 MiB the node limit grows with it (4,000,000 nodes per 64 MiB).
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size, allow_negative_numbers = true)]
    max_size: u64,
    /// The documents to read, or - for standard input. With several, each canonical form is
    /// preceded by a `==> FILE <==` line (as `head` does); one alone is written as exact bytes.
    #[arg(value_name = "FILE|-", default_value = "-")]
    files: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Alg {
    /// Exclusive XML Canonicalization 1.0 without comments.
    Exc,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExcComments,
    /// Canonical XML 1.0 without comments.
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveComments,
}

impl From<Alg> for C14nAlgorithm {
    fn from(a: Alg) -> Self {
        match a {
            Alg::Exc => C14nAlgorithm::Exclusive,
            Alg::ExcComments => C14nAlgorithm::ExclusiveWithComments,
            Alg::Inclusive => C14nAlgorithm::Inclusive,
            Alg::InclusiveComments => C14nAlgorithm::InclusiveWithComments,
        }
    }
}

pub(crate) fn run(args: C14nArgs) -> Result<ExitCode, CliError> {
    let alg = C14nAlgorithm::from(args.alg);
    let prefixes: Vec<&str> =
        args.prefixes.as_deref().map(|p| p.split_whitespace().collect()).unwrap_or_default();
    if !prefixes.is_empty() && !alg.is_exclusive() {
        return Err(CliError::input(
            "--prefixes only applies to exclusive canonicalization (--alg exc or exc-comments)",
        ));
    }
    let limits = limits_for(args.max_size);
    let limit =
        InputLimit { bytes: args.max_size, what: "a c14n document; raise it with --max-size" };
    // Buffer everything: on any error nothing at all reaches stdout.
    let mut out = Vec::new();
    let several = args.files.len() > 1;
    for file in &args.files {
        if several {
            out.extend_from_slice(format!("==> {} <==\n", crate::io::shown_path(file)).as_bytes());
        }
        out.extend(canonical(file, &args, alg, &prefixes, &limits, limit)?);
        if several {
            out.push(b'\n');
        }
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&out).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(CliError::input(format!(
            "cannot write standard output: {}",
            crate::io::describe_io(&e)
        ))),
    }
}

/// The canonical form of one file.
fn canonical(
    file: &str,
    args: &C14nArgs,
    alg: C14nAlgorithm,
    prefixes: &[&str],
    limits: &Limits,
    limit: InputLimit,
) -> Result<Vec<u8>, CliError> {
    let input = crate::io::read_input(file, limit)?;
    let shown = crate::io::shown_path(file);
    let doc = samlkit_xml::parse_bytes_with_limits(&input, limits)
        .map_err(|e| CliError::input(format!("{shown}:{e}")))?;
    let subset = match &args.id {
        None => None,
        Some(id) => {
            if doc.duplicate_ids().iter().any(|d| d == id) {
                return Err(CliError::input(format!(
                    "{shown}: ID {id:?} is carried by more than one element"
                )));
            }
            let found = doc.element_by_id(id).ok_or_else(|| {
                CliError::input(format!(
                    "{shown}: no element has an ID, Id or id attribute equal to {id:?}"
                ))
            })?;
            Some(found)
        }
    };
    samlkit_xml::canonicalize_to_vec(&doc, subset, None, alg, prefixes)
        .map_err(|e| CliError::input(format!("{shown}: {e}")))
}
