//! Certificate names written as string literals in Apex classes: `req.setClientCertificateName('X')`,
//! `new Auth.JWS(jwt, 'X')`, `Crypto.signWithCertificate(alg, data, 'X')`.
//!
//! This is a lexical search, not an Apex parser: it skips comments and string contents, finds
//! the three calls (Apex is case-insensitive), and takes the certificate argument only when it
//! is a plain string literal. A name built at run time cannot be known and is not reported.

/// A certificate name found in Apex code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeReference {
    /// The Apex class.
    pub class: String,
    /// 1-based line of the call.
    pub line: usize,
    /// The call, as written in the table below (`setClientCertificateName`).
    pub call: &'static str,
    /// The certificate name in the literal.
    pub certificate: String,
}

/// (call as matched, lower case; name shown; which string-literal argument is the name).
const CALLS: &[(&str, &str, Pick)] = &[
    ("setclientcertificatename", "setClientCertificateName", Pick::First),
    ("auth.jws", "Auth.JWS", Pick::Last),
    ("crypto.signwithcertificate", "Crypto.signWithCertificate", Pick::Last),
];

#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
}

/// Finds the certificate names in the Apex source of `class`.
pub fn find(class: &str, source: &str) -> Vec<CodeReference> {
    let code = blank_comments_and_strings(source);
    let lower = code.to_ascii_lowercase();
    let mut found = Vec::new();
    for &(needle, call, pick) in CALLS {
        let mut from = 0;
        while let Some(offset) = lower.get(from..).and_then(|s| s.find(needle)) {
            let start = from + offset;
            from = start + needle.len();
            // A whole identifier: not `mysetClientCertificateName`.
            let before = lower[..start].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[from..];
            let Some(open) = rest.find(|c: char| !c.is_whitespace()) else { continue };
            if !rest[open..].starts_with('(') {
                continue;
            }
            let args = arguments(source, from + open + 1, &code);
            let literal = match pick {
                Pick::First => args.first(),
                Pick::Last => args.last(),
            };
            if let Some(Some(name)) = literal {
                let line = source[..start].matches('\n').count() + 1;
                found.push(CodeReference {
                    class: class.to_string(),
                    line,
                    call,
                    certificate: name.clone(),
                });
            }
        }
    }
    found.sort_by_key(|r| r.line);
    found
}

/// The top-level arguments of a call starting after its `(` at byte `start`: `Some(text)` for
/// an argument that is exactly one string literal, `None` for anything else.
fn arguments(source: &str, start: usize, blanked: &str) -> Vec<Option<String>> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut arg_start = start;
    for (i, c) in blanked[start..].char_indices() {
        let at = start + i;
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth > 0 => depth -= 1,
            ',' | ')' if depth == 0 => {
                args.push(literal(source.get(arg_start..at).unwrap_or("")));
                if c == ')' {
                    return args;
                }
                arg_start = at + 1;
            }
            _ => {}
        }
    }
    Vec::new()
}

/// `'X'` → `Some("X")` (Apex strings use single quotes and backslash escapes).
fn literal(arg: &str) -> Option<String> {
    let inner = arg.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '\'' => return None, // two literals concatenated, or worse
            c => out.push(c),
        }
    }
    Some(out)
}

/// The source with comments and string contents replaced by spaces (same byte offsets), so
/// searches and bracket counting see only code. Quotes themselves are kept.
fn blank_comments_and_strings(source: &str) -> String {
    #[derive(PartialEq)]
    enum State {
        Code,
        Line,
        Block,
        Str,
    }
    let mut out = String::with_capacity(source.len());
    let mut state = State::Code;
    let mut chars = source.chars().peekable();
    let blank = |c: char, out: &mut String| {
        if c == '\n' {
            out.push('\n');
        } else {
            out.extend(std::iter::repeat_n(' ', c.len_utf8()));
        }
    };
    while let Some(c) = chars.next() {
        match state {
            State::Code => match (c, chars.peek()) {
                ('/', Some('/')) => {
                    state = State::Line;
                    blank(c, &mut out);
                }
                ('/', Some('*')) => {
                    state = State::Block;
                    blank(c, &mut out);
                    chars.next();
                    out.push(' ');
                }
                ('\'', _) => {
                    state = State::Str;
                    out.push(c);
                }
                _ => out.push(c),
            },
            State::Line => {
                if c == '\n' {
                    state = State::Code;
                }
                blank(c, &mut out);
            }
            State::Block => {
                if c == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    out.push_str("  ");
                    state = State::Code;
                } else {
                    blank(c, &mut out);
                }
            }
            State::Str => match c {
                '\\' => {
                    blank(c, &mut out);
                    if let Some(next) = chars.next() {
                        blank(next, &mut out);
                    }
                }
                '\'' => {
                    out.push(c);
                    state = State::Code;
                }
                c => blank(c, &mut out),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_in_the_three_calls() {
        let source = "public class C {\n\
            void a(HttpRequest req) { req.setClientCertificateName('Mtls_Client'); }\n\
            // req.setClientCertificateName('Commented_Out');\n\
            String b = new Auth.JWS(jwt, 'Jwt_Signer').getCompactSerialization();\n\
            Blob c = Crypto.signWithCertificate('RSA-SHA256', Blob.valueOf('x, y'), 'Crypto_Cert');\n\
            void d() { req.setClientCertificateName(certName); }\n\
            String e = 'setClientCertificateName(\\'In_A_String\\')';\n\
            }\n";
        let found: Vec<(usize, &str, String)> =
            find("C", source).into_iter().map(|r| (r.line, r.call, r.certificate)).collect();
        assert_eq!(
            found,
            [
                (2, "setClientCertificateName", "Mtls_Client".to_string()),
                (4, "Auth.JWS", "Jwt_Signer".to_string()),
                (5, "Crypto.signWithCertificate", "Crypto_Cert".to_string()),
            ]
        );
    }

    #[test]
    fn unbalanced_source_finds_nothing_and_does_not_panic() {
        for source in ["req.setClientCertificateName('x'", "Auth.JWS(", "'unterminated", "/* é"] {
            assert!(find("C", source).is_empty(), "{source}");
        }
    }
}
