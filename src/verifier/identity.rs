//! The normalized identity view, filled through the mapping table in
//! `policy/recognition-map.json` so that a relying party written for one side reads the
//! other side's credentials the same way.

use crate::sd_jwt::{lookup, ClaimPath};
use serde_json::{Map, Value};
use std::sync::OnceLock;

use crate::policy::RECOGNITION_MAP_JSON as MAP_JSON;

fn table() -> &'static Vec<(String, Vec<ClaimPath>)> {
    static TABLE: OnceLock<Vec<(String, Vec<ClaimPath>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let parsed: Map<String, Value> = serde_json::from_str(MAP_JSON).unwrap_or_default();
        let attributes = match parsed.get("attributes") {
            Some(Value::Object(a)) => a.clone(),
            _ => Map::new(),
        };
        attributes
            .into_iter()
            .filter(|(k, _)| !k.starts_with('_'))
            .map(|(k, v)| {
                let paths = v
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .filter_map(|p| ClaimPath::parse(p).ok())
                            .collect()
                    })
                    .unwrap_or_default();
                (k, paths)
            })
            .collect()
    })
}

/// A person's identity attributes, normalized across formats and frameworks.
///
/// Each field is taken from the first claim the mapping table names that the
/// credential disclosed; fields not disclosed are absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IdentityView {
    fields: Map<String, Value>,
}

impl IdentityView {
    pub(crate) fn from_claims(claims: &Value) -> Self {
        let mut fields = Map::new();
        for (name, paths) in table() {
            if let Some(v) = paths.iter().find_map(|p| lookup(claims, p)) {
                let v = match (name.as_str(), v) {
                    ("nationalities", Value::String(s)) => {
                        Value::Array(vec![Value::String(s.clone())])
                    }
                    _ => v.clone(),
                };
                fields.insert(name.clone(), v);
            }
        }
        let mut age_over = Map::new();
        collect_age_over(claims, &mut age_over, 0);
        if !age_over.is_empty() {
            fields.insert("age_over".into(), Value::Object(age_over));
        }
        IdentityView { fields }
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

    /// Whether the person is at least `age`, when the credential disclosed it.
    pub fn age_over(&self, age: u8) -> Option<bool> {
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

    /// All fields as JSON.
    pub fn to_json(&self) -> Value {
        Value::Object(self.fields.clone())
    }
}

/// `age_equal_or_over: {"18": true}` objects (SD-JWT VC PID) and `age_over_18`
/// elements (mdoc), wherever they sit in the first levels of the claims.
fn collect_age_over(v: &Value, out: &mut Map<String, Value>, depth: usize) {
    let Value::Object(o) = v else { return };
    if depth > 3 {
        return;
    }
    for (k, child) in o {
        if k == "age_equal_or_over" || k == "ageOver" {
            if let Value::Object(m) = child {
                for (age, b) in m {
                    if age.parse::<u8>().is_ok() && b.is_boolean() {
                        out.insert(age.clone(), b.clone());
                    }
                }
            }
        } else if let Some(age) = k.strip_prefix("age_over_") {
            if age.parse::<u8>().is_ok() && child.is_boolean() {
                out.insert(age.to_owned(), child.clone());
            }
        } else {
            collect_age_over(child, out, depth + 1);
        }
    }
}
