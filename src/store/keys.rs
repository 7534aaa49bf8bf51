//! Where the wallet key comes from: the host, through [`KeyProvider`].

use super::storage;
use crate::crypto::{SecureRandom, SystemRandom};
use crate::error::Result;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use core::fmt;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Hands the store its 256-bit wallet key.
///
/// On a phone this reads the platform keystore (iOS Keychain with
/// `kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`, Android Keystore); the
/// CLI uses [`FileKeyProvider`] or [`EnvKeyProvider`]. A closure returning the
/// key is a provider too:
///
/// ```
/// use passerelle::KeyProvider;
/// let provider = || Ok(zeroize::Zeroizing::new([7u8; 32]));
/// assert_eq!(provider.wallet_key()?[0], 7);
/// # Ok::<(), passerelle::Error>(())
/// ```
pub trait KeyProvider {
    /// The wallet key. A failure should be [`ErrorKind::Storage`](crate::ErrorKind::Storage).
    fn wallet_key(&self) -> Result<Zeroizing<[u8; 32]>>;
}

impl<F> KeyProvider for F
where
    F: Fn() -> Result<Zeroizing<[u8; 32]>>,
{
    fn wallet_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        self()
    }
}

/// Most bytes read from a key file or variable (43 base64url characters and a newline fit).
const MAX_KEY_TEXT: u64 = 128;

/// Decodes a key written as 43 base64url characters (no padding), surrounding
/// whitespace allowed.
fn decode_key(text: &[u8], what: &str) -> Result<Zeroizing<[u8; 32]>> {
    let trimmed = text.trim_ascii();
    let mut buf = Zeroizing::new([0u8; 48]);
    let n = URL_SAFE_NO_PAD
        .decode_slice(trimmed, buf.as_mut_slice())
        .map_err(|_| storage(format!("{what} is not base64url")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    match buf.get(..n) {
        Some(k) if n == 32 => key.copy_from_slice(k),
        _ => return Err(storage(format!("{what} is not a 256-bit key"))),
    }
    Ok(key)
}

fn encode_key(key: &[u8; 32]) -> Zeroizing<String> {
    let mut s = Zeroizing::new(URL_SAFE_NO_PAD.encode(key));
    s.push('\n');
    s
}

/// The wallet key in a file beside the store (the CLI's default).
///
/// The file holds the key as base64url text. It must be a regular file that only
/// its owner can read or write: a key file with wider permissions (group or
/// other bits set) is refused with `Storage`, as ssh refuses a private key
/// readable by others. When the file is missing a fresh key is created
/// atomically with mode 0600: written and synced under a temporary name, then
/// hard-linked into place, so two processes racing to create it agree on one
/// key (the loser reads the winner's file) and a crash never leaves a
/// half-written key file under the real name. Permissions are checked on Unix
/// only; elsewhere protect the directory.
///
/// Losing the key file loses the store: a fresh key is then created, and the
/// store's key check refuses it (`Storage`). Back the key up with the store, or
/// keep it in a platform keystore behind your own [`KeyProvider`].
pub struct FileKeyProvider {
    path: PathBuf,
    rng: Box<dyn SecureRandom + Send + Sync>,
}

impl fmt::Debug for FileKeyProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileKeyProvider({})", self.path.display())
    }
}

impl FileKeyProvider {
    /// A key file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileKeyProvider {
            path: path.into(),
            rng: Box::new(SystemRandom),
        }
    }

    /// The key file beside `store`: the store's file name with `.key` appended.
    pub fn beside(store: &Path) -> Self {
        let mut name = store.file_name().unwrap_or_default().to_os_string();
        name.push(".key");
        Self::new(store.with_file_name(name))
    }

    /// Uses `rng` to make a missing key (the default is [`SystemRandom`]).
    pub fn with_rng(mut self, rng: Box<dyn SecureRandom + Send + Sync>) -> Self {
        self.rng = rng;
        self
    }

    /// Where the key file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<Option<Zeroizing<[u8; 32]>>> {
        let shown = self.path.display();
        let meta = match std::fs::symlink_metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(storage(format!("key file {shown}: {e}"))),
        };
        if !meta.file_type().is_file() {
            return Err(storage(format!("key file {shown} is not a regular file")));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(storage(format!(
                    "key file {shown} has permissions {mode:04o}; only 0600 (or stricter) is accepted"
                )));
            }
        }
        let mut text = Zeroizing::new(Vec::new());
        std::fs::File::open(&self.path)
            .and_then(|f| f.take(MAX_KEY_TEXT).read_to_end(&mut text))
            .map_err(|e| storage(format!("key file {shown}: {e}")))?;
        decode_key(&text, &format!("key file {shown}")).map(Some)
    }

    fn create(&self) -> Result<Zeroizing<[u8; 32]>> {
        let shown = self.path.display();
        let mut key = Zeroizing::new([0u8; 32]);
        self.rng.fill(key.as_mut_slice())?;
        let mut tag = [0u8; 8];
        self.rng.fill(&mut tag)?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(self.path.file_name().unwrap_or_default());
        tmp_name.push(format!(".{}.tmp", u64::from_be_bytes(tag)));
        let tmp = dir.join(tmp_name);
        let io = |e: std::io::Error| storage(format!("creating key file {shown}: {e}"));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let written = opts.open(&tmp).and_then(|mut f| {
            f.write_all(encode_key(&key).as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(io(e));
        }
        let linked = std::fs::hard_link(&tmp, &self.path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => {
                #[cfg(unix)]
                std::fs::File::open(&dir)
                    .and_then(|d| d.sync_all())
                    .map_err(io)?;
                Ok(key)
            }
            // Another process made it first: use its key.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => self
                .read()?
                .ok_or_else(|| storage(format!("key file {shown} vanished while created"))),
            Err(e) => Err(io(e)),
        }
    }
}

impl KeyProvider for FileKeyProvider {
    fn wallet_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        match self.read()? {
            Some(k) => Ok(k),
            None => self.create(),
        }
    }
}

/// The wallet key as base64url text (43 characters) in an environment variable,
/// for CI and containers. The variable must be set; nothing is created.
#[derive(Debug, Clone)]
pub struct EnvKeyProvider {
    var: String,
}

impl EnvKeyProvider {
    /// The variable the CLI reads when no key file is wanted.
    pub const DEFAULT_VAR: &'static str = "PASSERELLE_WALLET_KEY";

    /// Reads the key from the variable `var`.
    pub fn new(var: impl Into<String>) -> Self {
        EnvKeyProvider { var: var.into() }
    }

    /// Makes a fresh key in the text form this provider reads (for `export VAR=...`).
    pub fn generate(rng: &dyn SecureRandom) -> Result<Zeroizing<String>> {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill(key.as_mut_slice())?;
        let mut text = encode_key(&key);
        let len = text.trim_end().len();
        text.truncate(len);
        Ok(text)
    }
}

impl KeyProvider for EnvKeyProvider {
    fn wallet_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        let value = std::env::var_os(&self.var)
            .ok_or_else(|| storage(format!("environment variable {} is not set", self.var)))?;
        let text = Zeroizing::new(value.into_encoded_bytes());
        if u64::try_from(text.len()).unwrap_or(u64::MAX) > MAX_KEY_TEXT {
            return Err(storage(format!(
                "environment variable {} is not a 256-bit key",
                self.var
            )));
        }
        decode_key(&text, &format!("environment variable {}", self.var))
    }
}

#[cfg(test)]
pub(super) fn tests_decode(text: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    decode_key(text, "test key")
}
