//! Writing a tree back out as XML. The output re-parses to the same tree: same elements, names,
//! namespace declarations and attributes (in source order), text, CDATA sections, comments and
//! PIs; only insignificant syntax (quote style, whitespace inside tags, references that were not
//! needed, whitespace outside the root) may differ.

use std::io::{self, Write};

use crate::tree::{Document, NONE, NodeId, PREFIX_DEFAULT, Payload};

impl Document<'_> {
    /// Serializes the whole document (without an XML declaration: the output is UTF-8).
    ///
    /// ```
    /// let doc = samlkit_xml::parse("<a b='&lt;'>x&#xD;<![CDATA[<y>]]></a>").unwrap();
    /// assert_eq!(doc.to_xml(), r#"<a b="&lt;">x&#xD;<![CDATA[<y>]]></a>"#);
    /// ```
    pub fn to_xml(&self) -> String {
        let mut out = Vec::with_capacity(self.input().len());
        // Writing into a Vec cannot fail.
        let _ = self.write_xml(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Serializes the whole document into `out`.
    pub fn write_xml<W: Write>(&self, out: &mut W) -> io::Result<()> {
        let mut w = io::BufWriter::new(out);
        let mut after_root = false;
        for child in self.node(self.root()).children() {
            if child.is_element() {
                self.write_element(child.id(), &mut w)?;
                after_root = true;
            } else {
                if after_root {
                    w.write_all(b"\n")?;
                }
                self.write_leaf(child.id(), &mut w)?;
                if !after_root {
                    w.write_all(b"\n")?;
                }
            }
        }
        w.flush()
    }

    /// Serializes one element and its descendants.
    pub fn write_element<W: Write>(&self, id: NodeId, out: &mut W) -> io::Result<()> {
        let mut parent = id.0;
        self.write_start(parent, out)?;
        let mut next = self.data(parent).first_child;
        if next == NONE {
            return Ok(());
        }
        loop {
            if next == NONE {
                out.write_all(b"</")?;
                out.write_all(self.node(NodeId(parent)).name().as_bytes())?;
                out.write_all(b">")?;
                if parent == id.0 {
                    return Ok(());
                }
                let d = self.data(parent);
                next = d.next_sibling;
                parent = d.parent;
                continue;
            }
            let d = self.data(next);
            if let Payload::Element { .. } = d.payload {
                self.write_start(next, out)?;
                if d.first_child != NONE {
                    parent = next;
                    next = d.first_child;
                    continue;
                }
            } else {
                self.write_leaf(NodeId(next), out)?;
            }
            next = d.next_sibling;
        }
    }

    /// `<name attrs>` or `<name attrs/>` for an element without children.
    fn write_start<W: Write>(&self, id: u32, out: &mut W) -> io::Result<()> {
        let (decls, plain) = self.attr_slices(id);
        out.write_all(b"<")?;
        out.write_all(self.node(NodeId(id)).name().as_bytes())?;
        for d in decls {
            if d.prefix == PREFIX_DEFAULT {
                out.write_all(b" xmlns=\"")?;
            } else {
                write!(out, " xmlns:{}=\"", self.prefix_str(d.prefix))?;
            }
            write_escaped(out, self.ns_str(d.ns), true)?;
            out.write_all(b"\"")?;
        }
        for a in plain {
            write!(out, " {}=\"", self.attr_name(a))?;
            write_escaped(out, self.str_of(a.value), true)?;
            out.write_all(b"\"")?;
        }
        let empty = self.data(id).first_child == NONE;
        out.write_all(if empty { b"/>" } else { b">" })
    }

    fn write_leaf<W: Write>(&self, id: NodeId, out: &mut W) -> io::Result<()> {
        match self.data(id.0).payload {
            Payload::Text(s) => write_escaped(out, self.str_of(s), false),
            Payload::CData(s) => write!(out, "<![CDATA[{}]]>", self.str_of(s)),
            Payload::Comment(s) => write!(out, "<!--{}-->", self.str_of(s)),
            Payload::Pi { data, .. } => {
                let data = self.str_of(data);
                let target = self.node(id).name();
                if data.is_empty() {
                    write!(out, "<?{target}?>")
                } else {
                    write!(out, "<?{target} {data}?>")
                }
            }
            Payload::Element { .. } => self.write_element(id, out),
            Payload::Document => Ok(()),
        }
    }
}

fn write_escaped<W: Write>(out: &mut W, s: &str, attribute: bool) -> io::Result<()> {
    let bytes = s.as_bytes();
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let rep: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' if !attribute => b"&gt;",
            b'"' if attribute => b"&quot;",
            b'\t' if attribute => b"&#x9;",
            b'\n' if attribute => b"&#xA;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        out.write_all(&bytes[run..i])?;
        out.write_all(rep)?;
        run = i + 1;
    }
    out.write_all(&bytes[run..])
}
