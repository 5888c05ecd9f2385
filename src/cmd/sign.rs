//! `samlkit sign`: add enveloped signatures to existing SAML documents.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use samlkit_saml::{SignTarget, SigningProfile, sign_document};

use crate::batch::{self, BatchArgs, Input, Progress};
use crate::error::CliError;
use crate::io::{Credential, SAML_MESSAGE, describe_io, write_public};
use crate::write::{self, Existing, Secrecy, Staged};

/// Sign existing SAML documents with enveloped XML signatures
///
/// Works on a Response (signing its Assertion, itself, or both: --target), and on a bare
/// Assertion, EntityDescriptor, AuthnRequest, LogoutRequest or LogoutResponse (the root is
/// signed). Exclusive C14N, enveloped-signature + exc-c14n transforms, the certificate in
/// KeyInfo, the Signature right after Issuer as the SAML schema requires. Deterministic for RSA
/// keys. One document goes to standard output (or --out FILE); several need --out-dir DIR.
/// A document that is already signed is refused: sign the unsigned original.
///
/// Examples:
///   samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com --target none \
///       > unsigned.xml
///   samlkit sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt --target both \
///       unsigned.xml > signed.xml
///   samlkit sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       fixtures/redirect/authn-request.xml > signed-request.xml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct SignArgs {
    /// Private key (PKCS#8 or PKCS#1 PEM, or DER).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Certificate of that key, embedded in KeyInfo.
    #[arg(long, value_name = "CERT")]
    cert: String,
    /// In a Response, what to sign (other documents: the root element). The same flag as
    /// `samlkit issue --target`.
    #[arg(long, value_enum, default_value_t = Target::Assertion)]
    target: Target,
    /// Signature algorithm: rsa-sha256, rsa-sha384, rsa-sha512 (RSA keys) or ecdsa-sha256,
    /// ecdsa-sha384 (EC keys) [default: rsa-sha256, or the EC key's curve].
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// Digest algorithm: sha256, sha384, sha512.
    #[arg(long, value_name = "DIGEST", default_value = "sha256")]
    digest: String,
    /// Write the signed document here (one input only) instead of standard output; an
    /// existing file is replaced only with --force.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Replace an existing --out file.
    #[arg(long, requires = "out")]
    force: bool,
    /// Write each signed document to DIR (created if missing) under its file name, or under its
    /// path below a directory given as input, replacing an earlier output. Every file is
    /// processed; each failure is reported and the exit status is 2 if any failed.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    #[command(flatten)]
    batch: BatchArgs,
    /// Documents to sign; `-` (the default) is standard input; a directory stands for the
    /// *.xml, *.b64 and *.txt files below it.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    Assertion,
    Response,
    Both,
}

pub(crate) fn run(args: SignArgs) -> Result<ExitCode, CliError> {
    let mut inputs = batch::inputs(&args.files, args.batch.files_from.as_deref())?;
    let several = inputs.len() > 1
        || args.batch.files_from.is_some()
        || args.files.iter().any(|f| f != "-" && Path::new(f).is_dir());
    if several && args.out_dir.is_none() {
        return Err(CliError::input("several input files need --out-dir DIR"));
    }
    if let Some(dir) = &args.out_dir {
        prepare_out_dir(dir)?;
    }
    let cred = Credential::load(&args.key, &args.cert)?;
    let signing = cred.signing()?;
    cred.warn_if_due(chrono::Utc::now());
    let (method, digest) = cred.algorithms(args.alg.as_deref(), &args.digest)?;
    let target = match args.target {
        Target::Assertion => SignTarget::Assertion,
        Target::Response => SignTarget::Response,
        Target::Both => SignTarget::Both,
    };
    let profile = SigningProfile { target, method, digest };
    batch::announce_stdin(&inputs, "a SAML document");
    let sign_one = |input: &Input| -> Result<String, CliError> {
        let file = &input.path;
        let xml = String::from_utf8(input.read(SAML_MESSAGE)?)
            .map_err(|_| CliError::input(format!("{file}: not UTF-8 XML")))?;
        sign_document(&xml, &signing, &profile).map_err(|e| {
            CliError::input(crate::error::at_file(file, &crate::error::saml_message(&e)))
        })
    };
    let Some(dir) = &args.out_dir else {
        // One document, to --out or standard output: any failure is the command's.
        let Some(input) = inputs.first() else { return Ok(ExitCode::SUCCESS) };
        let signed = sign_one(input)?;
        match &args.out {
            Some(out) => write_public(out, signed.as_bytes(), args.force)?,
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(signed.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    refuse_shared_outputs(&mut inputs, dir);
    // On the workers: sign, and write the result under a temporary name next to its output.
    let sign_and_stage = |input: &Input| -> Result<Staged, CliError> {
        let signed = sign_one(input)?;
        let output = dir.join(&input.output_name);
        if let Some(parent) = output.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CliError::input(format!("cannot create {}: {}", parent.display(), describe_io(&e)))
            })?;
        }
        write::stage(&output, signed.as_bytes(), Secrecy::Public).map_err(CliError::input)
    };
    // In input order: each failure reported, each output kept for the commit at the end.
    let mut outputs = write::Batch::new(Existing::Replace);
    let (mut signed, mut failed, mut worst) = (0usize, 0usize, 0u8);
    let mut progress = Progress::new(inputs.len(), "signing");
    let report = |_: &Input, outcome: Result<Staged, CliError>| {
        match outcome {
            Ok(staged) => {
                outputs.add(staged);
                signed += 1;
            }
            Err(e) => {
                failed += 1;
                worst = worst.max(e.code);
                let _ = e.report();
            }
        }
        Ok::<(), CliError>(())
    };
    batch::run_ordered(&inputs, args.batch.jobs(), &mut progress, sign_and_stage, report)?;
    progress.finish();
    // One flush for the whole batch, then the renames (see crate::write).
    for (_, message) in outputs.commit()? {
        signed -= 1;
        failed += 1;
        worst = worst.max(crate::error::EXIT_USAGE);
        let _ = CliError::input(message).report();
    }
    if !args.batch.quiet && inputs.len() > 1 {
        eprintln!("{}", batch::summary(inputs.len(), &[(signed, "signed"), (failed, "failed")]));
    }
    Ok(ExitCode::from(worst))
}

/// Creates `--out-dir` when it does not exist yet.
fn prepare_out_dir(dir: &Path) -> Result<(), CliError> {
    if dir.exists() && !dir.is_dir() {
        return Err(CliError::input(format!("--out-dir {} is not a directory", dir.display())));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        CliError::input(format!("cannot create --out-dir {}: {}", dir.display(), describe_io(&e)))
    })
}

/// Two inputs with the same output name (`a/r.xml` and `b/r.xml` given as files) would
/// overwrite each other: the second is refused, before anything is signed.
fn refuse_shared_outputs(inputs: &mut [Input], dir: &Path) {
    let mut first: std::collections::HashMap<PathBuf, String> = std::collections::HashMap::new();
    for input in inputs.iter_mut().filter(|i| i.problem.is_none()) {
        match first.get(&input.output_name) {
            Some(earlier) => {
                input.problem = Some(format!(
                    "{}: its output {} is already the output of {earlier}; sign them into different --out-dir directories",
                    input.path,
                    dir.join(&input.output_name).display()
                ));
            }
            None => {
                first.insert(input.output_name.clone(), input.path.clone());
            }
        }
    }
}
