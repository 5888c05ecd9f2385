//! Text surgery on signed XML: finding an element's byte range and splicing around it, without
//! re-serialising (which would change what was signed).

use std::ops::Range;

use samlkit_dsig::NS_DSIG;

use super::EVIL_NAME_ID;
use crate::builder::NS_ASSERTION;
use crate::verify::parse_document;
use crate::{ErrorKind, SamlError};

/// (`<?xml …?>\n`, the rest).
pub(super) fn split_decl(xml: &str) -> (&str, &str) {
    if !xml.starts_with("<?xml") {
        return ("", xml);
    }
    let Some(end) = xml.find("?>") else { return ("", xml) };
    let rest = xml[end + 2..].trim_start();
    xml.split_at(xml.len() - rest.len())
}

/// The byte range of the first element named `ns:local` that is a child of the root element
/// (or the root itself when it has that name and `ns:local` is looked up from a fragment).
pub(super) fn child_range(xml: &str, ns: &str, local: &str) -> Result<Range<usize>, SamlError> {
    let doc = parse_document(xml)?;
    let root = doc.node(doc.root_element());
    root.element_children().find(|n| n.has_name(ns, local)).map(|n| n.byte_range()).ok_or_else(
        || SamlError::new(ErrorKind::SigningFailed, format!("no {local} child to break")),
    )
}

/// The byte range of the first element named `ns:local` anywhere.
pub(super) fn child_range_anywhere(
    xml: &str,
    ns: &str,
    local: &str,
) -> Result<Range<usize>, SamlError> {
    let doc = parse_document(xml)?;
    doc.node(doc.root())
        .descendants()
        .find(|n| n.has_name(ns, local))
        .map(|n| n.byte_range())
        .ok_or_else(|| SamlError::new(ErrorKind::SigningFailed, format!("no {local} to break")))
}

/// Where the end tag of the element spanning `range` starts.
pub(super) fn end_tag_start(xml: &str, range: &Range<usize>) -> usize {
    xml.get(range.clone()).and_then(|s| s.rfind("</")).map_or(range.end, |i| range.start + i)
}

/// Replaces the first `needle`; never silently returns an unbroken document.
pub(super) fn replace_once(xml: &str, needle: &str, with: &str) -> Result<String, SamlError> {
    match xml.find(needle) {
        Some(at) => Ok(replace_range(xml, at..at + needle.len(), with)),
        None => Err(SamlError::new(
            ErrorKind::SigningFailed,
            format!("cannot break: {needle:?} not found"),
        )),
    }
}

pub(super) fn insert(xml: &str, at: usize, text: &str) -> String {
    let mut out = xml.to_string();
    out.insert_str(at, text);
    out
}

pub(super) fn replace_range(xml: &str, range: Range<usize>, text: &str) -> String {
    let mut out = xml.to_string();
    out.replace_range(range, text);
    out
}

/// `fragment` (a standalone element) with every ds:Signature removed.
pub(super) fn without_signatures(fragment: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let ranges: Vec<Range<usize>> = doc
        .node(doc.root())
        .descendants()
        .filter(|n| n.has_name(NS_DSIG, "Signature"))
        .map(|n| n.byte_range())
        .collect();
    let mut out = fragment.to_string();
    for r in ranges.into_iter().rev() {
        out.replace_range(r, "");
    }
    Ok(out)
}

/// `fragment` with its root element's `ID` attribute value replaced.
pub(super) fn set_root_id(fragment: &str, new_id: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let root = doc.node(doc.root_element());
    let old = root.attribute("", "ID").ok_or_else(|| {
        SamlError::new(ErrorKind::SigningFailed, format!("<{}> has no ID", root.name()))
    })?;
    let tag = root.start_tag_range();
    let start_tag = &fragment[tag.clone()];
    let replaced = start_tag.replacen(&format!("ID=\"{old}\""), &format!("ID=\"{new_id}\""), 1);
    Ok(replace_range(fragment, tag, &replaced))
}

/// `fragment` with the text of its first NameID replaced by [`EVIL_NAME_ID`].
pub(super) fn evil_name_id(fragment: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let name_id =
        doc.node(doc.root())
            .descendants()
            .find(|n| n.has_name(NS_ASSERTION, "NameID"))
            .ok_or_else(|| SamlError::new(ErrorKind::SigningFailed, "no NameID to replace"))?;
    let content = name_id.start_tag_range().end..end_tag_start(fragment, &name_id.byte_range());
    Ok(replace_range(fragment, content, EVIL_NAME_ID))
}
