//! What the test IdP remembers and writes: the last 100 SAML messages (for `/log`), each one
//! also as a file under `--log-dir`, and one line per HTTP request on stderr.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

/// How many messages `/log` keeps.
pub(crate) const KEPT: usize = 100;

/// One SAML message received or sent.
#[derive(Clone)]
pub(crate) struct Message {
    pub(crate) seq: u64,
    pub(crate) time: String,
    /// `received` or `sent`.
    pub(crate) direction: &'static str,
    /// `AuthnRequest`, `Response`, `LogoutRequest`, …
    pub(crate) kind: String,
    /// The SP's entity ID, when known.
    pub(crate) peer: String,
    pub(crate) xml: String,
}

pub(crate) struct MessageLog {
    inner: Mutex<(u64, VecDeque<Message>)>,
    dir: Option<PathBuf>,
}

impl MessageLog {
    pub(crate) fn new(dir: Option<PathBuf>) -> MessageLog {
        MessageLog { inner: Mutex::new((0, VecDeque::with_capacity(KEPT))), dir }
    }

    /// Records a message; under `--log-dir` also writes `NNNNNN-direction-kind.xml`.
    pub(crate) fn record(&self, direction: &'static str, kind: &str, peer: &str, xml: &str) {
        let time = crate::now::format_rfc3339(chrono::Utc::now());
        let seq = {
            let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            guard.0 += 1;
            let seq = guard.0;
            if guard.1.len() == KEPT {
                guard.1.pop_front();
            }
            guard.1.push_back(Message {
                seq,
                time,
                direction,
                kind: kind.to_string(),
                peer: peer.to_string(),
                xml: xml.to_string(),
            });
            seq
        };
        if let Some(dir) = &self.dir {
            let name = format!("{seq:06}-{direction}-{kind}.xml");
            if let Err(e) = std::fs::write(dir.join(&name), xml) {
                eprintln!(
                    "warning: cannot write {}: {}",
                    dir.join(name).display(),
                    crate::io::describe_io(&e)
                );
            }
        }
    }

    pub(crate) fn snapshot(&self) -> Vec<Message> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).1.iter().cloned().collect()
    }

    pub(crate) fn get(&self, seq: u64) -> Option<Message> {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .1
            .iter()
            .find(|m| m.seq == seq)
            .cloned()
    }
}

/// One request, as logged.
#[derive(Serialize)]
pub(crate) struct RequestLine<'a> {
    pub(crate) time: String,
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) status: u16,
    pub(crate) sp: Option<&'a str>,
    pub(crate) outcome: &'a str,
    pub(crate) ms: f64,
}

impl RequestLine<'_> {
    pub(crate) fn print(&self, json: bool) {
        let line = if json {
            serde_json::to_string(self).unwrap_or_default()
        } else {
            format!(
                "{} {} {} {} sp={} outcome={} {:.1}ms",
                self.time,
                self.method,
                self.path,
                self.status,
                self.sp.unwrap_or("-"),
                self.outcome,
                self.ms
            )
        };
        eprintln!("{}", crate::shown::terminal(&line));
    }
}

/// XML with one element per line, indented (for reading, not for verifying).
pub(crate) fn pretty(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + xml.len() / 4);
    let mut depth: usize = 0;
    let mut rest = xml.trim();
    while let Some(start) = rest.find('<') {
        let text = rest[..start].trim();
        if !text.is_empty() {
            out.push_str(text);
        }
        let Some(end) = rest[start..].find('>') else { break };
        let tag = &rest[start..start + end + 1];
        let closing = tag.starts_with("</");
        let self_closing = tag.ends_with("/>") || tag.starts_with("<?") || tag.starts_with("<!");
        if closing {
            depth = depth.saturating_sub(1);
        }
        // A closing tag right after its text stays on the text's line.
        if !closing || text.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&"  ".repeat(depth));
        }
        out.push_str(tag);
        if !closing && !self_closing {
            depth += 1;
        }
        rest = &rest[start + end + 1..];
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_last_hundred_messages() {
        let log = MessageLog::new(None);
        for n in 1..=250 {
            log.record("received", "AuthnRequest", "https://sp.example.com", &format!("<m{n}/>"));
        }
        let kept = log.snapshot();
        assert_eq!(kept.len(), KEPT);
        assert_eq!((kept[0].seq, kept[KEPT - 1].seq), (151, 250));
        assert_eq!(kept[KEPT - 1].xml, "<m250/>");
        assert!(log.get(150).is_none(), "older messages are gone");
        assert_eq!(log.get(151).map(|m| m.xml), Some("<m151/>".to_string()));
    }
}
