//! Streaming canonicalization of a whole document: the parser hands each node to the
//! canonicalizer as soon as it is complete and then forgets it, so memory follows the nesting
//! depth instead of the document's size.
//!
//! The parser is the very same builder [`crate::parse_with_limits`] runs (same limits, same
//! rules, same errors); only the tree is kept short. The canonicalizer is the same code the
//! tree path runs, reading the short tree.

use std::io::Write;

use crate::c14n::{C14nAlgorithm, State, View, relative_namespace_error};
use crate::error::XmlError;
use crate::limits::Limits;
use crate::parser::{Emit, build, build_tokenizing, text_of_bytes};
use crate::tree::{Document, NONE, NodeData, Payload};

/// Canonicalizes a whole document straight from its text, without building the tree: the
/// result is byte for byte what [`crate::parse_with_limits`] followed by
/// [`crate::canonicalize`] (no subset, nothing excluded) gives, and so is every error, but
/// memory stays proportional to the nesting depth, not the document's size.
///
/// On error, `out` may already have received part of the output (a parse error can come
/// after megabytes of canonical text): write into a buffer when all-or-nothing matters.
///
/// An input of a megabyte or more is split into tokens on a second thread (started and joined
/// within the call) while this one does the rest: the same steps in the same order, so the
/// same output and errors, in less time on a machine with a core to spare.
///
/// ```
/// use samlkit_xml::{C14nAlgorithm, Limits, canonicalize_streaming};
/// let mut out = Vec::new();
/// let text = r#"<a xmlns:p="urn:p" b='1'  a="2"><p:c/></a>"#;
/// canonicalize_streaming(text, &Limits::default(), C14nAlgorithm::Exclusive, &[], &mut out)
///     .unwrap();
/// assert_eq!(out, br#"<a a="2" b="1"><p:c xmlns:p="urn:p"></p:c></a>"#);
/// ```
pub fn canonicalize_streaming<W: Write>(
    input: &str,
    limits: &Limits,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
    out: &mut W,
) -> Result<(), XmlError> {
    stream(input, limits, alg, inclusive_prefixes, out, None)
}

/// [`canonicalize_streaming`] with the tokenizer on a second thread (`Some(true)`), on this one
/// (`Some(false)`), or as the input's size decides (`None`).
fn stream<W: Write>(
    input: &str,
    limits: &Limits,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
    out: &mut W,
    tokenize_aside: Option<bool>,
) -> Result<(), XmlError> {
    let emitter = Streamer {
        state: State::new(alg, NONE, inclusive_prefixes, out, usize::MAX),
        comments: alg.with_comments(),
        after_root: false,
        stopped: false,
        error: None,
    };
    let (doc, mut emitter) = match tokenize_aside {
        None => build(input, limits, emitter)?,
        Some(aside) => build_tokenizing(input, limits, emitter, aside)?,
    };
    // The same order of errors as parse-then-canonicalize: parse errors first (returned above),
    // then a relative namespace URI, then a failed write.
    if let Some(e) = relative_namespace_error(&doc) {
        return Err(e);
    }
    if let Some(e) = emitter.error {
        return Err(e);
    }
    emitter.state.out.flush()
}

/// [`canonicalize_streaming`] of raw bytes, checked like [`crate::parse_bytes_with_limits`]
/// (UTF-16/UTF-32 byte order marks and invalid UTF-8 refused, a UTF-8 byte order mark skipped).
///
/// ```
/// use samlkit_xml::{C14nAlgorithm, Limits, canonicalize_streaming_bytes};
/// let mut out = Vec::new();
/// let alg = C14nAlgorithm::Inclusive;
/// canonicalize_streaming_bytes(b"<a>x<!--c--></a>", &Limits::default(), alg, &[], &mut out)
///     .unwrap();
/// assert_eq!(out, b"<a>x</a>");
/// ```
pub fn canonicalize_streaming_bytes<W: Write>(
    input: &[u8],
    limits: &Limits,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
    out: &mut W,
) -> Result<(), XmlError> {
    canonicalize_streaming(text_of_bytes(input)?, limits, alg, inclusive_prefixes, out)
}

/// For tests and fuzzing: [`canonicalize_streaming_bytes`] with the tokenizer on a second
/// thread (`true`) or on the calling one (`false`) whatever the input's size, so that both
/// ways can be compared on small inputs. Not part of the supported interface.
#[doc(hidden)]
pub fn canonicalize_streaming_bytes_tokenizing_aside<W: Write>(
    input: &[u8],
    limits: &Limits,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
    out: &mut W,
    aside: bool,
) -> Result<(), XmlError> {
    stream(text_of_bytes(input)?, limits, alg, inclusive_prefixes, out, Some(aside))
}

/// Receives the parser's nodes and writes their canonical form at once.
struct Streamer<'w, W: Write> {
    state: State<'w, W>,
    comments: bool,
    /// Whether the root element has started (top-level comments and PIs after it get their
    /// line feed before, those before it after).
    after_root: bool,
    /// Output stopped: a relative namespace URI was seen (the document will be refused) or a
    /// write failed. Parsing goes on, so a later parse error is still the one reported.
    stopped: bool,
    error: Option<XmlError>,
}

impl<W: Write> Streamer<'_, W> {
    fn write_leaf(
        &mut self,
        doc: &Document<'_>,
        data: &NodeData,
        top_level: bool,
    ) -> Result<(), XmlError> {
        // At the top level only comments and PIs appear (whitespace is not a node).
        match data.payload {
            Payload::Comment(_) | Payload::Pi { .. } if top_level => {
                if !self.comments && matches!(data.payload, Payload::Comment(_)) {
                    return Ok(());
                }
                if self.after_root {
                    self.state.out.bytes(b"\n")?;
                }
                self.state.leaf_data(doc, data)?;
                if !self.after_root {
                    self.state.out.bytes(b"\n")?;
                }
                Ok(())
            }
            _ => self.state.leaf_data(doc, data),
        }
    }

    fn record(&mut self, result: Result<(), XmlError>) {
        if let Err(e) = result {
            self.error = Some(e);
            self.stopped = true;
        }
    }
}

impl<W: Write> Emit for Streamer<'_, W> {
    const STREAMING: bool = true;

    fn node(&mut self, doc: &Document<'_>, id: u32, top_level: bool) {
        if self.stopped {
            return;
        }
        // The declaration is recorded before its element is appended, so nothing of an
        // element with a relative namespace URI is ever written.
        if doc.relative_namespace.is_some() {
            self.stopped = true;
            return;
        }
        if top_level {
            self.after_root = true;
        }
        let result = self.state.start_tag(View { doc, ns_rank: None }, id, top_level);
        self.record(result);
    }

    fn leaf(&mut self, doc: &Document<'_>, data: &NodeData, top_level: bool) {
        if self.stopped {
            return;
        }
        if doc.relative_namespace.is_some() {
            self.stopped = true;
            return;
        }
        let result = self.write_leaf(doc, data, top_level);
        self.record(result);
    }

    fn end(&mut self, doc: &Document<'_>, id: u32) {
        if self.stopped {
            return;
        }
        let result = self.state.end_tag(View { doc, ns_rank: None }, id);
        self.record(result);
    }
}
