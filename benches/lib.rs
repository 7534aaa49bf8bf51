//! The benchmarks of passerelle (`sd_jwt_vc`, `callgrind`, `status`, `store`,
//! `wallet`), a package of their own so they measure the library as it ships,
//! without the root package's dev-dependency features. Run them with
//! `cargo bench -p passerelle-bench --bench NAME`, or `benches/callgrind.sh`.
