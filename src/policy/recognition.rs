//! Mutual recognition: one relying-party policy, written once, for every format.
//!
//! A [`Recognition`] lists clauses ("an EU PID at eIDAS high", "a Canadian person
//! credential at PCTF LoA3 or above") and the identity attributes the relying
//! party needs. A verified credential is accepted when it meets one clause and
//! discloses every required attribute; the result names the clause. Levels of
//! the two frameworks are compared on the ordinal scale of
//! `recognition-map.json`.
//!
//! ```
//! let policy = passerelle::Recognition::from_json(r#"{
//!   "accept": [
//!     {"name": "eu-pid-high", "formats": ["dc+sd-jwt", "mso_mdoc"],
//!      "credential_types": ["urn:eudi:pid:1", "eu.europa.ec.eudi.pid.1"], "min_assurance": "eIDAS-high"},
//!     {"name": "ca-person-loa3", "formats": ["vc+sd-jwt", "vc+jwt"],
//!      "credential_types": ["PersonCredential"], "min_assurance": "PCTF-LOA3"}
//!   ],
//!   "require_attributes": ["given_name", "family_name", "age_over_18"]
//! }"#)?;
//! assert_eq!(policy.clauses().len(), 2);
//! # Ok::<(), passerelle::Error>(())
//! ```

use crate::encoding::parse_json_object;
use crate::error::{malformed, policy, Result};
use serde_json::{Map, Value};

/// One acceptable kind of credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The clause's name, reported in the result.
    pub name: String,
    /// Accepted formats (`dc+sd-jwt`, `vc+sd-jwt`, `vc+jwt`, `mso_mdoc`); empty = any.
    pub formats: Vec<String>,
    /// Accepted credential types (vct, VC type, docType); empty = any.
    pub credential_types: Vec<String>,
    /// The lowest acceptable assurance level (`eIDAS-high`, `PCTF-LOA3`, …).
    pub min_assurance: Option<String>,
}

/// A relying party's recognition policy.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recognition {
    clauses: Vec<Clause>,
    required: Vec<String>,
}

fn strings(o: &Map<String, Value>, k: &str) -> Result<Vec<String>> {
    match o.get(k) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| malformed(format!("policy: {k} holds strings")))
            })
            .collect(),
        Some(_) => Err(malformed(format!("policy: {k} is not an array"))),
    }
}

/// The level's place on the shared scale.
pub(crate) fn assurance_rank(level: &str) -> Option<u64> {
    let v: Value = serde_json::from_str(super::RECOGNITION_MAP_JSON).ok()?;
    v.get("assurance_levels")?.get(level)?.as_u64()
}

impl Recognition {
    /// Reads `{"accept": [clause, …], "require_attributes": [name, …]}`.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::from_object(&parse_json_object(text.as_bytes(), "policy")?)
    }

    pub(crate) fn from_object(o: &Map<String, Value>) -> Result<Self> {
        let mut clauses = Vec::new();
        if let Some(list) = o.get("accept") {
            for c in list
                .as_array()
                .ok_or_else(|| malformed("policy: accept is not an array"))?
            {
                let c = c
                    .as_object()
                    .ok_or_else(|| malformed("policy: a clause is not an object"))?;
                let min_assurance = match c.get("min_assurance") {
                    None => None,
                    Some(Value::String(l)) if assurance_rank(l).is_some() => Some(l.clone()),
                    Some(_) => return Err(malformed("policy: min_assurance is not a known level")),
                };
                clauses.push(Clause {
                    name: c
                        .get("name")
                        .and_then(Value::as_str)
                        .ok_or_else(|| malformed("policy: a clause needs a name"))?
                        .to_owned(),
                    formats: strings(c, "formats")?,
                    credential_types: strings(c, "credential_types")?,
                    min_assurance,
                });
            }
        }
        Ok(Recognition {
            clauses,
            required: strings(o, "require_attributes")?,
        })
    }

    /// The clauses.
    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    /// The identity attributes a credential must disclose (or satisfy), in
    /// the normalized names of [`IdentityView`](crate::IdentityView)
    /// (`given_name`, `age_over_18`, …).
    ///
    /// ```
    /// let r = passerelle::Recognition::from_json(r#"{"require_attributes": ["age_over_18"]}"#)?;
    /// assert_eq!(r.required_attributes(), ["age_over_18"]);
    /// # Ok::<(), passerelle::Error>(())
    /// ```
    pub fn required_attributes(&self) -> &[String] {
        &self.required
    }

    /// Whether the policy says anything.
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty() && self.required.is_empty()
    }

    /// The clause a verified credential meets, or `Policy` saying why none does.
    /// `identity` is the normalized identity view (issuer-signed data only);
    /// a required `age_over_NN` is met by a stated or derived `true`.
    pub(crate) fn evaluate(
        &self,
        format: &str,
        credential_type: &str,
        assurance: Option<&str>,
        identity: &super::IdentityView,
    ) -> Result<Option<String>> {
        for attr in &self.required {
            if !identity.satisfies(attr) {
                return Err(policy(format!(
                    "the credential does not disclose (or satisfy) {attr}"
                )));
            }
        }
        if self.clauses.is_empty() {
            return Ok(None);
        }
        let rank = assurance.and_then(assurance_rank);
        let mut why = Vec::new();
        for c in &self.clauses {
            if !c.formats.is_empty() && !c.formats.iter().any(|f| f == format) {
                why.push(format!("{}: format {format}", c.name));
                continue;
            }
            if !c.credential_types.is_empty()
                && !c.credential_types.iter().any(|t| t == credential_type)
            {
                why.push(format!("{}: type {credential_type}", c.name));
                continue;
            }
            if let Some(min) = c.min_assurance.as_deref().and_then(assurance_rank) {
                if rank.is_none_or(|r| r < min) {
                    why.push(format!(
                        "{}: assurance {}",
                        c.name,
                        assurance.unwrap_or("unknown")
                    ));
                    continue;
                }
            }
            return Ok(Some(c.name.clone()));
        }
        Err(policy(format!(
            "no policy clause is met ({})",
            why.join("; ")
        )))
    }
}
