//! The oracle: what "logged in" and "refused" look like at one service provider, learned from
//! two baselines (a genuine response, which it must accept, and one with a broken signature,
//! which it must refuse), and each case judged by how close it comes to either.
//!
//! HTTP status alone is not evidence: an SP may answer every refusal with `200` and a polite
//! page, or answer a good login with `302` to the application. So an [`Observation`] compares on
//! five signals: the status chain, the final status, the final URL's path, the names of the
//! cookies set, and a fingerprint of the final page's words (numbers, IDs and tokens removed).
//! When a `--whoami` page was fetched, the identity it shows decides alone: it is the only
//! dependable oracle for signature wrapping and comment injection.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::{ErrorKind, SamlError};

/// What the service provider did with one posting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observation {
    /// Every status on the way, the ACS POST's first, then each redirect followed.
    pub statuses: Vec<u16>,
    /// The URL of the last response.
    pub final_url: String,
    /// Names of the cookies set on the way (in `Set-Cookie` headers), sorted, once each.
    pub new_cookies: Vec<String>,
    /// The final page's text (HTML as received).
    pub page: String,
    /// The NameID the whoami page shows, when `--whoami` was fetched and shows one.
    pub whoami: Option<String>,
    /// An identity the final page itself shows (a welcome page naming the user), if any.
    pub page_identity: Option<String>,
}

/// The judgement of one case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The SP logged the user in: the attack worked.
    Accepted,
    /// The SP refused the response.
    Refused,
    /// Close to neither baseline, or as close to both: look at the saved page.
    Inconclusive,
}

impl Verdict {
    /// `ACCEPTED`, `REFUSED` or `INCONCLUSIVE`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Accepted => "ACCEPTED",
            Verdict::Refused => "REFUSED",
            Verdict::Inconclusive => "INCONCLUSIVE",
        }
    }
}

/// How far apart two similarities must be for a verdict (out of 1).
pub const MARGIN: f64 = 0.1;
/// Below this similarity to both baselines a case is INCONCLUSIVE.
pub const MIN_SIMILARITY: f64 = 0.35;
/// Baselines at least this similar cannot be told apart.
pub const INDISTINCT: f64 = 0.95;

/// What `--accepted-if` / `--refused-if` said about a page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--accepted-if` matched the final URL or page.
    pub accepted: bool,
    /// `--refused-if` matched the final URL or page.
    pub refused: bool,
}

impl Overrides {
    fn verdict(self) -> Option<Verdict> {
        match (self.accepted, self.refused) {
            (true, true) => Some(Verdict::Inconclusive),
            (true, false) => Some(Verdict::Accepted),
            (false, true) => Some(Verdict::Refused),
            (false, false) => None,
        }
    }
}

/// An observation reduced to what is compared.
#[derive(Clone, Debug, PartialEq)]
struct Profile {
    statuses: Vec<u16>,
    final_status: Option<u16>,
    path: String,
    cookies: BTreeSet<String>,
    words: BTreeSet<String>,
}

impl Profile {
    fn of(o: &Observation) -> Profile {
        Profile {
            statuses: o.statuses.clone(),
            final_status: o.statuses.last().copied(),
            path: url_path(&o.final_url).to_string(),
            cookies: o.new_cookies.iter().cloned().collect(),
            words: page_words(&o.page),
        }
    }

    /// 0 (nothing alike) to 1 (the same on every signal). The page counts twice: it is where
    /// a polite refusal and a welcome page differ when everything else is the same.
    fn similarity(&self, other: &Profile) -> f64 {
        let same = |b: bool| if b { 1.0 } else { 0.0 };
        let parts = [
            (1.0, same(self.statuses == other.statuses)),
            (1.0, same(self.final_status == other.final_status)),
            (1.0, same(self.path == other.path)),
            (1.0, jaccard(&self.cookies, &other.cookies)),
            (2.0, jaccard(&self.words, &other.words)),
        ];
        let total: f64 = parts.iter().map(|(w, _)| w).sum();
        parts.iter().map(|(w, s)| w * s).sum::<f64>() / total
    }
}

/// What the two baselines look like, learned once per audit.
#[derive(Clone, Debug)]
pub struct Baselines {
    accepted: Profile,
    refused: Profile,
    /// The whoami page was fetched: its identity decides.
    whoami: bool,
}

impl Baselines {
    /// Learns from the genuine response's observation (`accepted`) and the broken signature's
    /// (`refused`). With `whoami` the identity the page shows must be `name_id` after the genuine
    /// login and nobody after the broken signature; without, the two must differ enough.
    ///
    /// ```
    /// use samlkit_saml::audit::{Baselines, Observation};
    /// let welcome = Observation {
    ///     statuses: vec![302, 200],
    ///     final_url: "http://127.0.0.1:8000/home".into(),
    ///     new_cookies: vec!["session".into()],
    ///     page: "<h1>Welcome, alice@example.com</h1>".into(),
    ///     whoami: None,
    ///     page_identity: Some("alice@example.com".into()),
    /// };
    /// let sorry = Observation {
    ///     statuses: vec![200],
    ///     final_url: "http://127.0.0.1:8000/acs".into(),
    ///     page: "<p>Sorry, we could not sign you in.</p>".into(),
    ///     ..Observation::default()
    /// };
    /// assert!(Baselines::learn(&welcome, &sorry, "alice@example.com", false).is_ok());
    /// assert!(Baselines::learn(&sorry, &sorry, "alice@example.com", false).is_err());
    /// ```
    pub fn learn(
        accepted: &Observation,
        refused: &Observation,
        name_id: &str,
        whoami: bool,
    ) -> Result<Baselines, SamlError> {
        Baselines::learn_with_overrides(accepted, refused, name_id, whoami, None)
    }

    /// [`Baselines::learn`] when `--accepted-if` / `--refused-if` were given: `overrides` is what
    /// they said about the genuine login's observation and about the broken signature's. They
    /// must say ACCEPTED and REFUSED respectively (else the expressions are wrong for this SP);
    /// then baselines that look alike are usable, since the expressions decide.
    pub fn learn_with_overrides(
        accepted: &Observation,
        refused: &Observation,
        name_id: &str,
        whoami: bool,
        overrides: Option<(Overrides, Overrides)>,
    ) -> Result<Baselines, SamlError> {
        // The expressions must not call the genuine login refused, nor the forgery accepted.
        let misjudged = overrides.is_some_and(|(on_accepted, on_refused)| {
            matches!(on_accepted.verdict(), Some(Verdict::Refused | Verdict::Inconclusive))
                || matches!(on_refused.verdict(), Some(Verdict::Accepted | Verdict::Inconclusive))
        });
        if misjudged {
            return Err(SamlError::new(
                ErrorKind::AuditBaselinesUnusable,
                "--accepted-if / --refused-if judge the genuine login or the broken signature wrongly (the genuine login must not match --refused-if, the broken signature not --accepted-if)",
            ));
        }
        let decided_by_overrides = overrides.is_some_and(|(a, r)| {
            a.verdict() == Some(Verdict::Accepted) || r.verdict() == Some(Verdict::Refused)
        });
        let unusable = |detail: String| SamlError::new(ErrorKind::AuditBaselinesUnusable, detail);
        if whoami {
            if accepted.whoami.as_deref() != Some(name_id) {
                return Err(unusable(format!(
                    "after the genuine login the --whoami page does not show {name_id} (check --whoami and --whoami-regex, and that the SP accepts the genuine response)"
                )));
            }
            if let Some(identity) = &refused.whoami {
                return Err(unusable(format!(
                    "after a response with a broken signature the --whoami page shows {identity} logged in: the SP accepts forged signatures, or --whoami-regex matches a page without a login"
                )));
            }
        }
        let baselines =
            Baselines { accepted: Profile::of(accepted), refused: Profile::of(refused), whoami };
        let similarity = baselines.accepted.similarity(&baselines.refused);
        if !whoami && !decided_by_overrides && similarity >= INDISTINCT {
            return Err(unusable(format!(
                "the SP answers a genuine response and a broken signature alike (similarity {similarity:.2}), so no verdict would mean anything: give --whoami URL, or --accepted-if / --refused-if REGEX"
            )));
        }
        Ok(baselines)
    }

    /// Judges one observation; `overrides` (from `--accepted-if` / `--refused-if`) win over the
    /// distances, and a whoami identity wins over both.
    ///
    /// For an identity attack (`signed_identity` given, see
    /// [`AuditCase::identity_attack`](super::AuditCase::identity_attack)) a login is only the
    /// attack's success if the SP logged in someone else than the identity the IdP signed: a login
    /// as exactly that identity is REFUSED (the attack did not choose who logged in), and a login
    /// whose identity neither whoami nor the page shows is INCONCLUSIVE.
    pub fn judge(
        &self,
        o: &Observation,
        overrides: Overrides,
        signed_identity: Option<&str>,
    ) -> Judgement {
        let profile = Profile::of(o);
        let to_accepted = profile.similarity(&self.accepted);
        let to_refused = profile.similarity(&self.refused);
        let verdict = if self.whoami {
            if o.whoami.is_some() { Verdict::Accepted } else { Verdict::Refused }
        } else if let Some(forced) = overrides.verdict() {
            forced
        } else if to_accepted.max(to_refused) < MIN_SIMILARITY
            || (to_accepted - to_refused).abs() < MARGIN
        {
            Verdict::Inconclusive
        } else if to_accepted > to_refused {
            Verdict::Accepted
        } else {
            Verdict::Refused
        };
        let mut judgement = Judgement { verdict, to_accepted, to_refused, note: None };
        if let (Verdict::Accepted, Some(signed)) = (verdict, signed_identity) {
            match o.whoami.as_deref().or(o.page_identity.as_deref()) {
                Some(who) if who == signed => {
                    judgement.verdict = Verdict::Refused;
                    judgement.note = Some(format!(
                        "logged in as the signed identity {who}: the attack did not choose who logged in"
                    ));
                }
                Some(_) => {}
                None => {
                    judgement.verdict = Verdict::Inconclusive;
                    judgement.note = Some(
                        "looks like a login, but nothing shows who logged in: give --whoami URL"
                            .to_string(),
                    );
                }
            }
        }
        judgement
    }
}

/// A verdict and the distances it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Similarity to the genuine login's baseline, 0 to 1.
    pub to_accepted: f64,
    /// Similarity to the broken signature's baseline, 0 to 1.
    pub to_refused: f64,
    /// What decided the verdict when the distances did not (an identity attack's identity).
    pub note: Option<String>,
}

/// The path of a URL (no scheme, host, query or fragment): `http://h/acs?x=1` → `/acs`.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.find('/').map_or("/", |i| &rest[i..]);
    rest.split(['?', '#']).next().unwrap_or("/")
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The words of a page, for its fingerprint: tags, scripts and styles removed, lower case, and
/// every word with a digit in it, or longer than 24 characters (IDs, tokens, times), dropped,
/// so two renderings of the same page differ only where their text does.
///
/// ```
/// let a = samlkit_saml::audit::page_words("<p>Request _a81f3c2 failed at 10:42</p>");
/// let b = samlkit_saml::audit::page_words("<p>Request _9d0e4b1 failed at 11:07</p>");
/// assert_eq!(a, b);
/// ```
pub fn page_words(page: &str) -> BTreeSet<String> {
    let text = strip_markup(page);
    text.split(|c: char| !(c.is_alphanumeric() || c == '@' || c == '_' || c == '-'))
        .filter(|w| w.chars().count() >= 2 && w.chars().count() <= 24)
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_lowercase)
        .collect()
}

/// The text between tags, with `<script>` and `<style>` contents dropped.
fn strip_markup(page: &str) -> String {
    let lower = page.to_ascii_lowercase();
    let mut out = String::with_capacity(page.len());
    let mut i = 0;
    while i < page.len() {
        let rest = &lower[i..];
        if let Some(skip) = ["script", "style"].iter().find_map(|t| {
            rest.strip_prefix('<')
                .filter(|r| r.starts_with(t))
                .and_then(|_| rest.find(&format!("</{t}")).map(|end| end + t.len() + 2))
        }) {
            i += skip;
            continue;
        }
        if rest.starts_with('<') {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push(' ');
            continue;
        }
        let next = rest.find('<').unwrap_or(rest.len());
        out.push_str(&page[i..i + next]);
        i += next;
    }
    out
}

/// Which of `candidates` a whoami page shows, the longest first (so `alice@example.com.evil`
/// is not read as `alice@example.com`); `None` when it shows none of them.
///
/// ```
/// use samlkit_saml::audit::find_identity;
/// let page = "<p>You are attacker@evil.example</p>";
/// assert_eq!(find_identity(page, &["alice@example.com", "attacker@evil.example"]),
///            Some("attacker@evil.example".to_string()));
/// assert_eq!(find_identity("<p>Not signed in</p>", &["alice@example.com"]), None);
/// ```
pub fn find_identity(page: &str, candidates: &[&str]) -> Option<String> {
    let text = strip_markup(page);
    let mut sorted: Vec<&str> = candidates.iter().copied().filter(|c| !c.is_empty()).collect();
    sorted.sort_by_key(|c| std::cmp::Reverse(c.len()));
    sorted.into_iter().find(|c| contains_word(&text, c)).map(str::to_string)
}

/// `needle` in `text`, not as part of a longer identity (`alice@example.com` is not in
/// `alice@example.com.evil.example`).
fn contains_word(text: &str, needle: &str) -> bool {
    let continues = |c: char| c.is_alphanumeric() || matches!(c, '@' | '.' | '_' | '-');
    text.match_indices(needle).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let rest = &text[at + needle.len()..];
        // A full stop that ends a sentence does not continue the identity; one before more
        // name does (`alice@example.com.evil.example`).
        let sentence_end = rest.starts_with('.') && !rest[1..].starts_with(char::is_alphanumeric);
        let after = rest.chars().next();
        !before.is_some_and(continues) && (sentence_end || !after.is_some_and(continues))
    })
}
