//! `samlkit jwt`: RS256 bearer tokens for the OAuth 2.0 JWT bearer flow, and `samlkit jwt verify`.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use samlkit_cert::jwt::{self, JwtRequest};

use crate::error::{CliError, json_failure};
use crate::io::{TOKEN, load_signer, load_trusted};
use crate::now::NowArg;

/// Issue (or, with `verify`, check) a JWT for the OAuth 2.0 JWT bearer flow.
#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    after_help = "\
Issues an RS256 token (header {\"alg\":\"RS256\"}, base64url without padding) whose claims are
iss (--issuer: the connected app's consumer key), sub (--subject: the username), aud
(--audience) and exp = now + --valid-for, and prints it. Salesforce refuses tokens that live
longer than 180 s or name another audience, so a longer --valid-for, or an audience other than
https://login.salesforce.com, https://test.salesforce.com or an https site URL, needs --force.

Examples:
  TOKEN=$(samlkit jwt --key fixtures/keys/idp.key --issuer 3MVG9-consumer-key \\
      --subject alice@example.com --jti)
  samlkit jwt verify --cert fixtures/certs/idp.crt \"$TOKEN\"
  samlkit jwt --key fixtures/keys/idp.key --issuer 3MVG9-consumer-key \\
      --subject alice@example.com --audience https://test.salesforce.com --valid-for 60

Exchange the token (network):
  curl -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d assertion=\"$TOKEN\" \\
      https://login.salesforce.com/services/oauth2/token"
)]
pub(crate) struct JwtArgs {
    #[command(subcommand)]
    command: Option<JwtCommand>,
    #[command(flatten)]
    issue: IssueArgs,
}

#[derive(Subcommand)]
enum JwtCommand {
    /// Verify a token: RS256 only, signature by --cert, exp (30 s skew), optional --audience.
    #[command(after_help = "\
Only RS256 is accepted: a token whose header says none, HS256 or anything else is refused, so
the certificate's public key can never be abused as an HMAC secret. Claims are printed only after
the signature verified, exp with its instant and the time left. Exit 0 valid; 1 refused
algorithm, bad signature, expired, not yet valid or wrong audience; 2 malformed token or
unreadable certificate.

Examples:
  TOKEN=$(samlkit jwt --key fixtures/keys/idp.key --issuer 3MVG9-consumer-key \\
      --subject alice@example.com)
  samlkit jwt verify --cert fixtures/certs/idp.crt --audience https://login.salesforce.com \\
      \"$TOKEN\"
  echo \"$TOKEN\" | samlkit jwt verify --cert fixtures/certs/idp.crt --json -
  samlkit jwt verify --cert fixtures/certs/attacker.crt \"$TOKEN\"   # exit 1: another key")]
    Verify(VerifyArgs),
}

#[derive(Args)]
struct IssueArgs {
    /// RSA private key that signs (its certificate is uploaded to the connected app).
    #[arg(long, value_name = "KEY", required = true)]
    key: Option<String>,
    /// Issuer (iss): the connected app's consumer key (client ID).
    #[arg(long = "issuer", alias = "iss", value_name = "CLIENT_ID", required = true)]
    iss: Option<String>,
    /// The certificate uploaded to the connected app: when given, the key must belong to it, and
    /// a warning says when it is expired or due for renewal.
    #[arg(long, value_name = "CERT")]
    cert: Option<String>,
    /// Subject (sub): the username to act as.
    #[arg(long = "subject", alias = "sub", value_name = "USERNAME", required = true)]
    sub: Option<String>,
    /// Audience (aud): the authorization server.
    #[arg(long = "audience", alias = "aud", value_name = "URL", default_value = jwt::SALESFORCE_LOGIN)]
    aud: String,
    /// Lifetime in seconds (exp = now + this); above 180 needs --force. The same flag as
    /// `samlkit issue --valid-for`.
    #[arg(long = "valid-for", alias = "ttl", value_name = "SECONDS", default_value_t = jwt::DEFAULT_TTL_SECONDS, allow_negative_numbers = true)]
    ttl: i64,
    /// Allow an audience and lifetime Salesforce would refuse (for other servers).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    now: NowArg,
    /// Key ID header (kid), to say which certificate signed.
    #[arg(long, value_name = "ID")]
    kid: Option<String>,
    /// Add a random jti (token ID) claim.
    #[arg(long)]
    jti: bool,
}

#[derive(Args)]
struct VerifyArgs {
    /// A trusted certificate whose key may have signed the token. Repeat it, or give a PEM
    /// bundle, to trust several during a rotation.
    #[arg(long, value_name = "CERT", required = true)]
    cert: Vec<String>,
    #[command(flatten)]
    now: NowArg,
    /// Require this audience (aud).
    #[arg(long = "audience", alias = "aud", value_name = "URL")]
    aud: Option<String>,
    /// Print the result as one line of JSON.
    #[arg(long)]
    json: bool,
    /// A file holding the token, or - (the default) for standard input. (A token given here
    /// in place of a file name still works, as before.)
    #[arg(value_name = "FILE", conflicts_with = "token")]
    file: Option<String>,
    /// The token itself, instead of a file.
    #[arg(long, value_name = "JWT")]
    token: Option<String>,
}

/// Runs `samlkit jwt` or `samlkit jwt verify`.
pub(crate) fn run(args: JwtArgs) -> Result<ExitCode, CliError> {
    match args.command {
        Some(JwtCommand::Verify(v)) => verify(v),
        None => issue(args.issue),
    }
}

fn issue(args: IssueArgs) -> Result<ExitCode, CliError> {
    let missing = |flag: &str| CliError::input(format!("--{flag} is required (see --help)"));
    // Named as on the command line (`--issuer`, `--subject`).
    let key_path = args.key.ok_or_else(|| missing("key"))?;
    let signer = load_signer(&key_path)?;
    if let Some(cert_path) = &args.cert {
        let cred = crate::io::Credential::load(&key_path, cert_path)?.matched()?;
        cred.warn_if_due(args.now.resolve());
    }
    let mut request = JwtRequest::new(
        args.iss.ok_or_else(|| missing("issuer"))?,
        args.sub.ok_or_else(|| missing("subject"))?,
        args.now.resolve(),
    );
    request.audience = args.aud;
    request.ttl_seconds = args.ttl;
    request.force = args.force;
    request.key_id = args.kid;
    if args.jti {
        request.jwt_id = Some(jwt::new_jwt_id()?);
    }
    let token = jwt::issue(&request, &signer)?;
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> Result<ExitCode, CliError> {
    let trusted = load_trusted(&args.cert)?;
    let token = crate::io::file_or_literal(
        args.file.as_deref(),
        args.token.as_deref(),
        TOKEN,
        |arg| {
            arg.matches('.').count() == 2
                && arg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'='))
        },
        "--token",
    )?;
    let now = args.now.resolve();
    let (verified, index) = jwt::verify_with_certificates(
        token.trim(),
        &trusted,
        now,
        jwt::DEFAULT_SKEW_SECONDS,
        args.aud.as_deref(),
    )
    .map_err(|e| json_failure(args.json, e.into()))?;
    let cert = &trusted[index];
    let remaining = (verified.expires_at - now).num_seconds();
    if args.json {
        // The library's shape, plus what the command knows: validity, time left, which
        // trusted certificate verified.
        let mut out = serde_json::json!({ "valid": true });
        if let (Some(map), Ok(serde_json::Value::Object(fields))) =
            (out.as_object_mut(), serde_json::to_value(&verified))
        {
            map.extend(fields);
            map.insert("expires_in".into(), remaining.into());
            map.insert("cert_sha256".into(), cert.sha256_fingerprint().into());
        }
        println!("{}", crate::shown::json_line(out.to_string()));
    } else {
        println!(
            "valid: RS256 signature by {} (SHA-256 {})",
            cert.info().subject,
            cert.sha256_fingerprint()
        );
        for (name, value) in &verified.claims {
            let shown = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            if name == "exp" {
                println!(
                    "exp: {shown} ({}, in {})",
                    crate::now::format_rfc3339(verified.expires_at),
                    samlkit_cert::expiry::human_duration(remaining)
                );
            } else {
                println!("{name}: {shown}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
