//! Indented XML for people to read. The document is parsed with the secure parser and the
//! message limits (no DTD, bounded size, nodes and depth); the output is for display only:
//! whitespace between elements is replaced by indentation, so it is not the signed form (the
//! exact bytes are what `--raw` writes).

use samlkit_xml::{Node, NodeKind};

use crate::SamlError;
use crate::escape::{escape_attr, escape_text};

/// An XML message laid out for reading, and the name of its root element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrettyXml {
    /// The qualified name of the root element as written (`samlp:Response`).
    pub root: String,
    /// The document, two spaces of indentation per level, ending with a newline.
    pub text: String,
}

/// Parses `xml` with the SAML message limits and indents it two spaces per level. Elements
/// that hold only text stay on one line; whitespace-only text between elements is dropped.
///
/// Errors: [`crate::ErrorKind::MalformedXml`] (with line:column) or
/// [`crate::ErrorKind::DoctypeRefused`].
///
/// ```
/// let pretty = samlkit_saml::decode::pretty_xml("<a x='1'><b>hi</b><c/></a>")?;
/// assert_eq!(pretty.root, "a");
/// assert_eq!(pretty.text, "<a x=\"1\">\n  <b>hi</b>\n  <c/>\n</a>\n");
/// # Ok::<(), samlkit_saml::SamlError>(())
/// ```
pub fn pretty_xml(xml: &str) -> Result<PrettyXml, SamlError> {
    let doc = crate::verify::parse_document(xml)?;
    let mut text = String::with_capacity(xml.len() + xml.len() / 4);
    for child in doc.node(doc.root()).children() {
        write_node(child, 0, &mut text);
    }
    Ok(PrettyXml { root: doc.node(doc.root_element()).name().to_string(), text })
}

/// One node at `depth` (the parser bounds the depth, so the recursion is bounded too).
fn write_node(node: Node<'_, '_>, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match node.kind() {
        NodeKind::Element => {
            out.push_str(&indent);
            out.push_str(&start_tag(node));
            let children: Vec<Node<'_, '_>> = node
                .children()
                .filter(|c| !(c.is_text() && c.text().is_some_and(|t| t.trim().is_empty())))
                .collect();
            if children.is_empty() {
                if node.first_child().is_some() {
                    out.push_str(&format!("></{}>\n", node.name()));
                } else {
                    out.push_str("/>\n");
                }
                return;
            }
            out.push('>');
            if children.iter().all(|c| matches!(c.kind(), NodeKind::Text | NodeKind::CData)) {
                for c in &children {
                    out.push_str(&leaf(*c));
                }
                out.push_str(&format!("</{}>\n", node.name()));
                return;
            }
            out.push('\n');
            for c in children {
                write_node(c, depth + 1, out);
            }
            out.push_str(&format!("{indent}</{}>\n", node.name()));
        }
        NodeKind::Document => {}
        _ => {
            let text = leaf(node);
            let text = if node.is_text() { text.trim().to_string() } else { text };
            if !text.is_empty() {
                out.push_str(&format!("{indent}{text}\n"));
            }
        }
    }
}

/// `<name xmlns… attrs…` (without the closing `>`).
fn start_tag(node: Node<'_, '_>) -> String {
    let mut tag = format!("<{}", node.name());
    for decl in node.namespace_declarations() {
        if decl.prefix.is_empty() {
            tag.push_str(&format!(" xmlns=\"{}\"", escape_attr(decl.uri)));
        } else {
            tag.push_str(&format!(" xmlns:{}=\"{}\"", decl.prefix, escape_attr(decl.uri)));
        }
    }
    for attr in node.attributes() {
        tag.push_str(&format!(" {}=\"{}\"", attr.qname, escape_attr(attr.value)));
    }
    tag
}

/// A text, CDATA, comment or processing-instruction node as markup.
fn leaf(node: Node<'_, '_>) -> String {
    let text = node.text().unwrap_or("");
    match node.kind() {
        NodeKind::Text => escape_text(text),
        NodeKind::CData => format!("<![CDATA[{text}]]>"),
        NodeKind::Comment => format!("<!--{text}-->"),
        NodeKind::ProcessingInstruction if text.is_empty() => format!("<?{}?>", node.name()),
        NodeKind::ProcessingInstruction => format!("<?{} {text}?>", node.name()),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_and_keeps_namespaces_comments_and_escapes() {
        let xml = "<?xml version=\"1.0\"?>\n<p:R xmlns:p=\"urn:p\" ID=\"a&amp;b\">\n <p:S>x &lt; y</p:S><!--c--><p:E></p:E>\n</p:R>";
        let pretty = pretty_xml(xml).unwrap();
        assert_eq!(pretty.root, "p:R");
        assert_eq!(
            pretty.text,
            "<p:R xmlns:p=\"urn:p\" ID=\"a&amp;b\">\n  <p:S>x &lt; y</p:S>\n  <!--c-->\n  <p:E/>\n</p:R>\n"
        );
        // What it prints parses again to the same elements.
        assert_eq!(pretty_xml(&pretty.text).unwrap().text, pretty.text);
    }

    #[test]
    fn a_doctype_is_refused() {
        let err = pretty_xml("<!DOCTYPE x [<!ENTITY e 'b'>]><x>&e;</x>").unwrap_err();
        assert_eq!(err.code(), "doctype_refused");
    }
}
