//! awsJson 1.0/1.1 bodies: JSON objects keyed by model member names,
//! timestamps as epoch seconds, blobs as base64.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Number, Value as Json};

use crate::schema::{Shape, ShapeKind};
use crate::validate::{Segment, Violation};
use crate::value::{Timestamp, Value};

/// Why a body could not be read at all (as opposed to a member that has the
/// wrong type, which is a `Violation`).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("{0}")]
    Malformed(String),
    #[error("{}", .0.constraint)]
    Invalid(Violation),
}

pub fn decode(shape: &'static Shape, body: &[u8]) -> Result<Value, BodyError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::empty_struct());
    }
    let json: Json =
        serde_json::from_slice(body).map_err(|e| BodyError::Malformed(format!("Malformed JSON body: {e}")))?;
    if !json.is_object() {
        return Err(BodyError::Malformed(
            "The request body must be a JSON object".to_string(),
        ));
    }
    read(shape, &json, &mut Vec::new()).map_err(BodyError::Invalid)
}

fn read(shape: &'static Shape, json: &Json, path: &mut Vec<Segment>) -> Result<Value, Violation> {
    let mismatch = |path: &Vec<Segment>| {
        Violation::invalid(
            path.clone(),
            json_text(json),
            format!("Member must be of type {}", crate::validate::type_name(&shape.kind)),
        )
    };
    match (&shape.kind, json) {
        (ShapeKind::Structure { members, .. }, Json::Object(obj)) => {
            let mut fields = BTreeMap::new();
            for member in members.iter() {
                match obj.get(member.name) {
                    None | Some(Json::Null) => {}
                    Some(v) => {
                        path.push(Segment::Member(member));
                        let value = read(member.shape, v, path)?;
                        path.pop();
                        fields.insert(member.name, value);
                    }
                }
            }
            Ok(Value::Struct(fields))
        }
        (ShapeKind::List { member, .. }, Json::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                out.push(read(member, item, path)?);
                path.pop();
            }
            Ok(Value::List(out))
        }
        (ShapeKind::Map { value, .. }, Json::Object(obj)) => {
            let mut out = BTreeMap::new();
            for (k, v) in obj {
                if v.is_null() {
                    continue;
                }
                path.push(Segment::Key(k.clone()));
                out.insert(k.clone(), read(value, v, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (ShapeKind::String { .. }, Json::String(s)) => Ok(Value::String(s.clone())),
        (ShapeKind::Boolean, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (ShapeKind::Integer { .. } | ShapeKind::Long { .. }, Json::Number(n)) => {
            n.as_i64().map(Value::Int).ok_or_else(|| mismatch(path))
        }
        (ShapeKind::Float | ShapeKind::Double, Json::Number(n)) => {
            n.as_f64().map(Value::Float).ok_or_else(|| mismatch(path))
        }
        (ShapeKind::Float | ShapeKind::Double, Json::String(s)) => match s.as_str() {
            "NaN" => Ok(Value::Float(f64::NAN)),
            "Infinity" => Ok(Value::Float(f64::INFINITY)),
            "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
            _ => Err(mismatch(path)),
        },
        (ShapeKind::Timestamp, Json::Number(n)) => n
            .as_f64()
            .and_then(Timestamp::from_secs_f64)
            .map(Value::Timestamp)
            .ok_or_else(|| mismatch(path)),
        (ShapeKind::Timestamp, Json::String(s)) => {
            Timestamp::parse(s).map(Value::Timestamp).ok_or_else(|| mismatch(path))
        }
        (ShapeKind::Blob { .. }, Json::String(s)) => base64::engine::general_purpose::STANDARD
            .decode(s)
            .map(Value::Blob)
            .map_err(|_| mismatch(path)),
        _ => Err(mismatch(path)),
    }
}

fn json_text(json: &Json) -> String {
    match json {
        Json::String(s) => s.clone(),
        other => {
            let text = other.to_string();
            if text.len() > 64 {
                format!("{}...", &text[..text.floor_char_boundary(64)])
            } else {
                text
            }
        }
    }
}

pub fn encode(value: &Value) -> Vec<u8> {
    serde_json::to_vec(&to_json(value)).unwrap_or_else(|_| b"{}".to_vec())
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::Number((*i).into()),
        Value::Float(f) => float_json(*f),
        Value::String(s) => Json::String(s.clone()),
        Value::Blob(b) => Json::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Value::Timestamp(t) => float_json(t.as_secs_f64()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Struct(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| ((*k).to_string(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
    }
}

fn float_json(f: f64) -> Json {
    if f.is_nan() {
        Json::String("NaN".into())
    } else if f.is_infinite() {
        Json::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Json::Number((f as i64).into())
    } else {
        Number::from_f64(f).map_or(Json::Null, Json::Number)
    }
}
