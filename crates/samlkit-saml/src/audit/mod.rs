//! The logic of `samlkit sp-audit`: post the broken-response battery to a live service provider
//! and judge, for each case, whether it logged the user in.
//!
//! - [`all_cases`]: the battery (every [`BreakKind`](crate::BreakKind) plus replay, another
//!   request's InResponseTo, a Destination mismatch and an unsolicited response), each with the
//!   attack's reference; [`build_case`] builds what a case posts.
//! - [`Baselines`]: the oracle, learned from a genuine response and a broken signature, that
//!   judges each [`Observation`] ACCEPTED, REFUSED or INCONCLUSIVE.
//! - [`render_table`], [`CaseResult::json`], [`junit`]: the reports.
//!
//! Nothing here does I/O or reads the clock: the CLI (`src/cmd/sp_audit/`) sends the requests,
//! follows the redirects with a cookie jar per case, and passes what it saw in.

mod cases;
mod oracle;
mod report;

pub use cases::{
    AuditCase, CaseKind, OTHER_DESTINATION, Payload, all_cases, build_case, case_by_name,
    genuine_response, payload_has_dtd,
};
pub use oracle::{
    Baselines, INDISTINCT, Judgement, MARGIN, MIN_SIMILARITY, Observation, Overrides, Verdict,
    find_identity, page_words,
};
pub use report::{CaseResult, exit_status, junit, render_table, summary};

#[cfg(test)]
mod tests;
