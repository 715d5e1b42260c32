//! Duplicate keys in a JSON document. A JSON reader keeps one of two equal keys in an object
//! (serde_json the last); which one IAM acts on is not documented, so a policy document that
//! repeats a key is ambiguous and is not read at all. Linear in the text; nesting is bounded by
//! serde_json's limit of 128 levels.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// The first key that appears twice in one object, if any (`None` as well for text that is not
/// JSON: the caller's reader reports that).
pub fn duplicate_key(json: &str) -> Option<String> {
    match serde_json::from_str::<Unique>(json) {
        Err(e) if e.is_data() => Some(e.to_string()),
        _ => None,
    }
}

struct Unique;

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("the key {key:?} appears twice in one object")));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_found_at_any_depth() {
        assert_eq!(duplicate_key(r#"{"a":1,"b":[{"c":null,"d":"x"}],"e":{"f":true}}"#), None);
        let e = duplicate_key(r#"{"S":[{"C":{"StringLike":{"k":"*","k":"ns:app"}}}]}"#).unwrap();
        assert!(e.contains("\"k\" appears twice"), "{e}");
        assert!(duplicate_key(r#"{"Version":"1","Version":"2"}"#).is_some());
        // Case variants are different keys; text that is not JSON is the reader's to report.
        assert_eq!(duplicate_key(r#"{"k":1,"K":2}"#), None);
        assert_eq!(duplicate_key("{"), None);
        assert_eq!(duplicate_key(&"[".repeat(100_000)), None);
    }
}
