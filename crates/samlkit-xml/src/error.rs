//! The crate's error type, [`XmlError`], with its two categories: [`ParseError`] (the input is
//! not a well-formed, namespace-well-formed document within the [`crate::Limits`]) and
//! [`C14nError`] (a parsed document cannot be canonicalized as asked, or the output failed).
//!
//! Every parse error says what is wrong and where (`line:column`, both 1-based, the column
//! counted in characters).
//!
//! **Document data in messages.** Parse errors quote what was found in the input (names, entity
//! references, encodings, end tags), so their text can contain attacker-chosen characters: escape
//! it before showing it in HTML or a terminal, and do not echo it to a browser.

use std::fmt;

/// A place in the input: 1-based line and 1-based column (in characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number (CRLF, CR and LF each end a line).
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Everything that can go wrong in this crate: parsing or canonicalizing.
///
/// ```
/// use samlkit_xml::{ParseError, XmlError};
/// let err = samlkit_xml::parse("<a><b></a>").unwrap_err();
/// assert!(matches!(err, XmlError::Parse(ParseError::MismatchedEndTag { .. })));
/// assert_eq!(err.position().map(|p| p.to_string()).as_deref(), Some("1:7"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The input is not a well-formed document within the limits.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The document could not be canonicalized, or writing the output failed.
    #[error(transparent)]
    C14n(#[from] C14nError),
}

impl XmlError {
    /// Where in the input the error was found, when it concerns the input.
    pub fn position(&self) -> Option<Position> {
        match self {
            XmlError::Parse(e) => Some(e.position()),
            XmlError::C14n(_) => None,
        }
    }
}

impl From<std::io::Error> for XmlError {
    fn from(e: std::io::Error) -> Self {
        XmlError::C14n(C14nError::Io(e.to_string()))
    }
}

/// Why an input is not accepted as a document. In every variant `pos` is where in the input the
/// problem starts; the other fields name what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A `<!DOCTYPE …>`: DTDs (and with them entity definitions) are never processed.
    #[error("{pos}: DOCTYPE is not allowed (DTDs and entity declarations are refused)")]
    Doctype {
        /// Where in the input the problem starts.
        pos: Position,
    },
    /// The input is not UTF-8.
    #[error("{pos}: invalid UTF-8 in the input")]
    InvalidUtf8 {
        /// Where in the input the problem starts.
        pos: Position,
    },
    /// The document declares (or its byte order mark implies) an encoding other than UTF-8.
    #[error("{pos}: unsupported encoding {encoding:?}: only UTF-8 is accepted")]
    UnsupportedEncoding {
        /// Where in the input the problem starts.
        pos: Position,
        /// The encoding the document declares or its byte order mark implies.
        encoding: String,
    },
    /// A character XML 1.0 forbids (control characters, U+FFFE, U+FFFF, `&#0;`, …).
    #[error("{pos}: invalid XML character U+{code:04X}")]
    InvalidChar {
        /// Where in the input the problem starts.
        pos: Position,
        /// The forbidden character's code point.
        code: u32,
    },
    /// `&name;` where `name` is not one of the five predefined entities.
    #[error(
        "{pos}: undefined entity &{name};: only &amp; &lt; &gt; &quot; &apos; and character references are allowed"
    )]
    UndefinedEntity {
        /// Where in the input the problem starts.
        pos: Position,
        /// The entity name between `&` and `;`.
        name: String,
    },
    /// A malformed character or entity reference.
    #[error("{pos}: malformed reference {text:?}")]
    BadReference {
        /// Where in the input the problem starts.
        pos: Position,
        /// The reference as written in the input.
        text: String,
    },
    /// A name (element, attribute, prefix, PI target) that is not a valid XML/namespace name.
    #[error("{pos}: invalid name {name:?}")]
    InvalidName {
        /// Where in the input the problem starts.
        pos: Position,
        /// The name as written in the input.
        name: String,
    },
    /// An end tag that does not match the open element.
    #[error("{pos}: mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedEndTag {
        /// Where in the input the problem starts.
        pos: Position,
        /// The qualified name of the element that is open.
        expected: String,
        /// The qualified name in the end tag.
        found: String,
    },
    /// An end tag with no element open.
    #[error("{pos}: end tag </{name}> has no matching start tag")]
    UnexpectedEndTag {
        /// Where in the input the problem starts.
        pos: Position,
        /// The qualified name in the end tag.
        name: String,
    },
    /// The input ended while an element was still open.
    #[error("{pos}: element <{name}> is never closed")]
    UnclosedElement {
        /// Where in the input the problem starts.
        pos: Position,
        /// The qualified name of the innermost element still open.
        name: String,
    },
    /// The same attribute twice (also under two prefixes bound to the same namespace).
    #[error("{pos}: duplicate attribute {name:?}")]
    DuplicateAttribute {
        /// Where in the input the problem starts.
        pos: Position,
        /// The qualified name of the repeated attribute.
        name: String,
    },
    /// A prefix used without a namespace declaration in scope.
    #[error("{pos}: undeclared namespace prefix {prefix:?}")]
    UndeclaredPrefix {
        /// Where in the input the problem starts.
        pos: Position,
        /// The prefix that has no binding in scope.
        prefix: String,
    },
    /// A namespace declaration the Namespaces in XML rules forbid (`xmlns:p=""`, rebinding
    /// `xml` or `xmlns`, binding their URIs to another prefix).
    #[error("{pos}: invalid namespace declaration: {reason}")]
    BadNamespaceDeclaration {
        /// Where in the input the problem starts.
        pos: Position,
        /// Which namespace rule the declaration breaks.
        reason: String,
    },
    /// Character data, CDATA, a reference or a second element outside the root element.
    #[error("{pos}: {what} outside the root element")]
    ContentOutsideRoot {
        /// Where in the input the problem starts.
        pos: Position,
        /// What was found: character data, CDATA, a reference or an element.
        what: &'static str,
    },
    /// The document has no root element.
    #[error("{pos}: no root element")]
    NoRootElement {
        /// Where in the input the problem starts.
        pos: Position,
    },
    /// Any other well-formedness error (the message says which).
    #[error("{pos}: {message}")]
    Syntax {
        /// Where in the input the problem starts.
        pos: Position,
        /// What is wrong.
        message: String,
    },
    /// A configured [`crate::Limits`] value was exceeded.
    #[error("{pos}: {limit} exceeds the limit of {}", crate::limits::describe_limit(limit, *max))]
    LimitExceeded {
        /// Where in the input the problem starts.
        pos: Position,
        /// Which limit, such as `"input size"`, `"nesting depth"` or `"attribute count"`.
        limit: &'static str,
        /// The configured maximum.
        max: usize,
    },
}

/// Why a parsed document cannot be canonicalized as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum C14nError {
    /// The request is not possible (the subset root is not an element of this document, or the
    /// document has a relative namespace URI, which the C14N specifications make an error).
    #[error("cannot canonicalize: {0}")]
    Refused(String),
    /// Writing the output failed.
    #[error("write failed: {0}")]
    Io(String),
}

impl ParseError {
    /// Where in the input the problem starts.
    pub fn position(&self) -> Position {
        use ParseError::*;
        match self {
            Doctype { pos }
            | InvalidUtf8 { pos }
            | UnsupportedEncoding { pos, .. }
            | InvalidChar { pos, .. }
            | UndefinedEntity { pos, .. }
            | BadReference { pos, .. }
            | InvalidName { pos, .. }
            | MismatchedEndTag { pos, .. }
            | UnexpectedEndTag { pos, .. }
            | UnclosedElement { pos, .. }
            | DuplicateAttribute { pos, .. }
            | UndeclaredPrefix { pos, .. }
            | BadNamespaceDeclaration { pos, .. }
            | ContentOutsideRoot { pos, .. }
            | NoRootElement { pos }
            | Syntax { pos, .. }
            | LimitExceeded { pos, .. } => *pos,
        }
    }
}
