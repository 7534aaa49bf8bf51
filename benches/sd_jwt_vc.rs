//! Every workload of issue 14 (`benches/workloads`) against the cryptographic
//! floor measured in the same run: ring ES256 sign (S) and verify (V) and
//! SHA-256 of 100 bytes (H). After criterion's own output, a measuring run
//! (`cargo bench -p passerelle-bench --bench sd_jwt_vc`) prints a table of each workload's mean
//! time and its ratio to the operations it cannot avoid, read from
//! criterion's `estimates.json`. The same workloads in instruction counts:
//! `benches/callgrind.sh`.

mod workloads;

use criterion::Criterion;
use serde_json::Value;
use std::time::Duration;
use workloads::{Fixtures, FLOOR, WORKLOADS};

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let measuring =
        std::env::args().any(|a| a == "--bench") && !std::env::args().any(|a| a == "--list");
    let mut f = Fixtures::new("", measuring);
    for (id, _) in FLOOR {
        c.bench_function(id, |b| b.iter(|| f.run(id)));
    }
    for (id, _, _) in WORKLOADS {
        if id.starts_with("wallet/") && !measuring {
            continue;
        }
        if id.ends_with("_10000") || id.starts_with("wallet/") {
            let mut slow = Criterion::default()
                .configure_from_args()
                .sample_size(10)
                .measurement_time(Duration::from_secs(8));
            slow.bench_function(id, |b| b.iter(|| f.run(id)));
            continue;
        }
        c.bench_function(id, |b| b.iter(|| f.run(id)));
    }
    c.final_summary();
    if measuring {
        report();
    }
}

fn mean_ns(id: &str) -> Option<f64> {
    // criterion writes under the workspace's target directory
    let dir = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").into());
    let p = format!(
        "{dir}/criterion/{}/new/estimates.json",
        id.replace('/', "_")
    );
    let p2 = format!("{dir}/criterion/{id}/new/estimates.json");
    let text = std::fs::read_to_string(&p)
        .or_else(|_| std::fs::read_to_string(&p2))
        .ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["mean"]["point_estimate"].as_f64()
}

fn report() {
    let (Some(s), Some(v), Some(h), Some(k)) = (
        mean_ns("floor/es256_sign"),
        mean_ns("floor/es256_verify"),
        mean_ns("floor/sha256_100"),
        mean_ns("floor/sha256_10k"),
    ) else {
        eprintln!("(no criterion estimates found: ratios not printed)");
        return;
    };
    println!("\n| workload | mean | floor | floor time | ratio |");
    println!("|---|---:|---|---:|---:|");
    println!("| ring ES256 sign (S) | {:.1} µs | | | |", s / 1e3);
    println!("| ring ES256 verify (V) | {:.1} µs | | | |", v / 1e3);
    println!("| ring SHA-256 of 100 B (H) | {:.3} µs | | | |", h / 1e3);
    println!("| ring SHA-256 of 10 KB (K) | {:.2} µs | | | |", k / 1e3);
    for (id, desc, floor) in WORKLOADS {
        let Some(m) = mean_ns(id) else { continue };
        let m = m / f64::from(Fixtures::ops(id));
        match floor {
            Some(fl) => {
                let cost = fl.cost([s, v, h, k]);
                println!(
                    "| {desc} | {:.1} µs | {} | {:.1} µs | {:.2} |",
                    m / 1e3,
                    fl.describe(),
                    cost / 1e3,
                    m / cost
                );
            }
            None => println!("| {desc} | {:.3} µs | — | | |", m / 1e3),
        }
    }
}
