//! Measures parse + exclusive C14N on one file (or writes a generated document) and reports
//! MB/s, best of several rounds (the machine is shared; the best round is the least disturbed).
//! Run under `/usr/bin/time -v` to read the peak RSS. The canonical form streams to a sink, as
//! a digest would consume it.
//!
//! ```sh
//! cargo run --release -p samlkit-xml --example xml_throughput -- --generate 10 /tmp/doc.xml
//! /usr/bin/time -v target/release/examples/xml_throughput /tmp/doc.xml
//! ```
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use samlkit_xml::{C14nAlgorithm, Limits, canonicalize, canonicalize_streaming, parse};

#[path = "../benches/support/generate.rs"]
mod generate;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--generate") {
        let mb: usize = args.get(1).ok_or("--generate MB FILE")?.parse()?;
        let path = args.get(2).ok_or("--generate MB FILE")?;
        std::fs::write(path, generate::generate(mb * 1024 * 1024))?;
        return Ok(());
    }
    let path = args.first().ok_or("usage: xml_throughput FILE | --generate MB FILE")?;
    let rounds: usize = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(10);
    let input = std::fs::read_to_string(path)?;
    let mb = input.len() as f64 / 1e6;
    let (mut best_total, mut best_parse, mut best_c14n) = (f64::MAX, f64::MAX, f64::MAX);
    let mut nodes = 0;
    for _ in 0..rounds {
        let start = Instant::now();
        let doc = parse(&input)?;
        let parsed = start.elapsed().as_secs_f64();
        canonicalize(&doc, None, None, C14nAlgorithm::Exclusive, &[], &mut std::io::sink())?;
        let total = start.elapsed().as_secs_f64();
        best_total = best_total.min(total);
        best_parse = best_parse.min(parsed);
        best_c14n = best_c14n.min(total - parsed);
        nodes = doc.len();
    }
    let mut best_streaming = f64::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        let (limits, alg) = (Limits::default(), C14nAlgorithm::Exclusive);
        canonicalize_streaming(&input, &limits, alg, &[], &mut std::io::sink())?;
        best_streaming = best_streaming.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{mb:.1} MB, {nodes} nodes: parse + exclusive c14n {:.0} MB/s ({:.1} ms); parse {:.0} MB/s, c14n {:.0} MB/s; streaming exclusive c14n {:.0} MB/s ({:.1} ms)",
        mb / best_total,
        best_total * 1e3,
        mb / best_parse,
        mb / best_c14n,
        mb / best_streaming,
        best_streaming * 1e3
    );
    Ok(())
}
