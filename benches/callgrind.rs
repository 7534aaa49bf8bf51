//! The instruction-count harness behind `benches/callgrind.sh` (run by hand,
//! not a test). `callgrind WORKLOAD ITERS` prepares every fixture, runs the
//! workload once to warm up, then `ITERS` times inside `measured`, the only
//! function callgrind collects (`--collect-atstart=no
//! --toggle-collect=*measured*`), so the count excludes setup.
//! `callgrind --list` prints the workloads (id, floor, description); without arguments (as `cargo
//! bench` and `cargo test --benches` run it) it does nothing.

mod workloads;

use workloads::{Fixtures, FLOOR, WORKLOADS};

#[inline(never)]
fn measured(f: &mut Fixtures, id: &str, iters: u32) {
    for _ in 0..iters {
        f.run(id);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // the test harness protocol (`cargo test`/nextest list every target):
    // this is a benchmark, listed as one, never run as a test
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("callgrind: benchmark");
        }
        return;
    }
    if args.iter().any(|a| a == "--workloads") {
        // id, floor terms (signatures, verifications, 100 B and 10 KB digests; "-" for none), description
        for (id, desc) in FLOOR {
            println!("{id}\t-\t{desc}");
        }
        for (id, desc, floor) in WORKLOADS {
            let f = floor.map_or("-".into(), |f| {
                format!("{} {} {} {}", f.sign, f.verify, f.sha, f.sha_10k)
            });
            println!("{id}\t{f}\t{desc}");
        }
        return;
    }
    let (Some(id), Some(iters)) = (args.first(), args.get(1)) else {
        return;
    };
    if id.starts_with("--") {
        return;
    }
    let iters: u32 = iters.parse().expect("ITERS is a number");
    let mut f = Fixtures::new(id, true);
    f.run(id);
    measured(&mut f, id, iters);
}
