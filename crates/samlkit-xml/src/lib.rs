//! A secure XML tree on quick-xml, Canonical XML 1.0 and Exclusive XML Canonicalization 1.0:
//! the XML layer every samlkit signature is made and checked on.
//!
//! No DTDs, no entity expansion beyond the five predefined entities, bounded size and depth.
//!
//! An input of a megabyte or more is split into tokens on a second thread, started and joined
//! within the parsing call, while the calling thread builds the tree or the canonical form: the
//! same results and errors, sooner on a machine with a core to spare.
#![forbid(unsafe_code)]

mod c14n;
mod chars;
mod error;
mod hash;
mod limits;
mod parser;
mod serialize;
mod stream;
mod swar;
mod tree;

pub use c14n::{C14nAlgorithm, canonicalize, canonicalize_to_vec};
pub use error::{C14nError, ParseError, Position, XmlError};
pub use limits::{Limits, format_size};
pub use parser::{parse, parse_bytes, parse_bytes_with_limits, parse_with_limits};
pub use stream::{
    canonicalize_streaming, canonicalize_streaming_bytes,
    canonicalize_streaming_bytes_tokenizing_aside,
};
pub use tree::{
    Attribute, Document, NamespaceDeclaration, Node, NodeId, NodeKind, XML_NAMESPACE,
    XMLNS_NAMESPACE,
};
