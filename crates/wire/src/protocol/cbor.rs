//! Smithy RPC v2 CBOR bodies: CBOR maps keyed by member names, timestamps as
//! tag 1 epoch seconds, blobs as byte strings.

use std::collections::BTreeMap;

use ciborium::value::{Integer, Value as Cbor};

use super::json::BodyError;
use crate::schema::{Shape, ShapeKind};
use crate::validate::{Segment, Violation};
use crate::value::{Timestamp, Value};

/// CBOR tag for epoch-based date/time (RFC 8949 §3.4.2).
const TAG_EPOCH: u64 = 1;

pub fn decode(shape: &'static Shape, body: &[u8]) -> Result<Value, BodyError> {
    if body.is_empty() {
        return Ok(Value::empty_struct());
    }
    let cbor: Cbor =
        ciborium::de::from_reader(body).map_err(|e| BodyError::Malformed(format!("Malformed CBOR body: {e}")))?;
    if !cbor.is_map() {
        return Err(BodyError::Malformed("The request body must be a CBOR map".to_string()));
    }
    read(shape, &cbor, &mut Vec::new()).map_err(BodyError::Invalid)
}

fn text_key(key: &Cbor) -> Option<&str> {
    match key {
        Cbor::Text(s) => Some(s),
        _ => None,
    }
}

fn read(shape: &'static Shape, cbor: &Cbor, path: &mut Vec<Segment>) -> Result<Value, Violation> {
    let mismatch = |path: &Vec<Segment>| {
        Violation::invalid(
            path.clone(),
            describe(cbor),
            format!("Member must be of type {}", crate::validate::type_name(&shape.kind)),
        )
    };
    match (&shape.kind, cbor) {
        (ShapeKind::Structure { members, .. }, Cbor::Map(entries)) => {
            let mut fields = BTreeMap::new();
            for (k, v) in entries {
                let Some(k) = text_key(k) else {
                    return Err(mismatch(path));
                };
                if v.is_null() {
                    continue;
                }
                if let Some(member) = members.iter().find(|m| m.name == k) {
                    path.push(Segment::Member(member));
                    let value = read(member.shape, v, path)?;
                    path.pop();
                    fields.insert(member.name, value);
                }
            }
            Ok(Value::Struct(fields))
        }
        (ShapeKind::List { member, .. }, Cbor::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                out.push(read(member, item, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (ShapeKind::Map { value, .. }, Cbor::Map(entries)) => {
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let Some(k) = text_key(k) else {
                    return Err(mismatch(path));
                };
                if v.is_null() {
                    continue;
                }
                path.push(Segment::Key(k.to_string()));
                out.insert(k.to_string(), read(value, v, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (ShapeKind::String { .. }, Cbor::Text(s)) => Ok(Value::String(s.clone())),
        (ShapeKind::Boolean, Cbor::Bool(b)) => Ok(Value::Bool(*b)),
        (ShapeKind::Integer { .. } | ShapeKind::Long { .. }, Cbor::Integer(i)) => {
            i64::try_from(*i).map(Value::Int).map_err(|_| mismatch(path))
        }
        (ShapeKind::Float | ShapeKind::Double, Cbor::Float(f)) => Ok(Value::Float(*f)),
        (ShapeKind::Float | ShapeKind::Double, Cbor::Integer(i)) => i64::try_from(*i)
            .map(|i| Value::Float(i as f64))
            .map_err(|_| mismatch(path)),
        (ShapeKind::Timestamp, Cbor::Tag(TAG_EPOCH, inner)) => epoch(inner).ok_or_else(|| mismatch(path)),
        (ShapeKind::Timestamp, Cbor::Integer(_) | Cbor::Float(_)) => epoch(cbor).ok_or_else(|| mismatch(path)),
        (ShapeKind::Blob { .. }, Cbor::Bytes(b)) => Ok(Value::Blob(b.clone())),
        _ => Err(mismatch(path)),
    }
}

fn epoch(cbor: &Cbor) -> Option<Value> {
    let secs = match cbor {
        Cbor::Integer(i) => i64::try_from(*i).ok().map(|i| i as f64),
        Cbor::Float(f) => Some(*f),
        _ => None,
    };
    secs.and_then(Timestamp::from_secs_f64).map(Value::Timestamp)
}

fn describe(cbor: &Cbor) -> String {
    match cbor {
        Cbor::Text(s) => s.chars().take(64).collect(),
        Cbor::Integer(i) => i128::from(*i).to_string(),
        Cbor::Float(f) => f.to_string(),
        Cbor::Bool(b) => b.to_string(),
        Cbor::Bytes(_) => "byte string".to_string(),
        Cbor::Array(_) => "array".to_string(),
        Cbor::Map(_) => "map".to_string(),
        Cbor::Tag(t, _) => format!("tag {t}"),
        _ => "null".to_string(),
    }
}

pub fn encode(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = ciborium::ser::into_writer(&to_cbor(value), &mut out);
    out
}

fn to_cbor(value: &Value) -> Cbor {
    match value {
        Value::Bool(b) => Cbor::Bool(*b),
        Value::Int(i) => Cbor::Integer(Integer::from(*i)),
        Value::Float(f) => Cbor::Float(*f),
        Value::String(s) => Cbor::Text(s.clone()),
        Value::Blob(b) => Cbor::Bytes(b.clone()),
        Value::Timestamp(t) => Cbor::Tag(TAG_EPOCH, Box::new(Cbor::Float(t.as_secs_f64()))),
        Value::List(items) => Cbor::Array(items.iter().map(to_cbor).collect()),
        Value::Map(entries) => Cbor::Map(
            entries
                .iter()
                .map(|(k, v)| (Cbor::Text(k.clone()), to_cbor(v)))
                .collect(),
        ),
        Value::Struct(fields) => Cbor::Map(
            fields
                .iter()
                .map(|(k, v)| (Cbor::Text((*k).to_string()), to_cbor(v)))
                .collect(),
        ),
    }
}

/// A CBOR map of text keys to text values (error bodies).
pub fn encode_text_map(pairs: &[(&str, &str)]) -> Vec<u8> {
    let map = Cbor::Map(
        pairs
            .iter()
            .map(|(k, v)| (Cbor::Text((*k).to_string()), Cbor::Text((*v).to_string())))
            .collect(),
    );
    let mut out = Vec::new();
    let _ = ciborium::ser::into_writer(&map, &mut out);
    out
}
