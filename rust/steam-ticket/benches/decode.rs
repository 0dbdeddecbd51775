//! Decode and decode+verify cost per ticket (target: decode+verify ≤ 20 µs).
//! Run: cargo bench -p steam-ticket --bench decode

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use steam_ticket::{decode, decode_hex, hex, KeyRing};

fn vector_hex() -> String {
    let json: serde_json::Value =
        serde_json::from_str(include_str!("../tests/vectors/v2.json")).expect("vector JSON");
    json["hex"].as_str().expect("hex field").to_owned()
}

fn benches(c: &mut Criterion) {
    let hex_ticket = vector_hex();
    let bytes = hex::decode(&hex_ticket).expect("vector hex");
    let keys = KeyRing::default();
    let decoded = decode(&bytes).expect("vector decodes");

    c.bench_function("decode (bytes)", |b| b.iter(|| decode(black_box(&bytes))));
    c.bench_function("decode (hex)", |b| {
        b.iter(|| decode_hex(black_box(&hex_ticket)))
    });
    c.bench_function("verify", |b| {
        b.iter(|| keys.verify(black_box(&decoded)).is_some())
    });
    c.bench_function("decode + verify (bytes)", |b| {
        b.iter(|| {
            let d = decode(black_box(&bytes)).expect("decodes");
            keys.verify(&d).is_some()
        })
    });
    c.bench_function("decode + verify (hex)", |b| {
        b.iter(|| {
            let d = decode_hex(black_box(&hex_ticket)).expect("decodes");
            keys.verify(&d).is_some()
        })
    });
}

criterion_group!(decode_benches, benches);
criterion_main!(decode_benches);
