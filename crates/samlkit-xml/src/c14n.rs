//! Canonical XML 1.0 and Exclusive XML Canonicalization 1.0, with and without comments, for a
//! whole document or an element subtree taken as a document subset, optionally minus one
//! descendant element (the enveloped-signature transform). Output streams into any `io::Write`.

use std::io::Write;

use crate::error::{C14nError, XmlError};
use crate::tree::{
    AttrData, Document, NONE, NS_NONE, NS_XML, NodeData, NodeId, PREFIX_DEFAULT, PREFIX_XML,
    Payload,
};

/// The canonicalization algorithms XML Signature uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum C14nAlgorithm {
    /// Canonical XML 1.0, comments removed.
    Inclusive,
    /// Canonical XML 1.0 with comments.
    InclusiveWithComments,
    /// Exclusive XML Canonicalization 1.0, comments removed.
    Exclusive,
    /// Exclusive XML Canonicalization 1.0 with comments.
    ExclusiveWithComments,
}

impl C14nAlgorithm {
    /// The algorithm identified by an XML Signature algorithm URI.
    ///
    /// ```
    /// use samlkit_xml::C14nAlgorithm;
    /// let alg = C14nAlgorithm::from_uri("http://www.w3.org/2001/10/xml-exc-c14n#");
    /// assert_eq!(alg, Some(C14nAlgorithm::Exclusive));
    /// ```
    pub fn from_uri(uri: &str) -> Option<C14nAlgorithm> {
        [Self::Inclusive, Self::InclusiveWithComments, Self::Exclusive, Self::ExclusiveWithComments]
            .into_iter()
            .find(|a| a.uri() == uri)
    }

    /// The algorithm's URI.
    pub fn uri(self) -> &'static str {
        match self {
            Self::Inclusive => "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
            Self::InclusiveWithComments => {
                "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
            }
            Self::Exclusive => "http://www.w3.org/2001/10/xml-exc-c14n#",
            Self::ExclusiveWithComments => "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        }
    }

    /// Whether this is exclusive canonicalization.
    pub fn is_exclusive(self) -> bool {
        matches!(self, Self::Exclusive | Self::ExclusiveWithComments)
    }

    /// Whether comments are kept.
    pub fn with_comments(self) -> bool {
        matches!(self, Self::InclusiveWithComments | Self::ExclusiveWithComments)
    }
}

/// Canonicalizes `doc` into `out`.
///
/// - `subset_root`: `None` (or the document node) for the whole document; an element for the
///   document subset made of that element and everything below it (inclusive C14N then renders
///   the namespaces in scope and the `xml:*` attributes inherited from ancestors; exclusive
///   C14N renders only visibly utilized namespaces).
/// - `excluded`: an element (normally a descendant of the subset root) left out together with
///   everything below it — the enveloped-signature transform passes the `Signature` element.
/// - `inclusive_prefixes`: for exclusive C14N, the InclusiveNamespaces PrefixList
///   (`#default` names the default namespace); ignored by inclusive C14N.
///
/// ```
/// use samlkit_xml::{canonicalize, parse, C14nAlgorithm};
/// let doc = parse(r#"<a xmlns:p="urn:p" xmlns:q="urn:q"><p:b c="1"  ></p:b></a>"#).unwrap();
/// let b = doc.node(doc.root_element()).first_element_child().unwrap().id();
/// let mut out = Vec::new();
/// canonicalize(&doc, Some(b), None, C14nAlgorithm::Exclusive, &[], &mut out).unwrap();
/// assert_eq!(out, br#"<p:b xmlns:p="urn:p" c="1"></p:b>"#);
/// ```
pub fn canonicalize<W: Write>(
    doc: &Document<'_>,
    subset_root: Option<NodeId>,
    excluded: Option<NodeId>,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
    out: &mut W,
) -> Result<(), XmlError> {
    if let Some(id) = subset_root {
        if id.index() >= doc.len() {
            return Err(XmlError::C14n(C14nError::Refused(
                "the subset root is not a node of this document".into(),
            )));
        }
        if !matches!(doc.data(id.0).payload, Payload::Element { .. } | Payload::Document) {
            return Err(XmlError::C14n(C14nError::Refused(
                "the subset root must be an element".into(),
            )));
        }
    }
    if let Some(e) = relative_namespace_error(doc) {
        return Err(e);
    }
    let excluded = excluded.map_or(NONE, |e| e.0);
    // The output is about as long as the input it comes from: size the buffer for that, so a
    // small subset (a SignedInfo) never pays for a large buffer.
    let source_len = match subset_root {
        Some(id) => {
            let d = doc.data(id.0);
            d.end.saturating_sub(d.start) as usize
        }
        None => doc.input().len(),
    };
    let mut c = State::new(alg, excluded, inclusive_prefixes, out, source_len);
    let view = View { doc, ns_rank: Some(doc.ns_rank.get_or_init(|| namespace_ranks(doc))) };
    match subset_root {
        Some(id) if id.0 != 0 => c.subtree(view, id.0)?,
        _ => c.document(view)?,
    }
    c.out.flush()
}

/// C14N 1.0 §2.1 (inherited by exclusive C14N): documents with relative namespace URIs are an
/// operation failure, never an implementation-specific output.
pub(crate) fn relative_namespace_error(doc: &Document<'_>) -> Option<XmlError> {
    let (offset, uri) = doc.relative_namespace.as_ref()?;
    Some(XmlError::C14n(C14nError::Refused(format!(
        "{}: relative namespace URI {uri:?} (the C14N specifications require absolute URIs)",
        doc.position_of(*offset as usize)
    ))))
}

/// [`canonicalize`] into a new `Vec<u8>`.
pub fn canonicalize_to_vec(
    doc: &Document<'_>,
    subset_root: Option<NodeId>,
    excluded: Option<NodeId>,
    alg: C14nAlgorithm,
    inclusive_prefixes: &[&str],
) -> Result<Vec<u8>, XmlError> {
    let mut out = Vec::with_capacity(doc.input().len() + 64);
    canonicalize(doc, subset_root, excluded, alg, inclusive_prefixes, &mut out)?;
    Ok(out)
}

/// A write buffer so small pieces don't each cost a call into the underlying writer.
pub(crate) struct Sink<'w, W: Write> {
    buf: Vec<u8>,
    w: &'w mut W,
}

const SINK_CAPACITY: usize = 64 * 1024;

impl<W: Write> Sink<'_, W> {
    #[inline]
    pub(crate) fn bytes(&mut self, b: &[u8]) -> Result<(), XmlError> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= SINK_CAPACITY {
            self.w.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
    /// Markup and names: short pieces whose total the next [`Sink::bytes`] flushes, so they
    /// skip the size check.
    #[inline]
    fn raw(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    #[inline]
    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    #[inline]
    pub(crate) fn str(&mut self, s: &str) -> Result<(), XmlError> {
        self.bytes(s.as_bytes())
    }
    pub(crate) fn flush(&mut self) -> Result<(), XmlError> {
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        self.w.flush()?;
        Ok(())
    }

    /// Text: `&` `<` `>` and CR escaped.
    fn text(&mut self, s: &str) -> Result<(), XmlError> {
        self.escaped(s.as_bytes(), &TEXT_ESCAPES)
    }

    /// Attribute values: `&` `<` `"` TAB LF CR escaped.
    fn attr_value(&mut self, s: &str) -> Result<(), XmlError> {
        self.escaped(s.as_bytes(), &ATTR_ESCAPES)
    }

    /// A text node's value. Text still in the input (`undecoded`) holds no reference and no
    /// CR (the parser decodes such text into the arena) and no `<` (it would be markup), so
    /// `>` is the only byte that can need escaping: one search instead of a scan for four.
    #[inline]
    fn text_value(&mut self, s: &str, undecoded: bool) -> Result<(), XmlError> {
        if undecoded && crate::swar::find_byte(s.as_bytes(), b'>').is_none() {
            return self.bytes(s.as_bytes());
        }
        self.text(s)
    }

    /// An attribute's value. A value still in the input (`undecoded`) holds no reference, no
    /// TAB, LF or CR (the parser normalizes such values into the arena) and no `<` (refused),
    /// so `"` is the only byte that can need escaping.
    #[inline]
    fn attribute_value(&mut self, s: &str, undecoded: bool) -> Result<(), XmlError> {
        if undecoded && crate::swar::find_byte(s.as_bytes(), b'"').is_none() {
            return self.bytes(s.as_bytes());
        }
        self.attr_value(s)
    }

    /// Copies `s` with the bytes `table` marks replaced. Clean 8-byte words are skipped with
    /// a few word operations; runs between replacements are copied in bulk.
    #[inline]
    fn escaped(&mut self, s: &[u8], table: &[u8; 256]) -> Result<(), XmlError> {
        use crate::swar::{has_byte, has_less, word};
        let attr = table[b'"' as usize] != 0;
        let mut run = 0;
        let mut i = 0;
        while i < s.len() {
            if i + 8 <= s.len() {
                let w = word(s, i);
                let special = if attr {
                    has_byte(w, b'&') | has_byte(w, b'<') | has_byte(w, b'"') | has_less(w, 0x0E)
                } else {
                    has_byte(w, b'&') | has_byte(w, b'<') | has_byte(w, b'>') | has_byte(w, b'\r')
                };
                if special == 0 {
                    i += 8;
                    continue;
                }
            }
            let end = (i + 8).min(s.len());
            for (j, &b) in s[i..end].iter().enumerate() {
                let k = table[b as usize];
                if k != 0 {
                    self.buf.extend_from_slice(&s[run..i + j]);
                    self.buf.extend_from_slice(REPLACEMENTS[k as usize].as_bytes());
                    run = i + j + 1;
                }
            }
            i = end;
        }
        self.bytes(&s[run..])
    }
}

const REPLACEMENTS: [&str; 8] = ["", "&amp;", "&lt;", "&gt;", "&quot;", "&#x9;", "&#xA;", "&#xD;"];

const fn escape_table(attr: bool) -> [u8; 256] {
    let mut t = [0u8; 256];
    t[b'&' as usize] = 1;
    t[b'<' as usize] = 2;
    t[b'\r' as usize] = 7;
    if attr {
        t[b'"' as usize] = 4;
        t[b'\t' as usize] = 5;
        t[b'\n' as usize] = 6;
    } else {
        t[b'>' as usize] = 3;
    }
    t
}

static TEXT_ESCAPES: [u8; 256] = escape_table(false);
static ATTR_ESCAPES: [u8; 256] = escape_table(true);

/// Namespace bindings per prefix id, with an undo log so a whole element's pushes can be popped.
struct Scopes {
    stacks: Vec<Vec<u32>>,
    undo: Vec<u32>,
}

impl Scopes {
    fn new() -> Self {
        Scopes { stacks: Vec::new(), undo: Vec::new() }
    }
    /// Makes room for prefix ids below `prefixes`.
    fn grow(&mut self, prefixes: usize) {
        if self.stacks.len() < prefixes {
            self.stacks.resize(prefixes, Vec::new());
        }
    }
    #[inline]
    fn get(&self, prefix: u32) -> Option<u32> {
        self.stacks.get(prefix as usize).and_then(|s| s.last().copied())
    }
    #[inline]
    fn push(&mut self, prefix: u32, ns: u32) {
        if let Some(s) = self.stacks.get_mut(prefix as usize) {
            s.push(ns);
            self.undo.push(prefix);
        }
    }
    fn mark(&self) -> u32 {
        self.undo.len() as u32
    }
    fn pop_to(&mut self, mark: u32) {
        while self.undo.len() > mark as usize {
            if let Some(p) = self.undo.pop()
                && let Some(s) = self.stacks.get_mut(p as usize)
            {
                s.pop();
            }
        }
    }
}

/// What canonicalization reads from a document: the document, and (for a complete tree) each
/// namespace's rank in URI order. A streamed tree is incomplete, so attribute sorting then
/// compares the URIs themselves.
#[derive(Clone, Copy)]
pub(crate) struct View<'d, 'a> {
    pub(crate) doc: &'d Document<'a>,
    pub(crate) ns_rank: Option<&'d [u32]>,
}

/// The canonicalizer's state between nodes. It holds no reference into the document, so the
/// same code serves a finished tree and a tree that streaming grows and shrinks between calls.
pub(crate) struct State<'w, W: Write> {
    exclusive: bool,
    comments: bool,
    excluded: u32,
    pub(crate) out: Sink<'w, W>,
    in_scope: Scopes,
    rendered: Scopes,
    /// Per open element: (in-scope mark, rendered mark).
    marks: Vec<(u32, u32)>,
    /// Exclusive C14N's InclusiveNamespaces PrefixList as given (`#default` as ``), and the
    /// document's prefix ids found on it so far, also as a per-prefix flag.
    listed_names: crate::hash::FastMap<String, ()>,
    listed: Vec<u32>,
    is_listed: Vec<bool>,
    /// How many of the document's prefix ids the per-prefix tables cover.
    known_prefixes: usize,
    ns_out: Vec<(u32, u32)>,
    /// Per prefix id, the number of the element that last considered it (O(1) de-duplication
    /// however many attributes or listed prefixes an element has).
    considered: Vec<u32>,
    element_no: u32,
    attrs_out: Vec<AttrData>,
}

impl<'w, W: Write> State<'w, W> {
    pub(crate) fn new(
        alg: C14nAlgorithm,
        excluded: u32,
        prefixes: &[&str],
        w: &'w mut W,
        source_len: usize,
    ) -> Self {
        // The PrefixList may come from the document being verified: a hash set keeps matching
        // it against the document's prefixes linear, whatever its length.
        let mut listed_names = crate::hash::FastMap::default();
        if alg.is_exclusive() {
            for p in prefixes {
                let p = if *p == "#default" { "" } else { *p };
                if p != "xml" {
                    listed_names.insert(p.to_string(), ());
                }
            }
        }
        State {
            exclusive: alg.is_exclusive(),
            comments: alg.with_comments(),
            excluded,
            out: Sink { buf: Vec::with_capacity(source_len.min(SINK_CAPACITY) + 1024), w },
            in_scope: Scopes::new(),
            rendered: Scopes::new(),
            marks: Vec::new(),
            listed_names,
            listed: Vec::new(),
            is_listed: Vec::new(),
            known_prefixes: 0,
            ns_out: Vec::new(),
            considered: Vec::new(),
            element_no: 0,
            attrs_out: Vec::new(),
        }
    }

    /// Extends the per-prefix tables to every prefix id the document has so far.
    fn sync_prefixes(&mut self, doc: &Document<'_>) {
        let n = doc.prefixes.len();
        if self.known_prefixes >= n {
            return;
        }
        for id in self.known_prefixes..n {
            let listed = !self.listed_names.is_empty()
                && id as u32 != PREFIX_XML
                && self.listed_names.contains_key(doc.prefixes[id]);
            self.is_listed.push(listed);
            if listed {
                self.listed.push(id as u32);
            }
        }
        self.considered.resize(n, u32::MAX);
        self.in_scope.grow(n);
        self.rendered.grow(n);
        self.known_prefixes = n;
    }

    /// The whole document: comments and PIs around the root element get the line feeds the
    /// spec prescribes (after each node before the root, before each node after it).
    fn document(&mut self, v: View<'_, '_>) -> Result<(), XmlError> {
        let doc = v.doc;
        let mut after_root = false;
        let mut child = doc.data(0).first_child;
        while child != NONE {
            let d = doc.data(child);
            if child != self.excluded {
                match d.payload {
                    Payload::Element { .. } => {
                        self.subtree(v, child)?;
                        after_root = true;
                    }
                    Payload::Comment(_) | Payload::Pi { .. }
                        if (self.comments || matches!(d.payload, Payload::Pi { .. })) =>
                    {
                        if after_root {
                            self.out.bytes(b"\n")?;
                        }
                        self.leaf(v, child)?;
                        if !after_root {
                            self.out.bytes(b"\n")?;
                        }
                    }
                    _ => {}
                }
            }
            child = d.next_sibling;
        }
        Ok(())
    }

    /// Writes a comment, PI, text or CDATA node.
    fn leaf(&mut self, v: View<'_, '_>, id: u32) -> Result<(), XmlError> {
        self.leaf_data(v.doc, v.doc.data(id))
    }

    /// Writes a comment, PI, text or CDATA node given by its data (streaming hands leaves over
    /// without adding them to the tree).
    pub(crate) fn leaf_data(&mut self, doc: &Document<'_>, d: &NodeData) -> Result<(), XmlError> {
        match d.payload {
            Payload::Text(s) => self.out.text_value(doc.str_of(s), s.input_range().is_some()),
            Payload::CData(s) => self.out.text(doc.str_of(s)),
            Payload::Comment(s) => {
                if self.comments {
                    self.out.bytes(b"<!--")?;
                    self.out.str(doc.str_of(s))?;
                    self.out.bytes(b"-->")?;
                }
                Ok(())
            }
            Payload::Pi { data, .. } => {
                self.out.bytes(b"<?")?;
                self.out.str(doc.name_of(d))?;
                let data = doc.str_of(data);
                if !data.is_empty() {
                    self.out.bytes(b" ")?;
                    self.out.str(data)?;
                }
                self.out.bytes(b"?>")
            }
            _ => Ok(()),
        }
    }

    /// The element `apex` and its descendants (minus the excluded one), iteratively so depth
    /// never touches the call stack.
    fn subtree(&mut self, v: View<'_, '_>, apex: u32) -> Result<(), XmlError> {
        if apex == self.excluded {
            return Ok(());
        }
        let doc = v.doc;
        self.sync_prefixes(doc);
        self.enter_apex_scope(doc, apex);
        self.start_tag(v, apex, true)?;
        let mut parent = apex;
        let mut next = doc.data(apex).first_child;
        loop {
            if next == NONE {
                self.end_tag(v, parent)?;
                if parent == apex {
                    return Ok(());
                }
                let d = doc.data(parent);
                next = d.next_sibling;
                parent = d.parent;
                continue;
            }
            let n = next;
            let d = doc.data(n);
            if n == self.excluded {
                next = d.next_sibling;
                continue;
            }
            if let Payload::Element { .. } = d.payload {
                self.start_tag(v, n, false)?;
                parent = n;
                next = d.first_child;
            } else {
                self.leaf(v, n)?;
                next = d.next_sibling;
            }
        }
    }

    /// Pushes the bindings declared on the apex's ancestors, outermost first, so the apex sees
    /// every namespace in scope.
    fn enter_apex_scope(&mut self, doc: &Document<'_>, apex: u32) {
        let mut chain = Vec::new();
        let mut cur = doc.data(apex).parent;
        while cur != NONE {
            chain.push(cur);
            cur = doc.data(cur).parent;
        }
        for &anc in chain.iter().rev() {
            let (decls, _) = doc.attr_slices(anc);
            for d in decls {
                self.in_scope.push(d.prefix, d.ns);
            }
        }
    }

    pub(crate) fn start_tag(
        &mut self,
        v: View<'_, '_>,
        id: u32,
        apex: bool,
    ) -> Result<(), XmlError> {
        let doc = v.doc;
        self.sync_prefixes(doc);
        let Payload::Element { prefix: elem_prefix, ns: elem_ns, .. } = doc.data(id).payload else {
            return Ok(());
        };
        let (decls, plain) = doc.attr_slices(id);
        let marks = (self.in_scope.mark(), self.rendered.mark());
        self.marks.push(marks);
        for d in decls {
            self.in_scope.push(d.prefix, d.ns);
        }

        // Which namespace declarations to render.
        self.ns_out.clear();
        self.element_no = self.element_no.wrapping_add(1);
        if self.exclusive {
            self.consider(elem_prefix, elem_ns);
            for a in plain {
                if a.prefix != PREFIX_DEFAULT && a.prefix != PREFIX_XML {
                    self.consider(a.prefix, a.ns);
                }
            }
            if apex {
                for i in 0..self.listed.len() {
                    let p = self.listed[i];
                    match self.in_scope.get(p) {
                        Some(ns) => self.consider(p, ns),
                        None if p == PREFIX_DEFAULT => self.consider(p, NS_NONE),
                        None => {}
                    }
                }
            } else {
                // Below the apex every listed prefix is rendered with its in-scope value, so
                // one can only need rendering where this element declares it.
                for d in decls {
                    if self.is_listed.get(d.prefix as usize).copied().unwrap_or(false) {
                        self.consider(d.prefix, d.ns);
                    }
                }
            }
        } else if apex {
            for p in 0..doc.prefixes.len() as u32 {
                if p == PREFIX_XML {
                    continue;
                }
                if let Some(ns) = self.in_scope.get(p) {
                    self.consider(p, ns);
                }
            }
        } else {
            for d in decls {
                if d.prefix != PREFIX_XML {
                    self.consider(d.prefix, d.ns);
                }
            }
        }
        for i in 0..self.ns_out.len() {
            let (p, ns) = self.ns_out[i];
            self.rendered.push(p, ns);
        }
        if self.ns_out.len() > 1 {
            self.ns_out.sort_unstable_by(|a, b| doc.prefix_str(a.0).cmp(doc.prefix_str(b.0)));
        }

        // Attributes (plus, for an inclusive apex, the xml:* ones inherited from ancestors).
        self.attrs_out.clear();
        self.attrs_out.extend_from_slice(plain);
        if apex && !self.exclusive {
            self.inherit_xml_attributes(doc, id);
        }
        // Whether the attributes come out as written (nothing inherited, nothing reordered).
        let mut as_written = self.attrs_out.len() == plain.len();
        if self.attrs_out.len() > 1 {
            // By namespace URI, then local name: ranks when the whole tree is known, else the
            // URIs themselves (the same order).
            let by_local_name = |a: &AttrData, b: &AttrData| {
                crate::swar::cmp(local_of(doc, a).as_bytes(), local_of(doc, b).as_bytes())
            };
            let sorted = match v.ns_rank {
                Some(rank) => {
                    let rank = |a: &AttrData| rank.get(a.ns as usize).copied().unwrap_or(0);
                    sort_unless_sorted(&mut self.attrs_out, |a, b| {
                        rank(a).cmp(&rank(b)).then_with(|| by_local_name(a, b))
                    })
                }
                None => sort_unless_sorted(&mut self.attrs_out, |a, b| {
                    // Equal namespace ids need no look at the URIs, nor does no namespace (the
                    // empty URI, first): that is most attributes.
                    let by_ns = if a.ns == b.ns {
                        std::cmp::Ordering::Equal
                    } else if a.ns == NS_NONE {
                        std::cmp::Ordering::Less
                    } else if b.ns == NS_NONE {
                        std::cmp::Ordering::Greater
                    } else {
                        doc.ns_str(a.ns).cmp(doc.ns_str(b.ns))
                    };
                    by_ns.then_with(|| by_local_name(a, b))
                }),
            };
            as_written &= sorted;
        }

        let out = &mut self.out;
        // Most start tags are already canonical as written up to their last attribute: one
        // copy instead of one per name and value.
        if self.ns_out.is_empty()
            && decls.is_empty()
            && as_written
            && let Some(text) = canonical_as_written(doc, doc.data(id), &self.attrs_out)
        {
            out.str(text)?;
            return out.bytes(b">");
        }
        out.byte(b'<');
        out.raw(doc.node(NodeId(id)).name().as_bytes());
        for &(p, ns) in &self.ns_out {
            if p == PREFIX_DEFAULT {
                out.raw(b" xmlns=\"");
            } else {
                out.raw(b" xmlns:");
                out.raw(doc.prefix_str(p).as_bytes());
                out.raw(b"=\"");
            }
            out.attr_value(doc.ns_str(ns))?;
            out.byte(b'"');
        }
        for a in &self.attrs_out {
            out.byte(b' ');
            out.raw(doc.attr_name(a).as_bytes());
            out.raw(b"=\"");
            out.attribute_value(doc.str_of(a.value), a.value.input_range().is_some())?;
            out.byte(b'"');
        }
        out.bytes(b">")
    }

    /// Adds `(prefix, ns)` to the declarations to render unless the nearest rendered
    /// declaration of that prefix already says the same (no declaration counts as
    /// `xmlns=""` for the default namespace).
    #[inline]
    fn consider(&mut self, prefix: u32, ns: u32) {
        // The xml prefix is bound by definition and never declared in canonical form.
        if prefix == PREFIX_XML {
            return;
        }
        match self.considered.get_mut(prefix as usize) {
            Some(seen) if *seen == self.element_no => return,
            Some(seen) => *seen = self.element_no,
            None => return,
        }
        let current = match self.rendered.get(prefix) {
            Some(v) => v,
            None if prefix == PREFIX_DEFAULT => NS_NONE,
            None => NONE,
        };
        if current != ns {
            self.ns_out.push((prefix, ns));
        }
    }

    /// Adds the `xml:*` attributes of the apex's ancestors that the apex does not override
    /// (the nearest ancestor wins). A set of the local names already present keeps this linear:
    /// the document may be an attacker's (a Reference can point at any element), and a deep
    /// chain of ancestors each carrying hundreds of distinct `xml:*` attributes made a pairwise
    /// comparison run for minutes.
    fn inherit_xml_attributes(&mut self, doc: &Document<'_>, apex: u32) {
        let mut present: crate::hash::FastMap<&str, ()> = self
            .attrs_out
            .iter()
            .filter(|a| a.ns == NS_XML)
            .map(|a| (local_of(doc, a), ()))
            .collect();
        let mut cur = doc.data(apex).parent;
        while cur != NONE {
            let (_, plain) = doc.attr_slices(cur);
            for a in plain {
                if a.ns == NS_XML && present.insert(local_of(doc, a), ()).is_none() {
                    self.attrs_out.push(*a);
                }
            }
            cur = doc.data(cur).parent;
        }
    }

    pub(crate) fn end_tag(&mut self, v: View<'_, '_>, id: u32) -> Result<(), XmlError> {
        self.out.raw(b"</");
        self.out.raw(v.doc.node(NodeId(id)).name().as_bytes());
        self.out.bytes(b">")?;
        if let Some((in_scope, rendered)) = self.marks.pop() {
            self.in_scope.pop_to(in_scope);
            self.rendered.pop_to(rendered);
        }
        Ok(())
    }
}

/// The start tag of element `d` from its `<` to the end of its last attribute, when that text
/// is exactly what canonicalization writes for the element's name and `attrs` (in this order,
/// with no namespace declaration): one space before each attribute, `name="value"` with no
/// space around `=`, double quotes, and values still in the input (not decoded, so holding
/// nothing that needs escaping but a `"`, which a double-quoted value cannot hold).
#[inline]
fn canonical_as_written<'a>(
    doc: &Document<'a>,
    d: &NodeData,
    attrs: &[AttrData],
) -> Option<&'a str> {
    let Payload::Element { name_len, .. } = d.payload else { return None };
    let input = doc.input();
    let bytes = input.as_bytes();
    let start = d.start as usize;
    let mut pos = start + 1 + name_len as usize;
    for a in attrs {
        let value = a.value.input_range()?;
        let name_start = a.name_start as usize;
        let name_end = name_start + a.name_len as usize;
        if name_start != pos + 1
            || bytes.get(pos) != Some(&b' ')
            || value.start != name_end + 2
            || bytes.get(name_end..value.start) != Some(b"=\"")
        {
            return None;
        }
        // The closing quote matches the opening one.
        pos = value.end + 1;
    }
    input.get(start..pos)
}

/// An attribute's local name: its qualified name after the prefix (whose length is known).
#[inline]
fn local_of<'s>(doc: &'s Document<'_>, a: &AttrData) -> &'s str {
    let skip = if a.prefix == PREFIX_DEFAULT { 0 } else { doc.prefix_str(a.prefix).len() + 1 };
    let s = a.name_start as usize;
    doc.input().get(s + skip..s + a.name_len as usize).unwrap_or("")
}

/// Ranks namespace ids by their URI in code-point (= UTF-8 byte) order.
fn namespace_ranks(doc: &Document<'_>) -> Vec<u32> {
    let mut order: Vec<u32> = (0..doc.namespaces.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| doc.ns_str(a).cmp(doc.ns_str(b)));
    let mut rank = vec![0u32; order.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// Sorts `attrs` by `order` unless they already are in it (as nearly all are written); whether
/// they were.
fn sort_unless_sorted(
    attrs: &mut [AttrData],
    order: impl Fn(&AttrData, &AttrData) -> std::cmp::Ordering,
) -> bool {
    if attrs.is_sorted_by(|a, b| order(a, b).is_le()) {
        return true;
    }
    attrs.sort_unstable_by(order);
    false
}
