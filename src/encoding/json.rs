//! A strict JSON reader producing `serde_json::Value`.
//!
//! serde_json silently keeps the last of duplicate members and accepts a BOM-less
//! but otherwise lax superset in places; identity data needs I-JSON (RFC 7493):
//! duplicate members, lone surrogates, invalid UTF-8, trailing data and nesting
//! past [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) are all errors here.

use crate::error::{limit, malformed, Result};
use crate::limits::MAX_JSON_DEPTH;
use serde_json::{Map, Number, Value};

/// Parses `bytes` as one JSON value. `what` names the input in messages.
pub(crate) fn parse_json(bytes: &[u8], what: &str) -> Result<Value> {
    let mut p = Parser::new(bytes, what)?;
    p.ws();
    let v = p.value(0).map_err(|e| e.context(what))?;
    p.end(what)?;
    Ok(v)
}

/// Parses `bytes` as a JSON array of a string and one or two more values
/// (the shape of an SD-JWT disclosure, RFC 9901 §4.2), without building the
/// array or the string: the string is checked like any other (escapes,
/// surrogates) but not kept. Returns the values after it. Anything else
/// (another type, another count, a first element that is not a string, and
/// everything [`parse_json`] refuses) is `Malformed` (or `LimitExceeded`).
pub(crate) fn parse_json_salted(bytes: &[u8], what: &str) -> Result<(Value, Option<Value>)> {
    let mut p = Parser::new(bytes, what)?;
    p.ws();
    if p.peek() != Some(b'[') {
        return Err(malformed(format!("{what} must be a JSON array")));
    }
    p.pos += 1;
    p.ws();
    if p.peek() != Some(b'"') {
        return Err(malformed(format!(
            "{what}: the first element must be a string"
        )));
    }
    p.string_checked(false).map_err(|e| e.context(what))?;
    let mut rest: [Option<Value>; 2] = [None, None];
    for slot in rest.iter_mut().map(Some).chain([None]) {
        p.ws();
        match p.peek() {
            Some(b',') => p.pos += 1,
            Some(b']') => {
                p.pos += 1;
                break;
            }
            _ => return Err(p.err("expected ',' or ']'").context(what)),
        }
        let Some(slot) = slot else {
            return Err(malformed(format!("{what} has 2 or 3 elements")));
        };
        p.ws();
        // inside the array: one level down, as parse_json counts it
        *slot = Some(p.value(1).map_err(|e| e.context(what))?);
    }
    p.end(what)?;
    match rest {
        [Some(a), b] => Ok((a, b)),
        _ => Err(malformed(format!("{what} has 2 or 3 elements"))),
    }
}

/// Parses `bytes` as a JSON object.
pub(crate) fn parse_json_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>> {
    match parse_json(bytes, what)? {
        Value::Object(m) => Ok(m),
        _ => Err(malformed(format!("{what}: JSON is not an object"))),
    }
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    /// A parser over `bytes`, after the size limit and the UTF-8 check.
    fn new(bytes: &'a [u8], what: &str) -> Result<Self> {
        if bytes.len() > crate::limits::MAX_JSON_BYTES {
            return Err(limit(format!(
                "{what}: {} bytes of JSON exceed the limit of {}",
                bytes.len(),
                crate::limits::MAX_JSON_BYTES
            )));
        }
        let text = core::str::from_utf8(bytes)
            .map_err(|_| malformed(format!("{what}: JSON is not valid UTF-8")))?;
        Ok(Parser {
            s: text.as_bytes(),
            text,
            pos: 0,
        })
    }

    /// After the value: only whitespace may follow.
    fn end(&mut self, what: &str) -> Result<()> {
        self.ws();
        if self.pos != self.s.len() {
            return Err(malformed(format!(
                "{what}: trailing data after JSON value at byte {}",
                self.pos
            )));
        }
        Ok(())
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn err(&self, msg: &str) -> crate::Error {
        malformed(format!("invalid JSON at byte {}: {msg}", self.pos))
    }

    fn expect_lit(&mut self, lit: &[u8]) -> Result<()> {
        if self.s.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            Err(self.err("unexpected token"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => {
                if depth >= MAX_JSON_DEPTH {
                    return Err(limit(format!(
                        "JSON nesting deeper than {MAX_JSON_DEPTH} levels"
                    )));
                }
                self.pos += 1;
                self.object(depth + 1)
            }
            Some(b'[') => {
                if depth >= MAX_JSON_DEPTH {
                    return Err(limit(format!(
                        "JSON nesting deeper than {MAX_JSON_DEPTH} levels"
                    )));
                }
                self.pos += 1;
                self.array(depth + 1)
            }
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b't') => self.expect_lit(b"true").map(|_| Value::Bool(true)),
            Some(b'f') => self.expect_lit(b"false").map(|_| Value::Bool(false)),
            Some(b'n') => self.expect_lit(b"null").map(|_| Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value> {
        let mut map = Map::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a member name"));
            }
            let key = self.string()?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':'"));
            }
            self.pos += 1;
            self.ws();
            match map.entry(key) {
                serde_json::map::Entry::Vacant(slot) => {
                    slot.insert(self.value(depth)?);
                }
                serde_json::map::Entry::Occupied(dup) => {
                    return Err(malformed(format!("duplicate JSON member {:?}", dup.key())));
                }
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value(depth)?);
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.err("expected ',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.err("invalid \\u escape"));
        }
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| self.err("invalid \\u escape"))
    }

    fn string(&mut self) -> Result<String> {
        self.string_checked(true)
    }

    /// A string, checked in full; built only when `keep` (else empty).
    fn string_checked(&mut self, keep: bool) -> Result<String> {
        // at the opening quote
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            self.pos = start + plain_run(self.s.get(start..).unwrap_or_default());
            // start..pos lies on char boundaries: we stopped at an ASCII byte or the end.
            let run = self
                .text
                .get(start..self.pos)
                .ok_or_else(|| self.err("invalid string"))?;
            if keep {
                out.push_str(run);
            }
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.err("truncated escape"))?;
                    self.pos += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.err("lone surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("lone surrogate in \\u escape"));
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.err("lone surrogate in \\u escape"));
                            } else {
                                hi
                            };
                            char::from_u32(cp).ok_or_else(|| self.err("bad escape"))?
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    if keep {
                        out.push(c);
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Value> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.err("leading zero in number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid fraction"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid exponent"));
            }
        }
        let lexeme = self
            .text
            .get(start..self.pos)
            .ok_or_else(|| self.err("invalid number"))?;
        let n: Number = if let Ok(i) = lexeme.parse::<i64>() {
            i.into()
        } else if let Ok(u) = lexeme.parse::<u64>() {
            u.into()
        } else {
            let f: f64 = lexeme.parse().map_err(|_| self.err("invalid number"))?;
            Number::from_f64(f).ok_or_else(|| self.err("number out of range"))?
        };
        Ok(Value::Number(n))
    }
}

/// The length of the leading run of `s` that a string copies as it is: up to
/// the first `"`, `\\` or control character (or the end). Eight bytes at a
/// time: a byte of a word is flagged when it equals `"` or `\\`, or is below
/// 0x20; the lowest flag is exact (the borrow of a subtraction only reaches
/// bytes above a flagged one).
fn plain_run(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut n = 0;
    let mut words = s.chunks_exact(8);
    for w in words.by_ref() {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b);
        let flags = zero_byte(x ^ (ONES * u64::from(b'"')))
            | zero_byte(x ^ (ONES * u64::from(b'\\')))
            | (x.wrapping_sub(ONES * 0x20) & !x & HIGH);
        if flags != 0 {
            return n + usize::try_from(flags.trailing_zeros() / 8).unwrap_or(0);
        }
        n += 8;
    }
    n + words
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(words.remainder().len())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::{parse_json, parse_json_salted, plain_run};
    use serde_json::Value;

    /// The disclosure reader agrees with the general parser followed by the
    /// shape check, on valid disclosures and on every truncation and every
    /// one-byte substitution of them (strings, escapes, surrogates, nesting,
    /// numbers, whitespace, trailing data, invalid UTF-8).
    #[test]
    fn salted_array_reader_agrees_with_the_general_parser() {
        let reference = |b: &[u8]| -> Result<(Value, Option<Value>), crate::ErrorKind> {
            match parse_json(b, "x").map_err(|e| e.kind())? {
                Value::Array(a) if matches!(a.first(), Some(Value::String(_))) => match a.len() {
                    2 => Ok((a[1].clone(), None)),
                    3 => Ok((a[1].clone(), Some(a[2].clone()))),
                    _ => Err(crate::ErrorKind::Malformed),
                },
                _ => Err(crate::ErrorKind::Malformed),
            }
        };
        let seeds: &[&[u8]] = &[
            br#"["2GLC42sKQveCfGfryNRN9w","given_name","Erika"]"#,
            br#"["lklxF5jMYlGTPUovMNIvCA","FR"]"#,
            br#" [ "s\u00e9\n" , "a" , {"_sd":["x"],"b":[1,-2.5e3,true,null]} ] "#,
            br#"["\ud83d\ude00","n",[[[]]]]"#,
            "[\"s\",\"é\",\"ü\"]".as_bytes(),
        ];
        let subs = [
            b'"', b'\\', b',', b']', b'[', b'{', b'}', b' ', b'1', b'x', b'u', 0x01, 0xff,
        ];
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for seed in seeds {
            for n in 0..=seed.len() {
                cases.push(seed[..n].to_vec());
            }
            for at in 0..seed.len() {
                for &b in &subs {
                    let mut c = seed.to_vec();
                    c[at] = b;
                    cases.push(c);
                }
            }
        }
        cases.push(br#"["s","a",1,2]"#.to_vec());
        cases.push(br#"["s"]"#.to_vec());
        cases.push(br#"[]"#.to_vec());
        cases.push(br#"[1,"a",1]"#.to_vec());
        cases.push(br#"["s","a",1] x"#.to_vec());
        let mut deep = b"[\"s\",".to_vec();
        deep.extend(std::iter::repeat_n(b'[', 200));
        deep.extend(std::iter::repeat_n(b']', 200));
        deep.push(b']');
        cases.push(deep);
        let mut accepted = 0;
        for c in &cases {
            let got = parse_json_salted(c, "x").map_err(|e| e.kind());
            assert_eq!(got, reference(c), "{:?}", String::from_utf8_lossy(c));
            accepted += usize::from(got.is_ok());
        }
        // the mutations keep some inputs valid: both paths were exercised
        assert!(accepted > 20 && accepted < cases.len() / 2, "{accepted}");
    }

    /// The word-at-a-time scan stops where a byte-at-a-time one does, for
    /// every stop byte at every position of a word and its tail, with
    /// non-ASCII bytes (above 0x80, which the below-0x20 test must not flag)
    /// and bytes just past each stop around it.
    #[test]
    fn plain_run_matches_a_byte_scan() {
        let slow = |s: &[u8]| {
            s.iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(s.len())
        };
        let fillers = [b'a', 0x80, 0xff, 0x20, b'#', b']', 0x21, 0x5d, 0xa2, 0xdc];
        for len in 0..=24 {
            for &fill in &fillers {
                let base = vec![fill; len];
                assert_eq!(plain_run(&base), len);
                for at in 0..len {
                    for stop in [b'"', b'\\', 0x00, 0x1f, 0x01, 0x10] {
                        let mut s = base.clone();
                        s[at] = stop;
                        assert_eq!(plain_run(&s), slow(&s), "{s:?}");
                        // a second stop after the first, and bytes that
                        // borrow into their neighbours
                        for (k, extra) in [(1, b'"'), (1, 0x00), (2, 0x01)] {
                            if at + k < len {
                                let mut t = s.clone();
                                t[at + k] = extra;
                                assert_eq!(plain_run(&t), slow(&t), "{t:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
