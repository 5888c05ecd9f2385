//! A small PEM (RFC 7468) reader and writer: labelled base64 blocks, plus the RFC 1421 headers
//! that OpenSSL's legacy encrypted keys carry (`Proc-Type: 4,ENCRYPTED`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::CertError;

/// One decoded PEM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PemBlock {
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// RFC 1421 headers (`Name: value`) found before the base64 body.
    pub headers: Vec<(String, String)>,
    /// The decoded body.
    pub der: Vec<u8>,
    /// 1-based line of the BEGIN line.
    pub line: usize,
}

impl PemBlock {
    /// Whether an RFC 1421 `Proc-Type` header marks the body as encrypted.
    pub(crate) fn is_legacy_encrypted(&self) -> bool {
        self.headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("Proc-Type") && value.contains("ENCRYPTED")
        })
    }
}

/// Whether `bytes` looks like PEM text rather than DER (DER always starts with a tag byte, and
/// the ones we read start with SEQUENCE, 0x30).
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(_) => return false,
    };
    text.contains("-----BEGIN ")
}

/// Decodes every PEM block in `text`, in order. Text outside blocks (OpenSSL's
/// `subject=…` explanations, comments) is ignored, as RFC 7468 allows.
pub(crate) fn parse_all(text: &str) -> Result<Vec<PemBlock>, CertError> {
    // Windows editors save with a UTF-8 byte-order mark; it is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let line = line.trim();
        let Some(label) = begin_label(line) else { continue };
        let begin_line = index + 1;
        let mut headers = Vec::new();
        let mut body = String::new();
        let mut ended = false;
        for (index, line) in lines.by_ref() {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix("-----END ") {
                let end_label = rest.strip_suffix("-----").unwrap_or(rest);
                if end_label != label {
                    return Err(CertError::Pem {
                        line: index + 1,
                        reason: format!("BEGIN {label} is closed by END {end_label}"),
                    });
                }
                ended = true;
                break;
            }
            if body.is_empty()
                && let Some((name, value)) = line.split_once(':')
            {
                headers.push((name.trim().to_string(), value.trim().to_string()));
                continue;
            }
            if line.starts_with("-----BEGIN ") {
                return Err(CertError::Pem {
                    line: index + 1,
                    reason: format!("BEGIN {label} at line {begin_line} has no END line"),
                });
            }
            body.push_str(line);
        }
        if !ended {
            return Err(CertError::Pem {
                line: begin_line,
                reason: format!("BEGIN {label} has no matching END {label} line"),
            });
        }
        let der = STANDARD.decode(body.as_bytes()).map_err(|e| CertError::Pem {
            line: begin_line,
            reason: format!("the base64 body of the {label} block is invalid ({e})"),
        })?;
        blocks.push(PemBlock { label: label.to_string(), headers, der, line: begin_line });
    }
    Ok(blocks)
}

fn begin_label(line: &str) -> Option<&str> {
    line.strip_prefix("-----BEGIN ")?.strip_suffix("-----")
}

/// Encodes `der` as a PEM block with 64-character lines and a trailing newline.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let body = STANDARD.encode(der);
    let mut out = String::with_capacity(body.len() + body.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    let mut rest = body.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

/// A short description of the blocks found, for "expected X, found Y" errors.
pub(crate) fn describe_labels(blocks: &[PemBlock]) -> String {
    if blocks.is_empty() {
        return "the input has no PEM block and is not DER".to_string();
    }
    let labels: Vec<String> =
        blocks.iter().map(|b| format!("{} (line {})", b.label, b.line)).collect();
    format!("the PEM blocks found are {}", labels.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_wraps_at_64_columns() {
        let der: Vec<u8> = (0..=255u8).collect();
        let text = encode("TEST DATA", &der);
        assert!(text.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        let blocks = parse_all(&text).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "TEST DATA");
        assert_eq!(blocks[0].der, der);
    }

    #[test]
    fn reports_missing_end_and_bad_base64_with_lines() {
        let err = parse_all("junk\n-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap_err();
        assert_eq!(
            err,
            CertError::Pem {
                line: 2,
                reason: "BEGIN CERTIFICATE has no matching END CERTIFICATE line".into()
            }
        );
        let err = parse_all("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
            .unwrap_err();
        assert!(matches!(err, CertError::Pem { line: 1, .. }), "{err:?}");
        let err = parse_all("-----BEGIN A-----\nAAAA\n-----END B-----\n").unwrap_err();
        assert!(err.to_string().contains("BEGIN A is closed by END B"), "{err}");
    }

    #[test]
    fn keeps_rfc1421_headers() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        let blocks = parse_all(text).unwrap();
        assert!(blocks[0].is_legacy_encrypted());
    }
}
