//! Resource limits applied while parsing, so hostile input costs bounded time and memory.

/// Upper bounds enforced by [`crate::parse_with_limits`]. Exceeding one is an
/// [`crate::ParseError::LimitExceeded`] error. [`Limits::default`] suits SAML messages and metadata
/// with a wide margin; library callers may raise or lower any of them.
///
/// ```
/// let limits = samlkit_xml::Limits { max_depth: 8, ..Default::default() };
/// assert!(samlkit_xml::parse_with_limits("<a><b/></a>", &limits).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes (at most 2 GiB - 1: offsets are 31-bit).
    pub max_input_bytes: usize,
    /// Deepest element nesting.
    pub max_depth: usize,
    /// Most attributes (namespace declarations included) on one element (at most 65535).
    pub max_attributes_per_element: usize,
    /// Most nodes (elements, text, CDATA, comments, PIs) in the whole document.
    pub max_nodes: usize,
    /// Longest element or attribute name, PI target or namespace prefix, in bytes.
    pub max_name_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 * 1024 * 1024,
            max_depth: 512,
            max_attributes_per_element: 256,
            max_nodes: 4_000_000,
            max_name_len: 4096,
        }
    }
}

impl Limits {
    /// The limits clamped to what the compact tree representation can address.
    pub(crate) fn effective(&self) -> Limits {
        Limits {
            max_input_bytes: self.max_input_bytes.min(0x7fff_ffff),
            max_depth: self.max_depth,
            max_attributes_per_element: self.max_attributes_per_element.min(u16::MAX as usize),
            max_nodes: self.max_nodes.min(0x7fff_fff0),
            max_name_len: self.max_name_len,
        }
    }
}
