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

/// A byte count written the way limits are: exact, in the largest binary unit that divides it
/// (`10 MiB`, `64 KiB`, `1500 bytes`).
///
/// ```
/// assert_eq!(samlkit_xml::format_size(10 * 1024 * 1024), "10 MiB");
/// assert_eq!(samlkit_xml::format_size(64 * 1024), "64 KiB");
/// assert_eq!(samlkit_xml::format_size(1500), "1500 bytes");
/// ```
pub fn format_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    const GIB: u64 = 1024 * MIB;
    match bytes {
        0 => "0 bytes".to_string(),
        b if b % GIB == 0 => format!("{} GiB", b / GIB),
        b if b % MIB == 0 => format!("{} MiB", b / MIB),
        b if b % KIB == 0 => format!("{} KiB", b / KIB),
        1 => "1 byte".to_string(),
        b => format!("{b} bytes"),
    }
}

/// The value of a limit named in a [`crate::ParseError::LimitExceeded`], with its unit.
pub(crate) fn describe_limit(limit: &str, max: usize) -> String {
    let unit = match limit {
        "input size" | "name length" => return format_size(max as u64),
        "node count" => "nodes",
        "nesting depth" => "levels",
        "attribute count" => "attributes",
        _ => return max.to_string(),
    };
    format!("{max} {unit}")
}
