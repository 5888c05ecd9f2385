//! Salesforce metadata: which certificates an org has and which of its settings use them, read
//! from a Salesforce DX project or a Metadata API retrieve (directory or `.zip`).
//!
//! - [`files`]: finding and reading the project's files (the only file I/O in this crate);
//! - [`types`]: the metadata types, their file suffixes and their certificate-bearing fields;
//! - [`extract`](mod@extract): parsing the files (with `samlkit_xml::parse`) into [`MetadataFacts`];
//! - [`apex`]: certificate names in Apex string literals.
//!
//! [`crate::inventory::scan`] turns the facts into the report.

pub mod apex;
pub mod extract;
pub mod files;
pub mod types;

pub use apex::CodeReference;
pub use extract::{
    CertificateComponent, CrtContent, FileProblem, MetadataFacts, RefValue, Reference, extract,
};
pub use files::{ProjectFile, ProjectFiles, ProjectFormat};
pub use types::{MetadataType, RefKind};
