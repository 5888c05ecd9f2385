//! `samlkit idp`: a test identity provider. `idp serve` runs it (SP-initiated and IdP-initiated
//! SSO, single logout, a login page, signed metadata); `idp check` reads a configuration and
//! prints what it would serve. The protocol logic is `samlkit_saml::idp`; this module is the
//! configuration file, the HTTP server and the pages.

mod config;
mod log;
mod pages;
mod server;

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Subcommand, ValueEnum};

use crate::error::CliError;

/// Run a test identity provider for your service provider
///
/// `idp serve` answers AuthnRequests (HTTP-Redirect and HTTP-POST) from the SPs in its
/// configuration, checked like a production IdP checks them, with signed responses shaped like
/// Okta, AD FS, Entra ID or Salesforce; `/sso/init?sp=ENTITY_ID` starts an IdP-initiated
/// login, `/slo` does single logout, `/metadata` is the signed IdP metadata and `/log` lists the
/// last 100 SAML messages. `idp check` reads the configuration and prints what would be served.
///
/// Examples:
///
///     samlkit idp check --demo
///     samlkit idp serve --demo --listen 127.0.0.1:0 --exit-after-start
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct IdpArgs {
    #[command(subcommand)]
    command: IdpCommand,
}

#[derive(Subcommand)]
enum IdpCommand {
    /// Serve the IdP until Ctrl-C or SIGTERM.
    ///
    /// The first line on stdout is `listening on http://ADDR`; one line per request goes to
    /// stderr (JSON with --log-format json). Without --exit-after-start it runs until stopped.
    ///
    /// Examples:
    ///
    ///     samlkit idp serve --demo --listen 127.0.0.1:0 --exit-after-start
    ///     samlkit idp serve --demo --listen 127.0.0.1:0 --log-format json --exit-after-start
    #[command(verbatim_doc_comment)]
    Serve(ServeArgs),
    /// Read the configuration and print the IdP's URLs, users and service providers.
    ///
    /// Examples:
    ///
    ///     samlkit idp check --demo
    ///     samlkit idp check --demo --listen 127.0.0.1:7001
    #[command(verbatim_doc_comment)]
    Check(SourceArgs),
}

#[derive(Args)]
struct SourceArgs {
    /// The IdP's configuration (TOML; see the README's "Run a test IdP for your SP").
    #[arg(long, value_name = "FILE", required_unless_present = "demo", conflicts_with = "demo")]
    config: Option<String>,
    /// A demo IdP: the bundled fixture key (never use it for anything real), users alice and
    /// bob, one SP `https://sp.example.com` with ACS `http://127.0.0.1:8000/acs`.
    #[arg(long)]
    demo: bool,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7000")]
    listen: SocketAddr,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Request log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Write every SAML message received and sent to this directory (one file each).
    #[arg(long, value_name = "DIR")]
    log_dir: Option<PathBuf>,
    /// Bind, print the address and what would be served, then exit (checks the configuration
    /// and the port, e.g. in CI, without leaving a server behind).
    #[arg(long)]
    exit_after_start: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

pub(crate) fn run(args: IdpArgs) -> Result<ExitCode, CliError> {
    match args.command {
        IdpCommand::Serve(args) => serve(args),
        IdpCommand::Check(args) => check(args),
    }
}

fn load(source: &SourceArgs, bound: SocketAddr) -> Result<config::Idp, CliError> {
    let url = format!("http://{bound}");
    match &source.config {
        Some(path) => config::load(path, &url),
        None => config::demo(&url),
    }
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))
}

/// What the IdP serves, for people.
fn describe(idp: &config::Idp) -> String {
    let mut text = format!(
        "entity ID  {}\nmetadata   {}/metadata\nSSO        {}\nSLO        {}\nlog        {}/log\n",
        idp.entity_id,
        idp.base_url,
        idp.sso_url(),
        idp.slo_url(),
        idp.base_url
    );
    for user in &idp.users {
        text.push_str(&format!("user       {} ({})\n", user.id, user.name_id));
    }
    for sp in &idp.sps {
        let r = &sp.registration;
        text.push_str(&format!(
            "SP         {} -> {} (shape {}, sign {}, requests {}{})\n           IdP-initiated: {}/sso/init?sp={}\n",
            r.entity_id,
            r.default_acs().map_or("-", |a| a.location.as_str()),
            sp.shape.name,
            match sp.sign {
                samlkit_saml::SignTarget::Assertion => "assertion",
                samlkit_saml::SignTarget::Response => "response",
                samlkit_saml::SignTarget::Both => "both",
            },
            if r.want_authn_requests_signed { "must be signed" } else { "may be unsigned" },
            sp.encryption.as_ref().map_or(String::new(), |e| format!(
                ", encrypted {} with {}",
                e.options.data.name(),
                e.options.key_transport.describe()
            )),
            idp.base_url,
            samlkit_saml::redirect::url_encode(&r.entity_id)
        ));
    }
    text.lines().map(|l| format!("{}\n", crate::shown::terminal(l))).collect()
}

fn check(args: SourceArgs) -> Result<ExitCode, CliError> {
    let idp = load(&args, args.listen)?;
    write_stdout(&describe(&idp))?;
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> Result<ExitCode, CliError> {
    if let Some(dir) = &args.log_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::input(format!("--log-dir {}: {}", dir.display(), crate::io::describe_io(&e)))
        })?;
    }
    // The handlers' CPU work (checks, building, signing) runs on the blocking pool, first in,
    // first out; one thread per core keeps it from time-slicing more requests than there are
    // cores, so a request waits for those ahead of it and no longer.
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(cores)
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the server runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.source.listen).await.map_err(|e| {
            CliError::input(format!(
                "--listen {}: {}",
                args.source.listen,
                crate::io::describe_io(&e)
            ))
        })?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::input(format!("cannot read the listening address: {e}")))?;
        let idp = load(&args.source, bound)?;
        let summary = describe(&idp);
        let state = server::AppState::new(idp, log::MessageLog::new(args.log_dir.clone()))
            .map_err(|e| CliError::input(format!("cannot build the IdP metadata: {e}")))?;
        write_stdout(&format!("listening on http://{bound}\n{summary}"))?;
        if args.exit_after_start {
            return Ok(ExitCode::SUCCESS);
        }
        let app = server::router(Arc::new(state), args.log_format == LogFormat::Json);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
            .map_err(|e| CliError::input(format!("the server stopped: {e}")))?;
        eprintln!("samlkit idp: stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
