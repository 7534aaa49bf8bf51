//! Parsing and validating a DCQL query (OpenID4VP 1.0 §6, Annex B).

use crate::error::{limit, malformed, unsupported, Result};
use crate::limits::{
    MAX_DCQL_CLAIMS_PER_QUERY, MAX_DCQL_CREDENTIAL_QUERIES, MAX_DCQL_PATH_SEGMENTS, MAX_DCQL_SETS,
    MAX_DCQL_VALUES,
};
use serde_json::{Map, Value};
use std::collections::HashSet;

/// A Credential Format Identifier a DCQL query may name (OpenID4VP 1.0 Annex B).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DcqlFormat {
    /// IETF SD-JWT VC, `dc+sd-jwt`.
    SdJwtVc,
    /// ISO/IEC 18013-5 mdoc, `mso_mdoc`.
    MsoMdoc,
    /// W3C VC secured as a JWT, not using JSON-LD, `jwt_vc_json`.
    JwtVcJson,
    /// W3C VC secured with Data Integrity, `ldp_vc`.
    LdpVc,
}

impl DcqlFormat {
    /// The format identifier as it appears in a query.
    pub fn as_str(self) -> &'static str {
        match self {
            DcqlFormat::SdJwtVc => "dc+sd-jwt",
            DcqlFormat::MsoMdoc => "mso_mdoc",
            DcqlFormat::JwtVcJson => "jwt_vc_json",
            DcqlFormat::LdpVc => "ldp_vc",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "dc+sd-jwt" => Some(DcqlFormat::SdJwtVc),
            "mso_mdoc" => Some(DcqlFormat::MsoMdoc),
            "jwt_vc_json" => Some(DcqlFormat::JwtVcJson),
            "ldp_vc" => Some(DcqlFormat::LdpVc),
            _ => None,
        }
    }
}

/// The `meta` constraints of a credential query, per format.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DcqlMeta {
    /// `vct_values`: the credential's `vct` must be one of them (exact match;
    /// passerelle does not follow `vct` inheritance).
    SdJwtVc {
        /// Allowed `vct` values, non-empty.
        vct_values: Vec<String>,
    },
    /// `doctype_value`: the mdoc's docType must equal it.
    MsoMdoc {
        /// The required docType.
        doctype_value: String,
    },
    /// `type_values`: the credential's `type` must contain every type of at
    /// least one inner array (strings compared as given; no JSON-LD expansion).
    W3c {
        /// Alternatives, each a non-empty set of types.
        type_values: Vec<Vec<String>>,
    },
}

/// One component of a claims path pointer (OpenID4VP 1.0 §7).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A member name of an object.
    Key(String),
    /// A (0-based) array position.
    Index(u64),
    /// `null`: every element of the selected array(s).
    All,
}

/// A value a claim may be required to have (`values`): matched exactly by
/// JSON type and value (`"1"` never matches `1`, `1` never matches `true`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClaimValue {
    /// A string.
    String(String),
    /// An integer.
    Integer(i128),
    /// A boolean.
    Bool(bool),
}

impl ClaimValue {
    /// Whether the JSON value `v` has this type and value.
    pub fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (ClaimValue::String(a), Value::String(b)) => a == b,
            (ClaimValue::Bool(a), Value::Bool(b)) => a == b,
            (ClaimValue::Integer(a), Value::Number(n)) => json_integer(n) == Some(*a),
            _ => false,
        }
    }
}

/// The integer a JSON number is, when it is one (no fraction, no exponent
/// form that serde_json reads as a float).
fn json_integer(n: &serde_json::Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    n.as_u64().map(i128::from)
}

/// A claims query: one claim of a credential query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimsQuery {
    pub(crate) id: Option<String>,
    pub(crate) path: Vec<PathElement>,
    pub(crate) values: Option<Vec<ClaimValue>>,
    pub(crate) intent_to_retain: Option<bool>,
}

impl ClaimsQuery {
    /// The claim id (required when the credential query has `claim_sets`).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The claims path pointer.
    pub fn path(&self) -> &[PathElement] {
        &self.path
    }

    /// The allowed values, when restricted.
    pub fn values(&self) -> Option<&[ClaimValue]> {
        self.values.as_deref()
    }

    /// mdoc only: the verifier's `intent_to_retain`, when stated.
    pub fn intent_to_retain(&self) -> Option<bool> {
        self.intent_to_retain
    }
}

/// A trusted authorities query: the credential must match one of `values`
/// for this `type` (`aki`, `etsi_tl`, `openid_federation`, or another type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustedAuthority {
    pub(crate) kind: String,
    pub(crate) values: Vec<String>,
}

impl TrustedAuthority {
    /// The type identifier.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The accepted values, non-empty.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

/// A credential query: one requested credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialQuery {
    pub(crate) id: String,
    pub(crate) format: DcqlFormat,
    pub(crate) multiple: bool,
    pub(crate) meta: DcqlMeta,
    pub(crate) trusted_authorities: Option<Vec<TrustedAuthority>>,
    pub(crate) require_holder_binding: bool,
    pub(crate) claims: Option<Vec<ClaimsQuery>>,
    pub(crate) claim_sets: Option<Vec<Vec<String>>>,
}

impl CredentialQuery {
    /// The credential query id (the `vp_token` key).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The requested format.
    pub fn format(&self) -> DcqlFormat {
        self.format
    }

    /// Whether several credentials may answer it (default false).
    pub fn multiple(&self) -> bool {
        self.multiple
    }

    /// The `meta` constraints.
    pub fn meta(&self) -> &DcqlMeta {
        &self.meta
    }

    /// The trusted authorities, when stated.
    pub fn trusted_authorities(&self) -> Option<&[TrustedAuthority]> {
        self.trusted_authorities.as_deref()
    }

    /// `require_cryptographic_holder_binding` (default true).
    pub fn require_cryptographic_holder_binding(&self) -> bool {
        self.require_holder_binding
    }

    /// The claims queries, when stated.
    pub fn claims(&self) -> Option<&[ClaimsQuery]> {
        self.claims.as_deref()
    }

    /// The claim sets (claim ids), when stated.
    pub fn claim_sets(&self) -> Option<&[Vec<String>]> {
        self.claim_sets.as_deref()
    }
}

/// A credential set query: one of `options` (each a list of credential query
/// ids) must be answered when `required` (default true).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialSetQuery {
    pub(crate) options: Vec<Vec<String>>,
    pub(crate) required: bool,
}

impl CredentialSetQuery {
    /// The options, in the verifier's order of preference.
    pub fn options(&self) -> &[Vec<String>] {
        &self.options
    }

    /// Whether the set must be met (default true).
    pub fn required(&self) -> bool {
        self.required
    }
}

/// A parsed, validated DCQL query (OpenID4VP 1.0 §6).
///
/// Unknown members are ignored at every level (§6: "Implementations MUST
/// ignore any unknown properties"); a known member of the wrong type, a
/// contradiction (`claim_sets` without `claims`, a claim without `id` when
/// `claim_sets` is present, an id that refers to nothing) or a duplicate id
/// is `Malformed`, naming the member; an unknown `format` is `Unsupported`;
/// more than the [`limits`](crate::limits) allow is `LimitExceeded`.
///
/// ```
/// let q = passerelle::DcqlQuery::parse(br#"{"credentials": [{"id": "pid",
///     "format": "dc+sd-jwt", "meta": {"vct_values": ["urn:eudi:pid:1"]},
///     "claims": [{"path": ["given_name"]}], "future_member": 1}]}"#)?;
/// assert_eq!(q.credentials()[0].id(), "pid");
/// let dup = passerelle::DcqlQuery::parse(br#"{"credentials": [
///     {"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "x"}},
///     {"id": "a", "format": "mso_mdoc", "meta": {"doctype_value": "y"}}]}"#);
/// assert_eq!(dup.unwrap_err().kind(), passerelle::ErrorKind::Malformed);
/// # Ok::<(), passerelle::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcqlQuery {
    pub(crate) credentials: Vec<CredentialQuery>,
    pub(crate) credential_sets: Option<Vec<CredentialSetQuery>>,
}

impl DcqlQuery {
    /// Parses a DCQL query from JSON bytes (the strict reader: duplicate
    /// members, bad UTF-8 and deep nesting are refused before anything else).
    pub fn parse(json: &[u8]) -> Result<Self> {
        let obj = crate::encoding::parse_json_object(json, "DCQL query")?;
        Self::from_json(&obj)
    }

    /// Validates a DCQL query already read as a JSON object.
    pub fn from_json(obj: &Map<String, Value>) -> Result<Self> {
        parse_query(obj).map_err(|e| e.context("DCQL query"))
    }

    /// The credential queries, in order.
    pub fn credentials(&self) -> &[CredentialQuery] {
        &self.credentials
    }

    /// The credential set queries, when stated.
    pub fn credential_sets(&self) -> Option<&[CredentialSetQuery]> {
        self.credential_sets.as_deref()
    }

    /// The credential query with this id.
    pub fn credential(&self, id: &str) -> Option<&CredentialQuery> {
        self.credentials.iter().find(|c| c.id == id)
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(what: &str, want: &str, got: &Value) -> crate::Error {
    malformed(format!("{what} must be {want}, not {}", type_name(got)))
}

/// A non-empty array at `what`, at most `max` long.
fn array<'a>(v: &'a Value, what: &str, max: usize, limit_name: &str) -> Result<&'a [Value]> {
    let a = v
        .as_array()
        .ok_or_else(|| wrong(what, "a non-empty array", v))?;
    if a.is_empty() {
        return Err(malformed(format!("{what} must be a non-empty array")));
    }
    if a.len() > max {
        return Err(limit(format!(
            "{what} has {} entries, more than {limit_name} ({max})",
            a.len()
        )));
    }
    Ok(a)
}

fn string<'a>(v: &'a Value, what: &str) -> Result<&'a str> {
    v.as_str().ok_or_else(|| wrong(what, "a string", v))
}

fn boolean(obj: &Map<String, Value>, key: &str, what: &str, default: bool) -> Result<bool> {
    match obj.get(key) {
        None => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(wrong(&format!("{what}.{key}"), "a boolean", other)),
    }
}

/// An identifier: non-empty, only `[A-Za-z0-9_-]`.
fn ident(v: &Value, what: &str) -> Result<String> {
    let s = string(v, what)?;
    if s.is_empty() {
        return Err(malformed(format!("{what} must not be empty")));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(malformed(format!(
            "{what} {:?} has the character {c:?}; ids are alphanumeric, '_' or '-'",
            crate::crypto::clip(s)
        )));
    }
    Ok(s.to_owned())
}

fn object<'a>(v: &'a Value, what: &str) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| wrong(what, "an object", v))
}

fn parse_query(obj: &Map<String, Value>) -> Result<DcqlQuery> {
    let creds_v = obj
        .get("credentials")
        .ok_or_else(|| malformed("credentials is required"))?;
    let creds = array(
        creds_v,
        "credentials",
        MAX_DCQL_CREDENTIAL_QUERIES,
        "MAX_DCQL_CREDENTIAL_QUERIES",
    )?;
    let mut credentials = Vec::with_capacity(creds.len());
    let mut ids = HashSet::new();
    for (i, c) in creds.iter().enumerate() {
        let what = format!("credentials[{i}]");
        let q = parse_credential_query(c, &what)?;
        if !ids.insert(q.id.clone()) {
            return Err(malformed(format!(
                "{what}.id {:?} is used by an earlier credential query; ids must be unique",
                q.id
            )));
        }
        credentials.push(q);
    }
    let credential_sets = match obj.get("credential_sets") {
        None => None,
        Some(v) => {
            let sets = array(v, "credential_sets", MAX_DCQL_SETS, "MAX_DCQL_SETS")?;
            let mut out = Vec::with_capacity(sets.len());
            for (i, s) in sets.iter().enumerate() {
                out.push(parse_credential_set(
                    s,
                    &format!("credential_sets[{i}]"),
                    &ids,
                )?);
            }
            Some(out)
        }
    };
    Ok(DcqlQuery {
        credentials,
        credential_sets,
    })
}

fn parse_credential_set(
    v: &Value,
    what: &str,
    ids: &HashSet<String>,
) -> Result<CredentialSetQuery> {
    let obj = object(v, what)?;
    let opts_v = obj
        .get("options")
        .ok_or_else(|| malformed(format!("{what}.options is required")))?;
    let opts = array(
        opts_v,
        &format!("{what}.options"),
        MAX_DCQL_SETS,
        "MAX_DCQL_SETS",
    )?;
    let mut options = Vec::with_capacity(opts.len());
    for (j, o) in opts.iter().enumerate() {
        let w = format!("{what}.options[{j}]");
        let members = array(
            o,
            &w,
            MAX_DCQL_CREDENTIAL_QUERIES,
            "MAX_DCQL_CREDENTIAL_QUERIES",
        )?;
        let mut option = Vec::with_capacity(members.len());
        for (k, m) in members.iter().enumerate() {
            let id = ident(m, &format!("{w}[{k}]"))?;
            if !ids.contains(&id) {
                return Err(malformed(format!(
                    "{w}[{k}] names the credential query {id:?}, which does not exist"
                )));
            }
            if option.contains(&id) {
                return Err(malformed(format!("{w} names {id:?} twice")));
            }
            option.push(id);
        }
        options.push(option);
    }
    Ok(CredentialSetQuery {
        options,
        required: boolean(obj, "required", what, true)?,
    })
}

fn parse_credential_query(v: &Value, what: &str) -> Result<CredentialQuery> {
    let obj = object(v, what)?;
    let id = ident(
        obj.get("id")
            .ok_or_else(|| malformed(format!("{what}.id is required")))?,
        &format!("{what}.id"),
    )?;
    let what = format!("credential query {id:?}");
    let what = what.as_str();
    let format_s = string(
        obj.get("format")
            .ok_or_else(|| malformed(format!("{what}: format is required")))?,
        &format!("{what}: format"),
    )?;
    let format = DcqlFormat::parse(format_s).ok_or_else(|| {
        unsupported(format!(
            "{what}: format {:?} is not one of dc+sd-jwt, mso_mdoc, jwt_vc_json, ldp_vc",
            crate::crypto::clip(format_s)
        ))
    })?;
    let multiple = boolean(obj, "multiple", what, false)?;
    let require_holder_binding = boolean(obj, "require_cryptographic_holder_binding", what, true)?;
    let meta_v = obj
        .get("meta")
        .ok_or_else(|| malformed(format!("{what}: meta is required (OpenID4VP 1.0 §6.1)")))?;
    let meta = parse_meta(object(meta_v, &format!("{what}: meta"))?, format, what)?;
    let trusted_authorities = match obj.get("trusted_authorities") {
        None => None,
        Some(v) => {
            let w = format!("{what}: trusted_authorities");
            let items = array(v, &w, MAX_DCQL_SETS, "MAX_DCQL_SETS")?;
            let mut out = Vec::with_capacity(items.len());
            for (i, t) in items.iter().enumerate() {
                let w = format!("{w}[{i}]");
                let o = object(t, &w)?;
                let kind = string(
                    o.get("type")
                        .ok_or_else(|| malformed(format!("{w}.type is required")))?,
                    &format!("{w}.type"),
                )?
                .to_owned();
                let vals = array(
                    o.get("values")
                        .ok_or_else(|| malformed(format!("{w}.values is required")))?,
                    &format!("{w}.values"),
                    MAX_DCQL_VALUES,
                    "MAX_DCQL_VALUES",
                )?;
                let values = vals
                    .iter()
                    .enumerate()
                    .map(|(j, s)| string(s, &format!("{w}.values[{j}]")).map(str::to_owned))
                    .collect::<Result<Vec<_>>>()?;
                out.push(TrustedAuthority { kind, values });
            }
            Some(out)
        }
    };
    let claims = match obj.get("claims") {
        None => None,
        Some(v) => {
            let w = format!("{what}: claims");
            let items = array(
                v,
                &w,
                MAX_DCQL_CLAIMS_PER_QUERY,
                "MAX_DCQL_CLAIMS_PER_QUERY",
            )?;
            let mut out: Vec<ClaimsQuery> = Vec::with_capacity(items.len());
            for (i, c) in items.iter().enumerate() {
                let q = parse_claims_query(c, &format!("{w}[{i}]"), format)?;
                if let Some(cid) = &q.id {
                    if out.iter().any(|p| p.id.as_ref() == Some(cid)) {
                        return Err(malformed(format!(
                            "{w}[{i}].id {cid:?} is used by an earlier claim of this query"
                        )));
                    }
                }
                out.push(q);
            }
            Some(out)
        }
    };
    let claim_sets = match obj.get("claim_sets") {
        None => None,
        Some(v) => {
            let w = format!("{what}: claim_sets");
            let claims = claims.as_ref().ok_or_else(|| {
                malformed(format!(
                    "{w} is present and claims is absent (§6.1 forbids it)"
                ))
            })?;
            if let Some((i, _)) = claims.iter().enumerate().find(|(_, c)| c.id.is_none()) {
                return Err(malformed(format!(
                    "{what}: claims[{i}] has no id, and every claim needs one when claim_sets is present"
                )));
            }
            let sets = array(v, &w, MAX_DCQL_SETS, "MAX_DCQL_SETS")?;
            let mut out = Vec::with_capacity(sets.len());
            for (i, s) in sets.iter().enumerate() {
                let ws = format!("{w}[{i}]");
                let members = array(
                    s,
                    &ws,
                    MAX_DCQL_CLAIMS_PER_QUERY,
                    "MAX_DCQL_CLAIMS_PER_QUERY",
                )?;
                let mut set = Vec::with_capacity(members.len());
                for (k, m) in members.iter().enumerate() {
                    let cid = ident(m, &format!("{ws}[{k}]"))?;
                    if !claims.iter().any(|c| c.id.as_ref() == Some(&cid)) {
                        return Err(malformed(format!(
                            "{ws}[{k}] names the claim {cid:?}, which is not in claims"
                        )));
                    }
                    if set.contains(&cid) {
                        return Err(malformed(format!("{ws} names {cid:?} twice")));
                    }
                    set.push(cid);
                }
                out.push(set);
            }
            Some(out)
        }
    };
    Ok(CredentialQuery {
        id,
        format,
        multiple,
        meta,
        trusted_authorities,
        require_holder_binding,
        claims,
        claim_sets,
    })
}

fn string_list(v: &Value, what: &str) -> Result<Vec<String>> {
    array(v, what, MAX_DCQL_VALUES, "MAX_DCQL_VALUES")?
        .iter()
        .enumerate()
        .map(|(i, s)| string(s, &format!("{what}[{i}]")).map(str::to_owned))
        .collect()
}

fn parse_meta(meta: &Map<String, Value>, format: DcqlFormat, what: &str) -> Result<DcqlMeta> {
    let need = |key: &str| {
        meta.get(key).ok_or_else(|| {
            malformed(format!(
                "{what}: meta.{key} is required for format {}",
                format.as_str()
            ))
        })
    };
    Ok(match format {
        DcqlFormat::SdJwtVc => DcqlMeta::SdJwtVc {
            vct_values: string_list(need("vct_values")?, &format!("{what}: meta.vct_values"))?,
        },
        DcqlFormat::MsoMdoc => DcqlMeta::MsoMdoc {
            doctype_value: string(
                need("doctype_value")?,
                &format!("{what}: meta.doctype_value"),
            )?
            .to_owned(),
        },
        DcqlFormat::JwtVcJson | DcqlFormat::LdpVc => {
            let w = format!("{what}: meta.type_values");
            let outer = array(need("type_values")?, &w, MAX_DCQL_VALUES, "MAX_DCQL_VALUES")?;
            let type_values = outer
                .iter()
                .enumerate()
                .map(|(i, inner)| string_list(inner, &format!("{w}[{i}]")))
                .collect::<Result<Vec<_>>>()?;
            DcqlMeta::W3c { type_values }
        }
    })
}

fn parse_claims_query(v: &Value, what: &str, format: DcqlFormat) -> Result<ClaimsQuery> {
    let obj = object(v, what)?;
    let id = match obj.get("id") {
        None => None,
        Some(i) => Some(ident(i, &format!("{what}.id"))?),
    };
    let path_v = obj
        .get("path")
        .ok_or_else(|| malformed(format!("{what}.path is required")))?;
    let wp = format!("{what}.path");
    let segs = array(
        path_v,
        &wp,
        MAX_DCQL_PATH_SEGMENTS,
        "MAX_DCQL_PATH_SEGMENTS",
    )?;
    let mut path = Vec::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        path.push(match s {
            Value::String(k) => PathElement::Key(k.clone()),
            Value::Null => PathElement::All,
            Value::Number(n) => match n.as_u64() {
                Some(u) => PathElement::Index(u),
                None => {
                    return Err(malformed(format!(
                        "{wp}[{i}] is {n}: array positions are non-negative integers"
                    )))
                }
            },
            other => {
                return Err(wrong(
                    &format!("{wp}[{i}]"),
                    "a string, a non-negative integer or null",
                    other,
                ))
            }
        });
    }
    let mut intent_to_retain = None;
    if format == DcqlFormat::MsoMdoc {
        // Annex B.2: exactly two strings, namespace and data element identifier.
        if !matches!(path.as_slice(), [PathElement::Key(_), PathElement::Key(_)]) {
            return Err(malformed(format!(
                "{wp}: an mso_mdoc claims path is exactly two strings (namespace, element identifier)"
            )));
        }
        intent_to_retain = match obj.get("intent_to_retain") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(wrong(
                    &format!("{what}.intent_to_retain"),
                    "a boolean",
                    other,
                ))
            }
        };
    }
    let values = match obj.get("values") {
        None => None,
        Some(vs) => {
            let wv = format!("{what}.values");
            let items = array(vs, &wv, MAX_DCQL_VALUES, "MAX_DCQL_VALUES")?;
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(match x {
                    Value::String(s) => ClaimValue::String(s.clone()),
                    Value::Bool(b) => ClaimValue::Bool(*b),
                    Value::Number(n) => ClaimValue::Integer(json_integer(n).ok_or_else(|| {
                        malformed(format!(
                            "{wv}[{i}] is {n}: values are strings, integers or booleans"
                        ))
                    })?),
                    other => {
                        return Err(wrong(
                            &format!("{wv}[{i}]"),
                            "a string, an integer or a boolean",
                            other,
                        ))
                    }
                });
            }
            Some(out)
        }
    };
    Ok(ClaimsQuery {
        id,
        path,
        values,
        intent_to_retain,
    })
}
