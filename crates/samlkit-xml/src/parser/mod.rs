//! Building a [`Document`] from text: quick-xml tokenizes, this module enforces the rules
//! (no DTD, references, line ends, attribute normalization, namespaces, well-formedness, limits).

use std::borrow::Cow;
use std::sync::OnceLock;

mod elements;
mod steps;
mod tokens;

use steps::{Inline, Step, Steps};
use tokens::Token;

use crate::chars::{self, DecodeError};
use crate::error::{ParseError, Position, XmlError};
use crate::hash::FastMap;
use crate::limits::Limits;
use crate::tree::{
    Document, NONE, NS_NONE, NS_XML, NodeData, PREFIX_DEFAULT, PREFIX_XML, Payload, StrRef,
    XML_NAMESPACE,
};

/// Parses a document with the default [`Limits`].
///
/// ```
/// let doc = samlkit_xml::parse(r#"<p:a xmlns:p="urn:p" ID="x">hi</p:a>"#).unwrap();
/// let root = doc.node(doc.root_element());
/// assert_eq!(root.namespace_uri(), "urn:p");
/// assert_eq!(doc.element_by_id("x"), Some(root.id()));
/// assert_eq!(root.text_content(), "hi");
/// ```
pub fn parse(input: &str) -> Result<Document<'_>, XmlError> {
    parse_with_limits(input, &Limits::default())
}

/// Parses raw bytes: refuses UTF-16/UTF-32 byte order marks and invalid UTF-8 (with the position
/// of the first bad byte), accepts a UTF-8 byte order mark, then parses like [`parse`].
pub fn parse_bytes(input: &[u8]) -> Result<Document<'_>, XmlError> {
    parse_bytes_with_limits(input, &Limits::default())
}

/// [`parse_bytes`] with explicit limits.
pub fn parse_bytes_with_limits<'a>(
    input: &'a [u8],
    limits: &Limits,
) -> Result<Document<'a>, XmlError> {
    parse_with_limits(text_of_bytes(input)?, limits)
}

/// Parses a document with explicit [`Limits`].
pub fn parse_with_limits<'a>(input: &'a str, limits: &Limits) -> Result<Document<'a>, XmlError> {
    Ok(build(input, limits, KeepTree)?.0)
}

/// What the builder does with each node as it completes: nothing (the tree keeps every node),
/// or hand it on at once (streaming canonicalization; the tree then keeps only the document
/// node and the open elements, so memory follows depth, not size).
pub(crate) trait Emit {
    /// Whether nodes are dropped once handed on.
    const STREAMING: bool;
    /// An element was appended, its start tag complete (its attributes are in the tree).
    /// `top_level`: its parent is the document node. (Streaming only.)
    fn node(&mut self, doc: &Document<'_>, id: u32, top_level: bool);
    /// A leaf (text, CDATA, comment, PI) is complete: in streaming mode it is never added to
    /// the tree, so it comes as its data. (Streaming only.)
    fn leaf(&mut self, doc: &Document<'_>, data: &NodeData, top_level: bool);
    /// An element ends (right after [`Emit::node`] for an empty element).
    fn end(&mut self, doc: &Document<'_>, id: u32);
}

/// The ordinary parse: the tree keeps everything.
pub(crate) struct KeepTree;

impl Emit for KeepTree {
    const STREAMING: bool = false;
    fn node(&mut self, _: &Document<'_>, _: u32, _: bool) {}
    fn leaf(&mut self, _: &Document<'_>, _: &NodeData, _: bool) {}
    fn end(&mut self, _: &Document<'_>, _: u32) {}
}

/// Checks a text against the limits and character rules, then runs the builder over it. Both
/// the tree parse and streaming canonicalization go through here, so they accept the same
/// documents and refuse the others with the same errors.
pub(crate) fn build<'a, E: Emit>(
    input: &'a str,
    limits: &Limits,
    emit: E,
) -> Result<(Document<'a>, E), XmlError> {
    build_tokenizing(input, limits, emit, input.len() >= steps::ASIDE_FROM)
}

/// [`build`] with the tokenizing thread chosen by the caller instead of by the input's size
/// (tests and the fuzz target run both ways on small inputs).
///
/// With the tokenizer on a second thread, that thread also looks for characters XML does not
/// allow, as it goes. The builder meanwhile works on a text not yet known to be clean (it
/// needs nothing of that for its own safety, only valid UTF-8, which the text is), and such a
/// character, wherever it is, then replaces whatever the builder concluded: the same error,
/// at the same place, as the check made up front.
pub(crate) fn build_tokenizing<'a, E: Emit>(
    input: &'a str,
    limits: &Limits,
    emit: E,
    tokenize_aside: bool,
) -> Result<(Document<'a>, E), XmlError> {
    let limits = limits.effective();
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    if input.len() > limits.max_input_bytes {
        return Err(ParseError::LimitExceeded {
            pos: Position { line: 1, column: 1 },
            limit: "input size",
            max: limits.max_input_bytes,
        }
        .into());
    }
    let builder = Builder::new(input, limits, emit);
    if tokenize_aside { builder.run_tokenizing_aside() } else { builder.run_checked_here() }
}

/// The error for the first character XML does not allow, at `at`.
fn invalid_char(input: &str, (at, code): (usize, u32)) -> XmlError {
    ParseError::InvalidChar { pos: crate::tree::position_in(input, at), code }.into()
}

/// Checks raw bytes the way [`parse_bytes`] does (byte order marks, UTF-8) and returns the text.
pub(crate) fn text_of_bytes(input: &[u8]) -> Result<&str, XmlError> {
    let start = Position { line: 1, column: 1 };
    let refuse = |encoding: &str| ParseError::UnsupportedEncoding {
        pos: start,
        encoding: encoding.to_string(),
    };
    if input.starts_with(&[0xFF, 0xFE]) {
        return Err(refuse("UTF-16LE").into());
    }
    if input.starts_with(&[0xFE, 0xFF]) {
        return Err(refuse("UTF-16BE").into());
    }
    if input.starts_with(&[0x3C, 0x00]) || input.starts_with(&[0x00, 0x3C]) {
        return Err(refuse("UTF-16 (no byte order mark)").into());
    }
    match std::str::from_utf8(input) {
        Ok(text) => Ok(text),
        Err(e) => {
            let good = e.valid_up_to();
            // The prefix up to the bad byte is valid UTF-8, so positions can be counted in it.
            let text = std::str::from_utf8(&input[..good]).unwrap_or("");
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            Err(ParseError::InvalidUtf8 { pos: crate::tree::position_in(text, text.len()) }.into())
        }
    }
}

struct Open {
    node: u32,
    last_child: u32,
    undo_mark: u32,
    /// Length of the decode arena once this element's attributes were decoded: what its
    /// descendants decode after that can be dropped in streaming mode.
    arena_end: u32,
}

/// An attribute as scanned from a start tag, before namespace processing.
#[derive(Clone, Copy)]
struct RawAttr<'a> {
    name: &'a str,
    /// For a namespace declaration, the declared prefix (empty for `xmlns`).
    declares: Option<&'a str>,
    name_start: usize,
    value: &'a str,
    value_start: usize,
}

struct Builder<'a, E: Emit> {
    input: &'a str,
    emit: E,
    /// Nodes appended so far, the document node included (the tree may have dropped some).
    node_count: usize,
    limits: Limits,
    doc: Document<'a>,
    open: Vec<Open>,
    /// Per prefix id, the stack of namespace ids it is bound to.
    bindings: Vec<Vec<u32>>,
    /// Prefix ids in the order their bindings were pushed (popped at each end tag).
    undo: Vec<u32>,
    prefix_ids: FastMap<&'a str, u32>,
    ns_ids: FastMap<Cow<'a, str>, u32>,
    scratch: Vec<RawAttr<'a>>,
    dup_keys: Vec<(u32, &'a str)>,
    root_seen: bool,
    text: Option<(usize, usize)>,
    last_prefix: (&'a str, u32),
    qnames: elements::QNameCache<'a>,
    /// `ID`/`Id`/`id` attribute values and their elements, in document order.
    id_attrs: Vec<(StrRef, u32)>,
}

impl<'a, E: Emit> Builder<'a, E> {
    fn new(input: &'a str, limits: Limits, emit: E) -> Self {
        // Size the arrays from cheap counts so they rarely grow: about one node per `<` (tags
        // plus the text between them) and as many attributes; both grow gently if needed.
        // Streaming keeps only the open elements: nothing to size.
        let estimate = if E::STREAMING {
            16
        } else {
            let tags = memchr::memchr_iter(b'<', input.as_bytes()).count();
            (tags + tags / 4 + 16).min(limits.max_nodes)
        };
        let mut doc = Document {
            input,
            arena: String::new(),
            nodes: Vec::with_capacity(estimate),
            attrs: Vec::with_capacity(estimate),
            prefixes: vec!["", "xml", "xmlns"],
            namespaces: vec![Cow::Borrowed(""), Cow::Borrowed(XML_NAMESPACE)],
            root: NONE,
            ids: FastMap::default(),
            duplicate_ids: Vec::new(),
            line_starts: OnceLock::new(),
            relative_namespace: None,
            ns_rank: OnceLock::new(),
        };
        doc.nodes.push(NodeData {
            parent: NONE,
            first_child: NONE,
            next_sibling: NONE,
            start: 0,
            end: input.len() as u32,
            payload: Payload::Document,
        });
        // Sized for a typical document's prefixes and namespaces from the start: growing a
        // keyed map from nothing rehashed it three times in every small response.
        let mut prefix_ids = FastMap::with_capacity(16);
        prefix_ids.insert("", PREFIX_DEFAULT);
        prefix_ids.insert("xml", PREFIX_XML);
        prefix_ids.insert("xmlns", 2);
        let mut ns_ids = FastMap::with_capacity(16);
        ns_ids.insert(Cow::Borrowed(""), NS_NONE);
        ns_ids.insert(Cow::Borrowed(XML_NAMESPACE), NS_XML);
        Builder {
            input,
            emit,
            node_count: 1,
            limits,
            doc,
            open: vec![Open { node: 0, last_child: NONE, undo_mark: 0, arena_end: 0 }],
            bindings: vec![vec![NS_NONE], vec![NS_XML], vec![]],
            undo: Vec::new(),
            prefix_ids,
            ns_ids,
            scratch: Vec::new(),
            dup_keys: Vec::new(),
            root_seen: false,
            text: None,
            id_attrs: Vec::new(),
            last_prefix: ("", PREFIX_DEFAULT),
            qnames: elements::QNameCache::new(),
        }
    }

    fn pos(&self, offset: usize) -> Position {
        crate::tree::position_in(self.input, offset)
    }

    fn syntax(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError::Syntax { pos: self.pos(offset), message: message.into() }
    }

    fn decode_error(&self, base: usize, e: DecodeError) -> ParseError {
        match e {
            DecodeError::UndefinedEntity { at, name } => {
                ParseError::UndefinedEntity { pos: self.pos(base + at), name }
            }
            DecodeError::BadReference { at, text } => {
                ParseError::BadReference { pos: self.pos(base + at), text }
            }
            DecodeError::InvalidChar { at, code } => {
                ParseError::InvalidChar { pos: self.pos(base + at), code }
            }
            DecodeError::LessThanInAttribute { at } => {
                self.syntax(base + at, "'<' is not allowed in an attribute value")
            }
        }
    }

    /// Checks the characters, then runs the builder over tokens read on this thread.
    fn run_checked_here(self) -> Result<(Document<'a>, E), XmlError> {
        if let Some(invalid) = chars::find_invalid_char(self.input) {
            return Err(invalid_char(self.input, invalid));
        }
        let inline = Inline::new(self.input, self.limits.max_attributes_per_element, true);
        Ok(self.run(inline)?)
    }

    /// Runs the builder over tokens read on a second thread, which also finds the first
    /// character XML does not allow: one found anywhere replaces the builder's outcome. On
    /// this thread, checked first, if the second cannot be started.
    fn run_tokenizing_aside(self) -> Result<(Document<'a>, E), XmlError> {
        let input = self.input;
        let inline = Inline::new(input, self.limits.max_attributes_per_element, true);
        std::thread::scope(|scope| {
            let (builder_side, ahead) = steps::aside(inline);
            let tokenizer = std::thread::Builder::new().name("xml-tokenizer".into());
            let Ok(handle) = tokenizer.spawn_scoped(scope, move || ahead.run()) else {
                return self.run_checked_here();
            };
            // `run` drops the builder's side, so a tokenizer still running (the builder stopped
            // at an error) stops tokenizing and only finishes the character check. Joining it
            // here, not only at the end of the scope, waits for the thread itself to end (its
            // thread-local destructors included).
            let result = self.run(builder_side);
            // A tokenizer that panicked found nothing: check again here.
            match handle.join().unwrap_or_else(|_| chars::find_invalid_char(input)) {
                Some(invalid) => Err(invalid_char(input, invalid)),
                None => Ok(result?),
            }
        })
    }

    fn run(mut self, mut steps: impl Steps<'a>) -> Result<(Document<'a>, E), ParseError> {
        let mut first = true;
        loop {
            let (token, start, end) = match steps.next_step() {
                Step::Quick { start, end, empty } => {
                    first = false;
                    self.flush_text()?;
                    self.start_element(start, end, empty, Some(steps.quick_attributes()))?;
                    continue;
                }
                Step::Token(Ok(t)) => t,
                Step::Token(Err((at, message))) => return Err(self.syntax(at, message)),
            };
            let was_first = first;
            first = false;
            match token {
                Token::Text => {
                    self.text = Some(match self.text {
                        Some((s, _)) => (s, end),
                        None => (start, end),
                    });
                }
                // Names and attributes are taken from the input by offset (no per-tag copies).
                Token::Start => {
                    self.flush_text()?;
                    self.start_element(start, end, false, None)?;
                }
                Token::Empty => {
                    self.flush_text()?;
                    self.start_element(start, end, true, None)?;
                }
                Token::End => {
                    self.flush_text()?;
                    let name = self
                        .slice(start + 2, end.saturating_sub(1))
                        .trim_end_matches([' ', '\t', '\n', '\r']);
                    self.end_element(start, end, name)?;
                }
                Token::CData => {
                    self.flush_text()?;
                    if self.open.len() == 1 {
                        return Err(ParseError::ContentOutsideRoot {
                            pos: self.pos(start),
                            what: "a CDATA section",
                        });
                    }
                    let content = self.slice(start + 9, end.saturating_sub(3));
                    let value = chars::normalize_newlines(content, start + 9, &mut self.doc.arena);
                    self.append(start, end, Payload::CData(value))?;
                }
                Token::Comment => {
                    self.flush_text()?;
                    let (cs, ce) = (start + 4, end.saturating_sub(3));
                    let content = self.slice(cs, ce);
                    if content.ends_with('-') {
                        return Err(self.syntax(start, "a comment must not end with '-' ('--->')"));
                    }
                    let value = chars::normalize_newlines(content, cs, &mut self.doc.arena);
                    self.append(start, end, Payload::Comment(value))?;
                }
                Token::Pi => {
                    self.flush_text()?;
                    self.processing_instruction(start, end)?;
                }
                Token::Decl => {
                    self.flush_text()?;
                    if !was_first || start != 0 {
                        return Err(self.syntax(
                            start,
                            "an XML declaration is only allowed at the very start of the document",
                        ));
                    }
                    self.xml_declaration(start, end)?;
                }
                Token::DocType => return Err(ParseError::Doctype { pos: self.pos(start) }),
                Token::Eof => {
                    self.flush_text()?;
                    break;
                }
            }
        }
        if self.open.len() > 1 {
            let top = self.open.last().map(|o| o.node).unwrap_or(0);
            let d = &self.doc.nodes[top as usize];
            let name = self.doc.node(crate::NodeId(top)).name().to_string();
            return Err(ParseError::UnclosedElement { pos: self.pos(d.start as usize), name });
        }
        if !self.root_seen {
            return Err(ParseError::NoRootElement { pos: self.pos(self.input.len()) });
        }
        if !E::STREAMING {
            self.build_id_index();
        }
        Ok((self.doc, self.emit))
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.input.get(start..end).unwrap_or("")
    }

    // Inlined: its callers build `payload` field by field, and reading it back whole across a
    // call stalled on store forwarding (a tenth of the time spent here).
    #[inline(always)]
    fn append(&mut self, start: usize, end: usize, payload: Payload) -> Result<u32, ParseError> {
        if self.node_count >= self.limits.max_nodes {
            return Err(ParseError::LimitExceeded {
                pos: self.pos(start),
                limit: "node count",
                max: self.limits.max_nodes,
            });
        }
        self.node_count += 1;
        let id = self.doc.nodes.len() as u32;
        // The position is computed only on error: counting lines is O(input), and doing it for
        // every node made parsing quadratic.
        let input = self.input;
        let top_level = self.open.len() == 1;
        let Some(top) = self.open.last_mut() else {
            return Err(ParseError::Syntax {
                pos: crate::tree::position_in(input, start),
                message: "content outside any element".into(),
            });
        };
        let parent = top.node;
        let arena_end = top.arena_end as usize;
        let data = NodeData {
            parent,
            first_child: NONE,
            next_sibling: NONE,
            start: start as u32,
            end: end as u32,
            payload,
        };
        if E::STREAMING && !matches!(payload, Payload::Element { .. }) {
            // A leaf is finished at once: handed on, never added to the tree, and what it
            // decoded dropped.
            self.emit.leaf(&self.doc, &data, top_level);
            self.doc.arena.truncate(arena_end);
            return Ok(id);
        }
        // A streamed tree drops finished nodes, so sibling links would point at reused slots.
        if !E::STREAMING {
            if top.last_child == NONE {
                self.doc.nodes[parent as usize].first_child = id;
            } else {
                self.doc.nodes[top.last_child as usize].next_sibling = id;
            }
            top.last_child = id;
        }
        self.doc.nodes.push(data);
        if E::STREAMING {
            // An element stays in the tree until its end tag.
            self.emit.node(&self.doc, id, top_level);
        }
        Ok(id)
    }

    fn flush_text(&mut self) -> Result<(), ParseError> {
        let Some((start, end)) = self.text.take() else { return Ok(()) };
        let raw = self.slice(start, end);
        if self.open.len() == 1 {
            if let Some(i) = raw.bytes().position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) {
                return Err(ParseError::ContentOutsideRoot {
                    pos: self.pos(start + i),
                    what: "text",
                });
            }
            return Ok(());
        }
        // `]` is rare in text: only then look for the forbidden `]]>`.
        let bracket = crate::swar::find_byte(raw.as_bytes(), b']').is_some();
        if let Some(i) = bracket.then(|| memchr::memmem::find(raw.as_bytes(), b"]]>")).flatten() {
            return Err(self.syntax(start + i, "']]>' is not allowed in text"));
        }
        let value = chars::decode_text(raw, start, &mut self.doc.arena)
            .map_err(|e| self.decode_error(start, e))?;
        self.append(start, end, Payload::Text(value))?;
        Ok(())
    }

    fn check_name_len(&self, name: &str, at: usize) -> Result<(), ParseError> {
        if name.len() > self.limits.max_name_len {
            return Err(ParseError::LimitExceeded {
                pos: self.pos(at),
                limit: "name length",
                max: self.limits.max_name_len,
            });
        }
        Ok(())
    }

    fn processing_instruction(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
        let content = self.slice(start + 2, end.saturating_sub(2));
        let target_len = content
            .bytes()
            .position(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .unwrap_or(content.len());
        let target = &content[..target_len];
        self.check_name_len(target, start)?;
        if !chars::is_ncname(target) {
            return Err(ParseError::InvalidName {
                pos: self.pos(start + 2),
                name: target.to_string(),
            });
        }
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.syntax(start, "the processing instruction target 'xml' is reserved"));
        }
        let data = content[target_len..].trim_start_matches([' ', '\t', '\n', '\r']);
        let data_start = start + 2 + content.len() - data.len();
        let data = chars::normalize_newlines(data, data_start, &mut self.doc.arena);
        self.append(start, end, Payload::Pi { target_len: target_len as u32, data })?;
        Ok(())
    }

    fn xml_declaration(&mut self, start: usize, end: usize) -> Result<(), ParseError> {
        let content = self.slice(start + 5, end.saturating_sub(2));
        let mut raw = Vec::new();
        self.scan_attributes(content, start + 5, &mut raw)?;
        let mut expected: &[&str] = &["version", "encoding", "standalone"];
        for (i, a) in raw.iter().enumerate() {
            let Some(k) = expected.iter().position(|&n| n == a.name) else {
                return Err(self.syntax(
                    a.name_start,
                    format!("unexpected {:?} in the XML declaration", a.name),
                ));
            };
            if i == 0 && a.name != "version" {
                return Err(
                    self.syntax(a.name_start, "the XML declaration must start with version")
                );
            }
            expected = &expected[k + 1..];
            let ok = match a.name {
                "version" => a.value == "1.0",
                "encoding" => {
                    if !a.value.eq_ignore_ascii_case("utf-8") {
                        return Err(ParseError::UnsupportedEncoding {
                            pos: self.pos(a.value_start),
                            encoding: a.value.to_string(),
                        });
                    }
                    true
                }
                _ => a.value == "yes" || a.value == "no",
            };
            if !ok {
                return Err(
                    self.syntax(a.value_start, format!("unsupported {} {:?}", a.name, a.value))
                );
            }
        }
        if raw.is_empty() {
            return Err(self.syntax(start, "the XML declaration must give a version"));
        }
        Ok(())
    }

    fn build_id_index(&mut self) {
        let doc = &mut self.doc;
        doc.ids.reserve(self.id_attrs.len());
        for &(value, node) in &self.id_attrs {
            let key: Cow<'a, str> = match value.input_range() {
                Some(r) => Cow::Borrowed(self.input.get(r).unwrap_or("")),
                None => Cow::Owned(value.get(self.input, &doc.arena).to_string()),
            };
            match doc.ids.get_mut(&key) {
                None => {
                    doc.ids.insert(key, node);
                }
                // The same element carrying the value twice (`ID` and `id`) is not ambiguous.
                Some(existing) if *existing == node => {}
                Some(existing) => {
                    if *existing != NONE {
                        doc.duplicate_ids.push(key.to_string());
                    }
                    *existing = NONE;
                }
            }
        }
    }
}

/// Grows a full vector by a quarter instead of doubling, keeping peak memory close to need.
#[inline]
pub(super) fn grow_gently<T>(v: &mut Vec<T>) {
    if v.len() == v.capacity() {
        v.reserve_exact(v.capacity() / 4 + 256);
    }
}

/// Calls `check` with every concatenation of one to `max_pieces` of `pieces` (repeats
/// allowed), shorter ones first: the exhaustive inputs of the tokenizer's and the quick start
/// tag's tests.
#[cfg(test)]
fn for_each_concatenation(pieces: &[&str], max_pieces: usize, mut check: impl FnMut(&str)) {
    let mut shorter = vec![String::new()];
    for _ in 0..max_pieces {
        let mut next = Vec::with_capacity(shorter.len() * pieces.len());
        for s in &shorter {
            for p in pieces {
                next.push(format!("{s}{p}"));
            }
        }
        next.iter().for_each(|s| check(s));
        shorter = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{C14nAlgorithm, canonicalize_to_vec};

    /// The document (as its canonical form with comments) or the error message.
    fn outcome(input: &str, quick_tags: bool) -> Result<Vec<u8>, String> {
        let limits = Limits { max_attributes_per_element: 2, ..Limits::default() };
        let limits = limits.effective();
        let steps = Inline::new(input, limits.max_attributes_per_element, quick_tags);
        let builder = Builder::new(input, limits, KeepTree);
        let (doc, _) = builder.run(steps).map_err(|e| e.to_string())?;
        let alg = C14nAlgorithm::InclusiveWithComments;
        canonicalize_to_vec(&doc, None, None, alg, &[]).map_err(|e| format!("c14n: {e}"))
    }

    /// Start tags scanned in one pass give what the general path (tokenizer, then attribute
    /// scanner) gives, documents and errors alike, for every tag made of up to five pieces of
    /// the characters that matter in one (and with an attribute limit of 2 in reach).
    #[test]
    fn quick_start_tags_match_the_general_path() {
        let pieces =
            ["<a", ">", "/", " ", "=", "'", "\"", "b", "p:c", "\n", "&", "<", "='v'", " b"];
        for_each_concatenation(&pieces, 5, |t| {
            for input in [format!("<r{t}"), format!("<r>{t}</r>"), format!("<r x='1'{t}")] {
                assert_eq!(outcome(&input, true), outcome(&input, false), "{input:?}");
            }
        });
    }
}
