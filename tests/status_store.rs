//! Issue 10, issuer side: status lists kept in a StatusStore on SQLite and on
//! PostgreSQL (a throwaway cluster this test starts), allocated by several
//! processes at once without an index handed out twice or lost, published as
//! JWT, CWT and Bitstring and checked by the verifier.

use passerelle::*;
use std::collections::HashSet;
#[cfg(feature = "postgres")]
use std::path::Path;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const NOW: u64 = 1_790_000_000;
const WORKER: &str = "PASSERELLE_STATUS_WORKER";

struct TmpDir(PathBuf);
impl TmpDir {
    fn new(tag: &str) -> Self {
        let d =
            std::env::temp_dir().join(format!("passerelle-status-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TmpDir(d)
    }
}
impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn worker(store: &str, uri: &str, n: usize) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args([
        "--exact",
        "status_store::status_worker_for_other_tests",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ])
    .env(WORKER, format!("{store} {uri} {n}"))
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    c
}

/// Does nothing in a normal run. As a worker: allocates N indices from the
/// list and prints `@@ idx` after each.
#[test]
fn status_worker_for_other_tests() {
    let Ok(spec) = std::env::var(WORKER) else {
        return;
    };
    let mut p = spec.split(' ');
    let (store, uri, n) = (
        p.next().unwrap(),
        p.next().unwrap(),
        p.next().unwrap().parse::<usize>().unwrap(),
    );
    let store = open_status_store(store).unwrap();
    let issuer = StatusListIssuer::new(store.as_ref());
    use std::io::Write;
    let out = std::io::stdout();
    for _ in 0..n {
        let idx = issuer.allocate(uri).unwrap();
        let mut o = out.lock();
        writeln!(o, "@@ {idx}").unwrap();
        o.flush().unwrap();
    }
}

fn collect(out: &[u8]) -> Vec<u64> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| l.strip_prefix("@@ "))
        .map(|n| n.trim().parse().unwrap())
        .collect()
}

/// Runs `procs` workers × `each` allocations against one list; every index
/// handed out once, none lost, all recorded.
fn concurrent_allocations(
    spec: &str,
    store: &dyn StatusStore,
    uri: &str,
    procs: usize,
    each: usize,
) {
    let children: Vec<_> = (0..procs)
        .map(|_| worker(spec, uri, each).spawn().unwrap())
        .collect();
    let mut all = Vec::new();
    for c in children {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "a worker failed");
        all.extend(collect(&o.stdout));
    }
    assert_eq!(all.len(), procs * each);
    let unique: HashSet<u64> = all.iter().copied().collect();
    assert_eq!(unique.len(), all.len(), "an index was handed out twice");
    assert_eq!(
        store.allocated(uri).unwrap(),
        u64::try_from(all.len()).unwrap()
    );
    // unpredictable: not the counter order
    let sequential = all.windows(2).filter(|w| w[1] == w[0] + 1).count();
    assert!(
        sequential < all.len() / 100,
        "{sequential} sequential pairs"
    );
}

fn publish_and_verify(store: &dyn StatusStore, uri: &str) {
    let issuer = StatusListIssuer::new(store);
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let revoked = issuer.allocate(uri).unwrap();
    let valid = issuer.allocate(uri).unwrap();
    issuer.set(uri, revoked, 1).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        key.public_key().clone(),
        Some("https://issuer.example"),
        None,
    );
    let v = Verifier::new(trust, Policy::default());
    let now = UnixTime::from_secs(NOW);
    for format in [StatusListFormat::Jwt, StatusListFormat::Cwt] {
        let list = issuer
            .publish(uri, format, &key, &PublishOptions::at(now))
            .unwrap();
        for (idx, want) in [(revoked, Some(ErrorKind::Revoked)), (valid, None)] {
            let claims = serde_json::json!({"iss": "https://issuer.example", "vct": "urn:x",
                "status": {"status_list": {"idx": idx, "uri": uri}}});
            let sd = SdJwtVcIssuer::new(&key)
                .issue(claims.as_object().unwrap(), &Disclosable::All, None, now)
                .unwrap();
            let mut lists = StatusLists::new();
            lists.add(list.clone(), now).unwrap();
            let r = v.verify(sd.as_bytes(), &Expectations::at(now).status_lists(lists));
            assert_eq!(r.err().map(|e| e.kind()), want, "{format:?} idx {idx}");
        }
    }
}

#[test]
fn sqlite_two_processes_allocate_without_collision_and_publish() {
    let d = TmpDir::new("sqlite");
    let path = d.0.join("status.db");
    let spec = path.to_str().unwrap().to_owned();
    let store = SqliteStatusStore::open(&path).unwrap();
    let uri = "https://issuer.example/status/1";
    StatusListIssuer::new(&store)
        .create(uri, 2, 100_000)
        .unwrap();
    concurrent_allocations(&spec, &store, uri, 2, 3_000);
    publish_and_verify(&store, uri);
}

/// A process killed mid-allocation loses at most its own index: the counter
/// may run one ahead of what was recorded, never two, and nothing recorded
/// is handed out again.
#[test]
fn sqlite_a_killed_allocator_loses_at_most_its_own_index() {
    let d = TmpDir::new("kill");
    let path = d.0.join("status.db");
    let spec = path.to_str().unwrap().to_owned();
    let store = SqliteStatusStore::open(&path).unwrap();
    let uri = "https://issuer.example/status/k";
    StatusListIssuer::new(&store)
        .create(uri, 1, 1_000_000)
        .unwrap();
    let mut seen = HashSet::new();
    for round in 0..5u64 {
        let mut c = worker(&spec, uri, 1_000_000).spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(40 + 17 * round));
        c.kill().unwrap(); // SIGKILL
        let o = c.wait_with_output().unwrap();
        for i in collect(&o.stdout) {
            assert!(seen.insert(i), "index {i} handed out twice");
        }
    }
    let recorded = store.allocated(uri).unwrap();
    assert!(recorded >= u64::try_from(seen.len()).unwrap());
    let next = store.next_counter(uri).unwrap().counter;
    assert!(
        next - recorded <= 5,
        "counter {next}, recorded {recorded}: more than one lost per kill"
    );
}

#[test]
fn full_lists_roll_over_and_indices_cover_the_list() {
    let d = TmpDir::new("roll");
    let store = SqliteStatusStore::open(&d.0.join("s.db")).unwrap();
    let issuer = StatusListIssuer::new(&store);
    issuer.create("https://i.example/l", 1, 1000).unwrap();
    let all: HashSet<u64> = (0..1000)
        .map(|_| issuer.allocate("https://i.example/l").unwrap())
        .collect();
    assert_eq!(all, (0..1000).collect());
    assert_eq!(
        issuer.allocate("https://i.example/l").unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    // rolling lists: a new list when the newest is full
    let mut uris = HashSet::new();
    for _ in 0..25 {
        let (uri, _) = issuer
            .allocate_rolling("https://i.example/r", 1, 10)
            .unwrap();
        uris.insert(uri);
    }
    assert_eq!(uris.len(), 3);
    assert!(uris.contains("https://i.example/r/3"));
    // misuse
    assert_eq!(
        issuer
            .create("https://i.example/l", 1, 10)
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        issuer
            .create("https://i.example/x", 3, 10)
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        issuer.set("https://i.example/l", 5, 2).unwrap_err().kind(),
        ErrorKind::ApiMisuse
    );
    assert_eq!(
        issuer
            .set("https://i.example/l", 1000, 1)
            .unwrap_err()
            .kind(),
        ErrorKind::ApiMisuse
    );
    // a store file of garbage is storage, never a panic
    let g = d.0.join("garbage.db");
    std::fs::write(&g, vec![0x5a; 8192]).unwrap();
    assert_eq!(
        SqliteStatusStore::open(&g).unwrap_err().kind(),
        ErrorKind::Storage
    );
}

#[test]
fn bitstring_publication_verifies() {
    let d = TmpDir::new("bits");
    let store = SqliteStatusStore::open(&d.0.join("s.db")).unwrap();
    let issuer = StatusListIssuer::new(&store);
    let list_uri = "https://issuer.example.ca/status/7";
    issuer.create(list_uri, 1, 131_072).unwrap();
    let idx = issuer.allocate(list_uri).unwrap();
    issuer.set(list_uri, idx, 1).unwrap();
    let key = PrivateKey::generate(Algorithm::Es256).unwrap();
    let now = UnixTime::from_secs(NOW);
    let mut opts = PublishOptions::at(now);
    opts.issuer = Some("https://issuer.example.ca");
    let list = issuer
        .publish(list_uri, StatusListFormat::Bitstring, &key, &opts)
        .unwrap();
    let mut vc = passerelle::examples::ca_person_credential("https://issuer.example.ca");
    vc.insert("credentialStatus".into(), serde_json::json!({"type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": idx.to_string(), "statusListCredential": list_uri}));
    let jwt = VcIssuer::new(&key).issue_jwt(&vc).unwrap();
    let mut trust = TrustStore::new();
    trust.add_issuer_key(
        key.public_key().clone(),
        Some("https://issuer.example.ca"),
        None,
    );
    let mut lists = StatusLists::new();
    lists.add(list, now).unwrap();
    let e = Verifier::new(trust, Policy::default())
        .verify(jwt.as_bytes(), &Expectations::at(now).status_lists(lists))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Revoked);
}

#[cfg(feature = "postgres")]
struct Cluster {
    dir: TmpDir,
    url: String,
}

#[cfg(feature = "postgres")]
impl Cluster {
    /// The cluster the test command started (PASSERELLE_PG_URL), or a
    /// throwaway one started here.
    fn start() -> Option<Self> {
        let dir = TmpDir::new("pg");
        if let Ok(url) = std::env::var("PASSERELLE_PG_URL") {
            return Some(Cluster { dir, url });
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-test-cluster.sh");
        let o = Command::new("bash")
            .arg(script)
            .args([
                "start",
                dir.0.join("c").to_str().unwrap(),
                &port.to_string(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let url = String::from_utf8(o.stdout).unwrap().trim().to_owned();
        Some(Cluster { dir, url })
    }
}

#[cfg(feature = "postgres")]
impl Drop for Cluster {
    fn drop(&mut self) {
        if std::env::var("PASSERELLE_PG_URL").is_err() {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-test-cluster.sh");
            let _ = Command::new("bash")
                .arg(script)
                .args(["stop", self.dir.0.join("c").to_str().unwrap()])
                .status();
        }
    }
}

/// The fleet case: 4 processes × 10 000 allocations against one list on
/// PostgreSQL, no index handed out twice, none lost; publish from a
/// consistent snapshot.
#[cfg(feature = "postgres")]
#[test]
fn postgres_four_processes_allocate_without_collision_and_publish() {
    let c = Cluster::start().unwrap();
    let store = PgStatusStore::connect(&c.url).unwrap();
    let uri = format!("https://issuer.example/status/pg-{}", std::process::id());
    StatusListIssuer::new(&store)
        .create(&uri, 1, 1_000_000)
        .unwrap();
    concurrent_allocations(&c.url, &store, &uri, 4, 10_000);
    publish_and_verify(&store, &uri);
    // a wrong URL is storage
    assert_eq!(
        PgStatusStore::connect("postgres://nobody@127.0.0.1:1/none")
            .unwrap_err()
            .kind(),
        ErrorKind::Storage
    );
}
