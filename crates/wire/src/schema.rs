//! The model as static data. The generator (`cargo xtask codegen`) writes one
//! `Shape` static per model shape and one `ServiceSpec` per service; the
//! protocol codecs and the validator walk these instead of carrying
//! per-shape code. Statics may point at each other, so recursive shapes need
//! no special casing.

/// The wire protocol a request arrived in (or a response leaves in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// EC2's query dialect: form body, `Name.N` lists, XML with `<item>`.
    Ec2,
    /// The AWS query protocol (STS): form body, `Name.member.N` lists.
    Query,
    /// awsJson 1.0 / 1.1, operation in `X-Amz-Target`.
    Json,
    /// Smithy RPC v2 CBOR, operation in the path.
    RpcV2Cbor,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Ec2 => "ec2",
            Protocol::Query => "query",
            Protocol::Json => "json",
            Protocol::RpcV2Cbor => "smithy-rpc-v2-cbor",
        }
    }
}

/// Inclusive bounds from the model's `min`/`max` (lengths for strings,
/// blobs, lists and maps; values for numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug)]
pub enum ShapeKind {
    Structure {
        members: &'static [Member],
        /// Union shapes: exactly one member may be set.
        union: bool,
    },
    List {
        member: &'static Shape,
        /// The member's `locationName` (EC2 `item`, query `member`).
        member_name: Option<&'static str>,
        bounds: Bounds,
    },
    Map {
        key: &'static Shape,
        value: &'static Shape,
        bounds: Bounds,
    },
    String {
        enum_values: &'static [&'static str],
        bounds: Bounds,
        pattern: Option<&'static str>,
    },
    Integer {
        bounds: Bounds,
    },
    Long {
        bounds: Bounds,
    },
    Float,
    Double,
    Boolean,
    Timestamp,
    Blob {
        bounds: Bounds,
    },
}

#[derive(Debug)]
pub struct Shape {
    pub name: &'static str,
    pub kind: ShapeKind,
}

pub struct Member {
    /// The member name in the model (JSON and CBOR key).
    pub name: &'static str,
    pub shape: &'static Shape,
    pub location_name: Option<&'static str>,
    /// EC2's `queryName`: the request parameter name when it differs.
    pub query_name: Option<&'static str>,
    pub required: bool,
}

impl Member {
    /// The name of this member in an EC2 request (`queryName`, else the
    /// capitalised `locationName`, else the capitalised member name).
    pub fn ec2_query_key(&self) -> String {
        if let Some(q) = self.query_name {
            return q.to_string();
        }
        capitalize(self.location_name.unwrap_or(self.name))
    }

    /// The name of this member in an AWS query request and in XML output.
    pub fn xml_name(&self) -> &'static str {
        self.location_name.unwrap_or(self.name)
    }
}

// Shapes may be recursive, so Debug names the member's shape instead of
// printing it.
impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("name", &self.name)
            .field("shape", &self.shape.name)
            .field("required", &self.required)
            .finish()
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A modelled error shape of a service.
#[derive(Debug)]
pub struct ErrorSpec {
    pub name: &'static str,
    /// The `error.code` override (query services), else the shape name.
    pub code: &'static str,
    pub status: u16,
}

#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub input: Option<&'static Shape>,
    pub output: Option<&'static Shape>,
    /// Query protocol: the element wrapping the output (`AssumeRoleResult`).
    pub result_wrapper: Option<&'static str>,
}

#[derive(Debug)]
pub struct ServiceSpec {
    /// Landbridge's name for the service, e.g. `directconnect`.
    pub id: &'static str,
    /// The SigV4 signing name (`signingName`, else `endpointPrefix`).
    pub signing_name: &'static str,
    pub api_version: &'static str,
    /// Protocols in the model's order of preference.
    pub protocols: &'static [Protocol],
    /// The `X-Amz-Target` prefix and the RPC v2 service name.
    pub target_prefix: Option<&'static str>,
    /// `1.0` or `1.1` for JSON services.
    pub json_version: Option<&'static str>,
    pub xml_namespace: Option<&'static str>,
    /// The operations Landbridge has code for (the codegen allowlist).
    pub operations: &'static [Operation],
    /// Every operation name in the model, implemented or not.
    pub all_operations: &'static [&'static str],
    pub errors: &'static [ErrorSpec],
    /// The error code this service answers for invalid input.
    pub validation_error: &'static str,
}

impl ServiceSpec {
    pub fn operation(&self, name: &str) -> Option<&'static Operation> {
        self.operations.iter().find(|op| op.name == name)
    }

    pub fn has_operation_in_model(&self, name: &str) -> bool {
        self.all_operations.contains(&name)
    }

    pub fn speaks(&self, protocol: Protocol) -> bool {
        self.protocols.contains(&protocol)
    }

    pub fn error(&self, code: &str) -> Option<&'static ErrorSpec> {
        self.errors.iter().find(|e| e.code == code || e.name == code)
    }
}
