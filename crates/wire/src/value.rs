//! `Value`: the protocol-neutral tree every decoder produces and every encoder
//! consumes. Decoders turn wire bytes into a `Value` shaped by the operation's
//! model; generated code turns a `Value` into typed Rust structs and back.
//! Keeping this middle form means each protocol is written once, for every
//! service, instead of once per shape.

use std::collections::BTreeMap;

use time::OffsetDateTime;

/// A point in time with millisecond precision, as AWS models carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    pub fn from_millis(millis: i64) -> Self {
        Self { millis }
    }

    pub fn from_secs_f64(secs: f64) -> Option<Self> {
        if !secs.is_finite() || secs.abs() > 1.0e14 {
            return None;
        }
        Some(Self {
            millis: (secs * 1000.0).round() as i64,
        })
    }

    /// Now, by Landbridge's clock (which tests may have moved forward).
    pub fn now() -> Self {
        Self::from_millis(landbridge_clock::now_ms())
    }

    pub fn millis(self) -> i64 {
        self.millis
    }

    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// `self` moved by `secs` seconds.
    pub fn plus_secs(self, secs: i64) -> Self {
        Self::from_millis(self.millis.saturating_add(secs.saturating_mul(1000)))
    }

    /// ISO 8601 in UTC with milliseconds, the form EC2 and query responses use:
    /// `2026-11-26T06:19:10.000Z`.
    pub fn to_iso8601(self) -> String {
        let nanos = i128::from(self.millis) * 1_000_000;
        match OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(t) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.millisecond()
            ),
            Err(_) => "1970-01-01T00:00:00.000Z".to_string(),
        }
    }

    /// Parses the timestamp forms clients send in query strings: RFC 3339
    /// (with or without fraction or offset) or epoch seconds.
    pub fn parse(text: &str) -> Option<Self> {
        use time::format_description::well_known::Rfc3339;
        if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
            return Some(Self::from_millis((t.unix_timestamp_nanos() / 1_000_000) as i64));
        }
        // botocore sends `2026-11-26T06:19:10` (no zone) for some query inputs.
        if let Ok(t) = OffsetDateTime::parse(&format!("{text}Z"), &Rfc3339) {
            return Some(Self::from_millis((t.unix_timestamp_nanos() / 1_000_000) as i64));
        }
        text.parse::<f64>().ok().and_then(Self::from_secs_f64)
    }
}

/// A decoded request or a response before encoding.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Integer and long shapes.
    Int(i64),
    /// Float and double shapes.
    Float(f64),
    String(String),
    Blob(Vec<u8>),
    Timestamp(Timestamp),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// Structure members keyed by their model member name.
    Struct(BTreeMap<&'static str, Value>),
}

impl Value {
    pub fn empty_struct() -> Self {
        Value::Struct(BTreeMap::new())
    }

    /// A short name of the variant, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::String(_) => "string",
            Value::Blob(_) => "blob",
            Value::Timestamp(_) => "timestamp",
            Value::List(_) => "list",
            Value::Map(_) => "map",
            Value::Struct(_) => "structure",
        }
    }
}
