//! Start and end tags: attribute scanning, namespace declarations and resolution, duplicate
//! attributes, and the element stack.

use std::borrow::Cow;

use super::{Builder, Emit, Open, RawAttr, grow_gently};
use crate::chars;
use crate::error::ParseError;
use crate::tree::{
    AttrData, NONE, NS_NONE, PREFIX_DEFAULT, Payload, StrRef, XML_NAMESPACE, XMLNS_NAMESPACE,
};

impl<'a, E: Emit> Builder<'a, E> {
    pub(super) fn prefix_id(&mut self, prefix: &'a str) -> u32 {
        // Documents use few prefixes, mostly the same one many times in a row.
        if prefix == self.last_prefix.0 {
            return self.last_prefix.1;
        }
        // A prefix id is its index in `doc.prefixes`: while there are few, comparing them is
        // cheaper than hashing (the map takes over for documents with many prefixes).
        if self.doc.prefixes.len() <= FEW_PREFIXES {
            if let Some(id) = self.doc.prefixes.iter().position(|&p| p == prefix) {
                self.last_prefix = (prefix, id as u32);
                return id as u32;
            }
        } else if let Some(&id) = self.prefix_ids.get(prefix) {
            self.last_prefix = (prefix, id);
            return id;
        }
        let id = self.doc.prefixes.len() as u32;
        self.doc.prefixes.push(prefix);
        self.prefix_ids.insert(prefix, id);
        self.bindings.push(Vec::new());
        id
    }

    pub(super) fn ns_id(&mut self, value: StrRef) -> u32 {
        let key: Cow<'a, str> = match value.input_range() {
            Some(r) => Cow::Borrowed(self.slice(r.start, r.end)),
            None => Cow::Owned(self.doc.str_of(value).to_string()),
        };
        if let Some(&id) = self.ns_ids.get(key.as_ref()) {
            return id;
        }
        let id = self.doc.namespaces.len() as u32;
        self.doc.namespaces.push(key.clone());
        self.ns_ids.insert(key, id);
        id
    }

    pub(super) fn bound(&self, prefix: u32) -> Option<u32> {
        self.bindings.get(prefix as usize).and_then(|s| s.last().copied())
    }

    /// A start tag from `start` to `end`. `prescanned`: its attributes, already scanned (see
    /// [`quick_start_tag`]); without them they are scanned here.
    pub(super) fn start_element(
        &mut self,
        start: usize,
        end: usize,
        empty: bool,
        prescanned: Option<&[RawAttr<'a>]>,
    ) -> Result<(), ParseError> {
        if self.open.len() == 1 && self.root_seen {
            return Err(ParseError::ContentOutsideRoot {
                pos: self.pos(start),
                what: "a second element",
            });
        }
        if self.open.len() > self.limits.max_depth {
            return Err(ParseError::LimitExceeded {
                pos: self.pos(start),
                limit: "nesting depth",
                max: self.limits.max_depth,
            });
        }
        // `<` content `>` or `<` content `/>`; the name runs to the first whitespace.
        let content = self.slice(start + 1, end.saturating_sub(if empty { 2 } else { 1 }));
        let content_len = content.len();
        // Only whitespace is below 0x21 in a checked text (`\0` is never there).
        let name_len = crate::swar::find_space_or(content.as_bytes(), &[]).unwrap_or(content_len);
        let name = &content[..name_len];
        self.check_name_len(name, start)?;
        let Some(prefix) = self.qnames.prefix_of(name) else {
            return Err(ParseError::InvalidName {
                pos: self.pos(start + 1),
                name: name.to_string(),
            });
        };
        if let Some(attrs) = prescanned {
            return self.element_with_attributes(start, end, name, prefix, attrs, empty);
        }
        let rest_start = start + 1 + name_len;
        let rest = self.slice(rest_start, start + 1 + content_len);
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let result = self
            .scan_attributes(rest, rest_start, &mut scratch)
            .and_then(|()| self.element_with_attributes(start, end, name, prefix, &scratch, empty));
        self.scratch = scratch;
        result
    }

    pub(super) fn scan_attributes(
        &self,
        s: &'a str,
        base: usize,
        out: &mut Vec<RawAttr<'a>>,
    ) -> Result<(), ParseError> {
        let b = s.as_bytes();
        let mut i = 0;
        let is_ws = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r');
        loop {
            let ws = i;
            while i < b.len() && is_ws(b[i]) {
                i += 1;
            }
            if i >= b.len() {
                return Ok(());
            }
            if i == ws {
                return Err(self.syntax(base + i, "expected whitespace before an attribute"));
            }
            let name_start = i;
            // Whitespace or `=` ends the name, a word at a time.
            i += crate::swar::find_space_or(&b[i..], b"=").unwrap_or(b.len() - i);
            let name = &s[name_start..i];
            if name == "/" && i == b.len() {
                return Err(self.syntax(base + name_start, "unexpected '/' in a start tag"));
            }
            while i < b.len() && is_ws(b[i]) {
                i += 1;
            }
            if b.get(i) != Some(&b'=') {
                return Err(
                    self.syntax(base + name_start, format!("attribute {name:?} has no value"))
                );
            }
            i += 1;
            while i < b.len() && is_ws(b[i]) {
                i += 1;
            }
            let quote = match b.get(i) {
                Some(&q @ (b'"' | b'\'')) => q,
                _ => {
                    return Err(self.syntax(
                        base + i,
                        format!("the value of attribute {name:?} must be quoted"),
                    ));
                }
            };
            let value_start = i + 1;
            let Some(len) = crate::swar::find_byte(&b[value_start..], quote) else {
                return Err(self.syntax(base + i, format!("unclosed value of attribute {name:?}")));
            };
            if out.len() >= self.limits.max_attributes_per_element {
                return Err(ParseError::LimitExceeded {
                    pos: self.pos(base + name_start),
                    limit: "attribute count",
                    max: self.limits.max_attributes_per_element,
                });
            }
            let value = &s[value_start..value_start + len];
            out.push(RawAttr::new(name, base + name_start, value, base + value_start));
            i = value_start + len + 1;
        }
    }

    pub(super) fn element_with_attributes(
        &mut self,
        start: usize,
        end: usize,
        name: &'a str,
        prefix: &'a str,
        raw: &[RawAttr<'a>],
        empty: bool,
    ) -> Result<(), ParseError> {
        let undo_mark = self.undo.len() as u32;
        let attrs_start = self.doc.attrs.len();
        // Namespace declarations first: they apply to the element's own name and attributes.
        for a in raw {
            let Some(declared) = a.declares else { continue };
            self.check_name_len(a.name, a.name_start)?;
            // Positions are computed only on error: counting lines is O(input).
            let at = a.name_start;
            // `xmlns:` names no prefix: it is not `xmlns` (the default namespace) and not a
            // QName at all (Namespaces in XML §3; libxml2 refuses it too).
            if declared.is_empty() && a.name != "xmlns" {
                return Err(ParseError::BadNamespaceDeclaration {
                    pos: self.pos(at),
                    reason: format!(
                        "{:?} declares an empty prefix (write xmlns=\"…\" for the default namespace)",
                        a.name
                    ),
                });
            }
            if !declared.is_empty() && !chars::is_ncname(declared) {
                return Err(ParseError::InvalidName {
                    pos: self.pos(at),
                    name: a.name.to_string(),
                });
            }
            let value = chars::decode_attr(a.value, a.value_start, &mut self.doc.arena)
                .map_err(|e| self.decode_error(a.value_start, e))?;
            let uri = self.doc.str_of(value);
            let reason = match declared {
                "xmlns" => Some("the prefix xmlns cannot be declared".to_string()),
                "xml" if uri != XML_NAMESPACE => {
                    Some(format!("the prefix xml cannot be bound to {uri:?}"))
                }
                "xml" => None,
                _ if uri == XML_NAMESPACE => Some(format!(
                    "the XML namespace cannot be bound to {}",
                    describe_prefix(declared)
                )),
                _ if uri == XMLNS_NAMESPACE => Some(format!(
                    "the xmlns namespace cannot be bound to {}",
                    describe_prefix(declared)
                )),
                "" => None,
                p if uri.is_empty() => {
                    Some(format!("xmlns:{p}=\"\" is not allowed (a prefix cannot be undeclared)"))
                }
                _ => None,
            };
            if let Some(reason) = reason {
                return Err(ParseError::BadNamespaceDeclaration { pos: self.pos(at), reason });
            }
            if self.doc.relative_namespace.is_none() && is_relative_uri(uri) {
                self.doc.relative_namespace = Some((a.name_start as u32, uri.to_string()));
            }
            let prefix_id = self.prefix_id(declared);
            if self.doc.attrs[attrs_start..].iter().any(|d| d.prefix == prefix_id) {
                return Err(ParseError::DuplicateAttribute {
                    pos: self.pos(at),
                    name: a.name.to_string(),
                });
            }
            let ns = self.ns_id(value);
            self.bindings[prefix_id as usize].push(ns);
            self.undo.push(prefix_id);
            grow_gently(&mut self.doc.attrs);
            self.doc.attrs.push(AttrData {
                name_start: a.name_start as u32,
                name_len: a.name.len() as u32,
                prefix: prefix_id,
                ns,
                value,
            });
        }
        let decls = self.doc.attrs.len() - attrs_start;
        let elem_prefix = self.prefix_id(prefix);
        let Some(elem_ns) = self.bound(elem_prefix) else {
            return Err(ParseError::UndeclaredPrefix {
                pos: self.pos(start + 1),
                prefix: prefix.to_string(),
            });
        };
        for a in raw {
            if a.declares.is_some() {
                continue;
            }
            self.check_name_len(a.name, a.name_start)?;
            let Some(p) = self.qnames.prefix_of(a.name) else {
                return Err(ParseError::InvalidName {
                    pos: self.pos(a.name_start),
                    name: a.name.to_string(),
                });
            };
            let (prefix_id, ns) = if p.is_empty() {
                (PREFIX_DEFAULT, NS_NONE)
            } else {
                let id = self.prefix_id(p);
                match self.bound(id) {
                    Some(ns) if id != PREFIX_DEFAULT => (id, ns),
                    _ => {
                        return Err(ParseError::UndeclaredPrefix {
                            pos: self.pos(a.name_start),
                            prefix: p.to_string(),
                        });
                    }
                }
            };
            let value = chars::decode_attr(a.value, a.value_start, &mut self.doc.arena)
                .map_err(|e| self.decode_error(a.value_start, e))?;
            if !E::STREAMING && prefix_id == PREFIX_DEFAULT && matches!(a.name, "ID" | "Id" | "id")
            {
                // The element about to be appended gets the next node index.
                self.id_attrs.push((value, self.doc.nodes.len() as u32));
            }
            grow_gently(&mut self.doc.attrs);
            self.doc.attrs.push(AttrData {
                name_start: a.name_start as u32,
                name_len: a.name.len() as u32,
                prefix: prefix_id,
                ns,
                value,
            });
        }
        let plain = self.doc.attrs.len() - attrs_start - decls;
        self.check_duplicates(attrs_start + decls)?;
        let payload = Payload::Element {
            name_len: name.len() as u32,
            prefix: elem_prefix,
            ns: elem_ns,
            attrs: attrs_start as u32,
            decls: decls as u16,
            plain: plain as u16,
        };
        let id = self.append(start, end, payload)?;
        if self.open.len() == 1 {
            self.root_seen = true;
            self.doc.root = id;
        }
        if empty {
            self.pop_bindings(undo_mark);
            if E::STREAMING {
                self.emit.end(&self.doc, id);
                self.drop_element(id);
            }
        } else {
            let arena_end = self.doc.arena.len() as u32;
            self.open.push(Open { node: id, last_child: NONE, undo_mark, arena_end });
        }
        Ok(())
    }

    /// Duplicate attributes by namespace URI + local name (which also catches the same qualified
    /// name twice). Quadratic for the common few attributes, sorted beyond that.
    pub(super) fn check_duplicates(&mut self, from: usize) -> Result<(), ParseError> {
        let attrs = &self.doc.attrs[from..];
        let input = self.input;
        let prefixes = &self.doc.prefixes;
        let local = |a: &AttrData| {
            let skip =
                if a.prefix == PREFIX_DEFAULT { 0 } else { prefixes[a.prefix as usize].len() + 1 };
            let s = a.name_start as usize;
            input.get(s + skip..s + a.name_len as usize).unwrap_or("")
        };
        let mut dup: Option<&AttrData> = None;
        if attrs.len() <= 1 {
            return Ok(());
        }
        if attrs.len() <= 16 {
            'outer: for (i, a) in attrs.iter().enumerate() {
                for b in &attrs[..i] {
                    if a.ns == b.ns && local(a) == local(b) {
                        dup = Some(a);
                        break 'outer;
                    }
                }
            }
        } else {
            let mut keys = std::mem::take(&mut self.dup_keys);
            keys.clear();
            keys.extend(attrs.iter().map(|a| (a.ns, local(a))));
            keys.sort_unstable();
            if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
                let (ns, l) = w[0];
                dup = attrs.iter().filter(|a| a.ns == ns && local(a) == l).nth(1);
            }
            self.dup_keys = keys;
        }
        match dup {
            Some(a) => {
                let name = self.doc.attr_name(a).to_string();
                Err(ParseError::DuplicateAttribute { pos: self.pos(a.name_start as usize), name })
            }
            None => Ok(()),
        }
    }

    pub(super) fn pop_bindings(&mut self, mark: u32) {
        while self.undo.len() > mark as usize {
            if let Some(p) = self.undo.pop()
                && let Some(stack) = self.bindings.get_mut(p as usize)
            {
                stack.pop();
            }
        }
    }

    pub(super) fn end_element(
        &mut self,
        start: usize,
        end: usize,
        name: &str,
    ) -> Result<(), ParseError> {
        if self.open.len() <= 1 {
            return Err(ParseError::UnexpectedEndTag {
                pos: self.pos(start),
                name: name.to_string(),
            });
        }
        let Some(top) = self.open.pop() else { return Ok(()) };
        let open_name = self.doc.node(crate::NodeId(top.node)).name();
        if !crate::swar::same(open_name.as_bytes(), name.as_bytes()) {
            return Err(ParseError::MismatchedEndTag {
                pos: self.pos(start),
                expected: open_name.to_string(),
                found: name.to_string(),
            });
        }
        self.doc.nodes[top.node as usize].end = end as u32;
        self.pop_bindings(top.undo_mark);
        if E::STREAMING {
            self.emit.end(&self.doc, top.node);
            self.drop_element(top.node);
        }
        Ok(())
    }

    /// Streaming: forgets a finished element (the last node of the tree, its attributes the
    /// last attributes, what it decoded the end of the arena).
    fn drop_element(&mut self, id: u32) {
        if let Some(Payload::Element { attrs, .. }) =
            self.doc.nodes.get(id as usize).map(|d| d.payload)
        {
            self.doc.attrs.truncate(attrs as usize);
        }
        self.doc.nodes.truncate(id as usize);
        let arena_end = self.open.last().map_or(0, |o| o.arena_end);
        self.doc.arena.truncate(arena_end as usize);
    }
}

/// Up to this many prefixes, [`Builder::prefix_id`] compares instead of hashing.
const FEW_PREFIXES: usize = 16;

/// The qualified names already checked, by slot: a document repeats a few element and attribute
/// names thousands of times, and comparing a name with the one checked last in its slot is
/// cheaper than checking its characters again. A name that is not a QName is never cached.
pub(super) struct QNameCache<'a> {
    /// Per slot: the name and the length of its prefix (0: none).
    slots: [(&'a str, u32); QNAME_SLOTS],
}

const QNAME_SLOTS: usize = 64;

impl<'a> QNameCache<'a> {
    pub(super) fn new() -> Self {
        // The empty name is not a QName, so an empty slot never matches a real name.
        QNameCache { slots: [("", 0); QNAME_SLOTS] }
    }

    /// The prefix of `name` (empty for none), or `None` when `name` is not a QName: what
    /// [`chars::split_qname`] says, remembered.
    #[inline]
    pub(super) fn prefix_of(&mut self, name: &'a str) -> Option<&'a str> {
        let b = name.as_bytes();
        let (&first, &last) = (b.first()?, b.last()?);
        let slot = (b.len() ^ ((first as usize) << 1) ^ ((last as usize) << 3)) % QNAME_SLOTS;
        let (cached, prefix_len) = self.slots[slot];
        if crate::swar::same(cached.as_bytes(), name.as_bytes()) {
            return name.get(..prefix_len as usize);
        }
        let (prefix, _) = chars::split_qname(name)?;
        self.slots[slot] = (name, prefix.len() as u32);
        Some(prefix)
    }
}

impl<'a> RawAttr<'a> {
    #[inline]
    fn new(name: &'a str, name_start: usize, value: &'a str, value_start: usize) -> Self {
        let declares = match name.strip_prefix("xmlns") {
            Some("") => Some(""),
            Some(rest) => rest.strip_prefix(':'),
            None => None,
        };
        RawAttr { name, declares, name_start, value, value_start }
    }
}

/// A start tag as nearly every document writes it (`<name`, then whitespace-separated
/// `name="value"` or `name='value'`, then `>` or `/>`), scanned in one pass that also finds
/// where it ends: its attributes go into `out`, and the answer is the tag's end and whether it
/// is empty. `None` for anything else (no side effects beyond `out`): the caller then takes the
/// general path, the tokenizer's tag and [`Builder::scan_attributes`] with their errors.
///
/// What this accepts is exactly what that path accepts with the same tag end, names and
/// attributes: names here never hold a `>`, `/` or quote (which would move quick-xml's end of
/// the tag or split it differently), each value runs to its closing quote as quick-xml's quote
/// tracking does, and whitespace separates attributes as the scanner requires.
#[inline]
pub(super) fn quick_start_tag<'a>(
    input: &'a str,
    start: usize,
    max_attributes: usize,
    out: &mut Vec<RawAttr<'a>>,
) -> Option<(usize, bool)> {
    use crate::swar::{find_byte, find_space_or};
    const ENDS_NAME: &[u8] = b">/'\"";
    const ENDS_ATTRIBUTE_NAME: &[u8] = b"=>/'\"";
    let b = input.as_bytes();
    let is_ws = |c: u8| c < 0x21;
    let mut i = start + 1;
    let name_len = find_space_or(b.get(i..)?, ENDS_NAME)?;
    if name_len == 0 {
        return None;
    }
    i += name_len;
    loop {
        // After the name or a value: the end of the tag, or whitespace and more.
        match *b.get(i)? {
            b'>' => return Some((i + 1, false)),
            b'/' => return (b.get(i + 1) == Some(&b'>')).then_some((i + 2, true)),
            c if is_ws(c) => {}
            _ => return None,
        }
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return Some((i + 1, false)),
            b'/' => return (b.get(i + 1) == Some(&b'>')).then_some((i + 2, true)),
            _ => {}
        }
        let name_start = i;
        i += find_space_or(b.get(i..)?, ENDS_ATTRIBUTE_NAME)?;
        if i == name_start || !(is_ws(b[i]) || b[i] == b'=') {
            return None;
        }
        let name = input.get(name_start..i)?;
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while b.get(i).is_some_and(|&c| is_ws(c)) {
            i += 1;
        }
        let quote = *b.get(i).filter(|&&q| q == b'"' || q == b'\'')?;
        let value_start = i + 1;
        let len = find_byte(b.get(value_start..)?, quote)?;
        if out.len() >= max_attributes {
            return None;
        }
        let value = input.get(value_start..value_start + len)?;
        out.push(RawAttr::new(name, name_start, value, value_start));
        i = value_start + len + 1;
    }
}

fn describe_prefix(p: &str) -> String {
    if p.is_empty() { "the default namespace".to_string() } else { format!("the prefix {p}") }
}

/// Whether a non-empty namespace name lacks a URI scheme (`scheme ":"`, RFC 3986 §3.1).
fn is_relative_uri(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else { return !uri.is_empty() };
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    !valid
}
