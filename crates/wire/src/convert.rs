//! Conversions between `Value` and typed Rust values. Generated structs and
//! enums implement `FromValue`/`IntoValue` on top of the impls here.
//!
//! Decoders and the validator run before `FromValue`, so a conversion error
//! means the model and the generated code disagree; it still answers a
//! validation error rather than panicking.

use std::collections::BTreeMap;

use crate::value::{Timestamp, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("member {member}: {reason}")]
pub struct ConvertError {
    pub member: String,
    pub reason: String,
}

impl ConvertError {
    pub fn new(member: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            member: member.into(),
            reason: reason.into(),
        }
    }

    fn expected(expected: &str, got: &Value) -> Self {
        Self::new("", format!("expected {expected}, got {}", got.kind()))
    }

    fn within(self, member: &str) -> Self {
        let member = if self.member.is_empty() {
            member.to_string()
        } else {
            format!("{member}.{}", self.member)
        };
        Self { member, ..self }
    }
}

pub trait FromValue: Sized {
    fn from_value(value: Value) -> Result<Self, ConvertError>;
}

pub trait IntoValue {
    fn into_value(self) -> Value;
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(ConvertError::expected("string", &other)),
        }
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(ConvertError::expected("boolean", &other)),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FromValue for i32 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Int(i) => {
                i32::try_from(i).map_err(|_| ConvertError::new("", format!("{i} is out of range for an integer")))
            }
            other => Err(ConvertError::expected("integer", &other)),
        }
    }
}

impl IntoValue for i32 {
    fn into_value(self) -> Value {
        Value::Int(i64::from(self))
    }
}

impl FromValue for i64 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Int(i) => Ok(i),
            other => Err(ConvertError::expected("long", &other)),
        }
    }
}

impl IntoValue for i64 {
    fn into_value(self) -> Value {
        Value::Int(self)
    }
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(ConvertError::expected("number", &other)),
        }
    }
}

impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Float(self)
    }
}

impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        f64::from_value(value).map(|f| f as f32)
    }
}

impl IntoValue for f32 {
    fn into_value(self) -> Value {
        Value::Float(f64::from(self))
    }
}

impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Blob(b) => Ok(b),
            other => Err(ConvertError::expected("blob", &other)),
        }
    }
}

impl IntoValue for Vec<u8> {
    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}

impl FromValue for Timestamp {
    fn from_value(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Timestamp(t) => Ok(t),
            other => Err(ConvertError::expected("timestamp", &other)),
        }
    }
}

impl IntoValue for Timestamp {
    fn into_value(self) -> Value {
        Value::Timestamp(self)
    }
}

/// A list, each item converted by `convert`.
pub fn list_from<T>(value: Value, convert: impl Fn(Value) -> Result<T, ConvertError>) -> Result<Vec<T>, ConvertError> {
    match value {
        Value::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| convert(v).map_err(|e| e.within(&format!("[{i}]"))))
            .collect(),
        other => Err(ConvertError::expected("list", &other)),
    }
}

pub fn list_into<T>(items: Vec<T>, convert: impl Fn(T) -> Value) -> Value {
    Value::List(items.into_iter().map(convert).collect())
}

/// A map with string keys (enum-keyed maps are validated as strings before
/// they get here), each value converted by `convert`.
pub fn map_from<V>(
    value: Value,
    convert: impl Fn(Value) -> Result<V, ConvertError>,
) -> Result<BTreeMap<String, V>, ConvertError> {
    match value {
        Value::Map(entries) => entries
            .into_iter()
            .map(|(k, v)| {
                let val = convert(v).map_err(|e| e.within(&k))?;
                Ok((k, val))
            })
            .collect(),
        other => Err(ConvertError::expected("map", &other)),
    }
}

pub fn map_into<V>(entries: BTreeMap<String, V>, convert: impl Fn(V) -> Value) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (k, convert(v))).collect())
}

/// Reads structure members out of a decoded `Value::Struct`.
pub struct StructReader {
    fields: BTreeMap<&'static str, Value>,
}

impl StructReader {
    pub fn new(value: Value) -> Result<Self, ConvertError> {
        match value {
            Value::Struct(fields) => Ok(Self { fields }),
            other => Err(ConvertError::expected("structure", &other)),
        }
    }

    pub fn optional<T>(
        &mut self,
        member: &'static str,
        convert: impl FnOnce(Value) -> Result<T, ConvertError>,
    ) -> Result<Option<T>, ConvertError> {
        match self.fields.remove(member) {
            Some(v) => convert(v).map(Some).map_err(|e| e.within(member)),
            None => Ok(None),
        }
    }

    pub fn required<T>(
        &mut self,
        member: &'static str,
        convert: impl FnOnce(Value) -> Result<T, ConvertError>,
    ) -> Result<T, ConvertError> {
        self.optional(member, convert)?
            .ok_or_else(|| ConvertError::new(member, "is required"))
    }
}

/// Builds a `Value::Struct` from typed members; unset options are left out.
#[derive(Default)]
pub struct StructWriter {
    fields: BTreeMap<&'static str, Value>,
}

impl StructWriter {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, member: &'static str, value: Value) {
        self.fields.insert(member, value);
    }

    pub fn set_opt<T>(&mut self, member: &'static str, value: Option<T>, convert: impl FnOnce(T) -> Value) {
        if let Some(v) = value {
            self.fields.insert(member, convert(v));
        }
    }

    pub fn finish(self) -> Value {
        Value::Struct(self.fields)
    }
}
