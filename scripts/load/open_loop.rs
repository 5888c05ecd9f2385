//! An open-loop load generator for `samlkit idp serve` (used by `scripts/idp-load.sh` and
//! `scripts/idp-soak.sh`): it offers a fixed rate of non-interactive logins, each a fresh
//! AuthnRequest by HTTP-Redirect, over a fixed number of keep-alive connections, whatever the
//! server's answers take.
//!
//! Each connection has its own schedule (connection `k` of `C` sends request `j` at
//! `start + (k + j·C) / rate`) and a request's latency is measured from the time it was *due*,
//! not from when it was sent: a slow answer delays the requests behind it, and that delay is
//! counted (no coordinated omission, like wrk2). An answer other than 200 with a `SAMLResponse`
//! form is an error.
//!
//! usage: cargo run --release --example idp-open-loop -- SSO_URL RATE CONNECTIONS SECONDS
//! e.g.   idp-open-loop http://127.0.0.1:7000/sso 2000 200 30

use std::process::ExitCode;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use samlkit_saml::redirect::{deflate_and_encode, url_encode};

/// The run, from the command line.
struct Plan {
    sso_url: String,
    host: String,
    path: String,
    rate: f64,
    connections: usize,
    duration: Duration,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    /// Microseconds from due time to the end of the answer, per completed request.
    latencies: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

fn parse_plan(args: &[String]) -> Result<Plan, String> {
    let [sso_url, rate, connections, seconds] = args else {
        return Err("usage: idp-open-loop SSO_URL RATE CONNECTIONS SECONDS".into());
    };
    let rest = sso_url.strip_prefix("http://").ok_or("SSO_URL must start with http://")?;
    let (host, path) = rest.split_once('/').ok_or("SSO_URL needs a path, e.g. /sso")?;
    let number = |what: &str, v: &str| v.parse::<f64>().map_err(|e| format!("{what} {v:?}: {e}"));
    let rate = number("RATE", rate)?;
    let connections = number("CONNECTIONS", connections)? as usize;
    let seconds = number("SECONDS", seconds)?;
    if rate <= 0.0 || connections == 0 || seconds <= 0.0 {
        return Err("RATE, CONNECTIONS and SECONDS must be positive".into());
    }
    Ok(Plan {
        sso_url: sso_url.clone(),
        host: host.to_string(),
        path: format!("/{path}"),
        rate,
        connections,
        duration: Duration::from_secs_f64(seconds),
    })
}

/// A unique, unsigned AuthnRequest for `sp.example.com`, as the Redirect binding's query.
fn request_path(plan: &Plan, id: &str) -> String {
    let xml = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{}" AssertionConsumerServiceURL="http://127.0.0.1:8000/acs"><saml:Issuer>https://sp.example.com</saml:Issuer></samlp:AuthnRequest>"#,
        samlkit_saml::format_instant(chrono::Utc::now()),
        plan.sso_url
    );
    format!("{}?SAMLRequest={}", plan.path, url_encode(&deflate_and_encode(xml.as_bytes())))
}

/// One keep-alive connection sending its share of the schedule until the end of the run.
async fn connection(plan: &Plan, index: usize, start: Instant, run_id: u128) -> Tally {
    let mut tally = Tally::default();
    let interval = Duration::from_secs_f64(plan.connections as f64 / plan.rate);
    let offset = Duration::from_secs_f64(index as f64 / plan.rate);
    let mut sender = connect(&plan.host).await.map_err(|e| tally.note_error(e)).ok();
    for j in 0u64.. {
        let due = start + offset + interval.mul_f64(j as f64);
        if due >= start + plan.duration {
            break;
        }
        tokio::time::sleep_until(due.into()).await;
        if sender.is_none() {
            sender = connect(&plan.host).await.map_err(|e| tally.note_error(e)).ok();
        }
        let Some(s) = sender.as_mut() else { continue };
        let id = format!("_ol{run_id:x}_{index}_{j}");
        match send(s, plan, &id).await {
            Ok(()) => tally.latencies.push(due.elapsed().as_micros() as u64),
            Err(e) => {
                tally.note_error(e);
                // The connection may be broken: open a new one for the next request.
                sender = None;
            }
        }
    }
    tally
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

async fn connect(host: &str) -> Result<Sender, String> {
    let stream = tokio::net::TcpStream::connect(host).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn send(sender: &mut Sender, plan: &Plan, id: &str) -> Result<(), String> {
    let request = hyper::Request::get(request_path(plan, id))
        .header(hyper::header::HOST, &plan.host)
        .body(Empty::new())
        .map_err(|e| e.to_string())?;
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender.send_request(request).await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
    let has_form = body.windows(b"SAMLResponse".len()).any(|w| w == b"SAMLResponse");
    if status != hyper::StatusCode::OK || !has_form {
        return Err(format!(
            "answer {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ));
    }
    Ok(())
}

impl Tally {
    fn note_error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let plan = match parse_plan(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let plan = std::sync::Arc::new(plan);
    let tallies = runtime.block_on(async {
        // The connections open before the clock starts; their schedules interleave.
        let start = Instant::now() + Duration::from_millis(200);
        let tasks: Vec<_> = (0..plan.connections)
            .map(|k| {
                let plan = plan.clone();
                tokio::spawn(async move { connection(&plan, k, start, run_id).await })
            })
            .collect();
        let mut tallies = Vec::new();
        for task in tasks {
            tallies.push(task.await.unwrap_or_default());
        }
        (tallies, start.elapsed())
    });
    let (tallies, elapsed) = tallies;
    let mut latencies: Vec<u64> =
        tallies.iter().flat_map(|t| t.latencies.iter().copied()).collect();
    latencies.sort_unstable();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let offered = plan.rate * plan.duration.as_secs_f64();
    println!(
        "open loop: {} connections, offered {:.0}/s for {:.0} s ({offered:.0} requests)",
        plan.connections,
        plan.rate,
        plan.duration.as_secs_f64()
    );
    println!(
        "completed {} in {:.1} s = {:.0}/s, errors {errors}",
        latencies.len(),
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64()
    );
    println!(
        "latency from due time (ms): p50 {:.2}  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
        percentile(&latencies, 50.0),
        percentile(&latencies, 90.0),
        percentile(&latencies, 99.0),
        percentile(&latencies, 99.9),
        percentile(&latencies, 100.0)
    );
    if let Some(first) = tallies.iter().find_map(|t| t.first_error.as_deref()) {
        println!("first error: {first}");
    }
    if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
