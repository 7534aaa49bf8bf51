//! JSON Canonicalization Scheme (RFC 8785), for Data Integrity `*-jcs-*`
//! cryptosuites and did:webvh entry hashes.
//!
//! Object members are sorted by the UTF-16 code units of their names; numbers
//! are IEEE 754 doubles written as ECMAScript `Number.prototype.toString` does;
//! strings are escaped minimally (only `"`, `\` and control characters).

use crate::error::{malformed, Result};
use serde_json::{Number, Value};

/// The canonical form of `v`.
pub(crate) fn canonicalize(v: &Value) -> Result<String> {
    let mut out = String::new();
    write_value(v, &mut out)?;
    Ok(out)
}

fn write_value(v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)?),
        Value::String(s) => write_string(s, out),
        Value::Array(a) => {
            out.push('[');
            for (i, e) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(e, out)?;
            }
            out.push(']');
        }
        Value::Object(o) => {
            let mut members: Vec<(&String, &Value)> = o.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_value(v, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript's Number::toString for the double nearest to `n`.
fn number(n: &Number) -> Result<String> {
    let f = n
        .as_f64()
        .ok_or_else(|| malformed("JCS: number is not representable as a double"))?;
    es_number(f)
}

pub(crate) fn es_number(f: f64) -> Result<String> {
    if !f.is_finite() {
        return Err(malformed("JCS: NaN and Infinity have no JSON form"));
    }
    if f == 0.0 {
        return Ok("0".into());
    }
    let sign = if f < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-trip digits, as ECMAScript requires.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci
        .split_once('e')
        .ok_or_else(|| malformed("JCS: number format"))?;
    let exp: i32 = exp.parse().map_err(|_| malformed("JCS: number format"))?;
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = i32::try_from(digits.len()).map_err(|_| malformed("JCS: number format"))?;
    let n = exp + 1; // position of the decimal point relative to the digits
    let body = if k <= n && n <= 21 {
        let zeros = usize::try_from(n - k).unwrap_or(0);
        format!("{digits}{}", "0".repeat(zeros))
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(usize::try_from(n).unwrap_or(0));
        format!("{a}.{b}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat(usize::try_from(-n).unwrap_or(0)))
    } else {
        let e = n - 1;
        let esign = if e < 0 { "-" } else { "+" };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{esign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{esign}{}", e.abs())
        }
    };
    Ok(format!("{sign}{body}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rfc8785_numbers() {
        // RFC 8785 Appendix B samples (value → serialization)
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (5e-324, "5e-324"),
            (-5e-324, "-5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (-9007199254740992.0, "-9007199254740992"),
            (295147905179352830000.0, "295147905179352830000"),
            (9.999999999999997e-7, "9.999999999999997e-7"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1e21, "1e+21"),
            (999999999999999900000.0, "999999999999999900000"),
            (1e23, "1e+23"),
            (333333333.3333332, "333333333.3333332"),
            (4.5, "4.5"),
            (0.002, "0.002"),
            (1e30, "1e+30"),
            (1e-27, "1e-27"),
            (100.0, "100"),
            (123.456, "123.456"),
        ];
        for (f, want) in cases {
            assert_eq!(es_number(*f).unwrap(), *want, "{f:e}");
        }
        assert!(es_number(f64::NAN).is_err());
        assert!(es_number(f64::INFINITY).is_err());
    }

    #[test]
    fn rfc8785_sample() {
        // the sample of RFC 8785 §3.2.2 / the reference implementation's README
        let input = r#"{
  "numbers": [1E30,4.50,6,2e-3,0.000000000000000000000000001],
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "other":  [null, true, false]
}"#;
        let v = crate::encoding::parse_json(input.as_bytes(), "t").unwrap();
        assert_eq!(
            canonicalize(&v).unwrap(),
            r#"{"escaping":"€$\u000f\nA'B\"\\\\\"/","numbers":[1e+30,4.5,6,0.002,1e-27],"other":[null,true,false]}"#
        );
    }

    #[test]
    fn utf16_key_order() {
        // RFC 8785 §3.2.3: sorted by UTF-16 code units, not by code points or UTF-8
        let v = crate::encoding::parse_json(
            "{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With Diaeresis\"}".as_bytes(),
            "t",
        )
        .unwrap();
        let c = canonicalize(&v).unwrap();
        let order: Vec<&str> = [
            "Carriage Return",
            "One",
            "Control",
            "Latin Small",
            "Euro Sign",
            "Emoji",
            "Hebrew",
        ]
        .into_iter()
        .collect();
        let mut last = 0;
        for o in order {
            let at = c.find(o).unwrap();
            assert!(at > last, "{o} out of order in {c}");
            last = at;
        }
    }
}
