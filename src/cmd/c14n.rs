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
    // One file streams; several are buffered with `==> FILE <==` headers. Output is
    // all-or-nothing: on any error nothing at all reaches stdout.
    if let [file] = args.files.as_slice()
        && args.id.is_none()
    {
        let input = crate::large_input::read_large_input(file, limit)?;
        let describe = describer(file);
        let canonicalize = |w: &mut dyn Write| {
            samlkit_xml::canonicalize_streaming_bytes(&input, &limits, alg, &prefixes, &mut { w })
                .map_err(&describe)
        };
        // Into a regular file the canonical form streams straight through (an error truncates
        // the file back); into anything else it is held back (past a buffer of 512 KiB, in an
        // anonymous temporary file) until the document has proved valid. Either way memory
        // stays at about the input's size.
        return match StdoutFile::open() {
            Some(stdout_file) => stdout_file.stream(|w| canonicalize(w)),
            None => {
                let mut held = crate::held_output::HeldOutput::default();
                canonicalize(&mut held)?;
                write_stdout(|stdout| held.release_into(stdout))
            }
        };
    }
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
    write_stdout(|stdout| stdout.write_all(&out))
}

/// Runs `write` on the locked standard output and flushes it; a reader that went away (a closed
/// pipe, as with `| head`) is not an error.
fn write_stdout(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> Result<ExitCode, CliError> {
    let mut stdout = std::io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(CliError::input(format!(
            "cannot write standard output: {}",
            crate::io::describe_io(&e)
        ))),
    }
}

/// Parse errors carry `line:column: …`, joined to the file name as `FILE:LINE:COLUMN: …`.
fn describer(file: &str) -> impl Fn(samlkit_xml::XmlError) -> CliError + '_ {
    let shown = crate::io::shown_path(file);
    move |e| match e {
        samlkit_xml::XmlError::Parse(_) => CliError::input(format!("{shown}:{e}")),
        _ => CliError::input(format!("{shown}: {e}")),
    }
}

/// The canonical form of one file: streamed from the tokenizer for the whole document, from the
/// tree for one element (`--id`).
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
    let describe = describer(file);
    let out = match &args.id {
        None => {
            let mut out = Vec::with_capacity(input.len() + 64);
            samlkit_xml::canonicalize_streaming_bytes(&input, limits, alg, prefixes, &mut out)
                .map_err(&describe)?;
            out
        }
        Some(id) => {
            let doc = samlkit_xml::parse_bytes_with_limits(&input, limits).map_err(&describe)?;
            if doc.duplicate_ids().iter().any(|d| d == id) {
                return Err(CliError::input(format!(
                    "{shown}: ID {id:?} is carried by more than one element"
                )));
            }
            let subset = doc.element_by_id(id).ok_or_else(|| {
                CliError::input(format!(
                    "{shown}: no element has an ID, Id or id attribute equal to {id:?}"
                ))
            })?;
            samlkit_xml::canonicalize_to_vec(&doc, Some(subset), None, alg, prefixes)
                .map_err(&describe)?
        }
    };
    Ok(out)
}

/// Standard output when it is a regular file with nothing after the current position (`> out`,
/// `>> log`): output can go straight into it and be taken back on error by truncating the file
/// to where it started.
struct StdoutFile {
    file: std::fs::File,
    start: u64,
}

impl StdoutFile {
    #[cfg(unix)]
    fn open() -> Option<StdoutFile> {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
        let mut file = std::fs::File::from(fd);
        let meta = file.metadata().ok()?;
        let start = file.stream_position().ok()?;
        (meta.is_file() && start == meta.len()).then_some(StdoutFile { file, start })
    }

    #[cfg(not(unix))]
    fn open() -> Option<StdoutFile> {
        None
    }

    /// Runs `write` into the file; on its error, truncates the file back to where it started.
    fn stream(
        mut self,
        write: impl FnOnce(&mut std::fs::File) -> Result<(), CliError>,
    ) -> Result<ExitCode, CliError> {
        use std::io::{Seek, SeekFrom};
        match write(&mut self.file) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => {
                let _ = self.file.set_len(self.start);
                let _ = self.file.seek(SeekFrom::Start(self.start));
                Err(e)
            }
        }
    }
}
