use super::*;
use crate::error::ErrorKind;
use crate::limits::MAX_JSON_DEPTH;

fn kind(r: Result<serde_json::Value>) -> ErrorKind {
    r.err().map(|e| e.kind()).unwrap_or(ErrorKind::ApiMisuse)
}

#[test]
fn base64url_is_strict() {
    assert_eq!(b64u_decode("AQID", 100, "t").unwrap(), vec![1, 2, 3]);
    // JWS-21: padding, standard alphabet, whitespace, non-canonical trailing bits
    for bad in ["AQI=", "AQ==", "+/8", "A QI", "AQ\n", "AR"] {
        assert_eq!(
            b64u_decode(bad, 100, "t").unwrap_err().kind(),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
    assert_eq!(b64u_decode("AQ", 100, "t").unwrap(), vec![1]);
    // ENC-02: the encoded length is checked first
    assert_eq!(
        b64u_decode("AAAA", 3, "t").unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn json_rejects_duplicates_anywhere() {
    // M-01 / JWS-19 / M-06
    for bad in [
        r#"{"a":1,"a":2}"#,
        r#"{"cnf":{"jwk":{"x":"1","x":"2"}}}"#,
        r#"{"given_name":1,"given\u005fname":2}"#,
        r#"{"alg":"ES256","alg":"none"}"#,
    ] {
        assert_eq!(
            kind(parse_json(bad.as_bytes(), "t")),
            ErrorKind::Malformed,
            "{bad}"
        );
    }
}

#[test]
fn json_grammar_is_rfc8259() {
    // M-03 / M-04 / M-05 / M-07 / M-10
    for bad in [
        &b"01"[..],
        b"+1",
        b"NaN",
        b"Infinity",
        b"1.",
        b"1e400",
        b"\xEF\xBB\xBF{}",
        b"{}\x00",
        b"{} x",
        b"\"\\ud800\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"\"\xff\"",
        b"[1,]",
        b"{\"a\":1,}",
        b"\"a\nb\"",
        b"'a'",
        b"",
    ] {
        assert_eq!(
            kind(parse_json(bad, "t")),
            ErrorKind::Malformed,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
    let v = parse_json(
        br#" {"a":[1,-0,2.5e3,true,null,"\ud83d\ude00\u00e9"]} "#,
        "t",
    )
    .unwrap();
    assert_eq!(v["a"][5], "\u{1F600}\u{e9}");
    assert_eq!(v["a"][0], 1);
    assert!(parse_json(b"123456789012345678901234567890", "t")
        .unwrap()
        .is_f64());
}

#[test]
fn json_depth_limit() {
    // M-02: at the limit accepted, one past rejected
    let ok = format!(
        "{}{}",
        "[".repeat(MAX_JSON_DEPTH),
        "]".repeat(MAX_JSON_DEPTH)
    );
    assert!(parse_json(ok.as_bytes(), "t").is_ok());
    let deep = format!(
        "{}{}",
        "[".repeat(MAX_JSON_DEPTH + 1),
        "]".repeat(MAX_JSON_DEPTH + 1)
    );
    assert_eq!(
        kind(parse_json(deep.as_bytes(), "t")),
        ErrorKind::LimitExceeded
    );
    let huge = "[".repeat(100_000);
    assert_eq!(
        kind(parse_json(huge.as_bytes(), "t")),
        ErrorKind::LimitExceeded
    );
}

#[test]
fn json_top_level_object_required_where_asked() {
    // M-08
    for bad in ["[1]", "\"s\"", "1"] {
        assert_eq!(
            parse_json_object(bad.as_bytes(), "t").unwrap_err().kind(),
            ErrorKind::Malformed
        );
    }
}

#[test]
fn json_size_limit() {
    let max = crate::limits::MAX_JSON_BYTES;
    let at = format!("\"{}\"", "a".repeat(max - 2));
    assert!(parse_json(at.as_bytes(), "t").is_ok());
    let past = format!("\"{}\"", "a".repeat(max - 1));
    assert_eq!(
        kind(parse_json(past.as_bytes(), "t")),
        ErrorKind::LimitExceeded
    );
}

/// The uniqueness checks' helper: no repeat in distinct or short input, the
/// smallest repeated value wherever the copies sit.
#[test]
fn first_repeat_finds_the_smallest_repeated_value() {
    use super::first_repeat;
    assert_eq!(first_repeat::<u8>(&mut []), None);
    assert_eq!(first_repeat(&mut [7]), None);
    assert_eq!(first_repeat(&mut [3, 1, 2]), None);
    assert_eq!(first_repeat(&mut [9, 1, 5, 9]), Some(&9));
    assert_eq!(first_repeat(&mut [4, 8, 4, 8, 2]), Some(&4));
    assert_eq!(first_repeat(&mut ["b", "a", "b"]), Some(&"b"));
}
