//! The audit's reports: the table for people, one JSON object per case for scripts, and a JUnit
//! XML file for CI. Pure functions of the results.

use serde::Serialize;

use super::cases::AuditCase;
use super::oracle::{Judgement, Observation, Verdict};
use crate::{escape_attr, escape_text};

/// What happened to one case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case's CLI name.
    pub case: String,
    /// Where the attack is described.
    pub reference: String,
    /// The verdict; `None` when the case was skipped.
    pub verdict: Option<Verdict>,
    /// Why it was skipped, or a note on the verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Every status on the way (the ACS POST's first).
    pub statuses: Vec<u16>,
    /// The URL of the last response.
    pub final_url: String,
    /// The NameID the whoami page showed, if `--whoami` was given and it showed one.
    pub whoami: Option<String>,
    /// The whoami page showed another identity than the signed one: the attack chose who
    /// logged in.
    pub attacker_identity: bool,
    /// Similarity to the genuine login's baseline (0 to 1).
    pub to_accepted: f64,
    /// Similarity to the broken signature's baseline (0 to 1).
    pub to_refused: f64,
}

impl CaseResult {
    /// A judged case; `signed_identity` is the NameID the case's signature covers (see
    /// [`AuditCase::signed_identity`]).
    pub fn judged(
        case: &AuditCase,
        o: &Observation,
        j: Judgement,
        signed_identity: &str,
    ) -> CaseResult {
        let shown = o.whoami.as_deref().or(o.page_identity.as_deref());
        CaseResult {
            case: case.name.to_string(),
            reference: case.reference.to_string(),
            verdict: Some(j.verdict),
            note: j.note,
            statuses: o.statuses.clone(),
            final_url: o.final_url.clone(),
            whoami: o.whoami.clone(),
            attacker_identity: j.verdict == Verdict::Accepted
                && shown.is_some_and(|w| w != signed_identity),
            to_accepted: round2(j.to_accepted),
            to_refused: round2(j.to_refused),
        }
    }

    /// A case not sent, and why.
    pub fn skipped(case: &AuditCase, why: impl Into<String>) -> CaseResult {
        CaseResult {
            case: case.name.to_string(),
            reference: case.reference.to_string(),
            verdict: None,
            note: Some(why.into()),
            statuses: Vec::new(),
            final_url: String::new(),
            whoami: None,
            attacker_identity: false,
            to_accepted: 0.0,
            to_refused: 0.0,
        }
    }

    /// `SKIPPED` or the verdict's label.
    pub fn label(&self) -> &'static str {
        self.verdict.map_or("SKIPPED", Verdict::label)
    }

    /// One line of evidence: `302→200 /home; whoami attacker@evil.example (not the signed
    /// identity)`, or why the case was skipped.
    pub fn evidence(&self) -> String {
        if self.verdict.is_none() {
            return self.note.clone().unwrap_or_default();
        }
        let chain: Vec<String> = self.statuses.iter().map(u16::to_string).collect();
        let mut text = format!("{} {}", chain.join("→"), self.final_url);
        if let Some(who) = &self.whoami {
            text.push_str(&format!("; whoami {who}"));
            text.push_str(if self.attacker_identity {
                " (NOT the signed identity)"
            } else {
                " (the signed identity)"
            });
        } else if self.verdict != Some(Verdict::Accepted) {
            text.push_str(&format!(
                "; like login {:.2}, like refusal {:.2}",
                self.to_accepted, self.to_refused
            ));
        }
        if let Some(note) = &self.note {
            text.push_str(&format!("; {note}"));
        }
        text
    }

    /// The case as one JSON object (`--json` prints one per line).
    pub fn json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.insert("verdict".into(), serde_json::Value::String(self.label().into()));
            map.insert("evidence".into(), serde_json::Value::String(self.evidence()));
        }
        value
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The audit's exit status: 1 when any case was ACCEPTED or INCONCLUSIVE (the audit could not
/// show the SP refused it), else 0.
pub fn exit_status(results: &[CaseResult]) -> u8 {
    let failed = results
        .iter()
        .any(|r| matches!(r.verdict, Some(Verdict::Accepted | Verdict::Inconclusive)));
    u8::from(failed)
}

/// The table for people: CASE, VERDICT, EVIDENCE, one row per case.
///
/// ```
/// use samlkit_saml::audit::{CaseResult, case_by_name, render_table};
/// let case = case_by_name("replay").unwrap_or_else(|| unreachable!());
/// let table = render_table(&[CaseResult::skipped(&case, "needs --login-url")]);
/// assert!(table.starts_with("CASE    VERDICT  EVIDENCE\n"));
/// assert!(table.contains("replay  SKIPPED  needs --login-url"));
/// ```
pub fn render_table(results: &[CaseResult]) -> String {
    let header = ["CASE", "VERDICT", "EVIDENCE"];
    let rows: Vec<[String; 3]> =
        results.iter().map(|r| [r.case.clone(), r.label().to_string(), r.evidence()]).collect();
    let width = |i: usize| {
        rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0)
    };
    let (w0, w1) = (width(0), width(1));
    let mut out = format!("{:w0$}  {:w1$}  {}\n", header[0], header[1], header[2]);
    for r in &rows {
        out.push_str(&format!("{:w0$}  {:w1$}  {}\n", r[0], r[1], r[2]));
    }
    out
}

/// One summary line: `38 cases: 3 ACCEPTED, 35 REFUSED, 0 INCONCLUSIVE, 2 skipped`.
pub fn summary(results: &[CaseResult]) -> String {
    let count = |v: Option<Verdict>| results.iter().filter(|r| r.verdict == v).count();
    format!(
        "{} cases: {} ACCEPTED, {} REFUSED, {} INCONCLUSIVE, {} skipped",
        results.len(),
        count(Some(Verdict::Accepted)),
        count(Some(Verdict::Refused)),
        count(Some(Verdict::Inconclusive)),
        count(None)
    )
}

/// A JUnit XML report: one testcase per case; ACCEPTED and INCONCLUSIVE are failures, skipped
/// cases are `<skipped/>`.
pub fn junit(results: &[CaseResult], suite: &str) -> String {
    let failures = results
        .iter()
        .filter(|r| matches!(r.verdict, Some(Verdict::Accepted | Verdict::Inconclusive)))
        .count();
    let skipped = results.iter().filter(|r| r.verdict.is_none()).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
        escape_attr(suite),
        results.len()
    );
    for r in results {
        let open =
            format!("    <testcase classname=\"sp-audit\" name=\"{}\"", escape_attr(&r.case));
        let message = escape_attr(&format!("{}: {}", r.label(), r.evidence()));
        match r.verdict {
            Some(Verdict::Refused) => out.push_str(&format!("{open}/>\n")),
            Some(_) => out.push_str(&format!(
                "{open}>\n      <failure message=\"{message}\">{}</failure>\n    </testcase>\n",
                escape_text(&r.reference)
            )),
            None => out.push_str(&format!(
                "{open}>\n      <skipped message=\"{message}\"/>\n    </testcase>\n"
            )),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
