//! XML output of the `ec2` and `query` protocols, and their error envelopes.
//! Output is written by hand: it is small, shape-driven and needs exact
//! control over element names and list layout.

use base64::Engine as _;

use crate::error::ApiError;
use crate::schema::{Operation, Shape, ShapeKind};
use crate::value::Value;

const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// `<OpResponse xmlns=".."><requestId>..</requestId>...</OpResponse>`
pub fn ec2_output(op: &Operation, namespace: &str, output: &Value, request_id: &str) -> String {
    let mut out = String::from(PROLOG);
    let ns = with_trailing_slash(namespace);
    out.push_str(&format!("<{}Response xmlns=\"{}\">", op.name, escape(&ns)));
    out.push_str(&format!("<requestId>{}</requestId>", escape(request_id)));
    if let Some(shape) = op.output {
        write_members(&mut out, shape, output);
    }
    out.push_str(&format!("</{}Response>", op.name));
    out
}

/// `<OpResponse xmlns=".."><OpResult>...</OpResult><ResponseMetadata>...`
pub fn query_output(op: &Operation, namespace: &str, output: &Value, request_id: &str) -> String {
    let mut out = String::from(PROLOG);
    out.push_str(&format!("<{}Response xmlns=\"{}\">", op.name, escape(namespace)));
    if let Some(shape) = op.output {
        let wrapper = op
            .result_wrapper
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}Result", op.name));
        out.push_str(&format!("<{wrapper}>"));
        write_members(&mut out, shape, output);
        out.push_str(&format!("</{wrapper}>"));
    }
    out.push_str(&format!(
        "<ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></{}Response>",
        escape(request_id),
        op.name
    ));
    out
}

/// EC2's error envelope.
pub fn ec2_error(err: &ApiError, request_id: &str) -> String {
    format!(
        "{PROLOG}<Response><Errors><Error><Code>{}</Code><Message>{}</Message></Error></Errors><RequestID>{}</RequestID></Response>",
        escape(&err.code),
        escape(&err.message),
        escape(request_id)
    )
}

/// The query protocol's error envelope.
pub fn query_error(err: &ApiError, namespace: Option<&str>, request_id: &str) -> String {
    let xmlns = namespace
        .map(|ns| format!(" xmlns=\"{}\"", escape(ns)))
        .unwrap_or_default();
    let kind = if err.is_sender_fault() { "Sender" } else { "Receiver" };
    format!(
        "{PROLOG}<ErrorResponse{xmlns}><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        escape(&err.code),
        escape(&err.message),
        escape(request_id)
    )
}

fn with_trailing_slash(ns: &str) -> String {
    if ns.ends_with('/') {
        ns.to_string()
    } else {
        format!("{ns}/")
    }
}

fn write_members(out: &mut String, shape: &Shape, value: &Value) {
    let (ShapeKind::Structure { members, .. }, Value::Struct(fields)) = (&shape.kind, value) else {
        return;
    };
    for member in members.iter() {
        if let Some(v) = fields.get(member.name) {
            write_element(out, member.xml_name(), member.shape, v);
        }
    }
}

fn write_element(out: &mut String, name: &str, shape: &Shape, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match (&shape.kind, value) {
        (ShapeKind::Structure { .. }, _) => write_members(out, shape, value),
        (
            ShapeKind::List {
                member, member_name, ..
            },
            Value::List(items),
        ) => {
            let item_name = member_name.unwrap_or("member");
            for item in items {
                write_element(out, item_name, member, item);
            }
        }
        (ShapeKind::Map { key, value: vshape, .. }, Value::Map(entries)) => {
            for (k, v) in entries {
                out.push_str("<entry>");
                write_element(out, "key", key, &Value::String(k.clone()));
                write_element(out, "value", vshape, v);
                out.push_str("</entry>");
            }
        }
        (_, scalar) => out.push_str(&escape(&scalar_text(scalar))),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::String(s) => s.clone(),
        Value::Blob(b) => base64::engine::general_purpose::STANDARD.encode(b),
        Value::Timestamp(t) => t.to_iso8601(),
        Value::List(_) | Value::Map(_) | Value::Struct(_) => String::new(),
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push_str("&#xFFFD;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;&#xFFFD;");
    }
}
