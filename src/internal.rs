//! Hooks for the fuzzers. Not part of the API: no stability promise.

/// One entry per parser, each feeding arbitrary bytes through it. None may
/// panic, hang or allocate without bound, whatever the input.
pub mod fuzzing {
    use crate::{Expectations, Policy, PrivateKey, TrustStore, UnixTime, Verifier};
    use std::sync::OnceLock;

    /// Compact JWS and JWK parsing (and a verification attempt with a fixed key).
    pub fn jws(data: &[u8]) {
        let Ok(text) = core::str::from_utf8(data) else {
            return;
        };
        if let Ok(jws) = crate::jose::Jws::parse(text) {
            let _ = jws.x5c();
            let _ = jws.require_typ(&["dc+sd-jwt"]);
            let _ = jws.verify(key().public_key());
        }
        let _ = crate::PublicKey::from_jwk(text);
        let _ = crate::PrivateKey::from_jwk(text);
        let _ = crate::encoding::parse_json(data, "fuzz");
    }

    fn key() -> &'static PrivateKey {
        static KEY: OnceLock<PrivateKey> = OnceLock::new();
        KEY.get_or_init(|| {
            PrivateKey::from_jwk(
                r#"{"kty":"EC","crv":"P-256","d":"Ur2bNKuBPOrAaxsRnbSH6hIhmNTxSGXshDSUD1a1y7g",
                "x":"b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ","y":"Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8"}"#,
            )
            .unwrap_or_else(|_| std::process::abort())
        })
    }

    /// An SD-JWT presentation through the verifier (trusting the RFC 9901 A.5
    /// issuer key, so seeds from the RFC examples reach the processing rules),
    /// and through the wallet's parser.
    pub fn sd_jwt_presentation(data: &[u8]) {
        let mut trust = TrustStore::new();
        trust.add_issuer_key(key().public_key().clone(), None, None);
        let v = Verifier::new(trust, Policy::default().allow_legacy_typ(true));
        let e = Expectations::at(UnixTime::from_secs(1_748_536_900))
            .nonce("1234567890")
            .audience("https://verifier.example.org");
        let _ = v.verify(data, &e);
        if let Ok(text) = core::str::from_utf8(data) {
            let _ = v.verify_sd_jwt(text, &e);
            if let Ok(held) = crate::HeldSdJwt::parse(text) {
                let paths = held.disclosable_paths();
                let _ = held.present(&paths, None);
            }
        }
    }
}
