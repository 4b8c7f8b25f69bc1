//! A small hand-written JSON writer (no serde): objects, arrays, strings
//! escaped per RFC 8259, numbers.
//!
//! *Real-time*: not real-time (builds a `String`).

use std::fmt::Write;

/// Appends `s` as a JSON string literal (quotes included).
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a float as a JSON number (non-finite values become `null`).
pub fn number(out: &mut String, x: f64) {
    if x.is_finite() {
        let _ = write!(out, "{x}");
    } else {
        out.push_str("null");
    }
}

/// Builds an object: `key: value` pairs separated by commas.
pub struct Object<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Object<'a> {
    /// Opens `{`.
    pub fn new(out: &'a mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    /// Writes the key and returns the buffer for the value.
    pub fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        string(self.out, key);
        self.out.push(':');
        self.out
    }

    /// A string member.
    pub fn str(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        string(out, value);
    }

    /// An integer member.
    pub fn int(&mut self, key: &str, value: impl std::fmt::Display) {
        let out = self.key(key);
        let _ = write!(out, "{value}");
    }

    /// A float member.
    pub fn num(&mut self, key: &str, value: f64) {
        let out = self.key(key);
        number(out, value);
    }

    /// A boolean member.
    pub fn bool(&mut self, key: &str, value: bool) {
        let out = self.key(key);
        out.push_str(if value { "true" } else { "false" });
    }

    /// A member written by `f` (which must write one JSON value).
    pub fn raw(&mut self, key: &str, f: impl FnOnce(&mut String)) {
        let out = self.key(key);
        f(out);
    }

    /// Closes `}`.
    pub fn end(self) {
        self.out.push('}');
    }
}

/// Writes an array of the items, each written by `f`.
pub fn array<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    mut f: impl FnMut(&mut String, T),
) {
    out.push('[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        f(out, item);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_strings() {
        let mut s = String::new();
        string(&mut s, "a\"b\\c\n\u{1}é\u{2028}");
        assert_eq!(s, r#""a\"b\\c\n\u0001é\u2028""#);
    }

    #[test]
    fn builds_objects() {
        let mut s = String::new();
        let mut o = Object::new(&mut s);
        o.int("a", 1);
        o.str("b", "x");
        o.raw("c", |out| {
            array(out, [1, 2], |out, v| out.push_str(&v.to_string()))
        });
        o.num("d", f64::NAN);
        o.end();
        assert_eq!(s, r#"{"a":1,"b":"x","c":[1,2],"d":null}"#);
    }
}
