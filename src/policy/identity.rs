//! The normalized identity view, filled through the mapping table in
//! `policy/recognition-map.json` so that a relying party written for one side reads the
//! other side's credentials the same way.
//!
//! Who vouches: the view is *derived* by the verifier, only from issuer-signed
//! claims (the caller hands in `claims`, which never hold holder-signed data),
//! only from the mapped paths of the credential's own format and subject (an
//! SD-JWT VC's top-level claims, the mdoc's own docType, a W3C credential's
//! `credentialSubject`), and only from values of the attribute's type. Two
//! issuer-signed values for one attribute that disagree are refused, never
//! settled by key order.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::error::{policy, Result};
use crate::time::{age_at, parse_full_date, UnixTime};
use serde_json::{Map, Value};
use std::sync::OnceLock;

use super::RECOGNITION_MAP_JSON as MAP_JSON;

/// Where a credential keeps its subject's claims, which decides the mapped
/// paths that apply to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout<'a> {
    /// SD-JWT VC and plain SD-JWT: the subject's claims at the top level.
    TopLevel,
    /// mdoc: `{docType: {namespace: {element}}}`, for this docType only.
    Mdoc(&'a str),
    /// W3C VCDM: the claims under `credentialSubject`.
    W3c,
}

/// The value type of an identity attribute: a value of another type is not
/// that attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    FullDate,
    Country,
    Countries,
    Count,
    AgeFlags,
}

fn kind_of(name: &str) -> Kind {
    match name {
        "birth_date" => Kind::FullDate,
        "nationalities" => Kind::Countries,
        "country" | "issuing_country" => Kind::Country,
        "age_in_years" => Kind::Count,
        "age_over" => Kind::AgeFlags,
        _ => Kind::Text,
    }
}

struct Mapping {
    name: String,
    kind: Kind,
    paths: Vec<MappedPath>,
}

/// One mapped path, read once from the table: its segments, the layout it
/// belongs to, and its JSON Pointer (the source a field names).
struct MappedPath {
    segments: Vec<String>,
    class: Class,
    pointer: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    TopLevel,
    W3c,
    Mdoc,
}

fn class_of(path: &[String]) -> Option<Class> {
    let first = path.first()?;
    Some(if first == "credentialSubject" {
        Class::W3c
    } else if path.len() == 3 && first.contains('.') {
        Class::Mdoc
    } else {
        Class::TopLevel
    })
}

fn table() -> &'static Vec<Mapping> {
    static TABLE: OnceLock<Vec<Mapping>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let parsed: Map<String, Value> = serde_json::from_str(MAP_JSON).unwrap_or_default();
        let attributes = match parsed.get("attributes") {
            Some(Value::Object(a)) => a.clone(),
            _ => Map::new(),
        };
        attributes
            .into_iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(name, v)| Mapping {
                kind: kind_of(&name),
                name,
                paths: v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .filter_map(|p| crate::sd_jwt::ClaimPath::parse(p).ok())
                            .filter_map(|p| {
                                Some(MappedPath {
                                    class: class_of(p.segments())?,
                                    pointer: p.to_string(),
                                    segments: p.segments().to_vec(),
                                })
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect()
    })
}

/// Whether a mapped path belongs to `layout`.
fn applies(path: &MappedPath, layout: Layout<'_>) -> bool {
    match layout {
        Layout::W3c => path.class == Class::W3c,
        Layout::Mdoc(doc_type) => {
            path.class == Class::Mdoc && path.segments.first().is_some_and(|f| f == doc_type)
        }
        Layout::TopLevel => path.class == Class::TopLevel,
    }
}

fn lookup<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = cur.as_object()?.get(seg)?;
    }
    Some(cur)
}

fn is_country(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// The value at a mapped path as the attribute's type, or `None`.
fn typed(kind: Kind, v: &Value) -> Option<Value> {
    match (kind, v) {
        (Kind::Text, Value::String(s)) if !s.trim().is_empty() => Some(v.clone()),
        (Kind::FullDate, Value::String(s)) if parse_full_date(s).is_some() => Some(v.clone()),
        (Kind::Country, Value::String(s)) if is_country(s) => Some(v.clone()),
        (Kind::Countries, Value::String(s)) if is_country(s) => Some(Value::Array(vec![v.clone()])),
        (Kind::Countries, Value::Array(a))
            if !a.is_empty() && a.iter().all(|c| c.as_str().is_some_and(is_country)) =>
        {
            Some(v.clone())
        }
        (Kind::Count, Value::Number(n)) if n.is_u64() => Some(v.clone()),
        _ => None,
    }
}

/// `{"18": true, ...}` objects (`age_equal_or_over`, `ageOver`) at a mapped
/// path, or `age_over_NN` boolean elements beside the mapped path's parent
/// (mdoc): a path ending in `age_over_NN` names the pattern.
fn age_flags(claims: &Value, path: &[String], out: &mut Vec<(u8, bool, String)>) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let at = |p: &[String], k: &str| {
        crate::sd_jwt::ClaimPath::pointer_of(p.iter().map(String::as_str).chain([k]))
    };
    if last == "age_over_NN" {
        let Some(Value::Object(ns)) = lookup(claims, parent) else {
            return;
        };
        for (k, v) in ns {
            if let (Some(age), Value::Bool(b)) = (k.strip_prefix("age_over_"), v) {
                if let Ok(age) = age.parse::<u8>() {
                    out.push((age, *b, at(parent, k)));
                }
            }
        }
    } else if let Some(Value::Object(m)) = lookup(claims, path) {
        for (k, v) in m {
            if let (Ok(age), Value::Bool(b)) = (k.parse::<u8>(), v) {
                out.push((age, *b, at(path, k)));
            }
        }
    }
}

/// A person's identity attributes, normalized across formats and frameworks.
///
/// Each field is taken from the claims the mapping table names for the
/// credential's format; fields not disclosed are absent. Age flags the
/// issuer did not state are derived from an issuer-signed birth date at the
/// verification time ([`IdentityView::age_over`]); a flag that says "over"
/// while the birth date says "under" is refused when the view is built.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentityView {
    fields: Map<String, Value>,
    /// Per field, the claim path it was read from (JSON Pointer).
    sources: Map<String, Value>,
    /// The verification time, for ages derived from the birth date.
    now: Option<UnixTime>,
}

impl IdentityView {
    /// The view of issuer-signed `claims` laid out as `layout`, at `now`.
    /// Two issuer-signed values of one attribute that disagree, or an age
    /// flag contradicted by the birth date, are `Policy`.
    pub(crate) fn from_claims(claims: &Value, layout: Layout<'_>, now: UnixTime) -> Result<Self> {
        let mut fields = Map::new();
        let mut sources = Map::new();
        let mut flags = Vec::new();
        for m in table() {
            let kind = m.kind;
            for mapped in m.paths.iter().filter(|p| applies(p, layout)) {
                let path = mapped.segments.as_slice();
                if kind == Kind::AgeFlags {
                    age_flags(claims, path, &mut flags);
                    continue;
                }
                let Some(v) = lookup(claims, path).and_then(|v| typed(kind, v)) else {
                    continue;
                };
                match fields.get(&m.name) {
                    Some(prev) if *prev != v => {
                        return Err(policy(format!(
                            "the issuer-signed claims give two different values for {}",
                            m.name
                        )))
                    }
                    Some(_) => {}
                    None => {
                        sources.insert(m.name.clone(), Value::String(mapped.pointer.clone()));
                        fields.insert(m.name.clone(), v);
                    }
                }
            }
        }
        let birth = fields
            .get("birth_date")
            .and_then(Value::as_str)
            .and_then(parse_full_date);
        let mut age_over = Map::new();
        let mut age_sources = Map::new();
        for (age, b, src) in flags {
            let key = age.to_string();
            if age_over.get(&key).is_some_and(|p| *p != Value::Bool(b)) {
                return Err(policy(format!(
                    "the issuer-signed claims give two different values for age_over_{age}"
                )));
            }
            if b {
                if let Some(years) = birth.and_then(|d| age_at(d, now)) {
                    if years < u64::from(age) {
                        return Err(policy(format!(
                            "the issuer-signed age_over_{age} contradicts the issuer-signed birth date"
                        )));
                    }
                }
            }
            age_over.insert(key.clone(), Value::Bool(b));
            age_sources.insert(key, Value::String(src));
        }
        if !age_over.is_empty() {
            fields.insert("age_over".into(), Value::Object(age_over));
            sources.insert("age_over".into(), Value::Object(age_sources));
        }
        Ok(IdentityView {
            fields,
            sources,
            now: Some(now),
        })
    }

    /// Given name(s).
    pub fn given_name(&self) -> Option<&str> {
        self.fields.get("given_name").and_then(Value::as_str)
    }

    /// Family name(s).
    pub fn family_name(&self) -> Option<&str> {
        self.fields.get("family_name").and_then(Value::as_str)
    }

    /// Birth date as `YYYY-MM-DD`.
    pub fn birth_date(&self) -> Option<&str> {
        self.fields.get("birth_date").and_then(Value::as_str)
    }

    /// Whether the person is at least `age`: the issuer's own flag when it
    /// stated one, else derived from the issuer-signed birth date at the
    /// verification time, else unknown.
    pub fn age_over(&self, age: u8) -> Option<bool> {
        self.stated_age_over(age).or_else(|| {
            let birth = self.birth_date().and_then(parse_full_date)?;
            let years = age_at(birth, self.now?)?;
            Some(years >= u64::from(age))
        })
    }

    fn stated_age_over(&self, age: u8) -> Option<bool> {
        self.fields
            .get("age_over")
            .and_then(|m| m.get(age.to_string()))
            .and_then(Value::as_bool)
    }

    /// Nationalities (ISO 3166-1 alpha-2).
    pub fn nationalities(&self) -> Vec<&str> {
        self.fields
            .get("nationalities")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// Whether the view has `attribute` (a field name, or `age_over_NN`,
    /// which must be true, stated or derived).
    pub(crate) fn satisfies(&self, attribute: &str) -> bool {
        match attribute.strip_prefix("age_over_") {
            Some(age) => age
                .parse::<u8>()
                .is_ok_and(|a| self.age_over(a) == Some(true)),
            None => self.fields.get(attribute).is_some_and(|v| !v.is_null()),
        }
    }

    /// All fields as JSON (stated age flags under `age_over`).
    pub fn to_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }

    /// For each field, the claim path (JSON Pointer) it was read from.
    pub fn sources(&self) -> Value {
        Value::Object(self.sources.clone())
    }
}
