//! Certificate record Ids: the CSV that `sf data query --use-tooling-api -q "SELECT Id,
//! DeveloperName, MasterLabel, ExpirationDate FROM Certificate" --result-format csv` writes, so
//! that settings naming a certificate by Id (`requestSigningCertId`, asset token certificates)
//! can be resolved to a Certificate component.

use std::collections::BTreeMap;

use crate::CertError;

/// Certificate record Ids, from `sf data query --use-tooling-api -q "SELECT Id, DeveloperName,
/// MasterLabel, ExpirationDate FROM Certificate" --result-format csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateIds {
    /// First 15 characters of the Id (case-sensitive) → DeveloperName.
    by_id: BTreeMap<String, String>,
}

impl CertificateIds {
    /// Parses the CSV: a header naming `Id` and `DeveloperName` (any order, other columns
    /// ignored), then one row per certificate. Quoted fields may hold commas and `""`.
    pub fn parse_csv(text: &str, file: &str) -> Result<CertificateIds, CertError> {
        let error = |line: usize, reason: String| CertError::CertificateIds {
            file: file.to_string(),
            line,
            reason,
        };
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let Some((header_index, header)) = lines.next() else {
            return Err(error(
                1,
                "the file is empty; expected a header with Id,DeveloperName".into(),
            ));
        };
        let header = split_csv(header.trim_start_matches('\u{feff}'))
            .map_err(|reason| error(header_index + 1, reason))?;
        let column = |name: &str| header.iter().position(|h| h.trim() == name);
        let (Some(id_column), Some(name_column)) = (column("Id"), column("DeveloperName")) else {
            return Err(error(
                header_index + 1,
                format!(
                    "the header has no Id and DeveloperName columns (found: {})",
                    header.join(",")
                ),
            ));
        };
        let mut by_id = BTreeMap::new();
        for (index, line) in lines {
            let fields = split_csv(line).map_err(|reason| error(index + 1, reason))?;
            let (Some(id), Some(name)) = (fields.get(id_column), fields.get(name_column)) else {
                return Err(error(
                    index + 1,
                    format!("expected {} fields, found {}", header.len(), fields.len()),
                ));
            };
            let id = id.trim();
            if id.len() != 15 && id.len() != 18 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(error(
                    index + 1,
                    format!("{id:?} is not a 15- or 18-character record Id"),
                ));
            }
            by_id.insert(id[..15].to_string(), name.trim().to_string());
        }
        Ok(CertificateIds { by_id })
    }

    /// The DeveloperName for an Id as metadata writes it (15 or 18 characters: the first 15
    /// are compared, case-sensitively).
    pub fn resolve(&self, id: &str) -> Option<&str> {
        self.by_id.get(id.get(..15)?).map(String::as_str)
    }
}

/// One CSV line into fields (RFC 4180 quoting; no fields spanning lines).
fn split_csv(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.trim_end_matches('\r').chars().peekable();
    let mut quoted = false;
    let mut was_quoted = false;
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() && !was_quoted => {
                quoted = true;
                was_quoted = true;
            }
            (',', false) => {
                fields.push(std::mem::take(&mut field));
                was_quoted = false;
            }
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed".to_string());
    }
    fields.push(field);
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_ids_match_on_the_first_15_characters_case_sensitively() {
        let csv = "\u{feff}Id,DeveloperName,MasterLabel,ExpirationDate\n\
                   0P1xx0000000001AAA,SSO_Signing,\"SSO, signing\",2027-01-15T00:00:00.000Z\n\
                   0P1xx0000000002,Other,Other,\n";
        let ids = CertificateIds::parse_csv(csv, "ids.csv").unwrap();
        assert_eq!(ids.resolve("0P1xx0000000001"), Some("SSO_Signing"));
        assert_eq!(ids.resolve("0P1xx0000000001ZZZ"), Some("SSO_Signing"));
        assert_eq!(ids.resolve("0p1xx0000000001"), None);
        assert_eq!(ids.resolve("0P1xx0000000002AAA"), Some("Other"));
        assert_eq!(ids.resolve("short"), None);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            ("", "ids.csv:1: the file is empty; expected a header with Id,DeveloperName"),
            (
                "Name,Label\n",
                "ids.csv:1: the header has no Id and DeveloperName columns (found: Name,Label)",
            ),
            (
                "Id,DeveloperName\nabc,X\n",
                "ids.csv:2: \"abc\" is not a 15- or 18-character record Id",
            ),
            ("Id,DeveloperName\n\"0P1xx0000000001,X\n", "ids.csv:2: a quoted field is not closed"),
            ("Id,DeveloperName\n0P1xx0000000001\n", "ids.csv:2: expected 2 fields, found 1"),
        ];
        for (text, expected) in cases {
            let err = CertificateIds::parse_csv(text, "ids.csv").unwrap_err().to_string();
            assert_eq!(err, expected);
        }
    }
}
