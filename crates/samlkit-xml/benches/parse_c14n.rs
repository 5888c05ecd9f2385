//! Throughput of parse + exclusive C14N on a generated ~10 MB SAML-shaped document (the figure
//! quoted in the README). Run with `cargo bench -p samlkit-xml`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use samlkit_xml::{C14nAlgorithm, Limits, canonicalize, canonicalize_streaming, parse};

#[path = "support/generate.rs"]
mod generate;

fn bench(c: &mut Criterion) {
    let input = generate::generate(10 * 1024 * 1024);
    let mut group = c.benchmark_group("xml-10MB");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.bench_function("parse", |b| b.iter(|| parse(&input).expect("parses")));
    group.bench_function("parse+exc-c14n", |b| {
        b.iter(|| {
            let doc = parse(&input).expect("parses");
            canonicalize(&doc, None, None, C14nAlgorithm::Exclusive, &[], &mut std::io::sink())
                .expect("c14n");
        })
    });
    group.bench_function("streaming-exc-c14n", |b| {
        b.iter(|| {
            let (limits, alg) = (Limits::default(), C14nAlgorithm::Exclusive);
            canonicalize_streaming(&input, &limits, alg, &[], &mut std::io::sink()).expect("c14n")
        })
    });
    let doc = parse(&input).expect("parses");
    group.bench_function("exc-c14n", |b| {
        b.iter(|| {
            canonicalize(&doc, None, None, C14nAlgorithm::Exclusive, &[], &mut std::io::sink())
                .expect("c14n")
        })
    });
    group.bench_function("inclusive-c14n", |b| {
        b.iter(|| {
            canonicalize(&doc, None, None, C14nAlgorithm::Inclusive, &[], &mut std::io::sink())
                .expect("c14n")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
