//! JWT bearer tokens for the OAuth 2.0 JWT bearer flow (RFC 7523) as Salesforce connected apps
//! use it: an RS256 JWS (RFC 7515) in compact serialization whose claims (RFC 7519) are `iss`
//! (the connected app's consumer key), `sub` (the username), `aud` (the login host) and `exp`.
//!
//! Issuing applies Salesforce's rules: an RSA key (Salesforce accepts RS256 only), `aud` must be
//! `https://login.salesforce.com`, `https://test.salesforce.com` or an https site URL, and `exp`
//! at most 180 s ahead; `force` lifts them for other servers, where an EC key signs ES256
//! (P-256) or ES384 (P-384), with the JWS fixed-size `r || s` signature (RFC 7518 §3.4).
//! Verification accepts RS256, ES256 and ES384, each only with a key of its kind, so a token
//! cannot choose a weaker algorithm (`none`) or turn the public key into an HMAC secret
//! (`HS256`).
//!
//! ```
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::jwt::{self, JwtRequest};
//! use samlkit_cert::{Certificate, PrivateKey};
//! let key = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
//! let cert = Certificate::load(include_bytes!("../../../fixtures/certs/idp.crt"))?;
//! // The caller reads the clock (or takes --now); this crate never does.
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
//! let request = JwtRequest::new("3MVG9…consumer-key", "alice@example.com", now);
//! let token = jwt::issue(&request, &key.signer()?)?;
//! let verified = jwt::verify(&token, cert.public_key(), now, jwt::DEFAULT_SKEW_SECONDS, None)?;
//! assert_eq!(verified.claims["sub"], "alice@example.com");
//! # Ok(()) }
//! ```

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::{CertError, KeyAlgorithm, PublicKey, SignatureAlgorithm, Signer};

/// Salesforce production login, the default audience.
pub const SALESFORCE_LOGIN: &str = "https://login.salesforce.com";
/// Salesforce sandbox login.
pub const SALESFORCE_TEST: &str = "https://test.salesforce.com";
/// Salesforce rejects assertions that expire more than this many seconds ahead.
pub const MAX_SALESFORCE_TTL_SECONDS: i64 = 180;
/// Default lifetime of an issued token.
pub const DEFAULT_TTL_SECONDS: i64 = 180;
/// Clock skew tolerated when checking `exp` and `nbf`.
pub const DEFAULT_SKEW_SECONDS: i64 = 30;
/// Longest token accepted for verification.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// What to put in a token. [`JwtRequest::new`] fills in Salesforce's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwtRequest {
    /// `iss`: the connected app's consumer key (client ID).
    pub issuer: String,
    /// `sub`: the username to log in as.
    pub subject: String,
    /// `aud`: the authorization server.
    pub audience: String,
    /// `exp` = `now` + this many seconds.
    pub ttl_seconds: i64,
    /// The time of issue (read by the caller).
    pub now: DateTime<Utc>,
    /// Optional `kid` header (which certificate of the connected app signed).
    pub key_id: Option<String>,
    /// Optional `jti` claim (a unique token ID; see [`new_jwt_id`]).
    pub jwt_id: Option<String>,
    /// Skip the Salesforce audience and lifetime rules.
    pub force: bool,
}

impl JwtRequest {
    /// A request with the default audience and lifetime and no `kid`/`jti`.
    pub fn new(issuer: impl Into<String>, subject: impl Into<String>, now: DateTime<Utc>) -> Self {
        JwtRequest {
            issuer: issuer.into(),
            subject: subject.into(),
            audience: SALESFORCE_LOGIN.to_string(),
            ttl_seconds: DEFAULT_TTL_SECONDS,
            now,
            key_id: None,
            jwt_id: None,
            force: false,
        }
    }
}

#[derive(Serialize)]
struct Header<'a> {
    alg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    jti: Option<&'a str>,
}

/// Whether Salesforce accepts `audience` as a token endpoint host: its login and test hosts, or
/// an https URL with a host (My Domain, Experience Cloud site).
pub fn check_audience(audience: &str) -> Result<(), CertError> {
    let rest = audience.strip_prefix("https://").unwrap_or("");
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_ok = !host.is_empty()
        && !host.contains('@')
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && host.contains('.');
    let clean = !audience.contains(['?', '#']) && !audience.chars().any(char::is_whitespace);
    if host_ok && clean {
        Ok(())
    } else {
        Err(CertError::JwtAudienceNotAllowed(audience.to_string()))
    }
}

/// A random token ID (UUID version 4 form), for the `jti` claim.
pub fn new_jwt_id() -> Result<String, CertError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| CertError::Signing(format!("random generator: {e}")))?;
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]))
}

/// Issues a token for `request`, signed with `signer`: RS256 with an RSA key; with
/// `request.force`, ES256 or ES384 with an EC P-256 or P-384 key.
///
/// Salesforce's rules apply unless `request.force` is set: the key must be RSA, the audience
/// one of its login hosts or an https site, and the token may live at most
/// [`MAX_SALESFORCE_TTL_SECONDS`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use samlkit_cert::jwt::{self, JwtRequest};
/// use samlkit_cert::{CertError, PrivateKey};
/// # fn main() -> Result<(), CertError> {
/// let signer = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?.signer()?;
/// let now = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
/// let mut request = JwtRequest::new("consumer-key", "alice@example.com", now);
/// request.key_id = Some("sso-2026".into());
/// let token = jwt::issue(&request, &signer)?;
/// assert_eq!(token.split('.').count(), 3); // header.claims.signature
///
/// // Salesforce refuses tokens that live longer than three minutes, so issuing one fails here.
/// request.ttl_seconds = 3600;
/// assert!(matches!(jwt::issue(&request, &signer), Err(CertError::JwtTtlTooLong(3600))));
/// # Ok(()) }
/// ```
pub fn issue(request: &JwtRequest, signer: &Signer) -> Result<String, CertError> {
    if !(1..=31_536_000).contains(&request.ttl_seconds) {
        return Err(CertError::JwtInvalidTtl(request.ttl_seconds));
    }
    if !request.force {
        if request.ttl_seconds > MAX_SALESFORCE_TTL_SECONDS {
            return Err(CertError::JwtTtlTooLong(request.ttl_seconds));
        }
        check_audience(&request.audience)?;
    }
    for (name, value) in
        [("iss", &request.issuer), ("sub", &request.subject), ("aud", &request.audience)]
    {
        if value.trim().is_empty() {
            return Err(CertError::JwtEmptyClaim(name));
        }
    }
    let (alg, signature_alg) = JwsAlgorithm::for_key(signer.algorithm());
    if !request.force && alg != JwsAlgorithm::Rs256 {
        return Err(CertError::JwtNotRsa(signer.algorithm()));
    }
    let header = Header { alg: alg.name(), kid: request.key_id.as_deref() };
    let claims = Claims {
        iss: &request.issuer,
        sub: &request.subject,
        aud: &request.audience,
        exp: request.now.timestamp() + request.ttl_seconds,
        jti: request.jwt_id.as_deref(),
    };
    let mut token = format!("{}.{}", encode_json(&header)?, encode_json(&claims)?);
    let signature = signer.sign(signature_alg, token.as_bytes())?;
    token.push('.');
    token.push_str(&URL_SAFE_NO_PAD.encode(signature));
    Ok(token)
}

/// The JWS algorithms samlkit signs and accepts (RFC 7518 §3): one per kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256: what Salesforce requires.
    Rs256,
    /// ECDSA P-256 with SHA-256, signature `r || s` (64 bytes).
    Es256,
    /// ECDSA P-384 with SHA-384, signature `r || s` (96 bytes).
    Es384,
}

impl JwsAlgorithm {
    const ALL: [JwsAlgorithm; 3] = [JwsAlgorithm::Rs256, JwsAlgorithm::Es256, JwsAlgorithm::Es384];

    fn name(self) -> &'static str {
        match self {
            JwsAlgorithm::Rs256 => "RS256",
            JwsAlgorithm::Es256 => "ES256",
            JwsAlgorithm::Es384 => "ES384",
        }
    }

    /// Exact, case-sensitive match (RFC 7515 §4.1.1): `rs256` is not RS256.
    fn from_name(name: &str) -> Option<JwsAlgorithm> {
        JwsAlgorithm::ALL.into_iter().find(|alg| alg.name() == name)
    }

    fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            JwsAlgorithm::Rs256 => SignatureAlgorithm::RsaSha256,
            JwsAlgorithm::Es256 => SignatureAlgorithm::EcdsaP256Sha256,
            JwsAlgorithm::Es384 => SignatureAlgorithm::EcdsaP384Sha384,
        }
    }

    /// The algorithm a key of kind `key` signs with.
    fn for_key(key: KeyAlgorithm) -> (JwsAlgorithm, SignatureAlgorithm) {
        let alg = match key {
            KeyAlgorithm::Rsa { .. } => JwsAlgorithm::Rs256,
            KeyAlgorithm::EcdsaP256 => JwsAlgorithm::Es256,
            KeyAlgorithm::EcdsaP384 => JwsAlgorithm::Es384,
        };
        (alg, alg.signature_algorithm())
    }
}

fn encode_json<T: Serialize>(value: &T) -> Result<String, CertError> {
    let json = serde_json::to_vec(value).map_err(|e| CertError::JwtMalformed(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// A token whose signature, algorithm and time window have been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJwt {
    /// The JOSE header.
    pub header: Map<String, Value>,
    /// The claims (only returned after the signature verified).
    pub claims: Map<String, Value>,
    /// `exp` as a time.
    pub expires_at: DateTime<Utc>,
}

impl Serialize for VerifiedJwt {
    /// `{"header": …, "claims": …, "expires_at": "…Z"}`: the shape `samlkit jwt verify --json`
    /// prints (which adds `valid`, `expires_in` and `cert_sha256`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("VerifiedJwt", 3)?;
        s.serialize_field("header", &self.header)?;
        s.serialize_field("claims", &self.claims)?;
        s.serialize_field(
            "expires_at",
            &self.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )?;
        s.end()
    }
}

/// Verifies a compact RS256, ES256 or ES384 token against several trusted certificates, as during a key
/// rotation when the old and the new key both sign, and returns the index of the certificate
/// whose key verified.
///
/// A certificate whose key did not make the signature (or is not of the token's kind) is skipped; any other
/// failure (malformed token, refused algorithm, expiry, audience) does not depend on the key and
/// is returned at once.
pub fn verify_with_certificates(
    token: &str,
    trusted: &[crate::Certificate],
    now: DateTime<Utc>,
    skew_seconds: i64,
    expected_audience: Option<&str>,
) -> Result<(VerifiedJwt, usize), CertError> {
    let mut outcome = Err(CertError::JwtSignatureInvalid);
    for (index, candidate) in trusted.iter().enumerate() {
        outcome = verify(token, candidate.public_key(), now, skew_seconds, expected_audience)
            .map(|v| (v, index));
        if !matches!(
            outcome,
            Err(CertError::JwtSignatureInvalid
                | CertError::JwtNotRsa(_)
                | CertError::JwtKeyMismatch { .. })
        ) {
            break;
        }
    }
    outcome
}

/// Verifies a compact token with `key`: algorithm (RS256, ES256 or ES384, and the key must be of
/// that kind), signature, then `exp`
/// (required) and `nbf` (if present) against `now` with `skew_seconds`, then `aud` if
/// `expected_audience` is given.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use samlkit_cert::jwt::{self, JwtRequest};
/// use samlkit_cert::{CertError, Certificate, PrivateKey};
/// # fn main() -> Result<(), CertError> {
/// let key = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
/// let cert = Certificate::load(include_bytes!("../../../fixtures/certs/idp.crt"))?;
/// let issued_at = Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap();
/// let request = JwtRequest::new("consumer-key", "alice@example.com", issued_at);
/// let token = jwt::issue(&request, &key.signer()?)?;
///
/// let verified =
///     jwt::verify(&token, cert.public_key(), issued_at, 30, Some(jwt::SALESFORCE_LOGIN))?;
/// assert_eq!(verified.expires_at, issued_at + Duration::seconds(180));
///
/// // Ten minutes later the token has expired, beyond the 30 s skew.
/// let later = issued_at + Duration::minutes(10);
/// let err = jwt::verify(&token, cert.public_key(), later, 30, None).unwrap_err();
/// assert!(matches!(err, CertError::JwtExpired { .. }));
/// # Ok(()) }
/// ```
pub fn verify(
    token: &str,
    key: &PublicKey,
    now: DateTime<Utc>,
    skew_seconds: i64,
    expected_audience: Option<&str>,
) -> Result<VerifiedJwt, CertError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return Err(CertError::JwtMalformed(format!("longer than {MAX_TOKEN_BYTES} bytes")));
    }
    let parts: Vec<&str> = token.split('.').collect();
    let [header_b64, claims_b64, signature_b64] = parts.as_slice() else {
        return Err(CertError::JwtMalformed(format!(
            "expected 3 dot-separated parts (header.claims.signature), found {}",
            parts.len()
        )));
    };
    let header = decode_object("header", header_b64)?;
    let alg = match header.get("alg") {
        Some(Value::String(name)) => JwsAlgorithm::from_name(name).ok_or_else(|| {
            CertError::JwtAlgorithmRefused(Value::from(name.as_str()).to_string())
        })?,
        Some(other) => return Err(CertError::JwtAlgorithmRefused(other.to_string())),
        None => return Err(CertError::JwtMalformed("the header has no alg".into())),
    };
    if let Some(crit) = header.get("crit") {
        return Err(CertError::JwtCriticalHeader(crit.to_string()));
    }
    let signature = URL_SAFE_NO_PAD.decode(signature_b64).map_err(|e| {
        CertError::JwtMalformed(format!("signature is not base64url without padding ({e})"))
    })?;
    let signed = format!("{header_b64}.{claims_b64}");
    key.verify(alg.signature_algorithm(), signed.as_bytes(), &signature).map_err(|e| match e {
        CertError::AlgorithmMismatch { .. } if alg == JwsAlgorithm::Rs256 => {
            CertError::JwtNotRsa(key.algorithm())
        }
        CertError::AlgorithmMismatch { .. } => {
            CertError::JwtKeyMismatch { alg: alg.name(), key: key.algorithm() }
        }
        _ => CertError::JwtSignatureInvalid,
    })?;

    let claims = decode_object("claims", claims_b64)?;
    let now_s = now.timestamp();
    let exp = claims.get("exp").and_then(numeric_date).ok_or(CertError::JwtMissingExpiry)?;
    if now_s - exp > skew_seconds {
        return Err(CertError::JwtExpired {
            expired_at: rfc3339(exp),
            seconds: now_s - exp,
            skew: skew_seconds,
        });
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = numeric_date(nbf)
            .ok_or_else(|| CertError::JwtMalformed("nbf is not a number".into()))?;
        if nbf - now_s > skew_seconds {
            return Err(CertError::JwtNotYetValid {
                not_before: rfc3339(nbf),
                seconds: nbf - now_s,
                skew: skew_seconds,
            });
        }
    }
    if let Some(expected) = expected_audience {
        let matches = match claims.get("aud") {
            Some(Value::String(a)) => a == expected,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(expected)),
            _ => false,
        };
        if !matches {
            let found = claims.get("aud").map_or("no audience".to_string(), Value::to_string);
            return Err(CertError::JwtAudienceMismatch { expected: expected.to_string(), found });
        }
    }
    let expires_at = Utc.timestamp_opt(exp, 0).single().ok_or(CertError::JwtMissingExpiry)?;
    Ok(VerifiedJwt { header, claims, expires_at })
}

fn decode_object(part: &str, b64: &str) -> Result<Map<String, Value>, CertError> {
    let bytes = URL_SAFE_NO_PAD.decode(b64).map_err(|e| {
        CertError::JwtMalformed(format!("the {part} is not base64url without padding ({e})"))
    })?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CertError::JwtMalformed(format!("the {part} is not a JSON object"))),
        Err(e) => Err(CertError::JwtMalformed(format!("the {part} is not JSON ({e})"))),
    }
}

/// A NumericDate (seconds since the epoch; fractions are truncated), within chrono's range.
fn numeric_date(v: &Value) -> Option<i64> {
    let secs = v
        .as_i64()
        .or_else(|| v.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| f as i64))?;
    Utc.timestamp_opt(secs, 0).single().map(|_| secs)
}

fn rfc3339(secs: i64) -> String {
    Utc.timestamp_opt(secs, 0)
        .single()
        .map_or_else(|| secs.to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrivateKey;

    const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
    const CERT: &str = include_str!("../../../fixtures/certs/idp.crt");

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
    }

    fn key() -> PrivateKey {
        PrivateKey::from_pem(KEY).unwrap()
    }

    fn b64json(v: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
    }

    #[test]
    fn issues_the_salesforce_shape() {
        let mut req = JwtRequest::new("client-id", "alice@example.com", now());
        req.key_id = Some("k1".into());
        req.jwt_id = Some("id-1".into());
        let token = issue(&req, &key().signer().unwrap()).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert!(!token.contains('='), "no padding");
        assert_eq!(URL_SAFE_NO_PAD.decode(parts[0]).unwrap(), br#"{"alg":"RS256","kid":"k1"}"#);
        let exp = now().timestamp() + 180;
        assert_eq!(
            String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap(),
            format!(
                r#"{{"iss":"client-id","sub":"alice@example.com","aud":"https://login.salesforce.com","exp":{exp},"jti":"id-1"}}"#
            )
        );
        // RS256 is deterministic: same input, same token.
        assert_eq!(token, issue(&req, &key().signer().unwrap()).unwrap());
        let pk = key().public_key();
        let v = verify(&token, &pk, now(), 0, Some(SALESFORCE_LOGIN)).unwrap();
        assert_eq!(v.claims["iss"], "client-id");
        assert_eq!(v.header["kid"], "k1");
        assert_eq!(v.expires_at.timestamp(), exp);
        // What `samlkit jwt verify --json` prints is this shape plus its own fields.
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["header"], serde_json::json!({"alg": "RS256", "kid": "k1"}));
        assert_eq!(json["claims"]["sub"], "alice@example.com");
        let expected_exp = v.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(json["expires_at"], serde_json::Value::String(expected_exp));
        assert_eq!(json.as_object().map(|o| o.len()), Some(3));
    }

    #[test]
    fn salesforce_rules_unless_forced() {
        let signer = key().signer().unwrap();
        let table: &[(&str, i64, bool, bool)] = &[
            ("https://login.salesforce.com", 180, false, true),
            ("https://test.salesforce.com", 60, false, true),
            ("https://acme.my.salesforce.com", 180, false, true),
            ("https://acme.my.site.com/customers", 180, false, true),
            ("http://login.salesforce.com", 180, false, false),
            ("login.salesforce.com", 180, false, false),
            ("https://", 180, false, false),
            ("https://user@evil.example.com", 180, false, false),
            ("https://login.salesforce.com", 181, false, false),
            ("https://login.salesforce.com", 3600, true, true),
            ("http://localhost:8080", 180, true, true),
            ("https://login.salesforce.com", 0, true, false),
            ("https://login.salesforce.com", -5, false, false),
        ];
        for &(aud, ttl, force, ok) in table {
            let mut req = JwtRequest::new("c", "u", now());
            req.audience = aud.into();
            req.ttl_seconds = ttl;
            req.force = force;
            assert_eq!(issue(&req, &signer).is_ok(), ok, "{aud} ttl={ttl} force={force}");
        }
        let mut req = JwtRequest::new("c", " ", now());
        req.force = true;
        assert!(matches!(issue(&req, &signer), Err(CertError::JwtEmptyClaim("sub"))));
    }

    #[test]
    fn rejects_alg_confusion_and_tampering() {
        let signer = key().signer().unwrap();
        let pk = key().public_key();
        let token = issue(&JwtRequest::new("c", "u", now()), &signer).unwrap();
        let (_, rest) = token.split_once('.').unwrap();
        let (claims, sig) = rest.split_once('.').unwrap();
        for alg in ["none", "HS256", "RS512", "rs256"] {
            let forged = format!("{}.{claims}.{sig}", b64json(&serde_json::json!({"alg": alg})));
            assert!(
                matches!(
                    verify(&forged, &pk, now(), 0, None),
                    Err(CertError::JwtAlgorithmRefused(_))
                ),
                "{alg}"
            );
        }
        let unsigned = format!("{}.{claims}.", b64json(&serde_json::json!({"alg": "none"})));
        assert!(matches!(
            verify(&unsigned, &pk, now(), 0, None),
            Err(CertError::JwtAlgorithmRefused(_))
        ));
        let other_claims = b64json(
            &serde_json::json!({"iss":"c","sub":"admin","aud":SALESFORCE_LOGIN,"exp":now().timestamp()+100}),
        );
        let header = token.split('.').next().unwrap();
        let tampered = format!("{header}.{other_claims}.{sig}");
        assert!(matches!(
            verify(&tampered, &pk, now(), 0, None),
            Err(CertError::JwtSignatureInvalid)
        ));
        let crit =
            format!("{}.{claims}.{sig}", b64json(&serde_json::json!({"alg":"RS256","crit":["x"]})));
        assert!(matches!(verify(&crit, &pk, now(), 0, None), Err(CertError::JwtCriticalHeader(_))));
        let other_key = PrivateKey::generate_rsa(crate::RsaKeySize::Bits2048).unwrap();
        assert!(matches!(
            verify(&token, &other_key.public_key(), now(), 0, None),
            Err(CertError::JwtSignatureInvalid)
        ));
    }

    #[test]
    fn time_and_audience_checks() {
        let signer = key().signer().unwrap();
        let pk = key().public_key();
        let token = issue(&JwtRequest::new("c", "u", now()), &signer).unwrap();
        let later = |s: i64| now() + chrono::Duration::seconds(s);
        assert!(verify(&token, &pk, later(180 + 30), 30, None).is_ok(), "inside the skew");
        assert!(matches!(
            verify(&token, &pk, later(180 + 31), 30, None),
            Err(CertError::JwtExpired { seconds: 31, .. })
        ));
        assert!(matches!(
            verify(&token, &pk, now(), 30, Some(SALESFORCE_TEST)),
            Err(CertError::JwtAudienceMismatch { .. })
        ));
        let mut req = JwtRequest::new("c", "u", now());
        req.ttl_seconds = 1;
        let t = issue(&req, &signer).unwrap();
        assert!(
            matches!(verify(&t, &pk, later(100), 0, None), Err(ref e @ CertError::JwtExpired { .. }) if e.is_failed_check())
        );
    }

    #[test]
    fn malformed_tokens_are_input_errors() {
        let pk = key().public_key();
        for bad in [
            "",
            "a",
            "a.b",
            "a.b.c.d",
            "!!.e30.AA",
            "e30.e30.AA",
            "W10.e30.AA",
            "bnVsbA.e30.AA",
            "eyJhbGciOiJSUzI1NiJ9.e30.!!",
        ] {
            let err = verify(bad, &pk, now(), 0, None).unwrap_err();
            assert!(!err.is_failed_check(), "{bad}: {err}");
        }
    }

    #[test]
    fn jwt_ids_are_uuid_shaped_and_unique() {
        let a = new_jwt_id().unwrap();
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert_ne!(a, new_jwt_id().unwrap());
    }

    #[test]
    fn cert_fixture_matches_key() {
        let cert = crate::Certificate::load(CERT.as_bytes()).unwrap();
        assert!(cert.matches_key(&key()));
    }
}
