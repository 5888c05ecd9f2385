//! The bindings `samlkit verify` can only check when told the expected value: the audience (the
//! SP's entity ID), the recipient (its ACS URL) and the issuer (the IdP's entity ID). A response
//! the trusted IdP signed for another SP, or that another IdP sharing the certificate issued,
//! verifies without them; so each one left out is said out loud (a `warning:` line, and the
//! `unchecked` list in `--json`), and `--strict` refuses to run without all of them.

use crate::error::CliError;

/// One binding: its name in messages and in `--json`'s `unchecked`, and the flag that checks it.
pub(super) struct Binding {
    pub(super) name: &'static str,
    flag: &'static str,
    /// What to pass, in the warning's hint.
    value: &'static str,
}

/// Every binding, in the order they are reported.
const BINDINGS: [Binding; 3] = [
    Binding { name: "audience", flag: "--audience", value: "YOUR_SP_ENTITY_ID" },
    Binding { name: "recipient", flag: "--recipient", value: "YOUR_ACS_URL" },
    Binding { name: "issuer", flag: "--issuer", value: "IDP_ENTITY_ID" },
];

/// Which expected values the command line gave.
pub(super) struct Given {
    pub(super) audience: bool,
    pub(super) recipient: bool,
    pub(super) issuer: bool,
}

/// The bindings this run does not check, in [`BINDINGS`] order.
pub(super) fn unchecked(given: &Given) -> Vec<&'static Binding> {
    let checked = [given.audience, given.recipient, given.issuer];
    BINDINGS.iter().zip(checked).filter(|(_, checked)| !checked).map(|(b, _)| b).collect()
}

/// `--strict`: every binding must be checked, or nothing is verified (exit 2, naming the
/// missing flags).
pub(super) fn require_all(unchecked: &[&Binding]) -> Result<(), CliError> {
    if unchecked.is_empty() {
        return Ok(());
    }
    let missing: Vec<&str> = unchecked.iter().map(|b| b.flag).collect();
    Err(CliError::input(format!(
        "--strict requires --audience, --recipient and --issuer; missing {}",
        missing.join(", ")
    )))
}

/// The `warning:` line for one unchecked binding.
pub(super) fn warning(binding: &Binding) -> String {
    format!(
        "warning: {} not checked: pass {} {} (or --strict to require it)",
        binding.name, binding.flag, binding.value
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchecked_keeps_the_reporting_order() {
        let given = |audience, recipient, issuer| Given { audience, recipient, issuer };
        let cases: [(Given, &[&str]); 4] = [
            (given(false, false, false), &["audience", "recipient", "issuer"]),
            (given(true, false, false), &["recipient", "issuer"]),
            (given(false, true, true), &["audience"]),
            (given(true, true, true), &[]),
        ];
        for (given, expected) in cases {
            let names: Vec<&str> = unchecked(&given).iter().map(|b| b.name).collect();
            assert_eq!(names, expected);
        }
    }
}
