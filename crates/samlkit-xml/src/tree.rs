//! The read-only arena tree: nodes in one `Vec`, [`NodeId`] indices as handles, names and most
//! values as byte ranges into the input (only values that needed decoding — a reference, a CR,
//! attribute-value whitespace — are copied into one shared string arena).

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;

use crate::error::Position;
use crate::swar::same;

/// The XML namespace, bound to the `xml` prefix by definition.
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` attributes; it may never be declared.
pub const XMLNS_NAMESPACE: &str = "http://www.w3.org/2000/xmlns/";

pub(crate) const NONE: u32 = u32::MAX;
/// Prefix ids 0, 1 and 2 are fixed: no prefix (the default namespace), `xml`, `xmlns`.
pub(crate) const PREFIX_DEFAULT: u32 = 0;
pub(crate) const PREFIX_XML: u32 = 1;
/// Namespace ids 0 and 1 are fixed: no namespace, the XML namespace.
pub(crate) const NS_NONE: u32 = 0;
pub(crate) const NS_XML: u32 = 1;

const ARENA_BIT: u32 = 0x8000_0000;

/// A handle to one node of a [`Document`]. Cheap to copy; only meaningful for the document that
/// produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The node's index in document order (the document node is 0).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A string stored either in the input (a byte range) or in the document's decode arena.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StrRef {
    start: u32,
    end: u32,
}

impl StrRef {
    pub(crate) fn input(range: Range<usize>) -> StrRef {
        StrRef { start: range.start as u32, end: range.end as u32 }
    }
    pub(crate) fn arena(range: Range<usize>) -> StrRef {
        StrRef { start: range.start as u32 | ARENA_BIT, end: range.end as u32 }
    }
    #[inline]
    pub(crate) fn get<'s>(self, input: &'s str, arena: &'s str) -> &'s str {
        let start = (self.start & !ARENA_BIT) as usize;
        let src = if self.start & ARENA_BIT != 0 { arena } else { input };
        src.get(start..self.end as usize).unwrap_or("")
    }
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// The document itself: parent of the root element and of comments/PIs outside it.
    Document,
    /// An element.
    Element,
    /// Character data (references expanded, line ends normalized).
    Text,
    /// A `<![CDATA[…]]>` section, kept apart from text until canonicalization.
    CData,
    /// A comment.
    Comment,
    /// A processing instruction.
    ProcessingInstruction,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Payload {
    Document,
    /// Attributes live in `Document::attrs[attrs .. attrs + decls + plain]`, namespace
    /// declarations first.
    Element {
        name_len: u32,
        prefix: u32,
        ns: u32,
        attrs: u32,
        decls: u16,
        plain: u16,
    },
    Text(StrRef),
    CData(StrRef),
    Comment(StrRef),
    Pi {
        target_len: u32,
        data: StrRef,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct NodeData {
    pub(crate) parent: u32,
    pub(crate) first_child: u32,
    pub(crate) next_sibling: u32,
    /// Byte range of the whole node in the input (for an element: `<` of the start tag to `>`
    /// of the end tag).
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) payload: Payload,
}

/// An attribute or a namespace declaration (`xmlns`, `xmlns:p`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttrData {
    pub(crate) name_start: u32,
    pub(crate) name_len: u32,
    /// For an attribute: its prefix id. For a declaration: the declared prefix id.
    pub(crate) prefix: u32,
    /// For an attribute: its namespace id. For a declaration: the declared namespace id.
    pub(crate) ns: u32,
    pub(crate) value: StrRef,
}

/// A parsed document. Borrows the input; see [`crate::parse`].
pub struct Document<'a> {
    pub(crate) input: &'a str,
    pub(crate) arena: String,
    pub(crate) nodes: Vec<NodeData>,
    pub(crate) attrs: Vec<AttrData>,
    pub(crate) prefixes: Vec<&'a str>,
    pub(crate) namespaces: Vec<Cow<'a, str>>,
    pub(crate) root: u32,
    pub(crate) ids: crate::hash::FastMap<Cow<'a, str>, u32>,
    pub(crate) duplicate_ids: Vec<String>,
    pub(crate) line_starts: OnceLock<Vec<u32>>,
    /// The first namespace declaration with a relative URI (C14N must refuse such documents).
    pub(crate) relative_namespace: Option<(u32, String)>,
    /// Namespace ids ranked by URI, computed on first canonicalization.
    pub(crate) ns_rank: OnceLock<Vec<u32>>,
}

impl fmt::Debug for Document<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("nodes", &self.nodes.len())
            .field("root", &self.node(self.root_element()).name())
            .finish()
    }
}

impl<'a> Document<'a> {
    /// The parsed text (without a leading byte order mark). Byte ranges refer to it.
    pub fn input(&self) -> &'a str {
        self.input
    }

    /// The document node (parent of the root element and of top-level comments and PIs).
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// The root (document) element.
    pub fn root_element(&self) -> NodeId {
        NodeId(self.root)
    }

    /// A view of one node.
    pub fn node(&self, id: NodeId) -> Node<'_, 'a> {
        Node { doc: self, id }
    }

    /// Number of nodes (including the document node).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: a parsed document has at least a document node and a root element.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// All nodes in document order, the document node first.
    pub fn descendants(&self) -> impl Iterator<Item = Node<'_, 'a>> + '_ {
        (0..self.nodes.len() as u32).map(move |i| Node { doc: self, id: NodeId(i) })
    }

    /// The element whose `ID`, `Id` or `id` attribute (without namespace) equals `id_value`.
    /// `None` when no element has it **or when several do** (see [`Document::duplicate_ids`]):
    /// an ambiguous reference never silently picks one of the candidates.
    pub fn element_by_id(&self, id_value: &str) -> Option<NodeId> {
        self.ids.get(id_value).filter(|&&n| n != NONE).map(|&n| NodeId(n))
    }

    /// The `ID`/`Id`/`id` values carried by more than one element, in document order of their
    /// second occurrence, each listed once.
    pub fn duplicate_ids(&self) -> &[String] {
        &self.duplicate_ids
    }

    /// Line and column (1-based; column in characters) of a byte offset into [`Document::input`].
    pub fn position_of(&self, offset: usize) -> Position {
        let starts = self.line_starts.get_or_init(|| line_starts(self.input));
        position_with(self.input, starts, offset)
    }

    #[inline]
    pub(crate) fn data(&self, id: u32) -> &NodeData {
        &self.nodes[id as usize]
    }

    #[inline]
    pub(crate) fn str_of(&self, s: StrRef) -> &str {
        s.get(self.input, &self.arena)
    }

    #[inline]
    pub(crate) fn prefix_str(&self, prefix: u32) -> &'a str {
        self.prefixes.get(prefix as usize).copied().unwrap_or("")
    }

    #[inline]
    pub(crate) fn ns_str(&self, ns: u32) -> &str {
        self.namespaces.get(ns as usize).map(|c| c.as_ref()).unwrap_or("")
    }

    pub(crate) fn attr_name(&self, a: &AttrData) -> &'a str {
        let s = a.name_start as usize;
        self.input.get(s..s + a.name_len as usize).unwrap_or("")
    }

    /// The name of an element or the target of a PI (empty for other nodes).
    #[inline]
    pub(crate) fn name_of(&self, d: &NodeData) -> &'a str {
        let len = match d.payload {
            Payload::Element { name_len, .. } => name_len,
            Payload::Pi { target_len, .. } => target_len,
            _ => return "",
        };
        let s = d.start as usize + if matches!(d.payload, Payload::Pi { .. }) { 2 } else { 1 };
        self.input.get(s..s + len as usize).unwrap_or("")
    }

    /// Element children's attribute slice: (declarations, plain attributes).
    pub(crate) fn attr_slices(&self, id: u32) -> (&[AttrData], &[AttrData]) {
        match self.data(id).payload {
            Payload::Element { attrs, decls, plain, .. } => {
                let a = attrs as usize;
                let d = a + decls as usize;
                let p = d + plain as usize;
                (&self.attrs[a..d], &self.attrs[d..p])
            }
            _ => (&[], &[]),
        }
    }
}

/// Offsets at which each line starts (after LF, after CR not followed by LF).
pub(crate) fn line_starts(input: &str) -> Vec<u32> {
    let bytes = input.as_bytes();
    let mut starts = vec![0u32];
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        starts.push(i as u32 + 1);
    }
    starts
}

pub(crate) fn position_with(input: &str, starts: &[u32], offset: usize) -> Position {
    let offset = offset.min(input.len());
    let line = match starts.binary_search(&(offset as u32)) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    let line_start = starts.get(line).copied().unwrap_or(0) as usize;
    let column = input
        .as_bytes()
        .get(line_start..offset)
        .map(|b| b.iter().filter(|&&c| (c & 0xC0) != 0x80).count())
        .unwrap_or(0);
    Position { line: line as u32 + 1, column: column as u32 + 1 }
}

/// Position of `offset` computed without an index (for errors: used once).
pub(crate) fn position_in(input: &str, offset: usize) -> Position {
    let offset = offset.min(input.len());
    let head = &input.as_bytes()[..offset];
    let mut line = 1u32;
    let mut line_start = 0usize;
    for i in memchr::memchr2_iter(b'\n', b'\r', head) {
        if head[i] == b'\r' && input.as_bytes().get(i + 1) == Some(&b'\n') {
            continue;
        }
        line += 1;
        line_start = i + 1;
    }
    let column = head[line_start..].iter().filter(|&&c| (c & 0xC0) != 0x80).count();
    Position { line, column: column as u32 + 1 }
}

/// A read-only view of one node.
#[derive(Clone, Copy)]
pub struct Node<'d, 'a> {
    doc: &'d Document<'a>,
    id: NodeId,
}

impl fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}#{} {:?}", self.kind(), self.id.0, self.name())
    }
}

impl PartialEq for Node<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.doc, other.doc) && self.id == other.id
    }
}

/// An attribute of an element (namespace declarations are not attributes; see
/// [`Node::namespace_declarations`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribute<'d> {
    /// The qualified name as written (`xsi:type`).
    pub qname: &'d str,
    /// The prefix as written (`xsi`), empty when unprefixed.
    pub prefix: &'d str,
    /// The local name (`type`).
    pub local_name: &'d str,
    /// The namespace URI; empty for an unprefixed attribute.
    pub namespace_uri: &'d str,
    /// The normalized value (references expanded, XML 1.0 §3.3.3 whitespace normalization).
    pub value: &'d str,
}

/// A namespace declaration written on an element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamespaceDeclaration<'d> {
    /// The declared prefix; empty for the default namespace (`xmlns="…"`).
    pub prefix: &'d str,
    /// The namespace URI; empty for `xmlns=""` (undeclaring the default namespace).
    pub uri: &'d str,
}

impl<'d, 'a> Node<'d, 'a> {
    /// This node's handle.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document this node belongs to.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    fn data(&self) -> &'d NodeData {
        self.doc.data(self.id.0)
    }

    /// What kind of node this is.
    pub fn kind(&self) -> NodeKind {
        match self.data().payload {
            Payload::Document => NodeKind::Document,
            Payload::Element { .. } => NodeKind::Element,
            Payload::Text(_) => NodeKind::Text,
            Payload::CData(_) => NodeKind::CData,
            Payload::Comment(_) => NodeKind::Comment,
            Payload::Pi { .. } => NodeKind::ProcessingInstruction,
        }
    }

    /// Whether this is an element.
    pub fn is_element(&self) -> bool {
        matches!(self.data().payload, Payload::Element { .. })
    }

    /// Whether this is a text node (CDATA sections are [`NodeKind::CData`], not text).
    pub fn is_text(&self) -> bool {
        matches!(self.data().payload, Payload::Text(_))
    }

    /// The qualified name as written, for an element (`saml:Assertion`) or the target of a
    /// processing instruction; empty for other nodes.
    pub fn name(&self) -> &'d str {
        self.doc.name_of(self.data())
    }

    /// The element's prefix as written, empty when unprefixed or not an element.
    pub fn prefix(&self) -> &'d str {
        match self.data().payload {
            Payload::Element { prefix, .. } => self.doc.prefix_str(prefix),
            _ => "",
        }
    }

    /// The element's local name (the name without its prefix).
    pub fn local_name(&self) -> &'d str {
        let name = self.name();
        match self.data().payload {
            // The parser interned the prefix: skip it and the colon without searching.
            Payload::Element { prefix: PREFIX_DEFAULT, .. } => name,
            Payload::Element { prefix, .. } => {
                name.get(self.doc.prefix_str(prefix).len() + 1..).unwrap_or(name)
            }
            _ => name,
        }
    }

    /// The element's namespace URI, empty when it has none (or for non-elements).
    pub fn namespace_uri(&self) -> &'d str {
        match self.data().payload {
            Payload::Element { ns, .. } => self.doc.ns_str(ns),
            _ => "",
        }
    }

    /// Whether this is an element with the given namespace URI and local name.
    pub fn has_name(&self, namespace_uri: &str, local_name: &str) -> bool {
        self.is_element()
            && same(self.local_name().as_bytes(), local_name.as_bytes())
            && same(self.namespace_uri().as_bytes(), namespace_uri.as_bytes())
    }

    /// The element's attributes in document order (namespace declarations excluded).
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = Attribute<'d>> + 'd {
        let doc = self.doc;
        let (_, plain) = doc.attr_slices(self.id.0);
        plain.iter().map(move |a| {
            let qname = doc.attr_name(a);
            let (prefix, local_name) = qname.split_once(':').unwrap_or(("", qname));
            Attribute {
                qname,
                prefix,
                local_name,
                namespace_uri: doc.ns_str(a.ns),
                value: doc.str_of(a.value),
            }
        })
    }

    /// The value of the attribute with this namespace URI (empty for none) and local name.
    pub fn attribute(&self, namespace_uri: &str, local_name: &str) -> Option<&'d str> {
        // Straight over the attribute records: the interned prefix gives the local name without
        // searching for ':' in every attribute name.
        let doc = self.doc;
        let (_, plain) = doc.attr_slices(self.id.0);
        plain
            .iter()
            .find(|a| {
                let name = doc.attr_name(a);
                let local = match a.prefix {
                    PREFIX_DEFAULT => name,
                    p => name.get(doc.prefix_str(p).len() + 1..).unwrap_or(name),
                };
                // Short names compare without a call to memcmp (this runs for every attribute
                // of every element a verifier asks about).
                same(local.as_bytes(), local_name.as_bytes())
                    && same(doc.ns_str(a.ns).as_bytes(), namespace_uri.as_bytes())
            })
            .map(|a| doc.str_of(a.value))
    }

    /// The namespace declarations written on this element, in document order.
    pub fn namespace_declarations(
        &self,
    ) -> impl ExactSizeIterator<Item = NamespaceDeclaration<'d>> + 'd {
        let doc = self.doc;
        let (decls, _) = doc.attr_slices(self.id.0);
        decls.iter().map(move |a| NamespaceDeclaration {
            prefix: doc.prefix_str(a.prefix),
            uri: doc.ns_str(a.ns),
        })
    }

    /// The namespace URI `prefix` (empty for the default namespace) is bound to at this element,
    /// `None` when it is not bound (the default namespace unbound or undeclared gives `None`).
    pub fn lookup_namespace(&self, prefix: &str) -> Option<&'d str> {
        if prefix == "xml" {
            return Some(XML_NAMESPACE);
        }
        let mut cur = Some(*self);
        while let Some(n) = cur {
            for d in n.namespace_declarations() {
                if d.prefix == prefix {
                    return if d.uri.is_empty() { None } else { Some(d.uri) };
                }
            }
            cur = n.parent();
        }
        None
    }

    /// Every namespace binding in scope at this element (declared on it or inherited), sorted by
    /// prefix; the default namespace appears with an empty prefix unless it is unset or
    /// undeclared (`xmlns=""`). The `xml` prefix, bound by definition, is not listed.
    pub fn namespaces_in_scope(&self) -> Vec<NamespaceDeclaration<'d>> {
        let mut seen: Vec<NamespaceDeclaration<'d>> = Vec::new();
        let mut cur = Some(*self);
        while let Some(n) = cur {
            for d in n.namespace_declarations() {
                if d.prefix != "xml" && !seen.iter().any(|s| s.prefix == d.prefix) {
                    seen.push(d);
                }
            }
            cur = n.parent_element();
        }
        seen.retain(|d| !d.uri.is_empty());
        seen.sort_by(|a, b| a.prefix.cmp(b.prefix));
        seen
    }

    /// The text of a text, CDATA or comment node, the data of a PI; `None` for elements.
    pub fn text(&self) -> Option<&'d str> {
        match self.data().payload {
            Payload::Text(s) | Payload::CData(s) | Payload::Comment(s) => Some(self.doc.str_of(s)),
            Payload::Pi { data, .. } => Some(self.doc.str_of(data)),
            _ => None,
        }
    }

    /// All text and CDATA below this node, concatenated in document order. Comments and PIs are
    /// skipped without ending the value: `a<!--x-->b` gives `ab`.
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        match self.data().payload {
            Payload::Text(s) | Payload::CData(s) => out.push_str(self.doc.str_of(s)),
            Payload::Element { .. } | Payload::Document => {
                for n in self.descendants() {
                    if let Payload::Text(s) | Payload::CData(s) = n.data().payload {
                        out.push_str(self.doc.str_of(s));
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The parent node (`None` for the document node).
    pub fn parent(&self) -> Option<Node<'d, 'a>> {
        let p = self.data().parent;
        (p != NONE).then_some(Node { doc: self.doc, id: NodeId(p) })
    }

    /// The nearest ancestor that is an element.
    pub fn parent_element(&self) -> Option<Node<'d, 'a>> {
        self.parent().filter(|p| p.is_element())
    }

    /// Ancestors, nearest first (the document node last).
    pub fn ancestors(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        std::iter::successors(self.parent(), |n| n.parent())
    }

    /// The first child.
    pub fn first_child(&self) -> Option<Node<'d, 'a>> {
        let c = self.data().first_child;
        (c != NONE).then_some(Node { doc: self.doc, id: NodeId(c) })
    }

    /// The next sibling.
    pub fn next_sibling(&self) -> Option<Node<'d, 'a>> {
        let c = self.data().next_sibling;
        (c != NONE).then_some(Node { doc: self.doc, id: NodeId(c) })
    }

    /// The children in document order.
    pub fn children(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        std::iter::successors(self.first_child(), |n| n.next_sibling())
    }

    /// The element children in document order.
    pub fn element_children(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        self.children().filter(|n| n.is_element())
    }

    /// The first element child.
    pub fn first_element_child(&self) -> Option<Node<'d, 'a>> {
        self.element_children().next()
    }

    /// The next sibling that is an element.
    pub fn next_sibling_element(&self) -> Option<Node<'d, 'a>> {
        std::iter::successors(self.next_sibling(), |n| n.next_sibling()).find(|n| n.is_element())
    }

    /// This node and everything below it, in document order.
    pub fn descendants(&self) -> impl Iterator<Item = Node<'d, 'a>> + 'd {
        // Nodes are stored in document order, so a subtree is a contiguous index range.
        let doc = self.doc;
        let start = self.id.0;
        let end = doc.subtree_end(start);
        (start..end).map(move |i| Node { doc, id: NodeId(i) })
    }

    /// Whether `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: NodeId) -> bool {
        other.0 >= self.id.0 && other.0 < self.doc.subtree_end(self.id.0)
    }

    /// Line and column where the node starts.
    pub fn position(&self) -> Position {
        self.doc.position_of(self.data().start as usize)
    }

    /// Byte range of the node in [`Document::input`]: for an element from the `<` of its start
    /// tag to the `>` of its end tag, so it can be cut out or replaced in the original text.
    pub fn byte_range(&self) -> Range<usize> {
        let d = self.data();
        d.start as usize..d.end as usize
    }

    /// Byte range of the element's start tag (`<` to `>`), e.g. to insert a child right after it.
    pub fn start_tag_range(&self) -> Range<usize> {
        let d = self.data();
        let s = d.start as usize;
        match d.payload {
            Payload::Element { .. } => {
                let end = match d.first_child {
                    NONE => d.end as usize,
                    c => self.doc.data(c).start as usize,
                };
                // For an element with children the start tag ends right before the first child;
                // for an empty one it is either `<a/>` (the whole node) or `<a></a>`.
                let tag = self.doc.input.get(s..end).unwrap_or("");
                match tag_end(tag) {
                    Some(e) => s..s + e,
                    None => s..end,
                }
            }
            _ => s..d.end as usize,
        }
    }
}

/// Length of the first tag in `s` (which starts with `<`), honouring quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote = 0u8;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        match (quote, b) {
            (0, b'"') | (0, b'\'') => quote = b,
            (0, b'>') => return Some(i + 1),
            (q, c) if q == c => quote = 0,
            _ => {}
        }
    }
    None
}

impl Document<'_> {
    /// One past the last node index of the subtree rooted at `id`.
    pub(crate) fn subtree_end(&self, id: u32) -> u32 {
        let mut cur = id;
        loop {
            let d = self.data(cur);
            if d.next_sibling != NONE {
                return d.next_sibling;
            }
            if d.parent == NONE {
                return self.nodes.len() as u32;
            }
            cur = d.parent;
        }
    }
}

impl StrRef {
    /// `Some(range)` when the string lives in the input.
    pub(crate) fn input_range(self) -> Option<Range<usize>> {
        (self.start & ARENA_BIT == 0).then_some(self.start as usize..self.end as usize)
    }
}
